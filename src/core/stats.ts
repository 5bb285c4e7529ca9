/** Statistics of one metric over the data (NaN skipped); NaN when the metric has no values. */
export interface MetricStats {
  min: number;
  max: number;
  median: number;
  /** Number of non-missing values. */
  count: number;
}

/**
 * min, max, median and count of the non-NaN values; NaN fields when there are none. Linear time (the median by
 * selection, not a sort), so a million-row CSV costs the extension host milliseconds.
 */
export function statsOf(values: Float64Array): MetricStats {
  const a = new Float64Array(values.length);
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    a[n++] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return { min: NaN, max: NaN, median: NaN, count: 0 };
  return { min, max, median: medianInPlace(a, n), count: n };
}

/** Median of the finite values (NaN and ±Infinity skipped; NaN when there are none); linear time, on a copy. */
export function finiteMedian(values: Float64Array): number {
  const a = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) a[n++] = values[i];
  return n === 0 ? NaN : medianInPlace(a, n);
}

/** Median of a[0, n), n ≥ 1, by selection (reorders `a`). */
function medianInPlace(a: Float64Array, n: number): number {
  const hi = select(a, n, n >> 1);
  if (n % 2) return hi;
  // The lower middle is the largest value left of the upper one after selection.
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i] > lo) lo = a[i];
  return (lo + hi) / 2;
}

/** numpy's percentile with linear interpolation, q in [0, 1], on ascending values (the first `n` of them). */
export function quantileSorted(sorted: Float64Array, q: number, n = sorted.length): number {
  const pos = (n - 1) * q;
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < n ? sorted[i] + (sorted[i + 1] - sorted[i]) * frac : sorted[i];
}

/**
 * A copy of the values in which each of the positions `at` (ascending) holds what it would after an ascending
 * sort: what a reader of a few positions of the sorted values needs, in linear time (selection). With a NaN
 * among the values, a sorted copy (a sort puts NaN last; selection cannot).
 */
export function sortedAt(values: Float64Array, at: readonly number[]): Float64Array {
  const a = Float64Array.from(values);
  for (let i = 0; i < a.length; i++) if (a[i] !== a[i]) return a.sort();
  let from = 0;
  for (const k of at) {
    if (k < from || k >= a.length) continue;
    select(a.subarray(from), a.length - from, k - from);
    from = k + 1;
  }
  return a;
}

/** The k-th smallest of a[0, n) (Hoare's selection, median-of-three pivot); reorders `a` so that a[0, k) are no larger. */
export function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { swap(a, i, j); i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/**
 * Up to `capacity` numbers kept in ascending order (`values[0, count)`): insertion and removal by binary search and one
 * block move, O(capacity) at worst, no allocation. What a sliding window's order statistics are read from.
 */
export class SortedValues {
  readonly values: Float64Array;
  count = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  /** Index of the first value ≥ v. */
  lowerBound(v: number): number {
    let lo = 0, hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.values[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds v (the caller keeps count below capacity). */
  insert(v: number): void {
    const k = this.lowerBound(v);
    this.values.copyWithin(k + 1, k, this.count);
    this.values[k] = v;
    this.count++;
  }

  /** Removes one value equal to v (the caller knows it is held). */
  remove(v: number): void {
    const k = this.lowerBound(v);
    this.values.copyWithin(k, k + 1, this.count);
    this.count--;
  }
}

/** How many values a trimmed mean of m values cuts at each end: `trim` of them, at least one, leaving at least one. */
export function trimmedCut(m: number, trim: number): number {
  return trim > 0 && m >= 3 ? Math.min(Math.max(1, Math.floor(m * trim)), (m - 1) >> 1) : 0;
}

/**
 * Per start j, the mean of the middle values of x[j, j + w) (NaN and ±Infinity skipped): the share `trim` of them is
 * dropped at each end, at least one value each once `trim` > 0 and the window holds three (0.25: the interquartile
 * mean; 0.5: the median). NaN when fewer than half of them are values, or past the end. One sorted window slid
 * along the series (insertion and removal by binary search): O(n·w) moves of memory at worst.
 */
export function rollingTrimmedMean(x: Float64Array, w: number, trim: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n).fill(NaN);
  if (!(w >= 1)) return out;
  const win = new SortedValues(w);
  const sorted = win.values;
  // The window's sum, kept as values come and go and summed afresh every w rows (no drift over a long series).
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (Number.isFinite(v)) { win.insert(v); total += v; }
    const m = win.count;
    if (i % w === 0) { total = 0; for (let k = 0; k < m; k++) total += sorted[k]; }
    const j = i - w + 1;
    if (j < 0) continue;
    if (m * 2 >= w && m > 0) {
      // The window's sum less its `cut` smallest and largest values: O(cut), not O(w), per row.
      const cut = trimmedCut(m, trim);
      let sum = total;
      for (let k = 0; k < cut; k++) sum -= sorted[k] + sorted[m - 1 - k];
      out[j] = sum / (m - 2 * cut);
    }
    const old = x[j];
    if (Number.isFinite(old)) { win.remove(old); total -= old; }
  }
  return out;
}
