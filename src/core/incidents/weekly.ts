/**
 * The time-of-week residual of the default view (./view.ts): each row's short bin mean against the median of the same
 * time-of-week slot in the other weeks, in units of that slot's robust spread across weeks (the MAD, floored by a share
 * of the series' typical deviation), so that a holiday or a changed day stands out against the same hour of other
 * weeks even when its daily pattern is ordinary.
 */
import type { Frame } from '../csv/frame.ts';
import { finiteMedian } from '../stats.ts';
import { formatNumber, formatReadable, roundSignificant } from '../format.ts';
import type { Statistic } from './view.ts';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** The statistic runs on files spanning at least this many weeks, at steps up to an hour. */
const MIN_WEEKS = 3;
const MAX_STEP_MS = 3_600_000;
/** A slot's usual value and spread come from at most this many other weeks, the nearest in time (a long file's cost stays linear). */
const NEAREST_WEEKS = 8;
/** A slot's spread is at least this share of the series' typical deviation from its slots' usual values (two or three weeks agree by chance). */
const FLOOR_SHARE = 0.5;

/** Whether the statistic runs on this frame. */
export function weeklyRuns(frame: Frame): boolean {
  const ts = frame.timestamps;
  const step = frame.stepMs ?? 0;
  return !!ts && frame.rows > 1 && step > 0 && step <= MAX_STEP_MS && ts[frame.rows - 1] - ts[0] >= MIN_WEEKS * WEEK_MS;
}

/**
 * Per row, the time-of-week residual of its bin mean in spreads (signed; NaN where not tested), and the row's own value
 * against the same slot's values in the other weeks (`rowDev`; `usual`: their median; `binDev`: the bin mean's difference). `binMs`: the span of the centred bin mean (one row at least). Null when it does not run.
 */
export function weeklyResidual(y: Float64Array, frame: Frame, binMs: number): { z: Float64Array; usual: Float64Array; rowDev: Float64Array; binDev: Float64Array } | null {
  if (!weeklyRuns(frame)) return null;
  const ts = frame.timestamps!;
  const step = frame.stepMs!;
  const n = y.length;
  const b = Math.max(1, Math.round(binMs / step));
  const m = centredMean(y, b);
  // Weeks from Monday 00:00 UTC (1970-01-01 was a Thursday).
  const slotsN = Math.ceil(WEEK_MS / step);
  const slot = new Int32Array(n);
  const week = new Float64Array(n);
  const start = new Int32Array(slotsN + 1);
  for (let i = 0; i < n; i++) {
    const t = ts[i] + 3 * DAY_MS;
    week[i] = Math.floor(t / WEEK_MS);
    slot[i] = Math.min(slotsN - 1, Math.floor((t - week[i] * WEEK_MS) / step));
    start[slot[i] + 1]++;
  }
  for (let k = 0; k < slotsN; k++) start[k + 1] += start[k];
  // Rows grouped by slot, in time order within each slot (a stable counting sort).
  const rows = new Int32Array(n);
  const fill = start.slice(0, slotsN);
  for (let i = 0; i < n; i++) rows[fill[slot[i]]++] = i;
  const others = new Float64Array(NEAREST_WEEKS);
  /** Per row, x less the median of the same slot's x in the nearest other weeks, and their MAD (NaN: fewer than 2). */
  const againstOtherWeeks = (x: Float64Array) => {
    const dev = new Float64Array(n).fill(NaN);
    const mad = new Float64Array(n).fill(NaN);
    for (let k = 0; k < slotsN; k++) {
      const a = start[k], e = start[k + 1];
      for (let p = a; p < e; p++) {
        const i = rows[p];
        if (x[i] !== x[i]) continue;
        // The nearest other weeks' values of this slot, outwards from this one.
        let c = 0, l = p - 1, r = p + 1;
        while (c < NEAREST_WEEKS && (l >= a || r < e)) {
          const useLeft = r >= e || (l >= a && ts[i] - ts[rows[l]] <= ts[rows[r]] - ts[i]);
          const j = useLeft ? rows[l--] : rows[r++];
          if (week[j] !== week[i] && x[j] === x[j]) others[c++] = x[j];
        }
        if (c < 2) continue;
        const o = others.subarray(0, c).sort();
        const med = c % 2 ? o[c >> 1] : (o[c / 2 - 1] + o[c / 2]) / 2;
        for (let q = 0; q < c; q++) o[q] = Math.abs(o[q] - med);
        o.sort();
        dev[i] = x[i] - med;
        mad[i] = 1.4826 * (c % 2 ? o[c >> 1] : (o[c / 2 - 1] + o[c / 2]) / 2);
      }
    }
    return { dev, mad };
  };
  const { dev, mad } = againstOtherWeeks(m);
  const rowDev = b > 1 ? againstOtherWeeks(y).dev : dev;
  const typical = finiteMedian(dev.map(Math.abs));
  const floor = Math.max(FLOOR_SHARE * typical, 1e-9 * Math.max(1, finiteMedian(y.map(Math.abs))));
  const z = new Float64Array(n).fill(NaN);
  const usual = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    if (dev[i] === dev[i]) z[i] = dev[i] / Math.max(mad[i], floor);
    usual[i] = y[i] - rowDev[i];
  }
  return { z, usual, rowDev, binDev: dev };
}

/** The time-of-week statistic of one metric (|residual|, NaN where the metric has no value), or null when it does not run. */
export function weeklyStatistic(y: Float64Array, frame: Frame, metric: string, binMs: number): Statistic | null {
  const weekly = weeklyResidual(y, frame, binMs);
  if (!weekly) return null;
  const { z, usual, rowDev, binDev } = weekly;
  return {
    key: `weekly:${metric}`, detector: 'forecast', check: 'time-of-week check', metric, values: z.map((v, i) => (y[i] === y[i] ? Math.abs(v) : NaN)),
    // As for a level change: a row is part of it only where its own value differs that way from the same time in the
    // other weeks by at least half of what its bin does (the bin is centred, so it reaches rows that did not move).
    at: (i) => rowDev[i] * binDev[i] > 0 && Math.abs(rowDev[i]) * 2 >= Math.abs(binDev[i]),
    describe: (i) => ({
      metric, value: y[i],
      message: `${metric} ${formatNumber(y[i])} ${rowDev[i] > 0 ? 'above' : 'below'} ${roundSignificant(usual[i], 4)}, its usual value at this time of the week (the same time in other weeks)`,
      phrase: `${metric} ${formatReadable(y[i])}, usually ${formatReadable(roundSignificant(usual[i], 4))} at this time of the week`,
    }),
  };
}

/** The mean of the values (NaN skipped) in the w rows centred on each row; NaN where fewer than half are values or near the ends. */
export function centredMean(x: Float64Array, w: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n).fill(NaN);
  if (w <= 1) { out.set(x); return out; }
  const sum = new Float64Array(n + 1);
  const cnt = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) { const ok = x[i] === x[i]; sum[i + 1] = sum[i] + (ok ? x[i] : 0); cnt[i + 1] = cnt[i] + (ok ? 1 : 0); }
  const half = w >> 1;
  for (let i = half; i + w - half <= n; i++) {
    const s = i - half, e = s + w;
    const c = cnt[e] - cnt[s];
    if (c * 2 >= w) out[i] = (sum[e] - sum[s]) / c;
  }
  return out;
}
