/**
 * A followed long CSV (`time,host,metric,value`, a row per time and series) read one time at a time: the rows of a
 * time are joined into one row with a value per series, as the batch reader joins the whole file (longFormat.ts).
 * The series are the ones the first rows name; a series first seen later is not scored (its columns would change
 * the stream's shape) and is named once.
 */
import { labelText } from '../prometheus/names.ts';
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

/** What `add` did with a row. */
export type Added =
  /** Joined into its time; `done` is the time before when this row began a new one. */
  | { kind: 'joined'; done: JoinedTime | null }
  /** Of a series the first rows did not name (`labels`: its labels, `{host="c"}`; `first`: its first row so far). */
  | { kind: 'unknown'; labels: string; first: boolean }
  /** Of a time already scored (the input paused after every series had given it). */
  | { kind: 'late' };

/** Joins a followed long file's rows by time, for the series known when its columns were decided. */
export class LongStreamJoin {
  /** The metrics of the known series (LongSeries.metricNames). */
  readonly metrics: string[];
  private readonly known: number;
  private pending: (JoinedTime & { key: string; given: Uint8Array; filled: number }) | null = null;
  /** The time last scored by `flush` (a row of it after that is late). */
  private flushedKey: string | null = null;
  private readonly named = new Set<number>();

  /** `long`: the series seen in the first rows (more are numbered as they come); `valueColumns`: the columns of values. */
  constructor(private readonly long: LongSeries, private readonly header: readonly string[], private readonly valueColumns: readonly number[]) {
    this.known = long.count;
    this.metrics = long.metricNames(header, valueColumns);
  }

  /** Adds a row (`fields`, its time as written; `line`; `read` reads a value cell). */
  add(fields: readonly string[], tsText: string, line: number, read: (cell: string) => number): Added {
    const id = this.long.idOf(fields);
    if (id >= this.known) {
      const first = !this.named.has(id);
      this.named.add(id);
      const set: Record<string, string> = Object.create(null) as Record<string, string>;
      this.long.layout.labels.forEach((c, j) => { set[this.header[c].trim()] = this.long.labelValues[id][j]; });
      return { kind: 'unknown', labels: labelText(set) || '{}', first };
    }
    const key = tsText.trim();
    if (!this.pending && key === this.flushedKey) return { kind: 'late' };
    const done = this.pending && this.pending.key !== key ? this.take() : null;
    if (!this.pending) this.pending = { key, tsText, line, first: fields, values: new Array<number>(this.metrics.length).fill(NaN), given: new Uint8Array(this.known), filled: 0 };
    const p = this.pending;
    // A series given twice at a time keeps its last values, as the batch reader does.
    if (!p.given[id]) { p.given[id] = 1; p.filled++; }
    const k = this.valueColumns.length;
    for (let j = 0; j < k; j++) p.values[id * k + j] = read(fields[this.valueColumns[j]] ?? '');
    return { kind: 'joined', done };
  }

  /**
   * The time being joined, when every known series has given it (or `force`: the input ended) — the input paused
   * there, so it is scored now instead of when the next time comes; else null.
   */
  flush(force: boolean): JoinedTime | null {
    if (!this.pending || (!force && this.pending.filled < this.known)) return null;
    this.flushedKey = this.pending.key;
    return this.take();
  }

  private take(): JoinedTime {
    const { tsText, line, first, values } = this.pending!;
    this.pending = null;
    return { tsText, line, first, values };
  }
}
