import { test } from 'node:test';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import type { Anomaly } from '../../src/core/anomaly.ts';
import { LiveWindow } from '../../src/extension/liveWindow.ts';
import { hostView } from '../../src/extension/dashboardModel.ts';
import { createIncidentTracker, valuesByMetric } from '../../src/core/streaming/incidentTracker.ts';
import type { Incident } from '../../src/core/incidents/incidents.ts';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function batch(from: number, n: number, anomalyEvery = 0) {
  const ts = new Float64Array(n), lines = new Int32Array(n), values = new Float64Array(2 * n);
  const anomalies: Anomaly[] = [];
  for (let i = 0; i < n; i++) {
    const row = from + i;
    ts[i] = row * 60_000;
    lines[i] = row + 2;
    values[2 * i] = row;
    values[2 * i + 1] = -row;
    if (anomalyEvery && row % anomalyEvery === 0) anomalies.push({ row, timestamp: null, detector: 'stream', metric: 'a', value: row, score: 30, severity: 'minor', message: '' });
  }
  return { ts, lines, values, anomalies };
}

test('the live window keeps the last rows in order, renumbered from 0, with their anomalies', () => {
  const w = new LiveWindow(['a', 'b'], true, 10, 3);
  w.append(batch(0, 7, 2));
  w.append(batch(7, 8, 2));
  const r = w.toResult('/x.csv');
  assert.equal(w.total, 15);
  assert.deepEqual(Array.from(r.frame.values[0]), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  assert.deepEqual(Array.from(r.frame.values[1]), [-5, -6, -7, -8, -9, -10, -11, -12, -13, -14]);
  assert.deepEqual(Array.from(r.frame.lines), [7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  assert.equal(r.frame.stepMs, 60_000);
  // Anomalies on rows 0, 2, …, 14: those in the window (6…14), at most 3, the newest.
  assert.deepEqual(r.anomalies.map((a) => [a.row, a.value]), [[5, 10], [7, 12], [9, 14]]);
  assert.equal(w.anomalyCount, 8);
});

test('the live window stays flat over a long stream: 2 million rows in 1000-row batches', () => {
  const w = new LiveWindow(['a', 'b'], true, 50_000, 5_000);
  w.append(batch(0, 1000, 7));
  const footprint = w.footprint();
  // What stays reachable, not garbage a collection has not reached yet.
  gc();
  const heap = process.memoryUsage().heapUsed;
  for (let from = 1000; from < 2_000_000; from += 1000) w.append(batch(from, 1000, 7));
  gc();
  assert.equal(w.rows, 50_000);
  assert.equal(w.total, 2_000_000);
  assert.ok(w.footprint() <= footprint - 143 + 5_000, `footprint ${w.footprint()} vs ${footprint}`);
  assert.ok(process.memoryUsage().heapUsed - heap < 16e6, 'heap grew by 16 MB or more');
  const r = w.toResult('/x.csv');
  assert.equal(r.frame.values[0][49_999], 1_999_999);
  assert.equal(r.anomalies.at(-1)!.row, 49_999 - (1_999_999 % 7));
});

test('the live window merges its anomalies into incidents: the view the dashboard lists, the count the status bar shows', () => {
  const w = new LiveWindow(['a', 'b'], true, 1_000, 500, 'major');
  const b = batch(0, 600);
  const at = (row: number, score: number, severity: Anomaly['severity']): Anomaly => ({ row, timestamp: null, detector: 'stream', metric: 'a', value: row, score, severity, message: '' });
  // Rows 100–104: minor then major (one incident, reported); row 300: minor only (an incident below the view).
  b.anomalies.push(at(100, 30, 'minor'), at(102, 60, 'major'), at(104, 40, 'minor'), at(300, 30, 'minor'));
  const events = w.append(b);
  assert.equal(w.incidentCount, 1);
  const v = w.toResult('/x.csv').view!;
  // a is the row number: rows 105–108 stay within half the last finding's distance from the usual value (94.5), so
  // the tracker holds the incident to row 108, and the view with it (its resolved event's incident itself).
  assert.deepEqual(v.incidents.map((i) => [i.startRow, i.endRow, i.severity]), [[100, 108, 'major'], [300, 300, 'minor']]);
  assert.deepEqual(events.filter((e) => e.event === 'resolved').map((e) => e.incident), [v.incidents[0]]);
  assert.deepEqual(v.shown.incidents.map((i) => i.startRow), [100]);
  assert.equal(v.shown.anomalies.length, 3);
  // Rows renumbered with the window: 700 more rows drop the first 300.
  const c = batch(600, 700);
  c.anomalies.push(at(1200, 80, 'critical'));
  w.append(c);
  assert.equal(w.incidentCount, 2);
  const r = w.toResult('/x.csv');
  assert.deepEqual(r.view!.shown.incidents.map((i) => [i.startRow, i.severity, i.start]), [[1200 - 300, 'critical', new Date(1200 * 60_000).toISOString()]]);
});

test('the live window keeps an incident open while its metric stays where it was flagged, as stream does', () => {
  const w = new LiveWindow(['a', 'b'], true, 1_000, 500, 'major');
  // a at 50, then 2 from row 100 to 129, flagged on row 100 only; b at 0.
  const n = 200, values = new Float64Array(2 * n), ts = new Float64Array(n), lines = new Int32Array(n);
  for (let i = 0; i < n; i++) { ts[i] = i * 60_000; lines[i] = i + 2; values[2 * i] = i >= 100 && i < 130 ? 2 : 50; }
  const anomalies: Anomaly[] = [{ row: 100, timestamp: null, detector: 'stream', metric: 'a', value: 2, score: 90, severity: 'critical', message: '' }];
  const events = w.append({ ts, lines, values, anomalies });
  assert.deepEqual(events.map((e) => [e.event, e.incident.startRow, e.incident.endRow]), [['opened', 100, 100], ['resolved', 100, 129]]);
});

test('the live window\'s lone finding is what the tracker says it is, in its incident, its marker and the status bar count alike', () => {
  const w = new LiveWindow(['a', 'b'], true, 1_000, 500, 'minor');
  const b = batch(0, 400);
  const at = (row: number, score: number, severity: Anomaly['severity']): Anomaly => ({ row, timestamp: null, detector: 'stream', metric: 'a', value: row, score, severity, message: '' });
  // Row 100: one score-60 finding alone; rows 200 and 203: the same with a second finding. A stream keeps a lone
  // finding's score (STREAM_MIN_FINDINGS, measured): major in the tracker's events and in the view alike.
  b.anomalies.push(at(100, 60, 'major'), at(200, 60, 'major'), at(203, 30, 'minor'));
  const events = w.append(b);
  // Every row reaches the tracker (with its values), so the second resolves within the batch, 10 rows after its end.
  assert.deepEqual(events.map((e) => [e.event, e.incident.startRow, e.incident.severity]), [['opened', 100, 'major'], ['resolved', 100, 'major'], ['opened', 200, 'major'], ['resolved', 200, 'major']]);
  const v = w.toResult('/x.csv').view!;
  assert.deepEqual(v.incidents.map((i) => [i.startRow, i.count, i.score, i.severity]), [[100, 1, 60, 'major'], [200, 2, 60, 'major']]);
  assert.deepEqual(v.shown.anomalies.map((a) => [a.row, a.score, a.severity]), [[100, 60, 'major'], [200, 60, 'major'], [203, 30, 'minor']]);
  assert.equal(w.incidentCount, v.incidents.filter((i) => i.severity !== 'minor' && i.severity !== 'warning').length);
  // The live dashboard's table lists these incidents (hostView of the live result), its findings as the view has them.
  const page = hostView(w.toResult('/x.csv'), 'minor');
  assert.deepEqual(page.incidents?.map((i) => [i.startRow, i.severity]), [[100, 'major'], [200, 'major']]);
  assert.deepEqual(page.incidentFindings?.map((a) => [a.row, a.score]), [[100, 60], [200, 60], [203, 30]]);
});

/**
 * a at 50, out at 2 on rows 100–129 and again on 400–419 (flagged on their first rows only: the detector stops
 * flagging a level it has seen), and from row 700 to the end (flagged on 700); b at 0. A minor finding on row 300.
 */
function outages(n: number) {
  const ts = new Float64Array(n), lines = new Int32Array(n), values = new Float64Array(2 * n);
  const out = (i: number) => (i >= 100 && i < 130) || (i >= 400 && i < 420) || i >= 700;
  for (let i = 0; i < n; i++) { ts[i] = i * 60_000; lines[i] = i + 2; values[2 * i] = out(i) ? 2 : 50; }
  const anomalies: Anomaly[] = [100, 300, 400, 700].filter((row) => row < n).map((row) => ({
    row, timestamp: new Date(row * 60_000).toISOString(), detector: 'stream', metric: 'a', value: values[2 * row],
    score: row === 300 ? 30 : 90, severity: row === 300 ? 'minor' : 'critical', message: '' }));
  return { ts, lines, values, anomalies };
}

/** The tracker as `anomaly-hunter stream` runs it, fed the same rows one by one: its ended incidents, then the open one. */
function streamed(rows: ReturnType<typeof outages>): { ended: Incident[]; open: Incident | null } {
  const ended: Incident[] = [];
  const t = createIncidentTracker({ minSeverity: 'major', stepMs: 60_000, onClose: (i) => ended.push(i) });
  for (let r = 0; r < rows.ts.length; r++) {
    t.push(r, rows.ts[r], rows.anomalies.filter((a) => a.row === r), valuesByMetric(['a', 'b'], rows.values.subarray(2 * r, 2 * r + 2)));
  }
  return { ended, open: t.pending };
}

/** Appends `rows` to `w` in batches of `size`, as the streaming worker posts them. */
function feed(w: LiveWindow, rows: ReturnType<typeof outages>, size: number): void {
  for (let from = 0; from < rows.ts.length; from += size) {
    const to = Math.min(rows.ts.length, from + size);
    w.append({ ts: rows.ts.slice(from, to), lines: rows.lines.slice(from, to), values: rows.values.slice(2 * from, 2 * to), anomalies: rows.anomalies.filter((a) => a.row >= from && a.row < to) });
  }
}

test('the live dashboard\'s incidents are the stream tracker\'s: held past the last finding while the metric stays out, the last one ongoing', () => {
  const rows = outages(800);
  const w = new LiveWindow(['a', 'b'], true, 1_000, 500, 'major');
  feed(w, rows, 64);
  const r = w.toResult('/x.csv');
  const { ended, open } = streamed(rows);
  // Flagged on row 100 alone, held to 129 while a stays at 2 (an incident of one row before); the one open at the
  // last row held to it and ongoing.
  assert.deepEqual(r.view!.incidents.map((i) => [i.startRow, i.endRow, i.severity, i.ongoing ?? false]),
    [[100, 129, 'critical', false], [300, 300, 'minor', false], [400, 419, 'critical', false], [700, 799, 'critical', true]]);
  assert.deepEqual(r.view!.incidents, [...ended, { ...open!, ongoing: true }]);
  assert.equal(r.view!.incidents[0].end, new Date(129 * 60_000).toISOString());
  // The table lists them (hostView of the live result) with their findings; the status bar counts the reported ones.
  const page = hostView(r, 'major');
  assert.deepEqual(page.incidents?.map((i) => [i.startRow, i.endRow]), [[100, 129], [400, 419], [700, 799]]);
  assert.deepEqual(page.incidentFindings?.map((a) => a.row), [100, 400, 700]);
  assert.equal(w.incidentCount, 3);
});

test('an incident that left the live window is dropped; one that began before it is kept, its rows clipped to the window', () => {
  const rows = outages(800);
  const w = new LiveWindow(['a', 'b'], true, 390, 500, 'major');
  feed(w, rows, 50);
  // The window holds rows 410–799: 100–129 and 300 ended before it; 400–419 began before it.
  const r = w.toResult('/x.csv');
  const { ended, open } = streamed(rows);
  const straddling = ended.find((i) => i.startRow === 400)!;
  assert.deepEqual(r.view!.incidents.map((i) => [i.startRow, i.endRow, i.peakRow, i.ongoing ?? false]), [[0, 9, 0, false], [290, 389, 290, true]]);
  // Clipped rows; its id, times, score and summary as stream said them.
  assert.deepEqual(r.view!.incidents[0], { ...straddling, startRow: 0, endRow: 9, peakRow: 0 });
  assert.equal(r.view!.incidents[0].start, new Date(400 * 60_000).toISOString());
  assert.equal(r.view!.incidents[1].id, open!.id);
  assert.deepEqual(r.view!.shown.incidents.map((i) => i.startRow), [0, 290]);
  // 410 more rows, a still out: the incident of row 700 is held 12 × 10 rows past its finding, to row 820, the
  // window's first row now (400–419 is gone); 10 rows later it is gone too.
  const more = outages(1220);
  const slice = (from: number, to: number) => ({ ts: more.ts.slice(from, to), lines: more.lines.slice(from, to), values: more.values.slice(2 * from, 2 * to), anomalies: [] });
  feed(w, slice(800, 1210), 100);
  assert.deepEqual(w.toResult('/x.csv').view!.incidents.map((i) => [i.startRow, i.endRow, i.end, i.ongoing ?? false]), [[0, 0, new Date(820 * 60_000).toISOString(), false]]);
  feed(w, slice(1210, 1220), 100);
  assert.deepEqual(w.toResult('/x.csv').view!.incidents, []);
  assert.equal(w.incidentCount, 3);
});
