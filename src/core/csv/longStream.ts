/**
 * A followed long CSV (`time,host,metric,value`, a row per time and series) read one time at a time: the rows of a
 * time are joined into one row with a value per series, as the batch reader joins the whole file (longFormat.ts).
 * The series are the ones the first rows name; a series first seen later is not scored (its columns would change
 * the stream's shape) and is named once. Writers need not keep strict order: the last OPEN_TIMES times stay open, so
 * a host that writes a time behind another still joins it; times are scored in the order they came.
 */
import { labelText } from '../prometheus/names.ts';
import type { LongSeries } from './longFormat.ts';

/** Times joined at once: a row of one of them joins it. */
export const OPEN_TIMES = 3;
/** Times scored that a late row is recognised by (older ones would open a time again). */
const SCORED_KEPT = 64;

/** The rows of one time, joined. */
export interface JoinedTime {
  /** The time as written in its first row, and as epoch ms (NaN when unreadable). */
  tsText: string;
  ms: number;
  /** Line of its first row. */
  line: number;
  /** Its first row's fields (a clock column beside a date column completes the time). */
  first: readonly string[];
  /** Per metric (series-major, as `metrics`), NaN where a series has no row at that time. */
  values: number[];
}

/** What `add` did with a row. */
export type Added =
  /** Joined into its time; `done`: the times that are complete now, oldest first (scored in that order). */
  | { kind: 'joined'; done: JoinedTime[] }
  /** Of a series the first rows did not name (`labels()`: its labels, `{host="c"}`; `first`: its first row so far). */
  | { kind: 'unknown'; labels: () => string; first: boolean }
  /** Of a time already scored (its series wrote it OPEN_TIMES times behind, or after a pause). */
  | { kind: 'late' };

interface Open extends JoinedTime { key: number | string; given: Uint8Array; filled: number }

/** Joins a followed long file's rows by time, for the series known when its columns were decided. */
export class LongStreamJoin {
  /** The metrics of the known series (LongSeries.metricNames). */
  readonly metrics: string[];
  private readonly known: number;
  /** The times open, in the order they came. */
  private open: Open[] = [];
  /** The times scored last (at most SCORED_KEPT): a row of one of them is late. */
  private scoredKeys = new Set<number | string>();
  private readonly named = new Set<number>();

  /** `long`: the series seen in the first rows (more are numbered as they come); `valueColumns`: the columns of values. */
  constructor(private readonly long: LongSeries, private readonly header: readonly string[], private readonly valueColumns: readonly number[]) {
    this.known = long.count;
    this.metrics = long.metricNames(header, valueColumns);
  }

  /** Adds a row (`fields`, its time as written and as ms; `line`; `read` reads a value cell). */
  add(fields: readonly string[], tsText: string, ms: number, line: number, read: (cell: string) => number): Added {
    const id = this.long.idOf(fields);
    if (id >= this.known) {
      const first = !this.named.has(id);
      this.named.add(id);
      // Written only when said (the first row of the series, or an error).
      const labels = (): string => {
        const set: Record<string, string> = Object.create(null) as Record<string, string>;
        this.long.layout.labels.forEach((c, j) => { set[this.header[c].trim()] = this.long.labelValues[id][j]; });
        return labelText(set) || '{}';
      };
      return { kind: 'unknown', labels, first };
    }
    const key = ms === ms ? ms : tsText.trim();
    let k = this.open.findIndex((o) => o.key === key);
    const done: JoinedTime[] = [];
    if (k < 0) {
      if (this.scoredKeys.has(key)) return { kind: 'late' };
      // In the order the times come (oldest or newest first alike); past OPEN_TIMES the first open is scored.
      this.open.push({ key, tsText, ms, line, first: fields, values: new Array<number>(this.metrics.length).fill(NaN), given: new Uint8Array(this.known), filled: 0 });
      while (this.open.length > OPEN_TIMES) done.push(this.scored(this.open.shift()!));
      k = this.open.length - 1;
    }
    const o = this.open[k];
    // A series given twice at a time keeps its last values, as the batch reader does.
    if (!o.given[id]) { o.given[id] = 1; o.filled++; }
    const n = this.valueColumns.length;
    for (let j = 0; j < n; j++) o.values[id * n + j] = read(fields[this.valueColumns[j]] ?? '');
    return { kind: 'joined', done };
  }

  /**
   * The times to score at a pause of the input: the oldest ones every known series has given (`force`, the input
   * ended: all), oldest first.
   */
  flush(force: boolean): JoinedTime[] {
    const out: JoinedTime[] = [];
    while (this.open.length && (force || this.open[0].filled >= this.known)) out.push(this.scored(this.open.shift()!));
    return out;
  }

  private scored(o: Open): JoinedTime {
    this.scoredKeys.add(o.key);
    if (this.scoredKeys.size > SCORED_KEPT) this.scoredKeys.delete(this.scoredKeys.values().next().value!);
    const { tsText, ms, line, first, values } = o;
    return { tsText, ms, line, first, values };
  }
}
