import { statsOf } from '../stats.ts';
import { seriesLabels } from '../prometheus/names.ts';

/**
 * A columnar table of metrics: one Float64Array per numeric column (NaN where a value is missing),
 * timestamps as epoch milliseconds. Rows are in time order (sorted stably at load).
 */
export interface Frame {
  /** Epoch ms per row, or null when the data has no timestamp column (row numbers stand in for time). */
  timestamps: Float64Array | null;
  /** The timestamp column's name exactly as in the header, or null. */
  timestampColumn: string | null;
  /** Metric (numeric) column names, exactly as in the header, in file order. */
  metrics: string[];
  /** One array per metric, same order as `metrics`, length `rows`. */
  values: Float64Array[];
  /** Number of data rows. */
  rows: number;
  /** 1-based line in the source file of each row (after sorting), for "Reveal in CSV" and diagnostics. */
  lines: Int32Array;
  /**
   * A long file's (longFormat.ts): per metric, the line of its own series' row at each joined row (0 where it has
   * none), so that a finding is shown on its series' line rather than the first line of its time. Absent otherwise.
   */
  seriesLines?: Int32Array[];
  /** Inferred sampling step in ms (median gap between consecutive timestamps), or null. */
  stepMs: number | null;
  /**
   * The UTC offset (ms, east positive) the file writes its times in, when not 0 (zone.ts): `timestamps` are then its
   * wall clock (the instants plus this), days split at its midnight, and times written out carry it (isoOf).
   */
  utcOffsetMs?: number;
}

/** A problem found while reading data: a position and a message, never an exception. */
export interface DataIssue {
  severity: 'error' | 'warning';
  message: string;
  /** 1-based line, when the problem has one. */
  line?: number;
  /** 1-based column, when the problem has one. */
  column?: number;
  code: string;
}

/** Values of the metric named `name`, or undefined when the frame has no such metric. */
export function metricValues(frame: Frame, name: string): Float64Array | undefined {
  const i = metricIndex(frame, name);
  return i < 0 ? undefined : frame.values[i];
}

const indexes = new WeakMap<readonly string[], Map<string, number>>();

/**
 * The index of a name in a list (the first when it repeats), or -1: `list.indexOf(name)` in constant time,
 * from a map built once per list. A file may have 100,000 columns: lookups inside loops over the metrics
 * must not be linear. The list must not change after its first lookup (frames and headers never do).
 */
export function indexIn(list: readonly string[], name: string): number {
  let map = indexes.get(list);
  if (!map) {
    map = new Map();
    for (let i = list.length - 1; i >= 0; i--) map.set(list[i], i);
    indexes.set(list, map);
  }
  return map.get(name) ?? -1;
}

/** Names for a message, quoted: the first `max`, then how many more (a header may have 10,000 columns). */
export function nameList(names: readonly string[], max = 20): string {
  const shown = names.slice(0, max).map((h) => JSON.stringify(h.length > 60 ? h.slice(0, 57) + '…' : h)).join(', ');
  return names.length > max ? `${shown} and ${(names.length - max).toLocaleString('en')} more` : shown;
}

/** The column of the metric named `name` in the frame, or -1 (constant time: see indexIn). */
export function metricIndex(frame: Frame, name: string): number {
  return indexIn(frame.metrics, name);
}

/**
 * The columns a rule or query on metric `name` reads: its own, else its series `name{label="…",…}` — the metrics a
 * long CSV's rows or a Prometheus query of several series give (PromQL's `cpu > 90` holds per series). Empty when none.
 */
export function seriesIndices(frame: Frame, name: string): number[] {
  return seriesIn(frame.metrics, name);
}

/** seriesIndices over a list of column names. */
export function seriesIn(names: readonly string[], name: string): number[] {
  const own = indexIn(names, name);
  if (own >= 0) return [own];
  const out: number[] = [];
  names.forEach((m, i) => { if (isSeriesOf(m, name)) out.push(i); });
  const open = name.indexOf('{');
  if (out.length || open <= 0 || !name.endsWith('}')) return out;
  // `base{job="node"}`, a Prometheus selector's series: those of base whose labels hold these. A label no series of
  // base has does not count (a long CSV leaves out the labels every series shares); without series, the bare column.
  const base = name.slice(0, open);
  const want = Object.entries(seriesLabels(name));
  const series = names.flatMap((m, i) => (isSeriesOf(m, base) ? [{ i, labels: seriesLabels(m) }] : []));
  if (!series.length) { const bare = indexIn(names, base); return bare >= 0 ? [bare] : []; }
  const known = new Set(series.flatMap((x) => Object.keys(x.labels)));
  for (const x of series) if (want.every(([k, v]) => !known.has(k) || x.labels[k] === v)) out.push(x.i);
  return out;
}

/** True when `metric` is a series of `name`: `name{…}`. */
export function isSeriesOf(metric: string, name: string): boolean {
  return metric.length > name.length + 1 && metric.startsWith(name) && metric.charCodeAt(name.length) === 123 /* { */ && metric.endsWith('}');
}

/** The 1-based line a finding of `metric` at `row` is shown on: its series' own row in a long file, else the row's. */
export function lineOfFinding(frame: Pick<Frame, 'lines' | 'metrics' | 'seriesLines'>, row: number, metric: string | null): number {
  const own = metric !== null && frame.seriesLines ? frame.seriesLines[indexIn(frame.metrics, metric)]?.[row] : 0;
  return own || frame.lines[row];
}

/** A frame built from plain arrays (tests, generated data); timestamps may be omitted. */
export function frameOf(columns: Record<string, ArrayLike<number>>, timestamps?: ArrayLike<number>): Frame {
  const metrics = Object.keys(columns);
  const rows = metrics.length ? columns[metrics[0]].length : (timestamps?.length ?? 0);
  const lines = new Int32Array(rows);
  for (let i = 0; i < rows; i++) lines[i] = i + 2;
  const ts = timestamps ? Float64Array.from(timestamps) : null;
  return {
    timestamps: ts,
    timestampColumn: ts ? 'timestamp' : null,
    metrics,
    values: metrics.map((m) => Float64Array.from(columns[m])),
    rows,
    lines,
    stepMs: ts ? medianStep(ts) : null,
  };
}

/** Median of the positive gaps between consecutive timestamps (ms), or null with fewer than two. */
export function medianStep(ts: Float64Array): number | null {
  if (ts.length < 2) return null;
  const gaps = new Float64Array(ts.length - 1);
  let n = 0;
  for (let i = 1; i < ts.length; i++) {
    const g = ts[i] - ts[i - 1];
    if (g > 0 && Number.isFinite(g)) gaps[n++] = g;
  }
  if (n === 0) return null;
  return statsOf(gaps.subarray(0, n)).median;
}
