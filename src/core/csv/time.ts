/**
 * Timestamp parsing for metric exports. Accepted: ISO 8601 dates and date-times with or without a zone
 * (`2024-01-05T10:00:00Z`, `…+02:00`, `…T10:00:00.123`), `YYYY-MM-DD HH:MM[:SS[.fff]]`, `YYYY/MM/DD …`; and dates
 * with the year last, day or month first (`05.01.2024 10:00`, `1/5/2024 10:00 AM`: dayMonthTime). Times without a zone are read as UTC, so results never depend on the machine's time zone.
 * Epoch seconds and milliseconds are recognised by the column inference (see infer.ts), not here.
 */

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

function daysFromCivil(y: number, m: number, d: number): number {
  // Days since 1970-01-01 in the proleptic Gregorian calendar (no Date allocation on the hot path).
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const yy = y - 1;
  const days = 365 * (y - 1970) + (Math.floor(yy / 4) - Math.floor(yy / 100) + Math.floor(yy / 400)) - 477;
  return days + DAYS_BEFORE_MONTH[m - 1] + (leap && m > 2 ? 1 : 0) + d - 1;
}

function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Zone abbreviations that name one offset, in hours east of UTC (as several exporters write them after a time);
 * AMBIGUOUS_ZONES are read only where a file's other abbreviations settle them (zoneNamesOf).
 */
export const ZONE_NAMES: Readonly<Record<string, number>> = {
  UTC: 0, GMT: 0, WET: 0, WEST: 1, CET: 1, CEST: 2, MET: 1, MEST: 2, EET: 2, EEST: 3, MSK: 3,
  HKT: 8, SGT: 8, AWST: 8, JST: 9, KST: 9, ACST: 9.5, ACDT: 10.5, AEST: 10, AEDT: 11, NZST: 12, NZDT: 13,
  EST: -5, EDT: -4, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7, AKST: -9, AKDT: -8, HST: -10,
};
/**
 * The abbreviations ZONE_NAMES leaves out, for they name more than one offset: what they may mean (`choices`), and
 * the offset the other half of a daylight-saving pair in the same file settles (`settledBy`: GMT beside BST is
 * London, GMT and British Summer Time +01:00; CDT beside CST is US Central −06:00; GMT beside IST is Dublin's +01:00).
 */
export const AMBIGUOUS_ZONES: Readonly<Record<string, { choices: string; settledBy: Readonly<Record<string, number>> }>> = {
  CST: { choices: 'US Central or China Standard Time', settledBy: { CDT: -6 } },
  IST: { choices: 'India, Irish or Israel Standard Time', settledBy: { GMT: 1 } },
  BST: { choices: 'British Summer Time or Bangladesh Standard Time', settledBy: { GMT: 1 } },
};

/** The abbreviations a file's times are read by: ZONE_NAMES, and the ambiguous ones its other abbreviations settle. */
export type ZoneNames = Readonly<Record<string, number>>;
/**
 * The abbreviations as a regular expression's alternatives, in any case (`CET`, `cet`, `Utc`: exporters and people
 * write them so), the longest first; zoneMs reads what they match.
 */
export const ZONE_NAME_PATTERN = [...Object.keys(ZONE_NAMES), ...Object.keys(AMBIGUOUS_ZONES)]
  .sort((a, b) => b.length - a.length)
  .map((name) => [...name].map((c) => `[${c}${c.toLowerCase()}]`).join(''))
  .join('|');

/** The offset in ms of a zone abbreviation in any case (`CET`, `cet`), NaN for another text or one `zones` leaves out. */
function namedZoneMs(name: string, zones: ZoneNames): number {
  if (Object.hasOwn(zones, name)) return zones[name] * 3600000;
  const upper = name.toUpperCase();
  return upper !== name && Object.hasOwn(zones, upper) ? zones[upper] * 3600000 : NaN;
}

/** A clock time (`10:00`, `10:00:00.5`, `10:00 pm`) and the spaces before a zone: a regular expression's source. */
export const CLOCK_BEFORE_ZONE = '\\d:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:\\s*[AaPp]\\.?[Mm]\\.?)?\\s*';

/** A zone after a clock time at the end of a text, or before the year (Unix `date`): `Z`, `UTC`, `cet`, `+01:00` (group 1). */
export const ZONE_AFTER_CLOCK = new RegExp(`${CLOCK_BEFORE_ZONE}([Zz]|${ZONE_NAME_PATTERN}|[+-]\\d{2}(?::?\\d{2})?)(?:\\s+\\d{4})?\\s*$`);

/**
 * The abbreviations to read a column's times by: ZONE_NAMES, with each ambiguous one (AMBIGUOUS_ZONES) that the
 * texts' other abbreviations settle to one offset — `GMT` rows before `BST` ones make BST +01:00. ZONE_NAMES itself
 * when none is settled.
 */
export function zoneNamesOf(texts: Iterable<string>): ZoneNames {
  const seen = new Set<string>();
  for (const t of texts) {
    const z = ZONE_AFTER_CLOCK.exec(t)?.[1];
    if (z !== undefined && z.length > 1 && z[0] !== '+' && z[0] !== '-') seen.add(z.toUpperCase());
  }
  let names: Record<string, number> | null = null;
  for (const [name, { settledBy }] of Object.entries(AMBIGUOUS_ZONES)) {
    const offsets = new Set([...seen].filter((z) => Object.hasOwn(settledBy, z)).map((z) => settledBy[z]));
    if (offsets.size === 1) (names ??= { ...ZONE_NAMES })[name] = [...offsets][0];
  }
  return names ?? ZONE_NAMES;
}

/** An abbreviation written in lower or mixed case (`cet`, `Utc`): read as a zone only after a clock time, for a word after a date alone (`wet`, `met`) is none. */
const notCapitals = (zone: string | undefined): boolean => zone !== undefined && zone.length > 1 && zone !== zone.toUpperCase();

/** Epoch milliseconds of a date or date-time text, or NaN when it is not one of the accepted forms. */
export function parseTimestamp(text: string, zones: ZoneNames = ZONE_NAMES): number {
  return parseTimestampAt(text, 0, text.length, zones);
}

const C_T = 84, C_t = 116, C_SPACE = 32, C_COLON = 58, C_DOT = 46, C_COMMA = 44, C_Z = 90, C_z = 122, C_PLUS = 43, C_MINUS = 45, C_SLASH = 47;

/** parseTimestamp of s[start, end) without making a substring (the CSV reader's hot path); spaces around are ignored. */
export function parseTimestampAt(s: string, start: number, end: number, zones: ZoneNames = ZONE_NAMES): number {
  while (start < end && s.charCodeAt(start) === C_SPACE) start++;
  while (end > start && s.charCodeAt(end - 1) === C_SPACE) end--;
  const b = start;
  if (end - b < 10) return NaN;
  const y = digits(s, b, 4);
  const sep = s.charCodeAt(b + 4);
  if (y < 0 || (sep !== C_MINUS && sep !== C_SLASH) || s.charCodeAt(b + 7) !== sep) return NaN;
  const mo = digits(s, b + 5, 2), d = digits(s, b + 8, 2);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return NaN;
  let ms = daysFromCivil(y, mo, d) * 86400000;
  if (end - b === 10) return ms;
  const t = s.charCodeAt(b + 10);
  if (t !== C_T && t !== C_SPACE && t !== C_t) return NaN;
  const h = digits(s, b + 11, 2), mi = digits(s, b + 14, 2);
  if (h < 0 || h > 24 || mi < 0 || mi > 59 || s.charCodeAt(b + 13) !== C_COLON) return NaN;
  ms += h * 3600000 + mi * 60000;
  let i = b + 16;
  if (i < end && s.charCodeAt(i) === C_COLON) {
    const sec = digits(s, i + 1, 2);
    if (sec < 0 || sec > 60) return NaN;
    ms += sec * 1000;
    i += 3;
    const c0 = i < end ? s.charCodeAt(i) : -1;
    if (c0 === C_DOT || c0 === C_COMMA) {
      i++;
      let frac = 0, scale = 100;
      while (i < end) {
        const c = s.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        frac += c * scale;
        scale /= 10;
        i++;
      }
      ms += Math.round(frac);
    }
  }
  if (i === end) return ms;
  if (i > end) return NaN;
  let z = s.charCodeAt(i);
  if ((z === C_Z || z === C_z) && i + 1 === end) return ms;
  if (z === C_SPACE) {
    // `… UTC`, `… GMT` (Go, Java, PostgreSQL) and an offset after a space (`… +0100`).
    const zone = namedZoneMs(s.slice(i + 1, end), zones);
    if (zone === zone) return ms - zone;
    z = s.charCodeAt(++i);
  }
  if (z === C_PLUS || z === C_MINUS) {
    const oh = digits(s, i + 1, 2);
    let om = 0;
    const rest = end - (i + 3);
    if (rest === 3 && s.charCodeAt(i + 3) === C_COLON) om = digits(s, i + 4, 2);
    else if (rest === 2) om = digits(s, i + 3, 2);
    else if (rest !== 0) return NaN;
    if (oh < 0 || om < 0) return NaN;
    const off = (oh * 60 + om) * 60000;
    return z === C_PLUS ? ms - off : ms + off;
  }
  return NaN;
}

/** The largest |epoch ms| a Date holds (±275,760 years): a number past it is not a time. */
export const MAX_TIME_MS = 8.64e15;

/** A date written day and month first, year last (`04.03.2024`, `3/4/2024 10:05 PM`): its fields, before the order is known. */
export interface DayMonthParts {
  first: number;
  second: number;
  year: number;
  /** The separator: '/', '.' or '-'. */
  sep: string;
  /** Milliseconds into the day (0 without a time), and the zone's offset east of UTC (0 without one). */
  dayMs: number;
  zoneMs: number;
}

const DAY_MONTH = new RegExp(`^(\\d{1,2})([/.-])(\\d{1,2})\\2(\\d{4}|\\d{2})(?:[ T](.*?))?(?:\\s*(Z|${ZONE_NAME_PATTERN}|[+-]\\d{2}(?::?\\d{2})?))?$`);

/** A clock time: H:MM[:SS[.fff]], with AM/PM or 24 h. */
const CLOCK = /^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,3})\d*)?)?(?:\s*([AaPp])\.?[Mm]\.?)?\s*$/;

/** Milliseconds into the day of a clock time `H:MM[:SS[.fff]]` (AM/PM or 24 h), NaN when it is not one. */
export function clockMs(text: string): number {
  const m = CLOCK.exec(text);
  if (!m) return NaN;
  let h = +m[1];
  const mi = +m[2], sec = m[3] === undefined ? 0 : +m[3];
  const half = m[5]?.toLowerCase();
  if (half) { if (h < 1 || h > 12) return NaN; h = (h % 12) + (half === 'p' ? 12 : 0); }
  // 24:00 would be the next day's midnight, which a swap of day and month (settleDateOrder) cannot mend: not read.
  if (h > 23 || mi > 59 || sec > 60) return NaN;
  return h * 3600000 + mi * 60000 + sec * 1000 + (m[4] === undefined ? 0 : +m[4].padEnd(3, '0'));
}

/**
 * The fields of a date written D/M/YYYY or M/D/YYYY, or YY with a clock time (separators `/`, `.` or `-`; 1- or 2-digit day and month;
 * an optional clock time as clockMs reads it, and a zone: Z, UTC, CET, +01:00…), or null. Which field is the day is the
 * column's choice (see infer.ts): `04/03/2024` alone does not tell.
 */
export function dayMonthParts(text: string, zones: ZoneNames = ZONE_NAMES): DayMonthParts | null {
  const m = DAY_MONTH.exec(text.trim());
  if (!m) return null;
  // A two-digit year (`04.03.24 10:00`, German Excel's) is read as POSIX strptime's %y: 00–68 → 20xx, 69–99 → 19xx;
  // only with a clock time after it (`1.2.10` alone may be a version).
  if (m[4].length === 2 && m[5] === undefined) return null;
  const first = +m[1], second = +m[3], year = m[4].length === 2 ? (+m[4] < 69 ? 2000 : 1900) + +m[4] : +m[4];
  if (first < 1 || second < 1 || first > 31 || second > 31 || (first > 12 && second > 12)) return null;
  const dayMs = m[5] === undefined ? 0 : clockMs(m[5]);
  const zone = zoneMs(m[6], zones);
  if (dayMs !== dayMs || zone !== zone || (m[5] === undefined && notCapitals(m[6]))) return null;
  return { first, second, year, sep: m[2], dayMs, zoneMs: zone };
}

/** Epoch ms of a D/M/Y (`dayFirst`) or M/D/Y text read as UTC, or NaN when it is not one or not a real date. */
export function dayMonthTime(text: string, dayFirst: boolean, zones: ZoneNames = ZONE_NAMES): number {
  const p = dayMonthParts(text, zones);
  if (!p) return NaN;
  const day = dayFirst ? p.first : p.second, month = dayFirst ? p.second : p.first;
  if (month > 12 || day > daysInMonth(p.year, month)) return NaN;
  return daysFromCivil(p.year, month, day) * 86400000 + p.dayMs - p.zoneMs;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
/**
 * Month names and abbreviations of the languages Kibana, Excel and Grafana export in besides English (German,
 * French, Spanish, Italian, Dutch), month by month: a column in `Mai 1, 2024` or `1 déc. 2024` reads as one in English.
 */
const MONTHS_ELSEWHERE: readonly string[][] = [
  ['januar', 'jän', 'janv', 'janvier', 'ene', 'enero', 'gen', 'gennaio', 'januari'],
  ['februar', 'févr', 'fevr', 'février', 'febrero', 'febbraio', 'februari'],
  ['mär', 'mrz', 'märz', 'mars', 'marzo', 'mrt', 'maart'],
  ['avr', 'avril', 'abr', 'abril', 'aprile'],
  ['mai', 'mayo', 'mag', 'maggio', 'mei'],
  ['juni', 'juin', 'junio', 'giu', 'giugno'],
  ['juli', 'juil', 'juillet', 'julio', 'lug', 'luglio'],
  ['août', 'aout', 'ago', 'agosto', 'augustus'],
  ['sept', 'septembre', 'septiembre', 'set', 'settembre'],
  ['okt', 'oktober', 'octobre', 'octubre', 'ott', 'ottobre'],
  ['novembre', 'noviembre'],
  ['dez', 'dezember', 'déc', 'dec', 'décembre', 'dic', 'diciembre', 'dicembre'],
];

/** 1–12 for a month's name or abbreviation (`Mar`, `March`, `Sept`; `Mai`, `Okt`, `déc`…), 0 for any other word. */
function monthOf(word: string): number {
  const w = word.toLowerCase();
  if (w.length < 3) return 0;
  const m = MONTHS.findIndex((name) => name.startsWith(w) && (w.length === 3 || w === name || (w === 'sept')));
  if (m >= 0) return m + 1;
  return MONTHS_ELSEWHERE.findIndex((names) => names.includes(w)) + 1;
}

const isWeekday = (word: string): boolean => {
  const w = word.toLowerCase();
  return w.length >= 3 && WEEKDAYS.some((name) => name.startsWith(w) && (w.length === 3 || w === name || w.length === 4));
};

const ORD = '(?:st|nd|rd|th)?';
/**
 * A date with the month named in English, an optional weekday before it, an optional clock time (after a space,
 * `@`, `T` or a comma) and an optional zone: Kibana's `Mar 1, 2024 @ 10:00:00.000`, `March 1st 2024 10:00 AM`,
 * `01 Mar 2024 10:00`, `1-Mar-2024 10:00:00`, RFC 2822's `Fri, 01 Mar 2024 10:00:00 GMT`, `2024-Mar-01 10:00`.
 */
const NAMED = new RegExp(
  '^(?:(\\p{L}{2,9})\\.?,?\\s+)?' +
    `(?:(\\p{L}{3,10})\\.?[\\s-]+(\\d{1,2})${ORD},?[\\s-]+(\\d{4})|(\\d{1,2})${ORD}\\.?[\\s.-]+(\\p{L}{3,10})\\.?[\\s.,-]+(\\d{4})|(\\d{4})[-/\\s](\\p{L}{3,10})[-/\\s](\\d{1,2}))` +
    '(?:\\s*[@T,]?\\s*(\\d{1,2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:\\s*[AaPp]\\.?[Mm]\\.?)?))?' +
    `(?:\\s*(Z|${ZONE_NAME_PATTERN}|[+-]\\d{2}(?::?\\d{2})?))?$`,
  'u',
);

/**
 * Unix `date`'s and Java's Date.toString() order, the year last after the clock and the zone: `Mon Mar 04 10:00:00 CET
 * 2024`; without a zone, C's asctime: `Mon Mar  4 10:00:00 2024`.
 */
const UNIX_DATE = new RegExp(
  '^(?:(\\p{L}{2,9})\\.?,?\\s+)?(\\p{L}{3,10})\\.?\\s+(\\d{1,2})\\s+(\\d{1,2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:\\s*[AaPp]\\.?[Mm]\\.?)?)\\s+' +
    `(?:(${ZONE_NAME_PATTERN}|[+-]\\d{2}(?::?\\d{2})?)\\s+)?(\\d{4})$`,
  'u',
);

/**
 * Epoch ms of a date with its month named (see NAMED and UNIX_DATE), read as UTC unless it has a zone, or NaN when it
 * is not one.
 */
export function namedMonthTime(text: string, zones: ZoneNames = ZONE_NAMES): number {
  const f = namedFields(text.trim());
  return f ? namedTime(f.weekday, f.word, f.day, f.year, f.clock, f.zone, zones) : NaN;
}

/** The fields of a named-month date as NAMED (in its three orders) or UNIX_DATE match them, or null. */
function namedFields(t: string): { weekday?: string; word: string; day: string; year: string; clock?: string; zone?: string } | null {
  const m = NAMED.exec(t);
  if (m) {
    const [word, day, year] = m[2] !== undefined ? [m[2], m[3], m[4]] : m[5] !== undefined ? [m[6], m[5], m[7]] : [m[9], m[10], m[8]];
    return { weekday: m[1], word, day, year, clock: m[11], zone: m[12] };
  }
  const u = UNIX_DATE.exec(t);
  return u ? { weekday: u[1], word: u[2], day: u[3], year: u[6], clock: u[4], zone: u[5] } : null;
}

/**
 * The word that keeps a text written as a named-month date (`Mo, 01 Jan 2024 10:00`, `01 lut 2024`) from being read:
 * a weekday that is not an English one, or a month name in no language above, with which it is; else null.
 */
export function unknownDateWord(text: string): { word: string; kind: 'weekday' | 'month' } | null {
  const f = namedFields(text.trim());
  if (!f) return null;
  if (f.weekday !== undefined && !isWeekday(f.weekday)) return { word: f.weekday, kind: 'weekday' };
  return monthOf(f.word) === 0 ? { word: f.word, kind: 'month' } : null;
}

/** Three-letter weekdays, Monday first: the quick test of a text that may begin with one. */
const WEEKDAY_HEADS = new Set(WEEKDAYS.map((w) => w.slice(0, 3)));

/**
 * The weekday a named-month time writes when its date falls on another (`Tue Mar 04 2024`: written Tuesday, a Monday),
 * else null (no weekday, or the right one). The date is the one written, whatever its zone.
 */
export function wrongWeekday(text: string): { written: string; actual: string } | null {
  const t = text.trim();
  if (!WEEKDAY_HEADS.has(t.slice(0, 3).toLowerCase())) return null;
  // The date is written before the clock, but Unix date's year after it (at the end): a text whose part before the
  // clock and last four characters are the last right one's has its date, and is right too. A file's rows of one day
  // are checked once, not each.
  const colon = t.indexOf(':');
  const key = colon > 0 ? `${t.slice(0, colon - 1)}\u0000${t.slice(-4)}` : t;
  if (key === lastRightWeekday) return null;
  const f = namedFields(t);
  const weekday = f?.weekday;
  if (!f || weekday === undefined || !isWeekday(weekday)) return null;
  const month = monthOf(f.word), d = +f.day, y = +f.year;
  if (month === 0 || d < 1 || d > daysInMonth(y, month)) return null;
  const w = weekday.toLowerCase();
  const written = WEEKDAYS.findIndex((name) => name.startsWith(w));
  // 1970-01-01 was a Thursday (3, Monday first).
  const actual = (((daysFromCivil(y, month, d) + 3) % 7) + 7) % 7;
  if (written !== actual) return { written: WEEKDAYS[written], actual: WEEKDAYS[actual] };
  lastRightWeekday = key;
  return null;
}

/** The key (see wrongWeekday) of the last text whose weekday was its date's. */
let lastRightWeekday = '';

/** The time of a named-month date's fields as matched (an optional weekday, the month's name, day, year, clock, zone). */
function namedTime(weekday: string | undefined, word: string, day: string, year: string, clock: string | undefined, zone: string | undefined, zones: ZoneNames): number {
  if (weekday !== undefined && !isWeekday(weekday)) return NaN;
  const month = monthOf(word), d = +day, y = +year;
  if (month === 0 || d < 1 || d > daysInMonth(y, month)) return NaN;
  const dayMs = clock === undefined ? 0 : clockMs(clock);
  if (dayMs !== dayMs || (clock === undefined && notCapitals(zone))) return NaN;
  return daysFromCivil(y, month, d) * 86400000 + dayMs - zoneMs(zone, zones);
}

/**
 * The offset from UTC of a zone text (`Z`, `UTC`, `CET`, `cet`, `+01:00`, `-0530`, `+01`) in ms; 0 without one; NaN for
 * an abbreviation `zones` leaves out (an ambiguous one its file does not settle).
 */
export function zoneMs(zone: string | undefined, zones: ZoneNames = ZONE_NAMES): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  if (zone[0] !== '+' && zone[0] !== '-') return namedZoneMs(zone, zones);
  if (zone.length < 3) return 0;
  const digitsOnly = zone.slice(1).replace(':', '');
  const off = (+digitsOnly.slice(0, 2) * 60 + (digitsOnly.length > 2 ? +digitsOnly.slice(2) : 0)) * 60000;
  return zone[0] === '+' ? off : -off;
}
