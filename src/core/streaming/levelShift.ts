/**
 * The streaming detector's level scale: has the metric's level moved? The trimmed mean of the last `span` rows
 * (one value cut at each end, so one spike is not a level) against the median of the `reference` rows before
 * them, in units of the reference's robust spread (interquartile range / 1.349, the standard deviation of a
 * Gaussian). A nearest-neighbour search misses a shift to values the metric passed through before (a spike or a
 * ramp crossed them); a shift that stays is what this statistic sees.
 *
 * Bounded cost: rows enter the windows as means of `bin` rows, `bin` chosen so that the reference holds at most
 * MAX_REFERENCE_BINS values (one row per bin at 5-minute steps and a week's reference; five rows at 1-minute
 * steps); the statistic is recomputed when a bin completes and held in between.
 */
import { SortedWindow } from './rolling.ts';

/** What the level scale compared last: the recent trimmed mean, the reference's median and its robust spread. */
export interface LevelReading {
  recent: number;
  usual: number;
  spread: number;
}

/** The most values the reference window holds (a week of 5-minute rows): its sorted insert is O(this). */
export const MAX_REFERENCE_BINS = 2016;

export class LevelShift {
  private readonly recent: SortedWindow;
  private readonly reference: SortedWindow;
  private readonly span: number;
  private readonly minReference: number;
  readonly bin: number;
  private binSum = 0;
  private binCount = 0;
  private stat = NaN;
  // What the statistic last compared (NaN when it is not computed): kept as numbers, an object only when read.
  private lastRecent = NaN;
  private lastUsual = NaN;
  private lastSpread = NaN;

  /** `span` and `reference` in rows (at least 1 and 4). */
  constructor(span: number, reference: number) {
    const ref = Math.max(4, Math.floor(reference));
    this.bin = Math.max(1, Math.ceil(ref / MAX_REFERENCE_BINS));
    this.span = Math.max(1, Math.round(Math.max(1, Math.floor(span)) / this.bin));
    this.recent = new SortedWindow(this.span);
    const refBins = Math.max(4, Math.ceil(ref / this.bin));
    this.reference = new SortedWindow(refBins);
    this.minReference = Math.max(4, Math.floor(refBins / 2));
  }

  /**
   * Adds the newest finite value and returns |trimmed mean of the last span − reference median| / spread, with the
   * spread floored at `floor` (> 0); NaN while either window is not filled enough.
   */
  update(x: number, floor: number): number {
    this.binSum += x;
    if (++this.binCount < this.bin) return this.stat;
    const mean = this.binSum / this.binCount;
    this.binSum = 0;
    this.binCount = 0;
    // The bin leaving the recent span is the newest of the reference (NaN while the span fills: ignored).
    this.reference.push(this.recent.push(mean));
    if (this.recent.count < this.span || this.reference.count < this.minReference) {
      this.lastRecent = this.lastUsual = this.lastSpread = NaN;
      return (this.stat = NaN);
    }
    this.lastSpread = Math.max((this.reference.quantile(0.75) - this.reference.quantile(0.25)) / 1.349, floor);
    this.lastRecent = this.recent.trimmedMean(1);
    this.lastUsual = this.reference.quantile(0.5);
    this.stat = Math.abs(this.lastRecent - this.lastUsual) / this.lastSpread;
    return this.stat;
  }

  /** What the statistic last compared (held between bins as the statistic is); null while it is not computed. */
  get reading(): LevelReading | null {
    return Number.isNaN(this.lastSpread) ? null : { recent: this.lastRecent, usual: this.lastUsual, spread: this.lastSpread };
  }

  footprint(): number {
    return this.recent.footprint + this.reference.footprint;
  }
}
