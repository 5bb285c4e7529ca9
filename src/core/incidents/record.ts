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
