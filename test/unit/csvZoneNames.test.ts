import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { namedMonthTime, parseTimestamp, dayMonthTime } from '../../src/core/csv/time.ts';
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
function streamed(text: string): { ms: number[]; offset: number; notices: string[] } {
  const rows: ScoredRow[] = [];
  const notices: string[] = [];
  const pipe = new StreamPipeline({ displayPath: 'z.csv', onRow: (r) => rows.push(r), onNotice: (t) => notices.push(t) });
  for (let k = 0; k < text.length; k += 700) { pipe.push(text.slice(k, k + 700)); pipe.caughtUp(); }
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
