/**
 * Issue 14 experiment (env-switched, reverted): a log scale for series with no negative value — candidates fitted to
 * log(y + c) in the cross-validation's combination (FC_LOG=cand), a band on that scale (FC_LOG=band), or both
 * (FC_LOG=both). c: the FC_LOGQ quantile of the positive values (default 0.05); only when (q90 + c)/(q10 + c) is at
 * least FC_LOGRATIO (default 1: every series with no negative value).
 */
import { quantileSorted } from '../../stats.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const env = (): Record<string, string | undefined> => (globalThis as any).process?.env ?? {};

export function logMode(): { candidates: boolean; band: boolean } {
  const m = env().FC_LOG ?? '';
  return { candidates: m === 'cand' || m === 'both', band: m === 'band' || m === 'both' };
}

/** FC_LOGFAST=1: the full history's log fit stops at the folds' tolerance (1e-8) instead of 1e-11. */
export function logFast(): boolean {
  return env().FC_LOGFAST === '1';
}

/** FC_LOGFITS=map: the log scale's candidates from Prophet's MAP only (no Huber fit on that scale: half its cost). */
export function logMapOnly(): boolean {
  return env().FC_LOGFITS === 'map';
}

/** The offset c of the log scale for ys, or null when the series has a negative value or spans too small a ratio. */
export function logOffset(ys: Float64Array): number | null {
  const sorted = Float64Array.from(ys).sort();
  if (!sorted.length || !(sorted[0] >= 0)) return null;
  const positive = sorted.filter((v) => v > 0);
  if (!positive.length) return null;
  const c = quantileSorted(positive, Number(env().FC_LOGQ ?? 0.05));
  if (!(c > 0)) return null;
  const ratio = (quantileSorted(sorted, 0.9) + c) / (quantileSorted(sorted, 0.1) + c);
  return ratio >= Number(env().FC_LOGRATIO ?? 1) ? c : null;
}
