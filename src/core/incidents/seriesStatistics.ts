/**
 * The series arithmetic behind the default view's statistics (./view.ts): a series with its usual daily (and
 * weekly) pattern removed, its level change between windows, how flat it is against its usual movement, and the
 * small array helpers they share. Each takes and returns plain arrays, one value per row (NaN: not known).
 */
import type { Frame } from '../csv/frame.ts';
import { isWeekendDay } from '../detectors/forecast/seasonality.ts';
import { rollingTrimmedMean, statsOf } from '../stats.ts';

/** Slots of the usual size of a metric's changes by time of day (the flatness statistic's reference). */
const SPREAD_SLOT_MS = 60 * 60_000;

/**
 * The series minus its seasonal-naive baseline (Hyndman & Athanasopoulos, FPP 3rd ed. §5.2): the median of the
 * values at the same time of day in slots of `slotMs` (view.ts's SEASON_SLOT_MS; and, with two weeks of data, the same kind of day: weekday or weekend) over
 * the whole file. Without timestamps, or with less than three days of data, the series minus its median.
 */
export function deseasonalised(y: Float64Array, frame: Frame, slotMs: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(n);
  const profile = slotProfile(y, frame, slotMs);
  const m = profile ? 0 : statsOf(y).median;
  for (let i = 0; i < n; i++) out[i] = y[i] - (profile ? profile[i] : m);
  return out;
}

/**
 * Per row, the median (`mean`: the mean) of the values (NaN skipped) at the same time of day, in slots of at least `slotMs` (and,
 * with two weeks of data, the same kind of day: weekday or weekend) over the whole file; NaN for a slot with no
 * value. Null without timestamps, with a step over an hour or less than three days of data.
 */
function slotProfile(y: Float64Array, frame: Frame, slotMinMs: number, mean = false): Float64Array | null {
  const n = y.length;
  const ts = frame.timestamps;
  const step = frame.stepMs ?? 0;
  const span = ts && n ? ts[n - 1] - ts[0] : 0;
  if (!ts || !(step > 0) || step > 3_600_000 || span < 3 * 86_400_000) return null;
  const slotMs = Math.max(step, slotMinMs);
  const perDay = Math.ceil(86_400_000 / slotMs);
  const weekly = span >= 14 * 86_400_000;
  const slotOf = (t: number) => {
    const tod = Math.floor((((t % 86_400_000) + 86_400_000) % 86_400_000) / slotMs);
    return weekly && isWeekendDay(t / 86_400_000) ? perDay + tod : tod;
  };
  // The values grouped by slot in one array (counting sort), each group's median by selection.
  const slotsN = 2 * perDay;
  const slot = new Int32Array(n);
  const start = new Int32Array(slotsN + 1);
  for (let i = 0; i < n; i++) { slot[i] = slotOf(ts[i]); if (y[i] === y[i]) start[slot[i] + 1]++; }
  for (let k = 0; k < slotsN; k++) start[k + 1] += start[k];
  const grouped = new Float64Array(start[slotsN]);
  const fill = start.slice(0, slotsN);
  for (let i = 0; i < n; i++) if (y[i] === y[i]) grouped[fill[slot[i]]++] = y[i];
  const profile = new Float64Array(slotsN);
  const of = (g: Float64Array) => (mean ? g.reduce((a, v) => a + v, 0) / g.length : statsOf(g).median);
  for (let k = 0; k < slotsN; k++) profile[k] = start[k + 1] > start[k] ? of(grouped.subarray(start[k], start[k + 1])) : NaN;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = profile[slot[i]];
  return out;
}

/**
 * The trimmed mean (`trim`: view.ts's LEVEL_TRIM) of x over the w rows from i against the same over the w rows before i (NaN skipped;
 * NaN near the ends and where a window is less than half values). Trimmed, not clipped: a level change counts at
 * its full size (values clipped at a few spreads of the whole series could not say more than the clip, so a day
 * whose pattern doubles read as a minor change).
 */
export function levelChange(x: Float64Array, w: number, trim: number): Float64Array {
  const n = x.length;
  const med = rollingTrimmedMean(x, w, trim);
  const out = new Float64Array(n).fill(NaN);
  for (let i = w; i + w <= n; i++) out[i] = med[i] - med[i - w];
  return out;
}

/**
 * How little a series moves around each row: log of (the usual mean size of its step-to-step changes at that time
 * of day) over (their mean size in the w rows centred on the row). 0 where it moves as usual, large where it is flat.
 * The usual mean size is the share of changes that are not zero times the median size of those that are, in the
 * same hour of the day (and kind of day: see slotProfile) over the file, so a metric that is always quiet at night
 * is not flat at night, and a counter that rests at 0 between events (errors, restarts: most of its changes are 0)
 * is not flat between them — the median alone said how large an event is, not how often one comes; the whole
 * file's without timestamps or with less than three days of data; over a window, the mean of its rows' usual. A window's mean is known only to `quantum` (the
 * metric's resolution) over w — no change at all is "less than one step in the window" —, so that is its floor:
 * a metric that usually moves by a step or two in w rows is never read as stuck. NaN near the ends.
 */
export function flatness(y: Float64Array, w: number, frame: Frame, quantum = 0): Float64Array {
  const n = y.length;
  const diff = new Float64Array(n);
  for (let i = 1; i < n; i++) diff[i] = Math.abs(y[i] - y[i - 1]);
  diff[0] = NaN;
  const { sum, cnt } = prefixSums(diff);
  const moves = new Float64Array(n);
  let m = 0, known = 0;
  for (let i = 0; i < n; i++) { if (diff[i] > 0) moves[m++] = diff[i]; if (diff[i] === diff[i]) known++; }
  const overall = (statsOf(moves.subarray(0, m)).median * m) / Math.max(1, known);
  const out = new Float64Array(n).fill(NaN);
  if (!(overall > 0)) return out;
  // The size of the changes that are not zero, and how often a change is not zero, by hour of the day.
  const nonZero = new Float64Array(n);
  const moved = new Float64Array(n);
  for (let i = 0; i < n; i++) { nonZero[i] = diff[i] > 0 ? diff[i] : NaN; moved[i] = diff[i] === diff[i] ? (diff[i] > 0 ? 1 : 0) : NaN; }
  const size = slotProfile(nonZero, frame, SPREAD_SLOT_MS);
  const share = size ? slotProfile(moved, frame, SPREAD_SLOT_MS, true) : null;
  // Per row, its usual movement (an hour with no change that is not zero: 0); a window's is the mean of its rows',
  // so one that spans the end of a busy hour is held to the quiet hour after it as much as it lies in it.
  const usual = new Float64Array(n);
  for (let i = 0; i < n; i++) usual[i] = size && share ? (share[i] > 0 ? size[i] * share[i] : share[i] === 0 ? 0 : overall) : overall;
  const expected = prefixSums(usual).sum;
  const eps = overall * 1e-3;
  const floor = Math.max(eps, quantum / w);
  const half = w >> 1;
  for (let i = half; i + w - half <= n; i++) {
    const a = i - half, b = a + w;
    const c = cnt[b] - cnt[a];
    if (c * 2 < w) continue;
    out[i] = Math.log((expected[b] - expected[a]) / w + eps) - Math.log((sum[b] - sum[a]) / c + floor);
  }
  return out;
}

/**
 * The metric's resolution: the smallest difference between two of its values (1 for a counter, 0.01 for a percentage
 * written to two decimals); 0 with fewer than two distinct values.
 */
export function resolution(y: Float64Array): number {
  const v = new Float64Array(y.length);
  let n = 0;
  for (let i = 0; i < y.length; i++) if (y[i] - y[i] === 0) v[n++] = y[i];
  const sorted = v.subarray(0, n).sort();
  let least = Infinity;
  for (let i = 1; i < n; i++) { const d = sorted[i] - sorted[i - 1]; if (d > 0 && d < least) least = d; }
  return least === Infinity ? 0 : least;
}

/** |x| element-wise (NaN stays NaN). */
export function absolute(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.abs(x[i]);
  return out;
}

/** x with NaN where the metric has no value: a finding names a value. */
export function maskMissing(x: Float64Array, y: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) if (y[i] !== y[i]) x[i] = NaN;
  return x;
}

/** The largest |value| (0 when there is none). */
export function maxAbs(y: Float64Array): number {
  let m = 0;
  for (let i = 0; i < y.length; i++) { const a = Math.abs(y[i]); if (a > m && a !== Infinity) m = a; }
  return m;
}

/** Running sums and counts of the values of x (NaN skipped): sum[i] and cnt[i] cover x[0, i). */
function prefixSums(x: Float64Array): { sum: Float64Array; cnt: Int32Array } {
  const n = x.length;
  const sum = new Float64Array(n + 1);
  const cnt = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const ok = v === v;
    sum[i + 1] = sum[i] + (ok ? v : 0);
    cnt[i + 1] = cnt[i] + (ok ? 1 : 0);
  }
  return { sum, cnt };
}
