import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, formatShort, roundSignificant } from '../../src/core/format.ts';

test('formatNumber prints integers as is and others to six significant digits', () => {
  assert.deepEqual([formatNumber(90), formatNumber(93.456789), formatNumber(0.000123456789), formatNumber(NaN), formatNumber(-Infinity)],
    ['90', '93.4568', '0.000123457', 'NaN', '-Infinity']);
});

test('formatNumber with 4 digits and whole numbers from 1000 (the Isolation Forest explanation)', () => {
  assert.deepEqual([1234.567, 12345.67, 999.96, 0.00123456, 123456, -54321.5].map((x) => formatNumber(x, 4, 1000)),
    ['1235', '12346', '1000', '0.001235', '123456', '-54321']);
  assert.deepEqual([12345.67, 123456].map((x) => formatNumber(x, 4)), ['12350', '123456']);
});

test('roundSignificant rounds to significant digits and keeps NaN and infinities', () => {
  assert.deepEqual([roundSignificant(123456, 4), roundSignificant(0.012345, 3), roundSignificant(-987.65, 2), roundSignificant(Infinity, 3)],
    [123500, 0.0123, -990, Infinity]);
  assert.ok(Number.isNaN(roundSignificant(NaN, 3)));
});

test('formatShort fits a narrow place: a dash for missing, thousands separated, one decimal from 10, else 3 digits', () => {
  assert.deepEqual([NaN, 1234567.8, -1500, 42.345, 3.14159, 0.000120, 0].map(formatShort),
    ['—', '1,234,568', '-1,500', '42.3', '3.14', '0.00012', '0']);
});
