import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRetrainer, describeModel, parseRetrainEvery } from '../../src/core/streaming/retraining.ts';
import type { BaselineScore } from '../../src/core/streaming/retraining.ts';
import { createStreamDetector } from '../../src/core/streaming/streamDetector.ts';
import { createRng } from '../../src/core/random.ts';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000, DAY = 24 * HOUR;

test('parseRetrainEvery: durations, off, and what is neither', () => {
  assert.equal(parseRetrainEvery('6h'), 6 * HOUR);
  assert.equal(parseRetrainEvery('1d'), DAY);
  assert.equal(parseRetrainEvery('1h30m'), 1.5 * HOUR);
  assert.equal(parseRetrainEvery(' OFF '), null);
  assert.ok(Number.isNaN(parseRetrainEvery('0s')));
  assert.ok(Number.isNaN(parseRetrainEvery('daily')));
  assert.ok(Number.isNaN(parseRetrainEvery('')));
});

test('retrainer: memory stays flat over a day at 1-second steps, across 23 refits (the structure sizes, not the clock)', () => {
  const rng = createRng(1);
  // A 2-hour window refitted every hour: the window is full, and refitted, many times in the day.
  const r = createRetrainer({ metrics: ['a', 'b'], trainMs: 2 * HOUR, retrainEveryMs: HOUR });
  const sizes: number[] = [];
  let refits = 0;
  for (let i = 0; i < 86_400; i++) {
    const s = r.update(T0 + i * 1000, [10 + rng.normal() + (i > 50_000 ? 5 : 0), 3 * rng.normal()]);
    if (s.retrain) refits++;
    if (i % 3600 === 3599) sizes.push(r.footprint());
  }
  assert.ok(refits >= 22, `${refits} refits`);
  // Two rings of values and one of times, 7200 rows each, and a flat level + scale per metric.
  const bound = 3 * 7200 + 2 * 2;
  assert.ok(sizes.every((s) => s <= bound), `sizes ${sizes}`);
  assert.deepEqual(new Set(sizes.slice(2)).size, 1, `constant once fitted: ${sizes}`);
});

test('retrainer and stream detector together: memory flat over two days at 1-minute steps', () => {
  const rng = createRng(2);
  const metrics = ['x', 'y'];
  const d = createStreamDetector({ metrics });
  const r = createRetrainer({ metrics, retrainEveryMs: 6 * HOUR });
  const sizes: number[] = [];
  for (let i = 0; i < 2 * 1440 + 600; i++) {
    const v = [50 + 5 * Math.sin((2 * Math.PI * i) / 1440) + rng.normal(), rng.normal()];
    d.update(T0 + i * 60_000, v);
    r.update(T0 + i * 60_000, v);
    if (i >= 16 && i % 60 === 0) sizes.push(d.footprint() + r.footprint());
  }
  // Both allocate their rings when the step is known (row 16); after the first fit only the profiles can change size (flat ↔ daily).
  const [min, max] = [Math.min(...sizes), Math.max(...sizes)];
  assert.ok(max - min <= 2 * 24, `footprint ${min}…${max}`);
});

function run(opts: Parameters<typeof createRetrainer>[0], values: (i: number) => number[], rows: number, stepMs = 300_000, timed = true): BaselineScore[] {
  const r = createRetrainer(opts);
  const out: BaselineScore[] = [];
  for (let i = 0; i < rows; i++) out.push(r.update(timed ? T0 + i * stepMs : NaN, values(i)));
  return out;
}

test('retrainer: deterministic — the same rows give the same scores, models and refits', () => {
  const mk = (): BaselineScore[] => {
    const rng = createRng(3);
    return run({ metrics: ['x'] }, (i) => [50 + 5 * Math.sin((2 * Math.PI * i) / 288) + rng.normal() + (i > 1500 ? 20 : 0)], 3000);
  };
  const a = mk(), b = mk();
  assert.deepEqual(a, b);
  assert.ok(a.some((s) => s.retrain?.reason === 'drift'));
});

test('retrainer: a drift refits only the drifted metric, on the rows since the change; the others keep their fit', () => {
  const rng = createRng(4);
  const SHIFT = 4 * 288 + 50;
  const out = run({ metrics: ['steady', 'shifts'], retrainEveryMs: 7 * DAY }, (i) => [rng.normal(), rng.normal() + (i >= SHIFT ? 10 : 0)], 6 * 288);
  const refits = out.filter((s) => s.retrain).map((s) => s.retrain!);
  assert.equal(refits[0].reason, 'initial');
  const drift = refits.find((e) => e.reason === 'drift')!;
  assert.deepEqual(drift.metrics, ['shifts']);
  // Refitted once two hours (24 rows) followed the estimated start of the change.
  assert.ok(drift.trainedRow - SHIFT >= 23 && drift.trainedRow - SHIFT < 40, `refit at ${drift.trainedRow - SHIFT} rows after the shift`);
  assert.ok(Math.abs(drift.rows - (drift.trainedRow - SHIFT + 1)) <= 3, `trained on ${drift.rows} rows`);
  const after = out.slice(drift.trainedRow + 1);
  assert.ok(after.every((s) => s.surprise[1] < 5), 'the new level is the baseline now');
  assert.ok(after.every((s) => Math.abs(s.expected[0]) < 0.5 && Math.abs(s.expected[1] - 10) < 0.5));
});

test('retrainer: schedule only (no drift test) — the shift stops being reported at the first scheduled refit after it; the level follows as the window fills', () => {
  const rng = createRng(5);
  const SHIFT = 4 * 288 + 50;
  const out = run({ metrics: ['x'], retrainEveryMs: 6 * HOUR, drift: false }, (i) => [rng.normal() + (i >= SHIFT ? 10 : 0)], 8 * 288);
  assert.ok(out.every((s) => s.retrain === null || s.retrain.reason !== 'drift'));
  const firstRefit = out.findIndex((s, i) => i > SHIFT && s.retrain !== null);
  assert.ok(firstRefit - SHIFT <= 72, `refit ${firstRefit - SHIFT} rows after the shift`);
  const flagged = out.map((s, i) => (s.surprise[0] >= 5 ? i : -1)).filter((i) => i >= SHIFT);
  assert.equal(flagged.length, firstRefit - SHIFT, 'reported on every row until the refit');
  assert.equal(flagged.at(-1), firstRefit - 1);
  // At that refit the tail of the fit has learnt the new deviations; the level moves once the 2-day window is mostly new.
  assert.ok(Math.abs(out[firstRefit].expected[0]) < 1);
  assert.ok(Math.abs(out[SHIFT + 2 * 288].expected[0] - 10) < 0.5, `level ${out[SHIFT + 2 * 288].expected[0]}`);
  // With no retraining at all, it is reported to the end.
  const rng2 = createRng(5);
  const frozen = run({ metrics: ['x'], retrainEveryMs: null }, (i) => [rng2.normal() + (i >= SHIFT ? 10 : 0)], 8 * 288);
  assert.ok(frozen.slice(SHIFT).every((s) => s.surprise[0] >= 5 && s.model.version === 1));
});

test('retrainer: without timestamps, one flat level and a schedule in rows (at the assumed 5-minute step)', () => {
  const rng = createRng(6);
  const out = run({ metrics: ['x'], retrainEveryMs: HOUR }, () => [rng.normal()], 1000, 0, false);
  const refits = out.filter((s) => s.retrain).map((s) => s.retrain!);
  assert.equal(refits[0].reason, 'initial');
  assert.ok(Number.isNaN(refits[0].trainedAt));
  const gaps = refits.slice(1).map((e, k) => e.trainedRow - refits[k].trainedRow);
  assert.ok(gaps.length > 5 && gaps.every((g) => g === 12), `refits every 12 rows: ${gaps}`);
  // Version 0 and no scores before the first fit; missing values are not scored.
  assert.equal(out[0].model.version, 0);
  assert.ok(out.slice(0, refits[0].trainedRow + 1).every((s) => s.surprise[0] === 0));
  const r = createRetrainer({ metrics: ['x', 'y'], stepMs: 60_000, trainMs: HOUR, firstFitMs: HOUR });
  let last: BaselineScore | null = null;
  for (let i = 0; i < 200; i++) last = r.update(T0 + i * 60_000, [i % 7, NaN]);
  assert.ok(Number.isNaN(last!.z[1]) && last!.surprise[1] === 0 && Number.isFinite(last!.z[0]));
});

test('describeModel: the live view\'s line on the model', () => {
  assert.equal(describeModel({ version: 0, trainedAt: NaN, trainedRow: -1, reason: null }), 'baseline: not fitted yet');
  assert.equal(describeModel({ version: 1, trainedAt: Date.UTC(2026, 0, 2, 23, 55), trainedRow: 575, reason: 'initial' }), 'baseline model v1 · trained 23:55 UTC');
  assert.equal(describeModel({ version: 7, trainedAt: Date.UTC(2026, 0, 6, 14, 5), trainedRow: 1500, reason: 'drift' }), 'baseline model v7 · retrained 14:05 UTC (drift)');
  assert.equal(describeModel({ version: 3, trainedAt: NaN, trainedRow: 863, reason: 'schedule' }), 'baseline model v3 · retrained at row 864 (schedule)');
});
