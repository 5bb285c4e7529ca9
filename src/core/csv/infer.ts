import { AMBIGUOUS_ZONES, CLOCK_BEFORE_ZONE, MAX_TIME_MS, ZONE_NAMES, clockMs, dayMonthParts, dayMonthTime, namedMonthTime, parseTimestamp, unknownDateWord, wrongWeekday, zoneNamesOf } from './time.ts';
import type { ZoneNames } from './time.ts';
import { COMMA_POINT, parseQuantity } from './units.ts';

/** How a column's text turns into numbers. */
export type ColumnKind = 'iso-time' | 'named-time' | 'dmy-time' | 'mdy-time' | 'epoch-s' | 'epoch-ms' | 'epoch-us' | 'epoch-ns' | 'number' | 'text';

/**
 * Epoch ms of a timestamp cell in a column of this kind, NaN when it is none (or past the range of a Date); `clock`:
 * the time of day from a column of its own, when the timestamp column holds dates only (Inference.clockIndex);
 * `zones`: the abbreviations the file's times are read by (Inference.zones).
 */
export function readTime(text: string, kind: ColumnKind | null, clock?: string, zones: ZoneNames = ZONE_NAMES): number {
  if (clock !== undefined) return readTime(text, kind, undefined, zones) + clockMs(clock);
  if (kind === 'iso-time') return parseTimestamp(text, zones);
  if (kind === 'named-time') return namedMonthTime(text, zones);
  if (kind === 'dmy-time' || kind === 'mdy-time') return dayMonthTime(text, kind === 'dmy-time', zones);
  const v = parseNumber(text.trim());
  const [times, per] = EPOCH_TO_MS[kind as EpochKind] ?? [NaN, 1];
  const ms = (v * times) / per;
  return Math.abs(ms) <= MAX_TIME_MS ? ms : NaN;
}

/** An InfluxDB annotated CSV's annotation row (`#group,…`, `#datatype,…`, `#default,…`), by its first field: not data. */
export function isAnnotation(first: string): boolean {
  return first.charCodeAt(0) === 35 && /^#(group|datatype|default)(,|$)/.test(first);
}

/**
 * Columns of a Flux query's CSV (InfluxDB 2: `_time`, `_value`, …) that are neither the time, a metric nor a label: the
 * result's name, the table's number (one per series) and the query's bounds.
 */
const FLUX_META = new Set(['result', 'table', '_start', '_stop']);

/** Texts that mean "no value" in metric exports; read as NaN without a warning. */
const MISSING = new Set(['', 'nan', 'NaN', 'NAN', 'na', 'NA', 'N/A', 'n/a', 'null', 'NULL', 'None', 'none', '-', '?']);

/** True when the text stands for a missing value. */
export function isMissing(text: string): boolean {
  return MISSING.has(text) || (text.length < 8 && MISSING.has(text.trim()));
}

/**
 * The number a cell holds, NaN when it is missing or not a number (`decimalComma` reads `1,5` as 1.5). A number
 * with a unit (`52.3%`, `1.20 GB`, `120 ms`) is read in its unit's base (units.ts).
 */
export function parseNumber(text: string, decimalComma = false): number {
  if (text.length === 0) return NaN;
  const v = +text;
  // ±Infinity (`1e309`, `Infinity`: an overflow written out) is no value: read as missing, with a warning.
  if (v === v && (v !== 0 || text.trim() !== '')) return v - v === 0 ? v : NaN;
  if (decimalComma && /^\s*[-+]?\d+,\d+\s*$/.test(text)) return +text.replace(',', '.');
  return parseQuantity(text, decimalComma)?.value ?? NaN;
}

const TIME_NAME = /(^|[_\s.-])(time|timestamp|ts|date|datetime|epoch|when)([_\s.-]|$)|time$|^ts$/i;
/** Exactly a time's name: a numeric column so named is the time, never a metric (`response_time` is a metric). */
const PLAIN_TIME_NAME = /^\s*(time|timestamp|ts|epoch|date|datetime)\s*$/i;
type EpochUnit = 's' | 'ms' | 'us' | 'ns';
type EpochKind = `epoch-${EpochUnit}`;
/**
 * Epoch numbers by unit: the range of values of the years 1973–2286 in it. Microseconds and
 * nanoseconds are InfluxDB's, Loki's and tracing exports'.
 */
const EPOCHS: readonly { unit: EpochUnit; lo: number; hi: number }[] = [
  { unit: 's', lo: 1e8, hi: 1e10 }, { unit: 'ms', lo: 1e11, hi: 1e13 }, { unit: 'us', lo: 1e14, hi: 1e16 }, { unit: 'ns', lo: 1e17, hi: 1e19 },
];
/** An epoch number in ms: times the first, divided by the second (exact for whole numbers). */
const EPOCH_TO_MS: Record<EpochKind, [number, number]> = { 'epoch-s': [1000, 1], 'epoch-ms': [1, 1], 'epoch-us': [1, 1e3], 'epoch-ns': [1, 1e6] };

export interface Inference {
  timestampIndex: number;
  timestampKind: ColumnKind | null;
  /** Column indices of the metrics, in file order. */
  metricIndices: number[];
  /** Column indices that are neither timestamp nor metric (text). */
  textIndices: number[];
  decimalComma: boolean;
  /**
   * A D/M/Y or M/D/Y timestamp column whose sampled dates never have a field above 12: the order was assumed (month
   * first with `/`, as in the US; day first with `.` or `-`), with a date that shows it.
   */
  assumedDateOrder?: { example: string };
  /** A column of clock times (`14:30`) next to a timestamp column of dates only (`Datum;Uhrzeit;Wert`): together they are the time; -1 when none. */
  clockIndex: number;
  /** The abbreviations the timestamp column's zones are read by: ZONE_NAMES and the ambiguous ones its others settle (zoneNamesOf). */
  zones: ZoneNames;
}

/** Headers of a time-of-day column, in the languages exports come in. */
const CLOCK_NAME = /^\s*(time|time of day|clock|hour|uhrzeit|zeit|heure|hora|ora|tijd|czas|godzina|tid|aika)\s*$/i;
/** Dates without a clock time (`2024-03-01`, `01.03.2024`, `Mar 1, 2024`): a time column's texts with no `:`. */
const dateOnly = (values: string[]): boolean => values.every((t) => !t.includes(':'));


/** What a reader says when the inference assumed the order of day and month (see Inference.assumedDateOrder), else null. */
export function dateOrderNote(inf: Inference): string | null {
  const a = inf.assumedDateOrder;
  if (!a) return null;
  const dayFirst = inf.timestampKind === 'dmy-time';
  const example = a.example.length > 40 ? `${a.example.slice(0, 37)}…` : a.example;
  return `dates such as '${example}' are read ${dayFirst ? 'day' : 'month'} first (${dayFirst ? 'day.month.year' : 'month/day/year, as in the US'}): no date in the first rows has a ${dayFirst ? 'month' : 'day'} field above 12 to tell`;
}

/**
 * While a D/M/Y column's order is only assumed (Inference.assumedDateOrder), each time read may settle it: a field
 * above 12 where the day is confirms it; a date that is none in the assumed order but one in the other switches the
 * order in `inf` and returns true — every time read so far had both fields at most 12, so swapDayMonth reads it again.
 */
export function settleDateOrder(inf: Inference, text: string): boolean {
  if (!inf.assumedDateOrder) return false;
  const p = dayMonthParts(text, inf.zones);
  if (!p) return false;
  const dayFirst = inf.timestampKind === 'dmy-time';
  const day = dayFirst ? p.first : p.second, month = dayFirst ? p.second : p.first;
  if (day <= 12 && month <= 12) return false;
  inf.assumedDateOrder = undefined;
  if (month <= 12) return false;
  inf.timestampKind = dayFirst ? 'mdy-time' : 'dmy-time';
  return true;
}

/** A time read with its day and month the other way round (both at most 12): the time the text meant. */
export function swapDayMonth(ms: number): number {
  const d = new Date(ms);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return Date.UTC(d.getUTCFullYear(), d.getUTCDate() - 1, d.getUTCMonth() + 1) + (ms - start);
}

/** A cell that is a number with a decimal comma (`52,3`, `2.264,5`, `3 704,5`): a `;` file of them reads commas as points. */
const COMMA_NUMBER = new RegExp(`${COMMA_POINT.source}\\s*$`);

/**
 * Reads a column's times again with day and month swapped (settleDateOrder): the last, and whether they are out of
 * order. `offsetMs`: the file's UTC offset (zone.ts), the times' instants are swapped on its wall clock — the date
 * as written (`01/03/2024 00:30 CET` is 29 February in UTC).
 */
export function redate(col: { data: Float64Array; length: number }, offsetMs = 0): { last: number; unsorted: boolean } {
  let unsorted = false;
  for (let i = 0; i < col.length; i++) {
    col.data[i] = swapDayMonth(col.data[i] + offsetMs) - offsetMs;
    if (i > 0 && col.data[i] < col.data[i - 1]) unsorted = true;
  }
  return { last: col.length ? col.data[col.length - 1] : -Infinity, unsorted };
}

/** What a column's sampled cells are: how many are numbers, epochs, times of each form, and none of them (`unread`). */
function countColumn(sample: string[][], c: number, decimalComma: boolean, zones: ZoneNames) {
  let nonEmpty = 0, numeric = 0, iso = 0, named = 0, unread = 0, inc = true, prev = -Infinity;
  const epochs = EPOCHS.map(() => 0);
  let dm = 0, firstMax = 0, secondMax = 0, dmSep = '', dmExample = '';
  for (const row of sample) {
    const t = row[c];
    if (t === undefined || isMissing(t)) continue;
    nonEmpty++;
    const v = parseNumber(t, decimalComma);
    if (v === v) {
      numeric++;
      if (Number.isInteger(v) || /^\d+\.\d+$/.test(t.trim())) {
        const e = EPOCHS.findIndex((x) => v >= x.lo && v < x.hi);
        if (e >= 0) epochs[e]++;
      }
      if (v < prev) inc = false;
      prev = v;
    } else if (parseTimestamp(t, zones) === parseTimestamp(t, zones)) {
      iso++;
    } else {
      const p = dayMonthParts(t, zones);
      if (p) { dm++; firstMax = Math.max(firstMax, p.first); secondMax = Math.max(secondMax, p.second); dmSep ||= p.sep; dmExample ||= t.trim(); }
      else if (namedMonthTime(t, zones) === namedMonthTime(t, zones)) named++;
      else unread++;
    }
  }
  return { nonEmpty, numeric, iso, named, unread, dm, firstMax, secondMax, dmSep, dmExample, inc, epochs };
}

/**
 * Whether a tab-separated file writes decimal commas (Excel's "Text (Tab delimited)" in a German or French locale:
 * `51,29`, `0,250`): a cell is a number with a decimal comma that cannot be a US thousands grouping (`1,234` can,
 * `12,5` and `0,250` cannot), and no cell can only be one (`1,234,567`, `1,234.5`).
 */
function tabDecimalComma(sample: string[][]): boolean {
  let comma = false;
  for (const r of sample) {
    for (const c of r) {
      if (/^\s*[-+]?[1-9]\d{0,2}(?:,\d{3}){2,}\s*$/.test(c) || /\d,\d{3}\./.test(c)) return false;
      if (!comma && COMMA_NUMBER.test(c) && !/^\s*[-+]?[1-9]\d{0,2}(?:,\d{3})+\s*$/.test(c)) comma = true;
    }
  }
  return comma;
}

/** Decides the timestamp column and the metric columns from the header and the first rows. */
export function inferColumns(header: string[], sample: string[][], delimiter: string): Inference {
  const n = header.length;
  const decimalComma = delimiter === ';' ? sample.some((r) => r.some((c) => COMMA_NUMBER.test(c))) : delimiter === '\t' && tabDecimalComma(sample);
  const kinds: ColumnKind[] = [];
  const assumed = new Map<number, string>();
  const integerEpoch: (EpochUnit | null)[] = [];
  const increasing: boolean[] = [];
  const zonesOf: ZoneNames[] = [];
  for (let c = 0; c < n; c++) {
    let zones = ZONE_NAMES;
    let k = countColumn(sample, c, decimalComma, zones);
    // Times, or cells of no form of time: an ambiguous zone (BST) the column's others (GMT) settle is read, here and
    // in the rows after these.
    if (k.unread + k.iso + k.named + k.dm > 0) {
      zones = zoneNamesOf(sample.map((r) => r[c] ?? ''));
      if (zones !== ZONE_NAMES) k = countColumn(sample, c, decimalComma, zones);
    }
    zonesOf.push(zones);
    const { nonEmpty, numeric, iso, named, dm, firstMax, secondMax, dmSep, dmExample, inc, epochs } = k;
    increasing.push(inc);
    if (nonEmpty === 0) { kinds.push('text'); integerEpoch.push(null); continue; }
    if (iso >= 0.9 * nonEmpty) kinds.push('iso-time');
    else if (named >= 0.9 * nonEmpty) kinds.push('named-time');
    else if (dm >= 0.9 * nonEmpty) {
      // Which field is the day: the one that goes past 12 somewhere in the sample, else the convention of the separator.
      const dayFirst = firstMax > 12 ? true : secondMax > 12 ? false : dmSep !== '/';
      kinds.push(dayFirst ? 'dmy-time' : 'mdy-time');
      if (firstMax <= 12 && secondMax <= 12) assumed.set(c, dmExample);
    }
    else if (numeric >= 0.8 * nonEmpty) kinds.push('number');
    else kinds.push('text');
    integerEpoch.push(EPOCHS.find((_, e) => epochs[e] === nonEmpty)?.unit ?? null);
  }
  const filled = (c: number) => sample.map((r) => r[c]).filter((t): t is string => t !== undefined && !isMissing(t));
  // The time: a column with times of day before one of dates only (a release date beside the real time), then ISO
  // before D/M/Y, then the leftmost.
  let ts = -1, best = -1;
  for (let c = 0; c < n; c++) {
    if (kinds[c] !== 'iso-time' && kinds[c] !== 'named-time' && kinds[c] !== 'dmy-time' && kinds[c] !== 'mdy-time') continue;
    const values = filled(c);
    // A column of one time in every row (a query's start or end) is not the time when another varies; cells that
    // are no time (a header again) do not count.
    const times = new Set(values.map((t) => readTime(t, kinds[c], undefined, zonesOf[c])).filter((t) => t === t));
    const rank = (times.size > 1 ? 4 : 0) + (dateOnly(values) ? 0 : 2) + (kinds[c] === 'iso-time' || kinds[c] === 'named-time' ? 1 : 0);
    if (rank > best) { best = rank; ts = c; }
  }
  let tsKind: ColumnKind | null = ts >= 0 ? kinds[ts] : null;
  if (ts < 0) {
    // A numeric epoch column: named like a time, or the first column when it only increases.
    for (let c = 0; c < n; c++) {
      if (kinds[c] !== 'number' || !integerEpoch[c]) continue;
      if (TIME_NAME.test(header[c]) || (c === 0 && increasing[c])) {
        ts = c;
        tsKind = `epoch-${integerEpoch[c]!}`;
        break;
      }
    }
  }
  // No time, and a column named as one holds increasing numbers that are no epoch (seconds since the start): it is no
  // metric either — an Isolation Forest would flag a file's ends by it. unreadTimeNote says why.
  const rising = (c: number): boolean => filled(c).map((t) => parseNumber(t, decimalComma)).every((v, i, a) => i === 0 || v > a[i - 1]);
  const relative = ts < 0 ? header.findIndex((h, c) => kinds[c] === 'number' && PLAIN_TIME_NAME.test(h) && rising(c)) : -1;
  const metricIndices: number[] = [];
  const textIndices: number[] = [];
  const flux = header.includes('_time') && header.includes('_value');
  for (let c = 0; c < n; c++) {
    if (c === ts || (flux && FLUX_META.has(header[c]))) continue;
    if (kinds[c] === 'number' && c !== relative) metricIndices.push(c);
    else textIndices.push(c);
  }
  // Dates only, and right after them a column named as a time of day holding clock times (`Datum;Uhrzeit`,
  // `Date,Time`): the two are the time. A duration or an opening time elsewhere is not.
  let clockIndex = -1;
  const next = ts + 1;
  if (ts >= 0 && best >= 0 && dateOnly(filled(ts)) && textIndices.includes(next) && CLOCK_NAME.test(header[next] ?? '')) {
    const v = filled(next);
    if (v.length > 0 && v.filter((t) => clockMs(t) === clockMs(t)).length >= 0.9 * v.length) clockIndex = next;
    if (clockIndex >= 0) textIndices.splice(textIndices.indexOf(clockIndex), 1);
  }
  const example = assumed.get(ts);
  return { timestampIndex: ts, timestampKind: tsKind, metricIndices, textIndices, decimalComma, clockIndex, zones: ts >= 0 ? zonesOf[ts] : ZONE_NAMES, ...(example === undefined ? {} : { assumedDateOrder: { example } }) };
}

/** A cell's text for a message: at most 40 characters. */
/** The warning for a metric's cell that is read as missing although it is no missing-value marker. */
export function unreadCellNote(text: string, column: string): string {
  const why = Math.abs(+text) === Infinity || /^\s*[-+]?inf\s*$/i.test(text) ? 'is not a finite number' : 'is not a number';
  return `'${clip(text)}' in column ${JSON.stringify(clip(column))} ${why}: read as missing`;
}

export function clip(s: string | undefined): string {
  if (s === undefined) return '';
  return s.length > 40 ? s.slice(0, 37) + '…' : s;
}

/** An ambiguous zone abbreviation after a clock time, at the end or before the year (`… 10:00:00 CST 2024`): group 2. */
const AMBIGUOUS_ZONE = new RegExp(`(${CLOCK_BEFORE_ZONE})(${Object.keys(AMBIGUOUS_ZONES).join('|')})(?:\\s+\\d{4})?\\s*$`, 'i');
/** A text in one of the forms of time the reader knows (ISO, day-month, named month), its zones read by `zones`. */
export const readsAsTime = (t: string, zones: ZoneNames = ZONE_NAMES): boolean => parseTimestamp(t, zones) === parseTimestamp(t, zones) || dayMonthParts(t, zones) !== null || namedMonthTime(t, zones) === namedMonthTime(t, zones);

/**
 * Why a text is no time when its zone names more than one offset (CST, IST, BST) and `zones` does not settle it: a
 * time in a known form with that zone (read with UTC in its place). Null otherwise.
 */
export function ambiguousZoneNote(t: string, zones: ZoneNames = ZONE_NAMES): string | null {
  const m = AMBIGUOUS_ZONE.exec(t);
  if (!m) return null;
  const zone = m[2].toUpperCase(), at = m.index + m[1].length;
  if (Object.hasOwn(zones, zone) || !readsAsTime(t.slice(0, at) + 'UTC' + t.slice(at + zone.length))) return null;
  return `its zone '${zone}' names more than one UTC offset (${AMBIGUOUS_ZONES[zone].choices}) and no other zone in the file's first rows (up to 500: the columns are decided on them) tells which`;
}

/**
 * Why a row whose time cannot be read is skipped, and the column (0-based) to say it at: its `clock` (the text of the
 * clock column, else null) is no time of day, or its time `raw` is no timestamp (a units row's `UTC`, a zone of two offsets).
 */
export function skippedRowNote(inf: Pick<Inference, 'timestampIndex' | 'timestampKind' | 'clockIndex' | 'zones'>, header: readonly string[], raw: string, clock: string | null): { message: string; column: number } {
  if (clock !== null && !Number.isNaN(readTime(raw, inf.timestampKind, undefined, inf.zones))) {
    return { message: `row skipped: '${clip(clock)}' in column ${JSON.stringify(clip(header[inf.clockIndex]))} is not a time of day`, column: inf.clockIndex };
  }
  const ambiguous = ambiguousZoneNote(raw, inf.zones);
  return { message: `row skipped: '${clip(raw)}' is not a timestamp${ambiguous ? `: ${ambiguous}` : ''}`, column: inf.timestampIndex };
}

/** The forms of time the reader knows, for a message about a column it could not read. */
const TIME_FORMS = "ISO 8601 ('2024-03-01 10:00:00'), dates year last ('01.03.2024 10:00', '3/1/2024 10:00 PM'), named months ('Mar 1, 2024 @ 10:00:00.000', '01 Mar 2024 10:00', Unix date's 'Mon Mar 4 10:00:00 CET 2024'), epoch seconds, milliseconds, microseconds or nanoseconds";

/**
 * Why no column was read as the time when one looks like it (most of its sampled cells are times, some are not) or
 * is named like one (`time`, `timestamp`, `date`…) and holds text: a message naming the column and a value, or null.
 * `lines`: the sampled rows' lines, for a zone that names more than one offset (its first line is said).
 * `ambiguousZone`: the reason is such a zone, which a later row (CDT after CST) may settle.
 */
export function unreadTimeNote(header: string[], sample: string[][], textIndices: number[], lines?: readonly number[]): { column: number; message: string; ambiguousZone?: true } | null {
  let named: { column: number; message: string; ambiguousZone?: true } | null = null;
  for (const c of textIndices) {
    let ok = 0, n = 0, numbers = 0, bad = '', badRow = -1, foreign = 0, word: ReturnType<typeof unknownDateWord> = null, wordRow = -1;
    const zones = zoneNamesOf(sample.map((r) => r[c] ?? ''));
    for (const [i, row] of sample.entries()) {
      const t = row[c];
      if (t === undefined || isMissing(t)) continue;
      n++;
      if (readsAsTime(t, zones)) ok++;
      else {
        if (t.trim() !== '' && Number.isFinite(+t)) numbers++;
        if (!bad) { bad = t; badRow = i; }
        const w = unknownDateWord(t);
        if (w) { foreign++; if (!word) { word = w; wordRow = i; } }
      }
    }
    const name = JSON.stringify(clip(header[c] ?? ''));
    const ambiguous = bad ? ambiguousZoneNote(bad, zones) : null;
    if (n > 0 && ok >= 0.5 * n && ok < n) {
      return { column: c, message: `column ${name} is not read as the time: ${n - ok} of ${n} sampled values are not timestamps (e.g. '${clip(bad)}'${ambiguous ? `: ${ambiguous}` : ''}), so row numbers stand in for time`, ...(ambiguous ? { ambiguousZone: true } : {}) };
    }
    // Dates with the month named whose weekday or month is in a language not read (`Mo, 01 Jan 2024`, `01 lut 2024`),
    // whatever the column's name: said with the word and its line.
    if (word && foreign >= 0.5 * n) {
      const where = lines?.[wordRow] === undefined ? '' : `line ${lines[wordRow]}: `;
      const known = word.kind === 'weekday' ? 'weekdays are read in English only' : 'months are read in English, German, French, Spanish, Italian and Dutch';
      return { column: c, message: `column ${name} is not read as the time: '${clip(word.word)}' is no ${word.kind} this reader knows (${where}'${clip(sample[wordRow][c])}'; ${known}), so row numbers stand in for time; export the times in ISO 8601 ('2024-03-01 10:00:00') or ${word.kind === 'weekday' ? 'without the weekday' : 'with English month names'}` };
    }
    if (!named && n > 0 && numbers === n && TIME_NAME.test(header[c] ?? '')) {
      named = { column: c, message: `column ${name} is not read as the time: its numbers (e.g. '${clip(bad)}') are no epoch times (seconds, milliseconds, microseconds or nanoseconds since 1970), so row numbers stand in for time; it is not analysed as a metric` };
    } else if (!named && n > 0 && ok === 0 && ambiguous) {
      const where = lines?.[badRow] === undefined ? `'${clip(bad)}'` : `line ${lines[badRow]}: '${clip(bad)}'`;
      named = { column: c, message: `column ${name} is not read as the time: ${ambiguous} (${where}), so row numbers stand in for time; export the times with an offset (+08:00) or in UTC`, ambiguousZone: true };
    } else if (!named && n > 0 && ok === 0 && TIME_NAME.test(header[c] ?? '')) {
      named = { column: c, message: `column ${name} is not read as the time: its values (e.g. '${clip(bad)}') are in no form this reader knows — ${TIME_FORMS} — so row numbers stand in for time` };
    }
  }
  return named;
}

/**
 * The warning of a time whose weekday is not its date's (`Tue Mar 04 2024`, a Monday), or null: the one wording, said
 * by analyze and stream for a file's first such row only. The date is read; the weekday is not.
 */
export function weekdayNote(text: string): string | null {
  const w = wrongWeekday(text);
  if (!w) return null;
  const cap = (d: string): string => d[0].toUpperCase() + d.slice(1);
  return `'${clip(text.trim())}' says ${cap(w.written)}, but its date is a ${cap(w.actual)}: the date is read, the weekday ignored (the file's first such row; later ones are not named)`;
}
