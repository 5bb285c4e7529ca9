import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';

/**
 * What `tailFile` reports besides text: the file was cut shorter, replaced, or created again after it was gone
 * (`onGone`), so reading restarts at 0.
 */
export type TailEvent = 'truncated' | 'rotated' | 'recreated';

/** Options of `tailFile`. */
export interface TailOptions {
  /** Keep reading what is appended until `signal` aborts (like `tail -f`); otherwise stop at the end. */
  follow: boolean;
  /**
   * Ends a follow, or a read: reading stops after the current chunk. A follow first reads what was written up
   * to the stop (at most the size the file had then), so nothing written before it is lost.
   */
  signal?: AbortSignal;
  /** Poll interval in ms, the fallback when fs.watch misses an event (network drives, some editors). @default 250 */
  pollMs?: number;
  /**
   * After a rotation, the old file is read until it has not grown for this long (a writer may still append
   * to it before it reopens the path), then the new file. @default max(4 polls, 1 s)
   */
  rotationGraceMs?: number;
  /** Bytes read per call. @default 65536 */
  chunkBytes?: number;
  /** Called with each piece of text, in order (UTF-8 sequences split across reads are joined). */
  onText(text: string): void;
  /** Called each time everything written so far has been read (the end of the file, for now). */
  onCaughtUp?(): void;
  /** Called before reading restarts from the top of a truncated or replaced file. */
  onRestart?(event: TailEvent): void;
  /** Called once when the path names no file any more (deleted, or moved away with nothing in its place). */
  onGone?(): void;
  /** After `onGone`, the same file is at the path again (moved back): reading goes on where it was. */
  onBack?(): void;
  /** Polled after each piece: true stops the reading (the reader failed; the rest is not wanted). */
  stopped?(): boolean;
}

/** Thrown (as an fs error with code 'ENOTREG') for a path that is not a regular file: a device, a pipe, a socket. */
export function notRegularFile(path: string, st: Stats): NodeJS.ErrnoException {
  const kind = st.isDirectory() ? 'a directory' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isFIFO() ? 'a pipe' : st.isSocket() ? 'a socket' : 'not a regular file';
  const e: NodeJS.ErrnoException = new Error(`${path}: ${kind}, not a regular file`);
  e.code = st.isDirectory() ? 'EISDIR' : 'ENOTREG';
  return e;
}

/** Bytes just before the read offset, re-read on each check: different bytes mean the file was replaced in place. */
const TAIL_BYTES = 64;

/**
 * Reads a file from the start and, with `follow`, keeps reading what is appended. Rotation (the path now
 * names another file) reads the old file to its end first, then the new one from the top. Truncation
 * restarts from the top; it is seen by the size dropping below what was read, or, when the file was cut
 * and grew back past that between two looks (logrotate's copytruncate, a writer that rewrites the file),
 * by the bytes just before the read offset having changed. Only regular files are read (a device never
 * ends). Resolves when the file is read (no follow), when the signal aborts, or when `stopped()` says so.
 */
export async function tailFile(path: string, options: TailOptions): Promise<void> {
  const pollMs = options.pollMs ?? 250;
  const graceMs = options.rotationGraceMs ?? Math.max(4 * pollMs, 1000);
  const buf = Buffer.alloc(options.chunkBytes ?? 65536);
  const signal = options.signal;
  const stopped = (): boolean => options.stopped?.() === true;
  // Looked at before opening: opening a pipe blocks until a writer comes.
  const first = await stat(path);
  if (!first.isFile()) throw notRegularFile(path, first);
  let handle: FileHandle = await open(path, 'r');
  let info = await handle.stat();
  if (!info.isFile()) { await handle.close(); throw notRegularFile(path, info); }
  let offset = 0;
  let decoder = new TextDecoder('utf-8');
  /** The last TAIL_BYTES bytes read (ending at `offset`). */
  let tail = Buffer.alloc(0);
  /** After a truncation: zeros at the top are the hole a writer leaves when it keeps its old offset. */
  let skipZeros = false;
  /** A rotation seen, the old file still being read: when it last grew. */
  let rotatedAt = 0;
  let lastGrowth = 0;
  /** The path was found naming no file (said once, until a file is there again). */
  let gone = false;

  /** Reads to the end of the current file (or to `limit` bytes), unless stopped or aborted (`final`: the read after an abort). */
  const drain = async (limit = Infinity, final = false): Promise<void> => {
    while (offset < limit) {
      if (stopped() || (signal?.aborted && !final)) return;
      const want = Math.min(buf.length, limit - offset);
      const { bytesRead } = await handle.read(buf, 0, want, offset);
      if (bytesRead === 0) break;
      // A UTF-16 file (its byte-order mark) is read as such, as loadCsvFile does.
      const enc = offset === 0 ? utf16Of(buf.subarray(0, bytesRead)) : null;
      if (enc) decoder = new TextDecoder(enc);
      offset += bytesRead;
      lastGrowth = Date.now();
      let bytes = buf.subarray(0, bytesRead);
      tail = Buffer.concat([tail, bytes.subarray(-TAIL_BYTES)]);
      if (tail.length > TAIL_BYTES) tail = tail.subarray(tail.length - TAIL_BYTES);
      if (skipZeros) {
        let k = 0;
        while (k < bytes.length && bytes[k] === 0) k++;
        bytes = bytes.subarray(k);
        if (bytes.length) skipZeros = false;
      }
      const text = decoder.decode(bytes, { stream: true });
      if (text) options.onText(text);
    }
    if (!stopped()) options.onCaughtUp?.();
  };

  /** True when the bytes before `offset` are no longer those that were read there. */
  const replacedInPlace = async (): Promise<boolean> => {
    if (!tail.length) return false;
    const check = Buffer.alloc(tail.length);
    const { bytesRead } = await handle.read(check, 0, tail.length, offset - tail.length);
    return bytesRead !== tail.length || !check.equals(tail);
  };

  const restart = async (event: TailEvent): Promise<void> => {
    options.onRestart?.(event);
    if (event !== 'truncated') {
      const st0 = await stat(path);
      if (!st0.isFile()) throw notRegularFile(path, st0);
      const next = await open(path, 'r');
      const st = await next.stat();
      if (!st.isFile()) { await next.close(); throw notRegularFile(path, st); }
      await handle.close();
      handle = next;
      info = st;
    } else {
      skipZeros = true;
    }
    offset = 0;
    tail = Buffer.alloc(0);
    decoder = new TextDecoder('utf-8');
  };

  /** One look at the path: restart when it was cut or replaced, then read what is new. */
  const check = async (final = false): Promise<void> => {
    let st;
    try {
      st = await stat(path);
    } catch (e) {
      // Deleted, or between a rotation's rename and the new file's creation: the old file is read to its end (a
      // writer may still hold it), and the path is looked at again on the next tick.
      await drain(Infinity, final);
      const code = (e as NodeJS.ErrnoException).code;
      if (!gone && !final && !stopped() && (code === 'ENOENT' || code === 'ENOTDIR')) { gone = true; options.onGone?.(); }
      return;
    }
    if (st.ino !== info.ino || st.dev !== info.dev) {
      // Rotated: read the old file to its end first; a writer may still be appending to it.
      await drain(Infinity, final);
      const now = Date.now();
      if (!rotatedAt) rotatedAt = now;
      if (!final && now - Math.max(rotatedAt, lastGrowth) < graceMs) return;
      rotatedAt = 0;
      await restart(gone ? 'recreated' : 'rotated');
      gone = false;
    } else if (st.size < offset || (await replacedInPlace())) {
      await restart('truncated');
    } else if (gone) {
      // The same file back at the path (moved away and back): read on where it was left.
      gone = false;
      options.onBack?.();
    }
    await drain(final ? (await handle.stat()).size : Infinity, final);
  };

  try {
    await drain();
    if (!options.follow || signal?.aborted || stopped()) return;
    await new Promise<void>((resolve, reject) => {
      // Checks run one after another: a watch event during a read queues at most one more check.
      let chain: Promise<void> = Promise.resolve();
      let queued = false;
      let failed = false;
      let watcher: FSWatcher | null = null;
      const fail = (e: unknown): void => { if (!failed) { failed = true; finish(); reject(e); } };
      const tick = (): void => {
        if (queued || failed) return;
        if (stopped()) { finish(); chain.then(resolve, reject); return; }
        queued = true;
        chain = chain.then(() => { queued = false; return check(); }).catch(fail);
      };
      const timer = setInterval(tick, pollMs);
      try {
        watcher = watch(path, { persistent: false }, tick);
        watcher.on('error', () => { watcher?.close(); watcher = null; });
      } catch {
        watcher = null; // Polling alone still works.
      }
      const finish = (): void => {
        clearInterval(timer);
        watcher?.close();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        finish();
        // Read what was written up to the stop (no more than the file holds now), so nothing before it is lost.
        chain.then(() => check(true)).then(resolve, reject);
      };
      signal?.addEventListener('abort', onAbort);
    });
  } finally {
    await handle.close();
  }
}

/** The UTF-16 encoding a file's first bytes mark (FF FE little-endian, FE FF big-endian), else null. */
export function utf16Of(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (head.length < 2) return null;
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}
