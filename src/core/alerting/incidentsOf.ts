import type { Anomaly } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import type { Incident } from '../incidents/incidents.ts';
import { buildIncidents } from '../incidents/incidents.ts';

/**
 * Incidents of findings read without their data (a results file with `anomalies` but no `incidents`): the
 * findings are merged as buildIncidents merges them, on a frame that knows only their own rows' times and
 * values (durations then count from the first to the last finding; the sampling step is unknown).
 */
export function incidentsOfFindings(anomalies: readonly Anomaly[]): Incident[] {
  if (!anomalies.length) return [];
  let rows = 0;
  const metrics: string[] = [];
  const timed = anomalies.every((a) => a.timestamp !== null && Number.isFinite(Date.parse(a.timestamp)));
  for (const a of anomalies) {
    if (a.row + 1 > rows) rows = a.row + 1;
    if (a.metric !== null && !metrics.includes(a.metric)) metrics.push(a.metric);
  }
  const values = metrics.map(() => new Float64Array(rows).fill(NaN));
  const timestamps = timed ? new Float64Array(rows).fill(NaN) : null;
  for (const a of anomalies) {
    if (timestamps) timestamps[a.row] = Date.parse(a.timestamp!);
    if (a.metric !== null && a.value !== null) values[metrics.indexOf(a.metric)][a.row] = a.value;
  }
  const frame: Frame = {
    timestamps, timestampColumn: timed ? 'timestamp' : null, metrics, values, rows,
    lines: Int32Array.from({ length: rows }, (_, i) => i + 2), stepMs: null,
  };
  return buildIncidents(anomalies, frame);
}
