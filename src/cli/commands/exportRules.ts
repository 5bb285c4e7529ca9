import { readFile, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { exportRulesText } from '../../core/rules/prometheusExport.ts';
import { isPrometheusRuleFileText } from '../../core/promrules/csvRules.ts';
import type { PrometheusExport } from '../../core/rules/prometheusExport.ts';
import { formatDiagnostics } from '../../core/rules/diagnostics.ts';
import type { Command } from '../command.ts';
import { choiceOption, parseCommandArgs } from '../command.ts';
import { InputError, UsageError } from '../../node/errors.ts';
import { refuseOutputOverInput, writeChunks } from '../output.ts';
import { decodeUtf8 } from '../../core/utf8Text.ts';

const usage = `Usage: anomaly-hunter export-rules <rules.yaml> --format prometheus [--out FILE]

Writes the rules as a Prometheus rule file (SPEC §8) that 'promtool check rules' accepts: one group
named after the rules file, one alerting rule per enabled rule. expr is the metric's query (data.queries)
or the metric name, compared with the threshold; for and keep_firing_for as written; severity and the
rule's labels as labels; annotation templates translated ({{ value }} → {{ $value }}, {{ threshold }}
and the other fixed values written in, {{ timestamp }} → the evaluation time).

Options:
  --format F   prometheus (the only format, required)
  --out FILE   write here (atomically) instead of stdout
  -h, --help   show this help

What a rule cannot say in Prometheus is reported on stderr as a warning; the rule is then exported without
that part, or left out when nothing of it can be expressed.
A Prometheus rule file is one already: it is not exported (exit 1).
Exit codes: 0 everything exported, 1 the rules file has errors or something could not be expressed
(the rest is still written), 2 usage error.
`;

/** The export of a rules file on disk: its validation problems (text) or the export. */
export async function exportRulesFile(path: string, cwd: string): Promise<{ errors: string } | { export: PrometheusExport }> {
  const full = resolve(cwd, path);
  let text: string;
  try {
    const info = await stat(full);
    if (!info.isFile()) throw new UsageError(`${path}: not a regular file`);
    if (info.size > 4 << 20) throw new InputError(`file is too large for a rules file (${info.size} bytes)`, path);
    const decoded = decodeUtf8(await readFile(full));
    if ('error' in decoded) throw new InputError(decoded.error, path, decoded.line, decoded.column);
    text = decoded.text;
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`}`);
  }
  // Exporting would keep only the rules that run on CSV data, under a new group name: a lossy copy.
  if (isPrometheusRuleFileText(text)) return { errors: `${path}: already a Prometheus rule file: Prometheus and promtool read it as it is; nothing exported\n` };
  const header = `# Exported from ${basename(full)} by anomaly-hunter export-rules; edit the rules file, not this one.\n`;
  const r = exportRulesText(text, basename(full, extname(full)), header);
  return r.errors ? { errors: formatDiagnostics(path, r.errors) } : { export: r.export };
}

/** `export-rules <rules.yaml> --format prometheus [--out FILE]` (SPEC §8). */
export const exportRulesCommand: Command = {
  usage,
  async run(ctx) {
    const { values, positionals } = parseCommandArgs(ctx.argv, { format: { type: 'string' }, out: { type: 'string' } });
    if (values.help) { ctx.stdout(usage); return 0; }
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one rules file, got ${positionals.length}` : 'missing the rules file');
    if (values.format === undefined) throw new UsageError('--format is required (prometheus)');
    choiceOption('format', values.format, ['prometheus'] as const, 'prometheus');
    const path = positionals[0];
    await refuseOutputOverInput(values.out, [path], ctx.cwd);
    const result = await exportRulesFile(path, ctx.cwd);
    if ('errors' in result) {
      ctx.stderr(result.errors);
      return 1;
    }
    const { text, problems, disabled } = result.export;
    for (const p of problems) ctx.stderr(`${path}:${p.line}: warning: rule '${p.rule}': ${p.message}${p.dropped ? ' (rule not exported)' : ''}\n`);
    if (disabled.length) ctx.stderr(`${path}: note: not exported (enabled: false): ${disabled.join(', ')}\n`);
    await writeChunks([text], values.out, ctx, [path]);
    return problems.length ? 1 : 0;
  },
};
