import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameOf } from '../../src/core/csv/frame.ts';
import type { Frame } from '../../src/core/csv/frame.ts';
import { createRng } from '../../src/core/random.ts';
import { severityOf } from '../../src/core/severity.ts';
import { detectIsolationForest, fitIsolationForest, scoreIsolationForest, severityScore } from '../../src/core/detectors/isolationForest.ts';
import { averagePathLength } from '../../src/core/detectors/isolationForestModel.ts';
import { detectIsolationForestParallel, scoreIsolationForestParallel, startScoringThreads } from '../../src/node/parallelScore.ts';

const H = (i: number) => Math.log(i) + 0.5772156649;
const cFormula = (n: number) => 2 * H(n - 1) - (2 * (n - 1)) / n;

/** n rows of independent standard normal metrics, seeded. */
function gaussian(n: number, metrics: string[], seed = 1): Record<string, Float64Array> {
  const rng = createRng(seed);
  const cols: Record<string, Float64Array> = {};
  for (const m of metrics) cols[m] = Float64Array.from({ length: n }, () => rng.normal());
  return cols;
}

function argmax(a: Float64Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

test('c(n) is 0 for n ≤ 1, 1 for n = 2 and 2H(n−1) − 2(n−1)/n above', () => {
  assert.equal(averagePathLength(0), 0);
  assert.equal(averagePathLength(1), 0);
  assert.equal(averagePathLength(2), 1);
  for (const n of [3, 10, 100, 256, 1000]) assert.ok(Math.abs(averagePathLength(n) - cFormula(n)) < 1e-9, `c(${n})`);
  assert.ok(Math.abs(averagePathLength(256) - 10.2448) < 1e-4);
});

test('a single obvious outlier scores highest, above 0.6, and is the one critical-looking anomaly', () => {
  const cols = gaussian(300, ['cpu', 'memory']);
  cols.cpu[123] = 10;
  cols.memory[123] = 10;
  const result = detectIsolationForest(frameOf(cols), { seed: 3 });
  assert.equal(argmax(result.scores), 123);
  assert.ok(result.scores[123] > 0.6, `score ${result.scores[123]}`);
  assert.equal(result.flagged[123], 1);
  const top = result.anomalies.reduce((a, b) => (b.score > a.score ? b : a));
  assert.equal(top.row, 123);
});

test('identical points all score exactly 0.5 and detect skips them with a warning', () => {
  const frame = frameOf({ a: new Float64Array(50).fill(4), b: new Float64Array(50).fill(-1) });
  const scores = scoreIsolationForest(fitIsolationForest(frame), frame);
  // Every path is c(ψ) long (the root is a leaf of ψ rows): 2^(−1), up to the rounding of the sum over trees.
  assert.equal(scores.length, 50);
  for (const s of scores) assert.ok(Math.abs(s - 0.5) < 1e-12, `score ${s}`);
  const result = detectIsolationForest(frame);
  assert.deepEqual(
    { scores: result.scores.length, flagged: result.flagged.length, anomalies: result.anomalies, threshold: result.threshold, warnings: result.warnings },
    { scores: 0, flagged: 0, anomalies: [], threshold: NaN, warnings: ['iforest skipped: no metric varies (every row has the same values)'] },
  );
});

test('a constant column changes no score and never gets the blame', () => {
  const cols = gaussian(200, ['cpu']);
  cols.cpu[10] = 9;
  const alone = detectIsolationForest(frameOf(cols), { seed: 5 });
  const withConstant = detectIsolationForest(frameOf({ cpu: cols.cpu, version: new Float64Array(200).fill(7) }), { seed: 5 });
  assert.deepEqual(withConstant.scores, alone.scores);
  assert.ok(withConstant.anomalies.length > 0);
  for (const a of withConstant.anomalies) assert.equal(a.metric, 'cpu');
  const d = withConstant.attribution.metrics.length;
  for (let i = 0; i < withConstant.attribution.rows.length; i++) assert.equal(withConstant.attribution.shares[i * d + 1], 0);
});

test('with fewer than 256 rows every row is sampled and the depth limit is ceil(log2 n)', () => {
  const frame = frameOf(gaussian(100, ['a', 'b']));
  const result = detectIsolationForest(frame, { seed: 1 });
  assert.equal(result.scores.length, 100);
  assert.deepEqual(result.settings, {
    trees: 100, maxSamples: 100, maxFeatures: 1, bootstrap: false, maxDepth: 7, contamination: 'calibrated',
    threshold: result.threshold, seed: 1, metrics: ['a', 'b'], missingValues: 'median',
  });
  // The calibrated default flags the rows of the modelled tail: 20 of 100 (a third of a short series at most).
  assert.equal(result.anomalies.length, 20);
  for (const s of result.scores) assert.ok(s > 0 && s <= 1);
  assert.deepEqual(result.warnings, []);
});

test('a missing value is read as its metric median: the row scores as if it held the median', () => {
  const cols = gaussian(101, ['a', 'b']);
  const withNaN = { a: Float64Array.from(cols.a), b: cols.b };
  withNaN.a[7] = NaN;
  const frame = frameOf(withNaN);
  const model = fitIsolationForest(frame, { seed: 2 });
  // Median of the 100 remaining values of a.
  const rest = Float64Array.from(cols.a.filter((_, i) => i !== 7)).sort();
  assert.equal(model.fill[0], (rest[49] + rest[50]) / 2);
  const filled = frameOf({ a: Float64Array.from(withNaN.a, (v) => (Number.isNaN(v) ? model.fill[0] : v)), b: cols.b });
  assert.deepEqual(scoreIsolationForest(model, frame), scoreIsolationForest(model, filled));
  const result = detectIsolationForest(frame, { seed: 2 });
  assert.deepEqual(result.warnings, ["iforest: 1 row has missing values; each missing value was read as its metric's median"]);
});

test('a row with every value missing gets a finite score and the anomaly never names a missing metric', () => {
  const cols = gaussian(200, ['a', 'b']);
  cols.a[0] = NaN;
  cols.b[0] = NaN;
  cols.a[1] = NaN;
  cols.b[1] = 25;
  const result = detectIsolationForest(frameOf(cols), { seed: 4 });
  assert.ok(Number.isFinite(result.scores[0]) && result.scores[0] < 0.5);
  const row1 = result.anomalies.find((a) => a.row === 1);
  assert.deepEqual({ metric: row1?.metric, value: row1?.value }, { metric: 'b', value: 25 });
});

test('the same seed gives identical scores; another seed grows different trees', () => {
  const frame = frameOf(gaussian(500, ['a', 'b', 'c']));
  const a = fitIsolationForest(frame, { seed: 11 });
  const b = fitIsolationForest(frame, { seed: 11 });
  const c = fitIsolationForest(frame, { seed: 12 });
  assert.deepEqual(b, a);
  assert.deepEqual(scoreIsolationForest(b, frame), scoreIsolationForest(a, frame));
  assert.notDeepEqual(c.threshold, a.threshold);
  assert.notDeepEqual(scoreIsolationForest(c, frame), scoreIsolationForest(a, frame));
});

test('contamination auto flags exactly the scores above 0.5', () => {
  const result = detectIsolationForest(frameOf(gaussian(400, ['a', 'b'])), { seed: 1, contamination: 'auto' });
  assert.equal(result.threshold, 0.5);
  for (let i = 0; i < result.scores.length; i++) assert.equal(result.flagged[i], result.scores[i] > 0.5 ? 1 : 0);
  assert.deepEqual(result.anomalies.map((a) => a.row), Array.from(result.flagged.keys()).filter((i) => result.flagged[i]));
});

test('contamination 0.1 puts the threshold at the 90th percentile (numpy linear) and flags the top 10 %', () => {
  const result = detectIsolationForest(frameOf(gaussian(200, ['a', 'b'])), { seed: 1, contamination: 0.1 });
  const sorted = Float64Array.from(result.scores).sort();
  const pos = 199 * 0.9;
  const expected = sorted[Math.floor(pos)] + (sorted[Math.floor(pos) + 1] - sorted[Math.floor(pos)]) * (pos - Math.floor(pos));
  assert.equal(result.threshold, expected);
  assert.equal(result.flagged.reduce((s, v) => s + v, 0), 20);
  assert.equal(result.anomalies.length, 20);
  for (const a of result.anomalies) assert.ok(result.scores[a.row] > expected);
});

test('attribution picks the injected metric on a synthetic multi-metric case', () => {
  const cols = gaussian(1000, ['cpu', 'memory', 'disk_io', 'net_in']);
  // Different scales: the trees must not care.
  for (let i = 0; i < 1000; i++) { cols.net_in[i] = 1e9 + cols.net_in[i] * 1e7; cols.cpu[i] = 50 + 5 * cols.cpu[i]; }
  cols.memory[100] = 7;
  cols.disk_io[400] = -7.5;
  cols.net_in[700] = 1e9 + 8e7;
  cols.cpu[900] = 95;
  const result = detectIsolationForest(frameOf(cols), { seed: 7 });
  const byRow = (row: number) => result.anomalies.find((a) => a.row === row);
  assert.deepEqual(
    [100, 400, 700, 900].map((r) => ({ row: r, metric: byRow(r)?.metric, value: byRow(r)?.value })),
    [
      { row: 100, metric: 'memory', value: 7 },
      { row: 400, metric: 'disk_io', value: -7.5 },
      { row: 700, metric: 'net_in', value: 1e9 + 8e7 },
      { row: 900, metric: 'cpu', value: 95 },
    ],
  );
  const i = Array.from(result.attribution.rows).indexOf(100);
  const shares = Array.from(result.attribution.shares.subarray(i * 4, i * 4 + 4));
  assert.ok(shares[1] > 0.5, `memory share ${shares[1]}`);
  assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test('scores do not change when a metric is rescaled', () => {
  const cols = gaussian(300, ['a', 'b']);
  const scaled = { a: cols.a.map((v) => v * 1024), b: cols.b };
  assert.deepEqual(detectIsolationForest(frameOf(scaled), { seed: 9 }).scores, detectIsolationForest(frameOf(cols), { seed: 9 }).scores);
});

test('the severity score puts the threshold at the bottom of the warning band and half its path length at 51.5', () => {
  assert.equal(severityScore(0.5, 0.5), 0);
  assert.equal(severityScore(0.5000001, 0.5), 3);
  assert.equal(severityOf(severityScore(0.5000001, 0.5)), 'warning');
  assert.equal(severityScore(Math.SQRT1_2, 0.5), 51.5);
  assert.equal(severityScore(1, 0.5), 100);
  assert.equal(severityScore(NaN, 0.5), 0);
  // With a contamination threshold below 0.5 the same rule applies to its path length.
  assert.equal(severityScore(Math.pow(0.4, 0.5), 0.4), 51.5);
});

test('an anomaly is the SPEC §3 object with a message naming the value, the score and the shares', () => {
  const cols = gaussian(300, ['cpu', 'memory']);
  cols.cpu[42] = 12;
  const ts = Float64Array.from({ length: 300 }, (_, i) => Date.UTC(2024, 0, 1) + i * 60_000);
  const result = detectIsolationForest(frameOf(cols, ts), { seed: 1, contamination: 'auto' });
  const a = result.anomalies.find((x) => x.row === 42);
  assert.ok(a);
  const score = severityScore(result.scores[42], 0.5);
  const i = Array.from(result.attribution.rows).indexOf(42);
  const cpu = Math.round(result.attribution.shares[i * 2] * 100);
  const memory = Math.round(result.attribution.shares[i * 2 + 1] * 100);
  assert.deepEqual(a, {
    row: 42, timestamp: '2024-01-01T00:42:00.000Z', detector: 'iforest', metric: 'cpu', value: 12, score,
    severity: severityOf(score),
    message: `cpu 12 is unusual (iforest score ${result.scores[42].toFixed(2)} > 0.50; isolated by cpu ${cpu}%`
      + `${memory > 0 ? `, memory ${memory}%` : ''})`,
  });
  assert.ok(cpu > 80);
});

test('detect never throws: no rows, unknown or empty metrics, invalid options give a warning', () => {
  const empty: Frame = frameOf({ a: [] });
  assert.deepEqual(detectIsolationForest(empty).warnings, ['iforest skipped: the data has no rows']);
  const frame = frameOf({ a: [1, 2, 3], gone: [NaN, NaN, NaN] });
  assert.deepEqual(detectIsolationForest(frame, { metrics: ['nope'] }).warnings, [
    "iforest: no metric named 'nope' in the data; ignored",
    'iforest skipped: no numeric metric to analyse',
  ]);
  const partial = detectIsolationForest(frame);
  assert.deepEqual(partial.warnings, ["iforest: 'gone' has no values; ignored"]);
  assert.equal(partial.scores.length, 3);
  assert.deepEqual(detectIsolationForest(frame, { contamination: 0.7 }).warnings, [
    "iforest skipped: contamination must be 'calibrated', 'auto' or a number in (0, 0.5], got 0.7",
  ]);
  assert.deepEqual(detectIsolationForest(frameOf({ a: [5] })).warnings, ['iforest skipped: no metric varies (every row has the same values)']);
});

test('options: trees, max samples, max features and bootstrap are honoured', () => {
  const frame = frameOf(gaussian(1000, ['a', 'b', 'c', 'd']));
  const model = fitIsolationForest(frame, { trees: 10, maxSamples: 64, maxFeatures: 0.5, bootstrap: true, seed: 3 });
  assert.equal(model.roots.length, 10);
  assert.equal(model.maxSamples, 64);
  assert.equal(model.maxDepth, 6);
  for (let t = 0; t < 10; t++) {
    assert.equal(model.size[model.roots[t]], 64);
    assert.ok(model.depths[t] <= 6);
    // Each tree splits on at most two of the four metrics.
    const end = t + 1 < 10 ? model.roots[t + 1] : model.feature.length;
    const used = new Set<number>();
    for (let k = model.roots[t]; k < end; k++) if (model.left[k] !== k) used.add(model.feature[k]);
    assert.ok(used.size <= 2, `tree ${t} uses ${used.size} metrics`);
  }
  assert.equal(fitIsolationForest(frame, { maxSamples: 0.1 }).maxSamples, 100);
  assert.equal(fitIsolationForest(frame, { maxSamples: 5000 }).maxSamples, 1000);
});

test('parallel scoring on worker threads gives the single-thread scores and result bit for bit', async () => {
  const frame = frameOf(gaussian(120_000, ['a', 'b', 'c']));
  frame.values[1][5] = NaN;
  const model = fitIsolationForest(frame, { seed: 21, trees: 20 });
  assert.deepEqual(await scoreIsolationForestParallel(model, frame, 2), scoreIsolationForest(model, frame));
  const options = { seed: 21, trees: 20, contamination: 0.01 };
  assert.deepEqual(await detectIsolationForestParallel(frame, options, 2), detectIsolationForest(frame, options));
});

test('workers started ahead score the same; those not needed are closed', async () => {
  const frame = frameOf(gaussian(160_000, ['a', 'b']));
  frame.values[0][70_000] = Infinity;
  const model = fitIsolationForest(frame, { seed: 4, trees: 12 });
  const single = scoreIsolationForest(model, frame);
  const three = startScoringThreads(3);
  assert.equal(three.workers.length, 2);
  assert.deepEqual(await scoreIsolationForestParallel(model, frame, 2, three), single);
  assert.equal(three.workers.length, 0);
  // A frame too small for workers: scored on this thread, the started worker is closed.
  const small = frameOf(gaussian(3000, ['a', 'b']));
  const smallModel = fitIsolationForest(small, { seed: 4, trees: 12 });
  const one = startScoringThreads(2);
  assert.deepEqual(await scoreIsolationForestParallel(smallModel, small, 2, one), scoreIsolationForest(smallModel, small));
  assert.equal(one.workers.length, 0);
});

test('fit with a contamination fraction sets the threshold detect uses', () => {
  const frame = frameOf(gaussian(300, ['a', 'b']));
  const model = fitIsolationForest(frame, { seed: 2, contamination: 0.05 });
  const result = detectIsolationForest(frame, { seed: 2, contamination: 0.05 });
  assert.equal(model.scoreThreshold, result.threshold);
  assert.deepEqual(model.settings, result.settings);
  assert.ok(model.scoreThreshold !== 0.5);
});
