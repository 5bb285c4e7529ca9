/**
 * Gaps in the timestamps: stretches of a regular file with no rows (a scrape that stopped, an agent down). One rule for
 * every reader: `analyze`'s warnings (parse.ts), a stream's (node/rowWarnings.ts) and the dashboard's broken lines.
 *
 * The rule. The usual step is the median of the first STEP_SAMPLE positive intervals between neighbouring rows. The
 * file is regular when more than REGULAR_SHARE of those intervals lie within ±STEP_TOLERANCE of it (a 15 s scrape
 * with jitter is; a log of events is not, and gets no gap). A gap is an interval of GAP_STEPS usual steps or more:
 * one to a few missed scrapes are routine (Prometheus itself draws through them), ten in a row are an outage — for
 * 1-minute data, ten minutes without a row. Daily data without weekends (3 steps) or hourly data with a missed
 * hour are no gaps.
 */
import { formatDuration } from '../rules/duration.ts';

/** Intervals the usual step is decided on (a stream's first rows; analyze reads the same rows the same way). */
export const STEP_SAMPLE = 64;
/** Fewer intervals than this decide no step: a few rows show no dominant step. */
const MIN_INTERVALS = 8;
/** An interval of this many usual steps or more is a gap. */
export const GAP_STEPS = 10;
/** The share of the sampled intervals within ±STEP_TOLERANCE of the usual step that makes a file regular. */
const REGULAR_SHARE = 0.5;
const STEP_TOLERANCE = 0.1;

/** A stretch without rows: the times of the rows either side (`fromMs` < `toMs`) and the line of the row after it. */
export interface TimeGap {
  fromMs: number;
  toMs: number;
  line: number;
  stepMs: number;
}

/** The usual step of `intervals` (positive) when one dominates them, else 0 (irregular, or too few to tell). */
export function regularStep(intervals: readonly number[]): number {
  if (intervals.length < MIN_INTERVALS) return 0;
  const sorted = [...intervals].sort((a, b) => a - b);
  const step = sorted[sorted.length >> 1];
  let near = 0;
  for (const v of intervals) if (Math.abs(v - step) <= STEP_TOLERANCE * step) near++;
  return near > REGULAR_SHARE * intervals.length ? step : 0;
}

/** Whether an interval of `intervalMs` between neighbouring rows is a gap at the usual step `stepMs` (0: none). */
export function isGap(intervalMs: number, stepMs: number): boolean {
  return stepMs > 0 && intervalMs >= GAP_STEPS * stepMs;
}

/**
 * Watches the times of rows as they come (oldest first) and tells each gap once. Times that go back or repeat are
 * passed over (the newest so far stays the one a gap is measured from). The first STEP_SAMPLE intervals are held
 * until the step is decided, then their gaps told (in order); end() decides with fewer.
 */
export class GapWatch {
  private last = -Infinity;
  private held: { fromMs: number; toMs: number; line: number }[] = [];
  /** The usual step, 0 when the times have none, null while undecided. */
  private step: number | null = null;

  constructor(private readonly onGap: (gap: TimeGap) => void) {}

  /** A row's time (wall-clock ms; NaN: none) and its line. */
  add(ms: number, line: number): void {
    if (!(ms > this.last)) return; // NaN, a repeat, a step back
    const from = this.last;
    this.last = ms;
    if (from === -Infinity) return;
    if (this.step === null) {
      this.held.push({ fromMs: from, toMs: ms, line });
      if (this.held.length >= STEP_SAMPLE) this.decide();
    } else if (isGap(ms - from, this.step)) {
      this.onGap({ fromMs: from, toMs: ms, line, stepMs: this.step });
    }
  }

  /** The input ended: a step not yet decided is decided on the intervals there are. */
  end(): void {
    if (this.step === null) this.decide();
  }

  private decide(): void {
    const step = regularStep(this.held.map((h) => h.toMs - h.fromMs));
    this.step = step;
    for (const h of this.held) if (isGap(h.toMs - h.fromMs, step)) this.onGap({ ...h, stepMs: step });
    this.held = [];
  }
}

/** The gaps of sorted times (`lines`: each row's line; row numbers from 1 without). */
export function timeGaps(ts: ArrayLike<number>, lines?: ArrayLike<number>): TimeGap[] {
  const out: TimeGap[] = [];
  const w = new GapWatch((g) => out.push(g));
  for (let i = 0; i < ts.length; i++) w.add(ts[i], lines ? lines[i] : i + 1);
  w.end();
  return out;
}

/** A wall-clock time as `2024-03-04 16:40` (seconds, milliseconds when not 0); `date`: false leaves out the date. */
function clockText(ms: number, date: boolean): string {
  const iso = new Date(ms).toISOString(); // 2024-03-04T16:40:00.000Z
  let t = iso.slice(11, 16);
  if (iso.slice(17, 23) !== '00.000') t += iso.slice(16, iso.endsWith('.000Z') ? 19 : 23);
  return date ? `${iso.slice(0, 10)} ${t}` : t;
}

/** A duration for a person: whole seconds, whole minutes from an hour (`5h`, `1h30m`, `45s`). */
function roughDuration(ms: number): string {
  const unit = ms >= 3_600_000 ? 60_000 : ms >= 1000 ? 1000 : 1;
  return formatDuration(Math.round(ms / unit) * unit);
}

/**
 * What a reader says of a gap (times as the file writes them: wall clock): `no rows for 5h (300 missing 1m steps)
 * between 2024-03-04 16:40 and 21:41`. The time without rows is what the missing rows would have covered.
 */
export function gapNote(g: TimeGap): string {
  const missing = Math.max(1, Math.round((g.toMs - g.fromMs) / g.stepMs) - 1);
  const sameDay = Math.floor(g.fromMs / 86_400_000) === Math.floor(g.toMs / 86_400_000);
  const from = Math.abs(g.fromMs) <= 8.64e15 ? clockText(g.fromMs, true) : String(g.fromMs);
  const to = Math.abs(g.toMs) <= 8.64e15 ? clockText(g.toMs, !sameDay) : String(g.toMs);
  return `no rows for ${roughDuration(g.toMs - g.fromMs - g.stepMs)} (${missing.toLocaleString('en')} missing ${roughDuration(g.stepMs)} steps) between ${from} and ${to}`;
}

/**
 * Chart points with the line broken across each gap (`gaps`: [fromMs, toMs], sorted): a point of no value is put
 * between two neighbouring points that span a gap (Plotly's and the band's lines stop at it). `ys`: arrays the
 * length of `x`, each broken alike. Returns the inputs themselves when no gap falls between the points.
 */
export function breakAtGaps(x: readonly number[], ys: readonly (readonly (number | null)[])[], gaps: readonly (readonly [number, number])[]): { x: number[]; ys: (number | null)[][] } {
  const at: number[] = []; // indices i: a break between point i and i + 1
  let k = 0;
  for (let i = 0; i + 1 < x.length && k < gaps.length; i++) {
    while (k < gaps.length && gaps[k][0] < x[i]) k++;
    if (k < gaps.length && gaps[k][1] <= x[i + 1]) at.push(i);
  }
  if (!at.length) return { x: x as number[], ys: ys as (number | null)[][] };
  const nx: number[] = [];
  const nys: (number | null)[][] = ys.map(() => []);
  let j = 0;
  for (let i = 0; i < x.length; i++) {
    nx.push(x[i]);
    for (let c = 0; c < ys.length; c++) nys[c].push(ys[c][i]);
    if (j < at.length && at[j] === i) {
      nx.push((x[i] + x[i + 1]) / 2);
      for (let c = 0; c < ys.length; c++) nys[c].push(null);
      j++;
    }
  }
  return { x: nx, ys: nys };
}
