import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Evidence, COMBINE_RADIUS } from '../../src/core/incidents/combine.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { runAnalysis, settingsFor } from '../../src/core/analyze.ts';
import { createRng } from '../../src/core/random.ts';

test('combined evidence: the second strongest statistic within the radius, found where one of them is', () => {
  const n = 300;
  const a = new Float64Array(n), b = new Float64Array(n);
  a[100] = 5;
  b[108] = 3;
  const ev = new Evidence(n);
  ev.add('A', a);
  ev.add('B', b);
  assert.equal(COMBINE_RADIUS, 10);
  // Both near rows 98–110: the weaker of the two is the combined evidence; elsewhere one alone is no agreement.
  for (const i of [98, 104, 110]) assert.equal(ev.second[i], 3, `row ${i}`);
  for (const i of [89, 97, 111, 118]) assert.equal(ev.second[i], 0, `row ${i}`);
  assert.deepEqual(ev.partsAt(104), ['A', 'B']);
  assert.deepEqual(ev.partsAt(115), ['B']);
  // Findings where a statistic itself is, at least half as strong as the strongest near it: not the rows between.
  assert.equal(ev.isPeak(100), true);
  assert.equal(ev.isPeak(108), true);
  assert.equal(ev.isPeak(104), false);
  const weak = new Evidence(n);
  weak.add('A', a);
  const c = new Float64Array(n);
  c[105] = 1;
  weak.add('C', c);
  assert.equal(weak.isPeak(105), false, 'a faint statistic beside a strong one is not where the event is');
});

test('combined evidence: the view calibrates each metric\'s combination and counts it among the places tested', () => {
  const rng = createRng(3);
  const n = 14 * 288;
  const a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) { a[i] = 40 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * rng.normal(); b[i] = 10 + rng.normal(); }
  const frame = frameOf({ a, b }, Float64Array.from({ length: n }, (_, i) => Date.UTC(2025, 0, 6) + i * 300_000));
  const view = runAnalysis(frame, settingsFor(null, {}), { path: 'c.csv', sha256: '' }).view!;
  // The forest, and per metric the residual, two level changes, the flatness and their combination: 11 a row.
  for (const m of ['a', 'b']) assert.equal(view.calibrations[`combined:${m}`]?.testsPerDay, 288 * 11, m);
  for (const f of view.findings.filter((x) => x.message.includes('unusual together'))) assert.match(f.message, /^[ab] [\d.-]+: .+ and .+ unusual together/);
});
