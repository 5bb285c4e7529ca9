import { relative } from 'node:path';
import { formatDiagnostics } from '../../core/rules/diagnostics.ts';
import type { Command } from '../command.ts';
import { choiceOption, parseCommandArgs } from '../command.ts';
import { UsageError } from '../../node/errors.ts';
import { loadRulesFile } from '../rulesFile.ts';

const usage = `Usage: anomaly-hunter check <rules.yaml> [--data CSV] [--format text|json]

Checks a rules file (SPEC §1): YAML, structure, and — when the data is known — metric names,
'for' against the sampling step and thresholds against the values the metric takes.

Options:
  --data CSV       check against this CSV (default: the file's 'data:' key, relative to it)
  --format F       text (default): path:line:col: severity: message [code], then a summary
                   json: { "path", "data", "diagnostics": [...] }
  -h, --help       show this help

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error.
`;

/** `check <rules.yaml> [--data CSV]`: prints diagnostics (SPEC §2); exit 1 when any is an error. */
export const checkCommand: Command = {
  usage,
  async run(ctx) {
    const { values, positionals } = parseCommandArgs(ctx.argv, {
      data: { type: 'string' },
      format: { type: 'string' },
    });
    if (values.help) { ctx.stdout(usage); return 0; }
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one rules file, got ${positionals.length}` : 'missing the rules file');
    const format = choiceOption('format', values.format, ['text', 'json'] as const, 'text');
    const loaded = await loadRulesFile(positionals[0], { cwd: ctx.cwd, dataPath: values.data, env: ctx.env });
    if (format === 'json') {
      const diagnostics = loaded.diagnostics.map(({ severity, code, message, range }) => ({ severity, code, message, line: range.start.line, column: range.start.column, endLine: range.end.line, endColumn: range.end.column }));
      ctx.stdout(JSON.stringify({ path: positionals[0], data: loaded.dataPath && relative(ctx.cwd, loaded.dataPath), diagnostics }, null, 2) + '\n');
    } else {
      ctx.stdout(formatDiagnostics(positionals[0], loaded.diagnostics));
    }
    return loaded.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
  },
};
