// Pure (no vscode import): turns an analysis into what the host posts to the dashboard. Unit-tested in plain Node.
import type { AnalysisResult } from '../core/analysisResult.ts';
import { downsampleRows, lowerBound } from '../core/downsample.ts';
import { capAnomalies, chartMarkers } from '../core/anomaly.ts';
import type { Anomaly } from '../core/anomaly.ts';
import type { PageView, ViewSettings } from '../core/dashboard/pageView.ts';
import { DASHBOARD_MAX_PER_DETECTOR, MAX_MARKERS, pageView } from '../core/dashboard/pageView.ts';
import type { Frame } from '../core/csv/frame.ts';
import { lineShiftsOf } from '../core/csv/lineShifts.ts';
import { timeGaps } from '../core/csv/gaps.ts';
import type { Rule } from '../core/rules/model.ts';
import type { DashboardModel, DashboardSettings, FitsData, LocalData, ModelBase, OutputsData, RuleSlider, SeriesData, ViewChoice } from '../protocol.ts';

/** Points per trace the host sends; the webview asks for a finer window when the user zooms in. */
export const MAX_POINTS = 2400;

const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

const capped = new WeakMap<readonly Anomaly[], Anomaly[]>();

/** One metric's chart data for rows [from, to), downsampled with the rows of the chart's markers kept. */
export function seriesFor(result: AnalysisResult, metricIndex: number, from = 0, to = result.frame.rows): SeriesData {
  const f = result.frame;
  const metric = f.metrics[metricIndex];
  const y = f.values[metricIndex];
  // The rows of the markers of either list (every flagged row, or the view's findings) stay in the data.
  let listed = capped.get(result.anomalies);
  if (!listed) capped.set(result.anomalies, listed = capAnomalies(result.anomalies, DASHBOARD_MAX_PER_DETECTOR).list);
  const keep = chartMarkers(listed, metric, MAX_MARKERS).list.map((a) => a.row);
  if (result.view) for (const a of chartMarkers(result.view.findings, metric, MAX_MARKERS).list) keep.push(a.row);
  const rows = downsampleRows(y, MAX_POINTS, from, to, keep);
  const xs: number[] = new Array(rows.length);
  const ys: (number | null)[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    xs[i] = f.timestamps ? f.timestamps[r] : r;
    ys[i] = num(y[r]);
  }
  const s: SeriesData = { metric, rows: Array.from(rows), x: xs, y: ys };
  const fc = result.forecast?.[metric];
  if (fc) {
    const pick = (a: Float64Array): (number | null)[] => Array.from(rows, (r) => num(a[r]));
    s.band = { yhat: pick(fc.yhat), lower: pick(fc.lower), upper: pick(fc.upper) };
  }
  return s;
}

const gapsOfFrame = new WeakMap<Frame, [number, number][]>();

/** A frame's stretches without rows (gaps.ts), as chart x ranges: once per frame. */
export function gapsOf(f: Frame): [number, number][] {
  let g = gapsOfFrame.get(f);
  if (!g) gapsOfFrame.set(f, g = f.timestamps ? timeGaps(f.timestamps).map((t) => [t.fromMs, t.toMs]) : []);
  return g;
}

/** The row range [from, to) that covers x in [x0, x1] (time or row numbers). */
export function rowsInWindow(result: AnalysisResult, x0: number, x1: number): [number, number] {
  const ts = result.frame.timestamps;
  if (!ts) return [Math.max(0, Math.floor(x0)), Math.min(result.frame.rows, Math.ceil(x1) + 1)];
  return [Math.max(0, lowerBound(ts, x0) - 1), Math.min(result.frame.rows, lowerBound(ts, x1) + 1)];
}

const hostViews = new WeakMap<AnalysisResult, Map<ViewChoice, PageView>>();

/** Settings that keep every finding of an analysis: what the host computes is the analysis as it ran. */
const AS_RUN: ViewSettings = { detectors: { iforest: true, forecast: true, rules: true }, contamination: 'calibrated', interval: 0, thresholds: {} };

/**
 * What the page shows of an analysis when the host computes it (the page does not hold the data): pageView on the
 * analysis's own findings and view (a live window's too: LiveWindow.toResult sets one); once per analysis and choice.
 */
export function hostView(result: AnalysisResult, choice: ViewChoice): PageView {
  let byChoice = hostViews.get(result);
  if (!byChoice) hostViews.set(result, byChoice = new Map());
  let v = byChoice.get(choice);
  if (!v) {
    const view = result.view ? { findings: result.view.findings, incidents: result.view.incidents } : null;
    v = pageView(result.frame, { settings: AS_RUN, fixed: result.anomalies, view }, AS_RUN, choice) ?? { anomalies: [] };
    byChoice.set(choice, v);
  }
  return v;
}

/** The whole dashboard model of an analysis: `shown` what the host computed, or null when the page computes it. */
export function buildModel(
  result: AnalysisResult,
  extra: { name: string; settings: DashboardSettings; view: ViewChoice; shown: PageView | null; rules: RuleSlider[]; rulesFile: string | null; forecastMode: ModelBase['forecastMode']; live: boolean; computeMs: number; pending?: string[]; withSeries?: boolean; failure?: string; liveModel?: string; liveStopped?: boolean },
): DashboardModel {
  const f = result.frame;
  return {
    file: { name: extra.name, path: result.input.path },
    rows: f.rows,
    timeAxis: f.timestamps !== null,
    ...(f.timestamps === null ? { lineShifts: lineShiftsOf(f.lines) } : {}),
    stepMs: f.stepMs,
    metrics: f.metrics,
    series: extra.withSeries === false ? [] : f.metrics.map((_, i) => seriesFor(result, i)),
    gaps: gapsOf(f),
    view: extra.view,
    byPage: extra.shown === null,
    ...(extra.shown ?? { anomalies: [] }),
    rules: extra.rules,
    rulesFile: extra.rulesFile,
    settings: extra.settings,
    forecastMode: extra.forecastMode,
    warnings: result.warnings,
    live: extra.live,
    computeMs: extra.computeMs,
    pending: extra.pending ?? [],
    ...(extra.failure ? { failure: extra.failure } : {}),
    ...(extra.liveModel ? { liveModel: extra.liveModel } : {}),
    ...(extra.liveStopped ? { liveStopped: true } : {}),
  };
}

/**
 * A complete analysis's detector outputs for the page that holds its data (src/core/dashboard/pageView.ts): the
 * fits (only their key when `fitsHeld`), the rules, and the findings of the detectors that have no fit; the
 * analysis's view too when its incidents cannot be computed from these (a robust forecast, a forest not kept).
 */
export function outputsData(result: AnalysisResult, settings: DashboardSettings, rules: readonly Rule[], fitsHeld: boolean): OutputsData {
  const t = result.tuning;
  const fit = { iforest: !!t?.iforest, forecast: !!t?.forecast };
  let fits: OutputsData['fits'] = null;
  if (t && fitsHeld) fits = { key: t.key, held: true };
  else if (t) {
    const data: FitsData = { key: t.key };
    if (t.iforest) data.iforest = { metrics: t.iforest.metrics, scores: Array.from(t.iforest.scores), floor: t.iforest.floor, rows: Array.from(t.iforest.rows), shares: Array.from(t.iforest.shares) };
    if (t.forecast) {
      data.forecast = {};
      for (const [metric, f] of Object.entries(t.forecast)) data.forecast[metric] = { yhat: Array.from(f.yhat, num), sigma: f.sigma, yScale: f.yScale };
    }
    fits = data;
  }
  const fixed = result.anomalies.filter((a) => !(a.detector === 'rule' || (a.detector === 'iforest' && fit.iforest) || (a.detector === 'forecast' && fit.forecast)));
  const measurable = (!settings.detectors.iforest || fit.iforest) && (!settings.detectors.forecast || fit.forecast);
  const out: OutputsData = { path: result.input.path, settings, fixed, fits, rules: [...rules] };
  if (!measurable && result.view) out.view = { findings: result.view.findings, incidents: result.view.incidents };
  return out;
}

/** The file's data for the page to hold. JSON has no infinities: they travel apart (NaN, a missing value, is null). */
export function localDataOf(frame: Frame, path: string): LocalData {
  const infinite: [number, number, 1 | -1][] = [];
  frame.values.forEach((v, c) => { for (let i = 0; i < v.length; i++) if (v[i] === Infinity || v[i] === -Infinity) infinite.push([c, i, v[i] > 0 ? 1 : -1]); });
  return {
    path,
    timestamps: frame.timestamps ? Array.from(frame.timestamps) : null,
    metrics: frame.metrics,
    values: frame.values.map((v) => Array.from(v, num)),
    infinite,
    stepMs: frame.stepMs,
    ...(frame.utcOffsetMs ? { utcOffsetMs: frame.utcOffsetMs } : {}),
  };
}
