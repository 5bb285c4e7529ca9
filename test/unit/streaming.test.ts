import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStreamDetector } from '../../src/core/streaming/streamDetector.ts';
import { createNabScorer } from '../../src/core/streaming/nab.ts';
import { RollingMax, RollingMoments, Ring } from '../../src/core/streaming/rolling.ts';
import { gaussianSurprise, gaussianTail } from '../../src/core/streaming/gaussianTail.ts';
import { createRng } from '../../src/core/random.ts';

const STEP = 300_000; // 5 minutes

/** A daily cycle with noise: the kind of metric the detector is built for. */
function dailySeries(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + rng.normal();
  return out;
}

function scoresOf(values: Float64Array, seed = 0): number[] {
  const score = createNabScorer({ seed });
  return Array.from(values, (v, i) => score(i * STEP, v));
}

test('streamDetector is causal: the scores of the first k rows are identical whether the stream has k rows or more', () => {
  const series = dailySeries(3000, 1);
  series[2500] += 40; // an anomaly after the prefix must not reach back
  const full = scoresOf(series);
  for (const k of [1, 149, 150, 700, 2499]) {
    assert.deepEqual(scoresOf(series.subarray(0, k)), full.slice(0, k), `prefix of ${k} rows`);
  }
});

test('streamDetector gives the same scores for the same input and seed, byte for byte', () => {
  const series = dailySeries(1500, 2);
  assert.deepEqual(scoresOf(series, 7), scoresOf(series, 7));
});

test('streamDetector scores an injected spike far above the quiet rows around it', () => {
  const series = dailySeries(2000, 3);
  series[1500] += 60;
  const s = scoresOf(series);
  const quiet = Math.max(...s.slice(1000, 1490));
  assert.ok(s[1500] > 0.5, `spike score ${s[1500]}`);
  assert.ok(s[1500] > 2 * quiet, `spike ${s[1500]} vs quiet max ${quiet}`);
});

test('streamDetector flags a day whose daily peak is missing', () => {
  const rng = createRng(4);
  const n = 288 * 12;
  const series = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const phase = i % 288;
    const day = Math.floor(i / 288);
    const peak = phase >= 100 && phase < 160 && day !== 9 ? 30 : 0;
    series[i] = 10 + peak + rng.normal() * 0.5;
  }
  const s = scoresOf(series);
  const before = Math.max(...s.slice(288 * 4, 288 * 9));
  const missing = Math.max(...s.slice(288 * 9 + 100, 288 * 10));
  assert.ok(missing > 0.5 && missing > before, `missing-peak day ${missing} vs normal days ${before}`);
});

test('streamDetector never scores a constant series', () => {
  const s = scoresOf(new Float64Array(1000).fill(3));
  assert.deepEqual(new Set(s), new Set([0]));
});

test('streamDetector keeps its memory constant over a long stream (1M rows, 2 metrics)', () => {
  const det = createStreamDetector({ metrics: ['a', 'b'], history: 64, likelihoodWindow: 128, warmup: 32, scales: [{ bin: 1, length: 1 }, { bin: 2, length: 4 }] });
  const rng = createRng(5);
  const row = new Float64Array(2);
  const before = det.footprint();
  let footprintAt100k = 0;
  let heapAt100k = 0;
  for (let i = 0; i < 1_000_000; i++) {
    row[0] = rng.normal();
    row[1] = i % 97 === 0 ? NaN : rng.normal() * 10;
    det.update(i * 1000, row);
    if (i === 100_000) {
      footprintAt100k = det.footprint();
      heapAt100k = process.memoryUsage().heapUsed;
    }
  }
  assert.equal(det.footprint(), before);
  assert.equal(footprintAt100k, before);
  assert.equal(det.rows, 1_000_000);
  // Heap noise from the test itself is a few MB; a leak of one number per row would be 8 MB or more.
  assert.ok(process.memoryUsage().heapUsed - heapAt100k < 8e6, 'heap grew by 8 MB or more');
});

test('streamDetector reports which metric drove the score, and skips missing values', () => {
  const det = createStreamDetector({ metrics: ['cpu', 'mem'] });
  const rng = createRng(6);
  let last = det.update(0, [NaN, NaN]);
  assert.deepEqual({ score: last.score, topMetric: last.topMetric, row: last.row }, { score: 0, topMetric: -1, row: 0 });
  for (let i = 1; i < 1200; i++) last = det.update(i * STEP, [50 + rng.normal(), 30 + rng.normal()]);
  const hit = det.update(1200 * STEP, [50 + rng.normal(), 90]);
  assert.equal(hit.topMetric, 1);
  assert.equal(hit.topScale, 0);
  assert.ok(hit.perMetric[1] > 0.5 && hit.perMetric[0] < 0.5, `perMetric ${Array.from(hit.perMetric)}`);
});

test('rolling structures keep exact window statistics', () => {
  const ring = new Ring(3);
  [1, 2, 3, 4].forEach((x) => ring.push(x));
  assert.deepEqual([ring.at(0), ring.at(1), ring.at(2), ring.at(3)], [4, 3, 2, NaN]);
  const mom = new RollingMoments(4);
  [10, 1, 2, 3, 4].forEach((x) => mom.push(x));
  assert.deepEqual({ mean: mom.mean, std: Math.round(mom.std * 1e12) / 1e12, count: mom.count }, { mean: 2.5, std: Math.round(Math.sqrt(1.25) * 1e12) / 1e12, count: 4 });
  const max = new RollingMax(3);
  const seen: number[] = [];
  [5, 1, 2, 3, 0, 0, 0].forEach((x) => { max.push(x); seen.push(max.max); });
  assert.deepEqual(seen, [5, 5, 5, 3, 3, 3, 0]);
});

test('gaussianSurprise is −log10 of the normal tail, finite far past where the tail underflows', () => {
  assert.ok(Math.abs(gaussianSurprise(0) - Math.log10(2)) < 1e-6);
  assert.ok(Math.abs(gaussianSurprise(3) + Math.log10(gaussianTail(3))) < 1e-6);
  assert.ok(Math.abs(gaussianSurprise(3) - 2.8697) < 1e-3); // Q(3) = 1.3499e-3
  assert.ok(Number.isFinite(gaussianSurprise(60)) && gaussianSurprise(60) > gaussianSurprise(40));
});
