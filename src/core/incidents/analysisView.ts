import type { AnalysisResult } from '../analysisResult.ts';
import type { Anomaly } from '../anomaly.ts';
import { sortAnomalies } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import type { Incident } from './incidents.ts';
import type { Severity } from '../severity.ts';
import type { MergeOptions } from './merge.ts';
import { mergeFindings } from './merge.ts';
import { findingsIn } from './incidents.ts';
import { shownAt } from './shownAt.ts';
import type { View, ViewConstants } from './view.ts';
import { DEFAULT_MIN_SEVERITY, checkOf, defaultView } from './view.ts';

/**
 * The default view (SPEC §7) of an analysis: its detectors' statistics calibrated, merged into incidents, filtered
 * by severity. `reuse`: an earlier view of the same analysis whose rules' thresholds alone have changed since.
 * `constants`: the cross-validated constants (ViewConstants; the shipped values unless given).
 */
export function analysisView(result: AnalysisResult, minSeverity: Severity = DEFAULT_MIN_SEVERITY, reuse?: View, constants: Partial<ViewConstants> = {}): View {
  const iforestMetric = new Map<number, string | null>();
  for (const a of result.anomalies) if (a.detector === 'iforest') iforestMetric.set(a.row, a.metric);
  return defaultView({
    frame: result.frame,
    iforestScores: result.scores.iforest,
    iforestMetric: (row) => iforestMetric.get(row) ?? null,
    iforestMetricCount: iforestMetricsOf(result)?.length,
    forecast: result.forecast,
    declared: result.anomalies.filter((a) => a.detector === 'rule'),
  }, minSeverity, reuse?.measured, constants);
}

/** The metrics the result's forest read (its settings' `metrics`), when it ran. */
function iforestMetricsOf(result: AnalysisResult): readonly string[] | undefined {
  const m = (result.detectors.iforest as { metrics?: unknown } | undefined)?.metrics;
  return Array.isArray(m) ? (m as string[]) : undefined;
}

/**
 * The default view of findings taken as they are scored, not calibrated again (a result without a view of its own),
 * merged into incidents as `analyze` merges its own (./merge.ts: from minor up, a lone finding at most minor unless
 * `options` say otherwise). A live window's incidents are its stream tracker's (src/extension/liveWindow.ts).
 */
export function findingsView(anomalies: readonly Anomaly[], frame: Frame, minSeverity: Severity = DEFAULT_MIN_SEVERITY, options: MergeOptions = {}): View {
  const merged = mergeFindings(anomalies, frame, options);
  return { findings: sortAnomalies(merged.findings), incidents: merged.incidents, shown: shownAt(merged, minSeverity), minSeverity, calibrations: {} };
}

/**
 * A result's view: its own (runAnalysis and a live window always set one), else its findings' (findingsView) — what
 * the editor, webhooks and email read, so a result without a view is merged as every other.
 */
export function viewOf(result: AnalysisResult, minSeverity: Severity = DEFAULT_MIN_SEVERITY): View {
  return result.view ?? findingsView(result.anomalies, result.frame, minSeverity);
}

/**
 * What an output lists (SPEC §3, §7): the default view's findings and incidents, or with `allRows` every row a
 * detector flagged (allFlaggedRows: the incidents' findings among them) and every incident. A result without a view
 * (built by hand) lists its anomalies and no incidents.
 */
export function listed(result: AnalysisResult, allRows = false): { anomalies: readonly Anomaly[]; incidents: readonly Incident[] } {
  const view = result.view;
  if (!view) return { anomalies: result.anomalies, incidents: [] };
  return allRows ? { anomalies: allFlaggedRows(result.anomalies, view), incidents: view.incidents } : view.shown;
}

/** One finding's place: its row, detector, metric, rule and the forecaster's check (checkOf) that made it. */
const placeOf = (a: Anomaly): string => `${a.row}\u0000${a.detector}\u0000${a.metric ?? ''}\u0000${a.rule ?? ''}\u0000${checkOf(a) ?? ''}`;

/**
 * Every flagged row (`--all-rows`, the dashboard's "All flagged rows"): the detectors' own findings (`flagged`: the
 * forest's at its contamination, the forecast's outside its interval, the rules'), and every finding inside the
 * view's incidents, in place of theirs at the same place (the level, flatness and discord checks', the calibrated
 * forest's and forecast's): each row an incident holds is listed, named by the statistic that flagged it (its detector,
 * and its message for the forecaster's checks). In the output order; `flagged` itself when nothing is added.
 */
export function allFlaggedRows(flagged: readonly Anomaly[], view: { findings: readonly Anomaly[]; incidents: readonly Incident[] } | null | undefined): readonly Anomaly[] {
  if (!view || !view.incidents.length) return flagged;
  // Inside an incident the view's finding is listed (its calibrated score and words, as the default view shows the
  // row), not the detector's own one at the same place: one row, one score on either list.
  const inIncidents = findingsIn(view.findings, view.incidents);
  if (!inIncidents.length) return flagged;
  const theirs = new Set(inIncidents.map(placeOf));
  return sortAnomalies([...flagged.filter((a) => !theirs.has(placeOf(a))), ...inIncidents]);
}
