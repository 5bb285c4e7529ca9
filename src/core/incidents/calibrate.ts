import { select } from '../stats.ts';

/**
 * Calibrated scores (SPEC §4): a finding's 0–100 score says how rare it is on this data's own normal
 * behaviour, the same way for every detector, so that a severity band means a false-alarm rate.
 *
 * Method. Each detector gives, per row and series (a metric, or all metrics for the Isolation Forest), a
 * statistic that grows with strangeness. Its upper tail is modelled the way SPOT does (Siffer, Fouque,
 * Termier & Largouët, "Anomaly Detection in Streams with Extreme Value Theory", KDD 2017): above a high
 * threshold u (the 1 − q quantile) the excesses follow a generalised Pareto distribution (Pickands–
 * Balkema–de Haan), so P(X > x) = q · (1 + ξ(x − u)/σ)^(−1/ξ) extrapolates past the largest value seen.
 * SPOT fits σ and ξ by maximum likelihood on all excesses; the anomalies we look for are in those
 * excesses, so here their largest tenth is censored (it counts only as "at least this large"): the size of
 * a few huge anomalies does not move the fit. ξ is kept in [0, 0.5]: a negative ξ (a
 * bounded tail) estimated by chance would make every value past the bound infinitely rare; an exponential
 * tail is the lightest one assumed.
 *
 * The probability is never below the share of comparable events (at least three quarters as far past u)
 * that this data holds beyond the first three (what happened here fourteen times is not a once-a-month event,
 * whatever the fitted tail says).
 *
 * A tail probability p becomes an expected false-alarm rate: p times the number of places tested per day
 * (rows per day × series tested by every detector — the correction for testing many places at once). The
 * tail's share q counts events (runs of exceedances), so the rate is a rate of events. The rate
 * maps to the score on a log scale through the bands' anchors (RATE_ANCHORS): critical is rarer than once a
 * month of this data's normal behaviour, major rarer than once a week, minor rarer than once a day,
 * warning rarer than once an hour. Data without timestamps counts a row as a minute.
 */

/** The fitted upper tail of one statistic; see tailProbability. */
export interface TailModel {
  /** The threshold u: values above it are in the modelled tail. */
  u: number;
  /** Share of the fitted values above u. */
  q: number;
  /** GPD scale (> 0) and shape. */
  sigma: number;
  xi: number;
  /** Number of finite values fitted. */
  n: number;
  /** The events' peaks above u (excesses, ascending): the model never calls a value rarer than these say it is. */
  peaks: number[];
}

/** Share of the values that fall in the modelled tail (SPOT's 98th percentile): at least 20 values when the data is short. */
const TAIL_SHARE = 0.02;
const MIN_EXCESSES = 20;
/** The fewest events the GPD is fitted to; with fewer the tail is an exponential as wide as the data's body. */
const MIN_EVENTS = 10;
/** The most events the GPD is fitted to. */
const MAX_EVENTS = 1000;
const XI_MIN = 0;
const XI_MAX = 0.5;

/**
 * Fits the upper tail of the finite values, in their order (NaN and ±Infinity are skipped). Values equal to the threshold
 * are not excesses, so constant data gives a tail in which any larger value is extremely rare. Null when
 * there are fewer than 10 finite values (too few to say what is normal).
 *
 * `resolution`: the least the statistic can move on this data (0: no limit), a floor for the tail's scale. A statistic
 * of a quantised metric (a counter of errors) takes few values: mostly one (0 where nothing happened), so the body has
 * no width, and the few events above it are too few to fit; without the floor a scale of 1e-9 would call one count more
 * than usual rarer than once in ten years. With it, each resolution step past the threshold is at most e times rarer.
 */
export function fitTail(values: ArrayLike<number>, resolution = 0): TailModel | null {
  const all = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v === 0) all[n++] = v;
  }
  if (n < 10) return null;
  const k = tailCount(n);
  const work = all.subarray(0, n);
  let u = select(work, n, n - 1 - k);
  const mid = select(work, n - 1 - k, Math.floor((n - 1) / 2));
  // A value held for long (a stuck sensor filling 5 % of the rows) would put u inside that block and make it
  // look ordinary: when ties at u leave fewer than half the tail's rows above it, u is taken among the other
  // values.
  let atOrAbove = 0, above = 0;
  for (let i = 0; i < n; i++) if (work[i] >= u) { atOrAbove++; if (work[i] > u) above++; }
  if (above < k / 2 && n - atOrAbove > 10) {
    const rest = new Float64Array(n - atOrAbove);
    let r = 0;
    for (let i = 0; i < n; i++) if (work[i] < u) rest[r++] = work[i];
    u = select(rest, r, Math.max(0, r - 1 - tailCount(r)));
  }
  // Runs declustering (Coles, An Introduction to Statistical Modeling of Extreme Values, 2001, §5.3): the
  // exceedances of u in a row are one event, represented by its peak. A long anomaly (a sensor stuck for
  // hours) is then one event among the many ordinary ones instead of filling the tail, and the rate the
  // scores speak of is a rate of events, not of rows.
  const peaksFound: number[] = [];
  let peak = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) continue;
    if (v > u) { if (v > peak) peak = v; continue; }
    if (peak > u) peaksFound.push(peak - u);
    peak = -Infinity;
  }
  if (peak > u) peaksFound.push(peak - u);
  const excess = Float64Array.from(peaksFound).sort();
  // A long series has thousands of events over u: the fit keeps the MAX_EVENTS largest (a higher threshold,
  // which the GPD approximates better), so its cost does not grow with the rows.
  let uFit = u;
  let fitted = excess;
  if (excess.length > MAX_EVENTS) {
    const cut = excess[excess.length - MAX_EVENTS - 1];
    uFit = u + cut;
    const top = excess.subarray(excess.length - MAX_EVENTS);
    let first = 0;
    while (first < top.length && top[first] <= cut) first++;
    fitted = top.subarray(first).map((e) => e - cut);
  }
  const q = fitted.length / n;
  // Scale of the data around u: a floor for σ, so that a tail of near-identical values does not make every
  // tiny difference look extreme.
  const spread = Math.max(u - mid, 0);
  const floor = Math.max(1e-9 * Math.max(1, Math.abs(u)), 1e-3 * spread, resolution > 0 ? resolution : 0);
  const peaks = Array.from(fitted);
  // Too few events to fit a tail: an exponential tail as wide as the body of the data (u − median), so that
  // only values far past everything seen get extreme scores.
  if (peaks.length < MIN_EVENTS) return { u: uFit, q: Math.max(q, 1 / n), sigma: Math.max(floor, spread), xi: 0, n, peaks };
  const { sigma, xi } = censoredGpd(peaks);
  return { u: uFit, q, sigma: Math.max(floor, sigma), xi, n, peaks };
}

/**
 * Standard deviation of the prior on ξ (centred on 0, the exponential tail): a short tail sample cannot pin
 * ξ down, and a heavy ξ fitted by chance hides real anomalies. Martins & Stedinger (Water Resources Research
 * 36(3), 2000) put a prior on ξ for the same reason ("generalized maximum likelihood").
 */
const XI_PRIOR_SD = 0.3;

/** Share of the excesses (the largest) that the GPD fit censors: it uses only that they are that large. */
const CENSORED_SHARE = 0.1;

/**
 * Maximum-likelihood GPD fit to excesses (ascending) with the largest CENSORED_SHARE of them type-II censored:
 * they count only as "at least the censoring value", so the size of a few huge anomalies cannot stretch the
 * tail (their number still can: many anomalies make the tail heavier, which errs towards fewer alarms). ξ is
 * searched on a grid of 0.01 over [XI_MIN, XI_MAX] with the prior XI_PRIOR_SD, σ by golden-section search for each ξ.
 */
function censoredGpd(excess: number[]): { sigma: number; xi: number } {
  const k = excess.length;
  const kept = Math.max(2, k - Math.floor(CENSORED_SHARE * k));
  const c = excess[kept - 1];
  const m = k - kept;
  const y = excess.slice(0, kept);
  let mean = 0;
  for (const v of y) mean += v / kept;
  const logLik = (sigma: number, xi: number): number => {
    let ll = -kept * Math.log(sigma);
    // The m largest are censored at c: each contributes only P(Y > c).
    if (xi < 1e-9) {
      let sum = 0;
      for (const v of y) sum += v;
      return ll - sum / sigma - (m * c) / sigma;
    }
    const a = 1 + 1 / xi;
    for (const v of y) ll -= a * Math.log1p((xi * v) / sigma);
    return ll - (m / xi) * Math.log1p((xi * c) / sigma);
  };
  const lo0 = Math.log(Math.max(mean, 1e-300) / 100), hi0 = Math.log(Math.max(mean, 1e-300) * 10);
  const g = (Math.sqrt(5) - 1) / 2;
  // Profile likelihood of ξ (σ maximised by golden-section search), penalised by the prior.
  const profile = (xi: number): { sigma: number; ll: number } => {
    let lo = lo0, hi = hi0;
    let x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
    let f1 = logLik(Math.exp(x1), xi), f2 = logLik(Math.exp(x2), xi);
    for (let it = 0; it < 40; it++) {
      if (f1 > f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = logLik(Math.exp(x1), xi); }
      else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = logLik(Math.exp(x2), xi); }
    }
    const sigma = Math.exp((lo + hi) / 2);
    return { sigma, ll: logLik(sigma, xi) - (xi * xi) / (2 * XI_PRIOR_SD * XI_PRIOR_SD) };
  };
  // A coarse grid of ξ (0.05), then the hundredths around its best point.
  let best = { sigma: Math.max(mean, 1e-300), xi: 0, ll: -Infinity };
  const consider = (step: number) => {
    const xi = step / 100;
    if (xi < XI_MIN - 1e-12 || xi > XI_MAX + 1e-12) return;
    const p = profile(xi);
    if (p.ll > best.ll) best = { sigma: p.sigma, xi, ll: p.ll };
  };
  for (let step = Math.round(XI_MIN * 100); step <= Math.round(XI_MAX * 100); step += 5) consider(step);
  const centre = Math.round(best.xi * 100);
  for (let step = centre - 4; step <= centre + 4; step++) if (step !== centre) consider(step);
  return { sigma: best.sigma, xi: best.xi };
}

/** How many of n values the tail holds: TAIL_SHARE of them, at least MIN_EXCESSES (a third of a short series). */
function tailCount(n: number): number {
  return Math.min(n - 1, Math.max(Math.ceil(TAIL_SHARE * n), Math.min(MIN_EXCESSES, Math.floor(n / 3))));
}

/** The threshold fitTail would choose for these values (ascending, finite): where the modelled tail starts. NaN when empty. */
export function tailThresholdSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  return n === 0 ? NaN : sorted[tailThresholdIndex(n)];
}

/** The position in n ascending values (n ≥ 1) that tailThresholdSorted reads. */
export function tailThresholdIndex(n: number): number {
  return n < 2 ? 0 : n - 1 - tailCount(n);
}

/**
 * P(X > x) under the tail model; 1 at or below the threshold (the body of the distribution is not modelled).
 * `repeatsAllowed`: see REPEATS_ALLOWED (given otherwise only by the bench that cross-validates it).
 */
export function tailProbability(t: TailModel, x: number, repeatsAllowed: number = REPEATS_ALLOWED): number {
  if (!(x > t.u)) return x === x ? 1 : NaN;
  const z = (x - t.u) / t.sigma;
  let p: number;
  if (Math.abs(t.xi) < 1e-9) p = t.q * Math.exp(-z);
  else {
    const base = 1 + t.xi * z;
    p = base <= 0 ? 0 : t.q * Math.pow(base, -1 / t.xi);
  }
  // What happened in this very data is not rare: a daily job's spike seen 14 times in 14 days stays a
  // once-a-day event however light the fitted tail is.
  return Math.max(p, Math.max(0, eventsAtLeast(t.peaks, COMPARABLE * (x - t.u)) - repeatsAllowed) / t.n);
}

/**
 * Events at least as large that do not yet count against rarity: the one being scored and two more (three
 * incidents of one kind in a file are still three incidents; a fourth makes it a pattern). Chosen by
 * cross-validation over the NAB folders (`npm run bench:incidents-cv`: 2, 3 and 4 tried; 3 on every set of four
 * folders), where a file often holds two to four labelled anomalies of one kind.
 */
export const REPEATS_ALLOWED = 3;
/** Events count as repeats of a value when their excess over u is at least this share of its excess. */
const COMPARABLE = 0.75;

/** How many of the ascending peaks are at least e (binary search). */
function eventsAtLeast(peaks: readonly number[], e: number): number {
  let lo = 0, hi = peaks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (peaks[mid] < e) lo = mid + 1;
    else hi = mid;
  }
  return peaks.length - lo;
}

/** (log10 false alarms per day, score) anchors of the bands, from the rarest to the most frequent. */
const RATE_ANCHORS: ReadonlyArray<readonly [number, number]> = [
  [Math.log10(1 / 3650), 100], // once in ten years
  [Math.log10(1 / 30), 75], // critical: rarer than once a month
  [Math.log10(1 / 7), 50], // major: rarer than once a week
  [0, 25], // minor: rarer than once a day
  [Math.log10(24), 3], // warning: rarer than once an hour
  [Math.log10(24 * 60), 0],
];

/** The 0–100 score of an expected false-alarm rate (per day), piecewise linear in log10(rate) through the band anchors. */
export function scoreOfRate(perDay: number): number {
  if (!(perDay > 0)) return perDay === 0 ? 100 : 0;
  const x = Math.log10(perDay);
  if (x <= RATE_ANCHORS[0][0]) return 100;
  for (let i = 1; i < RATE_ANCHORS.length; i++) {
    const [x1, s1] = RATE_ANCHORS[i];
    if (x <= x1) {
      const [x0, s0] = RATE_ANCHORS[i - 1];
      return Math.round((s0 + ((s1 - s0) * (x - x0)) / (x1 - x0)) * 10) / 10;
    }
  }
  return 0;
}

/** The false-alarm rate per day at which a score is reached (the inverse of scoreOfRate). */
export function rateOfScore(score: number): number {
  if (score >= 100) return Math.pow(10, RATE_ANCHORS[0][0]);
  if (score <= 0) return Math.pow(10, RATE_ANCHORS[RATE_ANCHORS.length - 1][0]);
  for (let i = 1; i < RATE_ANCHORS.length; i++) {
    const [x1, s1] = RATE_ANCHORS[i];
    if (score >= s1) {
      const [x0, s0] = RATE_ANCHORS[i - 1];
      return Math.pow(10, x0 + ((x1 - x0) * (s0 - score)) / (s0 - s1));
    }
  }
  return Math.pow(10, RATE_ANCHORS[RATE_ANCHORS.length - 1][0]);
}

/** How many places are tested per day: rows per day (from the sampling step; a row is a minute without one) × series tested. */
export function testsPerDay(stepMs: number | null, series: number): number {
  const rowsPerDay = stepMs && stepMs > 0 ? 86_400_000 / stepMs : 1440;
  return rowsPerDay * Math.max(1, series);
}

/** A detector statistic's calibration: its tail and how many places are tested per day. */
export interface Calibration {
  tail: TailModel;
  testsPerDay: number;
}

/** The calibrated 0–100 score of statistic x: scoreOfRate(P(X > x) × tests per day). 0 for NaN. */
export function calibratedScore(c: Calibration, x: number, repeatsAllowed: number = REPEATS_ALLOWED): number {
  if (x !== x) return 0;
  return scoreOfRate(tailProbability(c.tail, x, repeatsAllowed) * c.testsPerDay);
}

