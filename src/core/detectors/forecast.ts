/**
 * The forecaster: Prophet's additive model (piecewise-linear trend with changepoints, Fourier daily/weekly/yearly
 * seasonality, Prophet's priors and scales; forecast/fit.ts) fitted by MAP. When rows past the history are
 * predicted, rolling-origin cross-validation (forecast/cv.ts) weighs candidate forecasts — that fit or one with
 * Huber's loss (anomalies in the training window barely move it), extrapolated in several ways (a damped, capped end
 * slope, a level anchored on the recent residuals or a late level shift) — by their errors and combines them, and
 * the band past the history comes from that cross-validation's errors at the same horizon (forecast/interval.ts). `method: 'prophet'` gives Prophet's exact
 * MAP and its simulated band instead, as `prophet()` does.
 *
 * Inside the history the band is Prophet's: observation noise only, yhat ± z·σ (the limit of its Monte Carlo).
 * The robust mode follows Prophet's documentation ("Outliers": remove them and refit): one refit without
 * the training points the first fit scores at 'major' or above, i.e. beyond ~3σ.
 */
import { formatBandValue } from '../format.ts';
import type { Anomaly } from '../anomaly.ts';
import { isoOf } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import { indexIn, metricIndex } from '../csv/frame.ts';
import { clampScore, severityOf } from '../severity.ts';
import { crossValidate } from './forecast/cv.ts';
import { finitePoints, fourierBlock } from './forecast/fit.ts';
import { empiricalFutureBand, simulateFutureBand } from './forecast/interval.ts';
import { normalQuantile } from './forecast/linalg.ts';
import type { ForecastModel, ForecastOptions, ForecastResult } from './forecast/model.ts';
import { fitPair, pointForecast, resolveModel } from './forecast/model.ts';
import { getOwn, setOwn } from '../own.ts';

export type { ForecastModel, ForecastOptions, ForecastResult, FutureSpec } from './forecast/model.ts';

/**
 * Fits the forecaster on the points where t and y are finite (t: epoch ms or row index; y: NaN = missing).
 * Throws a RangeError when fewer than two points at distinct times remain.
 */
export function fitForecast(t: Float64Array, y: Float64Array, options: ForecastOptions = {}): ForecastModel {
  const { ts, ys } = finitePoints(t, y);
  const cvOn = (options.method ?? 'cv') === 'cv' && options.crossValidate !== false;
  const resolved = resolveModel(ts, options, cvOn);
  const fourier = fourierBlock(ts, resolved.timeUnit, resolved.seasonalities);
  const pair = fitPair(ts, ys, options, resolved, fourier, undefined, cvOn);
  // Without cross-validation the fit is Prophet's MAP, as it was: the in-history residuals the incidents view
  // calibrates on do not change. With it asked for but too short a history for its folds, the MAP of the model it
  // would have used (with the weekend term where resolveModel adds one).
  return (cvOn ? crossValidate(ts, ys, pair, options, resolved, fourier) : null) ?? pair.map;
}

/**
 * Predicts yhat and the `model.interval` band at each time t (same unit as the fit; any order; NaN
 * gives NaN). Deterministic: Prophet's trend simulation is seeded with `model.seed`.
 */
export function predictForecast(model: ForecastModel, t: Float64Array): ForecastResult {
  const n = t.length;
  const yhat = new Float64Array(n);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  const feat = new Float64Array(model.beta.length);
  // Inside the history Prophet's band is noise only: its Monte Carlo quantiles converge to yhat ± z·σ.
  const half = historyHalfWidth(model.sigma, model.yScale, model.interval);
  const future: number[] = [];
  let T = -Infinity;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(t[i])) { yhat[i] = lower[i] = upper[i] = NaN; continue; }
    const v = pointForecast(model, t[i], feat);
    yhat[i] = v;
    const tt = (t[i] - model.start) / model.tScale;
    if (tt > 1) { future.push(i); if (tt > T) T = tt; }
    lower[i] = v - half;
    upper[i] = v + half;
  }
  if (future.length && model.future) empiricalFutureBand(model, model.future, t, future, model.start + model.tScale, yhat, lower, upper);
  else if (future.length) simulateFutureBand(model, t, future, T, yhat, lower, upper);
  return { yhat, lower, upper };
}

/**
 * Half the band's width inside the history, in data units: there Prophet's band is noise only, and its Monte
 * Carlo quantiles converge to yhat ± z·σ. One function, so clients that redo the band (src/core/tuning.ts)
 * compute the same doubles.
 */
export function historyHalfWidth(sigma: number, yScale: number, interval: number): number {
  return normalQuantile((1 + interval) / 2) * sigma * yScale;
}

/**
 * Score of a value outside the band, from d = its distance beyond the nearer bound in band widths:
 * 0 for d < 0.5 (an 80 % band misses about 20 % of ordinary points by design, almost all by a little), then
 * 3 + 97·(1 − e^(−(d − 0.5)/1.5)): 3 (warning) at half a width out, ~30 (minor) at 1, ~50 (major) at 1.5,
 * ~75 (critical) at 2.5 widths. For the default 80 % band (yhat ± 1.28σ, width 2.56σ) these are 2.6σ,
 * 3.8σ, 5.1σ and 7.7σ from yhat. 0 inside the band or for NaN.
 */
export function forecastScore(y: number, lower: number, upper: number): number {
  if (!(y > upper || y < lower)) return 0;
  const width = Math.max(upper - lower, 1e-12 * Math.max(1, Math.abs(upper), Math.abs(lower)));
  const d = (y > upper ? y - upper : lower - y) / width;
  if (d < FLOOR_WIDTHS) return 0;
  return clampScore(3 + 97 * (1 - Math.exp(-(d - FLOOR_WIDTHS) / 1.5)));
}

/** Distance beyond the band, in band widths, at which a value becomes an anomaly (score 3). */
const FLOOR_WIDTHS = 0.5;

/** Score at and above which the robust mode drops a training point before refitting ('major'). */
const ROBUST_SCORE = 50;

/** The anomalies of one metric's values `y` (rows of `frame`) against a band: the values scored above 0 by forecastScore. */
export function forecastAnomalies(frame: Frame, metric: string, y: Float64Array, lower: ArrayLike<number>, upper: ArrayLike<number>): Anomaly[] {
  const out: Anomaly[] = [];
  for (let i = 0; i < frame.rows; i++) {
    const v = y[i];
    const score = forecastScore(v, lower[i], upper[i]);
    const severity = severityOf(score);
    if (!severity) continue;
    const where = v > upper[i] ? 'above' : 'below';
    out.push({
      row: i,
      timestamp: frame.timestamps ? isoOf(frame.timestamps[i], frame.utcOffsetMs) : null,
      detector: 'forecast',
      metric,
      value: v,
      score,
      severity,
      message: `${metric} ${formatBandValue(v)} ${where} forecast band [${formatBandValue(lower[i])}, ${formatBandValue(upper[i])}]`,
    });
  }
  return out;
}

/** What detectForecast returns (SPEC §3 `forecast` and `anomalies`). */
export interface ForecastDetection {
  forecast: Record<string, ForecastResult>;
  anomalies: Anomaly[];
  settings: Record<string, unknown>;
  warnings: string[];
  mode: 'standard' | 'robust';
  /** The fitted model of each metric, so a caller can predict again with another interval without refitting. */
  models: Record<string, ForecastModel>;
}

/**
 * The frame's times (epoch ms, or row indices when it has no timestamps) followed by `horizon` steps
 * past the last row, one sampling step (`frame.stepMs`) apart.
 */
export function forecastTimes(frame: Frame, horizon = 0): Float64Array {
  const rows = frame.rows;
  const h = Math.max(0, Math.floor(horizon));
  const out = new Float64Array(rows + h);
  if (frame.timestamps) out.set(frame.timestamps.subarray(0, rows));
  else for (let i = 0; i < rows; i++) out[i] = i;
  const step = frame.timestamps ? (frame.stepMs ?? NaN) : 1;
  const last = rows ? out[rows - 1] : NaN;
  for (let k = 1; k <= h; k++) out[rows - 1 + k] = last + k * step;
  return out;
}

/** True when the band is a number on every fitted row (an overflowing fit gives ±Infinity or NaN). */
function finiteBand(r: ForecastResult, n: number): boolean {
  for (let i = 0; i < n; i++) if (!Number.isFinite(r.yhat[i]) || !Number.isFinite(r.lower[i]) || !Number.isFinite(r.upper[i])) return false;
  return true;
}

/**
 * Runs the forecaster on each metric of a frame: fits on the first floor(trainFraction·rows) rows,
 * predicts every row (plus `horizon` steps past the end), and reports values outside the band as
 * anomalies (score: `forecastScore`).
 * A metric that cannot be fitted (unknown, fewer than two values, constant) is skipped with a warning.
 */
export function detectForecast(
  frame: Frame,
  options: ForecastOptions & { metrics?: string[]; trainFraction?: number; horizon?: number } = {},
  fitted: Record<string, ForecastModel> = {},
): ForecastDetection {
  const trainFraction = options.trainFraction ?? 1;
  const rows = frame.rows;
  const nTrain = Math.min(rows, Math.max(0, Math.floor(trainFraction * rows)));
  const timeUnit = frame.timestamps ? 'ms' : 'index';
  const t = forecastTimes(frame, options.horizon ?? 0);
  const tTrain = t.subarray(0, nTrain);
  // The cross-validated future only matters when rows past the fitted ones are predicted. The frame's own rows are
  // predicted by the model they would have without a horizon: how far ahead the user asks must not change which
  // rows of the history are flagged (the cross-validated combination also blends the in-history fit, and adds a
  // weekend term); the rows past the frame, when the frame's rows do not already use it, by the cross-validated one.
  const fitOptions: ForecastOptions = { ...options, timeUnit, crossValidate: options.crossValidate ?? rows > nTrain };
  const futureOptions: ForecastOptions | null = t.length > rows && options.crossValidate === undefined && !(rows > nTrain)
    ? { ...fitOptions, crossValidate: true } : null;
  const forecast: Record<string, ForecastResult> = {};
  const anomalies: Anomaly[] = [];
  const warnings: string[] = [];
  const seasonalities: Record<string, string[]> = {};
  const excluded: Record<string, number> = {};
  const metrics = options.metrics ?? frame.metrics;
  const mode = options.robust ? 'robust' : 'standard';
  const models: Record<string, ForecastModel> = {};

  // Constant metrics (a sampling interval, an idle counter): one warning for all of them.
  const constant: [metric: string, value: string][] = [];
  for (const metric of metrics) {
    const col = metricIndex(frame, metric);
    if (col < 0) { warnings.push(`forecast: no metric '${metric}' in the data; skipped`); continue; }
    const y = frame.values[col];
    const yTrain = y.subarray(0, nTrain);
    let lo = Infinity;
    let hi = -Infinity;
    let count = 0;
    for (let i = 0; i < nTrain; i++) {
      const v = yTrain[i];
      if (Number.isFinite(v) && Number.isFinite(tTrain[i])) { count++; if (v < lo) lo = v; if (v > hi) hi = v; }
    }
    if (count < 2) { warnings.push(`forecast: ${metric} has ${count} value${count === 1 ? '' : 's'} to fit on (needs 2); skipped`); continue; }
    if (lo === hi) { constant.push([metric, formatBandValue(lo)]); continue; }
    let model: ForecastModel;
    let ahead: ForecastModel | null = null;
    const known = getOwn(fitted, metric); // setOwn/getOwn: a metric may be named __proto__ or constructor
    try {
      const fit = (opts: ForecastOptions): ForecastModel => {
        let m = fitForecast(tTrain, yTrain, opts);
        if (!options.robust) return m;
        const first = predictForecast(m, tTrain);
        const kept = Float64Array.from(yTrain);
        let dropped = 0;
        for (let i = 0; i < nTrain; i++) {
          if (forecastScore(kept[i], first.lower[i], first.upper[i]) >= ROBUST_SCORE) { kept[i] = NaN; dropped++; }
        }
        // The points left out are the history model's.
        if (opts === fitOptions) setOwn(excluded, metric, dropped);
        if (dropped > 0) m = fitForecast(tTrain, kept, opts);
        return m;
      };
      if (known) model = { ...known, interval: options.interval ?? known.interval };
      else model = fit(fitOptions);
      if (futureOptions && !known) ahead = fit(futureOptions);
    } catch (e) {
      warnings.push(`forecast: ${metric} cannot be fitted (${(e as Error).message}); skipped`);
      continue;
    }
    const result = predictForecast(ahead ?? model, t);
    if (ahead) {
      const own = predictForecast(model, t.subarray(0, rows));
      result.yhat.set(own.yhat); result.lower.set(own.lower); result.upper.set(own.upper);
    }
    // Values near ±1.7e308 overflow the fit: a band of ±Infinity (null in the JSON) is not shown without a word.
    if (!finiteBand(result, nTrain)) {
      warnings.push(`forecast: ${metric} has values too large to fit (up to ${formatBandValue(Math.abs(lo) > Math.abs(hi) ? lo : hi)}); skipped`);
      continue;
    }
    setOwn(models, metric, model);
    setOwn(seasonalities, metric, model.seasonalities.map((s) => s.name));
    setOwn(forecast, metric, result);
    for (const a of forecastAnomalies(frame, metric, y, result.lower, result.upper)) anomalies.push(a);
  }
  anomalies.sort((a, b) => a.row - b.row || indexIn(metrics, a.metric ?? '') - indexIn(metrics, b.metric ?? ''));
  const settings: Record<string, unknown> = {
    method: options.method ?? 'cv',
    interval: options.interval ?? 0.8,
    daily: options.daily ?? 'auto',
    weekly: options.weekly ?? 'auto',
    yearly: options.yearly ?? 'auto',
    changepointPriorScale: options.changepointPriorScale ?? 0.05,
    seasonalityPriorScale: options.seasonalityPriorScale ?? 10,
    nChangepoints: options.nChangepoints ?? 25,
    changepointRange: options.changepointRange ?? 0.8,
    uncertaintySamples: options.uncertaintySamples ?? 1000,
    seed: options.seed ?? 0,
    trainFraction,
    trainRows: nTrain,
    horizon: Math.max(0, Math.floor(options.horizon ?? 0)),
    mode,
    metrics: Object.keys(forecast),
    seasonalities,
  };
  if (options.robust) settings.robustExcluded = excluded;
  if (constant.length === 1) warnings.push(`forecast: ${constant[0][0]} is constant (${constant[0][1]}) in the fitted rows; skipped`);
  else if (constant.length > 1) {
    const list = constant.slice(0, 10).map(([m, v]) => `${m} (${v})`).join(', ');
    warnings.push(`forecast: ${constant.length} metrics are constant in the fitted rows, skipped: ${list}${constant.length > 10 ? ` and ${constant.length - 10} more` : ''}`);
  }
  return { forecast, anomalies, settings, warnings, mode, models };
}
