import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultStep, parseStep, parseTime, MAX_POINTS_PER_SERIES } from '../../src/core/prometheus/time.ts';
import { parseRangeAnswer } from '../../src/core/prometheus/response.ts';
import type { RangeAnswer } from '../../src/core/prometheus/response.ts';
import { escapeLabelValue, parseQueryArg, seriesNames } from '../../src/core/prometheus/names.ts';
import { dropLookbackCopies, fetchFrame, planPieces, pointsOf, resolveRange, SourceError } from '../../src/core/prometheus/source.ts';
import type { RangeSpec } from '../../src/core/prometheus/source.ts';
import type { NamedQuery } from '../../src/core/prometheus/names.ts';

const NOW = Date.UTC(2025, 2, 10, 12, 0, 0);

test('times: RFC 3339, unix seconds, now, relative; bad ones say what was expected', () => {
  assert.deepEqual(parseTime('2025-03-01T12:00:00Z', NOW), { ok: true, value: Date.UTC(2025, 2, 1, 12) });
  assert.deepEqual(parseTime('2025-03-01T12:00:00.5+01:00', NOW), { ok: true, value: Date.UTC(2025, 2, 1, 11, 0, 0, 500) });
  assert.deepEqual(parseTime('2025-03-01', NOW), { ok: true, value: Date.UTC(2025, 2, 1) });
  assert.deepEqual(parseTime('1740830400', NOW), { ok: true, value: 1740830400_000 });
  assert.deepEqual(parseTime('1740830400.25', NOW), { ok: true, value: 1740830400_250 });
  assert.deepEqual(parseTime('now', NOW), { ok: true, value: NOW });
  assert.deepEqual(parseTime('-7d', NOW), { ok: true, value: NOW - 7 * 86_400_000 });
  assert.deepEqual(parseTime('now-1h30m', NOW), { ok: true, value: NOW - 90 * 60_000 });
  for (const bad of ['yesterday', '-7 days', '2025-03-01T12:00:00', '2025-13-45T00:00:00Z', '']) {
    const r = parseTime(bad, NOW);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.message, /expected/);
  }
});

test('steps: durations and seconds; the default keeps a range under the points limit with a round step', () => {
  assert.deepEqual(parseStep('1m'), { ok: true, value: 60_000 });
  assert.deepEqual(parseStep('90'), { ok: true, value: 90_000 });
  assert.deepEqual(parseStep('0.5'), { ok: true, value: 500 });
  assert.equal(parseStep('0').ok, false);
  assert.equal(parseStep('-1m').ok, false);
  assert.equal(parseStep('1 minute').ok, false);
  assert.equal(defaultStep(7 * 86_400_000), 60_000); // 7 d / 11,000 ≈ 55 s → 1 m
  assert.equal(defaultStep(3_600_000), 60_000, 'never finer than 1m: a finer step repeats each sample of minute data');
  assert.equal(defaultStep(30 * 86_400_000), 300_000);
  for (const range of [1, 60_000, 86_400_000, 7 * 86_400_000, 400 * 86_400_000, 40 * 365 * 86_400_000]) {
    const step = defaultStep(range);
    assert.ok(Math.floor(range / step) + 1 <= MAX_POINTS_PER_SERIES, `range ${range}: step ${step}`);
  }
});

test('resolveRange: defaults (end now, start end−7d), alignment to the step, and errors', () => {
  const r = resolveRange({}, NOW + 1234);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.value.stepMs, 60_000);
  assert.equal(r.value.endMs, NOW);
  assert.equal(r.value.startMs, NOW - 7 * 86_400_000);
  assert.equal(pointsOf(r.value), 7 * 1440 + 1);
  const bad = resolveRange({ start: '-1h', end: '-2h' }, NOW);
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.match(bad.message, /--start .* must be before --end/);
  const tiny = resolveRange({ start: '-400d', step: '1s' }, NOW);
  assert.equal(tiny.ok, false);
  if (!tiny.ok) assert.match(tiny.message, /larger --step/);
  const step = resolveRange({ step: 'x' }, NOW);
  assert.equal(step.ok, false);
  if (!step.ok) assert.match(step.message, /^--step: 'x' is not a step/);
});

test('planPieces: every grid point in exactly one piece, each under 11,000 points', () => {
  for (const points of [1, 2, 10_999, 11_000, 11_001, 43_201, 100_000]) {
    const r: RangeSpec = { startMs: 1_000_000_020_000, endMs: 1_000_000_020_000 + (points - 1) * 20_000, stepMs: 20_000 };
    const pieces = planPieces(r);
    assert.equal(pieces.length, Math.ceil(points / 11_000));
    let expect = r.startMs;
    for (const p of pieces) {
      assert.equal(p.startMs, expect);
      assert.ok(pointsOf(p) <= 11_000);
      assert.ok((p.endMs - p.startMs) / p.stepMs < 11_000, 'Prometheus: (end - start) / step must stay under 11,000');
      expect = p.endMs + r.stepMs;
    }
    assert.equal(expect, r.endMs + r.stepMs);
    assert.equal(pieces.reduce((n, p) => n + pointsOf(p), 0), points);
  }
});

test('parseRangeAnswer: matrix, NaN and Inf as missing, warnings, error envelope, non-JSON, wrong result type', () => {
  const ok = parseRangeAnswer(JSON.stringify({
    status: 'success', warnings: ['partial\nresponse'],
    data: { resultType: 'matrix', result: [{ metric: { __name__: 'up', job: 'a' }, values: [[1700000000, '1'], [1700000015.5, 'NaN'], [1700000030, '+Inf'], [1700000045, '-2.5e3']] }] },
  }));
  assert.ok(ok.ok);
  if (!ok.ok) return;
  assert.deepEqual(ok.warnings, ['partial response']);
  assert.deepEqual(Array.from(ok.series[0].times), [1700000000000, 1700000015500, 1700000030000, 1700000045000]);
  assert.deepEqual(Array.from(ok.series[0].values), [1, NaN, NaN, -2500]);
  assert.equal(ok.series[0].nonFinite, 2);
  assert.deepEqual({ ...ok.series[0].labels }, { __name__: 'up', job: 'a' });

  const err = parseRangeAnswer('{"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": 1:6: parse error: unexpected right parenthesis \')\'"}');
  assert.deepEqual(err, { ok: false, errorType: 'bad_data', message: 'invalid parameter "query": 1:6: parse error: unexpected right parenthesis \')\'' });
  const html = parseRangeAnswer('<html>\n<body>Bad Gateway</body></html>');
  assert.equal(html.ok, false);
  if (!html.ok) assert.match(html.message, /not the JSON of a Prometheus API \(it starts with "<html> <body>Bad Gateway/);
  const vector = parseRangeAnswer('{"status":"success","data":{"resultType":"vector","result":[]}}');
  assert.equal(vector.ok, false);
  if (!vector.ok) assert.match(vector.message, /expected a range result/);
  const sample = parseRangeAnswer('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[["x","1"]]}]}}');
  assert.equal(sample.ok, false);
});

test('query arguments and series names: NAME=PROMQL, label sets, escaping', () => {
  assert.deepEqual(parseQueryArg('cpu=100 * (1 - avg(rate(x{mode="idle"}[5m])))'), { ok: true, query: { name: 'cpu', promql: '100 * (1 - avg(rate(x{mode="idle"}[5m])))' } });
  assert.deepEqual(parseQueryArg('node_load1'), { ok: true, query: { name: 'node_load1', promql: 'node_load1' } });
  assert.deepEqual(parseQueryArg('up==1'), { ok: true, query: { name: 'up==1', promql: 'up==1' } });
  assert.deepEqual(parseQueryArg('x{a=~"b"}'), { ok: true, query: { name: 'x{a=~"b"}', promql: 'x{a=~"b"}' } });
  assert.equal(parseQueryArg('cpu=').ok, false);
  assert.equal(escapeLabelValue('a"b\\c\nd\x01'), 'a\\"b\\\\c\\nd\\x01');
  assert.deepEqual(seriesNames('cpu', [{ __name__: 'x', instance: 'a' }]), ['cpu']);
  assert.deepEqual(seriesNames('cpu', [{ __name__: 'x', mode: 'idle', instance: 'a"1' }, { __name__: 'x', instance: 'b' }]), ['cpu{instance="a\\"1",mode="idle"}', 'cpu{instance="b"}']);
  assert.deepEqual(seriesNames('q', [{ __name__: 'a' }, { __name__: 'b' }]), ['q{__name__="a"}', 'q{__name__="b"}']);
});

/** Answers from a table of series (label set → samples by epoch ms), restricted to the piece like a server. */
function tableFetcher(data: Record<string, { labels: Record<string, string>; samples: [number, number][] }[]>, log: RangeSpec[] = []) {
  return async (q: NamedQuery, piece: RangeSpec): Promise<RangeAnswer> => {
    log.push(piece);
    const series = (data[q.promql] ?? []).map((s) => {
      const inside = s.samples.filter(([t]) => t >= piece.startMs && t <= piece.endMs && (t - piece.startMs) % piece.stepMs === 0);
      return { labels: s.labels, times: Float64Array.from(inside.map(([t]) => t)), values: Float64Array.from(inside.map(([, v]) => v)), nonFinite: 0 };
    }).filter((s) => s.times.length > 0);
    return { ok: true, series, warnings: [], nativeHistograms: 0 };
  };
}

test('fetchFrame: several queries and series joined on one grid; gaps stay missing, empty rows dropped; pieces joined without loss', async () => {
  const step = 60_000;
  const start = Date.UTC(2025, 0, 1);
  const n = 25_000; // three pieces
  const a: [number, number][] = [];
  const b: [number, number][] = [];
  const c: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * step;
    if (i < 100 || i >= 200) a.push([t, i]); // a gap in a, rows 100–199
    if (i % 2 === 0 && (i < 5000 || i > 6000)) b.push([t, -i]); // b every other point; rows 5000–6000 empty in both where a also has nothing
    // Not flat at its end: a flat end of a stopped series is read as Prometheus's lookback copies (dropLookbackCopies).
    if (i >= 12_000 && i < 12_010) c.push([t, 7 + (i - 12_000) / 10]);
  }
  // Rows 5001–6000 (odd): a has values, so only rows where neither a nor b has one and c has none are dropped: 100–199 odd.
  const log: RangeSpec[] = [];
  const fetcher = tableFetcher({
    'sum(x)': [{ labels: {}, samples: a }],
    'y': [{ labels: { __name__: 'y', host: 'h1' }, samples: b }, { labels: { __name__: 'y', host: 'h0' }, samples: c }],
    'none': [],
  }, log);
  const queries: NamedQuery[] = [{ name: 'total', promql: 'sum(x)' }, { name: 'y', promql: 'y' }, { name: 'nothing', promql: 'none' }];
  const got = await fetchFrame(queries, { startMs: start, endMs: start + (n - 1) * step, stepMs: step }, fetcher);
  assert.equal(log.length, 9);
  const f = got.frame;
  assert.deepEqual(f.metrics, ['total', 'y{host="h0"}', 'y{host="h1"}']);
  assert.equal(f.timestampColumn, 'timestamp');
  assert.equal(f.rows, n - 50); // rows 101, 103, …, 199 have no value at all
  const at = (i: number) => Array.prototype.indexOf.call(f.timestamps, start + i * step) as number;
  assert.equal(at(101), -1);
  assert.ok(at(100) >= 0);
  assert.ok(Number.isNaN(f.values[0][at(100)]), 'a gap is missing, not zero');
  assert.equal(f.values[2][at(100)], -100);
  assert.equal(f.values[0][at(11_000)], 11_000, 'the first point of the second piece');
  assert.equal(f.values[0][at(10_999)], 10_999, 'the last point of the first piece');
  assert.equal(f.values[1][at(12_005)], 7.5);
  assert.ok(Number.isNaN(f.values[1][at(12_010)]));
  // No duplicate and no lost row: timestamps strictly increasing, every value of a present.
  for (let i = 1; i < f.rows; i++) assert.ok(f.timestamps![i] > f.timestamps![i - 1]);
  assert.equal(f.values[0].filter((v) => !Number.isNaN(v)).length, a.length);
  assert.equal(f.values[2].filter((v) => !Number.isNaN(v)).length, b.length);
  assert.equal(f.stepMs, step);
  assert.deepEqual(Array.from(f.lines.subarray(0, 3)), [2, 3, 4]);
  assert.ok(got.notes.some((m) => /query "nothing" returned no data/.test(m)), got.notes.join('\n'));
  assert.deepEqual(got.columns.map((c) => c.names), [['total'], ['y{host="h0"}', 'y{host="h1"}'], []]);
});

test('fetchFrame: a server error names the query; no data at all says so', async () => {
  const r: RangeSpec = { startMs: 0, endMs: 600_000, stepMs: 60_000 };
  await assert.rejects(fetchFrame([{ name: 'cpu', promql: 'rate(' }], r, async () => ({ ok: false, errorType: 'bad_data', message: '1:6: parse error: unexpected end of input' })),
    (e: Error) => e instanceof SourceError && e.message === 'query "cpu": bad_data: 1:6: parse error: unexpected end of input');
  await assert.rejects(fetchFrame([{ name: 'cpu', promql: 'x' }], r, tableFetcher({})),
    (e: Error) => e instanceof SourceError && /the query "cpu" returned no data between 1970-01-01T00:00:00.000Z and 1970-01-01T00:10:00.000Z/.test(e.message));
  await assert.rejects(fetchFrame([{ name: 'a', promql: 'x' }, { name: 'b', promql: 'y' }], r, tableFetcher({})), /none of the 2 queries returned data/);
});

test('fetchFrame: a series of only NaN is left out with a note; same names from two queries are told apart', async () => {
  const r: RangeSpec = { startMs: 0, endMs: 120_000, stepMs: 60_000 };
  const fetcher = async (q: NamedQuery): Promise<RangeAnswer> => ({
    ok: true, warnings: [], nativeHistograms: 0,
    series: q.promql === 'nan'
      ? [{ labels: {}, times: Float64Array.of(0, 60_000), values: Float64Array.of(NaN, NaN), nonFinite: 2 }]
      : [{ labels: {}, times: Float64Array.of(0, 60_000, 120_000), values: Float64Array.of(1, 2, 3), nonFinite: 0 }],
  });
  const got = await fetchFrame([{ name: 'm', promql: 'one' }, { name: 'm', promql: 'two' }, { name: 'n', promql: 'nan' }], r, fetcher);
  assert.deepEqual(got.frame.metrics, ['m', 'm_2']);
  assert.ok(got.notes.some((m) => /has no finite value/.test(m)));
  assert.ok(got.notes.some((m) => /2 NaN or infinite samples read as missing/.test(m)));
});

test('a fetched frame written as CSV reads back as the same frame (names with quotes and commas, gaps)', async () => {
  const { frameCsvChunks } = await import('../../src/core/prometheus/csvText.ts');
  const { parseCsv } = await import('../../src/core/csv/parse.ts');
  const { frameOf } = await import('../../src/core/csv/frame.ts');
  const t = [0, 1, 2, 3].map((i) => Date.UTC(2025, 0, 1) + i * 60_000);
  const f = frameOf({ 'm{a="x,\\"y"}': [1.5, NaN, -3, 4e-7], 'm{a="z"}': [NaN, 2, 3, 1e21] }, t);
  const back = parseCsv([...frameCsvChunks(f)].join('')).frame!;
  assert.deepEqual(back.metrics, f.metrics);
  assert.deepEqual(Array.from(back.timestamps!), t);
  assert.deepEqual(back.values.map((v) => Array.from(v)), f.values.map((v) => Array.from(v)));
});

test('dropLookbackCopies: the copies of a last sample after a series stops are dropped, one lookback at most; a series going on is left alone', () => {
  const NaN_ = Number.NaN;
  const min = 60_000;
  // Stopped at index 3; Prometheus repeated its value on the next 5 one-minute points.
  const stopped = new Float64Array([1, 2, 3, 7, 7, 7, 7, 7, 7, NaN_, NaN_]);
  assert.equal(dropLookbackCopies(stopped, min), 5);
  assert.deepEqual([...stopped].map((v) => (Number.isNaN(v) ? null : v)), [1, 2, 3, 7, null, null, null, null, null, null, null]);
  // A long flat run before the stop: only one lookback's worth (5 points) goes; at a 2-minute step, 2.
  const flat = new Float64Array([5, 5, 5, 5, 5, 5, 5, 5, 5, 5, NaN_]);
  assert.equal(dropLookbackCopies(flat, min), 5);
  assert.equal(flat.filter((v) => !Number.isNaN(v)).length, 5);
  assert.equal(dropLookbackCopies(new Float64Array([5, 5, 5, 5, 5, NaN_]), 2 * min), 2);
  // Still going at the end of the range, or a last value not repeated, or a step over the lookback: nothing dropped.
  assert.equal(dropLookbackCopies(new Float64Array([1, 7, 7, 7]), min), 0);
  assert.equal(dropLookbackCopies(new Float64Array([1, 2, 3, NaN_]), min), 0);
  assert.equal(dropLookbackCopies(new Float64Array([7, 7, NaN_]), 10 * min), 0);
  assert.equal(dropLookbackCopies(new Float64Array([NaN_, NaN_]), min), 0);
});
