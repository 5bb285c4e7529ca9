import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { CommandContext } from './command.ts';
import { UsageError } from './command.ts';

/**
 * Writes a sequence of chunks to a file (waiting for the stream to drain, so memory stays bounded)
 * or to stdout. A file that cannot be created is a usage error.
 */
export async function writeChunks(chunks: Iterable<string>, out: string | undefined, ctx: CommandContext): Promise<void> {
  if (!out) {
    for (const c of chunks) ctx.stdout(c);
    return;
  }
  const stream = createWriteStream(out);
  const failed = new Promise<never>((_, reject) => stream.once('error', (e: NodeJS.ErrnoException) => reject(new UsageError(`--out ${out}: cannot write (${e.code ?? e.message})`))));
  failed.catch(() => undefined);
  for (const c of chunks) {
    if (!stream.write(c)) await Promise.race([once(stream, 'drain'), failed]);
  }
  stream.end();
  await Promise.race([once(stream, 'finish'), failed]);
}
