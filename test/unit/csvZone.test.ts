import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { fileZone, offsetText, zoneOffsetOf } from '../../src/core/csv/zone.ts';
import { isoOf, wallMs } from '../../src/core/anomaly.ts';
import { hoverOf, shortTime } from '../../src/core/findings.ts';
import { runAnalysis, settingsFor } from '../../src/core/analyze.ts';
import { exportMeta } from '../../src/core/export/json.ts';
import { formatWhen } from '../../src/extension/rulesEditorModel.ts';
import { StreamPipeline } from '../../src/node/streamPipeline.ts';
import type { ScoredRow } from '../../src/node/streamPipeline.ts';
import { createIncidentTracker } from '../../src/core/streaming/incidentTracker.ts';
import { describeModel } from '../../src/core/streaming/retraining.ts';

const HOUR = 3_600_000;

test('a time text\'s zone: Z, UTC, GMT, ±hh:mm, ±hhmm, ±hh after a clock; a date alone has none', () => {
  const cases: [string, number | null][] = [
    ['2024-03-04T10:00:00Z', 0], ['2024-03-04 10:00:00 UTC', 0], ['Mon, 04 Mar 2024 10:00:00 GMT', 0],
    ['2024-03-04T10:00:00+01:00', HOUR], ['2024-03-04T10:00:00.123-0530', -5.5 * HOUR], ['2024-03-04 10:00:00+01', HOUR],
    ['Mar 4, 2024 @ 10:00:00.000 +0200', 2 * HOUR],
    ['2024-03-04', null], ['2024-03-04T10:00:00', null], ['04-03-2024', null],
  ];
  for (const [text, want] of cases) assert.equal(zoneOffsetOf(text), want, text);
  assert.deepEqual([offsetText(HOUR), offsetText(-5.5 * HOUR), offsetText(0)], ['+01:00', '-05:30', '+00:00']);
  assert.deepEqual(fileZone(['2024-03-04T10:00:00Z', '2024-03-04T11:00:00Z']), { offsetMs: 0, changeAt: -1 });
  assert.deepEqual(fileZone(['a', '2024-03-04T10:00:00']), { offsetMs: 0, changeAt: -1 });
  assert.deepEqual(fileZone(['2024-03-31T01:00:00+01:00', '2024-03-31T02:00:00+01:00', '2024-03-31T03:00:00+02:00']), { offsetMs: HOUR, changeAt: 2 });
});

test('isoOf writes a wall clock with its offset, the same instant; wallMs reads the wall clock back; shortTime shows it', () => {
  const wall = Date.UTC(2024, 2, 4, 10, 0);
  assert.equal(isoOf(wall, HOUR), '2024-03-04T10:00:00.000+01:00');
  assert.equal(Date.parse(isoOf(wall, HOUR)!), wall - HOUR);
  assert.equal(isoOf(wall), '2024-03-04T10:00:00.000Z');
  assert.equal(wallMs('2024-03-04T10:00:00.000+01:00'), wall);
  assert.equal(wallMs('2024-03-04T10:00:00.000Z'), wall);
  assert.equal(shortTime('2024-03-04T10:00:00.000+01:00'), '2024-03-04 10:00');
  assert.equal(shortTime('2024-03-04T10:00:30.000-05:30'), '2024-03-04 10:00:30');
  assert.equal(shortTime('2024-03-04T10:00:00.000Z'), '2024-03-04 10:00');
  assert.equal(formatWhen(0, new Float64Array([wall]), HOUR), '2024-03-04 10:00 +01:00');
  assert.equal(formatWhen(0, new Float64Array([wall])), '2024-03-04 10:00 UTC');
});

/** Two weeks at 10-minute steps written at `offset` (PostgreSQL's `+01` form when `short`), a spike at row 1000. */
function zoned(offset: string): string {
  const lines = ['time,cpu'];
  for (let i = 0; i < 2016; i++) {
    const wall = new Date(Date.UTC(2024, 2, 4) + i * 600_000).toISOString().slice(0, 19).replace('T', ' ');
    lines.push(`${wall}${offset},${(50 + 10 * Math.sin((2 * Math.PI * i) / 144) + ((i * 7919) % 13) / 6 + (i === 1000 ? 60 : 0)).toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

test('a CSV written at a UTC offset is read as its wall clock: findings, incidents and exports carry the offset, the same instants', () => {
  const utc = parseCsv(zoned('Z')).frame!;
  for (const [offset, ms] of [['+01:00', HOUR], ['+01', HOUR], ['-05:30', -5.5 * HOUR]] as const) {
    const { frame, issues } = parseCsv(zoned(offset));
    assert.deepEqual(issues, [], offset);
    assert.equal(frame!.utcOffsetMs, ms, offset);
    // The wall clock: the same numbers as the file written in UTC.
    assert.deepEqual(Array.from(frame!.timestamps!), Array.from(utc.timestamps!), offset);
    const r = runAnalysis(frame!, settingsFor(null, {}), { path: 'z.csv', sha256: '' });
    const spike = r.view!.incidents.find((i) => i.startRow <= 1000 && i.endRow >= 1000);
    assert.ok(spike, offset);
    assert.equal(spike.start, `2024-03-10T22:40:00.000${offsetText(ms)}`, offset);
    assert.equal(Date.parse(spike.start!), Date.UTC(2024, 2, 10, 22, 40) - ms, offset);
    for (const a of r.view!.findings) assert.ok(a.timestamp!.endsWith(offsetText(ms)), a.timestamp!);
    assert.deepEqual(exportMeta(r, { version: 'test' }).timeRange, { from: `2024-03-04T00:00:00.000${offsetText(ms)}`, to: `2024-03-17T23:50:00.000${offsetText(ms)}` });
    // The same findings, rows and scores as the file in UTC: only the offset differs.
    const u = runAnalysis(utc, settingsFor(null, {}), { path: 'z.csv', sha256: '' });
    assert.deepEqual(r.view!.findings.map((a) => [a.row, a.score, a.timestamp!.slice(0, 23)]), u.view!.findings.map((a) => [a.row, a.score, a.timestamp!.slice(0, 23)]), offset);
  }
  assert.equal(utc.utcOffsetMs, undefined);
  const mixed = parseCsv('time,cpu\n2024-03-31T01:00:00+01:00,1\n2024-03-31T03:00:00+02:00,2\n2024-03-31T03:10:00+02:00,3\n');
  assert.deepEqual(mixed.issues.map((x) => [x.code, x.line, x.column]), [['utc-offsets', 3, 1]]);
  assert.deepEqual(Array.from(mixed.frame!.timestamps!), [Date.UTC(2024, 2, 31, 1), Date.UTC(2024, 2, 31, 2), Date.UTC(2024, 2, 31, 2, 10)]);
});

test('stream reads a file written at an offset as analyze does: its wall clock, findings and incidents carrying the offset', () => {
  const text = zoned('+01:00');
  const rows: ScoredRow[] = [];
  const pipe = new StreamPipeline({ displayPath: 'z.csv', baseline: true, onRow: (r) => rows.push(r) });
  for (let k = 0; k < text.length; k += 4096) { pipe.push(text.slice(k, k + 4096)); pipe.caughtUp(); }
  pipe.finish();
  assert.equal(pipe.failure, null);
  assert.equal(pipe.columns!.utcOffsetMs, HOUR);
  assert.deepEqual(rows.map((r) => r.ms), Array.from(parseCsv(text).frame!.timestamps!));
  const spike = rows[1000].anomalies.find((a) => a.detector === 'stream');
  assert.ok(spike);
  assert.equal(spike.timestamp, '2024-03-10T22:40:00.000+01:00');
  const tracker = createIncidentTracker({ utcOffsetMs: () => pipe.columns!.utcOffsetMs });
  const opened = rows.flatMap((r) => tracker.push(r.row, r.ms, r.anomalies)).find((e) => e.event === 'opened' && e.incident.startRow <= 1000 && e.incident.endRow >= 1000);
  assert.equal(opened?.incident.start, '2024-03-10T22:40:00.000+01:00');
  const model = rows.at(-1)!.model!;
  assert.match(describeModel(model, HOUR), /^baseline model v\d+ · (re)?trained \d\d:\d\d \+01:00/);
});

test('an offset that changes after the first rows is said where it does (batch and stream); times without a zone among zoned ones shift nothing; hovers name the offset', () => {
  const lines = ['time,v'];
  for (let i = 0; i < 3000; i++) lines.push(`${new Date(Date.UTC(2024, 9, 20) + i * 600_000).toISOString().slice(0, 19)}${i < 2000 ? '+02:00' : '+01:00'},${i % 7}`);
  const text = lines.join('\n') + '\n';
  const { frame, issues } = parseCsv(text);
  assert.equal(frame!.utcOffsetMs, 2 * HOUR);
  assert.deepEqual(issues.map((x) => [x.code, x.line, x.message]), [['utc-offsets', 2002, 'the times change UTC offset at line 2002 (daylight saving time?): all are shown at +02:00, the first rows\'']]);
  const notices: string[] = [];
  const pipe = new StreamPipeline({ displayPath: 'dst.csv', onRow: () => undefined, onNotice: (n) => notices.push(n) });
  pipe.push(text);
  pipe.finish();
  assert.ok(notices.includes('dst.csv:2002: warning: the times change UTC offset at line 2002 (daylight saving time?): all are shown at +02:00, the first rows\''), JSON.stringify(notices));
  // A change within analyze's first 500 rows but past stream's first 20: the same words at the same line in both.
  const early = ['time,v', ...Array.from({ length: 300 }, (_, i) => `${new Date(Date.UTC(2024, 9, 20) + i * 600_000).toISOString().slice(0, 19)}${i < 100 ? '+02:00' : '+01:00'},${i % 7}`)].join('\n') + '\n';
  const batch = parseCsv(early).issues.filter((x) => x.code === 'utc-offsets');
  const live: string[] = [];
  const p2 = new StreamPipeline({ displayPath: 'dst.csv', onRow: () => undefined, onNotice: (n) => live.push(n) });
  p2.push(early);
  p2.finish();
  assert.deepEqual(batch.map((x) => [x.line, x.message]), [[102, 'the times change UTC offset at line 102 (daylight saving time?): all are shown at +02:00, the first rows\'']]);
  assert.deepEqual(live, [`dst.csv:102: warning: ${batch[0].message}`]);
  const mixed = parseCsv('time,v\n2024-03-04T10:00:00,1\n2024-03-04T10:01:00+01:00,2\n2024-03-04T10:02:00+01:00,3\n').frame!;
  assert.equal(mixed.utcOffsetMs, undefined);
  assert.deepEqual(Array.from(mixed.timestamps!), [Date.UTC(2024, 2, 4, 9, 1), Date.UTC(2024, 2, 4, 9, 2), Date.UTC(2024, 2, 4, 10)]);
  const hover = hoverOf([{ row: 0, timestamp: '2024-03-04T10:00:00.000+01:00', detector: 'forecast', metric: 'v', value: 1, score: 80, severity: 'major', message: 'm' }], { row: 0, line: 2, timestamp: '2024-03-04T10:00:00.000+01:00', rules: {} });
  assert.match(hover, /· 2024\\-03\\-04 10:00 \+01:00\n/);
});

test('zone abbreviations of one offset (CET, CEST, EST, ACST…) are read as that offset, in ISO, day-first and named-month dates; CST, IST and BST are said to be ambiguous', () => {
  const cases: [string, number | null][] = [
    ['2024-03-04 10:00:00 CET', HOUR], ['2024-07-04 10:00:00 CEST', 2 * HOUR], ['2024-03-04 10:00:00 EST', -5 * HOUR],
    ['2024-03-04 10:00 ACST', 9.5 * HOUR], ['04.03.2024 10:00 CET', HOUR], ['Mon, 04 Mar 2024 10:00:00 PST', -8 * HOUR],
    ['2024-03-04 10:00:00 CST', null],
  ];
  for (const [text, want] of cases) assert.equal(zoneOffsetOf(text), want, text);
  const rows = (fmt: (i: number) => string) => 'time,cpu\n' + Array.from({ length: 40 }, (_, i) => `${fmt(i)},${i}`).join('\n') + '\n';
  // The file's wall clock, as with +01:00: the first row is 10:00 there, 09:00 UTC.
  for (const fmt of [(i: number) => `2024-03-04 10:${String(i).padStart(2, '0')}:00 CET`, (i: number) => `04.03.2024 10:${String(i).padStart(2, '0')} CET`]) {
    const { frame } = parseCsv(rows(fmt));
    assert.deepEqual([frame!.utcOffsetMs, isoOf(frame!.timestamps![0], frame!.utcOffsetMs), Date.parse(isoOf(frame!.timestamps![0], frame!.utcOffsetMs)!)],
      [HOUR, '2024-03-04T10:00:00.000+01:00', Date.UTC(2024, 2, 4, 9)]);
  }
  // Winter to summer time: the same instants in order, and the change said at its line.
  const dst = parseCsv(rows((i) => (i < 20 ? `2024-03-31 01:${String(i * 3).padStart(2, '0')}:00 CET` : `2024-03-31 03:${String((i - 20) * 3).padStart(2, '0')}:00 CEST`)));
  assert.equal(dst.frame!.timestamps![20] - dst.frame!.timestamps![19], 3 * 60_000);
  assert.deepEqual(dst.issues.filter((x) => x.code === 'utc-offsets').map((x) => [x.line, x.message]), [[22, 'the times change UTC offset at line 22 (daylight saving time?): all are shown at +01:00, the first rows\'']]);
  const cst = parseCsv(rows((i) => `2024-03-04 10:${String(i).padStart(2, '0')}:00 CST`));
  assert.equal(cst.frame!.timestamps, null);
  assert.match(cst.issues.map((x) => x.message).join('\n'), /its zone 'CST' names more than one UTC offset \(US Central or China Standard Time\)/);
});

test('day-first dates with a zone, their order told only after the first rows: re-read on the file\'s wall clock, each row on the date it writes', () => {
  // 01/03 to 14/03 every 15 minutes: month first is assumed on the 500 sampled rows, 13/03 says day first.
  for (const [zone, offset] of [['CET', HOUR], ['EST', -5 * HOUR], ['+03:00', 3 * HOUR]] as const) {
    const texts = Array.from({ length: 96 * 14 }, (_, i) => {
      const d = new Date(Date.UTC(2024, 2, 1) + i * 900_000);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/2024 ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} ${zone}`;
    });
    const { frame, issues } = parseCsv('time,cpu\n' + texts.map((t, i) => `${t},${i % 7}`).join('\n') + '\n');
    assert.equal(frame!.utcOffsetMs, offset);
    assert.deepEqual(issues.map((x) => x.code), [], zone);
    const wall = Array.from(frame!.timestamps!, (t) => isoOf(t, offset)!.slice(0, 16));
    const want = texts.map((t) => `2024-${t.slice(3, 5)}-${t.slice(0, 2)}T${t.slice(11, 16)}`);
    assert.deepEqual(wall, want, zone);
  }
});

test('CST, IST and BST in day-month and named-month dates are said to be ambiguous too', () => {
  for (const [text, zone] of [['04.03.2024 10:00 CST', 'CST'], ['04 Mar 2024 10:00 IST', 'IST'], ['3/4/2024 10:00 AM BST', 'BST']] as const) {
    const { frame, issues } = parseCsv('time,cpu\n' + Array.from({ length: 30 }, (_, i) => `${text},${i}`).join('\n') + '\n');
    assert.equal(frame!.timestamps, null, text);
    assert.match(issues.map((x) => x.message).join('\n'), new RegExp(`its zone '${zone}' names more than one UTC offset`), text);
  }
});
