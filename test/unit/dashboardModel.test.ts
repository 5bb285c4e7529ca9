import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capAnomalies, chartMarkers, sortAnomalies } from '../../src/core/anomaly.ts';
import type { Anomaly } from '../../src/core/anomaly.ts';
import type { AnalysisResult } from '../../src/core/analysisResult.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { buildModel, hostView, MAX_POINTS, seriesFor } from '../../src/extension/dashboardModel.ts';
import { DASHBOARD_MAX_PER_DETECTOR, MAX_MARKERS } from '../../src/core/dashboard/pageView.ts';
import type { DashboardSettings, ViewChoice } from '../../src/protocol.ts';
import { buildIncidents } from '../../src/core/incidents/incidents.ts';

const finding = (row: number, detector: Anomaly['detector'], score: number, metric = 'cpu'): Anomaly => ({
  row, timestamp: null, detector, metric, value: row % 100, score, severity: score >= 75 ? 'critical' : score >= 50 ? 'major' : score >= 25 ? 'minor' : 'warning', message: `${detector} ${row}`,
});

test('capAnomalies keeps the highest scores of each detector, in the output order, with the full counts', () => {
  const list = sortAnomalies([
    finding(0, 'iforest', 10), finding(1, 'iforest', 90), finding(2, 'iforest', 50), finding(3, 'iforest', 90),
    finding(1, 'forecast', 5), finding(4, 'rule', 40),
  ]);
  const r = capAnomalies(list, 2);
  assert.equal(r.capped, true);
  assert.deepEqual(r.totals, { iforest: 4, forecast: 1, rule: 1 });
  // iforest: the two 90s (rows 1 and 3); the others whole; sorted by row, then detector.
  assert.deepEqual(r.list.map((a) => `${a.row}:${a.detector}`), ['1:iforest', '1:forecast', '3:iforest', '4:rule']);
  const all = capAnomalies(list, 10);
  assert.equal(all.capped, false);
  assert.deepEqual(all.list, list);
});

test('chartMarkers: a metric\'s highest-scored findings, lowest first, with how many there are; none of another metric or none', () => {
  const list = [finding(5, 'iforest', 20), finding(6, 'iforest', 80), finding(7, 'rule', 80, 'memory'), finding(8, 'forecast', 60), { ...finding(9, 'iforest', 99), metric: null }];
  assert.deepEqual(chartMarkers(list, 'cpu', 2), { list: [list[3], list[1]], total: 3 });
  assert.deepEqual(chartMarkers(list, 'cpu', 10), { list: [list[0], list[3], list[1]], total: 3 });
});

test('a model lists at most DASHBOARD_MAX_PER_DETECTOR findings per detector and says how many there are', () => {
  const n = 60_000;
  const cpu = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 50) * 10 + 50);
  const frame = frameOf({ cpu }, Float64Array.from({ length: n }, (_, i) => i * 60_000));
  const anomalies: Anomaly[] = [];
  for (let i = 0; i < n; i += 2) anomalies.push(finding(i, 'iforest', (i * 7919) % 1000 / 10));
  for (let i = 0; i < 50; i++) anomalies.push(finding(i * 1000 + 1, 'rule', 50));
  sortAnomalies(anomalies);
  const result: AnalysisResult = { frame, input: { path: 'x.csv', sha256: '' }, seed: 0, detectors: {}, scores: {}, anomalies, warnings: [] };
  const settings: DashboardSettings = { detectors: { iforest: true, forecast: false, rules: true }, contamination: 'auto', interval: 0.8, thresholds: {} };
  const m = buildModel(result, { name: 'x.csv', view: 'all', settings, shown: hostView(result, 'all'), rules: [], rulesFile: null, forecastMode: null, live: false, computeMs: 0 });
  assert.equal(m.byPage, false);
  assert.deepEqual(m.totals, { iforest: 30_000, rule: 50 });
  assert.equal(m.anomalies.filter((a) => a.detector === 'iforest').length, DASHBOARD_MAX_PER_DETECTOR);
  assert.equal(m.anomalies.filter((a) => a.detector === 'rule').length, 50);
  const lowestListed = Math.min(...m.anomalies.filter((a) => a.detector === 'iforest').map((a) => a.score));
  const unlisted = anomalies.filter((a) => a.detector === 'iforest' && !m.anomalies.includes(a));
  assert.ok(unlisted.every((a) => a.score <= lowestListed), 'the unlisted ones score no higher');
  // The chart keeps the rows of its markers, not of every finding: a few thousand points, not 30,000.
  const s = m.series[0];
  assert.ok(s.x.length <= MAX_POINTS + MAX_MARKERS, `${s.x.length} points`);
  for (const { row } of chartMarkers(m.anomalies, 'cpu', MAX_MARKERS).list) assert.ok(s.rows.includes(row), `row ${row} kept`);
});

test('seriesFor takes the forecast band at the same rows as the values', () => {
  const n = 10_000;
  const cpu = Float64Array.from({ length: n }, (_, i) => i);
  const frame = frameOf({ cpu }, Float64Array.from({ length: n }, (_, i) => i * 1000));
  const yhat = Float64Array.from(cpu, (v) => v + 0.5);
  const result: AnalysisResult = {
    frame, input: { path: 'x.csv', sha256: '' }, seed: 0, detectors: {}, scores: {}, anomalies: [], warnings: [],
    forecast: { cpu: { yhat, lower: Float64Array.from(yhat, (v) => v - 1), upper: Float64Array.from(yhat, (v) => v + 1) } },
  };
  const s = seriesFor(result, 0);
  assert.ok(s.x.length <= MAX_POINTS);
  s.rows.forEach((row, i) => {
    assert.equal(s.y[i], row);
    assert.equal(s.band!.yhat[i], row + 0.5);
    assert.equal(s.band!.lower[i], row - 0.5);
  });
});

test('capAnomalies cuts the same findings whatever the order they come in (ties broken like the output order)', () => {
  const list: Anomaly[] = [];
  for (let row = 0; row < 600; row++) for (const metric of ['b', 'a']) list.push(finding(row, 'forecast', 100, metric));
  const shuffled = list.slice().reverse();
  const x = capAnomalies(sortAnomalies(list.slice()), 500).list;
  const y = capAnomalies(shuffled, 500).list;
  assert.deepEqual(y, x);
  // Equal scores: lowest rows first, then metric a before b.
  assert.deepEqual(x.slice(0, 3).map((a) => `${a.row}${a.metric}`), ['0a', '0b', '1a']);
  assert.equal(x.length, 500);
});

test('a model carries the incidents of its view and their rows; every incident for all rows; none without a view', () => {
  const n = 20_000;
  const frame = frameOf({ cpu: Float64Array.from({ length: n }, (_, i) => 50 + (i % 9)) }, Float64Array.from({ length: n }, (_, i) => i * 60_000));
  const findings = sortAnomalies([finding(20, 'forecast', 80), finding(21, 'iforest', 30), finding(200, 'forecast', 10), finding(300, 'rule', 55)]);
  const incidents = buildIncidents(findings, frame);
  const result: AnalysisResult = {
    frame, input: { path: 'x.csv', sha256: '' }, seed: 0, detectors: {}, scores: {}, anomalies: findings, warnings: [],
    view: { findings, incidents, shown: { incidents: [], anomalies: [] }, minSeverity: 'major', calibrations: {} },
  };
  const settings: DashboardSettings = { detectors: { iforest: true, forecast: true, rules: true }, contamination: 'calibrated', interval: 0.8, thresholds: {} };
  const model = (view: ViewChoice, r = result) => buildModel(r, { name: 'x.csv', view, settings, shown: hostView(r, view), rules: [], rulesFile: null, forecastMode: null, live: false, computeMs: 0 });
  const major = model('major');
  assert.deepEqual([major.view, major.incidents!.map((i) => i.startRow), major.incidentFindings!.map((a) => a.row)], ['major', [20, 300], [20, 21, 300]]);
  assert.equal(major.anomalies.length, 4, 'the raw rows stay in the model');
  const all = model('all');
  assert.deepEqual([all.incidents!.length, all.incidentFindings!.length], [3, 4]);
  const live = model('major', { ...result, view: undefined });
  assert.deepEqual([live.incidents, live.incidentFindings], [undefined, undefined]);
  // The chart keeps the rows of the incidents' findings, whatever the downsampling.
  assert.ok(major.series[0].rows.length < n / 2, `${major.series[0].rows.length} points`);
  for (const row of [20, 21, 300]) assert.ok(major.series[0].rows.includes(row), `row ${row} kept`);
});

test('a model the page computes itself carries no findings of the host\'s', () => {
  const frame = frameOf({ cpu: Float64Array.from({ length: 100 }, (_, i) => i) });
  const findings = [finding(5, 'iforest', 80)];
  const result: AnalysisResult = { frame, input: { path: 'x.csv', sha256: '' }, seed: 0, detectors: {}, scores: {}, anomalies: findings, warnings: [] };
  const settings: DashboardSettings = { detectors: { iforest: true, forecast: false, rules: false }, contamination: 'calibrated', interval: 0.8, thresholds: {} };
  const m = buildModel(result, { name: 'x.csv', view: 'major', settings, shown: null, rules: [], rulesFile: null, forecastMode: null, live: false, computeMs: 0 });
  assert.deepEqual([m.byPage, m.anomalies, m.incidents, m.totals], [true, [], undefined, undefined]);
});

test('a model of a file without time says where its rows are in the CSV; with time it does not need to', () => {
  const settings: DashboardSettings = { detectors: { iforest: true, forecast: false, rules: false }, contamination: 'calibrated', interval: 0.8, thresholds: {} };
  const build = (frame: AnalysisResult['frame']) => buildModel({ frame, input: { path: 'x.csv', sha256: '' }, seed: 0, detectors: {}, scores: {}, anomalies: [], warnings: [] },
    { name: 'x.csv', view: 'major', settings, shown: null, rules: [], rulesFile: null, forecastMode: null, live: false, computeMs: 0 });
  const frame = frameOf({ cpu: Float64Array.from({ length: 400 }, (_, i) => i) });
  // A blank line above data row 100: rows from there sit one line further down.
  frame.lines = Int32Array.from({ length: 400 }, (_, i) => i + (i >= 100 ? 3 : 2));
  assert.deepEqual(build(frame).lineShifts, [[0, 2], [100, 3]]);
  assert.equal(build(frameOf({ cpu: [1, 2] }, [0, 60_000])).lineShifts, undefined);
});

test('a model carries the stretches without rows (gaps.ts) the charts break their lines at; none without times', () => {
  const ts = Float64Array.from({ length: 500 }, (_, i) => i * 60_000 + (i >= 200 ? 3_600_000 : 0));
  const result: AnalysisResult = { frame: frameOf({ cpu: Float64Array.from(ts, (_, i) => i % 9) }, ts), input: { path: 'x.csv', sha256: '' }, seed: 0, detectors: {}, scores: {}, anomalies: [], warnings: [] };
  const settings: DashboardSettings = { detectors: { iforest: true, forecast: false, rules: true }, contamination: 'auto', interval: 0.8, thresholds: {} };
  const model = (r: AnalysisResult) => buildModel(r, { name: 'x.csv', view: 'all', settings, shown: hostView(r, 'all'), rules: [], rulesFile: null, forecastMode: null, live: false, computeMs: 0 });
  assert.deepEqual(model(result).gaps, [[199 * 60_000, 200 * 60_000 + 3_600_000]]);
  const untimed: AnalysisResult = { ...result, frame: frameOf({ cpu: Float64Array.from(ts, (_, i) => i % 9) }) };
  assert.deepEqual(model(untimed).gaps, []);
});
