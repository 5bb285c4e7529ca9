import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finiteMedian, quantileSorted, rollingTrimmedMean, sortedAt, statsOf } from '../../src/core/stats.ts';
import { createRng } from '../../src/core/random.ts';

test('finiteMedian skips NaN and infinities, averages the two middles of an even count, NaN when nothing is left', () => {
  assert.equal(finiteMedian(Float64Array.of(5, NaN, 1, Infinity, 3)), 3);
  assert.equal(finiteMedian(Float64Array.of(4, -Infinity, 1, 3, 2)), 2.5);
  assert.ok(Number.isNaN(finiteMedian(Float64Array.of(NaN, Infinity))));
  const values = Float64Array.of(9, 7, 8);
  finiteMedian(values);
  assert.deepEqual(values, Float64Array.of(9, 7, 8), 'the input is not reordered');
});

test('statsOf gives min, max, median and count of the non-NaN values', () => {
  assert.deepEqual(statsOf(Float64Array.of(3, NaN, 1, 2, 10)), { min: 1, max: 10, median: 2.5, count: 4 });
  assert.deepEqual(statsOf(new Float64Array(0)), { min: NaN, max: NaN, median: NaN, count: 0 });
});

test('quantileSorted interpolates linearly between ranks as numpy.percentile does', () => {
  const s = Float64Array.of(1, 2, 3, 4, 10);
  assert.deepEqual([0, 0.25, 0.5, 0.875, 1].map((q) => quantileSorted(s, q)), [1, 2, 3, 7, 10]);
});

test('sortedAt puts the asked positions where a sort puts them, ties and all; with a NaN it sorts', () => {
  const rng = createRng(5);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + rng.int(300);
    const values = Float64Array.from({ length: n }, () => (trial % 2 ? rng.int(5) : rng.next() * 100 - 50));
    const sorted = Float64Array.from(values).sort();
    const at = [...new Set([rng.int(n), rng.int(n), n - 1, 0])].sort((a, b) => a - b);
    const got = sortedAt(values, at);
    for (const k of at) assert.equal(got[k], sorted[k], `trial ${trial}, position ${k}`);
    assert.deepEqual(Float64Array.from(got).sort(), sorted);
  }
  const withNaN = Float64Array.from([3, NaN, 1, 2]);
  assert.deepEqual(sortedAt(withNaN, [1]), Float64Array.from([1, 2, 3, NaN]));
  assert.deepEqual(withNaN, Float64Array.from([3, NaN, 1, 2]));
});

test('rollingTrimmedMean equals the trimmed mean of each window computed directly, NaN and infinities skipped, one value cut at each end at least', () => {
  const rng = createRng(5);
  const x = Float64Array.from({ length: 200 }, () => (rng.next() < 0.1 ? NaN : rng.next() < 0.02 ? Infinity : Math.round(rng.normal() * 10) / 2));
  for (const [w, trim] of [[1, 0.25], [7, 0.05], [12, 0.05], [12, 0.25], [20, 0.5], [9, 0]] as const) {
    const got = rollingTrimmedMean(x, w, trim);
    for (let j = 0; j < x.length; j++) {
      const v = Array.from(x.subarray(j, j + w)).filter((y) => Number.isFinite(y)).sort((a, b) => a - b);
      const m = v.length;
      const cut = trim > 0 && m >= 3 ? Math.min(Math.max(1, Math.floor(m * trim)), (m - 1) >> 1) : 0;
      const kept = v.slice(cut, m - cut);
      const want = j + w > x.length || m * 2 < w || m === 0 ? NaN : kept.reduce((s, y) => s + y, 0) / kept.length;
      if (want !== want) assert.ok(Number.isNaN(got[j]), `w ${w} at ${j}`);
      else assert.ok(Math.abs(got[j] - want) < 1e-9, `w ${w} trim ${trim} at ${j}: ${got[j]} vs ${want}`);
    }
  }
  // A spike in a window of 12 is cut (5 % of 12 rounds down to none): one row does not read as a level.
  const spike = new Float64Array(12).fill(1);
  spike[5] = 1000;
  assert.equal(rollingTrimmedMean(spike, 12, 0.05)[0], 1);
  // A large offset over a long series: no drift of the running sum.
  const big = Float64Array.from({ length: 200_000 }, (_, i) => 1e12 + (i % 7));
  const far = rollingTrimmedMean(big, 60, 0.05);
  const direct = Array.from(big.subarray(199_000, 199_060)).sort((a, b) => a - b).slice(3, 57);
  assert.equal(far[199_000], direct.reduce((s, y) => s + y, 0) / direct.length);
  assert.ok(rollingTrimmedMean(big, 0, 0.05).every((v) => Number.isNaN(v)), 'no window: NaN');
});
