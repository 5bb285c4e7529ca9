import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Gunzip } from 'node:zlib';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { notRegularFile, utf16Of } from './tailFile.ts';
import { damagedGzip, isGzip } from './csvText.ts';
import type { DataIssue, Frame } from '../core/csv/frame.ts';
import { createCsvReader } from '../core/csv/parse.ts';
import type { CsvReaderOptions } from '../core/csv/parse.ts';

/** The outcome of loading a CSV file: the frame (null when unusable), its problems, the file's sha256. */
export interface LoadedCsv {
  frame: Frame | null;
  issues: DataIssue[];
  sha256: string;
  bytes: number;
  delimiter: string;
}

/** Options of loadCsvFile: the reader's, and whether a pipe may be read. */
export interface LoadCsvOptions extends CsvReaderOptions {
  /**
   * Read a pipe (`… | anomaly-hunter analyze /dev/stdin`): the command line's own input. Never for a path that
   * comes from a file (a rules file's `data:`) or in the editor: opening a pipe waits for a writer. @default false
   */
  allowPipe?: boolean;
}

/**
 * Streams a CSV file from disk through the core reader in 1 MiB pieces (the text is never held whole),
 * hashing it on the way. A missing or unreadable file, a device (/dev/zero never ends) or socket, or a pipe
 * unless allowed, is an error issue, not an exception.
 */
export async function loadCsvFile(path: string, onProgress?: (bytesRead: number, totalBytes: number) => void, options: LoadCsvOptions = {}): Promise<LoadedCsv> {
  const hash = createHash('sha256');
  const reader = createCsvReader(options);
  let bytes = 0;
  let total = 0;
  let handle: FileHandle | null = null;
  try {
    // Only a regular file (or an allowed pipe): a device (/dev/zero) has size 0 and never ends. Looked at before
    // opening, since opening a pipe blocks until a writer comes.
    const readable = (st: Stats): boolean => st.isFile() || (options.allowPipe === true && st.isFIFO());
    const before = await stat(path);
    if (!readable(before)) throw notRegularFile(path, before);
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!readable(info)) throw notRegularFile(path, info);
    total = info.size;
    const buf = Buffer.allocUnsafe(1 << 20);
    let decoder = new TextDecoder('utf-8');
    // While every piece is ASCII (most metric exports), it is read as Latin-1: the same text, decoded faster.
    // The first piece that is not (a BOM, a multi-byte character, maybe split between pieces) and all after it go through the decoder.
    let ascii = true;
    let first = true;
    const text = (chunk: Buffer): void => {
      if (first) {
        first = false;
        // A UTF-16 file (Excel's "Unicode Text", Windows PowerShell's Out-File) starts with its byte-order mark.
        const utf16 = utf16Of(chunk);
        if (utf16) { decoder = new TextDecoder(utf16); ascii = false; }
      }
      ascii &&= isAscii(chunk);
      reader.push(ascii ? chunk.toString('latin1') : decoder.decode(chunk, { stream: true }));
    };
    // A gzip-compressed export (`metrics.csv.gz`, by its magic bytes) is read through the decompressor.
    let gunzip: Gunzip | null = null;
    let damaged: Error | null = null;
    const unzipped: Buffer[] = [];
    // Stops once the reader has failed (a binary file, a stray quote…): the rest cannot change the outcome.
    while (!reader.failed) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      if (bytes === 0 && isGzip(chunk)) {
        gunzip = createGunzip();
        gunzip.on('data', (d: Buffer) => unzipped.push(d));
        // Kept, not thrown from the stream (an unhandled 'error' event would end the process): said below.
        gunzip.on('error', (e) => { damaged ??= e; });
      }
      bytes += bytesRead;
      if (gunzip) {
        // Written, then resolved by its callback or by the stream's error (after which no callback comes).
        const z = gunzip;
        await new Promise<void>((done) => {
          const failed = (): void => done();
          z.once('error', failed);
          z.write(Buffer.from(chunk), () => { z.off('error', failed); done(); });
        });
        if (damaged) break;
        for (const d of unzipped.splice(0)) text(d);
      } else text(chunk);
      onProgress?.(bytes, total);
    }
    // The reader failed (not a CSV, too large): its own message stands; the rest of the archive is not read.
    if (gunzip && reader.failed) gunzip.destroy();
    else if (gunzip && !damaged) {
      await new Promise<void>((done) => { gunzip!.once('error', () => done()).once('end', done).end(); });
      for (const d of unzipped.splice(0)) text(d);
    }
    if (damaged) {
      const e = damaged as Error;
      return { frame: null, issues: [{ severity: 'error', code: 'gzip', message: `${damagedGzip(e)}: nothing read from it` }], sha256: '', bytes, delimiter: '' };
    }
    reader.push(decoder.decode());
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const message = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, not a CSV file'
      : err.code === 'ENOTREG' ? err.message.slice(path.length + 2)
      : `cannot read the file (${err.code ?? err.message})`;
    return { frame: null, issues: [{ severity: 'error', code: 'io', message }], sha256: '', bytes, delimiter: '' };
  } finally {
    await handle?.close();
  }
  const result = reader.end();
  return { ...result, sha256: hash.digest('hex'), bytes };
}
