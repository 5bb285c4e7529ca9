import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { namedMonthTime, parseTimestamp, dayMonthTime, wrongWeekday } from '../../src/core/csv/time.ts';
import { zoneOffsetOf } from '../../src/core/csv/zone.ts';
import { readsAsTime } from '../../src/core/csv/infer.ts';
import { isoOf } from '../../src/core/anomaly.ts';
import { StreamPipeline } from '../../src/node/streamPipeline.ts';
import type { ScoredRow } from '../../src/node/streamPipeline.ts';

const HOUR = 3_600_000;
const MIN = 60_000;

/** `n` rows of `time,cpu` every 10 minutes, the time written by `fmt` from its UTC instant. */
function file(n: number, fmt: (utc: Date, i: number) => string, from = Date.UTC(2024, 2, 4, 9)): string {
  return 'time,cpu\n' + Array.from({ length: n }, (_, i) => `${fmt(new Date(from + i * 10 * MIN), i)},${50 + (i % 7)}`).join('\n') + '\n';
}
const p2 = (n: number): string => String(n).padStart(2, '0');
/** `YYYY-MM-DD HH:MM:SS` of a UTC instant moved by `hours`. */
const wallText = (utc: Date, hours: number): string => new Date(utc.getTime() + hours * HOUR).toISOString().slice(0, 19).replace('T', ' ');

/** What stream reads of a text: rows' times, the layout's offset, the notices. */
function streamed(text: string, pauses = true): { ms: number[]; offset: number; notices: string[] } {
  const rows: ScoredRow[] = [];
  const notices: string[] = [];
  const pipe = new StreamPipeline({ displayPath: 'z.csv', onRow: (r) => rows.push(r), onNotice: (t) => notices.push(t) });
  // `pauses`: the input pauses after each piece (a live file); else it is read straight through (a file on disk).
  for (let k = 0; k < text.length; k += 700) { pipe.push(text.slice(k, k + 700)); if (pauses) pipe.caughtUp(); }
  pipe.finish();
  assert.equal(pipe.failure, null);
  return { ms: rows.map((r) => r.ms), offset: pipe.columns!.utcOffsetMs, notices };
}

test('zone abbreviations in lower or mixed case (cet, Utc, gmt) are read as in capitals, after a clock time; words are no zones', () => {
  const cases: [string, number][] = [
    ['2024-03-04 10:00:00 cet', Date.UTC(2024, 2, 4, 9)], ['2024-03-04 10:00:00 Utc', Date.UTC(2024, 2, 4, 10)],
    ['2024-03-04T10:00 gmt', Date.UTC(2024, 2, 4, 10)], ['2024-07-04 10:00:00 Cest', Date.UTC(2024, 6, 4, 8)],
  ];
  for (const [text, want] of cases) assert.equal(parseTimestamp(text), want, text);
  assert.equal(dayMonthTime('04.03.2024 10:00 cet', true), Date.UTC(2024, 2, 4, 9));
  assert.equal(namedMonthTime('mon, 04 mar 2024 10:00:00 pst'), Date.UTC(2024, 2, 4, 18));
  assert.equal(namedMonthTime('Monday, March 4, 2024 10:00 AM est'), Date.UTC(2024, 2, 4, 15));
  assert.deepEqual(['2024-03-04 10:00:00 cet', '04.03.2024 10:00 Est', 'Mar 4, 2024 @ 10:00:00.000 utc'].map((t) => zoneOffsetOf(t)), [HOUR, -5 * HOUR, 0]);
  // Capitals after a date alone read as before; a lower-case word after a date alone (`wet`, `met`, `west`) is no zone.
  assert.equal(namedMonthTime('Mar 4, 2024 GMT'), Date.UTC(2024, 2, 4));
  for (const t of ['Mar 4, 2024 wet', '04.03.2024 met', '2024-03-04 west', 'west', 'met', 'est', 'wet 10:00', '2024-03-04 10:00:00 cat', 'may 2024 est']) assert.equal(readsAsTime(t), false, t);
  // The file: its wall clock at the zone's offset, as `CET` in capitals; stream reads the same.
  for (const [zone, hours] of [['cet', 1], ['Utc', 0], ['gmt', 0], ['Eet', 2]] as const) {
    const text = file(40, (d) => `${wallText(d, hours)} ${zone}`);
    const { frame, issues } = parseCsv(text);
    assert.deepEqual(issues, [], zone);
    assert.equal(frame!.utcOffsetMs ?? 0, hours * HOUR, zone);
    assert.equal(isoOf(frame!.timestamps![0], frame!.utcOffsetMs), hours ? `${wallText(new Date(Date.UTC(2024, 2, 4, 9)), hours).replace(' ', 'T')}.000+0${hours}:00` : '2024-03-04T09:00:00.000Z', zone);
    const s = streamed(text);
    assert.deepEqual([s.ms, s.offset, s.notices], [Array.from(frame!.timestamps!), hours * HOUR, []], zone);
  }
  // A text column of words that are zone abbreviations in lower case stays text; the time stays the time.
  const words = ['west', 'met', 'est', 'wet', 'utc'];
  const mixed = parseCsv('time,region,cpu\n' + Array.from({ length: 30 }, (_, i) => `2024-03-04T10:${p2(i)}:00Z,${words[i % 5]},${i}`).join('\n') + '\n');
  assert.deepEqual([mixed.frame!.timestampColumn, mixed.frame!.metrics, mixed.issues], ['time', ['cpu'], []]);
});

test('Unix `date` / Java Date.toString() order (`Mon Mar 04 10:00:00 CET 2024`) and C asctime (`Mon Mar  4 10:00:00 2024`) are read as times', () => {
  const cases: [string, number][] = [
    ['Mon Mar 04 10:00:00 CET 2024', Date.UTC(2024, 2, 4, 9)], ['Thu Jul 04 10:00:00 CEST 2024', Date.UTC(2024, 6, 4, 8)],
    ['Mon Mar 04 10:00:00 2024', Date.UTC(2024, 2, 4, 10)], ['Mon Mar  4 10:00:00 2024', Date.UTC(2024, 2, 4, 10)],
    ['Mon Mar 4 10:00:00 utc 2024', Date.UTC(2024, 2, 4, 10)], ['Mon Mar 04 10:00:00 PM EST 2024', Date.UTC(2024, 2, 5, 3)],
    ['Mar 04 10:00:00 2024', Date.UTC(2024, 2, 4, 10)], ['Mon Mar 04 10:00:00.250 2024', Date.UTC(2024, 2, 4, 10, 0, 0, 250)],
  ];
  for (const [text, want] of cases) assert.equal(namedMonthTime(text), want, text);
  for (const bad of ['Mon Mar 32 10:00:00 2024', 'Mon Foo 04 10:00:00 2024', 'Mon Mar 04 10:00:00 XYZ 2024', 'Mon Mar 04 25:00:00 2024', 'Sunny Mar 04 10:00:00 2024']) assert.equal(namedMonthTime(bad), NaN, bad);
  assert.deepEqual(['Mon Mar 04 10:00:00 CET 2024', 'Mon Mar 04 10:00:00 2024'].map((t) => zoneOffsetOf(t)), [HOUR, null]);
  const weekday = (d: Date): string => ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const month = (d: Date): string => d.toUTCString().slice(8, 11);
  // `date` in CET: the file's wall clock at +01:00, no note of a change of offset; asctime: UTC. Stream reads the same.
  for (const [fmt, offset] of [
    [(d: Date) => { const w = new Date(d.getTime() + HOUR); return `${weekday(w)} ${month(w)} ${p2(w.getUTCDate())} ${w.toISOString().slice(11, 19)} CET ${w.getUTCFullYear()}`; }, HOUR],
    [(d: Date) => `${weekday(d)} ${month(d)} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)} ${d.getUTCFullYear()}`, 0],
  ] as const) {
    const text = file(40, fmt, Date.UTC(2024, 2, 3, 20));
    const { frame, issues } = parseCsv(text);
    assert.deepEqual([frame!.timestampColumn, issues], ['time', []]);
    assert.equal(frame!.utcOffsetMs ?? 0, offset);
    assert.equal(frame!.timestamps![5] - offset, Date.UTC(2024, 2, 3, 20, 50));
    assert.equal(isoOf(frame!.timestamps![0], frame!.utcOffsetMs), offset ? '2024-03-03T21:00:00.000+01:00' : '2024-03-03T20:00:00.000Z');
    const s = streamed(text);
    assert.deepEqual([s.ms, s.offset, s.notices], [Array.from(frame!.timestamps!), offset, []]);
  }
});

/** Every 10 minutes from `from` (UTC): written in `before` (`hours` east) until `change`, then in `after`. */
function dstFile(n: number, from: number, change: number, [before, hb]: [string, number], [after, ha]: [string, number]): string {
  return file(n, (d) => (d.getTime() < change ? `${wallText(d, hb)} ${before}` : `${wallText(d, ha)} ${after}`), from);
}

test('an ambiguous abbreviation (BST, CST, IST) the file\'s others settle is read: GMT then BST (London), CDT then CST (Chicago), GMT then IST (Dublin); shown at the first rows\' offset, batch and stream alike', () => {
  const london = Date.UTC(2024, 2, 31, 1), chicago = Date.UTC(2024, 10, 3, 7), dublin = london;
  const cases: [string, string, number, string][] = [
    ['GMT→BST', dstFile(30, london - 3 * HOUR, london, ['GMT', 0], ['BST', 1]), 0, '2024-03-31T01:00:00.000Z'],
    ['gmt→bst', dstFile(30, london - 3 * HOUR, london, ['gmt', 0], ['bst', 1]), 0, '2024-03-31T01:00:00.000Z'],
    ['CDT→CST', dstFile(30, chicago - 3 * HOUR, chicago, ['CDT', -5], ['CST', -6]), -5 * HOUR, '2024-11-03T02:00:00.000-05:00'],
    ['CST→CDT', dstFile(30, Date.UTC(2024, 2, 10, 5), Date.UTC(2024, 2, 10, 8), ['CST', -6], ['CDT', -5]), -6 * HOUR, '2024-03-10T02:00:00.000-06:00'],
    ['GMT→IST', dstFile(30, dublin - 3 * HOUR, dublin, ['GMT', 0], ['IST', 1]), 0, '2024-03-31T01:00:00.000Z'],
    ['CET→CEST', dstFile(30, london - 3 * HOUR, london, ['CET', 1], ['CEST', 2]), HOUR, '2024-03-31T02:00:00.000+01:00'],
  ];
  for (const [name, text, offset, changed] of cases) {
    const { frame, issues } = parseCsv(text);
    assert.deepEqual([frame!.timestampColumn, frame!.rows], ['time', 30], name);
    // The instants: every 10 minutes across the change, none lost.
    const instants = Array.from(frame!.timestamps!, (t) => t - offset);
    assert.deepEqual(instants.slice(1).map((t, i) => t - instants[i]), Array(29).fill(10 * MIN), name);
    assert.equal(frame!.utcOffsetMs ?? 0, offset, name);
    assert.equal(isoOf(frame!.timestamps![18], frame!.utcOffsetMs), changed, name);
    // Said at the first row past the change (line 20), in the words stream uses.
    assert.deepEqual(issues.map((x) => [x.code, x.line]), [['utc-offsets', 20]], name);
    assert.match(issues[0].message, /^the times change UTC offset at line 20 \(daylight saving time\?\)/, name);
    const s = streamed(text);
    assert.deepEqual([s.ms, s.offset], [Array.from(frame!.timestamps!), offset], name);
    assert.deepEqual(s.notices, [`z.csv:20: warning: ${issues[0].message}`], name);
  }
  // The change past the first rows the columns are decided on (500): GMT there settles the BST after it.
  const long = dstFile(700, london - 600 * 10 * MIN, london, ['GMT', 0], ['BST', 1]);
  const { frame, issues } = parseCsv(long);
  assert.equal(frame!.rows, 700);
  assert.equal(frame!.timestamps![699] - frame!.timestamps![0], 699 * 10 * MIN);
  assert.deepEqual(issues.map((x) => x.code), ['utc-offsets']);
  assert.deepEqual(streamed(long).ms, Array.from(frame!.timestamps!));
});

test('stream reads a file straight through as analyze does: CST settled by a CDT past the first 20 rows but within the first 500', () => {
  // Chicago, spring: 40 rows at CST (-06:00), then CDT (-05:00); stream used to decide its columns on 20 CST rows.
  const change = Date.UTC(2024, 2, 10, 8);
  const text = dstFile(60, change - 40 * 10 * MIN, change, ['CST', -6], ['CDT', -5]);
  const { frame } = parseCsv(text);
  assert.equal(frame!.utcOffsetMs, -6 * HOUR);
  const s = streamed(text, false);
  assert.deepEqual([s.ms, s.offset], [Array.from(frame!.timestamps!), -6 * HOUR]);
  assert.deepEqual(s.notices, ['z.csv:42: warning: the times change UTC offset at line 42 (daylight saving time?): all are shown at -06:00, the first rows\'']);
  // A CST no later row settles is decided on at the end of the input, as before: no time, said once.
  const china = file(30, (d) => `${wallText(d, 8)} CST`);
  const c = streamed(china, false);
  assert.ok(c.ms.length === 30 && c.ms.every((t) => Number.isNaN(t)));
  assert.equal(c.notices.length, 1);
});

test('an ambiguous abbreviation no other settles is still not read, the message naming the line and the choices', () => {
  const cst = file(30, (d) => `${wallText(d, 8)} CST`);
  const { frame, issues } = parseCsv(cst);
  assert.equal(frame!.timestamps, null);
  assert.deepEqual(issues.map((x) => [x.code, x.line, x.message]), [['timestamp-ignored', 1, 'column "time" is not read as the time: its zone \'CST\' names more than one UTC offset (US Central or China Standard Time) and no other zone in the file\'s first rows (up to 500: the columns are decided on them) tells which (line 2: \'2024-03-04 17:00:00 CST\'), so row numbers stand in for time; export the times with an offset (+08:00) or in UTC']]);
  const s = streamed(cst);
  assert.deepEqual(s.notices, [`z.csv:1:1: warning: ${issues[0].message}`]);
  assert.ok(s.ms.every((t) => Number.isNaN(t)));
  // Other zones that settle nothing (EST beside CST: which CST?), and rows after them: each says so.
  const est = file(40, (d, i) => (i < 37 ? `${wallText(d, -5)} EST` : `${wallText(d, -6)} cst`));
  const r = parseCsv(est);
  assert.equal(r.frame!.rows, 37);
  assert.deepEqual(r.issues.filter((x) => x.code === 'bad-timestamp').map((x) => [x.line, x.message])[0], [39, 'row skipped: \'2024-03-04 09:10:00 cst\' is not a timestamp: its zone \'CST\' names more than one UTC offset (US Central or China Standard Time) and no other zone in the file\'s first rows (up to 500: the columns are decided on them) tells which']);
});

test('a file whose first rows are written at UTC by a zone (GMT, Z) says where a later row changes offset (BST past the first 500 rows), batch and stream; later rows without a zone change nothing there', () => {
  const london = Date.UTC(2024, 2, 31, 1);
  const text = dstFile(700, london - 600 * 10 * MIN, london, ['GMT', 0], ['BST', 1]);
  const want = 'the times change UTC offset at line 602 (daylight saving time?): all are shown at +00:00, the first rows\'';
  assert.deepEqual(parseCsv(text).issues.map((x) => [x.code, x.line, x.message]), [['utc-offsets', 602, want]]);
  assert.deepEqual(streamed(text).notices, [`z.csv:602: warning: ${want}`]);
  const z = file(700, (d, i) => (i < 600 ? d.toISOString().slice(0, 19) + 'Z' : `${wallText(d, 1)}+01:00`));
  assert.deepEqual(parseCsv(z).issues.map((x) => [x.code, x.line]), [['utc-offsets', 602]]);
  // `Z`, then `+00:00`, then no zone: all UTC, nothing to say.
  const same = file(700, (d, i) => (i < 550 ? d.toISOString().slice(0, 19) + 'Z' : i < 600 ? `${wallText(d, 0)}+00:00` : wallText(d, 0)));
  assert.deepEqual(parseCsv(same).issues, []);
  assert.deepEqual(streamed(same).notices, []);
});

test('a weekday that is not its date\'s (`Tue Mar 04 2024`, a Monday) is read by its date with one warning naming the first such line, batch and stream alike', () => {
  const weekday = (d: Date, shift: number): string => ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][(d.getUTCDay() + shift) % 7];
  const month = (d: Date): string => d.toUTCString().slice(8, 11);
  // Unix date, then RFC 2822's order (no comma: unquoted); hourly rows from Mon 4 March, rows 30 and 40 with the next day's weekday.
  for (const fmt of [
    (d: Date, i: number) => `${weekday(d, i === 30 || i === 40 ? 1 : 0)} ${month(d)} ${p2(d.getUTCDate())} ${d.toISOString().slice(11, 19)} UTC ${d.getUTCFullYear()}`,
    (d: Date, i: number) => `${weekday(d, i === 30 || i === 40 ? 1 : 0)} ${p2(d.getUTCDate())} ${month(d)} ${d.getUTCFullYear()} ${d.toISOString().slice(11, 19)} GMT`,
  ]) {
    const text = file(60, (d, i) => fmt(new Date(d.getTime() + i * 50 * MIN), i), Date.UTC(2024, 2, 4));
    const { frame, issues } = parseCsv(text);
    assert.deepEqual([frame!.timestampColumn, frame!.rows], ['time', 60]);
    assert.equal(frame!.timestamps![30], Date.UTC(2024, 2, 4) + 30 * 60 * MIN);
    const bad = fmt(new Date(Date.UTC(2024, 2, 4) + 30 * 60 * MIN), 30);
    const want = `'${bad}' says ${bad.startsWith('Tue') ? 'Tuesday, but its date is a Monday' : 'Wednesday, but its date is a Tuesday'}: the date is read, the weekday ignored (the file's first such row; later ones are not named)`;
    assert.deepEqual(issues.map((x) => [x.code, x.line, x.column, x.message]), [['weekday', 32, 1, want]]);
    const s = streamed(text);
    assert.deepEqual(s.ms, Array.from(frame!.timestamps!));
    assert.deepEqual(s.notices, [`z.csv:32: warning: ${want}`]);
  }
  // Right weekdays, and named months without one: nothing said.
  const right = file(60, (d) => `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]} ${p2(d.getUTCDate())} Mar 2024 ${d.toISOString().slice(11, 19)} GMT`, Date.UTC(2024, 2, 4));
  assert.deepEqual(parseCsv(right).issues, []);
  assert.deepEqual(streamed(right).notices, []);
});

test('a CST settled only past the first 500 rows (the known limit): the message says the first rows were looked at, not the file', () => {
  // Chicago: 550 rows at CST, then CDT at line 552; the CDT is past the rows the columns are decided on.
  const change = Date.UTC(2024, 2, 10, 8);
  const text = dstFile(600, change - 550 * 10 * MIN, change, ['CST', -6], ['CDT', -5]);
  const { frame, issues } = parseCsv(text);
  assert.equal(frame!.timestamps, null);
  const want = 'column "time" is not read as the time: its zone \'CST\' names more than one UTC offset (US Central or China Standard Time) and no other zone in the file\'s first rows (up to 500: the columns are decided on them) tells which (line 2: \'2024-03-06 06:20:00 CST\'), so row numbers stand in for time; export the times with an offset (+08:00) or in UTC';
  assert.deepEqual(issues.map((x) => [x.code, x.line, x.message]), [['timestamp-ignored', 1, want]]);
  assert.deepEqual(streamed(text, false).notices, [`z.csv:1:1: warning: ${want}`]);
});

test('a wrong weekday is told after right ones of the same day, hour or year: the check of one day is remembered only for texts of that date', () => {
  // 2024-03-04 is a Monday, 2025-03-04 a Tuesday.
  assert.equal(wrongWeekday('Mon Mar 04 10:00:00 UTC 2024'), null);
  assert.equal(wrongWeekday('Mon Mar 04 10:05:00 UTC 2024'), null);
  assert.deepEqual(wrongWeekday('Mon Mar 04 10:10:00 UTC 2025'), { written: 'monday', actual: 'tuesday' });
  assert.equal(wrongWeekday('Mon, 04 Mar 2024 10:00:00 +0100'), null);
  assert.deepEqual(wrongWeekday('Tue, 04 Mar 2024 10:01:00 +0100'), { written: 'tuesday', actual: 'monday' });
  assert.deepEqual(wrongWeekday('Mon, 05 Mar 2024 10:02:00 +0100'), { written: 'monday', actual: 'tuesday' });
  assert.equal(wrongWeekday('Mon Mar  4 9:00:00 2024'), null);
  assert.deepEqual(wrongWeekday('Mon Mar  4 9:01:00 2025'), { written: 'monday', actual: 'tuesday' });
});
