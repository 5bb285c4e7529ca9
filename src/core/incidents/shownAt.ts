import type { Anomaly } from '../anomaly.ts';
import type { Severity } from '../severity.ts';
import { severityRank } from '../severity.ts';
import type { View } from './view.ts';
import { findingsIn, incidentsAtLeast } from './incidents.ts';

/**
 * The incidents of a view at or above `minSeverity`, with their findings that reach it: `View.shown` for that
 * minimum (the incidents do not depend on it), without computing the view again.
 */
export function shownAt(view: Pick<View, 'findings' | 'incidents'>, minSeverity: Severity): View['shown'] {
  const incidents = incidentsAtLeast(view.incidents, minSeverity);
  return { incidents, anomalies: atLeast(findingsIn(view.findings, incidents), minSeverity) };
}

/** The findings at or above a severity, in their order. */
export function atLeast(findings: readonly Anomaly[], min: Severity): Anomaly[] {
  const k = severityRank(min);
  return findings.filter((a) => severityRank(a.severity) <= k);
}
