/**
 * The incidents of a stream's findings over its rows as `stream` makes them (./incidentTracker.ts, the one owner of
 * the rule that holds a reported incident open while a metric it names stays out, HOLD_GAPS), and the view of them
 * the live dashboard lists: its table, markers and status bar then agree with `stream`'s events and webhooks.
 */
import type { Anomaly } from '../anomaly.ts';
import { sortAnomalies } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import type { Incident } from '../incidents/incidents.ts';
import { shownAt } from '../incidents/shownAt.ts';
import type { View } from '../incidents/view.ts';
import type { Severity } from '../severity.ts';
import { createIncidentTracker, valuesByMetric } from './incidentTracker.ts';

/**
 * Every incident the stream's tracker makes of `findings` over `frame`'s rows, fed row by row with their values
 * (reported at `minSeverity` or not; the open one last), in start order. A finding past the frame's rows is fed after them.
 */
export function streamIncidents(frame: Frame, findings: readonly Anomaly[], minSeverity: Severity): Incident[] {
  const incidents: Incident[] = [];
  const tracker = createIncidentTracker({ minSeverity, stepMs: frame.stepMs, utcOffsetMs: () => frame.utcOffsetMs ?? 0, onClose: (i) => incidents.push(i) });
  const byRow = new Map<number, Anomaly[]>();
  for (const a of findings) {
    const list = byRow.get(a.row);
    if (list) list.push(a);
    else byRow.set(a.row, [a]);
  }
  const time = (row: number): number | null => frame.timestamps?.[row] ?? null;
  const row = new Float64Array(frame.metrics.length);
  for (const r of [...byRow.keys()].filter((r) => r < 0).sort((a, b) => a - b)) tracker.push(r, null, byRow.get(r)!);
  for (let r = 0; r < frame.rows; r++) {
    for (let k = 0; k < row.length; k++) row[k] = frame.values[k][r];
    tracker.push(r, time(r), byRow.get(r) ?? [], valuesByMetric(frame.metrics, row));
  }
  for (const r of [...byRow.keys()].filter((r) => r >= frame.rows).sort((a, b) => a - b)) tracker.push(r, null, byRow.get(r)!);
  const open = tracker.pending;
  if (open) incidents.push(open);
  return incidents;
}

/** The view (SPEC §7) of a stream's findings: streamIncidents' incidents, those at or above `minSeverity` shown with their findings. */
export function streamView(findings: readonly Anomaly[], frame: Frame, minSeverity: Severity): View {
  const sorted = sortAnomalies(findings.slice());
  const incidents = streamIncidents(frame, sorted, minSeverity);
  return { findings: sorted, incidents, shown: shownAt({ findings: sorted, incidents }, minSeverity), minSeverity, calibrations: {} };
}
