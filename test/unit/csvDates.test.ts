import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dayMonthParts, dayMonthTime, namedMonthTime, parseTimestamp } from '../../src/core/csv/time.ts';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { StreamPipeline } from '../../src/node/streamPipeline.ts';

const iso = (ms: number): string => (Number.isNaN(ms) ? 'NaN' : new Date(ms).toISOString());

test('dates written day and month first (Excel, European and US exports) are read in the order given', () => {
  assert.equal(iso(dayMonthTime('04.03.2024', true)), '2024-03-04T00:00:00.000Z');
  assert.equal(iso(dayMonthTime('4.3.2024 9:05', true)), '2024-03-04T09:05:00.000Z');
  assert.equal(iso(dayMonthTime('3/4/2024 10:05 PM', false)), '2024-03-04T22:05:00.000Z');
  assert.equal(iso(dayMonthTime('12/31/2024 12:00:30 AM', false)), '2024-12-31T00:00:30.000Z');
  assert.equal(iso(dayMonthTime('12/31/2024 12:00 p.m.', false)), '2024-12-31T12:00:00.000Z');
  assert.equal(iso(dayMonthTime('31-12-2024 23:59:59.25', true)), '2024-12-31T23:59:59.250Z');
  assert.equal(iso(dayMonthTime('29/02/2024', true)), '2024-02-29T00:00:00.000Z');
  // Not a real date, not a date, not this form.
  for (const [text, dayFirst] of [['30/02/2024', true], ['31/04/2024', true], ['13/04/2024', false], ['1/2/24', true], ['3/4/2024 13:00 PM', false], ['03.04-2024', true], ['2024-03-04', true]] as const) {
    assert.ok(Number.isNaN(dayMonthTime(text, dayFirst)), text);
  }
  assert.equal(dayMonthParts('13/13/2024'), null);
});

/** A CSV of `n` rows `step` ms apart from 2024-03-04, its time written by `fmt`. */
function csv(n: number, step: number, fmt: (d: Date) => string): string {
  return 'time,cpu\n' + Array.from({ length: n }, (_, i) => `${fmt(new Date(Date.UTC(2024, 2, 4) + i * step))},${i % 7}`).join('\n') + '\n';
}
const p2 = (v: number): string => String(v).padStart(2, '0');
const dmy = (d: Date, sep: string): string => `${p2(d.getUTCDate())}${sep}${p2(d.getUTCMonth() + 1)}${sep}${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
const mdy = (d: Date): string => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${((d.getUTCHours() + 11) % 12) + 1}:${p2(d.getUTCMinutes())} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`;

test('a CSV\'s D/M/Y or M/D/Y time column: the order is the one a field above 12 shows, else assumed with a warning', () => {
  const day = 86_400_000;
  const expected = Array.from({ length: 30 }, (_, i) => Date.UTC(2024, 2, 4) + i * day);
  for (const [name, text] of [['dd/mm', csv(30, day, (d) => dmy(d, '/'))], ['dd.mm', csv(30, day, (d) => dmy(d, '.'))], ['m/d AM/PM', csv(30, day, mdy)]] as const) {
    const { frame, issues } = parseCsv(text);
    assert.deepEqual(Array.from(frame!.timestamps!), expected, name);
    assert.deepEqual(issues, [], name);
  }
  // Minutes of one day: 04/03/2024 does not tell. With '/' month first (US), with '.' day first; either way said.
  const minute = 60_000;
  const us = parseCsv(csv(60, minute, (d) => dmy(d, '/')));
  assert.equal(iso(us.frame!.timestamps![0]), '2024-04-03T00:00:00.000Z');
  assert.deepEqual(us.issues.map((x) => [x.code, x.line, x.column]), [['date-order', 2, 1]]);
  assert.match(us.issues[0].message, /^dates such as '04\/03\/2024 00:00' are read month first \(month\/day\/year, as in the US\)/);
  const eu = parseCsv(csv(60, minute, (d) => dmy(d, '.')));
  assert.equal(iso(eu.frame!.timestamps![0]), '2024-03-04T00:00:00.000Z');
  assert.match(eu.issues[0].message, /read day first/);
});

test('streaming reads a D/M/Y time column as the batch reader does, and says when its first rows leave the order open', () => {
  // Every row a day apart: the stream's first rows (it decides on 20) already pass the 12th.
  const text = csv(40, 86_400_000, (d) => dmy(d, '/'));
  const times: number[] = [];
  const notices: string[] = [];
  const pipe = new StreamPipeline({ displayPath: 'd.csv', onRow: (r) => times.push(r.ms), onNotice: (t) => notices.push(t) });
  pipe.push(text);
  pipe.finish();
  assert.equal(pipe.failure, null);
  assert.deepEqual(times, Array.from(parseCsv(text).frame!.timestamps!));
  assert.equal(notices.length, 0);
  const said: string[] = [];
  const open = new StreamPipeline({ displayPath: 'm.csv', onRow: () => undefined, onNotice: (t) => said.push(t) });
  open.push(csv(30, 60_000, (d) => dmy(d, '/')));
  open.finish();
  assert.deepEqual(said, ["m.csv: warning: dates such as '04/03/2024 00:00' are read month first (month/day/year, as in the US): no date in the first rows has a day field above 12 to tell"]);
});

test('an assumed order that a later date contradicts is switched, and the times before are read again (batch); a stream says so', () => {
  // Ten-minute rows from 1 March, dd/mm/yyyy: the first 500 rows (3.5 days) leave the order open, /: month first assumed.
  const uk = csv(20 * 144, 600_000, (d) => dmy(new Date(d.getTime() - 3 * 86_400_000), '/'));
  const { frame, issues } = parseCsv(uk);
  assert.equal(frame!.rows, 20 * 144);
  assert.equal(iso(frame!.timestamps![0]), '2024-03-01T00:00:00.000Z');
  assert.equal(iso(frame!.timestamps![20 * 144 - 1]), '2024-03-20T23:50:00.000Z');
  assert.equal(frame!.stepMs, 600_000);
  assert.deepEqual(issues, []);
  const said: string[] = [];
  const times: number[] = [];
  const pipe = new StreamPipeline({ displayPath: 'uk.csv', onRow: (r) => times.push(r.ms), onNotice: (t) => said.push(t) });
  pipe.push(uk);
  pipe.finish();
  assert.equal(said.length, 2, said.join('\n'));
  assert.match(said[1], /^uk\.csv:\d+: warning: '13\/03\/2024 00:00' shows the dates are day first; the 1728 rows before were read the other way round$/);
  assert.deepEqual(times.slice(1728), Array.from(frame!.timestamps!).slice(1728));
});

test('an ISO time column is the time even after a day-month date column', () => {
  const text = 'day,timestamp,cpu\n' + Array.from({ length: 300 }, (_, i) => `01.03.2024,${new Date(Date.UTC(2024, 2, 1) + i * 600_000).toISOString()},${i % 5}`).join('\n');
  const { frame, issues } = parseCsv(text);
  assert.equal(frame!.timestampColumn, 'timestamp');
  assert.equal(frame!.stepMs, 600_000);
  assert.deepEqual(issues, []);
});

test('the time: a column with times of day before a date-only one; a date and the clock column right after it, named as a time, together', () => {
  // A release date (ISO, day only) beside the real time (D/M/Y with a time of day).
  const release = 'Time;Release;CPU\n' + Array.from({ length: 100 }, (_, i) => `${dmy(new Date(Date.UTC(2024, 2, 1) + i * 600_000), '.')};2024-02-20;${i % 5}`).join('\n');
  const r = parseCsv(release);
  assert.equal(r.frame!.timestampColumn, 'Time');
  assert.equal(r.frame!.stepMs, 600_000);
  // Date,Time with AM/PM clocks: one time.
  const us = 'Date,Time,Value\n' + Array.from({ length: 48 }, (_, i) => { const d = new Date(Date.UTC(2024, 2, 1) + i * 3_600_000); return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/2024,${((d.getUTCHours() + 11) % 12) + 1}:00 ${d.getUTCHours() < 12 ? 'AM' : 'PM'},${i}`; }).join('\n');
  const u = parseCsv(us);
  assert.equal(u.frame!.stepMs, 3_600_000);
  assert.equal(iso(u.frame!.timestamps![47]), '2024-03-02T23:00:00.000Z');
  // An opening time or a duration is no time of day of the row: the dates alone are the time.
  for (const header of ['date,opens,visitors', 'Date,AvgHandle,Calls']) {
    const t = `${header}\n` + Array.from({ length: 20 }, (_, i) => `2024-03-${String(i + 1).padStart(2, '0')},${i % 2 ? '09:00' : '10:00'},${i}`).join('\n');
    const f = parseCsv(t).frame!;
    assert.equal(f.stepMs, 86_400_000, header);
    assert.equal(iso(f.timestamps![1]), '2024-03-02T00:00:00.000Z', header);
  }
  // A clock the row cannot be read with is named, not its date.
  const rows = Array.from({ length: 20 }, (_, i) => `01.03.2024;${i === 10 ? '33:27' : `${String(i).padStart(2, '0')}:00`};${i}`);
  const bad = parseCsv(`Datum;Uhrzeit;Wert\n${rows.join('\n')}\n`);
  assert.equal(bad.frame!.rows, 19);
  assert.deepEqual(bad.issues.filter((x) => x.code === 'bad-timestamp').map((x) => [x.line, x.column, x.message]), [[12, 2, 'row skipped: \'33:27\' in column "Uhrzeit" is not a time of day']]);
});

test('long files: IP addresses and versions are labels (not dates)', () => {
  const text = 'time,instance,version,cpu\n' + Array.from({ length: 100 }, (_, i) => ['10.0.0.1:9100', '172.17.0.2:9100', '10.0.0.3'].map((h, k) => `${1_700_000_000 + i * 60},${h},1.2.${k},${i + k}`).join('\n')).join('\n');
  const { frame } = parseCsv(text);
  assert.deepEqual(frame!.metrics, ['cpu{instance="10.0.0.1:9100",version="1.2.0"}', 'cpu{instance="172.17.0.2:9100",version="1.2.1"}', 'cpu{instance="10.0.0.3",version="1.2.2"}']);
  assert.equal(frame!.rows, 100);
});

test('a day-month time column with too many odd cells says why row numbers stand in, as an ISO one does', () => {
  const text = 'time,cpu\n' + Array.from({ length: 40 }, (_, i) => `${i % 5 === 0 ? 'n/d' : `${String(1 + (i % 28)).padStart(2, '0')}.03.2024 10:00`},${i}`).join('\n');
  const { frame, issues } = parseCsv(text);
  assert.equal(frame!.timestamps, null);
  const ignored = issues.find((x) => x.code === 'timestamp-ignored');
  assert.ok(ignored, JSON.stringify(issues));
  assert.match(ignored.message, /^column "time" is not read as the time: 8 of 40 sampled values are not timestamps \(e\.g\. 'n\/d'\)/);
});

test('dates with the month named (Kibana, RFC 2822, logs) are read, zones applied; invalid dates and other words are not', () => {
  const cases: [string, string][] = [
    ['Mar 4, 2024 @ 10:05:00.250', '2024-03-04T10:05:00.250Z'],
    ['March 4th 2024 10:05 PM', '2024-03-04T22:05:00.000Z'],
    ['04 Mar 2024 10:05', '2024-03-04T10:05:00.000Z'],
    ['4-Mar-2024 10:05:30', '2024-03-04T10:05:30.000Z'],
    ['2024-Mar-04 10:05', '2024-03-04T10:05:00.000Z'],
    ['Mon, 04 Mar 2024 10:05:00 GMT', '2024-03-04T10:05:00.000Z'],
    ['Mon, 04 Mar 2024 10:05:00 +0100', '2024-03-04T09:05:00.000Z'],
    ['Sept 30, 2024', '2024-09-30T00:00:00.000Z'],
    ['Feb 29, 2024 23:59', '2024-02-29T23:59:00.000Z'],
  ];
  for (const [text, want] of cases) assert.equal(iso(namedMonthTime(text)), want, text);
  // Kibana and Excel in other languages: German, French, Spanish, Italian, Dutch month names.
  for (const [text, want] of [['Mai 4, 2024 @ 10:05:00.000', '2024-05-04T10:05:00.000Z'], ['4. März 2024 10:05', '2024-03-04T10:05:00.000Z'], ['04 déc. 2024', '2024-12-04T00:00:00.000Z'],
    ['Okt 4, 2024', '2024-10-04T00:00:00.000Z'], ['4 ago 2024', '2024-08-04T00:00:00.000Z'], ['4 mrt 2024', '2024-03-04T00:00:00.000Z']] as const) {
    assert.equal(iso(namedMonthTime(text)), want, text);
  }
  for (const text of ['Feb 30, 2024', 'Foo, 04 Mar 2024 10:05', 'Maybe 4, 2024', 'Mar 4 10:05:00', 'Mar 4, 2024 25:00', 'done 4 Mar 2024']) {
    assert.ok(Number.isNaN(namedMonthTime(text)), text);
  }
  // ISO with a zone after a space, or GMT.
  assert.equal(iso(parseTimestamp('2024-03-04 10:05:00 GMT')), '2024-03-04T10:05:00.000Z');
  assert.equal(iso(parseTimestamp('2024-03-04 10:05:00 +0100')), '2024-03-04T09:05:00.000Z');
  assert.equal(iso(parseTimestamp('2024-03-04 10:05:00 CET')), '2024-03-04T09:05:00.000Z');
  assert.ok(Number.isNaN(parseTimestamp('2024-03-04 10:05:00 CST')));
  assert.ok(Number.isNaN(parseTimestamp('2024-03-04 10:05:00 constructor')));
});

test('a CSV exported from Kibana (named months, `@`) has its time read; a time-named column of other text says why it is not', () => {
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const kibana = (d: Date): string => `"${month[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} @ ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:00.000"`;
  const { frame, issues } = parseCsv(csv(60, 3_600_000, kibana));
  assert.equal(frame!.timestampColumn, 'time');
  assert.deepEqual(Array.from(frame!.timestamps!), Array.from({ length: 60 }, (_, i) => Date.UTC(2024, 2, 4) + i * 3_600_000));
  assert.deepEqual(issues, []);
  const odd = parseCsv('time,cpu\n' + Array.from({ length: 20 }, (_, i) => `day ${i} at noon,${i}`).join('\n') + '\n');
  assert.equal(odd.frame!.timestampColumn, null);
  const w = odd.issues.find((x) => x.code === 'timestamp-ignored');
  assert.ok(w, JSON.stringify(odd.issues));
  assert.match(w.message, /^column "time" is not read as the time: its values \(e\.g\. 'day 0 at noon'\) are in no form this reader knows/);
  assert.equal(w.column, 1);
  // A text column named otherwise is a label, and says nothing.
  assert.deepEqual(parseCsv('host,cpu\na,1\nb,2\na,3\n').issues.filter((x) => x.code === 'timestamp-ignored'), []);
});

test('epoch microseconds and nanoseconds are times; a time-named column of increasing numbers that are no epoch is neither time nor metric', () => {
  for (const [unit, scale] of [['us', 1e3], ['ns', 1e6]] as const) {
    const text = 'time,cpu\n' + Array.from({ length: 50 }, (_, i) => `${BigInt(Date.UTC(2024, 2, 4) + i * 300_000) * BigInt(scale)},${i % 7}`).join('\n') + '\n';
    const { frame, issues } = parseCsv(text);
    assert.equal(frame!.timestampColumn, 'time', unit);
    assert.deepEqual(frame!.metrics, ['cpu'], unit);
    assert.deepEqual(Array.from(frame!.timestamps!.slice(0, 2)), [Date.UTC(2024, 2, 4), Date.UTC(2024, 2, 4) + 300_000], unit);
    assert.deepEqual(issues, [], unit);
  }
  const relative = parseCsv('time,cpu\n' + Array.from({ length: 50 }, (_, i) => `${i * 10},${i % 7}`).join('\n') + '\n');
  assert.deepEqual(relative.frame!.metrics, ['cpu']);
  assert.equal(relative.frame!.timestamps, null);
  assert.deepEqual(relative.issues.map((x) => [x.code, x.column]), [['timestamp-ignored', 1]]);
  assert.match(relative.issues[0].message, /^column "time" is not read as the time: its numbers \(e\.g\. '0'\) are no epoch times .* it is not analysed as a metric$/);
  // A metric named with "time", or `t` (a temperature), stays a metric; so does a constant `time` column.
  assert.deepEqual(parseCsv('response_time,cpu\n' + Array.from({ length: 50 }, (_, i) => `${i * 10},${i % 7}`).join('\n') + '\n').frame!.metrics, ['response_time', 'cpu']);
  assert.deepEqual(parseCsv('t,humidity\n20.1,50\n20.3,51\n20.4,49\n20.9,52\n').frame!.metrics, ['t', 'humidity']);
  assert.deepEqual(parseCsv('time,cpu\n5,1\n5,2\n5,3\n').frame!.metrics, ['time', 'cpu']);
  // Stream says the same as analyze.
  const notices: string[] = [];
  const pipe = new StreamPipeline({ displayPath: 'rel.csv', onRow: () => undefined, onNotice: (n) => notices.push(n) });
  pipe.push('time,cpu\n' + Array.from({ length: 50 }, (_, i) => `${i * 10},${i % 7}`).join('\n') + '\n');
  pipe.finish();
  assert.deepEqual(pipe.columns!.metrics, ['cpu']);
  assert.ok(notices.some((n) => n.startsWith('rel.csv:1:1: warning: column "time" is not read as the time: its numbers')), JSON.stringify(notices));
});

test('a time column whose weekday or month is in a language not read is said, with the word, its line and the column, whatever its header: analyze and stream alike', () => {
  const d = (i: number): Date => new Date(Date.UTC(2024, 0, 1) + i * 3_600_000);
  const hm = (t: Date): string => t.toISOString().slice(11, 16);
  const dd = (t: Date): string => String(t.getUTCDate()).padStart(2, '0');
  const de = ['So', 'Mo', 'Di', 'Mi', 'Do', 'Fr', 'Sa'];
  const cases: [string, string][] = [
    // German weekdays (months in English), in a column not named as a time: it was taken for text without a word.
    [`Zeitpunkt,cpu\n${Array.from({ length: 40 }, (_, i) => `"${de[d(i).getUTCDay()]}, ${dd(d(i))} Jan 2024 ${hm(d(i))}",${i % 7}`).join('\n')}\n`,
      `column "Zeitpunkt" is not read as the time: 'Mo' is no weekday this reader knows (line 2: 'Mo, 01 Jan 2024 00:00'; weekdays are read in English only), so row numbers stand in for time; export the times in ISO 8601 ('2024-03-01 10:00:00') or without the weekday`],
    // Polish months (stycze\u0144: sty), semicolons.
    [`kiedy;cpu\n${Array.from({ length: 40 }, (_, i) => `${dd(d(i))} sty 2024 ${hm(d(i))};${i % 7}`).join('\n')}\n`,
      `column "kiedy" is not read as the time: 'sty' is no month this reader knows (line 2: '01 sty 2024 00:00'; months are read in English, German, French, Spanish, Italian and Dutch), so row numbers stand in for time; export the times in ISO 8601 ('2024-03-01 10:00:00') or with English month names`],
  ];
  for (const [text, message] of cases) {
    const { frame, issues } = parseCsv(text);
    assert.deepEqual([frame!.timestampColumn, frame!.metrics, frame!.rows], [null, ['cpu'], 40]);
    assert.deepEqual(issues.map((x) => [x.code, x.line, x.column, x.message]), [['timestamp-ignored', 1, 1, message]]);
    const said: string[] = [];
    const pipe = new StreamPipeline({ displayPath: 'd.csv', onRow: () => undefined, onNotice: (t) => said.push(t) });
    pipe.push(text);
    pipe.finish();
    assert.deepEqual(said, [`d.csv:1:1: warning: ${message}`]);
  }
  // Month names of the languages read, and a text column that only once looks like a date, say nothing.
  assert.deepEqual(parseCsv(`t,cpu\n${Array.from({ length: 40 }, (_, i) => `${dd(d(i))}.März.2024 ${hm(d(i))},${i % 7}`).join('\n')}\n`).issues, []);
  const note = parseCsv(`time,note,cpu\n${Array.from({ length: 40 }, (_, i) => `${d(i).toISOString()},${i === 3 ? 'Deploy 12 foo 2024' : 'ok'},${i % 7}`).join('\n')}\n`);
  assert.deepEqual([note.frame!.timestampColumn, note.issues], ['time', []]);
});

test('dd.mm.yy with a clock time (German Excel) is read day first, years 00–68 as 20xx and 69–99 as 19xx; without a time it is no date', () => {
  assert.equal(iso(dayMonthTime('04.03.24 10:00', true)), '2024-03-04T10:00:00.000Z');
  assert.equal(iso(dayMonthTime('31.12.68 23:59', true)), '2068-12-31T23:59:00.000Z');
  assert.equal(iso(dayMonthTime('01.01.69 00:00', true)), '1969-01-01T00:00:00.000Z');
  assert.equal(dayMonthParts('1.2.10'), null, 'a version number');
  const text = 'time,cpu\n' + Array.from({ length: 30 }, (_, i) => `${String(4 + Math.floor(i / 12)).padStart(2, '0')}.03.24 ${String(i % 12 + 8).padStart(2, '0')}:00,${i}`).join('\n') + '\n';
  const r = parseCsv(text);
  assert.equal(r.frame!.timestamps !== null, true, JSON.stringify(r.issues));
  assert.equal(iso(r.frame!.timestamps![0]), '2024-03-04T08:00:00.000Z');
  assert.equal(iso(r.frame!.timestamps![29]), '2024-03-06T13:00:00.000Z');
  assert.ok(r.issues.some((x) => /read day first \(day\.month\.year\)/.test(x.message)), JSON.stringify(r.issues));
});
