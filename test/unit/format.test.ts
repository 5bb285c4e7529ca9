import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, formatReadable, formatShort, roundSignificant } from '../../src/core/format.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { buildIncidents } from '../../src/core/incidents/incidents.ts';
import type { Anomaly } from '../../src/core/anomaly.ts';

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

test('formatReadable: from a million up, 3 significant digits and an SI prefix; below, formatNumber', () => {
  const cases: [number, string][] = [
    [1.2e9, '1.2G'], [450_200_000, '450M'], [1e6, '1M'], [999_999, '999999'], [999_960_000, '1G'], [-2.5e7, '-25M'],
    [12_345_678_901_234, '12.3T'], [98.46, '98.46'], [12510, '12510'], [0.000123, '0.000123'], [NaN, 'NaN'],
  ];
  for (const [v, s] of cases) assert.equal(formatReadable(v), s, String(v));
});

test('an incident summary reads large values with a prefix (bytes, packets)', () => {
  const frame = frameOf({ disk: Float64Array.from({ length: 20 }, (_, i) => (i === 5 ? 1.2e9 : 3e8)) });
  const a: Anomaly = { row: 5, timestamp: null, detector: 'forecast', metric: 'disk', value: 1.2e9, score: 90, severity: 'critical', message: '' };
  const [incident] = buildIncidents([a], frame, { usual: () => ({ value: 301_234_567, spread: 12_345_678, seasonal: true }) });
  assert.equal(incident.summary, 'disk 1.2G, usually 301M ± 12.3M at this time; forecaster only');
});
