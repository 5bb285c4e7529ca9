import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createStreamDetector, medianGap, rowSpans } from '../../src/core/streaming/streamDetector.ts';
import type { StreamDetector } from '../../src/core/streaming/streamDetector.ts';
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

test('streamDetector: a new high by less than the slack scores as a value seen before; a spike still alerts (valueSlack)', () => {
  const series = dailySeries(2000, 5);
  let steps = 0;
  for (let i = 1; i < series.length; i++) steps += Math.abs(series[i] - series[i - 1]);
  const typical = steps / (series.length - 1);
  const top = Math.max(...series);
  // The value scale alone (no shape or level scale), so the last row's score is its distance to the history's values.
  const last = (value: number, valueSlack?: number): number => {
    const score = createNabScorer({ shapes: [], level: null, valueSlack });
    series.forEach((v, i) => score(i * STEP, v));
    return score(series.length * STEP, value);
  };
  const seen = last(top);
  assert.equal(last(top + 0.3 * typical), seen, 'a new high by 0.3 typical steps is not news with the default slack (0.5)');
  assert.ok(last(top + 0.3 * typical, 0) > seen, 'without slack it scores higher than a value seen before');
  assert.ok(last(top + 20 * typical) > 0.5, 'a spike of 20 typical steps alerts');
});

test('NAB scores: one alert per episode — repeats inside the de-duplication span score 0, the detector keeps them damped', () => {
  const series = dailySeries(2000, 6);
  for (let i = 1500; i < 1560; i++) series[i] += 40; // a 5-hour episode: one anomaly, many anomalous rows
  const nab = scoresOf(series);
  const det = createStreamDetector({ metrics: ['v'] });
  const own = Array.from(series, (v, i) => det.update(i * STEP, [v]));
  const episode = (xs: number[]): number => xs.slice(1500, 1560).filter((x) => x >= 0.5).length;
  assert.ok(nab[1500] > 0.5, `the first row of the episode alerts (${nab[1500]})`);
  assert.equal(episode(nab), 1, 'one NAB alert for the episode');
  assert.ok(episode(own.map((r) => r.score)) > 1, 'the detector still reports later rows of the episode (damped, not dropped)');
  // A NAB score is the detector's score or 0, never anything else.
  own.forEach((r, i) => assert.ok(nab[i] === (r.fresh ? r.score : 0), `row ${i}`));
});

test('streamDetector never scores a constant series', () => {
  const s = scoresOf(new Float64Array(1000).fill(3));
  assert.deepEqual(new Set(s), new Set([0]));
});

test('streamDetector keeps its memory constant over a long stream (1M rows, 2 metrics)', () => {
  // The heap is compared after full collections: without them it holds whatever garbage the collector has not
  // reached yet, which on a loaded machine was over 8 MB.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const det = createStreamDetector({ metrics: ['a', 'b'], stepMs: 1000, historyMs: 64_000, likelihoodMs: 128_000, warmupMs: 32_000, shapes: [{ spanMs: 8000, bins: 4 }] });
  assert.deepEqual(det.spans?.scales, [{ bin: 1, length: 1 }, { bin: 2, length: 4 }]);
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
      gc();
      heapAt100k = process.memoryUsage().heapUsed;
    }
  }
  gc();
  assert.equal(det.footprint(), before);
  assert.equal(footprintAt100k, before);
  assert.equal(det.rows, 1_000_000);
  // A leak of one number per row would be 7 MB or more over the 900,000 rows; the collected heap moves by far less.
  assert.ok(process.memoryUsage().heapUsed - heapAt100k < 2e6, `heap grew by ${((process.memoryUsage().heapUsed - heapAt100k) / 1e6).toFixed(1)} MB`);
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

const MINUTE = 60_000;
const DAY = 86_400_000;

test('streamDetector converts its time spans with the step: 5-minute rows give the spans it was built with', () => {
  assert.deepEqual(rowSpans({}, 5 * MINUTE), {
    stepMs: 5 * MINUTE, history: 4032, scales: [{ bin: 1, length: 1 }, { bin: 24, length: 12 }], likelihoodWindow: 8640, warmup: 150, refractory: 144,
    level: { span: 72, reference: 2016 },
  });
  assert.deepEqual(rowSpans({}, MINUTE), {
    stepMs: MINUTE, history: 20160, scales: [{ bin: 1, length: 1 }, { bin: 120, length: 12 }], likelihoodWindow: 43200, warmup: 750, refractory: 720,
    level: { span: 360, reference: 10080 },
  });
  // Hourly rows: a two-hour bin is 2 rows; the warm-up keeps at least 30 scores; the history and the likelihood's
  // window keep as many rows as at a 5-minute step (minHistoryRows, minLikelihoodRows); daily rows have no day shape.
  assert.deepEqual(rowSpans({}, 60 * MINUTE), {
    stepMs: 60 * MINUTE, history: 4032, scales: [{ bin: 1, length: 1 }, { bin: 2, length: 12 }], likelihoodWindow: 8640, warmup: 30, refractory: 12,
    level: { span: 6, reference: 168 },
  });
  assert.equal(rowSpans({ minHistoryRows: 0, minLikelihoodRows: 0 }, 60 * MINUTE).history, 336);
  assert.equal(rowSpans({ minHistoryRows: 0, minLikelihoodRows: 0 }, 60 * MINUTE).likelihoodWindow, 720);
  assert.deepEqual(rowSpans({}, DAY).scales, [{ bin: 1, length: 1 }]);
  // Second-level rows: spans are capped, and a day that cannot fit twice in the capped history is dropped.
  assert.deepEqual({ ...rowSpans({}, 1000), stepMs: undefined }, { stepMs: undefined, history: 50_000, scales: [{ bin: 1, length: 1 }], likelihoodWindow: 50_000, warmup: 45_000, refractory: 43_200, level: { span: 21_600, reference: 50_000 } });
});

test('streamDetector at an hourly step: a spike seen three weeks before is less novel (history kept in rows too)', () => {
  const HOUR = 3_600_000;
  const run = (opts: { minHistoryRows?: number; minLikelihoodRows?: number }): number[] => {
    const rng = createRng(5);
    const det = createStreamDetector({ metrics: ['v'], ...opts });
    const out: number[] = [];
    for (let i = 0; i < 1200; i++) {
      let v = 50 + 10 * Math.sin((2 * Math.PI * i) / 24) + rng.normal();
      if (i === 200 || i === 700) v += 30; // the same spike 500 hours (about 21 days) later
      out.push(det.update(i * HOUR, [v]).score);
    }
    return out;
  };
  const rows = run({});
  const twoWeeks = run({ minHistoryRows: 0, minLikelihoodRows: 0 });
  assert.ok(rows[200] > 0.9 && twoWeeks[200] > 0.9, `first spike ${rows[200]}, ${twoWeeks[200]}`);
  // With two weeks of hourly rows (336) the first spike has left the history: the second looks as new as the first.
  assert.ok(twoWeeks[700] > 0.9, `two weeks of rows: ${twoWeeks[700]}`);
  assert.ok(rows[700] < 0.7, `4032 rows of history: ${rows[700]}`);
  assert.ok(Math.max(...rows.slice(300, 690)) < 0.3, 'quiet rows stay quiet');
});

test('streamDetector takes the step from the median gap of the first rows (one gap or duplicate does not move it)', () => {
  assert.equal(medianGap([0, 60_000, 120_000, 900_000, 960_000, 960_000, 1_020_000]), 60_000);
  assert.ok(Number.isNaN(medianGap([NaN, NaN, NaN])));
  const det = createStreamDetector({ metrics: ['v'] });
  for (let i = 0; i < 15; i++) det.update(i * MINUTE + (i === 7 ? 3 * MINUTE : 0), [i]);
  const stepOf = (d: StreamDetector): number | undefined => d.spans?.stepMs;
  assert.equal(stepOf(det), undefined, 'no step before 16 rows');
  det.update(15 * MINUTE, [15]);
  assert.equal(stepOf(det), MINUTE);
  const noTime = createStreamDetector({ metrics: ['v'] });
  for (let i = 0; i < 16; i++) noTime.update(NaN, [i]);
  assert.equal(noTime.spans?.stepMs, 5 * MINUTE);
});

/** Alert times (score ≥ 0.5), in days, of one signal sampled every `stepMin` minutes over 14 days. */
function alertDays(stepMin: number): number[] {
  const rng = createRng(11);
  const step = stepMin * MINUTE;
  const det = createStreamDetector({ metrics: ['v'] });
  const out: number[] = [];
  for (let t = 0; t < 14 * DAY; t += step) {
    let v = 50 + 20 * Math.sin((2 * Math.PI * t) / DAY) + rng.normal();
    if (t >= 7 * DAY + 10 * 3_600_000 && t < 7 * DAY + 10.5 * 3_600_000) v += 25; // half an hour 25σ high
    if (t >= 10 * DAY && t < 11 * DAY) v = 50 + rng.normal(); // a day without its daily cycle
    if (det.update(t, [v]).score >= 0.5) out.push(t / DAY);
  }
  return out;
}

test('streamDetector detects the same anomalies in a series sampled every minute and every 5 minutes', () => {
  const fine = alertDays(1);
  const coarse = alertDays(5);
  const spike = (d: number[]) => d.filter((x) => x >= 7 && x < 8);
  const flat = (d: number[]) => d.filter((x) => x >= 10 && x < 11);
  // No alert outside the two anomalies, at either rate.
  assert.deepEqual([fine.length, coarse.length], [spike(fine).length + flat(fine).length, spike(coarse).length + flat(coarse).length]);
  // The spike is caught on its first row at both rates; the flat day within the same hour at both rates.
  const at10h = 7 + 10 / 24;
  assert.ok(Math.abs(spike(fine)[0] - at10h) < 1e-9 && Math.abs(spike(coarse)[0] - at10h) < 1e-9, `spike ${spike(fine)[0]} / ${spike(coarse)[0]}`);
  assert.ok(flat(fine).length && flat(coarse).length, 'the flat day is caught at both rates');
  assert.ok(Math.abs(flat(fine)[0] - flat(coarse)[0]) < 1 / 24, `flat day first alert ${flat(fine)[0]} vs ${flat(coarse)[0]}`);
  // After the spike, alerts last while the day-shape's two-hour bin still holds it, at both rates.
  assert.ok([...spike(fine), ...spike(coarse)].every((x) => x < at10h + 2 / 24), `spike alerts ${spike(fine).at(-1)} / ${spike(coarse).at(-1)}`);
});
