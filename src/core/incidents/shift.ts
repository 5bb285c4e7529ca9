/**
 * Distribution shift of a series: per row, the two-sample Kolmogorov–Smirnov distance between the w values before the
 * row and the w values from it on, D = max over t of |F_before(t) − F_after(t)| (the empirical distribution functions).
 * It sees a change of a distribution's shape, spread or burst rate (zeros with bursts that come more or less often) as
 * well as of its level, on ranks only, so a few huge values do not decide it.
 *
 * Every row is scored in O(log m) (m distinct values): the difference C_before(t) − C_after(t) of the counts at or below
 * each distinct value t is kept in a segment tree with range additions, and moving the windows one row adds or removes
 * three values, each a +1 or −1 on the suffix of the distinct values from its own.
 */

/** Per row, the shift and where it lies. */
export interface Shift {
  /** D in [0, 1]; NaN near the ends and where a window holds fewer than MIN_REAL of real values. */
  distance: Float64Array;
  /** The value t at which the two distribution functions differ most (NaN where distance is). */
  cut: Float64Array;
  /** +1 where the values after hold more above the cut than those before, −1 where fewer (0 where distance is NaN). */
  side: Int8Array;
}

/** Share of a window's values that must be real (missing values are read as the last value before them). */
const MIN_REAL = 0.75;

/** The distribution shift of x (NaN: missing) over windows of w rows (w ≥ 2). */
export function distributionShift(x: Float64Array, w: number): Shift {
  const n = x.length;
  const distance = new Float64Array(n).fill(NaN);
  const cut = new Float64Array(n).fill(NaN);
  const side = new Int8Array(n);
  const filledX = filled(x);
  if (w < 2 || 2 * w > n || !filledX) return { distance, cut, side };
  const { values: y, real } = filledX;
  const values = Float64Array.from(y).sort();
  let m = 0;
  for (let i = 0; i < n; i++) if (i === 0 || values[i] !== values[i - 1]) values[m++] = values[i];
  const distinct = values.subarray(0, m);
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[i] = lowerBound(distinct, y[i]);
  const tree = new SuffixTree(m);
  for (let i = 0; i < w; i++) tree.add(rank[i], 1);
  for (let i = w; i < 2 * w; i++) tree.add(rank[i], -1);
  const need = MIN_REAL * w;
  for (let i = w; ; i++) {
    if (real[i] - real[i - w] >= need && real[i + w] - real[i] >= need) {
      const { hi, hiAt, lo, loAt } = tree;
      const up = hi >= -lo;
      distance[i] = (up ? hi : -lo) / w;
      cut[i] = distinct[up ? hiAt : loAt];
      // More of the before at or below t: the after holds more above it.
      side[i] = up ? 1 : -1;
    }
    if (i + w >= n) break;
    tree.add(rank[i - w], -1);
    tree.add(rank[i], 2);
    tree.add(rank[i + w], -1);
  }
  return { distance, cut, side };
}

/** The first index of sorted `a` holding a value ≥ v. */
function lowerBound(a: Float64Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** m counters, all 0 at first; add(r, d) adds d to those from r on; the largest and smallest, with their first index. */
class SuffixTree {
  private readonly size: number;
  private readonly max: Float64Array;
  private readonly min: Float64Array;
  private readonly maxAt: Int32Array;
  private readonly minAt: Int32Array;
  private readonly lazy: Float64Array;
  constructor(private readonly m: number) {
    let size = 1;
    while (size < m) size <<= 1;
    this.size = size;
    this.max = new Float64Array(2 * size);
    this.min = new Float64Array(2 * size);
    this.maxAt = new Int32Array(2 * size);
    this.minAt = new Int32Array(2 * size);
    this.lazy = new Float64Array(2 * size);
    // Leaves past m hold -Infinity / +Infinity so they are never the largest or smallest.
    for (let j = 0; j < size; j++) {
      const v = j < m ? 0 : NaN;
      this.max[size + j] = v === v ? v : -Infinity;
      this.min[size + j] = v === v ? v : Infinity;
      this.maxAt[size + j] = j;
      this.minAt[size + j] = j;
    }
    for (let k = size - 1; k >= 1; k--) this.pull(k);
  }
  get hi(): number { return this.max[1]; }
  get hiAt(): number { return this.maxAt[1]; }
  get lo(): number { return this.min[1]; }
  get loAt(): number { return this.minAt[1]; }
  add(r: number, d: number): void {
    this.range(1, 0, this.size, r, this.m, d);
  }
  private range(k: number, a: number, b: number, from: number, to: number, d: number): void {
    if (to <= a || b <= from) return;
    if (from <= a && b <= to) { this.max[k] += d; this.min[k] += d; this.lazy[k] += d; return; }
    const mid = (a + b) >> 1;
    this.range(2 * k, a, mid, from, to, d);
    this.range(2 * k + 1, mid, b, from, to, d);
    this.pull(k);
    this.max[k] += this.lazy[k];
    this.min[k] += this.lazy[k];
  }
  private pull(k: number): void {
    const l = 2 * k, r = l + 1;
    if (this.max[l] >= this.max[r]) { this.max[k] = this.max[l]; this.maxAt[k] = this.maxAt[l]; }
    else { this.max[k] = this.max[r]; this.maxAt[k] = this.maxAt[r]; }
    if (this.min[l] <= this.min[r]) { this.min[k] = this.min[l]; this.minAt[k] = this.minAt[l]; }
    else { this.min[k] = this.min[r]; this.minAt[k] = this.minAt[r]; }
  }
}

/**
 * The same with each window's values less its own median: the shape and spread of the two windows compared, not their
 * level (which the level-change statistic measures in the metric's units). `cut` is the median of the span after plus
 * the distance from it at which the two differ most. O(w) per row.
 */
export function centredShift(x: Float64Array, w: number): Shift {
  const n = x.length;
  const distance = new Float64Array(n).fill(NaN);
  const cut = new Float64Array(n).fill(NaN);
  const side = new Int8Array(n);
  const y = filled(x);
  if (w < 2 || 2 * w > n || !y) return { distance, cut, side };
  const { values, real } = y;
  const before = Float64Array.from(values.subarray(0, w)).sort();
  const after = Float64Array.from(values.subarray(w, 2 * w)).sort();
  const need = MIN_REAL * w;
  const median = (s: Float64Array) => (s[(w - 1) >> 1] + s[w >> 1]) / 2;
  for (let i = w; ; i++) {
    if (real[i] - real[i - w] >= need && real[i + w] - real[i] >= need) {
      const mb = median(before), ma = median(after);
      let a = 0, b = 0, best = 0, at = NaN, sgn = 0;
      while (a < w && b < w) {
        const t = Math.min(before[b] - mb, after[a] - ma);
        while (b < w && before[b] - mb === t) b++;
        while (a < w && after[a] - ma === t) a++;
        const v = b > a ? b - a : a - b;
        if (v > best) { best = v; at = t; sgn = b > a ? 1 : -1; }
      }
      distance[i] = best / w;
      cut[i] = at + ma;
      side[i] = sgn;
    }
    if (i + w >= n) break;
    move(before, values[i - w], values[i]);
    move(after, values[i], values[i + w]);
  }
  return { distance, cut, side };
}

/**
 * The variance-weighted form (the supremum form of Anderson–Darling's weighting): the largest
 * |F_before(t) − F_after(t)| / √(H(t)(1 − H(t))) over the pooled values t, H the pooled distribution function, so a
 * difference in the tails (bursts in 10 % of the rows against 2 %) counts as much as one in the middle. O(w) per row.
 */
export function weightedShift(x: Float64Array, w: number): Shift {
  const n = x.length;
  const distance = new Float64Array(n).fill(NaN);
  const cut = new Float64Array(n).fill(NaN);
  const side = new Int8Array(n);
  const y = filled(x);
  if (w < 2 || 2 * w > n || !y) return { distance, cut, side };
  const { values, real } = y;
  const before = Float64Array.from(values.subarray(0, w)).sort();
  const after = Float64Array.from(values.subarray(w, 2 * w)).sort();
  const need = MIN_REAL * w;
  for (let i = w; ; i++) {
    if (real[i] - real[i - w] >= need && real[i + w] - real[i] >= need) {
      let a = 0, b = 0, best = 0, at = NaN, sgn = 0;
      while (a < w && b < w) {
        const t = Math.min(before[b], after[a]);
        while (b < w && before[b] === t) b++;
        while (a < w && after[a] === t) a++;
        const h = (a + b) / (2 * w);
        if (h >= 1) break;
        const v = Math.abs(b - a) / w / Math.sqrt(h * (1 - h));
        if (v > best) { best = v; at = t; sgn = b > a ? 1 : -1; }
      }
      distance[i] = best;
      cut[i] = at;
      side[i] = sgn;
    }
    if (i + w >= n) break;
    move(before, values[i - w], values[i]);
    move(after, values[i], values[i + w]);
  }
  return { distance, cut, side };
}

/**
 * x with each missing value read as the last value before it (the first real value at the start), and the running
 * count of real values (real[i]: those in x[0, i)); null when x has no real value.
 */
function filled(x: Float64Array): { values: Float64Array; real: Int32Array } | null {
  const n = x.length;
  const values = new Float64Array(n);
  const real = new Int32Array(n + 1);
  let last = NaN;
  for (let i = 0; i < n; i++) if (x[i] - x[i] === 0) { last = x[i]; break; }
  if (last !== last) return null;
  for (let i = 0; i < n; i++) {
    const ok = x[i] - x[i] === 0;
    if (ok) last = x[i];
    values[i] = last;
    real[i + 1] = real[i] + (ok ? 1 : 0);
  }
  return { values, real };
}

/** Replaces one `out` in sorted `s` by `into`, keeping it sorted. */
function move(s: Float64Array, out: number, into: number): void {
  let k = lowerBound(s, out);
  if (into > out) {
    while (k + 1 < s.length && s[k + 1] < into) { s[k] = s[k + 1]; k++; }
  } else {
    while (k > 0 && s[k - 1] > into) { s[k] = s[k - 1]; k--; }
  }
  s[k] = into;
}
