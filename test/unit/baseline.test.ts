import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_BINS, binOf, fitProfile, surpriseOf, tailOf, zOf } from '../../src/core/streaming/baseline.ts';
import { createRng } from '../../src/core/random.ts';

const T0 = Date.UTC(2026, 0, 1);
const STEP = 300_000;

function series(days: number, f: (r: number) => number): { xs: number[]; ts: number[] } {
  const xs: number[] = [], ts: number[] = [];
  for (let r = 0; r < days * 288; r++) { xs.push(f(r)); ts.push(T0 + r * STEP); }
  return { xs, ts };
}

test('binOf: the UTC hour of the day; 0 for one bin or no time', () => {
  assert.equal(binOf(T0, 24), 0);
  assert.equal(binOf(T0 + 13.5 * 3_600_000, 24), 13);
  assert.equal(binOf(T0 - 1, 24), 23);
  assert.equal(binOf(T0 + 5 * 3_600_000, 1), 0);
  assert.equal(binOf(NaN, 24), 0);
});

test('fitProfile: a daily cycle over three days gets a daily profile whose scale is the noise, not the cycle', () => {
  const rng = createRng(4);
  const { xs, ts } = series(3, (r) => 50 + 10 * Math.sin((2 * Math.PI * r) / 288) + rng.normal());
  const p = fitProfile(xs, ts)!;
  assert.equal(p.level.length, DAY_BINS);
  assert.ok(p.scale > 0.8 && p.scale < 2, `scale ${p.scale}`);
  // 06:00–07:00 is the top of the sine, 18:00–19:00 the bottom.
  assert.ok(Math.abs(p.level[6] - 59.9) < 1.5 && Math.abs(p.level[18] - 40.1) < 1.5, `${p.level[6]} ${p.level[18]}`);
  // A night value at noon is far from the baseline, though the metric reaches it every day.
  assert.ok(Math.abs(zOf(p, T0 + 6.5 * 3_600_000, 41)) > 10);
});

test('fitProfile: a cycle that is not daily, or less than two days, gets one flat level', () => {
  const rng = createRng(5);
  // A 7-hour cycle: 3.43 cycles a day, so an hour of one day says little about the same hour of the next.
  const notDaily = series(3, (r) => 50 + 10 * Math.sin((2 * Math.PI * r) / 84) + rng.normal());
  assert.equal(fitProfile(notDaily.xs, notDaily.ts)!.level.length, 1);
  const short = series(1, (r) => 50 + 10 * Math.sin((2 * Math.PI * r) / 288) + rng.normal());
  const p = fitProfile(short.xs, short.ts)!;
  assert.equal(p.level.length, 1);
  assert.ok(Math.abs(p.level[0] - 50) < 2);
  // Too few values: no fit.
  assert.equal(fitProfile([1, 2, 3], [T0, T0 + STEP, T0 + 2 * STEP]), null);
  // No timestamps: flat.
  assert.equal(fitProfile(notDaily.xs, notDaily.xs.map(() => NaN))!.level.length, 1);
});

test('fitProfile with shift: moves the previous fit by the new data\'s median offset and keeps the larger scale', () => {
  const rng = createRng(6);
  const { xs, ts } = series(3, (r) => 50 + 10 * Math.sin((2 * Math.PI * r) / 288) + rng.normal());
  const prior = fitProfile(xs, ts)!;
  // Two hours of the new regime (+30), with little noise.
  const nx: number[] = [], nt: number[] = [];
  for (let r = 0; r < 24; r++) { const t = T0 + 3 * 86_400_000 + r * STEP; nt.push(t); nx.push(prior.level[binOf(t, 24)] + 30 + 0.1 * rng.normal()); }
  const moved = fitProfile(nx, nt, prior, true)!;
  for (let b = 0; b < 24; b++) assert.ok(Math.abs(moved.level[b] - prior.level[b] - 30) < 0.2);
  assert.equal(moved.scale, prior.scale);
  assert.deepEqual(moved.tail, prior.tail);
});

test('tailOf and surpriseOf: heavier tails give less surprise far out; Gaussian noise keeps a light tail', () => {
  const rng = createRng(7);
  const gauss = Array.from({ length: 2000 }, () => rng.normal());
  const laplace = Array.from({ length: 2000 }, () => rng.laplace(1));
  const g = tailOf(gauss, 1), l = tailOf(laplace, 1.4826 * Math.LN2);
  assert.ok(g.beta < 0.6 && Math.abs(g.u - 1.96) < 0.2, JSON.stringify(g));
  assert.ok(l.beta > g.beta * 1.5, JSON.stringify(l));
  const pg = { level: Float64Array.of(0), scale: 1, tail: g }, pl = { level: Float64Array.of(0), scale: 1, tail: l };
  assert.ok(surpriseOf(pg, 8) > surpriseOf(pl, 8));
  // Monotone in |z|, symmetric, 0 at 0 and for NaN.
  let prev = -1;
  for (let z = 0; z < 30; z += 0.5) { const s = surpriseOf(pg, z); assert.ok(s > prev); prev = s; assert.equal(surpriseOf(pg, -z), s); }
  assert.equal(surpriseOf(pg, 0), 0);
  assert.equal(surpriseOf(pg, NaN), 0);
});
