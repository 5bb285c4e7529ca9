import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finiteMedian, quantileSorted, statsOf } from '../../src/core/stats.ts';

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
