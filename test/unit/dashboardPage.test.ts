import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Rule } from '../../src/core/rules/model.ts';
import type { Anomaly } from '../../src/core/anomaly.ts';
import type { DashboardModel, DashboardSettings, LocalData, OutputsData } from '../../src/protocol.ts';
import { isWebviewMessage } from '../../src/protocol.ts';
import { idleSync, modelArrived, settingsChanged } from '../../webview/settingsSync.ts';
import { initialState, persistedOf } from '../../webview/state.ts';
import type { Message, State } from '../../webview/state.ts';
import { changed, update } from '../../webview/update.ts';
import { chartedMetrics } from '../../webview/chartModel.ts';

const T0 = Date.UTC(2024, 0, 1);
const STEP = 60_000;
const N = 120;
/** cpu: 40 with a plateau of 95 from row 50 to 59. */
const cpu = Array.from({ length: N }, (_, i) => (i >= 50 && i < 60 ? 95 : 40 + (i % 3)));

const settings = (over: Partial<DashboardSettings> = {}): DashboardSettings => ({
  detectors: { iforest: false, forecast: false, rules: true }, contamination: 'calibrated', interval: 0.95, thresholds: {}, ...over,
});

const rule: Rule = { name: 'cpu-high', metric: 'cpu', op: '>', threshold: 90, forMs: 0, keepFiringForMs: 0, severity: 'critical', enabled: true, labels: {}, annotations: {}, line: 3 };

function model(over: Partial<DashboardModel> = {}): DashboardModel {
  return {
    file: { name: 'm.csv', path: '/data/m.csv' }, rows: N, timeAxis: true, stepMs: STEP, metrics: ['cpu'],
    series: [{ metric: 'cpu', rows: cpu.map((_, i) => i), x: cpu.map((_, i) => T0 + i * STEP), y: cpu }],
    anomalies: [], view: 'all', byPage: false, rules: [{ name: 'cpu-high', metric: 'cpu', op: '>', threshold: 90, min: 40, max: 95, step: 1 }],
    rulesFile: 'rules.yaml', settings: settings(), forecastMode: null, warnings: [], live: false, computeMs: 12, pending: [], ...over,
  };
}

const localData: LocalData = { path: '/data/m.csv', timestamps: cpu.map((_, i) => T0 + i * STEP), metrics: ['cpu'], values: [cpu], infinite: [], stepMs: STEP };

/** The outputs of an analysis with `s`: the rules, and `fixed` findings of detectors without fits. */
const outputs = (s = settings(), fixed: Anomaly[] = [], view?: OutputsData['view']): OutputsData => ({ path: '/data/m.csv', settings: s, fixed, fits: null, rules: [rule], ...(view ? { view } : {}) });

/** Runs messages through update from `s`, collecting what is posted. */
function run(s: State, ...msgs: Message[]): { state: State; posted: unknown[] } {
  const posted: unknown[] = [];
  let state = s;
  for (const m of msgs) {
    const step = update(state, m);
    state = step.state;
    posted.push(...step.out);
  }
  return { state, posted };
}

test('settings sync: one computation at a time, only the newest queued settings sent next', () => {
  const a = settings({ interval: 0.8 }), b = settings({ interval: 0.85 }), c = settings({ interval: 0.9 });
  const first = settingsChanged(idleSync, a);
  assert.deepEqual(first, { sync: { pending: a, queued: null, inFlight: true }, send: a });
  const second = settingsChanged(first.sync, b);
  const third = settingsChanged(second.sync, c);
  assert.deepEqual([second.send, third.send], [null, null]);
  assert.deepEqual(third.sync, { pending: c, queued: c, inFlight: true });
  // The answer to `a` arrives: `c` (not `b`) goes next, and the page keeps showing `c`.
  const answered = modelArrived(third.sync, a);
  assert.deepEqual(answered, { sync: { pending: c, queued: null, inFlight: true }, send: c, shown: c, behind: true });
  // The answer to `c`: nothing more to send, nothing pending.
  assert.deepEqual(modelArrived(answered.sync, c), { sync: idleSync, send: null, shown: c, behind: false });
});

test('settings sync: a model that is not an answer (an edit of the file) leaves the page\'s newer settings shown', () => {
  const mine = settings({ thresholds: { 'cpu-high': 80 } });
  const sent = settingsChanged(idleSync, mine);
  const r = modelArrived(sent.sync, settings());
  assert.equal(r.behind, true);
  assert.deepEqual(r.shown, mine);
  assert.equal(r.send, null);
});

test('the first model is shown: table version up, not busy, settled; the view chosen before a reload is asked for', () => {
  const { state, posted } = run(initialState({ view: 'critical' }), { type: 'model', model: model({ view: 'major', incidents: [], incidentFindings: [] }) });
  assert.equal(state.model?.file.path, '/data/m.csv');
  assert.deepEqual([state.anomaliesVersion, state.busy.shown, state.settled], [1, false, true]);
  assert.deepEqual(posted, [{ type: 'view', view: 'critical' }]);
  assert.deepEqual(persistedOf(state), { path: '/data/m.csv', settings: settings(), zoom: null, filters: { detector: 'all' }, sort: { key: 'score', dir: -1 }, view: 'critical', chartsAll: false });
});

test('a slider move without local data is sent, shows busy, and a second move waits for the answer', () => {
  let { state, posted } = run(initialState(), { type: 'model', model: model() });
  ({ state, posted } = run(state, { type: 'ui/settings', change: { kind: 'interval', value: 0.8 } }, { type: 'ui/settings', change: { kind: 'interval', value: 0.7 } }));
  assert.deepEqual(posted, [{ type: 'settings', settings: settings({ interval: 0.8 }), path: '/data/m.csv' }]);
  assert.deepEqual([state.busy, state.settled, state.model?.settings.interval], [{ shown: true, text: 'Computing…' }, false, 0.7]);
  // The answer to 0.8 arrives: 0.7 is sent, and the page still shows 0.7 (an older answer must not undo a move).
  ({ state, posted } = run(state, { type: 'model', model: model({ settings: settings({ interval: 0.8 }) }) }));
  assert.deepEqual(posted, [{ type: 'settings', settings: settings({ interval: 0.7 }), path: '/data/m.csv' }]);
  assert.deepEqual([state.model?.settings.interval, state.settled, state.busy.shown], [0.7, false, true]);
  ({ state, posted } = run(state, { type: 'model', model: model({ settings: settings({ interval: 0.7 }) }) }));
  assert.deepEqual([posted, state.model?.settings.interval, state.settled, state.busy.shown], [[], 0.7, true, false]);
});

test('with the data and outputs held, the page computes what it shows; the host\'s model for the same settings carries nothing to compare', () => {
  let { state } = run(initialState(), { type: 'model', model: model({ anomalies: [{ row: 3, timestamp: null, detector: 'rule', rule: 'cpu-high', metric: 'cpu', value: 40, score: 60, severity: 'major', message: 'first paint' }] }) },
    { type: 'localData', data: localData });
  assert.equal(state.model!.anomalies[0].message, 'first paint', 'the data alone changes nothing shown');
  // The outputs replace the first model's findings with the page's own (above 90: the plateau, rows 50–59).
  ({ state } = run(state, { type: 'outputs', data: outputs() }));
  assert.deepEqual(state.model!.anomalies.map((a) => a.row), [50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
  assert.equal(state.model!.byPage, true);
  const step = update(state, { type: 'ui/settings', change: { kind: 'threshold', rule: 'cpu-high', value: 41 } });
  assert.equal(step.recomputed, true);
  state = step.state;
  // Above 41: the plateau and the rows at 42 (i % 3 === 2) outside it.
  const rows = state.model!.anomalies.map((a) => a.row);
  const expected = cpu.map((v, i) => (v > 41 ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(rows, expected);
  assert.ok(state.model!.anomalies.every((a) => a.detector === 'rule' && a.rule === 'cpu-high'));
  assert.equal(state.busy.shown, false, 'no busy line: the page already shows the findings');
  const shown = state.model!.anomalies;
  // The host's model for these settings carries no findings: the page's stay, computed once.
  const host = update(state, { type: 'model', model: model({ settings: settings({ thresholds: { 'cpu-high': 41 } }), byPage: true }) }).state;
  assert.equal(host.model!.anomalies, shown);
  assert.equal(host.settled, true);
});

test('a model with the host\'s findings replaces the page\'s and lets go of its outputs: a slider then waits for the host', () => {
  let { state } = run(initialState(), { type: 'model', model: model() }, { type: 'localData', data: localData }, { type: 'outputs', data: outputs() });
  const hostList = [{ row: 7, timestamp: null, detector: 'iforest' as const, metric: 'cpu', value: 40, score: 30, severity: 'minor' as const, message: 'host' }];
  ({ state } = run(state, { type: 'model', model: model({ anomalies: hostList, pending: ['rules'] }) }));
  assert.equal(state.model!.anomalies, hostList);
  assert.equal(state.held!.outputs, null);
  const step = update(state, { type: 'ui/settings', change: { kind: 'threshold', rule: 'cpu-high', value: 41 } });
  assert.deepEqual([step.recomputed, step.state.busy.shown, step.state.model!.anomalies], [false, true, hostList]);
});

test('a setting the outputs cannot follow (a fixed finding of another interval) keeps what is shown, busy, until the outputs for it come', () => {
  const fc = { row: 20, timestamp: null, detector: 'forecast' as const, metric: 'cpu', value: 41, score: 40, severity: 'minor' as const, message: 'robust fit' };
  const on = settings({ detectors: { iforest: false, forecast: true, rules: true } });
  let { state } = run(initialState(), { type: 'model', model: model({ settings: on }) }, { type: 'localData', data: localData }, { type: 'outputs', data: outputs(on, [fc], { findings: [fc], incidents: [] }) });
  assert.deepEqual(state.model!.anomalies.map((a) => `${a.row}:${a.detector}`), ['20:forecast', '50:rule', '51:rule', '52:rule', '53:rule', '54:rule', '55:rule', '56:rule', '57:rule', '58:rule', '59:rule']);
  const before = state.model!.anomalies;
  const step = update(state, { type: 'ui/settings', change: { kind: 'interval', value: 0.8 } });
  assert.deepEqual([step.recomputed, step.state.busy.shown, step.state.model!.anomalies === before], [false, true, true]);
  const at08 = { ...on, interval: 0.8 };
  ({ state } = run(step.state, { type: 'outputs', data: outputs(at08, [], { findings: [], incidents: [] }) }, { type: 'model', model: model({ settings: at08, byPage: true }) }));
  assert.equal(state.model!.anomalies.filter((a) => a.detector === 'forecast').length, 0);
  assert.deepEqual([state.busy.shown, state.settled], [false, true]);
});

test('a rule slider in the incidents view redoes the incidents in the page, reusing the statistics measured for the same fits', () => {
  let { state } = run(initialState(), { type: 'model', model: model({ view: 'warning' }) }, { type: 'localData', data: localData }, { type: 'outputs', data: outputs() });
  const measured = state.computed!.view.basis!.view.measured;
  assert.ok(measured);
  ({ state } = run(state, { type: 'ui/settings', change: { kind: 'threshold', rule: 'cpu-high', value: 94 } }));
  const incidents = state.model!.incidents!;
  assert.equal(incidents.length, 1);
  assert.deepEqual([incidents[0].startRow, incidents[0].endRow, incidents[0].rules], [50, 59, ['cpu-high']]);
  assert.equal(state.computed!.view.basis!.view.measured, measured);
});

test('a view chosen in the page is computed there at once and asked of the host', () => {
  const step = update(run(initialState(), { type: 'model', model: model({ view: 'warning' }) }, { type: 'localData', data: localData }, { type: 'outputs', data: outputs() }).state, { type: 'ui/view', view: 'all' });
  assert.deepEqual(step.out, [{ type: 'view', view: 'all' }]);
  assert.deepEqual([step.state.model!.view, step.state.model!.incidents!.length], ['all', 1]);
});

test('update never changes the state it is given', () => {
  const { state } = run(initialState(), { type: 'model', model: model() }, { type: 'localData', data: localData }, { type: 'outputs', data: outputs() });
  const before = JSON.stringify({ ...state, held: null, computed: null, windows: [...state.windows], expanded: [...state.expanded] });
  const anomalies = state.model!.anomalies;
  run(state, { type: 'ui/settings', change: { kind: 'threshold', rule: 'cpu-high', value: 41 } }, { type: 'ui/sort', key: 'time' }, { type: 'ui/toggleIncident', id: 'x' });
  assert.equal(JSON.stringify({ ...state, held: null, computed: null, windows: [...state.windows], expanded: [...state.expanded] }), before);
  assert.equal(state.model!.anomalies, anomalies);
});

test('another file\'s model drops the zoom, selection, open incidents and queued settings of the last one', () => {
  let { state } = run(initialState(), { type: 'model', model: model() },
    { type: 'ui/zoom', range: [T0, T0 + 10 * STEP] }, { type: 'ui/select', row: 5, fromTable: true }, { type: 'ui/toggleIncident', id: 'i1' },
    { type: 'ui/settings', change: { kind: 'interval', value: 0.8 } }, { type: 'ui/settings', change: { kind: 'interval', value: 0.7 } });
  const other = model({ file: { name: 'n.csv', path: '/data/n.csv' } });
  const step = update(state, { type: 'model', model: other });
  state = step.state;
  assert.deepEqual(step.out, [], 'the other file\'s queued settings are not sent');
  assert.deepEqual([state.zoom, state.selectedRow, state.expanded.size, state.sync, state.model?.settings], [null, null, 0, idleSync, settings()]);
});

test('a rule picked in the editor filters the table to that rule\'s rows and asks the host for all rows', () => {
  const { state, posted } = run(initialState(), { type: 'model', model: model({ view: 'major', incidents: [], incidentFindings: [] }) }, { type: 'filterRule', rule: 'cpu-high' });
  assert.deepEqual([state.filters, state.chosenView], [{ detector: 'rule', rule: 'cpu-high' }, 'all']);
  assert.deepEqual(posted, [{ type: 'view', view: 'all' }]);
  // Before the first model: kept, nothing posted.
  const early = run(initialState(), { type: 'filterRule', rule: 'cpu-high' });
  assert.deepEqual([early.state.chosenView, early.posted], ['all', []]);
});

test('sorting by the same column flips the order; a new column starts in its natural order', () => {
  const s = initialState();
  const a = update(s, { type: 'ui/sort', key: 'score' }).state;
  const b = update(a, { type: 'ui/sort', key: 'time' }).state;
  const c = update(b, { type: 'ui/sort', key: 'time' }).state;
  assert.deepEqual([a.sort, b.sort, c.sort], [{ key: 'score', dir: 1 }, { key: 'time', dir: 1 }, { key: 'time', dir: -1 }]);
});

test('a failed analysis says why once; the next complete one takes the notice away', () => {
  let { state } = run(initialState(), { type: 'model', model: model({ failure: 'worker ran out of memory' }) });
  assert.deepEqual(state.notice, { kind: 'error', text: 'Anomaly Hunter: worker ran out of memory', hidden: false, seq: 1 });
  ({ state } = run(state, { type: 'model', model: model({ failure: 'worker ran out of memory' }) }));
  assert.equal(state.notice?.seq, 1, 'said once');
  ({ state } = run(state, { type: 'model', model: model() }));
  assert.equal(state.notice?.hidden, true);
});

test('a window for another zoom than the one shown is dropped', () => {
  const { state } = run(initialState(), { type: 'model', model: model() }, { type: 'ui/zoom', range: [T0, T0 + STEP * 10] });
  const series = model().series[0];
  assert.equal(update(state, { type: 'window', metric: 'cpu', x0: T0, x1: T0 + STEP * 20, series }).state.windows.size, 0);
  assert.equal(update(state, { type: 'window', metric: 'cpu', x0: T0, x1: T0 + STEP * 10, series }).state.windows.get('cpu'), series);
});

test('a zoom asks for the charted metrics\' windows only; a chart shown while zoomed asks for its own', () => {
  const zoom: [number, number] = [T0, T0 + STEP * 10];
  // Few metrics: every window (no list).
  assert.deepEqual(run(initialState(), { type: 'model', model: model() }, { type: 'ui/zoom', range: zoom }).posted, [{ type: 'zoom', x0: zoom[0], x1: zoom[1] }]);
  const names = Array.from({ length: 40 }, (_, i) => `cpu{host="h${i}"}`);
  const m = model({ metrics: names, series: names.map((metric) => ({ metric, rows: [0], x: [T0], y: [1] })), anomalies: [] });
  const z = run(initialState(), { type: 'model', model: m }, { type: 'ui/zoom', range: zoom });
  assert.deepEqual(z.posted, [{ type: 'zoom', x0: zoom[0], x1: zoom[1], metrics: names.slice(0, 12) }]);
  // The windows arrive; "Chart all" asks for the 28 others; a reset zoom asks for nothing.
  let s = z.state;
  for (const metric of names.slice(0, 12)) s = update(s, { type: 'window', metric, x0: zoom[0], x1: zoom[1], series: m.series[0] }).state;
  assert.deepEqual(run(s, { type: 'ui/chartsAll', on: true }).posted, [{ type: 'zoom', x0: zoom[0], x1: zoom[1], metrics: names.slice(12) }]);
  assert.deepEqual(run(s, { type: 'ui/zoom', range: null }).posted, []);
  assert.equal(isWebviewMessage({ type: 'zoom', x0: 1, x1: 2, metrics: ['a'] }), true);
  assert.equal(isWebviewMessage({ type: 'zoom', x0: 1, x1: 2, metrics: [1] }), false);
});

test('changed() sets one setting and leaves the others and the original alone', () => {
  const s = settings({ thresholds: { a: 1 } });
  assert.deepEqual(changed(s, { kind: 'contamination', value: 0 }), { ...s, contamination: 'calibrated' });
  assert.deepEqual(changed(s, { kind: 'threshold', rule: 'b', value: 2 }), { ...s, thresholds: { a: 1, b: 2 } });
  assert.deepEqual(changed(s, { kind: 'detector', detector: 'rules', on: false }).detectors, { iforest: false, forecast: false, rules: false });
  assert.deepEqual(s, settings({ thresholds: { a: 1 } }));
});

test('the alert destination arrives before or after the first model and is kept across models', () => {
  let s = update(initialState(), { type: 'alertDestination', destination: 'email' }).state;
  assert.equal(s.sendTo, 'email');
  s = update(s, { type: 'model', model: model() }).state;
  assert.equal(s.sendTo, 'email');
  s = update(s, { type: 'alertDestination', destination: 'both' }).state;
  assert.equal(s.sendTo, 'both');
  assert.equal(initialState().sendTo, 'webhook');
});

test('a file of many metrics charts those with the strongest findings (at most 12), the rest on request; a selected row\'s metric gets its chart', () => {
  const names = Array.from({ length: 40 }, (_, i) => `cpu{host="h${i}"}`);
  const finding = (row: number, metric: string, score: number): Anomaly => ({ row, timestamp: null, detector: 'iforest', metric, value: 1, score, severity: 'major', message: 'm' });
  // Findings on 14 metrics: the 12 strongest are charted, in the file's order.
  const anomalies = Array.from({ length: 14 }, (_, k) => finding(k, names[39 - k], 50 + k));
  const m = model({ metrics: names, series: names.map((metric) => ({ metric, rows: [0], x: [T0], y: [1] })), anomalies });
  const top = chartedMetrics(m, false, new Set());
  assert.deepEqual(top.metrics, names.slice(26, 38));
  assert.equal(top.hidden, 28);
  assert.equal(top.withFindings, true);
  assert.deepEqual(chartedMetrics(m, true, new Set()), { metrics: names, hidden: 0, withFindings: false });
  // Findings on fewer metrics: the first others fill up to 12. No findings: the first 12. Few metrics: all.
  assert.deepEqual(chartedMetrics({ ...m, anomalies: anomalies.slice(0, 2) }, false, new Set()).metrics, [...names.slice(0, 10), names[38], names[39]]);
  assert.deepEqual(chartedMetrics(model({ metrics: names, anomalies: [] }), false, new Set()), { metrics: names.slice(0, 12), hidden: 28, withFindings: false });
  assert.deepEqual(chartedMetrics(model(), false, new Set()), { metrics: ['cpu'], hidden: 0, withFindings: false });
  // Selecting a row of a metric not charted (row 0: the weakest finding, names[39]) charts it too; another file forgets it.
  let s = run(initialState(), { type: 'model', model: m }).state;
  s = run(s, { type: 'ui/select', row: 0, fromTable: true }).state;
  assert.ok(chartedMetrics(s.model!, s.chartsAll, s.chartsPinned).metrics.includes(names[39]));
  assert.equal(chartedMetrics(s.model!, s.chartsAll, s.chartsPinned).metrics.length, 13);
  // A row names its metric (a long file's series share their rows): that one is pinned, not the row's first finding's.
  s = run(s, { type: 'ui/select', row: 5, fromTable: true, metric: names[3] }).state;
  assert.ok(s.chartsPinned.has(names[3]) && !s.chartsPinned.has(names[34]));
  s = run(s, { type: 'ui/chartsAll', on: true }).state;
  assert.equal(persistedOf(s).chartsAll, true, 'kept across a reload');
  s = run(s, { type: 'model', model: { ...m, file: { name: 'n.csv', path: '/data/n.csv' } } }).state;
  assert.equal(s.chartsPinned.size, 0);
  assert.equal(s.chartsAll, false, 'another file starts with its 12');
});
