/**
 * Long ("tidy") CSVs: one row per time and series, the series told apart by label columns — `time,host,metric,value`,
 * as InfluxDB, CloudWatch, Datadog and SQL exports often come. Read as they are, every series would be one column
 * of mixed values. The reader joins the rows of one time into one row with a metric per series, named the way the
 * Prometheus source names a query's series (SPEC §8): `cpu{host="a"}`.
 */
import { labelText } from '../prometheus/names.ts';
import type { DataIssue } from './frame.ts';
import { nameList } from './frame.ts';
import type { Inference } from './infer.ts';
import { clip, isMissing, readTime } from './infer.ts';

/** A label column whose value names the metric: the other labels go in braces after it. */
const NAME_COLUMN = /^(__name__|metric|metric[_ ]?name|name|series|_?field|_?measurement)$/i;
/** Most metrics a long file may give (series × value columns): each is a chart, a forecast and a column of findings. */
export const MAX_LONG_METRICS = 500;

/** Where a long file's series are told apart: its label columns (file order) and which of them names the metric. */
export interface LongLayout {
  labels: number[];
  /** The label column whose value is the metric's name, or -1. */
  nameColumn: number;
  /**
   * Label columns that held one value in the sampled rows (a subset of `labels`): labels only if the file turns out
   * grouped by them — rows of one host, then of the next, time starting again (groupedByTentative); else left out.
   */
  tentative: number[];
}

/** Most (time, series) pairs of the sample given twice, as a share of its rows, for a file to be long. */
const MAX_REPEATS = 0.01;
/** Least share of a joined file's cells that hold a value: below it, the series' times do not line up and it is not joined. */
export const MIN_FILLED = 0.5;
/** A clock time or a date: a column of them says when, it tells no series apart (`Datum;Uhrzeit;Wert`). */
const TIME_LIKE = /^\s*(\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?(\s*[AaPp]\.?[Mm]\.?)?|(\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{4}-\d{2}-\d{2})([ T]\S.*)?)\s*$/;

/**
 * The label columns when the sampled rows are in long format, else null (numeric ones among them are no metrics then):
 * a timestamp column; text columns whose values repeat (at most half as many as rows: free text such as a message is
 * not a label), that are complete in the sample and are not times or dates, and integer columns of few values where
 * those leave a time's rows repeated; each (time, labels) pair given once (an event log with a status column repeats
 * them: it is not long); and either most rows sharing their time with a row of other labels (rows interleaved by
 * time), or every label column holding one value in the sample with each time given once (rows grouped by series,
 * `ORDER BY host, time`: the sample saw one series; decided when the file is read, see `tentative`). A label column
 * with one value in an interleaved sample is tentative too (`time,host,metric,value` grouped by host). Each series
 * must be seen at two times in the sample (500 rows): a file of more than about 250 interleaved series, or whose
 * series are never at the same time, is read as it is.
 */
export function longLayout(header: readonly string[], sample: readonly string[][], inf: Inference): LongLayout | null {
  const ts = inf.timestampIndex;
  if (ts < 0 || inf.textIndices.length + inf.metricIndices.length < 2 || sample.length < 4) return null;
  const varying: number[] = [];
  const constant: number[] = [];
  for (const c of inf.textIndices) {
    if (sample.some((row) => row[c] === undefined)) continue;
    const values = seen(sample, c);
    if ((values.size === 1 && isMissing([...values][0])) || values.size > sample.length / 2 || [...values].some((v) => TIME_LIKE.test(v))) continue;
    (values.size > 1 ? varying : constant).push(c);
  }
  let all = [...varying, ...constant].sort((a, b) => a - b);
  let pairs = keysAndRepeats(sample, ts, all);
  // Integer columns of few values (`cpu` 0–7, `port`) are labels where the others leave (time, labels) repeated
  // (node_exporter's `time,cpu,mode,value`): fewest values first, while a value column is left.
  const limit = Math.max(1, MAX_REPEATS * sample.length);
  const numeric = pairs.repeats > limit ? integerLabelColumns(header, sample, inf) : [];
  for (let k = 0; pairs.repeats > limit && k < numeric.length && k < inf.metricIndices.length - 1; k++) {
    all = [...all, numeric[k].column].sort((a, b) => a - b);
    if (numeric[k].size > 1) varying.push(numeric[k].column);
    pairs = keysAndRepeats(sample, ts, all);
  }
  if (all.length === 0 || pairs.repeats > limit) return null;
  const nameColumn = all.find((c) => NAME_COLUMN.test(header[c].trim())) ?? -1;
  if (varying.length === 0) {
    // One series in the sample: long only if the file turns out grouped by these columns.
    return pairs.repeats === 0 ? { labels: all, nameColumn, tentative: all } : null;
  }
  let shared = 0;
  for (const keys of pairs.byTime.values()) if (keys.size > 1) shared += keys.size;
  // Few shared times: long only if the sample itself is grouped by the varying labels (host a's rows, then b's from
  // the first time again).
  if (shared < sample.length / 2 && !sampleGrouped(sample, inf, varying)) return null;
  // A name column with one value in the sample still names the metric, as in a file of one metric.
  return { labels: all, nameColumn, tentative: constant.filter((c) => c !== nameColumn) };
}

/** The label keys (of columns `labels`) seen at each sampled time (column `ts`), and how many repeat one seen there. */
function keysAndRepeats(sample: readonly string[][], ts: number, labels: readonly number[]): { byTime: Map<string, Set<string>>; repeats: number } {
  const byTime = new Map<string, Set<string>>();
  let repeats = 0;
  for (const row of sample) {
    const t = (row[ts] ?? '').trim();
    if (isMissing(t)) continue;
    let keys = byTime.get(t);
    if (!keys) byTime.set(t, (keys = new Set()));
    const key = keyOf(labelsOf(row, labels));
    if (keys.has(key)) repeats++;
    keys.add(key);
  }
  return { byTime, repeats };
}

/** A column's distinct trimmed values in the sample. */
function seen(sample: readonly string[][], c: number): Set<string> {
  const out = new Set<string>();
  for (const row of sample) out.add((row[c] ?? '').trim());
  return out;
}

/** Most distinct values of an integer label column, as a share of the sampled rows (a count metric takes more). */
const MAX_INTEGER_LABEL_SHARE = 0.25;

/** Headers of a part of the time (`date,hour,value`): such a column is no label. */
const TIME_PART = /^(year|month|week|weekday|day|dow|doy|hour|hr|hod|hh|minute|min|mm|second|sec|ss)s?$/;

/**
 * Numeric columns whose sampled values are all integers (no sign, at most 9 digits) of few distinct values, with how
 * many: fewest first (an HTTP status before a count), then in file order.
 */
function integerLabelColumns(header: readonly string[], sample: readonly string[][], inf: Inference): { column: number; size: number }[] {
  const sizes = new Map<number, number>();
  // Dates without a time of day beside a column of 0–23: the hour, whatever its header says.
  const dateOnly = sample.every((row) => readTime(row[inf.timestampIndex] ?? '', inf.timestampKind, undefined, inf.zones) % 86_400_000 === 0);
  for (const c of inf.metricIndices) {
    if (isTimePart(header[c])) continue;
    const values = seen(sample, c);
    if (values.size > Math.max(2, MAX_INTEGER_LABEL_SHARE * sample.length)) continue;
    if (![...values].every((v) => /^\d{1,9}$/.test(v))) continue;
    if (dateOnly && [...values].every((v) => Number(v) <= 23)) continue;
    sizes.set(c, values.size);
  }
  return [...sizes].map(([column, size]) => ({ column, size })).sort((a, b) => a.size - b.size || a.column - b.column);
}

/** Whether a header names a part of the time (`hour`, `Hour of Day`, `hr`, `dow`): such a column is no label. */
function isTimePart(name: string): boolean {
  return name.toLowerCase().split(/[^a-z]+/).some((w) => TIME_PART.test(w));
}

/** Whether sampled rows come in runs of one value of `labels`, the time starting again where they change. */
function sampleGrouped(sample: readonly string[][], inf: Inference, labels: readonly number[]): boolean {
  const keys = sample.map((row) => keyOf(labelsOf(row, labels)));
  const times = sample.map((row) => readTime(row[inf.timestampIndex] ?? '', inf.timestampKind, undefined, inf.zones));
  return inRuns(sample.length, (i) => keys[i], (i) => times[i]);
}

/**
 * Whether `n` rows (key and time of row i) come in runs of one key — at least two keys, runs of MIN_RUN_ROWS rows on
 * average — and at most changes of key the time starts again (jumpsBack). A value that changes once while time goes
 * on, or a row a second out of order, is no run.
 */
function inRuns(n: number, keyAt: (i: number) => number | string, timeAt: (i: number) => number): boolean {
  const step = usualStep(n, timeAt, (i) => keyAt(i) === keyAt(i - 1));
  const keys = new Set<number | string>();
  let changes = 0, restarts = 0, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = timeAt(i);
    if (i > 0 && keyAt(i) !== keyAt(i - 1)) {
      changes++;
      if (jumpsBack(t, timeAt(i - 1), lo, hi, step)) restarts++;
    }
    keys.add(keyAt(i));
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return keys.size >= 2 && changes * MIN_RUN_ROWS <= n && 2 * restarts >= changes;
}

/**
 * The usual time between neighbouring rows, oldest or newest first alike: the median of up to 4,096 positive gaps
 * |t(i) − t(i−1)| (of rows `sameRun` pairs with the one before: one key's), 0 when none.
 */
export function usualStep(n: number, timeAt: (i: number) => number, sameRun: (i: number) => boolean = () => true): number {
  const gaps: number[] = [];
  const stride = Math.max(1, Math.floor(n / 4096));
  for (let i = 1; i < n; i += stride) {
    const g = Math.abs(timeAt(i) - timeAt(i - 1));
    if (g > 0 && sameRun(i)) gaps.push(g);
  }
  gaps.sort((a, b) => a - b);
  return gaps.length ? gaps[gaps.length >> 1] : 0;
}

/**
 * Whether a row at time `t` after one at `prev` starts the time again: it lands within the times read so far
 * ([lo, hi]), MIN_RUN_ROWS usual steps (`step`) or more away from the row before (newest-first files jump forward).
 */
export function jumpsBack(t: number, prev: number, lo: number, hi: number, step: number): boolean {
  return t >= lo && t <= hi && Math.abs(t - prev) >= MIN_RUN_ROWS * step && t !== prev;
}

/** A row's label values (`labels`: their columns), trimmed. */
function labelsOf(row: readonly string[], labels: readonly number[]): string[] {
  return labels.map((c) => (row[c] ?? '').trim());
}

/** The key of a series: its label values joined by U+0000 (only label values holding a NUL could run together). */
function keyOf(values: readonly string[]): string {
  return values.join('\u0000');
}

/** The series of a long file, numbered in the order first seen. */
export class LongSeries {
  private readonly ids = new Map<string, number>();
  /** Each series' label values, in the layout's label order. */
  readonly labelValues: string[][] = [];

  constructor(readonly layout: LongLayout) {}

  /** The last row's series and its label cells as written: rows come in runs of one series (grouped files, wide files' constants). */
  private last = -1;
  private lastCells: string[] = [];

  /** The number of the series of a row (`row`: the row's fields by column). */
  idOf(row: readonly string[]): number {
    const { labels } = this.layout;
    if (this.last >= 0) {
      let same = true;
      for (let j = 0; j < labels.length && same; j++) same = row[labels[j]] === this.lastCells[j];
      if (same) return this.last;
    }
    this.lastCells = labels.map((c) => row[c]);
    return (this.last = this.idOfValues(labelsOf(row, labels)));
  }

  /** The number of the series with these label values (in the layout's label order). */
  private idOfValues(values: string[]): number {
    const key = keyOf(values);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.labelValues.length;
      this.ids.set(key, id);
      this.labelValues.push(values);
    }
    return id;
  }

  get count(): number {
    return this.labelValues.length;
  }

  /**
   * The series told apart by the labels that are not tentative, and each series' number among them (`ids[old]`);
   * null when no label is left (a wide file with a text column of one value in its first rows).
   */
  withoutTentative(): { long: LongSeries; ids: Int32Array } | null {
    const { labels, nameColumn, tentative } = this.layout;
    const keep = labels.filter((c) => !tentative.includes(c));
    if (keep.length === 0) return null;
    const next = new LongSeries({ labels: keep, nameColumn: keep.includes(nameColumn) ? nameColumn : -1, tentative: [] });
    const at = keep.map((c) => labels.indexOf(c));
    const ids = Int32Array.from(this.labelValues, (v) => next.idOfValues(at.map((j) => v[j])));
    return { long: next, ids };
  }

  /**
   * The name column's value in the first row read ('' without a name column): a file of one metric read as wide when
   * its other labels are dropped is named by it, as a stream names it from its first rows. `changedAt`: the first row
   * (of `series`, each row's series in the order read) holding another name there, `other`, else -1.
   */
  firstName(series: ArrayLike<number>): { name: string; changedAt: number; other: string } {
    const j = this.layout.labels.indexOf(this.layout.nameColumn);
    if (j < 0 || !this.labelValues.length) return { name: '', changedAt: -1, other: '' };
    const name = this.labelValues[0][j];
    for (let i = 0; i < series.length; i++) if (this.labelValues[series[i]][j] !== name) return { name, changedAt: i, other: this.labelValues[series[i]][j] };
    return { name, changedAt: -1, other: '' };
  }

  /**
   * Metric names, series-major (each series' value columns together): NAME{labels} with the name column's value,
   * else the value column's name, and `_column` after a named metric when there are several value columns. Labels
   * the same in every series are left out (they tell no series apart).
   */
  metricNames(header: readonly string[], valueColumns: readonly number[]): string[] {
    const { labels, nameColumn } = this.layout;
    const varying = labels.filter((c, j) => c !== nameColumn && this.labelValues.some((v) => v[j] !== this.labelValues[0][j]));
    const seen = new Set<string>();
    const out: string[] = [];
    for (const values of this.labelValues) {
      const set: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const c of varying) set[header[c].trim()] = values[labels.indexOf(c)];
      const braces = labelText(set);
      const named = nameColumn >= 0 ? values[labels.indexOf(nameColumn)] : '';
      for (const v of valueColumns) {
        const base = named ? (valueColumns.length > 1 ? `${named}_${header[v]}` : named) : header[v];
        let name = `${base}${braces}`;
        for (let k = 2; seen.has(name); k++) name = `${base}${braces}_${k}`;
        seen.add(name);
        out.push(name);
      }
    }
    return out;
  }
}

/**
 * The name a wide file of one series gives its value column: the name column's one value `named` only when that
 * column is the file's one value column and its header says nothing of what it holds (`value`, Flux's `_value`), else
 * ''. A wide file with a constant `name` column beside `cpu,mem` keeps `cpu` and `mem`.
 */
export function oneSeriesName(named: string, header: readonly string[], valueColumns: readonly number[]): string {
  return valueColumns.length === 1 && /^(_?values?|val|y)$/i.test((header[valueColumns[0]] ?? '').trim()) ? named : '';
}

/**
 * A wide file's one metric named by its name column (`time,name,value`), for analyze and stream alike: the column
 * (`long`'s name column, or else a text column named as one, complete in the `sample`) and its value in the first row,
 * when oneSeriesName takes it; else null. A later row of another name is said with renamedNote.
 */
export function wideSeriesName(header: readonly string[], sample: readonly (readonly string[])[], inf: Pick<Inference, 'textIndices'>, long: LongLayout | null, valueColumns: readonly number[]): { column: number; name: string } | null {
  const column = long ? long.nameColumn : inf.textIndices.find((c) => NAME_COLUMN.test((header[c] ?? '').trim()) && sample.every((r) => r[c] !== undefined)) ?? -1;
  if (column < 0 || !sample.length) return null;
  const name = oneSeriesName((sample[0][column] ?? '').trim(), header, valueColumns);
  return name ? { column, name } : null;
}

/**
 * The warning of a file of one metric named by its name column (`column`: its header) whose value is `now` on a later
 * row where the first rows hold `first`: analyze and stream alike read the rows on as the metric `first`.
 */
export function renamedNote(column: string, first: string, now: string): string {
  const c = JSON.stringify(clip(column.trim()));
  return `'${clip(now)}' in column ${c} where the first rows have '${clip(first)}', which names the metric: read on as '${clip(first)}' (the name is the first rows', in analyze as in stream); to read '${clip(now)}' apart, filter the file by ${c}`;
}

/** Fewest rows a run of one tentative value holds on average, for a file's rows to count as grouped by them. */
export const MIN_RUN_ROWS = 20;

/**
 * Whether a file's rows, in the order read (`series[i]`, `timestamps[i]`), come grouped by its tentative label columns
 * (LongLayout): they take at least two values, change seldom (in runs of 20 rows or more on average: rows of host a,
 * then of host b; an export in chunks repeats the runs), and at most changes the time starts again — the new run begins
 * within the times already read (oldest or newest first alike). A wide file whose text column changes once with time
 * going on is not grouped.
 */
export function groupedByTentative(long: LongSeries, series: Float64Array, timestamps: Float64Array): boolean {
  const { labels, tentative } = long.layout;
  if (tentative.length === 0) return false;
  const at = tentative.map((c) => labels.indexOf(c));
  const groups = new Map<string, number>();
  const groupOf = long.labelValues.map((v) => {
    const key = keyOf(at.map((j) => v[j]));
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = groups.size));
    return g;
  });
  return inRuns(series.length, (i) => groupOf[series[i]], (i) => timestamps[i]);
}

/** A long file joined by time: one row per distinct time, a metric per series and value column. */
export interface Joined {
  timestamps: Float64Array;
  values: Float64Array[];
  lines: Int32Array;
  /** (time, series) pairs given more than once: the last row's values are kept. */
  repeated: number;
  /** The first line of a repeated pair, or -1. */
  firstRepeated: number;
  /** Per series, the line of its row at each joined row (0 where it has none). */
  seriesLines: Int32Array[];
  /** Share of the joined cells that hold a value (the series' times line up when it is near 1). */
  filled: number;
}

/**
 * Joins rows sorted by time: `series[i]` is row i's series, `values[k][i]` its k-th value column, `lines[i]` its
 * line. A joined row's line is the first line of its time. Series-major metric order, as metricNames.
 */
export function joinByTime(timestamps: Float64Array, series: Float64Array, values: readonly Float64Array[], lines: Int32Array, seriesCount: number): Joined {
  const n = timestamps.length;
  let rows = 0;
  for (let i = 0; i < n; i++) if (i === 0 || timestamps[i] !== timestamps[i - 1]) rows++;
  const k = values.length;
  const out = Array.from({ length: seriesCount * k }, () => new Float64Array(rows).fill(NaN));
  const set = Array.from({ length: seriesCount }, () => new Uint8Array(rows));
  const own = Array.from({ length: seriesCount }, () => new Int32Array(rows));
  const ts = new Float64Array(rows);
  const ls = new Int32Array(rows);
  let r = -1, repeated = 0, firstRepeated = -1, cells = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || timestamps[i] !== timestamps[i - 1]) { r++; ts[r] = timestamps[i]; ls[r] = lines[i]; }
    const s = series[i];
    if (set[s][r]) { repeated++; if (firstRepeated < 0) firstRepeated = lines[i]; } else { set[s][r] = 1; cells++; }
    own[s][r] = lines[i];
    for (let j = 0; j < k; j++) out[s * k + j][r] = values[j][i];
  }
  return { timestamps: ts, values: out, lines: ls, repeated, firstRepeated, filled: rows && seriesCount ? cells / (rows * seriesCount) : 1, seriesLines: own };
}

/** The rows of a long file as read, sorted by time: each row's series number, value columns and line. */
export interface LongRows {
  timestamps: Float64Array;
  series: Float64Array;
  values: Float64Array[];
  lines: Int32Array;
}

/**
 * A long file's table: joined by time, with what a user should know about it (`notes`), or the reason it cannot be
 * analysed (too many series or values), or why it is read as it is (`asIs`).
 */
export function joinLong(long: LongSeries, read: LongRows, header: readonly string[], valueColumns: readonly number[], maxValues: number, guessed = false):
  | { ok: true; timestamps: Float64Array; values: Float64Array[]; lines: Int32Array; seriesLines: Int32Array[]; metrics: string[]; notes: DataIssue[] }
  | { ok: false; issue: DataIssue; asIs?: true } {
  // The labels that tell the series apart (all of them when one series was read).
  const { labels } = long.layout;
  const apart = labels.filter((_, j) => long.labelValues.some((v) => v[j] !== long.labelValues[0][j]));
  const by = nameList((apart.length ? apart : labels).map((c) => header[c]));
  const count = long.count * valueColumns.length;
  if (count > MAX_LONG_METRICS) {
    const many = `long format (series told apart by ${by}): ${long.count.toLocaleString('en')} series give ${count.toLocaleString('en')} metrics, more than the ${MAX_LONG_METRICS} analysed at once`;
    // `guessed`: an integer column was taken for a label: too many series say it was none; read as it is.
    if (guessed) return { ok: false, asIs: true, issue: { severity: 'warning', code: 'long-not-joined', line: 2, message: `${many}: read as it is` } };
    return { ok: false, issue: { severity: 'error', code: 'too-many-series', message: `${many}: filter the file to fewer series` } };
  }
  const { timestamps, series, values, lines } = read;
  let times = 0;
  for (let i = 0; i < timestamps.length; i++) if (i === 0 || timestamps[i] !== timestamps[i - 1]) times++;
  // At most one value per row: when even that fills under half the joined cells, the series' times do not line up.
  // Joined, the file would be mostly empty cells (series × times); it is read as it is.
  const asIs = (why: string): { ok: false; issue: DataIssue; asIs: true } => ({ ok: false, asIs: true, issue: { severity: 'warning', code: 'long-not-joined', line: 2, message: `rows of several series told apart by ${by}, but ${why}: read as they are, one row each (export the series on one time grid, a column each)` } });
  if (timestamps.length < MIN_FILLED * times * long.count) return asIs(`their times do not line up (at most ${Math.round((100 * timestamps.length) / (times * long.count))} % of the joined cells would hold a value)`);
  if (times * count > maxValues) {
    return { ok: false, issue: { severity: 'error', code: 'too-large', message: `long format: ${times.toLocaleString('en')} times × ${count} metrics is more than ${maxValues.toLocaleString('en')} values: too much data to analyse here; analyse a part of the file, or use the command line` } };
  }
  const joined = joinByTime(timestamps, series, values, lines, long.count);
  if (joined.repeated > Math.max(1, MAX_REPEATS * timestamps.length)) return asIs(`${joined.repeated} rows repeat a series at a time it already has (an event log, not one value per series and time)`);
  if (joined.filled < MIN_FILLED) return asIs(`their times do not line up (${Math.round(joined.filled * 100)} % of the joined cells would hold a value)`);
  const metrics = long.metricNames(header, valueColumns);
  const notes: DataIssue[] = [{
    severity: 'warning', code: 'long-format', line: 1, column: 1,
    message: `long format: the rows of each time are joined into one, a metric per series told apart by ${by} (${count} metric${count === 1 ? '' : 's'}, e.g. ${metrics[0].length > 60 ? `${metrics[0].slice(0, 57)}…` : metrics[0]})`,
  }];
  if (joined.repeated) notes.push({ severity: 'warning', code: 'duplicate-series-row', line: joined.firstRepeated, message: `${joined.repeated} row${joined.repeated > 1 ? 's' : ''} repeat a series at a time it already has: the last is kept` });
  if (joined.filled < 0.9) notes.push({ severity: 'warning', code: 'series-misaligned', line: 2, message: `the series' times do not all line up: ${Math.round((1 - joined.filled) * 100)} % of the joined cells are empty (export the series on one time grid)` });
  // A metric's lines are its series' (series-major, as the metrics).
  const seriesLines = joined.seriesLines.flatMap((l) => valueColumns.map(() => l));
  return { ok: true, timestamps: joined.timestamps, values: joined.values, lines: joined.lines, seriesLines, metrics, notes };
}
