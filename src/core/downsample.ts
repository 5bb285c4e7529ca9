/**
 * Min/max bucket downsampling for charts: splits [from, to) into buckets and keeps, per bucket, the first,
 * the lowest and the highest point, so spikes and dips survive at any zoom. Rows in `keep` (anomalies) are
 * always kept. Returns sorted row indices; NaN values are skipped; at most about 3 × buckets + keep.size rows.
 */
export function downsampleRows(y: Float64Array, maxPoints: number, from = 0, to = y.length, keep?: ArrayLike<number>): Uint32Array {
  const n = Math.max(0, to - from);
  const out: number[] = [];
  if (n <= maxPoints) {
    for (let i = from; i < to; i++) out.push(i);
  } else {
    const buckets = Math.max(1, Math.floor(maxPoints / 3));
    const size = n / buckets;
    for (let b = 0; b < buckets; b++) {
      const s = from + Math.floor(b * size);
      const e = Math.min(to, from + Math.floor((b + 1) * size));
      let lo = -1, hi = -1, first = -1;
      for (let i = s; i < e; i++) {
        const v = y[i];
        if (v !== v) continue;
        if (first < 0) first = i;
        if (lo < 0 || v < y[lo]) lo = i;
        if (hi < 0 || v > y[hi]) hi = i;
      }
      if (first < 0) continue;
      out.push(first);
      if (lo !== first) out.push(lo);
      if (hi !== first && hi !== lo) out.push(hi);
    }
  }
  if (keep) for (let k = 0; k < keep.length; k++) if (keep[k] >= from && keep[k] < to) out.push(keep[k]);
  const sorted = Uint32Array.from(out).sort();
  // de-duplicate in place
  let w = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[w++] = sorted[i];
  return sorted.slice(0, w);
}

/** The first index i in a sorted array with a[i] >= x (a.length when none). */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}
