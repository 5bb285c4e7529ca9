/** Row order of a table read from a CSV: sorting by time, stably, and checking each series' order. */

/** Whether each series' rows (`series[i]`: row i's series, of `count`) are in time order as read. */
export function inOrderPerSeries(t: Float64Array, series: Float64Array, count: number): boolean {
  const last = new Float64Array(count).fill(-Infinity);
  for (let i = 0; i < t.length; i++) {
    const s = series[i];
    if (t[i] < last[s]) return false;
    last[s] = t[i];
  }
  return true;
}

/** Row indices sorted by time, ties in row order. */
export function stableOrder(t: Float64Array): Uint32Array {
  const idx = new Uint32Array(t.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => t[a] - t[b] || a - b);
}

/** `v` in the row order `order`. */
export function permute(v: Float64Array, order: Uint32Array): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[order[i]];
  return out;
}

/** The note of a table read out of time order: newest first (every time at or before the one above it) is said as such. */
export function unsortedMessage(t: Float64Array): string {
  let newestFirst = true;
  for (let i = 1; i < t.length && newestFirst; i++) if (t[i] > t[i - 1]) newestFirst = false;
  return newestFirst ? 'rows are newest first: read oldest first' : 'timestamps are not in order: rows were sorted by time (stable)';
}
