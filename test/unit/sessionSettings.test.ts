import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameOf } from '../../src/core/csv/frame.ts';
import { validateRules } from '../../src/core/rules/validate.ts';
import { changedFrom, defaultDashboardSettings, enabledDetectors, settingsFromRules, slidersOf } from '../../src/extension/sessionSettings.ts';

const rulesOf = (yaml: string) => {
  const v = validateRules(yaml);
  assert.ok(v.rules, JSON.stringify(v.diagnostics));
  return v.rules;
};

const RULES = `version: 1
rules:
  - {name: cpu-high, metric: cpu, op: ">", threshold: 90}
  - {name: mem-low, metric: memory, op: "<", threshold: 5, enabled: false}
  - {name: disk, metric: disk_io, op: ">", threshold: 1}
detectors:
  iforest: {enabled: false}
  forecast: {interval: 0.95}
`;

test("a rules file's detectors: block sets the first settings; without one, the defaults", () => {
  assert.deepEqual(settingsFromRules(null), defaultDashboardSettings());
  const s = settingsFromRules(rulesOf(RULES));
  assert.equal(s.detectors.iforest, false);
  assert.equal(s.detectors.forecast, true);
  assert.equal(s.interval, 0.95);
  assert.equal(s.contamination, 'calibrated');
  // Each call is a fresh object: a session changing its settings does not change the next file's defaults.
  s.detectors.rules = false;
  assert.equal(defaultDashboardSettings().detectors.rules, true);
});

test('the detectors an analysis runs: rules only with a rules file, in the order the worker runs them', () => {
  const all = defaultDashboardSettings();
  assert.deepEqual(enabledDetectors(all, null), ['iforest', 'forecast']);
  assert.deepEqual(enabledDetectors(all, rulesOf(RULES)), ['rules', 'iforest', 'forecast']);
  assert.deepEqual(enabledDetectors(settingsFromRules(rulesOf(RULES)), rulesOf(RULES)), ['rules', 'forecast']);
});

test("one slider per enabled rule whose metric has values, spanning the metric's range and the threshold", () => {
  const frame = frameOf({ cpu: [10, 40, 72.5, NaN], memory: [50, 60, 70, 80], disk_io: [NaN, NaN, NaN, NaN] });
  const sliders = slidersOf(rulesOf(RULES), frame);
  // mem-low is disabled; disk has no value to range over.
  assert.deepEqual(sliders.map((s) => s.name), ['cpu-high']);
  const [cpu] = sliders;
  assert.equal(cpu.threshold, 90);
  assert.ok(cpu.min <= 10 && cpu.max >= 90, `${cpu.min}..${cpu.max}`);
  // A step of a power of ten, about a 200th of the span; the ends on that step.
  assert.equal(cpu.step, 0.1);
  assert.ok(Math.abs(cpu.min / cpu.step - Math.round(cpu.min / cpu.step)) < 1e-9);
});

test("a change made before the rules file was known keeps the rules file's other settings", () => {
  const shown = defaultDashboardSettings();
  const fromRules = settingsFromRules(rulesOf(RULES)); // iforest off, interval 0.95
  // The user turned the forecaster off and moved cpu-high's threshold on the settings shown first.
  const moved = { ...shown, detectors: { ...shown.detectors, forecast: false }, thresholds: { 'cpu-high': 80 } };
  const s = changedFrom(shown, moved, fromRules);
  assert.deepEqual(s.detectors, { iforest: false, forecast: false, rules: true });
  assert.equal(s.interval, 0.95);
  assert.equal(s.contamination, 'calibrated');
  assert.deepEqual(s.thresholds, { 'cpu-high': 80 });
  // Nothing changed: the rules file's settings as they are.
  assert.deepEqual(changedFrom(shown, shown, fromRules), fromRules);
  // A threshold taken back out is taken out.
  assert.deepEqual(changedFrom({ ...shown, thresholds: { disk: 2 } }, shown, { ...fromRules, thresholds: { disk: 2, 'cpu-high': 70 } }).thresholds, { 'cpu-high': 70 });
});

test('a rule on a metric of several series (cpu{host="a"}, …) gets one slider over every series\' values', () => {
  const frame = frameOf({ 'cpu{host="a"}': [10, 20], 'cpu{host="b"}': [95, 150], memory: [1, 2] });
  const sliders = slidersOf(rulesOf(RULES), frame);
  assert.deepEqual(sliders.map((s) => s.name), ['cpu-high']);
  assert.ok(sliders[0].min <= 10 && sliders[0].max >= 150, `${sliders[0].min}..${sliders[0].max}`);
});
