/**
 * The record statistic (issue 13): a causal statistic, unlike the view's others, which look both ways in time.
 * Per row, how far its value lies beyond the highest (or below the lowest) value of the rows before it — all of
 * them, or those of a trailing span — so the first time a series leaves the range it has held scores, and a
 * recurring excursion, which the range already holds, does not.
 *
 * Signed: negative inside the range (minus the distance to its nearer edge), so that the statistic has a body for
 * the calibration (./calibrate.ts) to fit a tail above; a statistic of 0 wherever no record is set has no body,
 * and a file's few records would then all be called extremely rare. Rows set a record where it is above 0.
 */

/** How the record statistic runs on a file: the rows of its trailing span (the whole history: the file's rows) and of its warm-up. */
export interface RecordPlan {
  span: number;
  warmup: number;
}

const DAY_MS = 86_400_000;
/** Share of a file's first rows that are never tested (NAB's probation period is the same share). */
const WARMUP_SHARE = 0.15;

/**
 * The plan for `rows` rows at `stepMs` (a row is a minute without one) and a span of `spanMs` (Infinity: every row
 * before; 0: none). The warm-up is a day or 15 % of the rows, whichever is longer; null where it leaves less than
 * half the file to test (files under two days) or the span is not a row.
 */
export function recordPlan(rows: number, stepMs: number | null, spanMs: number): RecordPlan | null {
  if (!(spanMs > 0)) return null;
  const step = stepMs && stepMs > 0 ? stepMs : 60_000;
  const warmup = Math.max(Math.round(DAY_MS / step), Math.ceil(WARMUP_SHARE * rows));
  const span = spanMs === Infinity ? rows : Math.round(spanMs / step);
  if (span < 1 || warmup * 2 > rows) return null;
  return { span, warmup };
}

/**
 * Per row i ≥ plan.warmup with a value: x[i] less the largest value of x over the `plan.span` rows before i, or the
 * smallest value there less x[i], whichever is larger (NaN skipped; NaN where that span has no value, and before the
 * warm-up). `edge`: the extreme it was measured from. O(n): each row enters and leaves the two monotone queues once.
 */
export function records(x: Float64Array, plan: RecordPlan): { beyond: Float64Array; edge: Float64Array } {
  const n = x.length;
  const beyond = new Float64Array(n).fill(NaN);
  const edge = new Float64Array(n).fill(NaN);
  // Indices of the window's values, their values decreasing (hi) or increasing (lo) from the head.
  const hi = new Int32Array(n), lo = new Int32Array(n);
  let hiHead = 0, hiTail = 0, loHead = 0, loTail = 0;
  for (let i = 0; i < n; i++) {
    // The window is [i − span, i): drop what left it.
    while (hiHead < hiTail && hi[hiHead] < i - plan.span) hiHead++;
    while (loHead < loTail && lo[loHead] < i - plan.span) loHead++;
    const v = x[i];
    if (i >= plan.warmup && v === v && hiHead < hiTail) {
      const up = v - x[hi[hiHead]], down = x[lo[loHead]] - v;
      beyond[i] = up >= down ? up : down;
      edge[i] = up >= down ? x[hi[hiHead]] : x[lo[loHead]];
    }
    if (v !== v) continue;
    while (hiHead < hiTail && x[hi[hiTail - 1]] <= v) hiTail--;
    hi[hiTail++] = i;
    while (loHead < loTail && x[lo[loTail - 1]] >= v) loTail--;
    lo[loTail++] = i;
  }
  return { beyond, edge };
}

/**
 * Bowley's quantile skew, (q99 + q01 − 2·q50) / (q99 − q01), above which a metric with no negative value is taken
 * on a log scale by the record statistic (recordScale): 0 for symmetric noise, 0.60 for log-normal noise of σ 0.6.
 */
const LOG_SKEW = 0.25;

/**
 * The series the record statistic measures on with its log scale on (recordLog): log(y + c) where y has no negative
 * value and is skewed to the right (Bowley skew over LOG_SKEW), c the 5th percentile of its positive values (so that
 * zeros stay finite and the smallest values are not stretched apart); null where the values are taken as they are.
 */
export function recordScale(y: Float64Array): { x: Float64Array; c: number } | null {
  const v: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (y[i] < 0) return null;
    if (y[i] === y[i]) v.push(y[i]);
  }
  if (v.length < 100) return null;
  v.sort((a, b) => a - b);
  const q = (p: number, a: number[]) => a[Math.min(a.length - 1, Math.floor(p * (a.length - 1)))];
  const lo = q(0.01, v), mid = q(0.5, v), hi = q(0.99, v);
  if (!(hi > lo) || (hi + lo - 2 * mid) / (hi - lo) <= LOG_SKEW) return null;
  const c = q(0.05, v.filter((a) => a > 0));
  if (!(c > 0)) return null;
  const x = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) x[i] = Math.log(y[i] + c);
  return { x, c };
}

/**
 * The findings with those of the record statistic (`isRecord`) kept only where a finding of another statistic
 * naming the same metric scores at least `floor` within `near` rows either side (recordNearRows): a record alone
 * is no evidence. The others are kept as they are.
 */
export function corroborated<T extends { row: number; metric: string | null; score: number }>(findings: T[], isRecord: (a: T) => boolean, near: number, floor: number): T[] {
  const rows = new Map<string | null, number[]>();
  for (const a of findings) {
    if (isRecord(a) || a.score < floor) continue;
    const list = rows.get(a.metric) ?? [];
    list.push(a.row);
    rows.set(a.metric, list);
  }
  for (const list of rows.values()) list.sort((a, b) => a - b);
  return findings.filter((a) => {
    if (!isRecord(a)) return true;
    const list = rows.get(a.metric);
    if (!list) return false;
    // The first corroborating row at or after row − near: is it within row + near?
    let lo = 0, hi = list.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (list[m] < a.row - near) lo = m + 1; else hi = m; }
    return lo < list.length && list[lo] <= a.row + near;
  });
}
