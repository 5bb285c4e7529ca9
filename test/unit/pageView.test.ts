import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAnalysis, settingsFor } from '../../src/core/analyze.ts';
import type { AnalysisCache } from '../../src/core/analyzeSettings.ts';
import type { Frame } from '../../src/core/csv/frame.ts';
import { pageView, sameSettings } from '../../src/core/dashboard/pageView.ts';
import type { ViewSettings } from '../../src/core/dashboard/pageView.ts';
import { emptyRulesFile } from '../../src/core/rules/readRules.ts';
import { promRulesForCsv } from '../../src/core/promrules/csvRules.ts';
import { lineStarts } from '../../src/core/textPosition.ts';
import type { Rule, RulesFile } from '../../src/core/rules/model.ts';
import { tuningOf } from '../../src/core/tuning.ts';
import { hostView, localDataOf, outputsData } from '../../src/extension/dashboardModel.ts';
import { sampleFrame } from './sampleFrame.ts';
import { findingsIn } from '../../src/core/incidents/incidents.ts';
import { checkOf } from '../../src/core/incidents/view.ts';
import type { Anomaly } from '../../src/core/anomaly.ts';
import type { OutputsData } from '../../src/protocol.ts';
import { heldOf, withOutputs } from '../../webview/local.ts';
import { CONTAMINATION_TIP, INTERVAL_TIP, ruleTip } from '../../webview/controlTexts.ts';

const rule = (name: string, threshold: number, severity: Rule['severity']): Rule => ({ name, metric: 'cpu', op: '>', threshold, forMs: 0, keepFiringForMs: 0, severity, enabled: true, labels: {}, annotations: {}, line: 1 });
const rulesFile: RulesFile = { ...emptyRulesFile(), rules: [rule('cpu-high', 70, 'major'), rule('cpu-warm', 55, 'minor')] };
const base: ViewSettings = { detectors: { iforest: true, forecast: true, rules: true }, contamination: 'calibrated', interval: 0.8, thresholds: {} };
const input = { path: '/data/x.csv', sha256: 'abc' };

/** An analysis of `s`, as the editor's worker runs it (with the fits of files the page holds). */
function analysed(frame: Frame, s: ViewSettings, cache: AnalysisCache = {}, robust = false) {
  const settings = settingsFor(rulesFile, { detectors: s.detectors, contamination: s.contamination, interval: s.interval, thresholds: s.thresholds, robust });
  const result = runAnalysis(frame, settings, input, cache);
  result.tuning = tuningOf(frame, cache, settings);
  return result;
}

/** What the page holds after the host's localData and outputs, through JSON as they travel. */
function held(frame: Frame, data: OutputsData) {
  const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return withOutputs(heldOf(json(localDataOf(frame, input.path))), json(data));
}

test('the page\'s computation from the outputs of one analysis equals the host\'s view of a new analysis, for every slider and view', () => {
  const frame = sampleFrame();
  const first = analysed(frame, base);
  const h = held(frame, outputsData(first, base, rulesFile.rules, false));
  assert.ok(h.outputs?.iforest && h.outputs.forecast, 'the fits travelled');
  assert.deepEqual(h.outputs.fixed, [], 'every detector can be re-thresholded');
  const cases: ViewSettings[] = [
    base,
    { ...base, contamination: 0.05 },
    { ...base, contamination: 'auto' },
    { ...base, interval: 0.95 },
    { ...base, thresholds: { 'cpu-high': 50 } },
    { ...base, detectors: { iforest: false, forecast: true, rules: true } },
    { ...base, detectors: { iforest: true, forecast: false, rules: false } },
  ];
  let withIncidents = 0;
  // Each move from the one before (reusing what it measured, as the page does), and from nothing.
  let last: ReturnType<typeof pageView> = null;
  for (const s of [...cases, ...cases.slice().reverse()]) {
    const host = analysed(frame, s);
    for (const choice of ['major', 'minor', 'all'] as const) {
      const expected = JSON.parse(JSON.stringify(hostView(host, choice)));
      const got = pageView(h.frame, h.outputs, s, choice, last);
      assert.ok(got, `${JSON.stringify(s)} ${choice}`);
      last = got;
      const { bands: _b, ...shown } = got;
      assert.deepEqual(JSON.parse(JSON.stringify(shown)), expected, `${JSON.stringify(s)} ${choice} (moved)`);
      const { bands: _c, ...fresh } = pageView(h.frame, h.outputs, s, choice)!;
      assert.deepEqual(JSON.parse(JSON.stringify(fresh)), expected, `${JSON.stringify(s)} ${choice}`);
      if (choice === 'minor') withIncidents += expected.incidents!.length > 0 ? 1 : 0;
    }
  }
  assert.ok(withIncidents >= 5, `${withIncidents} cases with minor incidents`);
});

test('the band the page draws is the forecaster\'s for the interval shown', () => {
  const frame = sampleFrame();
  const h = held(frame, outputsData(analysed(frame, base), base, rulesFile.rules, false));
  const s = { ...base, interval: 0.9 };
  const fc = analysed(frame, s).forecast!.cpu;
  const v = pageView(h.frame, h.outputs!, s, 'major')!;
  const yhat = h.outputs!.forecast!.cpu.yhat;
  for (const i of [0, 100, 700]) assert.equal(yhat[i] + v.bands!.cpu.half, fc.upper[i]);
  assert.ok(v.bands!.cpu.widest > v.bands!.cpu.half);
});

test('fixed findings (a robust forecast) serve only their own interval; the analysis\'s view gives the incidents then', () => {
  const frame = sampleFrame();
  const first = analysed(frame, base, {}, true);
  assert.equal(first.forecastMode, 'robust');
  const data = outputsData(first, base, rulesFile.rules, false);
  assert.ok(data.fixed.length > 0 && data.fixed.every((a) => a.detector === 'forecast'));
  assert.ok(data.view, 'the incidents cannot be measured from the outputs: the analysis\'s travel');
  const h = held(frame, data);
  assert.equal(pageView(h.frame, h.outputs!, { ...base, interval: 0.9 }, 'major'), null);
  const same = pageView(h.frame, h.outputs!, base, 'major')!;
  assert.deepEqual(JSON.parse(JSON.stringify(same)), JSON.parse(JSON.stringify(hostView(first, 'major'))));
  // A rule's threshold: the findings follow, the incidents (the analysis's) cannot.
  assert.equal(pageView(h.frame, h.outputs!, { ...base, thresholds: { 'cpu-high': 50 } }, 'major'), null);
  // A detector turned on that has no output at all waits for the host.
  const off = { ...base, detectors: { iforest: false, forecast: false, rules: true } };
  const h2 = held(frame, outputsData(analysed(frame, off), off, rulesFile.rules, false));
  assert.equal(pageView(h2.frame, h2.outputs!, base, 'major'), null);
  assert.ok(pageView(h2.frame, h2.outputs!, { ...off, thresholds: { 'cpu-warm': 60 } }, 'major'));
});

test('a slider move reuses the statistics measured before (a contamination renames the forest\'s findings); a detector toggled measures again', () => {
  const frame = sampleFrame();
  const h = held(frame, outputsData(analysed(frame, base), base, rulesFile.rules, false));
  const a = pageView(h.frame, h.outputs!, base, 'major')!;
  const measured = a.basis!.view.measured!;
  for (const s of [{ ...base, thresholds: { 'cpu-high': 60 } }, { ...base, interval: 0.95 }]) assert.equal(pageView(h.frame, h.outputs!, s, 'major', a)!.basis!.view.measured, measured);
  const c = pageView(h.frame, h.outputs!, { ...base, contamination: 0.001 }, 'major', a)!;
  assert.equal(c.basis!.view.measured!.calibrations, measured.calibrations);
  assert.ok(c.basis!.view.measured!.findings.some((x, i) => x !== measured.findings[i] && x.detector === 'iforest' && x.metric === null), 'fewer rows named at 0.1 %');
  const d = pageView(h.frame, h.outputs!, { ...base, detectors: { ...base.detectors, forecast: false } }, 'major', a)!;
  assert.notEqual(d.basis!.view.measured!.calibrations, measured.calibrations);
});

test('settings are the same whatever the order of their keys, and differ by any one value', () => {
  const a = { detectors: { iforest: true, forecast: true, rules: true }, contamination: 'calibrated' as const, interval: 0.8, thresholds: { x: 1, y: 2 } };
  const b = { interval: 0.8, thresholds: { y: 2, x: 1 }, contamination: 'calibrated' as const, detectors: { rules: true, forecast: true, iforest: true } };
  assert.equal(sameSettings(a, b), true);
  assert.equal(sameSettings(a, { ...b, thresholds: { x: 1 } }), false);
  assert.equal(sameSettings(a, { ...b, interval: 0.9 }), false);
  assert.equal(sameSettings(a, { ...b, detectors: { ...b.detectors, rules: false } }), false);
});

test('a file written at a UTC offset: the page\'s view carries the same offset times as the host\'s', () => {
  const frame: Frame = { ...sampleFrame(), utcOffsetMs: 2 * 3_600_000 };
  const first = analysed(frame, base);
  const h = held(frame, outputsData(first, base, rulesFile.rules, false));
  assert.equal(h.frame.utcOffsetMs, 2 * 3_600_000);
  const host = JSON.parse(JSON.stringify(hostView(first, 'major'))) as { incidents: { start: string }[] };
  const got = pageView(h.frame, h.outputs!, base, 'major', null)!;
  assert.ok(host.incidents.length > 0);
  assert.ok(host.incidents.every((i) => i.start.endsWith('+02:00')));
  assert.deepEqual(JSON.parse(JSON.stringify(got.incidents)), host.incidents);
});

test('a Prometheus rule without a severity label (warning) that fires is an incident in the dashboard\'s warning view, not in the default one', () => {
  const frame = sampleFrame();
  const cpu = frame.values[frame.metrics.indexOf('cpu')];
  const high = [...cpu].sort((a, b) => b - a)[20];
  const text = `groups:\n  - name: g\n    rules:\n      - alert: CpuHot\n        expr: cpu > ${high}\n`;
  const { file } = promRulesForCsv(text, lineStarts(text));
  assert.deepEqual(file.rules.map((r) => [r.name, r.severity]), [['CpuHot', 'warning']]);
  const s: ViewSettings = { ...base, detectors: { iforest: false, forecast: false, rules: true } };
  const settings = settingsFor(file, { detectors: s.detectors, contamination: s.contamination, interval: s.interval, thresholds: {}, robust: false });
  const result = runAnalysis(frame, settings, input, {});
  assert.ok(result.anomalies.length > 0, 'the rule fires');
  const outputs = { settings: s, fixed: [], rules: file.rules, view: undefined };
  const warning = pageView(frame, outputs, s, 'warning')!;
  assert.ok(warning.incidents!.length > 0 && warning.incidents!.every((i) => i.severity === 'warning' && i.rules[0] === 'CpuHot'));
  assert.equal(warning.incidentFindings!.length, result.anomalies.length, 'every row the rule fired on is in an incident');
  assert.deepEqual(pageView(frame, outputs, s, 'major')!.incidents, []);
});

test('the sliders\' tooltips say what they change: contamination and interval move "All flagged rows" only, a rule\'s threshold the incidents too', () => {
  const frame = sampleFrame();
  const h = held(frame, outputsData(analysed(frame, base), base, rulesFile.rules, false));
  const spans = (v: ReturnType<typeof pageView>) => v!.incidents!.map((i) => [i.startRow, i.endRow, i.severity]);
  const rows = (v: ReturnType<typeof pageView>) => v!.anomalies.map((a) => `${a.row}:${a.detector}`).join();
  const at = (s: ViewSettings, choice: 'major' | 'all') => pageView(h.frame, h.outputs!, s, choice);
  const before = at(base, 'major');
  assert.ok(before!.incidents!.length > 0);
  for (const [s, tip] of [[{ ...base, contamination: 0.05 }, CONTAMINATION_TIP], [{ ...base, interval: 0.99 }, INTERVAL_TIP]] as const) {
    assert.deepEqual(spans(at(s, 'major')), spans(before), JSON.stringify(s));
    assert.notEqual(rows(at(s, 'all')), rows(at(base, 'all')), JSON.stringify(s));
    assert.match(tip, /"All flagged rows"/);
    assert.match(tip, /incidents do not move/);
  }
  // cpu-warm at 40 (the sample's cpu sits around 40–60): its findings make incidents the view did not have.
  assert.notDeepEqual(spans(at({ ...base, thresholds: { 'cpu-warm': 40 } }, 'major')), spans(before));
  assert.match(ruleTip({ name: 'cpu-warm', metric: 'cpu', op: '>', threshold: 55 }), /^Rule cpu-warm: flags rows where cpu > this threshold \(the rules file says 55\)\. Changes its findings in every view, and the incidents they make/);
});

test('"All flagged rows" lists every finding of every incident (the level, flatness and discord checks\' too), for every slider', () => {
  const frame = sampleFrame();
  const h = held(frame, outputsData(analysed(frame, base), base, rulesFile.rules, false));
  const place = (a: Anomaly) => `${a.row} ${a.detector} ${a.metric} ${a.rule ?? ''} ${checkOf(a) ?? ''}`;
  let checks = 0;
  for (const s of [base, { ...base, contamination: 0.05 }, { ...base, interval: 0.95 }, { ...base, thresholds: { 'cpu-high': 50 } }]) {
    for (const v of [pageView(h.frame, h.outputs!, s, 'all')!, hostView(analysed(frame, s), 'all')]) {
      const listed = new Set(v.anomalies.map(place));
      const inIncidents = findingsIn(v.incidentFindings!, v.incidents!);
      assert.ok(inIncidents.length > 0);
      for (const a of inIncidents) assert.ok(listed.has(place(a)), `${JSON.stringify(s)}: ${place(a)} of an incident is not listed`);
      checks += inIncidents.filter((a) => checkOf(a) !== null).length;
    }
  }
  assert.ok(checks > 0, 'the incidents hold the forecaster\'s checks\' findings');
});
