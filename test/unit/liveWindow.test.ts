import { test } from 'node:test';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import type { Anomaly } from '../../src/core/anomaly.ts';
import { LiveWindow } from '../../src/extension/liveWindow.ts';
import { hostView } from '../../src/extension/dashboardModel.ts';

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
  w.append(b);
  assert.equal(w.incidentCount, 1);
  const v = w.toResult('/x.csv').view!;
  assert.deepEqual(v.incidents.map((i) => [i.startRow, i.endRow, i.severity]), [[100, 104, 'major'], [300, 300, 'minor']]);
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
