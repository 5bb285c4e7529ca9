/**
 * The fitted part of streaming: a per-metric baseline, estimated on a training span and then frozen until it is
 * refitted (src/core/streaming/retraining.ts decides when).
 *
 * Model: a level and one robust scale, 1.4826 × the median absolute residual from the level (the MAD,
 * consistent with the standard deviation for Gaussian noise; Rousseeuw & Croux, "Alternatives to the median
 * absolute deviation", JASA 88, 1993). The level is either one median (flat) or the median of each hour of
 * the day (UTC): a daily profile. The daily profile is chosen only when it predicts the data of other days:
 * with at least two days of data, the hourly medians of the even days are tried on the odd days and the
 * other way round (two-fold cross-validation by day), and they must cut the out-of-fold MAD of the flat
 * median by a fifth; its scale is then that out-of-fold MAD (an hour's median fitted on a few values makes
 * its own residuals look small). Medians throughout, so the anomalies inside the span do not move the fit.
 *
 * A refit after a drift (`shift`), or one on less than two days when the previous fit is daily, has only a
 * few hours or a day of the new regime: it moves the previous fit by the
 * median offset of the new data from it (a level shift moves every hour), and keeps the larger of the two
 * scales (a few hours of data understate the spread of a day).
 *
 * A new value x at hour h is scored by its robust z = (x − level[h]) / scale and the two-sided Gaussian tail
 * probability of z. A daily profile catches what the nearest-neighbour novelty of streamDetector.ts does not
 * see at once: a value seen before, but not at this time of day.
 */
import { finiteMedian } from '../stats.ts';

const DAY = 86_400_000;
/** Bins of the daily profile (hours of the day, UTC). */
export const DAY_BINS = 24;
/** Training values an hour needs, in each fold, for its own median. */
export const MIN_PER_BIN = 3;
/** Fewest finite training values a fit needs. */
export const MIN_FIT_VALUES = 8;
/** A daily profile must cut the flat fit's out-of-fold MAD to this share or less. */
export const DAILY_GAIN = 0.8;

/** One metric's fitted baseline. */
export interface BaselineProfile {
  /** The level of each bin: DAY_BINS levels for a daily profile, 1 for a flat one. */
  level: Float64Array;
  /** The robust scale of the residuals (> 0). */
  scale: number;
  /** The fitted upper tail of |z| on the training span (see `tailOf`). */
  tail: Tail;
}

/**
 * The tail of |z| beyond its TAIL_QUANTILE quantile u, as an exponential: P(|z| > x) = q·exp(−(x − u)/β) for
 * x ≥ u, with q the share of training |z| above u and β their mean excess over u — peaks over threshold with
 * the generalised Pareto's shape fixed at 0 (Pickands, "Statistical inference using extreme order
 * statistics", Ann. Statist. 3, 1975; for streams, Siffer et al., "Anomaly detection in streams with extreme
 * value theory", KDD 2017). So a metric with heavy tails is not flagged at every burst, while a Gaussian
 * one (β ≈ 0.4) still is far out: the exponential is the heavier of the two, so the tail is conservative.
 */
export interface Tail {
  u: number;
  q: number;
  beta: number;
}

/** The quantile of |z| from which the tail is fitted. */
export const TAIL_QUANTILE = 0.95;
/** The tail of Gaussian noise (its |z| beyond the 95th percentile), used when a span has too few exceedances. */
const GAUSSIAN_TAIL: Tail = { u: 1.96, q: 0.05, beta: 0.42 };

/** Fits the tail of |residual| / scale (needs 5 exceedances; else the Gaussian's). */
export function tailOf(residuals: readonly number[], scale: number): Tail {
  const z = Float64Array.from(residuals, (r) => Math.abs(r) / scale).sort();
  const u = z[Math.min(z.length - 1, Math.floor(TAIL_QUANTILE * z.length))];
  let n = 0, excess = 0;
  for (const v of z) if (v > u) { n++; excess += v - u; }
  if (n < 5 || !(excess > 0)) return GAUSSIAN_TAIL;
  return { u, q: n / z.length, beta: Math.max(GAUSSIAN_TAIL.beta, excess / n) };
}

/** The bin of a timestamp: its hour of the day (UTC) for `bins` = 24, 0 when `bins` is 1 or the time is NaN. */
export function binOf(ms: number, bins: number): number {
  if (bins <= 1 || !Number.isFinite(ms)) return 0;
  const inDay = ((ms % DAY) + DAY) % DAY;
  return Math.min(bins - 1, Math.floor((inDay * bins) / DAY));
}

const median = (xs: number[]): number => finiteMedian(Float64Array.from(xs));
const MAD_SD = 1.4826;

/** 1.4826 × the median |r|; when more than half are 0 (a step-like metric) √(π/2) × the mean |r|; else tiny. */
function robustScale(residuals: number[], level: number): number {
  const abs = residuals.map(Math.abs);
  let scale = MAD_SD * median(abs);
  if (!(scale > 0)) scale = 1.2533 * (abs.reduce((a, b) => a + b, 0) / Math.max(1, abs.length));
  return scale > 0 ? scale : 1e-6 * Math.max(1, Math.abs(level));
}

/** Hourly medians of the values (NaN for an hour with fewer than MIN_PER_BIN). */
function hourly(xs: number[], hs: number[]): Float64Array {
  const by: number[][] = Array.from({ length: DAY_BINS }, () => []);
  for (let i = 0; i < xs.length; i++) by[hs[i]].push(xs[i]);
  return Float64Array.from(by, (b) => (b.length >= MIN_PER_BIN ? median(b) : NaN));
}

/**
 * Fits one metric's baseline on `values` at `times` (same length; non-finite values are skipped). With a
 * `prior` and `shift`, moves the prior instead (a refit after a drift). Null when there are too few values.
 */
export function fitProfile(values: ArrayLike<number>, times: ArrayLike<number>, prior: BaselineProfile | null = null, shift = false): BaselineProfile | null {
  const xs: number[] = [], ts: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    xs.push(values[i]);
    ts.push(times[i]);
  }
  if (xs.length < MIN_FIT_VALUES) return null;
  let lo = Infinity, hi = -Infinity;
  for (const t of ts) { if (t < lo) lo = t; if (t > hi) hi = t; }
  const timed = ts.every(Number.isFinite);
  const twoDays = timed && hi - lo >= 2 * DAY - DAY / DAY_BINS;
  // Less than two days cannot check a daily profile: a daily prior is moved rather than dropped.
  if (prior && (shift || (!twoDays && prior.level.length > 1))) {
    const bins = prior.level.length;
    const d = xs.map((x, i) => x - prior.level[binOf(ts[i], bins)]);
    const offset = median(d);
    const level = prior.level.map((l) => l + offset);
    return { level, scale: Math.max(prior.scale, robustScale(d.map((r) => r - offset), offset)), tail: prior.tail };
  }
  const flat = median(xs);
  const flatRes = xs.map((x) => x - flat);
  const flatScale0 = robustScale(flatRes, flat);
  const flatFit = { level: Float64Array.of(flat), scale: flatScale0, tail: tailOf(flatRes, flatScale0) };
  if (!twoDays) return flatFit;
  // Two folds by day: even and odd UTC days.
  const hs = ts.map((t) => binOf(t, DAY_BINS));
  const fold = ts.map((t) => Math.floor(t / DAY) & 1);
  const part = (f: number): [number[], number[]] => [xs.filter((_, i) => fold[i] === f), hs.filter((_, i) => fold[i] === f)];
  const [x0, h0] = part(0), [x1, h1] = part(1);
  const p0 = hourly(x0, h0), p1 = hourly(x1, h1);
  const m0 = median(x0), m1 = median(x1);
  const dailyOut: number[] = [], flatOut: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const other = fold[i] ? p0 : p1;
    const l = other[hs[i]];
    if (Number.isNaN(l)) continue;
    dailyOut.push(xs[i] - l);
    flatOut.push(xs[i] - (fold[i] ? m0 : m1));
  }
  if (dailyOut.length < MIN_FIT_VALUES) return flatFit;
  const dailyScale = robustScale(dailyOut, flat), flatScale = robustScale(flatOut, flat);
  if (!(dailyScale <= DAILY_GAIN * flatScale)) return flatFit;
  const all = hourly(xs, hs);
  return { level: all.map((l) => (Number.isNaN(l) ? flat : l)), scale: dailyScale, tail: tailOf(dailyOut, dailyScale) };
}

/** The robust z of `x` at time `ms` under `p` (NaN for a missing value). */
export function zOf(p: BaselineProfile, ms: number, x: number): number {
  if (!Number.isFinite(x)) return NaN;
  return (x - p.level[binOf(ms, p.level.length)]) / p.scale;
}

/** Surprise −log10 P(|Z| ≥ |z|) under the fitted tail (0 for NaN; below u, a straight line from 0 to the tail's start). */
export function surpriseOf(p: BaselineProfile, z: number): number {
  if (Number.isNaN(z)) return 0;
  const a = Math.abs(z);
  const { u, q, beta } = p.tail;
  const atU = -Math.log10(q);
  if (a < u) return (atU * a) / u;
  return atU + (a - u) / (beta * Math.LN10);
}
