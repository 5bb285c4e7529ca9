import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Anomaly } from '../../src/core/anomaly.ts';
import type { DashboardModel } from '../../src/protocol.ts';
import { durationText, emptyText, incidentSources, passesDetector, sourceName, tableItems, totalText, whenText } from '../../webview/tableRows.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { createRng } from '../../src/core/random.ts';
import { runAnalysis, settingsFor } from '../../src/core/analyze.ts';
import { emptyRulesFile } from '../../src/core/rules/readRules.ts';
import type { Measured } from '../../src/core/incidents/view.ts';
import { lineAt, lineShiftsOf } from '../../src/core/csv/lineShifts.ts';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { awaitsIncidents } from '../../webview/findings.ts';
import { elapsedText, footerText } from '../../webview/format.ts';

const finding = (row: number, over: Partial<Anomaly> = {}): Anomaly => ({
  row, timestamp: null, detector: 'rule', rule: 'cpu-high', metric: 'cpu', value: 95, score: 60, severity: 'major', message: `cpu 95 > 90`, ...over,
});

function model(over: Partial<DashboardModel> = {}): DashboardModel {
  return {
    file: { name: 'm.csv', path: '/data/m.csv' }, rows: 100, timeAxis: false, stepMs: null, metrics: ['cpu'], series: [],
    anomalies: [], view: 'major', byPage: false, rules: [], rulesFile: null,
    settings: { detectors: { iforest: true, forecast: true, rules: true }, contamination: 'calibrated', interval: 0.95, thresholds: {} },
    forecastMode: null, warnings: [], live: false, computeMs: 0, pending: [], ...over,
  };
}
const filters = { detector: 'all' };
const sort = { key: 'score', dir: -1 } as const;

test('while detectors run, a severity view lists no partial rows and says which detectors are still running', () => {
  // The rules finished first: their findings are in, the incidents come with the last detector.
  const m = model({ anomalies: [finding(3), finding(4)], pending: ['iforest', 'forecast'] });
  assert.equal(awaitsIncidents(m), true);
  assert.deepEqual(tableItems(m, filters, sort, new Set()), []);
  assert.equal(emptyText(m), 'Analysing… Isolation Forest, forecaster still running.');
});

test('once done, a view without incidents says so; "All flagged rows" lists the rows even while detectors run', () => {
  const done = model({ anomalies: [finding(3)], incidents: [], incidentFindings: [] });
  assert.equal(awaitsIncidents(done), false);
  assert.match(emptyText(done), /^No major incidents or worse/);
  const all = model({ view: 'all', anomalies: [finding(3), finding(4)], pending: ['forecast'] });
  assert.equal(awaitsIncidents(all), false);
  assert.deepEqual(tableItems(all, filters, { key: 'time', dir: 1 }, new Set()).map((x) => x.kind === 'row' && x.a.row), [3, 4]);
  // Nothing flagged after the analysis: the row view's own text.
  assert.equal(emptyText(model({ view: 'all' })), 'No rows flagged with these settings.');
});

test('the count beside the table (headed "Findings" in the rows\' view) says on how many rows, or of how many', () => {
  const inc = { id: 'i1', startRow: 3, endRow: 4 } as NonNullable<DashboardModel['incidents']>[number];
  const findings = [finding(3), finding(3, { detector: 'iforest', rule: undefined }), finding(4)];
  const incidents = model({ anomalies: findings, incidents: [inc], incidentFindings: findings });
  assert.equal(totalText(incidents, 1, 1, null), ' · 3 findings on 2 rows in them');
  // No incident at this severity: nothing to count in them.
  assert.equal(totalText(model({ anomalies: findings, incidents: [], incidentFindings: [] }), 0, 0, null), '');
  const rows = model({ view: 'all', anomalies: findings });
  assert.equal(totalText(rows, 3, 3, null), ' on 2 rows');
  assert.equal(totalText(model({ view: 'all', anomalies: [finding(3)] }), 1, 1, null), ' on 1 row');
  assert.equal(totalText(rows, 2, 3, 'cpu-high'), ' of 3 · rule cpu-high');
});

test('a row of a file without time is named by its CSV line, as the CLI text names it (blank lines count)', () => {
  // Data rows 0, 1 on lines 2, 3; a blank line; rows 2, 3 on lines 5, 6; two blank lines; row 4 on line 9.
  const frame = parseCsv('cpu\n1\n2\n\n3\n4\n\n\n5\n').frame!;
  assert.deepEqual(Array.from(frame.lines), [2, 3, 5, 6, 9]);
  const shifts = lineShiftsOf(frame.lines);
  assert.deepEqual(shifts, [[0, 2], [2, 3], [4, 5]]);
  assert.deepEqual([0, 1, 2, 3, 4].map((r) => lineAt(shifts, r)), [2, 3, 5, 6, 9]);
  assert.equal(lineAt(undefined, 300), 302);
  assert.equal(whenText({ lineShifts: shifts }, null, 3), 'line 6');
  assert.equal(whenText({}, null, 300), 'line 302');
  assert.equal(whenText({}, '2024-03-06T14:10:00.000Z', 300), '2024-03-06 14:10');
});

test('the table names the forecaster\'s level, flatness and discord checks as the summaries do; exports keep detector "forecast"', () => {
  // Six days at 5 minutes: a daily cycle, 4 hours stuck, a zigzag, then a level shift for good.
  const rng = createRng(3);
  const t: number[] = [], y: number[] = [];
  for (let i = 0; i < 6 * 288; i++) {
    t.push(Date.UTC(2026, 0, 1) + i * 300_000);
    let v = 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + rng.normal() * 2;
    if (i >= 4 * 288) v += 25;
    if (i >= 2 * 288 && i < 2 * 288 + 48) v = 51;
    if (i >= 3 * 288 + 100 && i < 3 * 288 + 106) v += i % 2 ? 15 : -15;
    y.push(v);
  }
  const r = runAnalysis(frameOf({ cpu: y }, t), settingsFor(emptyRulesFile(), { detectors: { iforest: true, forecast: true, rules: false } }), { path: 'x', sha256: '' });
  const measured = (r.view as unknown as { measured: Measured }).measured;
  // Each finding is named by the check that made it (its check, which the summaries read too), else by its detector.
  const seen = new Set<string>();
  for (const a of measured.findings) {
    const check = a.check;
    assert.equal(sourceName(a), check ?? a.detector, a.message);
    seen.add(sourceName(a));
    if (check) assert.equal(a.detector, 'forecast');
  }
  assert.deepEqual([...seen].sort(), ['discord check', 'flatness check', 'forecast', 'iforest', 'level check']);
  // An incident's cell: its detectors, the checks apart; the filter narrows to one check, Forecast keeps them all.
  const level = measured.findings.find((a) => a.check === 'level check')!;
  const own = measured.findings.find((a) => a.detector === 'forecast' && !a.check)!;
  assert.deepEqual(incidentSources(['forecast'], [level, own]), ['forecast', 'level check']);
  assert.deepEqual(incidentSources(['forecast'], [level]), ['level check']);
  assert.deepEqual([passesDetector(level, 'check:level check'), passesDetector(own, 'check:level check'), passesDetector(level, 'forecast'), passesDetector(level, 'iforest')], [true, false, true, false]);
  assert.equal(sourceName(finding(3)), 'rule: cpu-high');
});

test('a finding is named by the check it carries, not by how its message reads', () => {
  const level = finding(3, { detector: 'forecast', rule: undefined, check: 'level check', message: 'cpu moved (reworded)' });
  const lookalike = finding(4, { detector: 'forecast', rule: undefined, message: 'cpu level rises by 3 (trimmed mean of the 1h after against the 1h before)' });
  assert.deepEqual([sourceName(level), sourceName(lookalike)], ['level check', 'forecast']);
  assert.deepEqual([passesDetector(level, 'check:level check'), passesDetector(lookalike, 'check:level check')], [true, false]);
});

test('an incident still open at a live window\'s last row says so in the Duration column', () => {
  const i = { id: 'x', start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:11:00.000Z', startRow: 0, endRow: 11, peakRow: 0, score: 90, severity: 'critical' as const, detectors: ['stream' as const], metrics: [], rules: [], summary: '', count: 1 };
  const m = { timeAxis: true, stepMs: 60_000 } as DashboardModel;
  assert.equal(durationText(m, i), '12m');
  assert.equal(durationText(m, { ...i, ongoing: true }), '12m, ongoing');
  assert.equal(durationText({ ...m, timeAxis: false }, { ...i, ongoing: true }), '12 rows, ongoing');
});

test('the footer says how long the analysis took as people read it, and never "0 ms" for a stopped live window', () => {
  assert.deepEqual([0, 227, 999.4, 999.6, 1000, 12683, 59949, 59950, 61_000, 125_400].map(elapsedText),
    ['0 ms', '227 ms', '999 ms', '1.0 s', '1.0 s', '12.7 s', '59.9 s', '1 min 0 s', '1 min 1 s', '2 min 5 s']);
  assert.equal(footerText(model({ computeMs: 12683 })), 'Computed in 12.7 s');
  assert.equal(footerText(model({ computeMs: 227 })), 'Computed in 227 ms');
  assert.equal(footerText(model({ live: true, rows: 1440 })), 'Live: 1,440 rows in the window');
  // After Stop Streaming the last window stays drawn, computeMs 0: it says what it is.
  assert.equal(footerText(model({ liveStopped: true, rows: 1440, liveModel: 'baseline model v2' })), 'Live results, stopped: 1,440 rows in the window · baseline model v2');
  assert.equal(footerText(model({ pending: ['forecast'] })), 'Computing…');
  assert.equal(footerText(model({ failure: 'out of memory' })), 'Incomplete: out of memory');
});

test('an opened incident none of whose findings is listed says why under it, instead of opening to nothing', () => {
  const old = { id: 'old', startRow: 3, endRow: 4, detectors: ['stream'], rules: [] } as unknown as NonNullable<DashboardModel['incidents']>[number];
  const kept = { id: 'new', startRow: 90, endRow: 91, detectors: ['stream'], rules: [] } as unknown as NonNullable<DashboardModel['incidents']>[number];
  const findings = [finding(90, { detector: 'stream', rule: undefined })];
  const live = model({ live: true, anomalies: findings, incidents: [old, kept], incidentFindings: findings });
  const items = tableItems(live, filters, { key: 'time', dir: 1 }, new Set(['old', 'new']));
  assert.deepEqual(items.map((x) => (x.kind === 'incident' ? x.inc.id : x.kind === 'row' ? x.a.row : x.text)), [
    'old', 'its findings are older than the most recent ones the live view keeps; the charts still show its rows',
    'new', 90,
  ]);
  assert.deepEqual(tableItems(live, filters, { key: 'time', dir: 1 }, new Set()).map((x) => x.kind), ['incident', 'incident']);
});
