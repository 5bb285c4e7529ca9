/**
 * The forecaster: Prophet's additive model (Taylor & Letham, "Forecasting at scale", The American
 * Statistician 72(1), 2018; https://peerj.com/preprints/3190/) with linear growth, fitted by MAP.
 *
 *   y(t) = trend(t) + Σ seasonality(t) + ε,  ε ~ N(0, σ²)
 *   trend(t) = k·t + m + Σ_j δ_j·(t − s_j)₊         (piecewise linear, continuous at the changepoints s_j)
 *
 * Everything is fitted on Prophet's scales: t ∈ [0, 1] over the history, y divided by max|y| ("absmax").
 * Priors are those of Prophet's Stan model: k, m ~ N(0, 5); δ_j ~ Laplace(0, changepointPriorScale);
 * β ~ N(0, seasonalityPriorScale); σ ~ N⁺(0, 0.5). Stan's `optimizing` (L-BFGS) finds the posterior
 * mode; here the same mode is found by block-coordinate descent, which is exact and needs only the
 * p×p Gram matrix (p ≤ 2 + 25 + 34 columns), so the cost after one pass over the data is independent of n:
 *   - θ = (k, m, δ, β) given σ: the L1 term is majorised by a quadratic at the current δ
 *     (|δ| ≤ δ²/2|δ₀| + |δ₀|/2, the MM / iteratively-reweighted least squares of Hunter & Li 2005),
 *     so each step is one ridge solve (XᵀX + σ²·D)θ = Xᵀy by Cholesky;
 *   - σ given θ: the closed-form root of 4σ⁴ + nσ² − RSS = 0.
 * Each step lowers the negative log posterior, and for fixed σ the θ problem is convex. On the bench
 * series this reaches a log posterior 0–21 nats above the point where rstan's L-BFGS stops.
 *
 * The robust mode follows Prophet's documentation ("Outliers": remove them and refit): one refit without
 * the training points the first fit scores at 'major' or above, i.e. beyond ~3σ, so ordinary noise
 * stays in and σ is not biased low.
 *
 * Uncertainty follows Prophet's `predict_uncertainty`: inside the history only observation noise (so the
 * band is yhat ± z·σ, the limit of Prophet's Monte Carlo); past the history, trend uncertainty as Prophet
 * simulates it — future changepoints as a Poisson process at the historical rate (S per unit of scaled
 * time) with Laplace(mean|δ|) rate changes — plus noise, with quantiles over `uncertaintySamples` draws.
 */
import type { Anomaly } from '../anomaly.ts';
import { isoOf } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import { indexIn, metricIndex } from '../csv/frame.ts';
import { createRng } from '../random.ts';
import { clampScore, severityOf } from '../severity.ts';
import { choleskySolve, normalQuantile } from './forecast/linalg.ts';
import type { Seasonality, SeasonalitySwitch } from './forecast/seasonality.ts';
import { featureCount, fourierRow, prophetAutoSeasonalities, resolveSeasonalities } from './forecast/seasonality.ts';
import { getOwn, setOwn } from '../own.ts';

/** Options of the forecaster; the defaults are Prophet's. */
export interface ForecastOptions {
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
  /** Monte Carlo draws for the interval past the history. @default 1000 */
  uncertaintySamples?: number;
  /** Seed of the trend-uncertainty simulation. @default 0 */
  seed?: number;
  /** Refit once without the points the first fit flags at 'major' or above (detectForecast only). @default false */
  robust?: boolean;
  /**
   * What `t` is: epoch milliseconds, or a row index (then seasonalities are off unless forced, and a
   * forced one counts one row as one day). @default 'ms' when any |t| ≥ 1e9, else 'index'
   */
  timeUnit?: 'ms' | 'index';
}

/** A fitted forecaster: Prophet's parameters on its scaled axes, plus what prediction needs. */
export interface ForecastModel {
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
  /** Block-coordinate iterations the MAP fit took. */
  iterations: number;
  /** Log posterior at the fit, with the constants Stan's `~` statements drop (comparable to rstan's `value`). */
  logPosterior: number;
}

/** yhat and the interval bounds, one value per requested time (NaN where t is NaN). */
export interface ForecastResult {
  yhat: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

const DAY_MS = 86_400_000;
/** σ² may not go below this (scaled units): an exactly fitting history would otherwise send it to 0. */
const SIGMA2_FLOOR = 1e-14;
/** Smoothing of |δ| in the L1 majoriser, so a coefficient at 0 keeps a finite weight. */
const L1_EPS = 1e-10;
const MAX_ITERATIONS = 500;

function daysOf(t: number, unit: 'ms' | 'index'): number {
  return unit === 'ms' ? t / DAY_MS : t;
}

/** Round half to even, as numpy's `round` (used by Prophet to place changepoints). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Fits Prophet's model by MAP on the points where t and y are finite (t: epoch ms or row index; y: NaN =
 * missing). Throws a RangeError when fewer than two points at distinct times remain.
 */
export function fitForecast(t: Float64Array, y: Float64Array, options: ForecastOptions = {}): ForecastModel {
  const interval = options.interval ?? 0.8;
  const tau = options.changepointPriorScale ?? 0.05;
  const seasonalityScale = options.seasonalityPriorScale ?? 10;
  const nChangepoints = Math.max(0, Math.floor(options.nChangepoints ?? 25));
  const changepointRange = options.changepointRange ?? 0.8;
  if (!(interval > 0 && interval < 1)) throw new RangeError(`interval must be in (0, 1), got ${interval}`);

  const idx: number[] = [];
  const len = Math.min(t.length, y.length);
  for (let i = 0; i < len; i++) if (Number.isFinite(t[i]) && Number.isFinite(y[i])) idx.push(i);
  idx.sort((a, b) => t[a] - t[b] || a - b);
  const n = idx.length;
  const ts = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) { ts[i] = t[idx[i]]; ys[i] = y[idx[i]]; }
  if (n < 2 || !(ts[n - 1] > ts[0])) throw new RangeError('needs at least 2 values at distinct times');

  let maxAbs = 0;
  for (let i = 0; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(ys[i]));
  const timeUnit = options.timeUnit ?? (Math.max(Math.abs(ts[0]), Math.abs(ts[n - 1])) >= 1e9 ? 'ms' : 'index');
  const start = ts[0];
  const tScale = ts[n - 1] - start;
  const yScale = maxAbs === 0 ? 1 : maxAbs;

  let minStep = Infinity;
  for (let i = 1; i < n; i++) { const d = ts[i] - ts[i - 1]; if (d > 0 && d < minStep) minStep = d; }
  const auto = timeUnit === 'ms'
    ? prophetAutoSeasonalities(tScale / DAY_MS, minStep / DAY_MS)
    : { daily: false, weekly: false, yearly: false };
  const seasonalities = resolveSeasonalities({ daily: options.daily, weekly: options.weekly, yearly: options.yearly }, auto);

  // Prophet's set_changepoints: evenly spaced over the first `changepointRange` of the history's points.
  const histSize = Math.floor(n * changepointRange);
  const nCp = Math.min(nChangepoints, histSize - 1);
  const cps: number[] = [];
  for (let i = 1; i <= nCp; i++) cps.push((ts[roundHalfEven((i * (histSize - 1)) / nCp)] - start) / tScale);
  const S = cps.length;
  const K = featureCount(seasonalities);
  const p = 2 + S + K;

  // One pass over the data: Gram matrix (lower triangle), Xᵀy and yᵀy, without materialising X.
  const G = new Float64Array(p * p);
  const b = new Float64Array(p);
  let yy = 0;
  const x = new Float64Array(p);
  for (let r = 0; r < n; r++) {
    const tt = (ts[r] - start) / tScale;
    const yv = ys[r] / yScale;
    x[0] = tt;
    x[1] = 1;
    for (let j = 0; j < S; j++) x[2 + j] = tt > cps[j] ? tt - cps[j] : 0;
    if (K) fourierRow(daysOf(ts[r], timeUnit), seasonalities, x, 2 + S);
    yy += yv * yv;
    for (let i = 0; i < p; i++) {
      const xi = x[i];
      if (xi === 0) continue;
      b[i] += xi * yv;
      const row = i * p;
      for (let j = 0; j <= i; j++) G[row + j] += xi * x[j];
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) G[j * p + i] = G[i * p + j];

  // Prior precisions (times σ² in the normal equations); δ's is the L1 majoriser's, updated each step.
  const prec = new Float64Array(p);
  prec[0] = 1 / 25;
  prec[1] = 1 / 25;
  for (let j = 0; j < S; j++) prec[2 + j] = 1 / (tau * tau);
  for (let j = 0; j < K; j++) prec[2 + S + j] = 1 / (seasonalityScale * seasonalityScale);
  const A = new Float64Array(p * p);
  const work = new Float64Array(p * p);
  const theta = new Float64Array(p);
  const Gtheta = new Float64Array(p);
  // Prophet starts the optimiser at sigma_obs = 1; a large σ² also lets the priors shape the first steps.
  let sigma2 = 1;
  let prev = Infinity;
  let objective = Infinity;
  let iterations = 0;
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    iterations = it + 1;
    A.set(G);
    for (let i = 0; i < p; i++) A[i * p + i] += sigma2 * prec[i];
    choleskySolve(A, b, p, work, theta);
    let tGt = 0;
    let tb = 0;
    for (let i = 0; i < p; i++) {
      let s = 0;
      const row = i * p;
      for (let j = 0; j < p; j++) s += G[row + j] * theta[j];
      Gtheta[i] = s;
      tGt += theta[i] * s;
      tb += theta[i] * b[i];
    }
    const rss = Math.max(0, yy - 2 * tb + tGt);
    sigma2 = Math.max(SIGMA2_FLOOR, (2 * rss) / (n + Math.sqrt(n * n + 16 * rss)));
    let penalty = (theta[0] * theta[0] + theta[1] * theta[1]) / 50;
    for (let j = 0; j < S; j++) {
      const d = theta[2 + j];
      penalty += Math.abs(d) / tau;
      prec[2 + j] = 1 / (tau * Math.sqrt(d * d + L1_EPS * L1_EPS));
    }
    for (let j = 0; j < K; j++) penalty += (theta[2 + S + j] * theta[2 + S + j]) / (2 * seasonalityScale * seasonalityScale);
    objective = rss / (2 * sigma2) + (n / 2) * Math.log(sigma2) + 2 * sigma2 + penalty;
    if (it >= 2 && Math.abs(prev - objective) <= 1e-11 * Math.max(1, Math.abs(objective))) break;
    prev = objective;
  }

  // With no changepoints Prophet keeps a dummy one at 0 (δ folded into k): it sets the future rate S = 1.
  const changepoints = S === 0 ? new Float64Array([0]) : Float64Array.from(cps);
  const delta = S === 0 ? new Float64Array(1) : theta.slice(2, 2 + S);
  return {
    timeUnit, start, tScale, yScale, changepoints, k: theta[0], m: theta[1], delta, beta: theta.slice(2 + S),
    sigma: Math.sqrt(sigma2), seasonalities, interval,
    uncertaintySamples: Math.max(1, Math.floor(options.uncertaintySamples ?? 1000)),
    seed: options.seed ?? 0, points: n, iterations, logPosterior: -objective,
  };
}

/** The model's trend plus seasonality at one time, in data units (t in the model's unit). */
function pointForecast(model: ForecastModel, t: number, feat: Float64Array): number {
  const tt = (t - model.start) / model.tScale;
  let v = model.k * tt + model.m;
  const cp = model.changepoints;
  for (let j = 0; j < cp.length; j++) if (tt > cp[j]) v += model.delta[j] * (tt - cp[j]);
  if (model.beta.length) {
    fourierRow(daysOf(t, model.timeUnit), model.seasonalities, feat, 0);
    for (let j = 0; j < model.beta.length; j++) v += model.beta[j] * feat[j];
  }
  return v * model.yScale;
}

/**
 * Predicts yhat and the `model.interval` band at each time t (same unit as the fit; any order; NaN
 * gives NaN). Deterministic: the trend simulation is seeded with `model.seed`.
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
  if (future.length) simulateFutureBand(model, t, future, T, yhat, lower, upper);
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
 * Prophet's sample_predictive_trend for the rows past the history: per draw, Poisson(S·(T − 1)) new
 * changepoints uniform on (1, T], rate changes ~ Laplace(mean|δ| + 1e-8), plus observation noise; the band
 * is the quantiles over draws. Noise uses stratified normal quantiles: the band is a per-row marginal, so
 * any noise set independent of the trend draws is valid, and this one is exact when trend uncertainty vanishes.
 */
function simulateFutureBand(model: ForecastModel, t: Float64Array, future: number[], T: number,
  yhat: Float64Array, lower: Float64Array, upper: Float64Array): void {
  const qLow = (1 - model.interval) / 2;
  const qHigh = 1 - qLow;
  const noise = model.sigma * model.yScale;
  const N = model.uncertaintySamples;
  const rng = createRng(model.seed);
  const S = model.changepoints.length;
  let lambda = 1e-8;
  for (let j = 0; j < model.delta.length; j++) lambda += Math.abs(model.delta[j]) / model.delta.length;
  const offsets = new Int32Array(N + 1);
  const timesList: number[] = [];
  const deltasList: number[] = [];
  for (let s = 0; s < N; s++) {
    const count = rng.poisson(S * (T - 1));
    const cts = new Float64Array(count);
    for (let c = 0; c < count; c++) cts[c] = 1 + rng.next() * (T - 1);
    cts.sort();
    for (let c = 0; c < count; c++) { timesList.push(cts[c]); deltasList.push(rng.laplace(lambda)); }
    offsets[s + 1] = timesList.length;
  }
  const times = Float64Array.from(timesList);
  const deltas = Float64Array.from(deltasList);
  const z = new Float64Array(N);
  for (let s = 0; s < N; s++) z[s] = normalQuantile((s + 0.5) / N) * noise;
  future.sort((a, b) => t[a] - t[b] || a - b);
  const ptr = offsets.slice(0, N);
  const slope = new Float64Array(N);
  const icpt = new Float64Array(N);
  const draws = new Float64Array(N);
  // Draws move little from one time to the next, so the order of the previous row, repaired by insertion
  // sort, gives this row's order statistics cheaply.
  const order = Int32Array.from({ length: N }, (_, s) => s);
  const yScale = model.yScale;
  for (let r = 0; r < future.length; r++) {
    const i = future[r];
    const tt = (t[i] - model.start) / model.tScale;
    for (let s = 0; s < N; s++) {
      let q = ptr[s];
      const end = offsets[s + 1];
      if (q < end && times[q] < tt) {
        do { slope[s] += deltas[q]; icpt[s] -= deltas[q] * times[q]; q++; } while (q < end && times[q] < tt);
        ptr[s] = q;
      }
      draws[s] = (slope[s] * tt + icpt[s]) * yScale + z[s];
    }
    for (let a = 1; a < N; a++) {
      const o = order[a];
      const v = draws[o];
      let b = a - 1;
      while (b >= 0 && draws[order[b]] > v) { order[b + 1] = order[b]; b--; }
      order[b + 1] = o;
    }
    lower[i] = yhat[i] + sortedQuantile(draws, order, qLow);
    upper[i] = yhat[i] + sortedQuantile(draws, order, qHigh);
  }
}

/** The q-quantile of values[order[·]] (order sorts them), interpolated as numpy's default percentile. */
function sortedQuantile(values: Float64Array, order: Int32Array, q: number): number {
  const pos = q * (order.length - 1);
  const lo = Math.floor(pos);
  const vLo = values[order[lo]];
  return pos === lo ? vLo : vLo + (values[order[lo + 1]] - vLo) * (pos - lo);
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

function fmt(v: number): string {
  return Math.abs(v) >= 1 || v === 0 ? v.toFixed(1) : v.toPrecision(3);
}

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
      timestamp: frame.timestamps ? isoOf(frame.timestamps[i]) : null,
      detector: 'forecast',
      metric,
      value: v,
      score,
      severity,
      message: `${metric} ${fmt(v)} ${where} forecast band [${fmt(lower[i])}, ${fmt(upper[i])}]`,
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
  const fitOptions: ForecastOptions = { ...options, timeUnit };
  const forecast: Record<string, ForecastResult> = {};
  const anomalies: Anomaly[] = [];
  const warnings: string[] = [];
  const seasonalities: Record<string, string[]> = {};
  const excluded: Record<string, number> = {};
  const metrics = options.metrics ?? frame.metrics;
  const mode = options.robust ? 'robust' : 'standard';
  const models: Record<string, ForecastModel> = {};

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
    if (lo === hi) { warnings.push(`forecast: ${metric} is constant (${fmt(lo)}) in the fitted rows; skipped`); continue; }
    let model: ForecastModel;
    const known = getOwn(fitted, metric); // setOwn/getOwn: a metric may be named __proto__ or constructor
    try {
      if (known) model = { ...known, interval: options.interval ?? known.interval };
      else model = fitForecast(tTrain, yTrain, fitOptions);
      if (options.robust && !known) {
        const first = predictForecast(model, tTrain);
        const kept = Float64Array.from(yTrain);
        let dropped = 0;
        for (let i = 0; i < nTrain; i++) {
          if (forecastScore(kept[i], first.lower[i], first.upper[i]) >= ROBUST_SCORE) { kept[i] = NaN; dropped++; }
        }
        setOwn(excluded, metric, dropped);
        if (dropped > 0) model = fitForecast(tTrain, kept, fitOptions);
      }
    } catch (e) {
      warnings.push(`forecast: ${metric} cannot be fitted (${(e as Error).message}); skipped`);
      continue;
    }
    const result = predictForecast(model, t);
    // Values near ±1.7e308 overflow the fit: a band of ±Infinity (null in the JSON) is not shown without a word.
    if (!finiteBand(result, nTrain)) {
      warnings.push(`forecast: ${metric} has values too large to fit (up to ${fmt(Math.abs(lo) > Math.abs(hi) ? lo : hi)}); skipped`);
      continue;
    }
    setOwn(models, metric, model);
    setOwn(seasonalities, metric, model.seasonalities.map((s) => s.name));
    setOwn(forecast, metric, result);
    for (const a of forecastAnomalies(frame, metric, y, result.lower, result.upper)) anomalies.push(a);
  }
  anomalies.sort((a, b) => a.row - b.row || indexIn(metrics, a.metric ?? '') - indexIn(metrics, b.metric ?? ''));
  const settings: Record<string, unknown> = {
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
  return { forecast, anomalies, settings, warnings, mode, models };
}
