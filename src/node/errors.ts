// The errors a user can cause, shared by the CLI (which turns them into exit codes) and the Node adapters.
import { shortNameList } from '../core/format.ts';

/** A usage error: printed as `anomaly-hunter: error: …` with exit code 2. */
export class UsageError extends Error {}

/** An input error with a position: printed as `path[:line[:col]]: error: message` with exit code 1. */
export class InputError extends Error {
  constructor(message: string, readonly path?: string, readonly line?: number, readonly column?: number) {
    super(message);
  }
}

/**
 * The usage error of `--metrics` names the data lacks, for analyze and stream alike: every name it lacks, and its
 * metrics (the first 10: a file may have thousands). `noun`: what a name was looked for as; `where`: the file or server.
 */
export function unknownMetricsError(unknown: readonly string[], where: string, metrics: readonly string[], noun = 'numeric column'): UsageError {
  return new UsageError(`--metrics: no ${noun} ${unknown.map((m) => `'${m}'`).join(', ')} in ${where} (metrics: ${shortNameList(metrics)})`);
}
