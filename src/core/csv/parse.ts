import type { DataIssue, Frame } from './frame.ts';
import { isSeriesOf, medianStep, nameList } from './frame.ts';
import { CsvTokenizer } from './tokenize.ts';
import type { CsvSyntaxError } from './tokenize.ts';
import { skippedRowNote, dateOrderNote, weekdayNote, inferColumns, redate, isAnnotation, isMissing, parseNumber, readTime, settleDateOrder, unreadCellNote, unreadTimeNote } from './infer.ts';
import type { Inference } from './infer.ts';
import { parseTimestampAt } from './time.ts';
import { scanNumber } from './fastNumber.ts';
import { guessDelimiter, looksBinary } from './sniff.ts';
import { UnitNotes } from './units.ts';
import { LongSeries, MAX_LONG_METRICS, groupedByTentative, joinLong, longLayout, oneSeriesName, renamedNote, wideSeriesName } from './longFormat.ts';
import { inOrderPerSeries, permute, stableOrder, unsortedMessage } from './order.ts';
import { HEADER_LOOKAHEAD, dedupeHeader, headerRowIndex, looksLikeData, preambleNote } from './header.ts';
import { Column } from './column.ts';
import { ZoneWatch } from './zone.ts';
import { IssueLog } from './issueLog.ts';
import { gapNote, timeGaps } from './gaps.ts';

/** Rows read before the column kinds are decided. */
const SAMPLE_ROWS = 500;
/** …and cells: a wide file decides from fewer rows (500 rows of 10,000 strings would cost hundreds of MB). */
const SAMPLE_CELLS = 100_000;
/** Text read before the delimiter is guessed (the same head whatever the sizes of the pieces pushed). */
const HEAD_CHARS = 64 * 1024;

/** The outcome of reading a CSV: a frame (null when the input cannot be used) and every problem found. */
export interface CsvResult {
  frame: Frame | null;
  issues: DataIssue[];
  /** Detected delimiter, for reports. */
  delimiter: string;
}

/** An incremental reader: push text in pieces of any size, then end(). Memory is the frame plus one block. */
export interface CsvReader {
  push(text: string): void;
  end(): CsvResult;
  /** True once the input is known to be unusable: the rest need not be read (a device file never ends). */
  readonly failed: boolean;
}

/** Options of createCsvReader. */
export interface CsvReaderOptions {
  /**
   * Most values (rows × metrics) read: past it the file is refused with an error ('too-large') and the reading
   * stops, so memory stays bounded whatever the file's shape. @default Infinity
   */
  maxValues?: number;
  /** The metrics the caller reads (--metrics; cpu takes cpu{…}): a wide file's cells that are no number are said only in their columns. */
  metrics?: readonly string[];
}

/** Creates an incremental CSV reader (comma, semicolon or tab; BOM; CRLF; quoted headers and fields). */
export function createCsvReader(options: CsvReaderOptions = {}): CsvReader {
  const maxValues = options.maxValues ?? Infinity;
  let maxRows = Infinity;
  let started = false;
  let fatal: DataIssue | null = null;
  let delimiter = '';
  /** Text before the delimiter is known; then the text after the last complete record, and its scanner. */
  let head = '';
  let scanner: CsvTokenizer | null = null;
  let header: string[] | null = null;
  /** The header row as written, to know it when it comes again (files joined, InfluxDB tables). */
  let headerRow: string[] = [];
  let headerText = '';
  let headerLine = 1;
  let headerColumns = 0;
  let line = 1; // line number of the next row to be read
  const sample: string[][] = [];
  const sampleLines: number[] = [];
  let inference: Inference | null = null;
  let tsCol: Column | null = null;
  const zone = new ZoneWatch();
  let metricCols: Column[] = [];
  /** A long file's series (longFormat.ts) and each row's series number; null for a wide file. */
  let long: LongSeries | null = null;
  let seriesCol: Column | null = null;
  /** The metric columns before integer label columns were taken out of them (a long file's), else null. */
  let wideMetricIndices: number[] | null = null;
  /** A wide file's one metric named by its name column (wideSeriesName), and the first line of another name there. */
  let wideName: { column: number; name: string; line: number; other: string } | null = null;
  const units = new UnitNotes();
  let lineArr = new Int32Array(1024);
  let rows = 0;
  let unsorted = false;
  let lastTs = -Infinity;
  /** A weekday not its date's was said (once per file). */
  let weekdaySaid = false;
  const log = new IssueLog();
  const warn = log.warn;
  const fail = (code: string, message: string, at?: number, column?: number): void => {
    if (!fatal) fatal = { severity: 'error', code, message, line: at, column };
  };
  const failSyntax = (e: CsvSyntaxError): void => fail(e.code, e.message, e.line, e.column);

  const addLine = (l: number): void => {
    if (rows === lineArr.length) {
      const next = new Int32Array(lineArr.length * 2);
      next.set(lineArr);
      lineArr = next;
    }
    lineArr[rows] = l;
  };

  const startColumns = (): void => {
    inference = inferColumns(header!, sample, delimiter);
    if (inference.metricIndices.length === 0) {
      fail('no-numeric-column', `no numeric column: the columns are ${nameList(header!)}`, headerLine, 1);
      return;
    }
    // No timestamp column, but a column looks like one or is named as one: say why rows stand in for time.
    const dropped = inference.timestampIndex < 0 ? unreadTimeNote(header!, sample, inference.textIndices, sampleLines) : null;
    if (dropped) warn('timestamp-ignored', dropped.message, headerLine, dropped.column + 1);
    tsCol = inference.timestampIndex >= 0 ? new Column() : null;
    // A change of offset in these rows is said at the end, as a later one is (ZoneWatch.note).
    if (inference.timestampIndex >= 0 && inference.clockIndex < 0) zone.start(sample.map((r) => r[inference!.timestampIndex] ?? ''), sampleLines, inference.zones);
    const layout = longLayout(header!, sample, inference);
    if (layout) {
      long = new LongSeries(layout);
      seriesCol = new Column();
      // Integer label columns (`cpu` 0–7) tell series apart: they are no metrics (unless the join falls back, see tableOf).
      const values = inference.metricIndices.filter((c) => !layout.labels.includes(c));
      if (values.length < inference.metricIndices.length) wideMetricIndices = inference.metricIndices;
      inference.metricIndices = values;
    } else {
      const w = wideSeriesName(header!, sample, inference, null, inference.metricIndices);
      wideName = w && { ...w, line: 0, other: '' };
    }
    metricCols = inference.metricIndices.map(() => new Column());
    maxRows = Math.floor(maxValues / inference.metricIndices.length);
    for (let i = 0; i < sample.length; i++) addRow(sample[i], sampleLines[i]);
    sample.length = 0;
    sampleLines.length = 0;
  };

  /** Gives up a long file's tentative labels: `series` renumbered by the others (in place), or null: the file is wide. */
  const dropTentative = (series: Float64Array): Float64Array | null => {
    const rest = long!.withoutTentative();
    long = rest ? rest.long : null;
    if (!rest) return null;
    for (let i = 0; i < series.length; i++) series[i] = rest.ids[series[i]];
    return series;
  };

  const nanRow = new Float64Array(256);
  const addRow = (row: string[], at: number): void => {
    const vals = nanRow.length >= row.length ? nanRow.fill(NaN) : new Float64Array(row.length).fill(NaN);
    addParsedRow(inference!.timestampIndex >= 0 ? row[inference!.timestampIndex] : '', row, vals, at);
  };

  /** Adds a row: `vals` holds the metric values read so far; NaN cells are re-read from the texts in `row`. */
  const addParsedRow = (raw: string, row: string[], vals: Float64Array, at: number, pre = NaN): void => {
    const inf = inference!;
    if (rows >= maxRows) {
      const n = inf.metricIndices.length;
      fail('too-large', `more than ${maxValues.toLocaleString('en')} values (${maxRows.toLocaleString('en')} rows of ${n} metric${n === 1 ? '' : 's'}) by line ${at}: too much data to analyse here; analyse a part of the file, or use the command line`, at, 1);
      return;
    }
    if (tsCol) {
      // `pre`: the timestamp the fast scanner already read (NaN: read it from the text).
      let t = pre;
      // A date the assumed order of day and month cannot read switches it: the times so far are read again.
      if (inf.assumedDateOrder && settleDateOrder(inf, raw)) ({ last: lastTs, unsorted } = redate(tsCol, zone.offsetMs));
      if (t !== t) {
        t = readTime(raw, inf.timestampKind, inf.clockIndex >= 0 ? row[inf.clockIndex] ?? '' : undefined, inf.zones);
      }
      if (t !== t) {
        if (headerText && raw.trim() === header![inf.timestampIndex].trim()) { // another header (InfluxDB tables of other tags)
          warn('header-again', `another header row, its columns unlike line ${headerLine}'s: skipped; the rows after it are read by line ${headerLine}'s columns`, at, 1);
          return;
        }
        const skipped = skippedRowNote(inf, header!, raw, inf.clockIndex >= 0 ? row[inf.clockIndex] ?? '' : null);
        warn('bad-timestamp', skipped.message, at, skipped.column + 1);
        return;
      }
      if (t < lastTs) unsorted = true;
      if (raw) zone.seen(raw, 0, raw.length, at);
      if (!weekdaySaid && inf.timestampKind === 'named-time') {
        const wrong = weekdayNote(raw);
        if (wrong) { weekdaySaid = true; warn('weekday', wrong, at, inf.timestampIndex + 1); }
      }
      lastTs = t;
      tsCol.add(t);
    }
    if (long) {
      let id = long.idOf(row);
      // Columns of one value in the first rows that take more values than a long file may have series are no labels
      // (a note column empty at first): the series are told apart by the others, or the file is wide.
      if (id >= MAX_LONG_METRICS && long.layout.tentative.length) {
        if (!dropTentative(seriesCol!.data.subarray(0, seriesCol!.length))) seriesCol = null;
        id = long ? long.idOf(row) : -1;
      }
      if (long) seriesCol!.add(id);
    }
    const nameNow = wideName && !wideName.line ? (row[wideName.column] ?? '').trim() : '';
    if (wideName && !wideName.line && nameNow !== wideName.name) Object.assign(wideName, { line: at, other: nameNow });
    const idx = inf.metricIndices;
    for (let k = 0; k < idx.length; k++) {
      let v = vals[k];
      if (v - v !== 0) { // NaN, or ±Infinity (an overflow written out): read as text, said and taken as missing
        const text = row[idx[k]] ?? '';
        v = parseNumber(text, inf.decimalComma);
        if (v === v) units.note(idx[k], text, inf.decimalComma, at);
        else if (!isMissing(text) && (long || !options.metrics || options.metrics.some((m) => m === header![idx[k]] || isSeriesOf(header![idx[k]], m)))) warn('non-numeric', unreadCellNote(text, header![idx[k]]), at, idx[k] + 1);
      }
      metricCols[k].add(v);
    }
    addLine(at);
    rows++;
  };

  /** The first rows, until the header is chosen below any preamble (headerRowIndex); null after. */
  let first: { row: string[]; line: number }[] | null = [];
  const settleHeader = (): void => {
    const rowsIn = first!;
    first = null;
    const h = headerRowIndex(rowsIn.map((r) => r.row));
    if (h > 0) warn('preamble', preambleNote(rowsIn[0].line, rowsIn[h - 1].line, rowsIn[h].line), rowsIn[0].line, 1);
    for (const r of rowsIn.slice(h)) handleRow(r.row, r.line);
  };

  let sampleCells = 0;
  const handleRow = (row: string[], rowLine: number): void => {
    if (fatal) return;
    if ((row.length === 1 && row[0].trim() === '') || isAnnotation(row[0])) return; // blank line, InfluxDB annotation
    if (first) {
      first.push({ row, line: rowLine });
      if (first.length >= HEADER_LOOKAHEAD) settleHeader();
      return;
    }
    if (!header) {
      // Names as stream reads them: `time, cpu, mem` (nvidia-smi's --format=csv) names cpu, not ' cpu'.
      header = dedupeHeader(row.map((h) => h.trim()), warn);
      headerRow = row;
      // A header of names (not a data row taken for one: a file without a header) is known when it comes again.
      headerText = row.some((f) => !looksLikeData(f)) ? row.join(delimiter) : '';
      headerLine = rowLine;
      headerColumns = row.length;
      return;
    }
    if (headerText && row.length === headerColumns && row[0] === headerRow[0] && row.every((f, i) => f === headerRow[i])) return;
    if (row.length !== headerColumns) {
      const extraEmpty = row.length > headerColumns && row.slice(headerColumns).every((f) => f.trim() === '');
      if (!extraEmpty) {
        warn('ragged-row', `row skipped: ${row.length} fields where the header has ${headerColumns}`, rowLine, 1);
        return;
      }
    }
    if (!inference) {
      sample.push(row);
      sampleLines.push(rowLine);
      sampleCells += row.length;
      if (sample.length >= SAMPLE_ROWS || sampleCells >= SAMPLE_CELLS) startColumns();
    } else {
      addRow(row, rowLine);
    }
  };

  /**
   * Unquoted blocks after the columns are known skip the tokenizer's row arrays: fields are located in place and
   * numbers read from the characters. Same results as the general path (it falls back per cell), about twice as fast.
   */
  const scanBlock = (block: string): void => {
    const inf = inference!;
    const d = delimiter.charCodeAt(0);
    const nCols = headerColumns;
    const slot = new Int32Array(nCols).fill(-1);
    inf.metricIndices.forEach((c, k) => { slot[c] = k; });
    const tsIdx = inf.timestampIndex;
    const isoTime = inf.timestampKind === 'iso-time' && inf.clockIndex < 0;
    const nm = inf.metricIndices.length;
    const rowVals = new Float64Array(nm);
    const stopAt = new Int32Array(1);
    const rowText: string[] = new Array<string>(nCols).fill('');
    // Text fields the row needs: its labels (a long file) and its clock time (a date column beside it).
    const isLabel = new Uint8Array(nCols);
    for (const c of [...(long?.layout.labels ?? []), inf.clockIndex, wideName?.column ?? -1]) if (c >= 0) isLabel[c] = 1;
    let pos = 0;
    const len = block.length;
    while (pos < len && !fatal) {
      let e = block.indexOf('\n', pos);
      if (e < 0) e = len;
      let end = e;
      if (end > pos && block.charCodeAt(end - 1) === 13) end--;
      const at = line++;
      if (end === pos || (end - pos < 8 && block.slice(pos, end).trim() === '') || (block.charCodeAt(pos) === 35 && isAnnotation(block.slice(pos, Math.min(end, pos + 10))))
        || (end - pos === headerText.length && block.startsWith(headerText, pos))) { pos = e + 1; continue; } // blank, annotation, the header again
      let col = 0, fs = pos, ok = true, tsText = '', tsValue = NaN;
      let needSlow = false;
      // One pass per line: numbers are read while their field is scanned; other fields are skipped by indexOf.
      while (fs <= end) {
        let stop: number;
        if (col < nCols && slot[col] >= 0) {
          const k = slot[col];
          const v = scanNumber(block, fs, end, d, stopAt);
          stop = stopAt[0];
          rowVals[k] = v;
          if (v !== v) { needSlow = true; rowText[col] = block.slice(fs, stop); }
        } else {
          stop = block.indexOf(delimiter, fs);
          if (stop < 0 || stop > end) stop = end;
          if (col === tsIdx) {
            if (isoTime) { tsValue = parseTimestampAt(block, fs, stop, inf.zones); zone.seen(block, fs, stop, at); }
            if (tsValue !== tsValue) tsText = block.slice(fs, stop);
          }
          else if (col < nCols && isLabel[col]) rowText[col] = block.slice(fs, stop);
          else if (col >= nCols && stop > fs) ok = false;
        }
        col++;
        fs = stop + 1;
      }
      pos = e + 1;
      if (col < nCols || !ok) {
        warn('ragged-row', `row skipped: ${col} fields where the header has ${nCols}`, at, 1);
        continue;
      }
      addParsedRow(tsText, rowText, rowVals, at, tsValue);
      if (needSlow) rowText.fill('');
    }
  };

  /**
   * Parses text that ends at a record boundary (or at the end of the input). The scanner has already checked
   * its quotes, so the tokenizer finds no error here. Quote-free blocks after the columns are known take
   * the fast path.
   */
  const parseBlock = (block: string): void => {
    if (fatal || block.length === 0) return;
    if (inference && block.indexOf('"') < 0) {
      scanBlock(block);
      return;
    }
    const t = new CsvTokenizer(delimiter, { firstLine: line });
    t.push(block, handleRow);
    t.end(handleRow);
    if (t.error) failSyntax(t.error);
    line = t.line + (block.endsWith('\n') ? 0 : 1);
  };

  /** The text after the last complete record (the scanner has read it), and its absolute offset. */
  let pending = '';
  let pendingAt = 0;
  /** Reads text past the head: the scanner follows the quotes; each complete run of records is parsed. */
  const feed = (text: string): void => {
    const sc = scanner!;
    sc.push(text);
    if (sc.error) { failSyntax(sc.error); pending = ''; return; }
    const cut = sc.lastRecordEnd - pendingAt;
    if (cut <= pending.length) { pending += text; return; }
    const k = cut - pending.length;
    const block = pending + text.slice(0, k);
    pending = text.slice(k);
    pendingAt = sc.lastRecordEnd;
    parseBlock(block);
  };

  /** The head is complete (64 KB, or the whole input): guess the delimiter from it and start reading. */
  const begin = (): void => {
    const text = head;
    head = '';
    if (looksBinary(text)) {
      fail('binary', 'this is not a text CSV file (binary content)', 1, 1);
      return;
    }
    delimiter = guessDelimiter(text);
    scanner = new CsvTokenizer(delimiter, { fields: false });
    // In head-sized pieces: the rows after those that decide the columns take the fast path (scanBlock) instead
    // of the tokenizer's, even when the first piece pushed was large (1 MiB from a file).
    for (let i = 0; i < text.length && !fatal; i += HEAD_CHARS) feed(text.slice(i, i + HEAD_CHARS));
  };

  /** The rows read, sorted by time (stable) and, for a long file, joined by time; `late` gets what it says. */
  const tableOf = (late: DataIssue[]): { timestamps: Float64Array | null; values: Float64Array[]; lines: Int32Array; seriesLines?: Int32Array[]; metrics: string[] } | null => {
    const inf = inference!;
    let timestamps = tsCol ? (tsCol as Column).done() : null;
    if (timestamps && zone.offsetMs) for (let i = 0; i < timestamps.length; i++) timestamps[i] += zone.offsetMs; // the file's wall clock
    let values = metricCols.map((c) => c.done());
    let series = seriesCol ? seriesCol.done() : null;
    let lines = lineArr.slice(0, rows);
    let metricIndices = inf.metricIndices;
    let named = '';
    if (long && series && timestamps && long.layout.tentative.length > 0) {
      // Columns of one value in the first rows are labels only if the rows come grouped by them (host a, then b); else
      // the file is wide, its metric named by a name column's first value (`time,metric,value`; read before dropTentative).
      if (!groupedByTentative(long, series, timestamps)) {
        const nameColumn = long.layout.nameColumn, first = long.firstName(series);
        if (!(series = dropTentative(series)) && (named = oneSeriesName(first.name, header!, metricIndices)) && first.changedAt >= 0) {
          late.push({ severity: 'warning', code: 'name-changed', message: renamedNote(header![nameColumn], first.name, first.other), line: lines[first.changedAt], column: nameColumn + 1 });
        }
      }
    }
    if (wideName) named = wideName.name;
    if (wideName?.line) late.push({ severity: 'warning', code: 'name-changed', message: renamedNote(header![wideName.column], wideName.name, wideName.other), line: wideName.line, column: wideName.column + 1 });
    // At the first row whose time is before the row's above it (it said the first data line whatever the place).
    let back = 0;
    if (timestamps && unsorted) while (++back < rows && !(timestamps[back] < timestamps[back - 1]));
    const unsortedNote: DataIssue = { severity: 'warning', code: 'unsorted', message: timestamps && unsorted ? unsortedMessage(timestamps) : '', line: back > 0 && back < rows ? lines[back] : headerLine + 1, ...(back > 0 && back < rows ? { column: inf.timestampIndex + 1 } : {}) };
    // A joined long file's rows need to be in order within each series only: grouped by series, time starts again.
    let noted = false;
    if (timestamps && unsorted) {
      if (!(long && series && inOrderPerSeries(timestamps, series, long.count))) { late.push(unsortedNote); noted = true; }
      const order = stableOrder(timestamps);
      timestamps = permute(timestamps, order);
      values = values.map((v) => permute(v, order));
      if (series) series = permute(series, order);
      const l2 = new Int32Array(rows);
      for (let i = 0; i < rows; i++) l2[i] = lines[order[i]];
      lines = l2;
    }
    if (timestamps && series && long) {
      const joined = joinLong(long, { timestamps, series, values, lines }, header!, inf.metricIndices, maxValues, wideMetricIndices !== null);
      if (joined.ok) { late.push(...joined.notes); return joined; }
      if (!joined.asIs) { fail(joined.issue.code, joined.issue.message, 1, 1); return null; }
      // With no text label, the integer column was the only reason to take the file for long: nothing to say.
      const onlyIntegers = !!wideMetricIndices && long.layout.labels.every((c) => wideMetricIndices!.includes(c));
      if (!onlyIntegers) late.push(joined.issue);
      if (unsorted && !noted) late.push(unsortedNote);
      // Read as it is: an integer column taken for a label is a metric again, its values read back from the labels.
      if (wideMetricIndices) {
        const l = long as LongSeries;
        const ids = series;
        const byCol = new Map(inf.metricIndices.map((c, k) => [c, values[k]]));
        values = wideMetricIndices.map((c) => byCol.get(c) ?? Float64Array.from(ids, (id) => parseNumber(l.labelValues[id][l.layout.labels.indexOf(c)], inf.decimalComma)));
        metricIndices = wideMetricIndices;
      }
    }
    if (timestamps) {
      let dups = 0, firstDup = -1;
      for (let i = 1; i < rows; i++) if (timestamps[i] === timestamps[i - 1]) { if (firstDup < 0) firstDup = lines[i]; dups++; }
      if (dups) late.push({ severity: 'warning', code: 'duplicate-timestamp', message: `${dups} duplicate timestamp${dups > 1 ? 's' : ''}: all rows kept`, line: firstDup });
    }
    return { timestamps, values, lines, metrics: named ? [named] : metricIndices.map((i) => header![i]) };
  };

  return {
    get failed(): boolean {
      return fatal !== null;
    },
    push(text: string): void {
      if (fatal || text.length === 0) return;
      if (!started) {
        started = true;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      if (scanner) { feed(text); return; }
      head += text;
      if (head.length >= HEAD_CHARS) begin();
    },
    end(): CsvResult {
      if (!fatal && !scanner && head) begin();
      if (!fatal && scanner) {
        scanner.end();
        if (scanner.error) failSyntax(scanner.error);
        else parseBlock(pending);
      }
      pending = '';
      if (!fatal && first) settleHeader();
      if (!fatal && !started) fail('empty', 'the file is empty', 1, 1);
      if (!fatal && !header) fail('empty', 'the file has no header row', 1, 1);
      if (!fatal && !inference && sample.length === 0) fail('no-rows', log.has('ragged-row') ? `no usable data rows: every row has another number of fields than the header (${headerColumns})` : 'the file has a header but no data rows', headerLine, 1);
      if (!fatal && !inference) startColumns();
      if (!fatal && rows === 0) fail('no-rows', 'no usable data rows (every row was skipped)', headerLine + 1, 1);
      const moved = zone.note();
      if (!fatal && moved) warn('utc-offsets', moved, zone.movedAt, inference!.timestampIndex + 1);
      const order = inference && dateOrderNote(inference);
      if (!fatal && order) warn('date-order', order, headerLine + 1, inference!.timestampIndex + 1);
      const late: DataIssue[] = [];
      const table = fatal ? null : tableOf(late);
      if (table?.timestamps) for (const g of timeGaps(table.timestamps, table.lines)) warn('time-gap', gapNote(g), g.line); // the first few said, the rest counted
      const issues: DataIssue[] = [];
      if (fatal) issues.push(fatal);
      issues.push(...log.issues());
      for (const issue of late) issues.push(issue);
      if (header) issues.push(...units.issues(header));
      if (fatal || !table) return { frame: null, issues, delimiter };
      const inf = inference!;
      const frame: Frame = {
        timestamps: table.timestamps,
        timestampColumn: inf.timestampIndex >= 0 ? header![inf.timestampIndex] : null,
        metrics: table.metrics,
        values: table.values,
        rows: table.lines.length,
        lines: table.lines,
        ...(table.seriesLines ? { seriesLines: table.seriesLines } : {}),
        stepMs: table.timestamps ? medianStep(table.timestamps) : null,
        ...(table.timestamps && zone.offsetMs ? { utcOffsetMs: zone.offsetMs } : {}),
      };
      return { frame, issues, delimiter };
    },
  };
}

/** Parses a whole CSV text (see createCsvReader). */
export function parseCsv(text: string, options?: CsvReaderOptions): CsvResult {
  const r = createCsvReader(options);
  r.push(text);
  return r.end();
}
