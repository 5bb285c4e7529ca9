import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { chmod, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

/** An output that would overwrite one of the command's inputs. */
export class SameFileError extends Error {}

/**
 * Refuses an output path that names one of the inputs (the same file, also through a link): writing it
 * would destroy the data before it is read, or replace it with the results. Throws SameFileError.
 */
export async function checkNotInput(out: string, inputs: readonly (string | undefined | null)[]): Promise<void> {
  const o = await stat(out).catch(() => null);
  if (!o) return; // A new file cannot be an input.
  for (const input of inputs) {
    if (!input) continue;
    const i = await stat(input).catch(() => null);
    if (i && i.dev === o.dev && i.ino === o.ino) throw new SameFileError(`${out} is the input file ${input}: choose another output file`);
  }
}

/**
 * Writes chunks to `path` atomically: into a temporary file next to it, then renamed over it. A failure
 * (a full disk, a closed stream) removes the temporary file and leaves whatever was at `path` untouched.
 * An existing file keeps its permissions. Waits for the stream to drain, so memory stays bounded.
 * Throws the fs error (with its `code`), or SameFileError when `path` is one of `inputs`.
 */
export async function writeFileAtomic(path: string, chunks: Iterable<string | Uint8Array>, inputs: readonly (string | undefined | null)[] = []): Promise<void> {
  await checkNotInput(path, inputs);
  // Through a symlink, replace the file it points to (not the link).
  const target = await realpath(path).catch(() => resolve(path));
  const previous = await stat(target).catch(() => null);
  if (previous && !previous.isFile()) {
    const e: NodeJS.ErrnoException = new Error(`${path} is not a regular file`);
    e.code = previous.isDirectory() ? 'EISDIR' : 'ENOTREG';
    throw e;
  }
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const stream = createWriteStream(temp, { flags: 'wx' });
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => undefined);
  try {
    await Promise.race([once(stream, 'open'), failed]);
    for (const c of chunks) {
      if (!stream.write(c)) await Promise.race([once(stream, 'drain'), failed]);
    }
    stream.end();
    await Promise.race([once(stream, 'close'), failed]);
    if (previous) await chmod(temp, previous.mode & 0o7777);
    await rename(temp, target);
  } catch (e) {
    stream.destroy();
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}
