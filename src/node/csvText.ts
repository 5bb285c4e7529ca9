import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { utf16Of } from './tailFile.ts';

/** Whether bytes begin as a gzip stream does (RFC 1952's magic number, 0x1f 0x8b). */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** What a damaged gzip file (truncated, bytes changed) is called, with zlib's reason: `unexpected end of file`. */
export function damagedGzip(e: Error): string {
  return `a damaged gzip file (${e.message})`;
}

/** The text of a CSV file as loadCsvFile reads it, or why it cannot be had (a message, no stack). */
export type CsvText = { ok: true; text: string; gzip: boolean } | { ok: false; message: string };

/**
 * Reads a CSV file's text as loadCsvFile reads it, so that its lines are the lines the analysis numbers:
 * decompressed when it is gzip (by its magic bytes, whatever its name), decoded as UTF-8 or by its UTF-16
 * byte-order mark (a BOM is dropped). Streamed through zlib's asynchronous inflater in 1 MiB pieces, so the
 * event loop is never held for long. More than `maxChars` characters of text is an error: the text is for an
 * editor, and a JavaScript string has a limit of its own (2^29 characters).
 * @param maxChars @default 256 * 2^20
 */
export async function readCsvText(path: string, maxChars = 256 << 20): Promise<CsvText> {
  let gzip = false;
  // Set before the decoder stops the pipeline (which rejects with its own abort error then).
  let tooLong = false;
  let handle: FileHandle | null = null;
  try {
    // Opened once: the bytes told gzip by are the bytes read (a file replaced meanwhile is not read half and half).
    handle = await open(path, 'r');
    if (!(await handle.stat()).isFile()) return { ok: false, message: 'not a regular file' };
    const first = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(first, 0, first.length, 0);
    gzip = isGzip(first.subarray(0, bytesRead));
    const parts: string[] = [];
    let chars = 0;
    const decode = async (source: AsyncIterable<Buffer>): Promise<void> => {
      let decoder: InstanceType<typeof TextDecoder> | null = null;
      for await (const chunk of source) {
        decoder ??= new TextDecoder(utf16Of(chunk) ?? 'utf-8');
        const s = decoder.decode(chunk, { stream: true });
        chars += s.length;
        if (chars > maxChars) { tooLong = true; throw new Error('too long'); }
        parts.push(s);
      }
      if (decoder) parts.push(decoder.decode());
    };
    // The first piece, then the rest of the same open file from where it ended (closed below, not by the stream).
    const h = handle;
    async function* file(): AsyncGenerator<Buffer> {
      if (bytesRead > 0) yield first.subarray(0, bytesRead);
      if (bytesRead === first.length) yield* h.createReadStream({ start: bytesRead, highWaterMark: 1 << 20, autoClose: false });
    }
    if (gzip) await pipeline(file, createGunzip(), decode);
    else await pipeline(file, decode);
    return { ok: true, text: parts.join(''), gzip };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (tooLong) return { ok: false, message: `its text is over ${maxChars.toLocaleString('en')} characters${gzip ? ' once decompressed' : ''}: too long to show in an editor` };
    if (typeof err.code === 'string' && err.code.startsWith('Z_')) return { ok: false, message: damagedGzip(err) };
    return { ok: false, message: err.code === 'ENOENT' ? 'no such file' : `cannot read the file (${err.code ?? err.message})` };
  } finally {
    await handle?.close();
  }
}
