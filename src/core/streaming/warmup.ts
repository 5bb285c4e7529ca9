/**
 * The stream detector's warm-up, said in words: every row before it scores 0 (streamDetector.ts fits its
 * likelihood's Gaussian on `warmup` earlier scores first). A file that ends inside it gets all-zero scores, which
 * look like "nothing unusual" unless the user is told.
 */
import { formatDuration } from '../rules/duration.ts';
import { DEFAULT_STEP_MS, rowSpans } from './streamDetector.ts';
import type { RowSpans } from './streamDetector.ts';

/** What a stream has read when the note is asked for. */
export interface WarmupState {
  /** Rows read and rows any metric was scored on (StreamScore.topMetric ≥ 0). */
  rows: number;
  scored: number;
  /** The detector's spans once it knows the step, else null (fewer than STEP_ROWS rows). */
  spans: RowSpans | null;
  /** The step the first rows suggest (ms; 0 or NaN when unknown) and whether the rows are timed. */
  stepMs: number;
  timed: boolean;
  /** The time from the first row to the last (ms; NaN when unknown). */
  spanMs: number;
}

/**
 * Rows of warm-up before the first row that can be scored: the likelihood needs `warmup` raw scores and the
 * first raw score comes with the second row, so the first scored row is row warmup + 1 (0-based).
 */
export function warmupRows(spans: RowSpans): number {
  return spans.warmup + 1;
}

/**
 * The note for a stream that has scored no row yet (null once one was scored, or before any row): how long the
 * warm-up is and how much data there is. `final`: the input ended (a file read through, a fixed range); else the
 * stream goes on (--follow) and scores start once enough rows have come.
 */
export function warmupNote(state: WarmupState, final: boolean): string | null {
  if (state.rows === 0 || state.scored > 0) return null;
  const step = state.spans?.stepMs ?? (state.stepMs > 0 ? state.stepMs : DEFAULT_STEP_MS);
  const need = warmupRows(state.spans ?? rowSpans({}, step));
  const rows = `${state.rows.toLocaleString('en')} row${state.rows === 1 ? '' : 's'}`;
  const warm = state.timed
    ? `the first ${formatDuration((need - 1) * step)} of data (${need.toLocaleString('en')} rows at its ${formatDuration(step)} step)`
    : `the first ${need.toLocaleString('en')} rows (without timestamps, rows are taken as ${formatDuration(step)} apart)`;
  const have = state.timed && state.spanMs >= 0 ? `${formatDuration(state.spanMs)} (${rows})` : rows;
  const head = `stream scores nothing in its warm-up, ${warm}`;
  return final
    ? `${head}; this input ends after ${have}, so every score is 0: use analyze for data this short`
    : `${head}; ${have} so far, so the scores are 0 until more rows come`;
}
