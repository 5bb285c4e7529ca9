import type { Anomaly } from '../anomaly.ts';
import { isoOf } from '../anomaly.ts';
import type { AnalysisResult } from '../analysisResult.ts';
import { listed } from '../incidents/analysisView.ts';
import type { Incident } from '../incidents/incidents.ts';

/** An incident as SPEC §3 writes it. */
function incidentJson(i: Incident): Record<string, unknown> {
  return {
    id: i.id, start: i.start, end: i.end, startRow: i.startRow, endRow: i.endRow, peakRow: i.peakRow, score: i.score, severity: i.severity,
    detectors: i.detectors, metrics: i.metrics, ...(i.rules.length ? { rules: i.rules } : {}), findings: i.count, summary: i.summary,
  };
}

/** An anomaly as SPEC §3 writes it: its `check` (the dashboard's) is not in the contract. */
function anomalyJson(a: Anomaly): Omit<Anomaly, 'check'> {
  const { check: _check, ...spec } = a;
  return spec;
}

/** Options of the JSON export. */
export interface JsonExportOptions {
  /** The tool's version for `meta.version` (package.json's). */
  version: string;
  /**
   * Only the anomalies: `scores` and `forecast` are omitted (they are per-row series, meaningless
   * cut to some rows; each anomaly carries its own score) and `meta.onlyAnomalies` is true.
   * @default false
   */
  onlyAnomalies?: boolean;
  /** Warnings found before the analysis (CSV issues), listed before the result's own. @default [] */
  warnings?: string[];
  /** Every row a detector flagged and every incident, instead of the default view (SPEC §7). @default false */
  allRows?: boolean;
  /** Numbers per yielded chunk of a series. @default 8192 */
  chunkValues?: number;
}

/** The tool name in `meta.tool`. */
export const TOOL_NAME = 'anomaly-hunter';

/** A JSON number for a series value: NaN and ±Infinity (no JSON form) become null. */
function num(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

function* series(values: Float64Array, chunkValues: number): Generator<string> {
  yield '[';
  for (let i = 0; i < values.length; i += chunkValues) {
    const end = Math.min(values.length, i + chunkValues);
    let s = i > 0 ? ',' : '';
    for (let j = i; j < end; j++) s += (j > i ? ',' : '') + num(values[j]);
    yield s;
  }
  yield ']';
}

/** The SPEC §3 `meta` object of an export (also what reproduces a run: input hash, settings, seed). */
export function exportMeta(result: AnalysisResult, opts: JsonExportOptions): Record<string, unknown> {
  const ts = result.frame.timestamps;
  const meta: Record<string, unknown> = {
    tool: TOOL_NAME,
    version: opts.version,
    input: { path: result.input.path, sha256: result.input.sha256, rows: result.frame.rows },
    timestampColumn: result.frame.timestamps ? result.frame.timestampColumn : null,
    metrics: result.frame.metrics,
    detectors: result.detectors,
    seed: result.seed,
    timeRange: { from: ts && ts.length ? isoOf(ts[0], result.frame.utcOffsetMs) : null, to: ts && ts.length ? isoOf(ts[ts.length - 1], result.frame.utcOffsetMs) : null },
    stepMs: result.frame.stepMs,
    warnings: [...(opts.warnings ?? []), ...result.warnings],
  };
  if (opts.onlyAnomalies) meta.onlyAnomalies = true;
  if (result.view) meta.view = opts.allRows ? 'all-rows' : { minSeverity: result.view.minSeverity };
  return meta;
}

/**
 * The SPEC §3 JSON document as a sequence of chunks — `meta`, `rows`, `scores`, `forecast`,
 * `anomalies` (one per line) — so long series are never one string. Same result, same bytes.
 */
export function* jsonChunks(result: AnalysisResult, opts: JsonExportOptions): Generator<string> {
  const chunkValues = Math.max(1, Math.floor(opts.chunkValues ?? 8192));
  yield `{\n"meta": ${JSON.stringify(exportMeta(result, opts))},\n"rows": ${result.frame.rows}`;
  if (!opts.onlyAnomalies) {
    const scores = Object.entries(result.scores ?? {}).filter((e): e is [string, Float64Array] => e[1] instanceof Float64Array);
    if (scores.length) {
      yield ',\n"scores": {';
      for (const [k, [name, values]] of scores.entries()) {
        yield `${k ? ',' : ''}\n  ${JSON.stringify(name)}: `;
        yield* series(values, chunkValues);
      }
      yield '\n}';
    }
    const forecast = Object.entries(result.forecast ?? {});
    if (forecast.length) {
      yield ',\n"forecast": {';
      for (const [k, [metric, s]] of forecast.entries()) {
        yield `${k ? ',' : ''}\n  ${JSON.stringify(metric)}: {"yhat": `;
        yield* series(s.yhat, chunkValues);
        yield ', "lower": ';
        yield* series(s.lower, chunkValues);
        yield ', "upper": ';
        yield* series(s.upper, chunkValues);
        yield '}';
      }
      yield '\n}';
    }
  }
  const { anomalies, incidents } = listed(result, opts.allRows);
  yield ',\n"anomalies": [';
  let chunk = '';
  for (let i = 0; i < anomalies.length; i++) {
    chunk += `${i ? ',' : ''}\n  ${JSON.stringify(anomalyJson(anomalies[i]))}`;
    if (chunk.length > 65536) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}${anomalies.length ? '\n' : ''}]`;
  if (result.view) {
    yield ',\n"incidents": [';
    for (let i = 0; i < incidents.length; i++) yield `${i ? ',' : ''}\n  ${JSON.stringify(incidentJson(incidents[i]))}`;
    yield `${incidents.length ? '\n' : ''}]`;
  }
  yield '\n}\n';
}

/** Writes the JSON export to a sink chunk by chunk (see `jsonChunks`). */
export function writeJson(result: AnalysisResult, write: (chunk: string) => void, opts: JsonExportOptions): void {
  for (const chunk of jsonChunks(result, opts)) write(chunk);
}
