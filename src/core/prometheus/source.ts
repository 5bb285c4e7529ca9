/**
 * A Prometheus-compatible server as a data source (SPEC §8): the range is resolved and cut into pieces under
 * Prometheus's points-per-series limit, each query's pieces are fetched through a caller-supplied fetcher (the
 * HTTP call lives outside core), and every series is laid on one time grid into the same Frame a CSV gives.
 * Missing samples stay missing (NaN): a gap is never a zero. Grid rows where no series has a value are left out,
 * as a CSV export has no line for them, so the timestamps show the gap.
 */
import type { Frame } from '../csv/frame.ts';
import { medianStep } from '../csv/frame.ts';
import { dedupeHeader } from '../csv/header.ts';
import { isoOf } from '../anomaly.ts';
import { formatDuration } from '../rules/duration.ts';
import { LOOKBACK_DELTA_MS } from '../rules/evaluate.ts';
import type { NamedQuery } from './names.ts';
import { labelsKey, labelText, seriesNames } from './names.ts';
import type { RangeAnswer } from './response.ts';
import type { Parsed } from './time.ts';
import { DEFAULT_RANGE_MS, MAX_POINTS_PER_SERIES, defaultStep, parseStep, parseTime } from './time.ts';

/** A range on the step grid: start and end are multiples of the step (end is the last point), all epoch ms. */
export interface RangeSpec {
  startMs: number;
  endMs: number;
  stepMs: number;
}

/** Most grid points one source may span (rows before empty ones are dropped): 10 million. */
export const MAX_GRID_POINTS = 10_000_000;

/** Points of a range on its grid. */
export function pointsOf(r: RangeSpec): number {
  return Math.floor((r.endMs - r.startMs) / r.stepMs) + 1;
}

/**
 * The range of `--start/--end/--step` (SPEC §8 defaults: end now, start end−7d, the step from defaultStep).
 * The start is rounded down and the end down to a multiple of the step (as Grafana and VictoriaMetrics align
 * them), so every piece and every poll lands on the same grid.
 */
export function resolveRange(args: { start?: string; end?: string; step?: string }, now: number): Parsed<RangeSpec> {
  const end = args.end === undefined ? { ok: true as const, value: now } : parseTime(args.end, now);
  if (!end.ok) return { ok: false, message: `--end: ${end.message}` };
  const start = args.start === undefined ? { ok: true as const, value: end.value - DEFAULT_RANGE_MS } : parseTime(args.start, now);
  if (!start.ok) return { ok: false, message: `--start: ${start.message}` };
  if (start.value >= end.value) return { ok: false, message: `--start (${isoOf(start.value)}) must be before --end (${isoOf(end.value)})` };
  let stepMs: number;
  if (args.step === undefined) stepMs = defaultStep(end.value - start.value);
  else {
    const s = parseStep(args.step);
    if (!s.ok) return { ok: false, message: `--step: ${s.message}` };
    stepMs = s.value;
  }
  const r: RangeSpec = { startMs: Math.floor(start.value / stepMs) * stepMs, endMs: Math.floor(end.value / stepMs) * stepMs, stepMs };
  if (r.endMs < r.startMs) r.endMs = r.startMs;
  const points = pointsOf(r);
  if (points > MAX_GRID_POINTS) {
    return { ok: false, message: `${points.toLocaleString('en')} points per series at a ${formatDuration(stepMs)} step is more than ${MAX_GRID_POINTS.toLocaleString('en')}: choose a larger --step or a shorter range` };
  }
  return { ok: true, value: r };
}

/**
 * Cuts a range into consecutive pieces of at most `maxPoints` grid points each (Prometheus refuses more than
 * 11,000 per series). Pieces share the grid and never overlap: every point is in exactly one.
 */
export function planPieces(r: RangeSpec, maxPoints = MAX_POINTS_PER_SERIES): RangeSpec[] {
  const total = pointsOf(r);
  const per = Math.max(1, Math.floor(maxPoints));
  const out: RangeSpec[] = [];
  for (let first = 0; first < total; first += per) {
    const last = Math.min(total, first + per) - 1;
    out.push({ startMs: r.startMs + first * r.stepMs, endMs: r.startMs + last * r.stepMs, stepMs: r.stepMs });
  }
  return out;
}

/** Fetches one piece of one query; resolves to the parsed answer. Transport failures reject with a SourceError. */
export type RangeFetcher = (query: NamedQuery, piece: RangeSpec) => Promise<RangeAnswer>;

/** A source failure told in one line (the server's message when it gave one). */
export class SourceError extends Error {}

/** The outcome of reading a source: the frame, and notes for stderr (server warnings, dropped values). */
export interface SourceFrame {
  frame: Frame;
  notes: string[];
  /** Requests made. */
  requests: number;
  /** Columns per query, in frame order (rules files match metrics against these). */
  columns: { query: NamedQuery; names: string[] }[];
}

/** Progress of a fetch: pieces done and planned, over all queries. */
export type SourceProgress = (done: number, total: number) => void;

/** The errorType values of Prometheus's API (shown before the server's message). */
const PROMETHEUS_ERROR_TYPES = new Set(['bad_data', 'execution', 'timeout', 'canceled', 'internal', 'unavailable', 'not_found', 'too_many_requests']);

interface Column { labels: Record<string, string>; values: Float64Array }

/**
 * Fetches every query over the range, piece by piece, and joins the series on the grid. A server error
 * rejects with a SourceError naming the query; no series at all rejects with one that says the queries
 * returned nothing in the range.
 */
export async function fetchFrame(queries: readonly NamedQuery[], range: RangeSpec, fetcher: RangeFetcher, onProgress?: SourceProgress): Promise<SourceFrame> {
  const pieces = planPieces(range);
  const n = pointsOf(range);
  const notes: string[] = [];
  const total = pieces.length * queries.length;
  let done = 0;
  const perQuery: { query: NamedQuery; columns: Map<string, Column> }[] = [];
  for (const query of queries) {
    const columns = new Map<string, Column>();
    let nonFinite = 0;
    let histograms = 0;
    let offGrid = 0;
    const warnings = new Set<string>();
    for (const piece of pieces) {
      const answer = await fetcher(query, piece);
      if (!answer.ok) throw new SourceError(`query ${JSON.stringify(query.name)}: ${PROMETHEUS_ERROR_TYPES.has(answer.errorType) ? `${answer.errorType}: ` : ''}${answer.message}`);
      for (const w of answer.warnings) warnings.add(w);
      histograms += answer.nativeHistograms;
      for (const s of answer.series) {
        const key = labelsKey(s.labels);
        let col = columns.get(key);
        if (!col) {
          col = { labels: s.labels, values: new Float64Array(n).fill(NaN) };
          columns.set(key, col);
        }
        nonFinite += s.nonFinite;
        for (let i = 0; i < s.times.length; i++) {
          const at = (s.times[i] - range.startMs) / range.stepMs;
          const row = Math.round(at);
          if (row < 0 || row >= n || Math.abs(at - row) > 1e-6) { offGrid++; continue; }
          col.values[row] = s.values[i];
        }
      }
      onProgress?.(++done, total);
    }
    for (const w of warnings) notes.push(`query ${JSON.stringify(query.name)}: server warning: ${w}`);
    if (nonFinite) notes.push(`query ${JSON.stringify(query.name)}: ${nonFinite.toLocaleString('en')} NaN or infinite sample${nonFinite === 1 ? '' : 's'} read as missing`);
    if (histograms) notes.push(`query ${JSON.stringify(query.name)}: ${histograms.toLocaleString('en')} native histogram sample${histograms === 1 ? '' : 's'} left out (use histogram_quantile or rate to get numbers)`);
    if (offGrid) notes.push(`query ${JSON.stringify(query.name)}: ${offGrid.toLocaleString('en')} sample${offGrid === 1 ? '' : 's'} off the ${formatDuration(range.stepMs)} grid left out`);
    let copies = 0;
    for (const col of columns.values()) copies += dropLookbackCopies(col.values, range.stepMs);
    if (copies) notes.push(`query ${JSON.stringify(query.name)}: ${copies.toLocaleString('en')} point${copies === 1 ? '' : 's'} after the last sample of a series that stops before the end of the range left out (Prometheus's lookback repeats a last sample for ${formatDuration(LOOKBACK_DELTA_MS)})`);
    // A series without one finite value (only NaN) has nothing to analyse.
    for (const [key, col] of columns) {
      if (!col.values.some((v) => Number.isFinite(v))) {
        columns.delete(key);
        notes.push(`query ${JSON.stringify(query.name)}: series ${labelText(col.labels) || '{}'} has no finite value in the range and is left out`);
      }
    }
    perQuery.push({ query, columns });
  }
  return { ...joinColumns(perQuery, range, notes), requests: total };
}

/**
 * Prometheus answers every evaluation time with the last sample of the lookback window (`--query.lookback-delta`,
 * 5 minutes by default), so a series that stops (backfilled data, a target gone without a staleness marker) shows
 * its last value again for up to 5 minutes after its last sample: points no scrape made, a flat run that the
 * detectors would read as a stuck metric. When a series stops before the end of the range, those copies (the
 * trailing points equal to the last value, at most one lookback's worth, never the first of the run) are made
 * missing. A series still going at the end of the range is left alone: its last points cannot be told from
 * copies. Returns how many points were dropped.
 */
export function dropLookbackCopies(values: Float64Array, stepMs: number): number {
  let last = values.length - 1;
  while (last >= 0 && Number.isNaN(values[last])) last--;
  if (last < 0 || last === values.length - 1) return 0;
  const v = values[last];
  let first = last;
  while (first > 0 && values[first - 1] === v) first--;
  const drop = Math.min(last - first, Math.floor(LOOKBACK_DELTA_MS / stepMs));
  for (let i = last - drop + 1; i <= last; i++) values[i] = NaN;
  return drop;
}

/** The frame of the fetched columns: queries in order, each query's series in label order; empty grid rows dropped. */
function joinColumns(perQuery: { query: NamedQuery; columns: Map<string, Column> }[], range: RangeSpec, notes: string[]): Omit<SourceFrame, 'requests'> {
  const empty = perQuery.filter((q) => q.columns.size === 0).map((q) => q.query.name);
  const when = `between ${isoOf(range.startMs)} and ${isoOf(range.endMs)}`;
  if (empty.length === perQuery.length) {
    throw new SourceError(perQuery.length === 1 ? `the query ${JSON.stringify(empty[0])} returned no data ${when}` : `none of the ${perQuery.length} queries returned data ${when}`);
  }
  for (const name of empty) notes.push(`query ${JSON.stringify(name)} returned no data ${when}`);
  const raw: string[] = [];
  const arrays: Float64Array[] = [];
  const columns: { query: NamedQuery; names: string[] }[] = [];
  for (const q of perQuery) {
    const cols = [...q.columns.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
    const names = seriesNames(q.query.name, cols.map((c) => c.labels));
    raw.push(...names);
    arrays.push(...cols.map((c) => c.values));
  }
  const metrics = dedupeHeader(raw, (_code, message) => notes.push(message.replace(/^column name/, 'series name').replace(/the second is read/, 'the second is named')));
  let at = 0;
  for (const q of perQuery) {
    columns.push({ query: q.query, names: metrics.slice(at, at + q.columns.size) });
    at += q.columns.size;
  }
  const n = pointsOf(range);
  const keep = new Uint8Array(n);
  let rows = 0;
  for (let i = 0; i < n; i++) {
    for (const a of arrays) if (!Number.isNaN(a[i])) { keep[i] = 1; rows++; break; }
  }
  const timestamps = new Float64Array(rows);
  const values = arrays.map(() => new Float64Array(rows));
  for (let i = 0, r = 0; i < n; i++) {
    if (!keep[i]) continue;
    timestamps[r] = range.startMs + i * range.stepMs;
    for (let c = 0; c < arrays.length; c++) values[c][r] = arrays[c][i];
    r++;
  }
  const lines = new Int32Array(rows);
  for (let i = 0; i < rows; i++) lines[i] = i + 2;
  const frame: Frame = { timestamps, timestampColumn: 'timestamp', metrics, values, rows, lines, stepMs: medianStep(timestamps) };
  return { frame, notes, columns };
}
