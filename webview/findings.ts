// What the page derives from a model's findings, the same for the table, the charts and update(): which list
// is shown, where a finding sits on the x axis, a cheap digest to compare lists. Pure.
import type { Anomaly } from '../src/core/anomaly.ts';
import { wallMs } from '../src/core/anomaly.ts';
import type { Incident } from '../src/core/incidents/incidents.ts';
import type { Severity } from '../src/core/severity.ts';
import type { DashboardModel } from '../src/protocol.ts';

/** Whether the table lists incidents (the default view) or rows (all flagged rows, or a live window without incidents). */
export function listsIncidents(m: DashboardModel): m is DashboardModel & { incidents: Incident[]; incidentFindings: Anomaly[] } {
  return m.view !== 'all' && !!m.incidents && !!m.incidentFindings;
}

/**
 * Whether the table waits for incidents: a severity view while detectors are still running (the incidents come with
 * the last one). The table then says so under the "Incidents" heading instead of listing the partial rows.
 */
export function awaitsIncidents(m: DashboardModel): boolean {
  return m.view !== 'all' && m.pending.length > 0 && !listsIncidents(m);
}

/** The findings the charts mark: those of the listed incidents, or every flagged row. */
export function markedList(m: DashboardModel): Anomaly[] {
  return listsIncidents(m) ? m.incidentFindings : m.anomalies;
}

/** A finding's x: epoch ms on a time axis, else its row. */
export function anomalyX(m: DashboardModel, a: Anomaly): number {
  return m.timeAxis && a.timestamp ? wallMs(a.timestamp) : a.row;
}

/** An incident's first (or last) x: epoch ms on a time axis, else a row. */
export function incidentX(m: DashboardModel, i: Incident, end: boolean): number {
  const t = end ? i.end : i.start;
  return m.timeAxis && t ? wallMs(t) : end ? i.endRow : i.startRow;
}

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, major: 1, minor: 2, warning: 3 };
const DETECTOR_RANK: Record<Anomaly['detector'], number> = { iforest: 0, forecast: 1, rule: 2, stream: 3 };

/**
 * A numeric digest of findings (rows, detectors, scores, severities, message lengths, metrics, rules, values):
 * cheap enough to run on every repaint; two lists with the same digest draw the same.
 */
export function digestOf(list: readonly Anomaly[]): number {
  let h = 0x811c9dc5;
  for (const a of list) {
    h = Math.imul(h ^ a.row, 16777619);
    h = Math.imul(h ^ Math.round(a.score * 1e3), 16777619);
    h = Math.imul(h ^ (SEVERITY_RANK[a.severity] * 8 + DETECTOR_RANK[a.detector]), 16777619);
    h = Math.imul(h ^ a.message.length, 16777619);
    h = Math.imul(h ^ nameHash(a.metric ?? ''), 16777619);
    h = Math.imul(h ^ nameHash(a.rule ?? ''), 16777619);
    h = Math.imul(h ^ (a.value === null ? 0x5bd1e995 : Math.round(a.value * 1e3) | 0), 16777619);
  }
  return h;
}

function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h;
}

/** A detector's name as the busy line says it. */
export function detectorName(id: string): string {
  return id === 'iforest' ? 'Isolation Forest' : id === 'forecast' ? 'forecaster' : id === 'rules' ? 'rules' : id;
}
