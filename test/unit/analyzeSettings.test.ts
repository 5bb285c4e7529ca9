import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settingsFor } from '../../src/core/analyze.ts';
import { validateRules } from '../../src/core/rules/validate.ts';

const rules = validateRules(`version: 1
rules:
  - {name: hot, metric: cpu, op: ">", threshold: 90}
detectors:
  iforest: {enabled: true, contamination: 0.02, trees: 50, seed: 7, metrics: [cpu]}
  forecast: {enabled: false, interval: 0.9, daily: true, weekly: 3}
`).rules!;

test('settingsFor without a rules file: iforest and forecast on, rules off, seed 0, SPEC defaults left to the detectors', () => {
  assert.deepEqual(settingsFor(null), {
    detectors: { iforest: true, forecast: true, rules: false },
    seed: 0,
    metrics: undefined,
    iforest: { contamination: undefined, trees: undefined, maxSamples: undefined, metrics: undefined },
    forecast: { interval: undefined, robust: false, metrics: undefined, daily: undefined, weekly: undefined, yearly: undefined },
    rules: null,
    thresholds: undefined,
  });
});

test('settingsFor takes the rules file\'s detectors: block, a Fourier order switching a seasonality on', () => {
  assert.ok(rules);
  const s = settingsFor(rules);
  assert.deepEqual(s.detectors, { iforest: true, forecast: false, rules: true });
  assert.equal(s.seed, 7);
  assert.deepEqual(s.iforest, { contamination: 0.02, trees: 50, maxSamples: undefined, metrics: ['cpu'] });
  assert.deepEqual(s.forecast, { interval: 0.9, robust: false, metrics: undefined, daily: true, weekly: true, yearly: undefined });
});

test('settingsFor: explicit choices (CLI flags, dashboard controls) win over the file', () => {
  const s = settingsFor(rules, { detectors: { forecast: true, rules: false }, seed: 3, contamination: 'auto', interval: 0.8, trees: 10, thresholds: { hot: 80 } });
  assert.deepEqual(s.detectors, { iforest: true, forecast: true, rules: false });
  assert.equal(s.seed, 3);
  assert.deepEqual(s.iforest, { contamination: 'auto', trees: 10, maxSamples: undefined, metrics: ['cpu'] });
  assert.equal(s.forecast?.interval, 0.8);
  assert.deepEqual(s.thresholds, { hot: 80 });
});
