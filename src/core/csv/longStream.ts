/**
 * A followed long CSV (`time,host,metric,value`, a row per time and series) read one time at a time: the rows of a
 * time are joined into one row with a value per series, as the batch reader joins the whole file (longFormat.ts).
 * The series are the ones the first rows name; a series first seen later is not scored (its columns would change
 * the stream's shape) and is named once.
 */
import type { LongSeries } from './longFormat.ts';

/** The rows of one time, joined. */
export interface JoinedTime {
  /** The time as written in its first row. */
  tsText: string;
  /** Line of its first row. */
  line: number;
  /** Its first row's fields (a clock column beside a date column completes the time). */
  first: readonly string[];
  /** Per metric (series-major, as `metrics`), NaN where a series has no row at that time. */
  values: number[];
}

/** Joins a followed long file's rows by time, for the series known when its columns were decided. */
export class LongStreamJoin {
  /** The metrics of the known series (LongSeries.metricNames). */
  readonly metrics: string[];
  private readonly known: number;
  private pending: (JoinedTime & { key: string; given: Uint8Array; filled: number }) | null = null;
  private readonly named = new Set<number>();

  /**
   * `long`: the series seen in the first rows (more are numbered as they come, and skipped); `valueColumns`: the
   * columns of values; `onUnknown`: a series first seen after the columns were decided (once per series).
   */
  constructor(private readonly long: LongSeries, header: readonly string[], private readonly valueColumns: readonly number[], private readonly onUnknown: (labels: string, line: number) => void) {
    this.known = long.count;
    this.metrics = long.metricNames(header, valueColumns);
  }

  /**
   * Adds a row (`fields`, its time as written, its line; `read` reads a value cell). Returns the time before, joined,
   * when this row starts a new time (a different timestamp text), else null.
   */
  add(fields: readonly string[], tsText: string, line: number, read: (cell: string) => number): JoinedTime | null {
    const id = this.long.idOf(fields);
    if (id >= this.known) {
      if (!this.named.has(id)) {
        this.named.add(id);
        this.onUnknown(this.long.labelValues[id].join(', '), line);
      }
      return null;
    }
    const key = tsText.trim();
    const done = this.pending && this.pending.key !== key ? this.take() : null;
    if (!this.pending) this.pending = { key, tsText, line, first: fields, values: new Array<number>(this.metrics.length).fill(NaN), given: new Uint8Array(this.known), filled: 0 };
    const p = this.pending;
    // A series given twice at a time keeps its last values, as the batch reader does.
    if (!p.given[id]) { p.given[id] = 1; p.filled++; }
    const k = this.valueColumns.length;
    for (let j = 0; j < k; j++) p.values[id * k + j] = read(fields[this.valueColumns[j]] ?? '');
    return done;
  }

  /**
   * The time being joined, when every known series has given it (or `force`: the input ended) — the input paused
   * there, so it is scored now instead of when the next time comes; else null.
   */
  flush(force: boolean): JoinedTime | null {
    if (!this.pending || (!force && this.pending.filled < this.known)) return null;
    return this.take();
  }

  private take(): JoinedTime {
    const { tsText, line, first, values } = this.pending!;
    this.pending = null;
    return { tsText, line, first, values };
  }
}
