import { relative } from 'node:path';
import { formatDiagnostics } from '../../core/rules/diagnostics.ts';
import type { Command } from '../command.ts';
import { choiceOption, parseCommandArgs } from '../command.ts';
import { InputError, UsageError } from '../../node/errors.ts';
import { loadRulesFile } from '../rulesFile.ts';

const usage = `Usage: anomaly-hunter check <rules.yaml>... [--data CSV] [--format text|json]

Checks rules files (SPEC §1): YAML, structure, and — when the data is known — metric names,
'for' against the sampling step and thresholds against the values the metric takes. Several
files (\`check alerts/*.yml\`) are each checked and reported in turn.

Options:
  --data CSV       check against this CSV (default: each file's 'data:' key, relative to it)
  --format F       text (default): path:line:col: severity: message [code], then a summary per file
                   json: { "path", "data", "diagnostics": [...] } for one file; for several, an array
                   of those, in the order given (a file that cannot be read: "error" and no diagnostics)
  -h, --help       show this help

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error (a missing file); with
several files the worst of theirs.
`;

type Report = { path: string; data: string | null; error?: string; diagnostics: unknown[] };

/** `check <rules.yaml>... [--data CSV]`: prints diagnostics (SPEC §2); exit 1 when any is an error, 2 on a usage error. */
export const checkCommand: Command = {
  usage,
  async run(ctx) {
    const { values, positionals } = parseCommandArgs(ctx.argv, {
      data: { type: 'string' },
      format: { type: 'string' },
    });
    if (values.help) { ctx.stdout(usage); return 0; }
    if (positionals.length === 0) throw new UsageError('missing the rules file');
    const format = choiceOption('format', values.format, ['text', 'json'] as const, 'text');
    const one = async (path: string): Promise<{ code: number; report: Report }> => {
      const loaded = await loadRulesFile(path, { cwd: ctx.cwd, dataPath: values.data, env: ctx.env });
      const diagnostics = loaded.diagnostics.map(({ severity, code, message, range }) => ({ severity, code, message, line: range.start.line, column: range.start.column, endLine: range.end.line, endColumn: range.end.column }));
      if (format === 'text') ctx.stdout(formatDiagnostics(path, loaded.diagnostics));
      return { code: loaded.diagnostics.some((d) => d.severity === 'error') ? 1 : 0, report: { path, data: loaded.dataPath && relative(ctx.cwd, loaded.dataPath), diagnostics } };
    };
    if (positionals.length === 1) {
      // One file: its errors as any command's (a missing file a usage error), its JSON one object (as before).
      const { code, report } = await one(positionals[0]);
      if (format === 'json') ctx.stdout(JSON.stringify(report, null, 2) + '\n');
      return code;
    }
    // Several: each in turn; one that cannot be read is said as main says it, and the others are still checked.
    let worst = 0;
    const reports: Report[] = [];
    for (const path of positionals) {
      try {
        const { code, report } = await one(path);
        worst = Math.max(worst, code);
        reports.push(report);
      } catch (e) {
        if (!(e instanceof UsageError) && !(e instanceof InputError)) throw e;
        const where = e instanceof InputError ? (e.path ? `${e.path}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ` : '') : 'anomaly-hunter check: ';
        ctx.stderr(`${where}error: ${e.message}\n`);
        worst = Math.max(worst, e instanceof UsageError ? 2 : 1);
        reports.push({ path, data: null, error: e.message, diagnostics: [] });
      }
    }
    if (format === 'json') ctx.stdout(JSON.stringify(reports, null, 2) + '\n');
    return worst;
  },
};
