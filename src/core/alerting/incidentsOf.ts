import type { Anomaly } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import type { Incident } from '../incidents/incidents.ts';
import { mergeFindings } from '../incidents/merge.ts';

/**
 * Incidents of findings read without their data (a results file with `anomalies` but no `incidents`): the
 * findings are merged as `analyze` merges them (mergeFindings: from minor up, a lone finding at most minor), on a
 * frame that knows only their own rows' times and values (durations then count from the first to the last
 * finding; the sampling step is unknown).
 */
export function incidentsOfFindings(anomalies: readonly Anomaly[]): Incident[] {
  if (!anomalies.length) return [];
  let rows = 0;
  const metrics: string[] = [];
  const column = new Map<string, number>(); // a results file may hold 10,000 metrics: no linear lookups
  const timed = anomalies.every((a) => a.timestamp !== null && Number.isFinite(Date.parse(a.timestamp)));
  for (const a of anomalies) {
    if (a.row + 1 > rows) rows = a.row + 1;
    if (a.metric !== null && !column.has(a.metric)) { column.set(a.metric, metrics.length); metrics.push(a.metric); }
  }
  // A results file is input like any other: one finding at row 1,000,000,000 must not allocate gigabytes. Past
  // a million rows, the rows between findings are squeezed (see compactRows) and mapped back afterwards.
  const squeeze = rows * (metrics.length + 1) > MAX_DENSE_CELLS ? compactRows(anomalies) : null;
  const rowOf = (a: Anomaly): number => (squeeze ? squeeze.index.get(a.row)! : a.row);
  const n = squeeze ? squeeze.rows : rows;
  // Values are only for the summaries ("cpu 97"): too many cells even squeezed, and they read as missing.
  const dense = n * (metrics.length + 1) <= MAX_DENSE_CELLS;
  const values = metrics.map(() => (dense ? new Float64Array(n).fill(NaN) : new Float64Array(0)));
  const timestamps = timed ? new Float64Array(n).fill(NaN) : null;
  const findings = squeeze ? anomalies.map((a) => ({ ...a, row: rowOf(a) })) : anomalies;
  for (const a of findings) {
    if (timestamps) timestamps[a.row] = Date.parse(a.timestamp!);
    if (dense && a.metric !== null && a.value !== null) values[column.get(a.metric)!][a.row] = a.value;
  }
  const frame: Frame = {
    timestamps, timestampColumn: timed ? 'timestamp' : null, metrics, values, rows: n,
    lines: Int32Array.from({ length: n }, (_, i) => i + 2), stepMs: null,
  };
  const { incidents } = mergeFindings(findings, frame);
  if (!squeeze) return incidents;
  const back = (r: number): number => squeeze.original[r];
  return incidents.map((i) => ({
    ...i,
    id: i.start === null ? i.id.replace(/^row\d+\//, `row${back(i.startRow)}/`) : i.id,
    startRow: back(i.startRow), endRow: back(i.endRow), peakRow: back(i.peakRow),
  }));
}

/** Most cells (rows × (metrics + 1)) of the frame built for a results file. */
const MAX_DENSE_CELLS = 20_000_000;

/**
 * The findings' rows renumbered without the long empty stretches between them: consecutive distinct rows keep
 * their distance up to GAP + 1 (more than mergeFindings' default gap of 10 rows), so the same findings merge
 * into the same incidents and an incident's length in rows is unchanged. `original` maps back.
 */
function compactRows(anomalies: readonly Anomaly[]): { index: Map<number, number>; original: number[]; rows: number } {
  const GAP = 10;
  const distinct = [...new Set(anomalies.map((a) => a.row))].sort((x, y) => x - y);
  const index = new Map<number, number>();
  const original: number[] = [];
  let c = 0;
  for (let k = 0; k < distinct.length; k++) {
    if (k > 0) c += Math.min(distinct[k] - distinct[k - 1], GAP + 1);
    index.set(distinct[k], c);
    original[c] = distinct[k];
  }
  return { index, original, rows: c + 1 };
}
