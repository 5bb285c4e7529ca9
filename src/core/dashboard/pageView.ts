/**
 * What the dashboard shows of an analysis, computed in one place: from the data, each detector's outputs and the
 * settings, the findings it lists (capped, with their totals), the incidents and their findings for the view
 * chosen, and the forecast band's half-width. The page runs it when it holds the data and the outputs (on every
 * slider move, view choice and new outputs); otherwise the host runs it on the analysis's own findings and view.
 */
import type { Anomaly, DetectorId } from '../anomaly.ts';
import { capAnomalies, sortAnomalies } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import { historyHalfWidth } from '../detectors/forecast.ts';
import type { Incident } from '../incidents/incidents.ts';
import { allFlaggedRows } from '../incidents/analysisView.ts';
import { shownAt } from '../incidents/shownAt.ts';
import type { View, ViewInput } from '../incidents/view.ts';
import { defaultView, renamedIforest } from '../incidents/view.ts';
import { evaluateRules } from '../rules/evaluate.ts';
import type { Rule } from '../rules/model.ts';
import type { Severity } from '../severity.ts';
import type { ForecastTuning, IforestTuning } from '../tuning.ts';
import { retuneForecast, retuneIforest } from '../tuning.ts';

/**
 * The dashboard lists at most this many findings per detector, the highest scores (the count says how many
 * there are; an export has them all): a million-row file can have hundreds of thousands, which no one reads
 * and which would take the page minutes to receive.
 */
export const DASHBOARD_MAX_PER_DETECTOR = 10_000;

/** Markers drawn per chart at most: the metric's highest scores (src/core/anomaly.ts's chartMarkers). */
export const MAX_MARKERS = 1500;

/** The interval slider's widest setting: the band's extent there keeps the y axis still while the slider moves. */
export const INTERVAL_MAX = 0.99;

/** The settings the view depends on (the dashboard's toggles and sliders). */
export interface ViewSettings {
  detectors: { iforest: boolean; forecast: boolean; rules: boolean };
  contamination: 'calibrated' | 'auto' | number;
  interval: number;
  thresholds: Record<string, number>;
}

/** The forest's scores and attribution (src/core/tuning.ts) with the scores sorted once (each contamination reads them). */
export interface IforestFit extends IforestTuning {
  sorted: Float64Array;
}

/**
 * Per detector, what the view is computed from: what can be re-thresholded (the forest's scores and attribution,
 * the forecasts' yhat and noise, the rules themselves), or else findings fixed by the analysis of `settings`.
 */
export interface DetectorOutputs {
  /** The settings of the analysis the outputs come from: `fixed` and `view` are its. */
  settings: ViewSettings;
  /** The analysis's findings of every detector that has no re-thresholdable output below, in the output order. */
  fixed: readonly Anomaly[];
  iforest?: IforestFit;
  /** Per metric (standard fits over the whole history only). */
  forecast?: Record<string, ForecastTuning>;
  rules?: readonly Rule[];
  /**
   * The analysis's own view: its incidents are shown for its own settings, and when they cannot be computed from
   * the outputs; null when the analysis has none (a live window: the table lists rows).
   */
  view?: { findings: readonly Anomaly[]; incidents: readonly Incident[] } | null;
}

/** What the page shows for some settings and view choice. */
export interface PageView {
  /** Every flagged row, at most DASHBOARD_MAX_PER_DETECTOR per detector (the highest scores), in the output order. */
  anomalies: Anomaly[];
  /** Per detector, how many findings there are, when `anomalies` was cut. */
  totals?: Partial<Record<DetectorId, number>>;
  /** The incidents at or above the choice (every incident for 'all'); absent when the outputs have no view. */
  incidents?: Incident[];
  /** The findings of `incidents`, in the output order. */
  incidentFindings?: Anomaly[];
  /** Per metric, the forecast band's half-width at the interval shown and at INTERVAL_MAX, when computed from the fits. */
  bands?: Record<string, { half: number; widest: number }>;
}

/** Each detector's findings and what they were computed from: a later call reuses those whose inputs are the same. */
interface Parts {
  frame: Frame;
  iforest?: { fit: IforestFit; contamination: ViewSettings['contamination']; list: Anomaly[] };
  forecast?: { fits: Record<string, ForecastTuning>; interval: number; list: Anomaly[] };
  rules: Map<Rule, { threshold: number | undefined; list: Anomaly[] }>;
}

/** A PageView with what a later call can reuse (each detector's findings; the view's statistics, measured for the same data and fits). */
export interface Computed extends PageView {
  readonly parts?: Parts;
  readonly basis?: { frame: Frame; iforest?: IforestFit; forecast?: Record<string, ForecastTuning>; detectors: string; contamination: ViewSettings['contamination']; view: View };
}

const DETECTOR_OF = { iforest: 'iforest', forecast: 'forecast', rules: 'rule' } as const;

/**
 * What the page shows: `frame` the data, `outputs` the detectors' outputs, `settings` and `choice` what the user
 * picked; `last` a previous result (its statistics are reused when it was of the same data, fits and detectors: a
 * slider then redoes the merge only). Null when the outputs cannot give these settings (a fixed finding of other settings, a
 * detector turned on that has no output): the host's next analysis brings them.
 */
export function pageView(frame: Frame, outputs: DetectorOutputs, settings: ViewSettings, choice: Severity | 'all', last?: Computed | null): Computed | null {
  const on = settings.detectors;
  const fixedOk = (d: keyof typeof DETECTOR_OF, same: boolean): boolean => !on[d] || (outputs.settings.detectors[d] && same);
  const fc = on.forecast ? outputs.forecast : undefined;
  const rules = on.rules ? outputs.rules : undefined;
  if (on.iforest && !outputs.iforest && !fixedOk('iforest', outputs.settings.contamination === settings.contamination)) return null;
  if (on.forecast && !outputs.forecast && !fixedOk('forecast', outputs.settings.interval === settings.interval)) return null;
  if (on.rules && !outputs.rules && !fixedOk('rules', sameThresholds(outputs.settings.thresholds, settings.thresholds))) return null;

  const parts = partsOf(frame, outputs, settings, last?.parts?.frame === frame ? last.parts : undefined);
  if (!parts) return null; // a contamination below what the scores cover: the host refits
  const iforest = parts.iforest?.list ?? null;
  const off = new Set<DetectorId>((Object.keys(DETECTOR_OF) as (keyof typeof DETECTOR_OF)[]).filter((d) => !on[d]).map((d) => DETECTOR_OF[d]));
  const computed = iforest !== null || fc !== undefined || rules !== undefined;
  let all: Anomaly[];
  if (!computed && !off.size) all = outputs.fixed as Anomaly[];
  else {
    all = outputs.fixed.filter((a) => !off.has(a.detector));
    if (iforest) for (const a of iforest) all.push(a);
    if (parts.forecast) for (const a of parts.forecast.list) all.push(a);
    for (const r of rules ?? []) for (const a of parts.rules.get(r)!.list) all.push(a);
    if (computed) sortAnomalies(all);
  }
  const out: Computed = { anomalies: [] };
  if (fc) {
    out.bands = {};
    for (const [metric, f] of Object.entries(fc)) out.bands[metric] = { half: historyHalfWidth(f.sigma, f.yScale, settings.interval), widest: historyHalfWidth(f.sigma, f.yScale, INTERVAL_MAX) };
  }

  // The incidents: the analysis's own for its own settings, else computed from the outputs when every detector on
  // can be (the same defaultView the analysis ran).
  const measurable = (!on.iforest || !!outputs.iforest) && (!on.forecast || !!outputs.forecast);
  let view: { findings: readonly Anomaly[]; incidents: readonly Incident[] } | null | undefined;
  let basis: Computed['basis'];
  if (outputs.view === null) view = null;
  else if (outputs.view && sameSettings(outputs.settings, settings)) view = outputs.view;
  else if (measurable) {
    const metricOf = new Map<number, string | null>();
    for (const a of iforest ?? []) metricOf.set(a.row, a.metric);
    const input: ViewInput = {
      frame,
      iforestScores: iforest ? outputs.iforest!.scores : undefined,
      iforestMetric: (row) => metricOf.get(row) ?? null,
      iforestMetricCount: outputs.iforest?.metrics.length,
      forecast: fc,
      declared: all.filter((a) => a.detector === 'rule'),
    };
    // The statistics depend on the data, the fits and the detectors on; the contamination only names the metric of
    // the forest's findings, the interval and the rules' thresholds not at all: those moves reuse them.
    const detectors = JSON.stringify(on);
    const b = last?.basis;
    const same = b && b.frame === frame && b.iforest === outputs.iforest && b.forecast === fc && b.detectors === detectors ? b.view.measured : undefined;
    const reuse = same && b!.contamination !== settings.contamination ? renamedIforest(same, input) : same;
    const v = defaultView(input, choice === 'all' ? 'warning' : choice, reuse);
    view = v;
    basis = { frame, iforest: outputs.iforest, forecast: fc, detectors, contamination: settings.contamination, view: v };
  } else return null;
  // Every flagged row: the detectors' own and every finding of every incident (allFlaggedRows), those of the
  // incidents kept past the cap (an incident's rows are always listed).
  const full = allFlaggedRows(all, view);
  const listed = capAnomalies(full, DASHBOARD_MAX_PER_DETECTOR);
  out.anomalies = listed.capped ? allFlaggedRows(listed.list, view) as Anomaly[] : listed.list;
  if (listed.capped) out.totals = listed.totals;
  if (view) {
    const shown = choice === 'all' ? { incidents: view.incidents as Incident[], anomalies: view.findings as Anomaly[] } : shownAt(view, choice);
    out.incidents = shown.incidents;
    out.incidentFindings = shown.anomalies;
  }
  // Not enumerable: a PageView posted as JSON does not carry them.
  if (basis) Object.defineProperty(out, 'basis', { value: basis, enumerable: false });
  Object.defineProperty(out, 'parts', { value: parts, enumerable: false });
  return out;
}

/**
 * The findings of each detector that has a re-thresholdable output and is on: the forest's at the contamination,
 * the forecasts' at the interval, each rule's at its threshold (rules are independent: a threshold moves only its
 * own rule's findings); those of `last` where their inputs are the same. Null when the contamination falls below
 * what the forest's scores cover.
 */
function partsOf(frame: Frame, outputs: DetectorOutputs, settings: ViewSettings, last: Parts | undefined): Parts | null {
  const on = settings.detectors;
  const parts: Parts = { frame, rules: new Map() };
  const fit = on.iforest ? outputs.iforest : undefined;
  if (fit) {
    const l = last?.iforest;
    if (l && l.fit === fit && l.contamination === settings.contamination) parts.iforest = l;
    else {
      const list = retuneIforest(frame, fit, fit.sorted, settings.contamination);
      if (!list) return null;
      parts.iforest = { fit, contamination: settings.contamination, list };
    }
  }
  const fits = on.forecast ? outputs.forecast : undefined;
  if (fits) {
    const l = last?.forecast;
    parts.forecast = l && l.fits === fits && l.interval === settings.interval ? l : { fits, interval: settings.interval, list: retuneForecast(frame, fits, settings.interval).anomalies };
  }
  for (const r of on.rules ? outputs.rules ?? [] : []) {
    const threshold = settings.thresholds[r.name];
    const l = last?.rules.get(r);
    parts.rules.set(r, l && l.threshold === threshold ? l : { threshold, list: evaluateRules([r], frame, { thresholds: settings.thresholds }).anomalies });
  }
  return parts;
}

function sameThresholds(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/** True when two settings say the same (whatever the order of their keys): the one comparison of settings. */
export function sameSettings(a: ViewSettings, b: ViewSettings): boolean {
  return a.contamination === b.contamination && a.interval === b.interval && sameThresholds(a.thresholds, b.thresholds)
    && a.detectors.iforest === b.detectors.iforest && a.detectors.forecast === b.detectors.forecast && a.detectors.rules === b.detectors.rules;
}
