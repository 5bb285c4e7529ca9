/**
 * The usual daily (and weekly) pattern of a metric, by time-of-day slots over the whole file: the level-change
 * and record statistics' baseline and the flatness statistic's usual size of changes (./view.ts).
 */
import type { Frame } from '../csv/frame.ts';
import { isWeekendDay } from '../detectors/forecast/seasonality.ts';
import { statsOf } from '../stats.ts';

/**
 * The series minus its seasonal-naive baseline (Hyndman & Athanasopoulos, FPP 3rd ed. §5.2): the median of the
 * values at the same time of day in slots of `slotMs` (SEASON_SLOT_MS; and, with two weeks of data, the same kind of day: weekday or weekend) over
 * the whole file. Without timestamps, or with less than three days of data, the series minus its median.
 */
export function deseasonalised(y: Float64Array, frame: Frame, slotMs: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(n);
  const profile = slotMedians(y, frame, slotMs);
  const m = profile ? 0 : statsOf(y).median;
  for (let i = 0; i < n; i++) out[i] = y[i] - (profile ? profile[i] : m);
  return out;
}

/**
 * Per row, the median of the values (NaN skipped) at the same time of day, in slots of at least `slotMs` (and,
 * with two weeks of data, the same kind of day: weekday or weekend) over the whole file; NaN for a slot with no
 * value. Null without timestamps, with a step over an hour or less than three days of data.
 */
export function slotMedians(y: Float64Array, frame: Frame, slotMinMs: number): Float64Array | null {
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
  for (let k = 0; k < slotsN; k++) profile[k] = start[k + 1] > start[k] ? statsOf(grouped.subarray(start[k], start[k + 1])).median : NaN;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = profile[slot[i]];
  return out;
}
