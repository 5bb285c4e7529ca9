import type { Command, CommandContext } from '../command.ts';
import { choiceOption, parseCommandArgs } from '../command.ts';
import { UsageError } from '../../node/errors.ts';
import { useHistory } from '../historyFile.ts';
import { DEFAULT_HISTORY_DB } from '../../node/historyDb.ts';
import { formatHistoryText, historyReport } from '../../core/history/report.ts';
import { parseDuration } from '../../core/rules/duration.ts';

const usage = `Usage: anomaly-hunter history [--db FILE] [--since T] [--format text|json]

Prints what earlier 'analyze --history', 'stream --history' and 'send --history' runs recorded:
incidents per day (by the UTC day they started) by severity, metric and rule, the noisiest
metrics and rules, how long incidents lasted, and what happened to their alerts (sent,
throttled, deduplicated, failed, with the reasons).

Options:
  --db FILE          the history database (default ${DEFAULT_HISTORY_DB} under the current folder)
  --since T          only incidents that started at or after T in their data (when first recorded,
                     for data without times), and runs and alerts made since: a date or time
                     (2026-01-31, RFC 3339) or a duration back from now (7d, 12h; or -7d, as --start)
  --format text|json output format (default text)
  -h, --help         show this help

Exit codes: 0 success, 1 no or unreadable history database, 2 usage error.
`;

/** The epoch ms of a --since value: a duration back from `now`, or a date/time; NaN when neither. */
export function parseSince(text: string, now: number): number {
  // -7d as well as 7d: analyze's --start=-7d is the form people know.
  const d = parseDuration(text.trim().replace(/^-(?=\d)/, ''));
  if (Number.isFinite(d)) return now - d;
  return /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
}

/** `history` (SPEC §3). */
export const historyCommand: Command = {
  usage,
  async run(ctx: CommandContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(ctx.argv, {
      db: { type: 'string' },
      since: { type: 'string' },
      format: { type: 'string' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (the database is given with --db FILE)`);
    const format = choiceOption('format', values.format, ['text', 'json'] as const, 'text');
    let since: number | null = null;
    if (values.since !== undefined) {
      since = parseSince(values.since, Date.now());
      if (!Number.isFinite(since)) throw new UsageError(`--since must be a date or time (2026-01-31, 2026-01-31T12:00:00Z) or a duration (7d, 12h, -7d), got '${values.since}'`);
    }
    const report = await useHistory(ctx, values.db ?? DEFAULT_HISTORY_DB, (db) => historyReport(db, since), { write: false, create: false });
    ctx.stdout(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatHistoryText(report));
    return 0;
  },
};
