// What a client needs to move the contamination and interval thresholds itself, without the models: the
// Isolation Forest's per-row scores plus the attribution of every row that some contamination up to
// TUNING_MAX_CONTAMINATION (or 'auto', or the calibrated tail) can flag, and each forecast's yhat with its noise. Re-thresholding with
// these gives exactly the anomalies runAnalysis gives (same functions, same doubles; tested), so the dashboard
// can redraw on a slider move before the host answers.
import type { Anomaly } from './anomaly.ts';
import type { AnalysisCache, AnalyzeSettings } from './analyzeSettings.ts';
import type { Frame } from './csv/frame.ts';
import { metricIndex } from './csv/frame.ts';
import { forecastAnomalies, historyHalfWidth } from './detectors/forecast.ts';
import { attributeIsolationForest, contaminationThreshold, iforestAnomalies } from './detectors/isolationForest.ts';
import { getOwn, setOwn } from './own.ts';
import type { Contamination } from './detectors/isolationForestModel.ts';

/** The highest contamination the tuning data covers (the dashboard's slider goes to 10 %). */
export const TUNING_MAX_CONTAMINATION = 0.1;

export interface IforestTuning {
  metrics: string[];
  /** Every row's score. */
  scores: Float64Array;
  /** Rows scored above `floor` (ascending) and their attribution (row-major, rows × metrics). */
  floor: number;
  rows: Int32Array;
  shares: Float64Array;
}

export interface ForecastTuning {
  yhat: Float64Array;
  sigma: number;
  yScale: number;
}

export interface Tuning {
  /** Which fits this was taken from: a client keeps the latest. */
  key: string;
  iforest?: IforestTuning;
  /** Per metric; only for standard fits over the whole history (a robust refit depends on the interval). */
  forecast?: Record<string, ForecastTuning>;
}

/**
 * The tuning data of the analysis `cache` holds for `frame` with `settings` (what runAnalysis last ran), or
 * undefined when neither detector's result can be re-thresholded. `previous` is returned as it is when it was
 * taken from the same fits.
 */
export function tuningOf(frame: Frame, cache: AnalysisCache, settings: AnalyzeSettings, previous?: Tuning): Tuning | undefined {
  const model = cache.iforest?.model;
  const iforest = settings.detectors.iforest && model && cache.iforest ? cache.iforest : undefined;
  const fc = cache.forecast;
  const whole = (settings.forecast?.trainFraction ?? 1) === 1;
  const forecast = settings.detectors.forecast && fc && fc.detection.mode === 'standard' && whole ? fc : undefined;
  if (!iforest && !forecast) return undefined;
  const key = JSON.stringify([frame.rows, iforest?.key ?? null, forecast?.key ?? null]);
  if (previous?.key === key) return previous;
  const out: Tuning = { key };
  if (iforest && model) {
    const scores = iforest.result.scores;
    const sorted = Float64Array.from(scores).sort();
    const floor = Math.min(0.5, contaminationThreshold(sorted, TUNING_MAX_CONTAMINATION));
    const rows: number[] = [];
    for (let i = 0; i < scores.length; i++) if (scores[i] > floor) rows.push(i);
    const a = attributeIsolationForest(model, frame, rows);
    out.iforest = { metrics: a.metrics, scores, floor, rows: a.rows, shares: a.shares };
  }
  if (forecast) {
    out.forecast = {};
    for (const [metric, m] of Object.entries(forecast.detection.models)) {
      const yhat = getOwn(forecast.detection.forecast, metric)?.yhat;
      if (yhat && yhat.length === frame.rows) setOwn(out.forecast, metric, { yhat, sigma: m.sigma, yScale: m.yScale });
    }
  }
  return out;
}

/**
 * The Isolation Forest's anomalies at another contamination, from tuning data (`sorted`: its scores,
 * ascending); null when the threshold falls below what the data covers.
 */
export function retuneIforest(frame: Frame, t: IforestTuning, sorted: Float64Array, contamination: Contamination): Anomaly[] | null {
  const threshold = contaminationThreshold(sorted, contamination);
  if (threshold < t.floor) return null;
  const d = t.metrics.length;
  const rows: number[] = [];
  const picked: number[] = [];
  for (let i = 0; i < t.rows.length; i++) {
    if (t.scores[t.rows[i]] > threshold) { rows.push(t.rows[i]); picked.push(i); }
  }
  const shares = new Float64Array(rows.length * d);
  for (let k = 0; k < picked.length; k++) shares.set(t.shares.subarray(picked[k] * d, (picked[k] + 1) * d), k * d);
  return iforestAnomalies(t.metrics, frame, rows, shares, t.scores, threshold);
}

/** The forecaster's anomalies and each metric's band half-width at another interval, from tuning data. */
export function retuneForecast(frame: Frame, t: Record<string, ForecastTuning>, interval: number): { anomalies: Anomaly[]; half: Record<string, number> } {
  const anomalies: Anomaly[] = [];
  const half: Record<string, number> = {};
  for (const [metric, f] of Object.entries(t)) {
    const col = metricIndex(frame, metric);
    if (col < 0) continue;
    const h = historyHalfWidth(f.sigma, f.yScale, interval);
    setOwn(half, metric, h);
    const lower = new Float64Array(f.yhat.length);
    const upper = new Float64Array(f.yhat.length);
    for (let i = 0; i < f.yhat.length; i++) { lower[i] = f.yhat[i] - h; upper[i] = f.yhat[i] + h; }
    for (const a of forecastAnomalies(frame, metric, frame.values[col], lower, upper)) anomalies.push(a);
  }
  return { anomalies, half };
}
