/**
 * The forecaster's options and fitted model, and the fit without cross-validation (also used for each fold of
 * the cross-validation in cv.ts). See fit.ts for the model and how it is fitted.
 */
import { medianStep } from '../../csv/frame.ts';
import type { Design, Fit } from './fit.ts';
import { daysOf, design, DAY_MS, huberFit, mapFit } from './fit.ts';
import type { Seasonality, SeasonalitySwitch } from './seasonality.ts';
import type { SpreadProfile } from './spread.ts';
import { fourierRow, prophetAutoSeasonalities, resolveSeasonalities, WEEKEND, weekendCount } from './seasonality.ts';

/** Options of the forecaster; the model's defaults are Prophet's. */
export interface ForecastOptions {
  /**
   * 'cv' (default): past the history, the fit (Prophet's MAP or Huber's loss) and the extrapolation (damped,
   * capped, anchored on the recent level or a late shift) that rolling-origin cross-validation chooses, and the band
   * from that cross-validation's errors; without cross-validation (nothing past the history predicted), Prophet's MAP.
   * 'prophet': Prophet's exact MAP and its simulated future band, as `prophet()` gives.
   */
  method?: 'cv' | 'prophet';
  /** Width of the prediction interval. @default 0.8 */
  interval?: number;
  /** Daily seasonality (period 1 day, order 4). @default 'auto' */
  daily?: SeasonalitySwitch;
  /** Weekly seasonality (period 7 days, order 3). @default 'auto' */
  weekly?: SeasonalitySwitch;
  /** Yearly seasonality (period 365.25 days, order 10). @default 'auto' */
  yearly?: SeasonalitySwitch;
  /** Scale of the Laplace prior on the trend's rate changes. @default 0.05 */
  changepointPriorScale?: number;
  /** Standard deviation of the normal prior on the Fourier coefficients. @default 10 */
  seasonalityPriorScale?: number;
  /** Number of potential changepoints. @default 25 */
  nChangepoints?: number;
  /** Share of the history in which changepoints are placed. @default 0.8 */
  changepointRange?: number;
  /** Monte Carlo draws for Prophet's interval past the history (method 'prophet'). @default 1000 */
  uncertaintySamples?: number;
  /** Seed of the trend-uncertainty simulation. @default 0 */
  seed?: number;
  /** Refit once without the points the first fit flags at 'major' or above (detectForecast only). @default false */
  robust?: boolean;
  /**
   * Cross-validate the future (method 'cv'); off, the trend past the history is Prophet's and so is the band.
   * detectForecast turns it off when nothing past the fitted rows is predicted. @default true
   */
  crossValidate?: boolean;
  /**
   * What `t` is: epoch milliseconds, or a row index (then seasonalities are off unless forced, and a
   * forced one counts one row as one day). @default 'ms' when any |t| ≥ 1e9, else 'index'
   */
  timeUnit?: 'ms' | 'index';
}

/** How method 'cv' extrapolates: the candidates combined by rolling-origin cross-validation (cv.ts). */
export interface FutureSpec {
  /**
   * The trend past the history: per damping rate λ (per scaled t) the summed weighted slope (scaled y per scaled t);
   * h past the end the trend has moved Σ slope·(1 − e^(−λh))/λ (λ = 0: slope·h).
   */
  terms: { slope: number; damping: number }[];
  /** Level offset past the history (scaled y): the weighted recent level the trend did not follow, or a late shift. */
  level: number;
  /** Errors y − yhat of the last fold of the cross-validation in data units divided by that fold's `spreadAt`, sorted within each horizon bin. */
  errors: Float64Array;
  /**
   * What the cross-validation weighed: the Huber fit's total weight (the MAP's is 1 − huber), whether a late shift was
   * anchored on, and the heaviest candidate — its fit, slope ('ours' capped, or Prophet's 'raw'), damping, anchoring, weight.
   */
  chosen: { huber: number; shift: boolean; top: { fit: 'huber' | 'map'; slope: 'ours' | 'raw'; damping: number; anchored: boolean; weight: number } };
  /** Robust standard deviation of the history's residuals (data units): the band is never narrower than this noise's. */
  noise: number;
  /** How the residuals' size varies with the time of day and weekday or weekend: the band's half-width is multiplied by spreadAt(spread, t). */
  spread: SpreadProfile | null;
  /** Bin b holds errors[binOffsets[b], binOffsets[b + 1]) at horizons up to binEnds[b] (units of t past the end). */
  binOffsets: Int32Array;
  binEnds: Float64Array;
}

/** A fitted forecaster: Prophet's parameters on its scaled axes, plus what prediction needs. */
export interface ForecastModel {
  method: 'cv' | 'prophet';
  timeUnit: 'ms' | 'index';
  /** First history time and the history's span, in units of t; scaled time is (t − start) / tScale. */
  start: number;
  tScale: number;
  /** max |y| of the history (1 when all zero). */
  yScale: number;
  /** Changepoints on the scaled time axis (Prophet keeps a dummy [0] when there are none). */
  changepoints: Float64Array;
  k: number;
  m: number;
  delta: Float64Array;
  /** Fourier coefficients in the order of `seasonalities`, [sin 1, cos 1, …] each. */
  beta: Float64Array;
  /** Observation noise, scaled (multiply by yScale for data units). */
  sigma: number;
  seasonalities: Seasonality[];
  interval: number;
  uncertaintySamples: number;
  seed: number;
  /** History points used (finite t and y). */
  points: number;
  /** Iterations of the fit (block-coordinate MAP steps, plus Huber steps for method 'cv'). */
  iterations: number;
  /** Prophet's log posterior at the Gaussian MAP (method 'prophet'; NaN for 'cv'), constants as rstan's `value`. */
  logPosterior: number;
  /** Method 'cv' with cross-validation: how the future is extrapolated; null: as Prophet. */
  future: FutureSpec | null;
}

/** yhat and the interval bounds, one value per requested time (NaN where t is NaN). */
export interface ForecastResult {
  yhat: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

/**
 * The time unit and seasonalities of a history (Prophet's automatic rules unless options force them). With
 * `weekend` (method 'cv' forecasting past the history), a history in epoch ms with the daily term but too short for
 * the weekly one (Prophet's rule: two weeks) gets the weekend term when it has half a day of points on weekend days
 * and on weekdays: one coefficient instead of the weekly term's six, which 8–10 days of history read wrong.
 */
export function resolveModel(ts: Float64Array, options: ForecastOptions, weekend = false): { timeUnit: 'ms' | 'index'; seasonalities: Seasonality[] } {
  const n = ts.length;
  const timeUnit = options.timeUnit ?? (Math.max(Math.abs(ts[0]), Math.abs(ts[n - 1])) >= 1e9 ? 'ms' : 'index');
  let minStep = Infinity;
  for (let i = 1; i < n; i++) { const d = ts[i] - ts[i - 1]; if (d > 0 && d < minStep) minStep = d; }
  const auto = timeUnit === 'ms'
    ? prophetAutoSeasonalities((ts[n - 1] - ts[0]) / DAY_MS, minStep / DAY_MS)
    : { daily: false, weekly: false, yearly: false };
  const seasonalities = resolveSeasonalities({ daily: options.daily, weekly: options.weekly, yearly: options.yearly }, auto);
  const names = seasonalities.map((s) => s.name);
  if (weekend && timeUnit === 'ms' && names.includes('daily') && !names.includes('weekly') && options.weekly !== false) {
    const weekendPoints = weekendCount(ts);
    // Half a day at the usual step (the median: one pair of rows a second apart does not make it 43,200 points).
    const halfDay = DAY_MS / 2 / (medianStep(ts) ?? NaN);
    if (weekendPoints >= halfDay && n - weekendPoints >= halfDay) seasonalities.push(WEEKEND);
  }
  return { timeUnit, seasonalities };
}

function toModel(d: Design, fit: Fit, method: 'cv' | 'prophet', options: ForecastOptions): ForecastModel {
  const { theta, S } = { theta: fit.theta, S: d.S };
  // With no changepoints Prophet keeps a dummy one at 0 (δ folded into k): it sets the future rate S = 1.
  return {
    method, timeUnit: d.timeUnit, start: d.start, tScale: d.tScale, yScale: d.yScale,
    changepoints: S === 0 ? new Float64Array([0]) : Float64Array.from(d.cps),
    k: theta[0], m: theta[1], delta: S === 0 ? new Float64Array(1) : theta.slice(2, 2 + S), beta: theta.slice(2 + S),
    sigma: Math.sqrt(fit.sigma2), seasonalities: d.seasonalities, interval: options.interval ?? 0.8,
    uncertaintySamples: Math.max(1, Math.floor(options.uncertaintySamples ?? 1000)),
    seed: options.seed ?? 0, points: d.n, iterations: fit.iterations, logPosterior: -fit.objective, future: null,
  };
}

/**
 * Fits the model on sorted finite points (no cross-validation): Prophet's MAP, and for method 'cv' (unless
 * `withHuber` is false) also the Huber fit started from it. `resolved` and `fourier` (the Fourier block of ts) may be passed to skip their work;
 * `mapTolerance` loosens the MAP's stopping rule (the cross-validation's folds need a forecast, not 11 digits).
 */
export function fitPair(ts: Float64Array, ys: Float64Array, options: ForecastOptions,
  resolved = resolveModel(ts, options), fourier?: Float64Array, mapTolerance?: number, withHuber = true): { map: ForecastModel; huber: ForecastModel | null } {
  const interval = options.interval ?? 0.8;
  if (!(interval > 0 && interval < 1)) throw new RangeError(`interval must be in (0, 1), got ${interval}`);
  const tau = options.changepointPriorScale ?? 0.05;
  const seasonalityScale = options.seasonalityPriorScale ?? 10;
  const method = options.method ?? 'cv';
  const d = design(ts, ys, resolved.timeUnit, resolved.seasonalities, Math.max(0, Math.floor(options.nChangepoints ?? 25)),
    options.changepointRange ?? 0.8, fourier);
  const map = mapFit(d, tau, seasonalityScale, mapTolerance);
  return {
    map: toModel(d, map, method, options),
    huber: method === 'prophet' || !withHuber ? null : toModel(d, huberFit(d, map, tau, seasonalityScale), method, options),
  };
}

/** Prophet's piecewise-linear trend at scaled time tt (scaled y). */
export function trendAt(model: ForecastModel, tt: number): number {
  let v = model.k * tt + model.m;
  const cp = model.changepoints;
  for (let j = 0; j < cp.length; j++) if (tt > cp[j]) v += model.delta[j] * (tt - cp[j]);
  return v;
}

/** The trend's slope after the last changepoint (scaled y per scaled t). */
export function endSlope(model: ForecastModel): number {
  let s = model.k;
  for (let j = 0; j < model.delta.length; j++) s += model.delta[j];
  return s;
}

/** Σ seasonality at time t (scaled y); `feat` is scratch of length beta.length. */
export function seasonalAt(model: ForecastModel, t: number, feat: Float64Array): number {
  if (!model.beta.length) return 0;
  fourierRow(daysOf(t, model.timeUnit), model.seasonalities, feat, 0);
  let v = 0;
  for (let j = 0; j < model.beta.length; j++) v += model.beta[j] * feat[j];
  return v;
}

/** Distance the damped trend moves h (scaled t) past the end per unit of slope: h, or (1 − e^(−λh))/λ. */
export function dampedRun(h: number, damping: number): number {
  return damping > 0 ? -Math.expm1(-damping * h) / damping : h;
}

/** yhat at one time in data units: Prophet's trend, or past the history the cross-validated one. */
export function pointForecast(model: ForecastModel, t: number, feat: Float64Array): number {
  const tt = (t - model.start) / model.tScale;
  const f = model.future;
  let trend = trendAt(model, Math.min(tt, f ? 1 : tt));
  if (f && tt > 1) {
    trend += f.level;
    for (const term of f.terms) trend += term.slope * dampedRun(tt - 1, term.damping);
  }
  return (trend + seasonalAt(model, t, feat)) * model.yScale;
}
