import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';

/** What `tailFile` reports besides text: the file was cut shorter or replaced, so reading restarts at 0. */
export type TailEvent = 'truncated' | 'rotated';

/** Options of `tailFile`. */
export interface TailOptions {
  /** Keep reading what is appended until `signal` aborts (like `tail -f`); otherwise stop at the end. */
  follow: boolean;
  /** Ends a follow. */
  signal?: AbortSignal;
  /** Poll interval in ms, the fallback when fs.watch misses an event (network drives, some editors). @default 250 */
  pollMs?: number;
  /** Bytes read per call. @default 65536 */
  chunkBytes?: number;
  /** Called with each piece of text, in order (UTF-8 sequences split across reads are joined). */
  onText(text: string): void;
  /** Called each time everything written so far has been read (the end of the file, for now). */
  onCaughtUp?(): void;
  /** Called before reading restarts from the top of a truncated or replaced file. */
  onRestart?(event: TailEvent): void;
}

/**
 * Reads a file from the start and, with `follow`, keeps reading what is appended. Truncation (the size
 * drops below what was read) and rotation (the path now names another inode) restart from the top of
 * the file now at the path. Resolves when the file is read (no follow) or when the signal aborts.
 */
export async function tailFile(path: string, options: TailOptions): Promise<void> {
  const pollMs = options.pollMs ?? 250;
  const buf = Buffer.alloc(options.chunkBytes ?? 65536);
  let handle: FileHandle = await open(path, 'r');
  let ino = (await handle.stat()).ino;
  let offset = 0;
  let decoder = new TextDecoder('utf-8');

  const drain = async (): Promise<void> => {
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) { options.onCaughtUp?.(); return; }
      offset += bytesRead;
      const text = decoder.decode(buf.subarray(0, bytesRead), { stream: true });
      if (text) options.onText(text);
    }
  };

  const restart = async (event: TailEvent): Promise<void> => {
    options.onRestart?.(event);
    if (event === 'rotated') {
      await handle.close();
      handle = await open(path, 'r');
      ino = (await handle.stat()).ino;
    }
    offset = 0;
    decoder = new TextDecoder('utf-8');
  };

  /** One look at the path: restart when it was cut or replaced, then read what is new. */
  const check = async (): Promise<void> => {
    let st;
    try {
      st = await stat(path);
    } catch {
      return; // Between a rotation's rename and the new file's creation: try again on the next tick.
    }
    if (st.ino !== ino) await restart('rotated');
    else if (st.size < offset) await restart('truncated');
    await drain();
  };

  try {
    await drain();
    if (!options.follow || options.signal?.aborted) return;
    await new Promise<void>((resolve, reject) => {
      // Checks run one after another: a watch event during a read queues at most one more check.
      let chain: Promise<void> = Promise.resolve();
      let queued = false;
      let failed = false;
      let watcher: FSWatcher | null = null;
      const fail = (e: unknown): void => { if (!failed) { failed = true; finish(); reject(e); } };
      const tick = (): void => {
        if (queued || failed) return;
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
        options.signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        finish();
        // Read what was appended up to the stop, so nothing written before it is lost.
        chain.then(() => check()).then(resolve, reject);
      };
      options.signal?.addEventListener('abort', onAbort);
    });
  } finally {
    await handle.close();
  }
}
