import { basename } from 'node:path';
import type { Command, CommandContext } from '../command.ts';
import { InputError, UsageError, parseCommandArgs } from '../command.ts';
import { loadCsvFile } from '../loadCsv.ts';
import { formatDuration, formatIssue } from '../report.ts';
import { isoOf } from '../../core/anomaly.ts';
import { defaultSettings, runAnalysis } from '../../core/analyze.ts';
import type { AnalysisResult } from '../../core/analyze.ts';
import { VERSION } from '../../core/version.ts';
import { writeFileSync } from 'node:fs';

const usage = `Usage: anomaly-hunter analyze <csv> [options]

Loads a metrics CSV, runs the detectors and reports what it found.

Options:
  --format text|json|csv   output format (default text: a human summary)
  --out FILE               write the output to FILE instead of stdout
  -h, --help               show this help
`;

/** `analyze`: load, detect, report (SPEC §3). */
export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'analyse a CSV with the detectors and report anomalies',
  usage,
  async run(ctx: CommandContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(ctx.argv, {
      format: { type: 'string' },
      out: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'expected one CSV file' : 'missing the CSV file to analyse');
    const format = values.format ?? 'text';
    if (!['text', 'json', 'csv'].includes(format)) throw new UsageError(`--format must be text, json or csv, got '${format}'`);
    const path = positionals[0];
    const loaded = await loadCsvFile(path);
    for (const issue of loaded.issues) if (issue.severity === 'warning') ctx.stderr(formatIssue(path, issue) + '\n');
    const fatal = loaded.issues.find((i) => i.severity === 'error');
    if (fatal || !loaded.frame) {
      if (fatal?.code === 'io') throw new UsageError(`${path}: ${fatal.message}`);
      throw new InputError(fatal?.message ?? 'unreadable CSV', path, fatal?.line, fatal?.column);
    }
    const result = runAnalysis(loaded.frame, defaultSettings(), { path, sha256: loaded.sha256 });
    for (const w of result.warnings) ctx.stderr(`${path}: warning: ${w}\n`);
    const text = format === 'json' ? JSON.stringify(toJson(result, loaded.issues.map((i) => formatIssue(path, i))), null, 1) + '\n' : summary(result, loaded.issues.length);
    if (values.out) writeFileSync(values.out, text);
    else ctx.stdout(text);
    return 0;
  },
};

function timeRange(result: AnalysisResult): [string | null, string | null] {
  const ts = result.frame.timestamps;
  if (!ts || !ts.length) return [null, null];
  return [isoOf(ts[0]), isoOf(ts[ts.length - 1])];
}

function toJson(result: AnalysisResult, warnings: string[]): unknown {
  const f = result.frame;
  const [from, to] = timeRange(result);
  return {
    meta: {
      tool: 'anomaly-hunter', version: VERSION,
      input: { path: result.input.path, sha256: result.input.sha256, rows: f.rows },
      timestampColumn: f.timestampColumn, metrics: f.metrics, detectors: result.detectors, seed: result.seed,
      timeRange: { from, to }, stepMs: f.stepMs, warnings: [...warnings, ...result.warnings],
    },
    rows: f.rows,
    scores: {},
    anomalies: result.anomalies,
  };
}

function summary(result: AnalysisResult, issueCount: number): string {
  const f = result.frame;
  const [from, to] = timeRange(result);
  const lines = [
    `${basename(result.input.path)}: ${f.rows} rows, ${f.metrics.length} metric${f.metrics.length === 1 ? '' : 's'} (${f.metrics.join(', ')})`,
    `  timestamp column: ${f.timestampColumn ?? 'none (row numbers stand in for time)'}`,
  ];
  if (from) lines.push(`  time range: ${from} → ${to}`, `  step: ${formatDuration(f.stepMs)} (median gap)`);
  lines.push(`  warnings: ${issueCount + result.warnings.length}`);
  lines.push(`  anomalies: ${result.anomalies.length}`);
  return lines.join('\n') + '\n';
}
