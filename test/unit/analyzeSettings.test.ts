import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAnalysis, settingsFor } from '../../src/core/analyze.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
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
    minSeverity: undefined,
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

test('an analysis with hundreds of thousands of findings completes (no argument spread of the whole list)', () => {
  const n = 400_000;
  const cpu = new Float64Array(n).fill(95);
  const frame = frameOf({ cpu }, Float64Array.from({ length: n }, (_, i) => i * 60_000));
  const r = runAnalysis(frame, settingsFor(rules, { detectors: { iforest: false, forecast: false } }), { path: 'x.csv', sha256: '' });
  assert.equal(r.anomalies.length, n);
  assert.equal(r.anomalies[n - 1].row, n - 1);
});

test('a forest already in the cache (scored elsewhere, e.g. on several threads) is used as it is', async () => {
  const { iforestRunOf } = await import('../../src/core/analyze.ts');
  const { detectIsolationForest } = await import('../../src/core/detectors/isolationForest.ts');
  const n = 2000;
  const frame = frameOf({ a: Float64Array.from({ length: n }, (_, i) => Math.sin(i) + (i === 77 ? 9 : 0)), b: Float64Array.from({ length: n }, (_, i) => Math.cos(i * 3)) });
  const settings = settingsFor(null, { detectors: { forecast: false }, contamination: 0.01 });
  const { opts, key } = iforestRunOf(settings);
  const primed = detectIsolationForest(frame, opts);
  const cache = { iforest: { key, model: primed.model ?? null, result: primed } };
  const r = runAnalysis(frame, settings, { path: 'x.csv', sha256: '' }, cache);
  assert.equal(r.scores.iforest, primed.scores, 'the cached scores, not a new fit');
  assert.deepEqual(r.anomalies, runAnalysis(frame, settings, { path: 'x.csv', sha256: '' }).anomalies);
});
