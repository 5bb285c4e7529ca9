// Pure (no vscode import): turns an analysis into what the dashboard draws. Unit-tested in plain Node.
import type { AnalysisResult } from '../core/analysisResult.ts';
import { downsampleRows, lowerBound } from '../core/downsample.ts';
import { capAnomalies, markedRows } from '../core/anomaly.ts';
import type { Anomaly } from '../core/anomaly.ts';
import { shownAt } from '../core/incidents/shownAt.ts';
import { DASHBOARD_MAX_PER_DETECTOR, MAX_MARKERS } from '../protocol.ts';
import type { DashboardModel, DashboardSettings, RuleSlider, SeriesData, ViewChoice } from '../protocol.ts';

/** Points per trace the host sends; the webview asks for a finer window when the user zooms in. */
export const MAX_POINTS = 2400;

const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

const listed = new WeakMap<readonly Anomaly[], ReturnType<typeof capAnomalies>>();

/** The findings the dashboard lists for an analysis (capAnomalies, computed once per list of findings). */
export function listedAnomalies(result: AnalysisResult): ReturnType<typeof capAnomalies> {
  let c = listed.get(result.anomalies);
  if (!c) listed.set(result.anomalies, c = capAnomalies(result.anomalies, DASHBOARD_MAX_PER_DETECTOR));
  return c;
}

/** One metric's chart data for rows [from, to), downsampled with the rows of the chart's markers kept. */
export function seriesFor(result: AnalysisResult, metricIndex: number, from = 0, to = result.frame.rows): SeriesData {
  const f = result.frame;
  const metric = f.metrics[metricIndex];
  const y = f.values[metricIndex];
  // The rows of the markers of either view (every flagged row, or the incidents' findings) stay in the data.
  const keep = markedRows(listedAnomalies(result).list, metric, MAX_MARKERS);
  if (result.view) for (const r of markedRows(result.view.findings, metric, MAX_MARKERS)) keep.push(r);
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

/** The row range [from, to) that covers x in [x0, x1] (time or row numbers). */
export function rowsInWindow(result: AnalysisResult, x0: number, x1: number): [number, number] {
  const ts = result.frame.timestamps;
  if (!ts) return [Math.max(0, Math.floor(x0)), Math.min(result.frame.rows, Math.ceil(x1) + 1)];
  return [Math.max(0, lowerBound(ts, x0) - 1), Math.min(result.frame.rows, lowerBound(ts, x1) + 1)];
}

/** The whole dashboard model of an analysis. */
export function buildModel(
  result: AnalysisResult,
  extra: { name: string; settings: DashboardSettings; view: ViewChoice; rules: RuleSlider[]; rulesFile: string | null; forecastMode: DashboardModel['forecastMode']; live: boolean; computeMs: number; pending?: string[]; withSeries?: boolean; failure?: string; liveModel?: string },
): DashboardModel {
  const f = result.frame;
  const shown = listedAnomalies(result);
  return {
    file: { name: extra.name, path: result.input.path },
    rows: f.rows,
    timeAxis: f.timestamps !== null,
    stepMs: f.stepMs,
    metrics: f.metrics,
    series: extra.withSeries === false ? [] : f.metrics.map((_, i) => seriesFor(result, i)),
    anomalies: shown.list,
    view: extra.view,
    ...viewOf(result, extra.view),
    ...(shown.capped ? { totals: shown.totals } : {}),
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
  };
}

/** The incidents a model carries for a view choice, and their findings; none without a view. */
export function viewOf(result: AnalysisResult, choice: ViewChoice): Pick<DashboardModel, 'incidents' | 'incidentFindings'> {
  const v = result.view;
  if (!v) return {};
  const shown = choice === 'all' ? { incidents: v.incidents, anomalies: v.findings } : shownAt(v, choice);
  return { incidents: shown.incidents, incidentFindings: shown.anomalies };
}
