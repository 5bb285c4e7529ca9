/**
 * The row pipeline of a followed CSV, shared by `anomaly-hunter stream` and the extension's streaming worker:
 * text in pieces → records → header and column inference (from the first rows) → per row the stream
 * detector's score, its anomaly and the rules' anomalies. Causal: a row is scored when it arrives, from the
 * rows before it. A truncated or rotated file restarts at its header; a different header starts a new
 * detector. Node-free apart from what its callers feed it.
 */
import { CsvRecordSplitter, type CsvRecord } from './csvLines.ts';
import { InputError, UsageError } from './errors.ts';
import type { TailEvent } from './tailFile.ts';
import { dateOrderNote, weekdayNote, inferColumns, isAnnotation, parseNumber, unreadTimeNote, settleDateOrder, skippedRowNote, type Inference } from '../core/csv/infer.ts';
import { jumpsBack, longLayout, wideSeriesName, renamedNote, usualStep, type LongLayout } from '../core/csv/longFormat.ts';
import { OPEN_TIMES, type JoinedTime, type LongStreamJoin } from '../core/csv/longStream.ts';
import { labelText } from '../core/prometheus/names.ts';
import { UnitNotes } from '../core/csv/units.ts';
import { dedupeHeader, headerRowIndex, looksLikeValue, preambleNote } from '../core/csv/header.ts';
import { looksBinary } from '../core/csv/sniff.ts';
import { ZoneWatch } from '../core/csv/zone.ts';
import { isDataRow, layoutOf, longStreamLayout, sameHeader, timeOf, type Layout } from './streamLayout.ts';
import { seriesIn } from '../core/csv/frame.ts';
import type { Anomaly } from '../core/anomaly.ts';
import type { RulesFile } from '../core/rules/model.ts';
import { createStreamDetector, type StreamDetector, type StreamScore } from '../core/streaming/streamDetector.ts';
import { baselineAnomaly, streamAnomaly } from '../core/streaming/anomalies.ts';
import { createRetrainer, type ModelInfo, type RetrainEvent, type Retrainer } from '../core/streaming/retraining.ts';
import { createStreamRules, type StreamRules } from '../core/streaming/rulesStream.ts';
import { warmupNote } from '../core/streaming/warmup.ts';
import { RowWarnings } from './rowWarnings.ts';

/** Rows read before the columns are decided (fewer when the input pauses or ends first). */
const SAMPLE_ROWS = 20;
/** A long file's rows read before its series are decided: until three times have come, at most this many. */
const LONG_SAMPLE_ROWS = 500;
/** Series first seen after the columns were decided that are named one by one (then counted). */
const MAX_UNKNOWN_NOTES = 5;

export type { Layout } from './streamLayout.ts';

/** One scored row. */
export interface ScoredRow {
  /** 0-based data row since the (re)start of the file. */
  row: number;
  /** 1-based line of the record in the file. */
  line: number;
  /** The timestamp cell as written, and as epoch ms (NaN when none or unreadable; the wall clock of a file written at a UTC offset, Layout.utcOffsetMs). */
  tsText: string;
  ms: number;
  /** The metric values, in `layout.metrics` order (NaN = missing). */
  values: number[];
  score: StreamScore;
  /** With `baseline`: the baseline model that scored this row, and the refit that made it (on its first row); else null. */
  model: ModelInfo | null;
  retrain: RetrainEvent | null;
  /**
   * The stream's anomaly — the novelty detector's, or with `baseline` the stronger of it and the baseline's,
   * when one reaches the alert level — then the rules' anomalies.
   */
  anomalies: Anomaly[];
}

/** Options of `StreamPipeline`. */
export interface PipelineOptions {
  /** Name of the input in messages. */
  displayPath: string;
  /** Metrics to score (default: every numeric column). */
  metrics?: string[];
  /** Scores exactly one metric (NAB output): more is a usage error. */
  oneMetric?: boolean;
  seed?: number;
  /** A valid rules file evaluated on every row. */
  rules?: RulesFile | null;
  thresholds?: Record<string, number>;
  /** Also score each row against a fitted, retrained baseline (core/streaming/retraining.ts). @default false */
  baseline?: boolean;
  /** Time between refits of the baseline (null: fitted once, never refitted). @default 1 day (see retraining.ts) */
  retrainEveryMs?: number | null;
  /** The columns are decided (also after a restart with a new header). */
  onLayout?(layout: Layout): void;
  onRow(row: ScoredRow): void;
  /** The input is followed (more may come): a quote still open when it pauses gets a note. */
  live?: boolean;
  /** Human notes (restarts, skipped rules) for stderr or the log. */
  onNotice?(text: string): void;
}

/** Feed it text with `push`; call `caughtUp` when the input pauses, `restart` on truncation or rotation, `finish` at the end. */
export class StreamPipeline {
  private splitter = new CsvRecordSplitter();
  private header: string[] | null = null;
  private expectHeader = true;
  private sample: CsvRecord[] = [];
  /** The header's line (1-based; below a preamble, the table's header). */
  headerLine = 1;
  /** The header line's fields as written (empty ones empty, not column_N): a title padded with commas is told by them. */
  private headerFields: readonly string[] = [];
  /** The file's UTC offset, from the first rows, and where a row leaves it. */
  private zone = new ZoneWatch();
  private layout: Layout | null = null;
  private detector: StreamDetector | null = null;
  private retrainer: Retrainer | null = null;
  private rules: StreamRules | null = null;
  /** The columns the rules read: the header's, or in a long file the joined metrics'. */
  private ruleCols: number[] = [];
  /** Of `ruleCols`, the indices of the columns no metric scored reads (their cells are checked apart). */
  private ruleOnly: number[] = [];
  /** A long file's rows joined by time, else null. */
  private join: LongStreamJoin | null = null;
  /** Of a long file's joined metrics, the ones scored (`--metrics`), else null (all). */
  private pick: number[] | null = null;
  private unknownSeries = 0;
  /** The time of the last row read, the range of the times read, and the usual step of the first rows (groupedError). */
  private lastMs = -Infinity;
  private loMs = Infinity;
  private hiMs = -Infinity;
  private stepMs = 0;
  /** A wide file's text columns of one value in its first rows, and their values, until one changes. */
  private tentative: { columns: number[]; values: string[] } | null = null;
  /** The name column whose first value names a wide file's one metric, and that value (a later other one is said), else null. */
  private named: { column: number; name: string } | null = null;
  /** Notes said once per stream, by kind. */
  private said = new Set<string>();
  private row = 0;
  /** Rows of the current detector that any metric was scored on (none during its warm-up). */
  private scored = 0;
  /** The inference while its order of day and month is only assumed (settleDateOrder), else null. */
  private dates: Inference | null = null;
  /** The open quote already reported as holding rows back (line:column), so the note is given once. */
  private noted = '';
  /** Cells that are not numbers, times that go back: said as analyze says them. */
  private readonly warnings: RowWarnings;
  /** The first input error (a bad header, no numeric column); nothing is scored after it. */
  failure: InputError | UsageError | null = null;

  constructor(private readonly opts: PipelineOptions) {
    this.warnings = new RowWarnings(opts.displayPath, (text) => opts.onNotice?.(text));
  }

  /** The current columns, or null before they are decided. */
  get columns(): Layout | null {
    return this.layout;
  }

  /** Whether a header line was read. */
  get sawHeader(): boolean {
    return this.header !== null;
  }

  push(text: string): void {
    if (this.failure) return;
    if (!this.header && this.sample.length === 0 && looksBinary(text)) {
      // A gzip file starts with 0x1f 0x8b: `analyze` reads it, a stream needs its text.
      const gzip = text.charCodeAt(0) === 0x1f;
      this.failure = new InputError(gzip ? 'a gzip-compressed file: analyze reads it; to stream it, decompress it first (gunzip -k FILE)' : 'this is not a text CSV file (binary content)', this.opts.displayPath, 1, 1);
      return;
    }
    this.onRecords(this.splitter.push(text));
    this.checkSyntax();
  }

  /** While no row has been scored yet, a warning that says how long the warm-up is (warmup.ts); `final`: the input ended. */
  warmupNote(final: boolean): string | null {
    if (!this.layout || this.failure) return null;
    const note = warmupNote({ rows: this.row, scored: this.scored, spans: this.detector?.spans ?? null, stepMs: this.stepMs, timed: this.layout.timestampIndex >= 0, spanMs: this.hiMs - this.loMs }, final);
    return note && `${this.opts.displayPath}: warning: ${note}`;
  }

  /** The input paused: decide the columns from the rows there are, so a slow stream is scored live. */
  caughtUp(): void {
    if (this.failure) return;
    this.onRecords(this.splitter.settle());
    this.checkSyntax();
    // Rows of names only (a units row `UTC,%,MB`, the header below a title) decide nothing: a data row is waited for.
    if (!this.failure && this.sample.some((r) => r.fields.some(looksLikeValue))) this.guard(() => this.decide('pause'));
    // The input paused after a whole time of a long file: it is scored now, not when the next time comes.
    if (!this.failure && this.join) this.guard(() => this.scoreJoined(this.join!.flush(false)));
    // A quote that opened a field spanning lines holds back every row after it until it closes: say so.
    const q = this.splitter.openQuote;
    const at = q ? `${q.line}:${q.column}` : '';
    if (q && this.opts.live && at !== this.noted) {
      this.noted = at;
      this.opts.onNotice?.(`${this.opts.displayPath}:${at}: warning: a quoted field opened here is still open; the rows after it wait for its closing quote`);
    }
  }

  /** The followed file is gone from its path (`back`: false), or the same file is there again (true). */
  gone(back: boolean): void {
    if (this.failure) return;
    this.opts.onNotice?.(back ? `${this.opts.displayPath}: the file is back; reading on` : `${this.opts.displayPath}: the file was deleted or moved; waiting for it to come back`);
  }

  /** The file was truncated, replaced or created again: what follows is a new file, header first. */
  restart(event: TailEvent): void {
    if (this.failure) return;
    const what = event === 'truncated' ? 'file truncated' : event === 'rotated' ? 'file replaced (rotated)' : 'the file is back';
    this.opts.onNotice?.(`${this.opts.displayPath}: ${what}; reading it again from the top`);
    this.onRecords(this.splitter.flush());
    this.checkSyntax();
    if (!this.failure && this.join) this.guard(() => this.scoreJoined(this.join!.flush(true)));
    this.splitter = new CsvRecordSplitter();
    this.expectHeader = true;
    // A new file: its times and its text columns' values start again.
    this.resetTimes();
    this.tentative = null;
  }

  /** The input ended: the unterminated last record counts, and undecided rows are scored. */
  finish(): void {
    if (this.failure) return;
    this.onRecords(this.splitter.flush());
    this.checkSyntax();
    if (!this.failure && this.sample.length) this.guard(() => this.decide('end'));
    this.caughtUp();
    if (!this.failure && this.join) this.guard(() => this.scoreJoined(this.join!.flush(true)));
    this.warnings.finish();
  }

  /** A syntax error of the CSV (a stray quote, a line too long) ends the stream with its position. */
  private checkSyntax(): void {
    const e = this.splitter.error;
    if (e && !this.failure) this.failure = new InputError(e.message, this.opts.displayPath, e.line, e.column);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof InputError || e instanceof UsageError) this.failure = e;
      else throw e;
    }
  }

  private onRecords(records: CsvRecord[]): void {
    for (const rec of records) {
      if (this.failure) return;
      this.guard(() => {
        // InfluxDB's annotation rows, and its header repeated before each table, are no data.
        if (isAnnotation(rec.fields[0] ?? '') || (!this.expectHeader && this.header && sameHeader(this.header, rec.fields))) return;
        if (this.expectHeader) {
          this.expectHeader = false;
          if (this.header && sameHeader(this.header, rec.fields)) return;
          if (this.layout && isDataRow(this.layout, rec.fields)) {
            // Truncated in place and written again without a header (logrotate's copytruncate): same columns.
            this.opts.onNotice?.(`${this.opts.displayPath}:${rec.line}: the file starts again without a header; its rows are read with the previous columns`);
            this.score(rec);
            return;
          }
          if (this.header) {
            this.opts.onNotice?.(`${this.opts.displayPath}: the new file has a different header; starting a new detector`);
            this.layout = null;
            this.detector = null;
            this.retrainer = null;
            this.rules = null;
            this.join = null;
            this.pick = null;
            this.tentative = null;
            this.resetTimes();
            this.sample = [];
          }
          this.header = dedupeHeader(rec.fields.map((h) => h.trim()));
          this.headerFields = rec.fields;
          this.headerLine = rec.line;
          this.row = 0;
          return;
        }
        if (!this.layout) {
          this.sample.push(rec);
          // A long file waits for more rows: asked again every SAMPLE_ROWS rows, not on each.
          if (this.sample.length >= SAMPLE_ROWS && this.sample.length % SAMPLE_ROWS === 0) this.decide('rows');
        } else this.score(rec);
      });
    }
  }

  /**
   * Decides the columns from the rows read so far (`when`: after SAMPLE_ROWS more rows, at a pause of the input, at
   * its end). Rows of fewer than three times, some time given twice, may be a long file's first times: they wait for
   * more rows (at most LONG_SAMPLE_ROWS), even at a pause — a live file's first write may hold one time of 30 hosts.
   */
  private decide(when: 'rows' | 'pause' | 'end'): void {
    if (!this.header || this.layout) return;
    // The first line was a preamble (a title, an export's notes) when a row below it is the table's header.
    const h = headerRowIndex([this.headerFields, ...this.sample.map((r) => r.fields)]);
    if (h > 0) {
      this.opts.onNotice?.(`${this.opts.displayPath}:${this.headerLine}: warning: ${preambleNote(this.headerLine, this.sample[h - 2]?.line ?? this.headerLine, this.sample[h - 1].line)}`);
      this.header = dedupeHeader(this.sample[h - 1].fields.map((f) => f.trim()));
      this.headerFields = this.sample[h - 1].fields;
      this.headerLine = this.sample[h - 1].line;
      this.sample = this.sample.slice(h);
    }
    const header = this.header;
    const fields = this.sample.map((r) => r.fields);
    const inference = inferColumns(header, fields, this.splitter.delim ?? ',');
    const unread = inference.timestampIndex < 0 ? unreadTimeNote(header, fields, inference.textIndices, this.sample.map((r) => r.line)) : null;
    const long = longLayout(header, fields, inference);
    // Tentative labels (one value in the first rows) make no long file: a wide file may have such a column.
    const isLong = long !== null && long.labels.length > long.tentative.length;
    // The sampled rows' times, read as the rows will be (a clock column completes a date column).
    const sampledMs = inference.timestampIndex < 0 ? [] : fields.map((f) => timeOf(inference, f[inference.timestampIndex] ?? '', f));
    // A zone that names more than one offset (CST) may be settled by a later row (CDT) of the first ones analyze
    // samples: a file read straight through waits for them (a pause decides with the rows there are).
    if (when === 'rows' && this.sample.length < LONG_SAMPLE_ROWS && unread?.ambiguousZone) return;
    if (when !== 'end' && this.sample.length < LONG_SAMPLE_ROWS && inference.timestampIndex >= 0) {
      const times = new Set(sampledMs).size;
      if (times < 3 && (isLong || times < fields.length)) return;
    }
    this.stepMs = usualStep(sampledMs.length, (i) => sampledMs[i]);
    if (unread) this.opts.onNotice?.(`${this.opts.displayPath}:${this.headerLine}:${unread.column + 1}: warning: ${unread.message}`);
    const order = dateOrderNote(inference);
    // Decided on the first rows: a later date the order cannot read switches it (see score).
    if (order) this.opts.onNotice?.(`${this.opts.displayPath}: warning: ${order}`);
    this.dates = order ? inference : null;
    const valueColumns = isLong ? inference.metricIndices.filter((c) => !long.labels.includes(c)) : inference.metricIndices;
    // Values with units (52.3%, 1.20 GB) are read in their base, as analyze reads them: said once, from the first rows.
    const units = new UnitNotes();
    for (const r of this.sample) for (const c of valueColumns) units.note(c, (r.fields[c] ?? '').trim(), inference.decimalComma, r.line);
    for (const u of units.issues(header)) this.opts.onNotice?.(`${this.opts.displayPath}:${u.line}:${u.column}: warning: ${u.message}`);
    // One series of a name column's one value in the first rows (`time,metric,value` of one metric): its first value
    // names the metric, as in analyze; a later row of another name is said (see score).
    this.named = isLong ? null : wideSeriesName(header, fields, inference, long, valueColumns);
    const named = this.named?.name;
    const names = named ? header.map((h, c) => (c === valueColumns[0] ? named : h)) : header;
    const layout = isLong ? this.longLayoutOf(header, inference, long, valueColumns) : layoutOf(header, inference, this.opts.metrics, this.opts.oneMetric ?? false, this.opts.displayPath, names);
    // Times written at a UTC offset are read as the file's wall clock, as analyze reads them.
    this.zone = new ZoneWatch();
    if (inference.timestampIndex >= 0 && inference.clockIndex < 0) this.zone.start(fields.map((f) => f[inference.timestampIndex] ?? ''), this.sample.map((r) => r.line), inference.zones);
    if (this.zone.movedAt) this.opts.onNotice?.(`${this.opts.displayPath}:${this.zone.movedAt}: warning: ${this.zone.note()}`);
    layout.utcOffsetMs = this.zone.offsetMs;
    this.tentative = !isLong && long ? { columns: long.tentative, values: long.tentative.map((c) => (fields[0][c] ?? '').trim()) } : null;
    this.resetTimes();
    this.layout = layout;
    this.detector = createStreamDetector({ metrics: layout.metrics, seed: this.opts.seed ?? 0 });
    this.scored = 0;
    this.retrainer = this.opts.baseline ? createRetrainer({ metrics: layout.metrics, retrainEveryMs: this.opts.retrainEveryMs }) : null;
    if (this.opts.rules) {
      // Each rule's column, or its series' columns (cpu{host="a"}, …), in header (or joined) order.
      const ruleNames = this.join ? this.join.metrics : names;
      const cols = new Set(this.opts.rules.rules.flatMap((r) => seriesIn(ruleNames, r.metric)).filter((c) => this.join !== null || c !== layout.timestampIndex));
      this.ruleCols = [...cols].sort((a, b) => a - b);
      const scored = new Set(layout.metricIndices);
      this.ruleOnly = this.join ? [] : this.ruleCols.flatMap((c, k) => (scored.has(c) ? [] : [k]));
      this.rules = createStreamRules(this.opts.rules, this.ruleCols.map((c) => ruleNames[c]), { thresholds: this.opts.thresholds, timed: layout.timestampIndex >= 0, utcOffsetMs: layout.utcOffsetMs });
      for (const [name, why] of Object.entries(this.rules.skipped)) {
        if (why === 'unknown-metric') this.opts.onNotice?.(`${this.opts.displayPath}: rule '${name}': no metric '${this.opts.rules.rules.find((r) => r.name === name)?.metric}' in the data; skipped`);
      }
    }
    this.opts.onLayout?.(layout);
    const held = this.sample;
    this.sample = [];
    for (const r of held) this.score(r);
  }

  /** A long file's columns (streamLayout.ts longStreamLayout): its rows joined by time from here on. */
  private longLayoutOf(header: string[], inf: Inference, long: LongLayout, valueColumns: number[]): Layout {
    const r = longStreamLayout(this.sample, header, inf, long, valueColumns, this.opts);
    this.join = r.join;
    this.pick = r.pick;
    this.unknownSeries = 0;
    return r.layout;
  }

  private score(rec: CsvRecord): void {
    const l = this.layout as Layout;
    const f = rec.fields;
    // A row of another number of fields (a line cut short by a crash, a column added mid-file) is skipped with
    // analyze's warning (core/csv/parse.ts): its cells would be read into the wrong metrics.
    const cols = l.header.length;
    if (f.length < cols || f.slice(cols).some((x) => x.trim() !== '')) return this.warnings.warn('ragged-row', `row skipped: ${f.length} fields where the header has ${cols}`, rec.line, 1);
    const tsText = l.timestampIndex >= 0 ? (f[l.timestampIndex] ?? '') : '';
    // The row that settles the order of day and month: the times before it were read the other way (not "back").
    const dates = this.dates;
    const settled = dates !== null && settleDateOrder(dates, tsText);
    if (settled) {
      l.timestampKind = dates.timestampKind;
      this.opts.onNotice?.(`${this.opts.displayPath}:${rec.line}: warning: '${tsText.trim().slice(0, 40)}' shows the dates are ${l.timestampKind === 'dmy-time' ? 'day' : 'month'} first; the ${this.row} row${this.row === 1 ? '' : 's'} before were read the other way round`);
    }
    if (this.dates && !this.dates.assumedDateOrder) this.dates = null;
    const ms = timeOf(l, tsText, f);
    // A row whose time cannot be read (a units row `UTC,%,MB`, a cell that is no time) is skipped with analyze's message.
    if (l.timestampIndex >= 0 && ms !== ms) {
      const why = skippedRowNote(l, l.header, tsText, l.clockIndex >= 0 ? f[l.clockIndex] ?? '' : null);
      return this.warnings.warn('bad-timestamp', why.message, rec.line, why.column + 1);
    }
    const wrong = l.timestampKind === 'named-time' && ms === ms && !this.said.has('weekday') ? weekdayNote(tsText) : null;
    if (wrong) this.note('weekday', `${this.opts.displayPath}:${rec.line}: warning: ${wrong}`);
    // Far back into the times already read where the series changes: the rows come grouped by series (asked only then).
    const back = (): boolean => jumpsBack(ms, this.lastMs, this.loMs, this.hiMs, this.stepMs);
    if (this.join) {
      const added = this.join.add(f, tsText, ms, rec.line, (cell) => parseNumber(cell.trim(), l.decimalComma));
      if (added.kind !== 'unknown') this.warnings.cells(f, l.metricIndices, (k) => parseNumber((f[l.metricIndices[k]] ?? '').trim(), l.decimalComma), l.header, rec.line);
      if (added.kind === 'joined') { this.seen(ms); this.scoreJoined(added.done); return; }
      if (added.kind === 'late') {
        if (back()) throw groupedError(this.opts.displayPath, 'a series', rec.line);
        this.note('late', `${this.opts.displayPath}:${rec.line}: warning: a row of a time already scored (its series wrote it ${OPEN_TIMES} times or more behind the others, or after a pause): not scored`);
        return;
      }
      if (back()) throw groupedError(this.opts.displayPath, added.labels(), rec.line);
      if (added.first && ++this.unknownSeries <= MAX_UNKNOWN_NOTES) this.opts.onNotice?.(`${this.opts.displayPath}:${rec.line}: warning: series ${added.labels()} first seen here, after the first rows decided the columns: not scored (start the stream again to include it)`);
      else if (added.first && this.unknownSeries === MAX_UNKNOWN_NOTES + 1) this.opts.onNotice?.(`${this.opts.displayPath}:${rec.line}: warning: more series first seen after the first rows: not scored`);
      return;
    }
    const t = this.tentative;
    if (t) {
      // A column of one value in the first rows (`host` = a) that changes as the time goes back: grouped by series.
      const changed = t.columns.some((c, j) => (f[c] ?? '').trim() !== t.values[j]);
      if (changed && back()) throw groupedError(this.opts.displayPath, labelText(Object.fromEntries(t.columns.map((c) => [l.header[c], (f[c] ?? '').trim()]))), rec.line);
      if (changed) this.tentative = null;
    }
    // Scored in the order read (causal), where analyze sorts the rows by time: said, as analyze says it sorted.
    if (ms < this.lastMs && !settled) this.warnings.warn('unsorted', `timestamps are not in order: '${tsText.trim().slice(0, 40)}' is before the row above; rows are scored in the order read (analyze sorts them)`, rec.line, l.timestampIndex + 1);
    const n = this.named;
    if (n && !this.said.has('name-changed') && (f[n.column] ?? '').trim() !== n.name) {
      this.note('name-changed', `${this.opts.displayPath}:${rec.line}:${n.column + 1}: warning: ${renamedNote(l.header[n.column], n.name, (f[n.column] ?? '').trim())}`);
    }
    this.seen(ms);
    const values = l.metricIndices.map((c) => parseNumber((f[c] ?? '').trim(), l.decimalComma));
    const ruleValues = this.ruleCols.map((c) => parseNumber((f[c] ?? '').trim(), l.decimalComma));
    // A row whose time is no time (a units row `UTC,%,MB`) is one analyze skips, its cells unread: none is said here.
    const timeless = l.timestampIndex >= 0 && Number.isNaN(ms);
    if (!timeless) this.warnings.cells(f, l.metricIndices, (k) => values[k], l.header, rec.line);
    if (this.ruleOnly.length && !timeless) this.warnings.cells(f, this.ruleOnly.map((k) => this.ruleCols[k]), (j) => ruleValues[this.ruleOnly[j]], l.header, rec.line);
    // NAB output echoes the value as written; one that is not a number is written as missing (empty).
    this.emit(rec.line, tsText, ms, values, ruleValues);
  }

  /** Says a note once per stream (`kind`: which). */
  private note(kind: string, text: string): void {
    if (this.said.has(kind)) return;
    this.said.add(kind);
    this.opts.onNotice?.(text);
  }

  /** A row's time was read: the last, and the range so far. */
  private seen(ms: number): void {
    if (ms !== ms) return;
    this.lastMs = ms;
    if (ms < this.loMs) this.loMs = ms;
    if (ms > this.hiMs) this.hiMs = ms;
  }

  private resetTimes(): void {
    this.lastMs = -Infinity;
    this.loMs = Infinity;
    this.hiMs = -Infinity;
  }

  /** Scores a long file's times, joined, oldest first. */
  private scoreJoined(times: JoinedTime[]): void {
    const l = this.layout as Layout;
    for (const t of times) {
      const ms = timeOf(l, t.tsText, t.first);
      const values = this.pick ? this.pick.map((i) => t.values[i]) : t.values;
      this.emit(t.line, t.tsText, ms, values, this.ruleCols.map((i) => t.values[i]));
    }
  }

  /** Scores one row: the stream detector, the baseline and the rules (`ruleValues`: in `ruleCols` order). */
  private emit(line: number, tsText: string, instant: number, values: number[], ruleValues: number[]): void {
    const l = this.layout as Layout;
    // A later row written at another offset (daylight saving time): said once; the first rows' offset stays.
    if (!this.zone.movedAt) {
      this.zone.seen(tsText, 0, tsText.length, line);
      if (this.zone.movedAt) this.opts.onNotice?.(`${this.opts.displayPath}:${line}: warning: ${this.zone.note()}`);
    }
    const ms = instant + l.utcOffsetMs;
    if (!this.dates) this.warnings.time(ms, line); // no gap told of times read by an assumed day-month order
    const score = (this.detector as StreamDetector).update(ms, values);
    if (score.topMetric >= 0) this.scored++;
    const fitted = this.retrainer?.update(ms, values) ?? null;
    const anomalies: Anomaly[] = [];
    const a = streamAnomaly(score, this.row, ms, l.metrics, values, l.utcOffsetMs);
    const b = fitted && baselineAnomaly(fitted, this.row, ms, l.metrics, values, l.utcOffsetMs);
    // One stream finding per row: the stronger of the two views (novelty first on a tie).
    const own = a && b ? (b.score > a.score ? b : a) : a ?? b;
    if (own) anomalies.push(own);
    if (this.rules) anomalies.push(...this.rules.update(ms, ruleValues));
    this.opts.onRow({ row: this.row, line, tsText, ms, values, score, model: fitted?.model ?? null, retrain: fitted?.retrain ?? null, anomalies });
    this.row++;
  }
}

/** A file whose rows come grouped by series (all of host a, then host b from the first time again): it cannot be followed. */
function groupedError(path: string, series: string, line: number): InputError {
  return new InputError(`the rows come grouped by series (${series} starts here at a time already read): following reads the rows in time order; 'analyze' joins a file grouped by series`, path, line);
}
