import type { Severity } from '../severity.ts';
import type { View } from './view.ts';
import { findingsIn, incidentsAtLeast } from './incidents.ts';

/**
 * The incidents of a view at or above `minSeverity`, with their findings: what `View.shown` holds when the
 * view is made with that minimum (the incidents do not depend on it), without computing the view again.
 */
export function shownAt(view: Pick<View, 'findings' | 'incidents'>, minSeverity: Severity): View['shown'] {
  const incidents = incidentsAtLeast(view.incidents, minSeverity);
  return { incidents, anomalies: findingsIn(view.findings, incidents) };
}
