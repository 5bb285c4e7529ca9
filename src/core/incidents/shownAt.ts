import type { Anomaly } from '../anomaly.ts';
import type { Severity } from '../severity.ts';
import { severityRank } from '../severity.ts';
import type { View } from './view.ts';
import { findingsIn, incidentsAtLeast } from './incidents.ts';

/**
 * The incidents of a view at or above `minSeverity` and every finding inside them (SPEC §3: the rows of the
 * reported incidents): `View.shown` for that minimum, without computing the view again.
 */
export function shownAt(view: Pick<View, 'findings' | 'incidents'>, minSeverity: Severity): View['shown'] {
  const incidents = incidentsAtLeast(view.incidents, minSeverity);
  return { incidents, anomalies: findingsIn(view.findings, incidents) };
}

/** The findings at or above a severity, in their order. */
export function atLeast(findings: readonly Anomaly[], min: Severity): Anomaly[] {
  const k = severityRank(min);
  return findings.filter((a) => severityRank(a.severity) <= k);
}
