import type { Anomaly } from '../anomaly.ts';
import type { Severity } from '../severity.ts';
import { severityRank } from '../severity.ts';
import type { Incident } from './incidents.ts';
import { findingsIn, incidentsAtLeast } from './incidents.ts';

/** What a view shows: the incidents at or above its minimum severity, and every finding inside them. */
export interface Shown {
  incidents: Incident[];
  anomalies: Anomaly[];
}

/**
 * The incidents of a view at or above `minSeverity` and every finding inside them (SPEC §3: the rows of the
 * reported incidents): `View.shown` for that minimum, without computing the view again.
 */
export function shownAt(view: { findings: readonly Anomaly[]; incidents: readonly Incident[] }, minSeverity: Severity): Shown {
  const incidents = incidentsAtLeast(view.incidents, minSeverity);
  return { incidents, anomalies: findingsIn(view.findings, incidents) };
}

/** The findings at or above a severity, in their order. */
export function atLeast(findings: readonly Anomaly[], min: Severity): Anomaly[] {
  const k = severityRank(min);
  return findings.filter((a) => severityRank(a.severity) <= k);
}
