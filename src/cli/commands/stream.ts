import { resolve } from 'node:path';
import type { Command, CommandContext } from '../command.ts';
import { InputError, UsageError, numberOption, parseCommandArgs } from '../command.ts';
import { CsvRecordSplitter } from '../csvLines.ts';
import type { CsvRecord } from '../csvLines.ts';
import { tailFile } from '../tailFile.ts';
import type { TailEvent } from '../tailFile.ts';
import { inferColumns, parseNumber } from '../../core/csv/infer.ts';
import type { Inference } from '../../core/csv/infer.ts';
import { parseTimestamp } from '../../core/csv/time.ts';
import { isoOf } from '../../core/anomaly.ts';
import { severityOf } from '../../core/severity.ts';
import type { Severity } from '../../core/severity.ts';
import { createStreamDetector } from '../../core/streaming/streamDetector.ts';
import type { StreamDetector } from '../../core/streaming/streamDetector.ts';

const usage = `Usage: anomaly-hunter stream <csv> [--metrics a,b] [--follow] [--format nab|jsonl] [--seed N]

Scores each row as it is read, using only the rows before it: the score of a row never changes
when more rows are appended (SPEC §3). Memory stays flat however long the stream.

Options:
  --metrics a,b    metrics to score (default: every numeric column)
  --follow         keep reading what is appended, like 'tail -f' (Ctrl-C stops); a file that is
                   truncated or replaced (log rotation) is read again from its top
  --format F       jsonl (default): one JSON object per row
                   nab: timestamp,value,anomaly_score (one metric; the timestamp as in the input)
  --seed N         seed (the detector is deterministic; kept for symmetry with analyze)
  --rules FILE     not supported by stream yet (use analyze --rules)
  -h, --help       show this help

Exit codes: 0 success, 1 invalid input, 2 usage error (unknown option, missing file).
`;

/** Rows read before the columns are decided (fewer when the input pauses or ends first). */
const SAMPLE_ROWS = 20;
/** Score (0–1) from which a row is reported as an anomaly in jsonl: surprise p ≤ 1e-5 (see streamDetector.ts). */
const ANOMALY_SCORE = 0.5;

/** Test hooks: a signal that ends `--follow`, and a faster poll. */
export interface StreamRunOptions {
  signal?: AbortSignal;
  pollMs?: number;
}

/** A jsonl row's anomaly: the SPEC §3 anomaly fields that apply to a streaming score. */
interface StreamAnomaly {
  metric: string | null;
  value: number | null;
  score: number;
  severity: Severity;
  message: string;
}

/** `stream <csv>`: causal, row-by-row scoring of a (growing) CSV; see `usage`. */
export const streamCommand: Command = {
  name: 'stream',
  summary: 'Score each row of a (growing) CSV as it arrives',
  usage,
  async run(ctx) {
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      return await runStream(ctx, { signal: controller.signal });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};

/** The body of `stream`, with hooks for tests (stop a follow with a signal). Resolves to the exit code. */
export async function runStream(ctx: CommandContext, hooks: StreamRunOptions = {}): Promise<number> {
  const { values, positionals } = parseCommandArgs(ctx.argv, {
    metrics: { type: 'string' },
    follow: { type: 'boolean' },
    rules: { type: 'string' },
    format: { type: 'string' },
    seed: { type: 'string' },
  });
  if (values.help) { ctx.stdout(usage); return 0; }
  if (positionals.length !== 1) throw new UsageError(positionals.length ? 'expected one CSV file' : 'missing the CSV file to stream');
  const format = values.format ?? 'jsonl';
  if (format !== 'nab' && format !== 'jsonl') throw new UsageError(`--format must be nab or jsonl, got '${format}'`);
  if (values.rules !== undefined) throw new UsageError('--rules is not supported by stream yet (use analyze --rules)');
  const seed = numberOption('seed', values.seed, 0) ?? 0;
  const wanted = values.metrics?.split(',').map((m) => m.trim()).filter(Boolean);
  const displayPath = positionals[0];
  const path = resolve(ctx.cwd, displayPath);

  const splitter = { current: new CsvRecordSplitter() };
  let header: string[] | null = null;
  let expectHeader = true;
  let sample: CsvRecord[] = [];
  let layout: Layout | null = null;
  let detector: StreamDetector | null = null;
  let row = 0;
  let failure: InputError | null = null;

  const decide = (): void => {
    if (!header || layout) return;
    const inference = inferColumns(header, sample.map((r) => r.fields), splitter.current.delim ?? ',');
    layout = layoutOf(header, inference, wanted, format, displayPath);
    detector = createStreamDetector({ metrics: layout.metrics, seed });
    if (format === 'nab') ctx.stdout('timestamp,value,anomaly_score\n');
    const held = sample;
    sample = [];
    for (const r of held) score(r);
  };

  const score = (rec: CsvRecord): void => {
    const l = layout as Layout;
    const f = rec.fields;
    const tsText = l.timestampIndex >= 0 ? (f[l.timestampIndex] ?? '') : '';
    const ms = timestampOf(tsText, l.timestampKind);
    const vals = l.metricIndices.map((c) => parseNumber((f[c] ?? '').trim(), l.decimalComma));
    const r = (detector as StreamDetector).update(ms, vals);
    if (format === 'nab') {
      ctx.stdout(`${csvCell(tsText)},${csvCell(f[l.metricIndices[0]] ?? '')},${r.score}\n`);
    } else {
      const metrics: Record<string, { value: number | null; score: number }> = {};
      l.metrics.forEach((m, i) => { metrics[m] = { value: Number.isFinite(vals[i]) ? vals[i] : null, score: round4(r.perMetric[i]) }; });
      let anomaly: StreamAnomaly | null = null;
      if (r.score >= ANOMALY_SCORE && r.topMetric >= 0) {
        const m = r.topMetric;
        const s = Math.min(100, Math.round(r.score * 1000) / 10);
        anomaly = {
          metric: l.metrics[m], value: Number.isFinite(vals[m]) ? vals[m] : null, score: s, severity: severityOf(s) ?? 'warning',
          message: `${l.metrics[m]} = ${vals[m]}: ${r.topScale === 0 ? 'a level not seen in the recent history' : 'the last day does not look like any recent day'}`,
        };
      }
      ctx.stdout(JSON.stringify({ row, line: rec.line, timestamp: l.timestampIndex >= 0 ? isoOf(ms) : null, score: round4(r.score), metrics, anomaly }) + '\n');
    }
    row++;
  };

  const onRecords = (records: CsvRecord[]): void => {
    for (const rec of records) {
      if (failure) return;
      try {
        if (expectHeader) {
          expectHeader = false;
          if (header && sameHeader(header, rec.fields)) continue;
          if (header) {
            ctx.stderr(`${displayPath}: the new file has a different header; starting a new detector\n`);
            layout = null;
            detector = null;
          }
          header = rec.fields.map((h) => h.trim());
          continue;
        }
        if (!layout) {
          sample.push(rec);
          if (sample.length >= SAMPLE_ROWS) decide();
        } else score(rec);
      } catch (e) {
        if (e instanceof InputError) failure = e;
        else throw e;
      }
    }
  };

  const onRestart = (event: TailEvent): void => {
    ctx.stderr(`${displayPath}: file ${event === 'truncated' ? 'truncated' : 'replaced (rotated)'}; reading it again from the top\n`);
    onRecords(splitter.current.flush());
    splitter.current = new CsvRecordSplitter();
    expectHeader = true;
  };

  try {
    await tailFile(path, {
      follow: values.follow ?? false,
      signal: hooks.signal,
      pollMs: hooks.pollMs,
      onText: (text) => {
        onRecords(splitter.current.push(text));
      },
      onCaughtUp: () => {
        // The input paused: decide the columns from the rows there are, so a slow stream is scored live.
        if (!failure && sample.length) { try { decide(); } catch (e) { if (e instanceof InputError) failure = e; else throw e; } }
      },
      onRestart,
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      throw new UsageError(`${displayPath}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a CSV file' : 'permission denied'}`);
    }
    throw e;
  }
  onRecords(splitter.current.flush());
  if (!failure && sample.length) decide();
  if (failure) throw failure;
  if (!header) throw new InputError('the file is empty (no header line)', displayPath);
  if (!layout && format === 'nab') ctx.stdout('timestamp,value,anomaly_score\n');
  return 0;
}

interface Layout {
  timestampIndex: number;
  timestampKind: Inference['timestampKind'];
  metricIndices: number[];
  metrics: string[];
  decimalComma: boolean;
}

function layoutOf(header: string[], inf: Inference, wanted: string[] | undefined, format: string, path: string): Layout {
  let metricIndices = inf.metricIndices;
  if (wanted) {
    metricIndices = wanted.map((name) => {
      const c = header.indexOf(name);
      if (c < 0 || c === inf.timestampIndex) throw new InputError(`no metric column '${name}' (columns: ${header.join(', ')})`, path, 1);
      return c;
    });
  }
  if (!metricIndices.length) throw new InputError('no numeric column to score', path, 1);
  if (format === 'nab' && metricIndices.length !== 1) {
    throw new UsageError(`--format nab scores one metric; this file has ${metricIndices.length} (${metricIndices.map((c) => header[c]).join(', ')}): choose one with --metrics`);
  }
  return { timestampIndex: inf.timestampIndex, timestampKind: inf.timestampKind, metricIndices, metrics: metricIndices.map((c) => header[c]), decimalComma: inf.decimalComma };
}

function timestampOf(text: string, kind: Inference['timestampKind']): number {
  if (!text) return NaN;
  if (kind === 'iso-time') return parseTimestamp(text);
  const v = parseNumber(text.trim());
  return kind === 'epoch-s' ? v * 1000 : kind === 'epoch-ms' ? v : NaN;
}

function sameHeader(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((h, i) => h === b[i].trim());
}

/** Quotes a cell when it needs it (RFC 4180). */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
