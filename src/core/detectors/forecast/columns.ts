/**
 * The passes over a design's points that the fits repeat (fit.ts): the Gram matrix XᵀX with Xᵀy, the fitted
 * values Xθ and the products Xᵀv, without materialising X. The columns of X are [t, 1, (t − s_j)₊…, Fourier…].
 *
 * They run column by column over a layout built once per design: the scaled times and ys, the first point after
 * each changepoint (a changepoint's column is zero before it: the times are sorted) and the Fourier columns
 * column-major. Several columns share a pass (four at a time), but every sum still adds its terms over the
 * points in order, and only terms that are exactly zero are skipped, so the results are those of a row-by-row
 * pass bit for bit.
 */
/** What the passes read of a design (fit.ts's Design): the sorted points on Prophet's scales and the model's columns. */
export interface DesignPoints {
  ts: Float64Array;
  ys: Float64Array;
  n: number;
  start: number;
  tScale: number;
  yScale: number;
  /** Changepoints on the scaled time axis. */
  cps: number[];
  /** Changepoints, Fourier columns and all columns (2 + S + K). */
  S: number;
  K: number;
  p: number;
  /** The Fourier columns of every point, row-major n×K (shared by the folds of the cross-validation: they are prefixes). */
  fourier: Float64Array;
  /** The columns laid out for passes over the points (built on first use). */
  columns?: Columns;
}

export interface Columns {
  /** Scaled times and ys of the points. */
  tt: Float64Array;
  yv: Float64Array;
  cps: Float64Array;
  /** The first point after each changepoint (its column is zero before it). */
  cpStart: Int32Array;
  /** The Fourier columns, column-major (K×n). */
  fcols: Float64Array;
}

export function columns(d: DesignPoints): Columns {
  if (d.columns) return d.columns;
  const { n, S, K, fourier } = d;
  const tt = new Float64Array(n);
  const yv = new Float64Array(n);
  for (let r = 0; r < n; r++) { tt[r] = (d.ts[r] - d.start) / d.tScale; yv[r] = d.ys[r] / d.yScale; }
  const cps = Float64Array.from(d.cps);
  const cpStart = new Int32Array(S);
  for (let j = 0, r = 0; j < S; j++) {
    while (r < n && !(tt[r] > cps[j])) r++;
    cpStart[j] = r;
  }
  const fcols = new Float64Array(K * n);
  for (let r = 0; r < n; r++) for (let j = 0; j < K; j++) fcols[j * n + r] = fourier[r * K + j];
  d.columns = { tt, yv, cps, cpStart, fcols };
  return d.columns;
}

/**
 * out[at + j] = Σ_q (t_q − s_j)₊·v_q for the changepoints j < `upto` (four per pass, each from its own first point),
 * over the points from `from` on (v is taken as zero before it).
 */
function changepointTimes(c: Columns, n: number, v: Float64Array, out: Float64Array, at: number, upto = c.cps.length, from = 0): void {
  const { tt, cps, cpStart } = c;
  const S = upto;
  const first = (j: number) => (cpStart[j] > from ? cpStart[j] : from);
  let j = 0;
  for (; j + 3 < S; j += 4) {
    const c0 = cps[j];
    const c1 = cps[j + 1];
    const c2 = cps[j + 2];
    const c3 = cps[j + 3];
    const s1 = first(j + 1);
    const s2 = first(j + 2);
    const s3 = first(j + 3);
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let q = first(j);
    for (; q < s1; q++) a0 += (tt[q] - c0) * v[q];
    for (; q < s2; q++) { const t = tt[q]; const w = v[q]; a0 += (t - c0) * w; a1 += (t - c1) * w; }
    for (; q < s3; q++) { const t = tt[q]; const w = v[q]; a0 += (t - c0) * w; a1 += (t - c1) * w; a2 += (t - c2) * w; }
    for (; q < n; q++) {
      const t = tt[q];
      const w = v[q];
      a0 += (t - c0) * w;
      a1 += (t - c1) * w;
      a2 += (t - c2) * w;
      a3 += (t - c3) * w;
    }
    out[at + j] = a0;
    out[at + j + 1] = a1;
    out[at + j + 2] = a2;
    out[at + j + 3] = a3;
  }
  for (; j < S; j++) {
    const cj = cps[j];
    let a = 0;
    for (let q = first(j); q < n; q++) a += (tt[q] - cj) * v[q];
    out[at + j] = a;
  }
}

/** out[at + j] = Σ_q F_qj·v_q for the Fourier columns j < `upto` (four per pass). */
function fourierTimes(c: Columns, n: number, upto: number, v: Float64Array, out: Float64Array, at: number): void {
  const f = c.fcols;
  let j = 0;
  for (; j + 3 < upto; j += 4) {
    const f0 = j * n;
    const f1 = f0 + n;
    const f2 = f1 + n;
    const f3 = f2 + n;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let q = 0; q < n; q++) {
      const w = v[q];
      a0 += f[f0 + q] * w;
      a1 += f[f1 + q] * w;
      a2 += f[f2 + q] * w;
      a3 += f[f3 + q] * w;
    }
    out[at + j] = a0;
    out[at + j + 1] = a1;
    out[at + j + 2] = a2;
    out[at + j + 3] = a3;
  }
  for (; j < upto; j++) {
    const fo = j * n;
    let a = 0;
    for (let q = 0; q < n; q++) a += f[fo + q] * v[q];
    out[at + j] = a;
  }
}

/** out = Xᵀv (length p). */
export function transposeTimes(d: DesignPoints, v: Float64Array, out: Float64Array): void {
  const c = columns(d);
  const { n, S, K } = d;
  const tt = c.tt;
  let x0 = 0;
  let x1 = 0;
  for (let q = 0; q < n; q++) { x0 += tt[q] * v[q]; x1 += v[q]; }
  out[0] = x0;
  out[1] = x1;
  changepointTimes(c, n, v, out, 2);
  fourierTimes(c, n, K, v, out, 2 + S);
}

export interface Normal { G: Float64Array; b: Float64Array; yy: number }

/** The Gram matrix XᵀX (p×p row-major), Xᵀy and yᵀy. */
export function normalEquations(d: DesignPoints): Normal {
  const { p, n, S, K } = d;
  const c = columns(d);
  const { tt, yv, cps, cpStart, fcols } = c;
  const G = new Float64Array(p * p);
  const b = new Float64Array(p);
  const col = new Float64Array(p);
  let yy = 0;
  for (let r = 0; r < n; r++) yy += yv[r] * yv[r];
  transposeTimes(d, yv, b);
  // Columns 0 (t) and 1 (the constant): Xᵀt and Xᵀ1.
  transposeTimes(d, tt, col);
  for (let i = 0; i < p; i++) G[i * p] = col[i];
  transposeTimes(d, new Float64Array(n).fill(1), col);
  for (let i = 1; i < p; i++) G[i * p + 1] = col[i];
  // Changepoint j with the changepoints k ≤ j, from j's first point (k's starts no later): its column times theirs.
  const cpj = new Float64Array(n);
  for (let j = 0; j < S; j++) {
    const cj = cps[j];
    const from = cpStart[j];
    for (let r = from; r < n; r++) cpj[r] = tt[r] - cj;
    changepointTimes(c, n, cpj, G, (2 + j) * p + 2, j + 1, from);
  }
  // Fourier column j with the changepoints and the Fourier columns k ≤ j.
  const o0 = 2 + S;
  for (let j = 0; j < K; j++) {
    const fj = fcols.subarray(j * n, (j + 1) * n);
    changepointTimes(c, n, fj, G, (o0 + j) * p + 2);
    fourierTimes(c, n, j + 1, fj, G, (o0 + j) * p + o0);
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) G[j * p + i] = G[i * p + j];
  return { G, b, yy };
}

/** Xθ of every point into `f` (each point's terms added in column order; changepoints and Fourier columns four per pass). */
export function fitted(d: DesignPoints, theta: Float64Array, f: Float64Array): void {
  const { n, S, K } = d;
  const { tt, cps, cpStart, fcols } = columns(d);
  const k = theta[0];
  const m = theta[1];
  for (let q = 0; q < n; q++) f[q] = k * tt[q] + m;
  let j = 0;
  for (; j + 3 < S; j += 4) {
    const c0 = cps[j];
    const c1 = cps[j + 1];
    const c2 = cps[j + 2];
    const c3 = cps[j + 3];
    const d0 = theta[2 + j];
    const d1 = theta[3 + j];
    const d2 = theta[4 + j];
    const d3 = theta[5 + j];
    const s1 = cpStart[j + 1];
    const s2 = cpStart[j + 2];
    const s3 = cpStart[j + 3];
    let q = cpStart[j];
    for (; q < s1; q++) f[q] += d0 * (tt[q] - c0);
    for (; q < s2; q++) { const t = tt[q]; f[q] = f[q] + d0 * (t - c0) + d1 * (t - c1); }
    for (; q < s3; q++) { const t = tt[q]; f[q] = f[q] + d0 * (t - c0) + d1 * (t - c1) + d2 * (t - c2); }
    for (; q < n; q++) { const t = tt[q]; f[q] = f[q] + d0 * (t - c0) + d1 * (t - c1) + d2 * (t - c2) + d3 * (t - c3); }
  }
  for (; j < S; j++) {
    const c = cps[j];
    const dj = theta[2 + j];
    for (let q = cpStart[j]; q < n; q++) f[q] += dj * (tt[q] - c);
  }
  const o = 2 + S;
  j = 0;
  for (; j + 3 < K; j += 4) {
    const b0 = theta[o + j];
    const b1 = theta[o + j + 1];
    const b2 = theta[o + j + 2];
    const b3 = theta[o + j + 3];
    const f0 = j * n;
    const f1 = f0 + n;
    const f2 = f1 + n;
    const f3 = f2 + n;
    for (let q = 0; q < n; q++) f[q] = f[q] + b0 * fcols[f0 + q] + b1 * fcols[f1 + q] + b2 * fcols[f2 + q] + b3 * fcols[f3 + q];
  }
  for (; j < K; j++) {
    const bj = theta[o + j];
    const fo = j * n;
    for (let q = 0; q < n; q++) f[q] += bj * fcols[fo + q];
  }
}
