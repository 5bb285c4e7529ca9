import { resolve } from 'node:path';
import { checkNotInput, SameFileError, writeFileAtomic } from '../node/writeFileAtomic.ts';
import { InputError, UsageError } from '../node/errors.ts';
import type { CommandContext } from './command.ts';

/**
 * Writes a sequence of chunks to a file (atomically: see writeFileAtomic) or to stdout. An output that is one
 * of `inputs` is a usage error (exit 2); a write that fails (a full disk, no permission) an error with exit 1,
 * and the file that was there is kept.
 */
export async function writeChunks(chunks: Iterable<string>, out: string | undefined, ctx: CommandContext, inputs: readonly (string | undefined | null)[] = []): Promise<void> {
  if (!out) {
    for (const c of chunks) ctx.stdout(c);
    return;
  }
  const full = resolve(ctx.cwd, out);
  try {
    await writeFileAtomic(full, chunks, inputs.map((p) => (p ? resolve(ctx.cwd, p) : p)));
  } catch (e) {
    if (e instanceof SameFileError) throw new UsageError(`--out ${out}: this is an input file; choose another output file`);
    const err = e as NodeJS.ErrnoException;
    throw new InputError(`cannot write the output (${err.code ?? err.message}); the file was left as it was`, out);
  }
}

/** Refuses, before any work, an --out that names one of the inputs (see checkNotInput): a usage error. */
export async function refuseOutputOverInput(out: string | undefined, inputs: readonly (string | undefined | null)[], cwd: string): Promise<void> {
  if (!out) return;
  try {
    await checkNotInput(resolve(cwd, out), inputs.map((p) => (p ? resolve(cwd, p) : p)));
  } catch (e) {
    if (e instanceof SameFileError) throw new UsageError(`--out ${out}: this is an input file; choose another output file`);
    throw e;
  }
}
