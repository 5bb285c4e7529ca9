/**
 * The band past the history: Prophet's simulation (method 'prophet', or 'cv' without cross-validation), or the
 * empirical quantiles of the rolling-origin errors at the same horizon (method 'cv', see cv.ts).
 */
import { createRng } from '../../random.ts';
import { quantileSorted } from '../../stats.ts';
import { normalQuantile } from './linalg.ts';
import type { ForecastModel, FutureSpec } from './model.ts';
import { spreadAt } from './spread.ts';

/**
 * Prophet's sample_predictive_trend for the rows past the history: per draw, Poisson(S·(T − 1)) new
 * changepoints uniform on (1, T], rate changes ~ Laplace(mean|δ| + 1e-8), plus observation noise; the band
 * is the quantiles over draws. Noise uses stratified normal quantiles: the band is a per-row marginal, so
 * any noise set independent of the trend draws is valid, and this one is exact when trend uncertainty vanishes.
 */
export function simulateFutureBand(model: ForecastModel, t: Float64Array, future: number[], T: number,
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
 * Method 'cv': the band at each future row is yhat ± the `interval` quantile of the last fold's absolute
 * cross-validation errors in the row's horizon bin (symmetric: a bias of that fold is not assumed to persist), and
 * at least ± z·noise (the future is no more predictable than the history's own noise), both times the residuals'
 * relative spread at the row's time of day (spread.ts; the errors were divided by their fold's). Past the last bin,
 * the last bin's, widened as √ of the horizon (a random walk's growth). This is split conformal prediction (Vovk,
 * Gammerman & Shafer, Algorithmic Learning in a Random World, 2005; Lei et al., JASA 113, 2018) with the last fold's
 * forecasts as the calibration set, one per horizon bin.
 */
export function empiricalFutureBand(model: ForecastModel, spec: FutureSpec, t: Float64Array, future: number[], end: number,
  yhat: Float64Array, lower: Float64Array, upper: Float64Array): void {
  const bins = spec.binEnds.length;
  const half = new Float64Array(bins).fill(NaN);
  const floor = normalQuantile((1 + model.interval) / 2) * spec.noise;
  for (let b = 0; b < bins; b++) {
    const from = spec.binOffsets[b];
    const to = spec.binOffsets[b + 1];
    if (to - from < 2) continue;
    const abs = spec.errors.slice(from, to).map(Math.abs).sort();
    half[b] = quantileSorted(abs, model.interval);
  }
  // An empty bin (a gap in the history) takes its nearest earlier bin's width, or the next one's.
  for (let b = 1; b < bins; b++) if (Number.isNaN(half[b])) half[b] = half[b - 1];
  for (let b = bins - 2; b >= 0; b--) if (Number.isNaN(half[b])) half[b] = half[b + 1];
  const last = spec.binEnds[bins - 1];
  const width = last / bins;
  for (const i of future) {
    const dt = t[i] - end;
    let b = Math.max(0, Math.floor(dt / width));
    let grow = 1;
    if (b >= bins) { grow = Math.sqrt(dt / (last - width / 2)); b = bins - 1; }
    const h = spreadAt(spec.spread, t[i]) * Math.max(floor, grow * (Number.isNaN(half[b]) ? 0 : half[b]));
    lower[i] = yhat[i] - h;
    upper[i] = yhat[i] + h;
  }
}
