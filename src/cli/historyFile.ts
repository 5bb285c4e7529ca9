import { resolve } from 'node:path';
import type { Database } from 'sql.js';
import { HistoryError } from '../core/history/db.ts';
import { recordAnalysis } from '../core/history/record.ts';
import type { RunIdentity } from '../core/history/record.ts';
import type { Incident } from '../core/incidents/incidents.ts';
import { historyFsFailure, withHistory } from '../node/historyDb.ts';
import type { HistoryOptions } from '../node/historyDb.ts';
import type { CommandContext } from './command.ts';
import { InputError } from '../node/errors.ts';

/** The `--history FILE` / `--db FILE` of a command, resolved against the current folder. */
export function historyPath(ctx: CommandContext, file: string): string {
  return resolve(ctx.cwd, file);
}

/**
 * withHistory for a command: a database problem (not ours, a newer schema, locked, cannot be written) is an
 * InputError naming the file as the user gave it (exit 1, one line), never a stack trace.
 */
export async function useHistory<T>(ctx: CommandContext, file: string, fn: (db: Database) => T | Promise<T>, opts?: HistoryOptions): Promise<T> {
  try {
    return await withHistory(historyPath(ctx, file), fn, opts);
  } catch (e) {
    if (e instanceof HistoryError) throw new InputError(e.message, file);
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new InputError(historyFsFailure(code, opts?.write !== false), file);
    throw e;
  }
}

/** Records an analysis's reported incidents (analyze --history): one stderr line says what changed. */
export async function recordAnalyzeHistory(ctx: CommandContext, file: string, run: RunIdentity, incidents: readonly Incident[]): Promise<void> {
  const counts = await useHistory(ctx, file, (db) => recordAnalysis(db, run, incidents, Date.now()));
  ctx.stderr(`history: ${incidents.length} incident${incidents.length === 1 ? '' : 's'} recorded in ${file} (${counts.added} new, ${counts.updated} updated)\n`);
}
