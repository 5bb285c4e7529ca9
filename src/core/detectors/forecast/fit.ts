/**
 * Fitting Prophet's additive model (Taylor & Letham, "Forecasting at scale", The American Statistician 72(1),
 * 2018; https://peerj.com/preprints/3190/) with linear growth:
 *
 *   y(t) = trend(t) + Σ seasonality(t) + ε
 *   trend(t) = k·t + m + Σ_j δ_j·(t − s_j)₊         (piecewise linear, continuous at the changepoints s_j)
 *
 * Everything is fitted on Prophet's scales: t ∈ [0, 1] over the history, y divided by max|y| ("absmax").
 * Priors are those of Prophet's Stan model: k, m ~ N(0, 5); δ_j ~ Laplace(0, changepointPriorScale);
 * β ~ N(0, seasonalityPriorScale); σ ~ N⁺(0, 0.5).
 *
 * `mapFit` finds Prophet's posterior mode with ε ~ N(0, σ²) (what Stan's `optimizing` does in `prophet()`), by
 * block-coordinate descent that needs only the p×p Gram matrix (p ≤ 2 + 25 + 34 columns):
 *   - θ = (k, m, δ, β) given σ: the L1 term is majorised by a quadratic at the current δ
 *     (|δ| ≤ δ²/2|δ₀| + |δ₀|/2, the MM / iteratively-reweighted least squares of Hunter & Li 2005),
 *     so each step is one ridge solve (XᵀX + σ²·D)θ = Xᵀy by Cholesky;
 *   - σ given θ: the closed-form root of 4σ⁴ + nσ² − RSS = 0.
 *
 * `huberFit` then replaces the Gaussian likelihood by Huber's loss (Huber 1964; c = 1.345 robust standard
 * deviations, 95 % efficiency on normal noise), so anomalies inside the training window pull the fit only
 * linearly, not quadratically. Huber's ρ has curvature ≤ 1, so ρ(r) ≤ ρ(r₀) + ψ(r₀)(r − r₀) + (r − r₀)²/2 majorises
 * it: each step is the same ridge solve with the pseudo-observations yhat₀ + ψ(r₀) (Huber's "modified residuals"),
 * whose right-hand side is Gθ₀ + Xᵀψ(r₀): one O(n·p) pass per step, the Gram matrix unchanged.
 */
import { select } from '../../stats.ts';
import type { DesignPoints, Normal } from './columns.ts';
import { columns, fitted, normalEquations, transposeTimes } from './columns.ts';
import { choleskySolve } from './linalg.ts';
import type { Seasonality } from './seasonality.ts';
import { featureCount, fourierRow } from './seasonality.ts';

export const DAY_MS = 86_400_000;
/** σ² may not go below this (scaled units): an exactly fitting history would otherwise send it to 0. */
const SIGMA2_FLOOR = 1e-14;
/** Smoothing of |δ| in the L1 majoriser, so a coefficient at 0 keeps a finite weight. */
const L1_EPS = 1e-10;
const MAX_ITERATIONS = 500;
/** Huber's tuning constant in robust standard deviations (95 % efficiency under normal noise). */
const HUBER_C = 1.345;
/** Majorise-minimise steps of the Huber fit, at most (each is one O(n·p) pass). */
const HUBER_STEPS = 20;
/** The step after which the robust scale is re-estimated from the Huber fit's own residuals. */
const HUBER_RESCALE = 5;
/** Stop when no parameter moves by more than this (relative to the largest, scaled units). */
const HUBER_TOL = 1e-5;

export function daysOf(t: number, unit: 'ms' | 'index'): number {
  return unit === 'ms' ? t / DAY_MS : t;
}

/** Round half to even, as numpy's `round` (used by Prophet to place changepoints). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The sorted finite points of a history, on Prophet's scales, with the model's columns (see DesignPoints). */
export interface Design extends DesignPoints {
  timeUnit: 'ms' | 'index';
  seasonalities: Seasonality[];
}

/** The Fourier columns of the points `ts`, row-major ts.length × featureCount(seasonalities). */
export function fourierBlock(ts: Float64Array, timeUnit: 'ms' | 'index', seasonalities: Seasonality[]): Float64Array {
  const K = featureCount(seasonalities);
  const out = new Float64Array(ts.length * K);
  if (!K) return out;
  const x = new Float64Array(K);
  for (let r = 0; r < ts.length; r++) {
    fourierRow(daysOf(ts[r], timeUnit), seasonalities, x, 0);
    out.set(x, r * K);
  }
  return out;
}

/** The points where t and y are finite, sorted by time (RangeError when fewer than two at distinct times). */
export function finitePoints(t: Float64Array, y: Float64Array): { ts: Float64Array; ys: Float64Array } {
  const idx: number[] = [];
  const len = Math.min(t.length, y.length);
  for (let i = 0; i < len; i++) if (Number.isFinite(t[i]) && Number.isFinite(y[i])) idx.push(i);
  idx.sort((a, b) => t[a] - t[b] || a - b);
  const n = idx.length;
  const ts = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) { ts[i] = t[idx[i]]; ys[i] = y[idx[i]]; }
  if (n < 2 || !(ts[n - 1] > ts[0])) throw new RangeError('needs at least 2 values at distinct times');
  return { ts, ys };
}

/** Prophet's scales and changepoints (set_changepoints: evenly spaced over the first `range` of the points). */
export function design(ts: Float64Array, ys: Float64Array, timeUnit: 'ms' | 'index', seasonalities: Seasonality[],
  nChangepoints: number, range: number, fourier?: Float64Array): Design {
  const n = ts.length;
  let maxAbs = 0;
  for (let i = 0; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(ys[i]));
  const start = ts[0];
  const tScale = ts[n - 1] - start;
  const histSize = Math.floor(n * range);
  const nCp = Math.min(nChangepoints, histSize - 1);
  const cps: number[] = [];
  for (let i = 1; i <= nCp; i++) cps.push((ts[roundHalfEven((i * (histSize - 1)) / nCp)] - start) / tScale);
  const S = cps.length;
  const K = featureCount(seasonalities);
  return {
    ts, ys, n, timeUnit, start, tScale, yScale: maxAbs === 0 ? 1 : maxAbs, seasonalities, cps, S, K, p: 2 + S + K,
    fourier: fourier ? fourier.subarray(0, n * K) : fourierBlock(ts, timeUnit, seasonalities),
  };
}

/** The fitted parameters θ = (k, m, δ, β) and σ², scaled units. */
export interface Fit {
  theta: Float64Array;
  sigma2: number;
  iterations: number;
  /** Negative log posterior at the Gaussian MAP, with Stan's dropped constants (NaN after a Huber fit). */
  objective: number;
}

function priorPrecisions(d: Design, tau: number, seasonalityScale: number): Float64Array {
  const prec = new Float64Array(d.p);
  prec[0] = 1 / 25;
  prec[1] = 1 / 25;
  for (let j = 0; j < d.S; j++) prec[2 + j] = 1 / (tau * tau);
  for (let j = 0; j < d.K; j++) prec[2 + d.S + j] = 1 / (seasonalityScale * seasonalityScale);
  return prec;
}

/**
 * Prophet's MAP (Gaussian noise), exact: see the file comment; stops when the objective's relative change is
 * ≤ `tolerance`. Returns the normal equations for reuse.
 */
export function mapFit(d: Design, tau: number, seasonalityScale: number, tolerance = 1e-11): Fit & { normal: Normal } {
  const { p, n, S, K } = d;
  const normal = normalEquations(d);
  const { G, b, yy } = normal;
  const prec = priorPrecisions(d, tau, seasonalityScale);
  const A = new Float64Array(p * p);
  const work = new Float64Array(p * p);
  const theta = new Float64Array(p);
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
      const o = i * p;
      for (let j = 0; j < p; j++) s += G[o + j] * theta[j];
      tGt += theta[i] * s;
      tb += theta[i] * b[i];
    }
    const rss = Math.max(0, yy - 2 * tb + tGt);
    sigma2 = Math.max(SIGMA2_FLOOR, (2 * rss) / (n + Math.sqrt(n * n + 16 * rss)));
    let penalty = (theta[0] * theta[0] + theta[1] * theta[1]) / 50;
    for (let j = 0; j < S; j++) {
      const dj = theta[2 + j];
      penalty += Math.abs(dj) / tau;
      prec[2 + j] = 1 / (tau * Math.sqrt(dj * dj + L1_EPS * L1_EPS));
    }
    for (let j = 0; j < K; j++) penalty += (theta[2 + S + j] * theta[2 + S + j]) / (2 * seasonalityScale * seasonalityScale);
    objective = rss / (2 * sigma2) + (n / 2) * Math.log(sigma2) + 2 * sigma2 + penalty;
    if (it >= 2 && Math.abs(prev - objective) <= tolerance * Math.max(1, Math.abs(objective))) break;
    prev = objective;
  }
  return { theta, sigma2, iterations, objective, normal };
}

/** Residuals y − Xθ of every point (scaled units). */
export function residuals(d: Design, theta: Float64Array, out: Float64Array = new Float64Array(d.n)): Float64Array {
  fitted(d, theta, out);
  const { yv } = columns(d);
  for (let q = 0; q < d.n; q++) out[q] = yv[q] - out[q];
  return out;
}

/** 1.4826 × the median absolute value (a robust standard deviation of residuals centred near 0). */
export function robustScale(r: Float64Array): number {
  const a = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) a[i] = Math.abs(r[i]);
  return a.length ? 1.4826 * select(a, a.length, a.length >> 1) : 0;
}

/** r = y − Xθ into `r`, and xpsi = Xᵀψ_c(r) (ψ_c = clamp to ±c; `psi` is scratch of length n). */
function huberPass(d: Design, theta: Float64Array, c: number, r: Float64Array, xpsi: Float64Array, psi: Float64Array): void {
  residuals(d, theta, r);
  for (let q = 0; q < d.n; q++) { const rq = r[q]; psi[q] = rq > c ? c : rq < -c ? -c : rq; }
  transposeTimes(d, psi, xpsi);
}

/**
 * Huber-loss fit with Prophet's priors, started at the Gaussian MAP `start`: Σ ρ_c(r_i)/s² + prior terms, with
 * s the robust scale of the MAP's residuals (re-estimated once, after HUBER_RESCALE steps). σ² of the result is the Gaussian one
 * given θ (the closed form above), so the in-history band keeps its meaning.
 */
export function huberFit(d: Design, start: Fit & { normal: Normal }, tau: number, seasonalityScale: number): Fit {
  const { p, n, S } = d;
  const { G } = start.normal;
  const prec = priorPrecisions(d, tau, seasonalityScale);
  const theta = Float64Array.from(start.theta);
  const r = residuals(d, theta);
  let s = robustScale(r);
  if (!(s > 1e-9)) return start; // most points fitted exactly: nothing to be robust against
  const A = new Float64Array(p * p);
  const work = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  const next = new Float64Array(p);
  let iterations = 0;
  // Xᵀψ(r) of the current residuals; each pass below computes the next residuals and their Xᵀψ together.
  const xpsi = new Float64Array(p);
  const psi = new Float64Array(n);
  let c = HUBER_C * s;
  huberPass(d, theta, c, r, xpsi, psi);
  for (let it = 0; it < HUBER_STEPS; it++) {
    iterations = it + 1;
    // rhs = Gθ + Xᵀψ(r), ψ(r) = clamp(r, −c, c).
    for (let i = 0; i < p; i++) {
      let v = xpsi[i];
      const o = i * p;
      for (let j = 0; j < p; j++) v += G[o + j] * theta[j];
      rhs[i] = v;
    }
    for (let j = 0; j < S; j++) prec[2 + j] = 1 / (tau * Math.sqrt(theta[2 + j] * theta[2 + j] + L1_EPS * L1_EPS));
    A.set(G);
    const s2 = s * s;
    for (let i = 0; i < p; i++) A[i * p + i] += s2 * prec[i];
    choleskySolve(A, rhs, p, work, next);
    let change = 0;
    let size = 0;
    for (let i = 0; i < p; i++) { change = Math.max(change, Math.abs(next[i] - theta[i])); size = Math.max(size, Math.abs(next[i])); }
    theta.set(next);
    if (it + 1 === HUBER_RESCALE) {
      huberPass(d, theta, Infinity, r, xpsi, psi);
      s = Math.max(robustScale(r), 1e-9);
      c = HUBER_C * s;
    }
    huberPass(d, theta, c, r, xpsi, psi);
    if (change <= HUBER_TOL * Math.max(1, size)) break;
  }
  let rss = 0;
  for (let q = 0; q < n; q++) rss += r[q] * r[q];
  const sigma2 = Math.max(SIGMA2_FLOOR, (2 * rss) / (n + Math.sqrt(n * n + 16 * rss)));
  return { theta, sigma2, iterations: start.iterations + iterations, objective: NaN };
}
