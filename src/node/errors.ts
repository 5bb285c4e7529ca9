// The errors a user can cause, shared by the CLI (which turns them into exit codes) and the Node adapters.

/** A usage error: printed as `anomaly-hunter: error: …` with exit code 2. */
export class UsageError extends Error {}

/** An input error with a position: printed as `path[:line[:col]]: error: message` with exit code 1. */
export class InputError extends Error {
  constructor(message: string, readonly path?: string, readonly line?: number, readonly column?: number) {
    super(message);
  }
}
