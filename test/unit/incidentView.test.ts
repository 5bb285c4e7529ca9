import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Anomaly } from '../../src/core/anomaly.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { buildIncidents } from '../../src/core/incidents/incidents.ts';
import { incidentProblems } from '../../src/core/incidents/problems.ts';
import { shownAt } from '../../src/core/incidents/shownAt.ts';
import { viewOf } from '../../src/core/incidents/analysisView.ts';
import { mergeFindings } from '../../src/core/incidents/merge.ts';
import type { AnalysisResult } from '../../src/core/analysisResult.ts';
import { isDashboardSettings, isViewChoice, isWebviewMessage } from '../../src/protocol.ts';

const MIN = 60_000;
const n = 300;
const frame = frameOf({ cpu: Float64Array.from({ length: n }, (_, i) => 40 + (i % 7)) }, Float64Array.from({ length: n }, (_, i) => Date.UTC(2025, 0, 6) + i * MIN));

const finding = (row: number, score: number, severity: Anomaly['severity'], detector: Anomaly['detector'] = 'forecast'): Anomaly => ({
  row, timestamp: new Date(frame.timestamps![row]).toISOString(), detector, metric: 'cpu', value: frame.values[0][row], score, severity, message: `${detector} ${row}`,
});

// Three events: a critical one over rows 10–12 (two detectors), a lone warning at 100, a major one at 200–201.
const findings = [finding(10, 80, 'critical', 'iforest'), finding(11, 60, 'major'), finding(12, 20, 'minor'), finding(100, 10, 'warning'), finding(200, 55, 'major'), finding(201, 30, 'minor')];
const incidents = buildIncidents(findings, frame);

test('shownAt keeps the incidents at or above a severity and exactly the findings inside them', () => {
  assert.deepEqual(incidents.map((i) => [i.startRow, i.endRow, i.severity]), [[10, 12, 'critical'], [100, 100, 'warning'], [200, 201, 'major']]);
  const major = shownAt({ findings, incidents }, 'major');
  assert.deepEqual(major.incidents.map((i) => i.startRow), [10, 200]);
  assert.deepEqual(major.anomalies.map((a) => a.row), [10, 11, 12, 200, 201]);
  assert.deepEqual(shownAt({ findings, incidents }, 'critical').anomalies.map((a) => a.row), [10, 11, 12]);
  assert.deepEqual(shownAt({ findings, incidents }, 'warning').anomalies, findings);
  assert.deepEqual(shownAt({ findings: [], incidents: [] }, 'warning'), { incidents: [], anomalies: [] });
});

test('incidentProblems gives one entry per incident from its first to its last line, with its summary and score', () => {
  const problems = incidentProblems(shownAt({ findings, incidents }, 'major').incidents, frame);
  assert.deepEqual(problems.map((p) => [p.startLine, p.endLine]), [[12, 14], [202, 203]]);
  assert.equal(problems[0].message, `${incidents[0].summary} (score 80, 3 findings)`);
  assert.equal(problems[1].message, `${incidents[2].summary} (score 55, 2 findings)`);
  // A file re-sorted by time: the span covers the lines of the first, peak and last rows, in whatever order.
  const shuffled = Int32Array.from(frame.lines);
  shuffled[10] = 50; shuffled[12] = 9;
  assert.deepEqual(incidentProblems([incidents[0]], { lines: shuffled, metrics: frame.metrics }).map((p) => [p.startLine, p.endLine]), [[9, 50]]);
  assert.deepEqual(incidentProblems([incidents[0]], { lines: new Int32Array(0), metrics: frame.metrics }), [], 'rows without a line are dropped');
  // A long file: the entry spans its series' own lines (the leading metrics'), not the first line of each time.
  const long = parseCsv(['time,host,value', ...Array.from({ length: 30 }, (_, i) => ['a', 'b'].map((h) => `${new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString()},${h},${i}`)).flat()].join('\n')).frame!;
  // Its leading metric's lines only: another series' may lie a whole series away in a file grouped by series.
  const onB = { ...incidents[0], startRow: 10, peakRow: 11, endRow: 12, metrics: [{ metric: 'value{host="b"}', share: 0.6 }, { metric: 'value{host="a"}', share: 0.4 }] };
  assert.deepEqual(incidentProblems([onB], long).map((p) => [p.startLine, p.endLine]), [[2 + 2 * 10 + 1, 2 + 2 * 12 + 1]]);
  // Where the series has no row (b missing at row 10), its other rows' lines, not another series'.
  const gap = parseCsv(['time,host,value', ...Array.from({ length: 30 }, (_, i) => ['a', 'b'].filter((h) => !(h === 'b' && i === 10)).map((h) => `${new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString()},${h},${i}`)).flat()].join('\n')).frame!;
  assert.deepEqual(incidentProblems([onB], gap).map((p) => [p.startLine, p.endLine]), [[2 + 2 * 11, 2 + 2 * 12]]);
});

test('the protocol accepts the view choices and calibrated contamination, and refuses anything else', () => {
  assert.deepEqual(['critical', 'major', 'minor', 'warning', 'all', 'none', 3, null].map(isViewChoice), [true, true, true, true, true, false, false, false]);
  assert.equal(isWebviewMessage({ type: 'view', view: 'minor' }), true);
  assert.equal(isWebviewMessage({ type: 'view', view: 'everything' }), false);
  assert.equal(isWebviewMessage({ type: 'view' }), false);
  assert.equal(isWebviewMessage({ type: 'revealRow', row: 3 }), true);
  assert.equal(isWebviewMessage({ type: 'revealRow', row: 3, metric: 'cpu{host="a"}' }), true);
  assert.equal(isWebviewMessage({ type: 'revealRow', row: 3, metric: 7 }), false);
  const settings = (contamination: unknown) => ({ detectors: { iforest: true, forecast: true, rules: false }, contamination, interval: 0.8, thresholds: {} });
  assert.deepEqual(['calibrated', 'auto', 0.05, 0, 0.6, 'sometimes'].map((c) => isDashboardSettings(settings(c))), [true, true, true, false, false, false]);
});

test('a result without a view is merged as analyze merges (what the editor, webhooks and email read): a lone finding at most minor, its finding with it', () => {
  const lone = [finding(50, 60, 'major'), finding(51, 10, 'warning'), finding(200, 55, 'major'), finding(201, 30, 'minor'), finding(250, 90, 'critical')];
  const result: AnalysisResult = { frame, input: { path: 'x.csv', sha256: '' }, seed: 0, detectors: {}, scores: {}, anomalies: lone, warnings: [] };
  const v = viewOf(result);
  assert.deepEqual(v.incidents.map((i) => [i.startRow, i.endRow, i.count, i.score, i.severity]), [[50, 50, 1, 49.9, 'minor'], [200, 201, 2, 55, 'major'], [250, 250, 1, 90, 'critical']]);
  assert.deepEqual(v.shown.incidents.map((i) => i.startRow), [200, 250]);
  // At minor the lone finding is shown as its incident says: minor 49.9, in the editor's marks and hover too.
  const minor = shownAt(viewOf(result, 'minor'), 'minor');
  assert.deepEqual(minor.anomalies.map((a) => [a.row, a.score, a.severity]), [[50, 49.9, 'minor'], [200, 55, 'major'], [201, 30, 'minor'], [250, 90, 'critical']]);
  // A result with its own view keeps it.
  const own = { ...v, minSeverity: 'critical' as const };
  assert.equal(viewOf({ ...result, view: own }), own);
});

test('mergeFindings: no finding is shown above its incident, whatever the findings a major incident needs', () => {
  // Rows 50 and 53: two major findings (and a warning between); rows 200–201 and 250 as above. With 3 findings needed
  // the pair is one incident of two, at most minor: both its findings say minor 49.9 with it, the warning stays.
  const pair = [finding(50, 60, 'major'), finding(51, 10, 'warning'), finding(53, 55, 'major'), finding(200, 55, 'major'), finding(201, 30, 'minor'), finding(202, 40, 'minor'), finding(250, 90, 'critical')];
  const m = mergeFindings(pair, frame, { minFindings: 3 });
  assert.deepEqual(m.incidents.map((i) => [i.startRow, i.count, i.score, i.severity]), [[50, 2, 49.9, 'minor'], [200, 3, 55, 'major'], [250, 1, 90, 'critical']]);
  assert.deepEqual(m.findings.map((a) => [a.row, a.score, a.severity]), [[50, 49.9, 'minor'], [51, 10, 'warning'], [53, 49.9, 'minor'], [200, 55, 'major'], [201, 30, 'minor'], [202, 40, 'minor'], [250, 90, 'critical']]);
  for (const i of m.incidents) for (const a of m.findings) if (a.row >= i.startRow && a.row <= i.endRow) assert.ok(a.score <= i.score, `row ${a.row}: ${a.score} > ${i.score}`);
  // The shipped rule (2 findings): the pair is major and kept as measured.
  assert.deepEqual(mergeFindings(pair, frame).findings.filter((a) => a.row === 50 || a.row === 53).map((a) => a.score), [60, 55]);
});

test('a rule that fires is an incident of its declared severity, warning too; a statistic\'s warnings still make none', () => {
  const rule = (row: number): Anomaly => ({ ...finding(row, 15, 'warning', 'rule'), rule: 'HighMem' });
  const m = mergeFindings([finding(40, 10, 'warning'), rule(120), rule(121), rule(122), finding(200, 12, 'warning')], frame);
  assert.deepEqual(m.incidents.map((i) => [i.startRow, i.endRow, i.count, i.severity, i.rules]), [[120, 122, 3, 'warning', ['HighMem']]]);
  // Shown where the view's minimum includes warning, not in the default view (major and up).
  assert.deepEqual(shownAt(m, 'warning').anomalies.map((a) => a.row), [120, 121, 122]);
  assert.deepEqual(shownAt(m, 'major').incidents, []);
  // One warning rule row alone is still its own incident, kept as declared.
  assert.deepEqual(mergeFindings([rule(50)], frame).incidents.map((i) => [i.count, i.score, i.severity]), [[1, 15, 'warning']]);
});
