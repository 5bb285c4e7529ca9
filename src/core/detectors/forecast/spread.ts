/**
 * How the size of the residuals varies with the time of day and between weekdays and weekends (method 'cv', past
 * the history). A metric's noise is rarely the same at night and by day, nor on a weekend and a weekday; one
 * quantile of the cross-validation's errors is then too wide in the quiet hours and too narrow in the busy ones,
 * and the band's coverage over a forecast depends on the mix of hours it spans. The profile is the median absolute
 * residual per slot (SLOT_HOURS of the day, weekdays and weekend days apart when the history has both), shrunk
 * towards the history's median, relative to it. The folds' errors are divided by their own fold's profile and the
 * band multiplied by the full history's: locally weighted conformal prediction (Lei et al., JASA 113, 2018, §5.2)
 * with the profile as the scale.
 */
import { finiteMedian } from '../../stats.ts';
import { DAY_MS } from './fit.ts';
import { isWeekendDay, weekendCount } from './seasonality.ts';

/** Hours of the day per slot (chosen on the bench's tune series among 1, 2, 3 and 6: the least summed distance of the coverages outside 0.72–0.88). */
const SLOT_HOURS = 6;
const SLOTS = 24 / SLOT_HOURS;
/** Weight of the history's median in a slot's estimate, in points (a slot with few points stays near it). */
const PRIOR_POINTS = 30;
/** Weekdays and weekend days get their own slots only with at least this many points of each. */
const MIN_TYPE_POINTS = 50;

/** The relative scale of the residuals per slot (1: the history's median absolute residual). */
export interface SpreadProfile {
  /** Relative scale per slot: weekday (or every day's) slots, then weekend slots when `split`. */
  cells: Float64Array;
  split: boolean;
}

function slotOf(profile: SpreadProfile, t: number): number {
  const ms = ((t % DAY_MS) + DAY_MS) % DAY_MS;
  const s = Math.min(SLOTS - 1, Math.floor(ms / (SLOT_HOURS * 3_600_000)));
  return profile.split && isWeekendDay(t / DAY_MS) ? SLOTS + s : s;
}

/**
 * The profile of residuals `res` at sorted times `ts`; null unless the times are epoch ms over at least two days
 * and the residuals have a spread (then the band is one width at every hour, as before the profile).
 */
export function spreadProfile(ts: Float64Array, res: Float64Array, timeUnit: 'ms' | 'index'): SpreadProfile | null {
  const n = ts.length;
  if (timeUnit !== 'ms' || n < 2 || ts[n - 1] - ts[0] < 2 * DAY_MS) return null;
  const weekend = weekendCount(ts);
  const split = weekend >= MIN_TYPE_POINTS && n - weekend >= MIN_TYPE_POINTS;
  const profile: SpreadProfile = { cells: new Float64Array(split ? 2 * SLOTS : SLOTS), split };
  const counts = new Int32Array(profile.cells.length);
  const abs = Float64Array.from(res, Math.abs);
  const slots = Int32Array.from(ts, (t) => slotOf(profile, t));
  for (let i = 0; i < n; i++) counts[slots[i]]++;
  const typical = finiteMedian(abs);
  if (!(typical > 0)) return null;
  const bySlot = Array.from(counts, (c) => new Float64Array(c));
  const fill = new Int32Array(counts.length);
  for (let i = 0; i < n; i++) { const s = slots[i]; bySlot[s][fill[s]++] = abs[i]; }
  for (let s = 0; s < counts.length; s++) {
    const c = counts[s];
    profile.cells[s] = ((c ? c * finiteMedian(bySlot[s]) : 0) + PRIOR_POINTS * typical) / (c + PRIOR_POINTS) / typical;
  }
  return profile;
}

/** The relative scale at time t (1 without a profile). */
export function spreadAt(profile: SpreadProfile | null, t: number): number {
  return profile ? profile.cells[slotOf(profile, t)] : 1;
}
