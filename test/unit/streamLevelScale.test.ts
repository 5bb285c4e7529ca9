import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStreamDetector } from '../../src/core/streaming/streamDetector.ts';
import { LevelShift, MAX_REFERENCE_BINS } from '../../src/core/streaming/levelShift.ts';
import { SortedWindow } from '../../src/core/streaming/rolling.ts';
import { streamAnomaly } from '../../src/core/streaming/anomalies.ts';
import { createRng } from '../../src/core/random.ts';

const STEP = 300_000; // 5 minutes
const PER_DAY = 288;

test('SortedWindow: quantiles and the trimmed mean of the last values, as sorting them would give, and the value each push drops', () => {
  const rng = createRng(11);
  const w = new SortedWindow(7);
  const all: number[] = [];
  for (let i = 0; i < 200; i++) {
    const x = i % 13 === 0 ? NaN : Math.round(rng.normal() * 5); // ties and skipped NaNs
    const dropped = w.push(x);
    // The value that left the window (the oldest of the last 7 finite ones), or NaN when none did.
    const left = Number.isFinite(x) && all.length >= 7 ? all[all.length - 7] : NaN;
    assert.ok(Object.is(dropped, left), `row ${i}: dropped ${dropped}, expected ${left}`);
    if (Number.isFinite(x)) all.push(x);
    const last = all.slice(-7).sort((a, b) => a - b);
    assert.equal(w.count, last.length);
    if (!last.length) {
      assert.ok(Number.isNaN(w.quantile(0.5)) && Number.isNaN(w.trimmedMean(1)));
      continue;
    }
    const q = (p: number): number => {
      const h = p * (last.length - 1), lo = Math.floor(h);
      return lo + 1 < last.length ? last[lo] + (h - lo) * (last[lo + 1] - last[lo]) : last[lo];
    };
    for (const p of [0, 0.25, 0.5, 0.75, 1]) assert.ok(Math.abs(w.quantile(p) - q(p)) < 1e-12, `row ${i} q${p}`);
    const cut = last.length > 2 ? last.slice(1, -1) : last;
    assert.ok(Math.abs(w.trimmedMean(1) - cut.reduce((s, v) => s + v, 0) / cut.length) < 1e-12, `row ${i} trimmed mean`);
  }
  assert.ok(Number.isNaN(new SortedWindow(3).quantile(0.5)));
});

test('LevelShift: a spike is not a level; a level that stays is, in units of the reference spread', () => {
  const rng = createRng(12);
  const ls = new LevelShift(12, 288);
  let stat = NaN;
  for (let i = 0; i < 400; i++) stat = ls.update(10 + rng.normal(), 1e-9);
  assert.ok(stat < 3, `quiet: ${stat}`);
  stat = ls.update(1000, 1e-9); // one spike: cut by the trim
  assert.ok(stat < 3, `one spike: ${stat}`);
  for (let i = 0; i < 12; i++) stat = ls.update(20 + rng.normal(), 1e-9);
  assert.ok(stat > 8, `a shift of 10 sd held for the span: ${stat}`);
});

test('LevelShift bins finely sampled rows: the reference never holds more than MAX_REFERENCE_BINS values', () => {
  const ls = new LevelShift(6 * 60, 7 * 24 * 60); // 1-minute rows: a 6-hour span against a week
  assert.equal(ls.bin, 5);
  // The reference and the span, each kept in arrival and in sorted order (the span's oldest leaves it for the reference).
  assert.equal(ls.footprint(), 2 * 2016 + 2 * 72);
  const fine = new LevelShift(21_600, 604_800); // 1-second rows: bins of 300 rows
  assert.equal(fine.bin, 300);
  assert.equal(fine.footprint(), 2 * MAX_REFERENCE_BINS + 2 * 72);
});

/**
 * A metric that once ramped through the values of a later shift (an hour-long excursion to 60 and back): the
 * nearest-neighbour scales see the new level as a value seen before; the level scale sees that it stays.
 */
function shiftAfterExcursion(): { series: Float64Array; shiftAt: number } {
  const rng = createRng(13);
  const days = 9, shiftAt = 8 * PER_DAY;
  const series = new Float64Array(days * PER_DAY);
  for (let i = 0; i < series.length; i++) {
    let v = 10 + rng.normal();
    const e = i - 2 * PER_DAY; // day 2: 12 rows up to 60, 12 rows back
    if (e >= 0 && e < 24) v += 50 * (e < 12 ? e / 11 : (23 - e) / 11);
    if (i >= shiftAt) v += 30;
    series[i] = v;
  }
  return { series, shiftAt };
}

test('streamDetector: a level shift to values the metric passed through before alerts with the level scale, not without', () => {
  const { series, shiftAt } = shiftAfterExcursion();
  const maxAfterShift = (level?: null): { score: number; message: string } => {
    const det = createStreamDetector({ metrics: ['v'], ...(level === null ? { level: null } : {}) });
    let best = { score: 0, message: '' };
    series.forEach((v, i) => {
      const r = det.update(i * STEP, [v]);
      if (i >= shiftAt && i < shiftAt + 72 && r.fresh && r.score > best.score) best = { score: r.score, message: streamAnomaly(r, i, i * STEP, ['v'], [v])?.message ?? '' };
    });
    return best;
  };
  const { score: withLevel, message } = maxAfterShift();
  const { score: without } = maxAfterShift(null);
  // The finding says what the level scale compared: the last 6 hours' mean (the shift by 30 only begun) against the
  // week before's 10 ± 1.
  const said = /: the last 6h average ([\d.]+), against ([\d.]+) ± ([\d.]+) over the 1w before$/.exec(message);
  assert.ok(said, message);
  const [recent, usual, spread] = said.slice(1).map(Number);
  assert.ok(usual > 9 && usual < 11 && spread > 0.5 && spread < 2 && recent > usual + 2 * spread && recent < 40, message);
  assert.ok(withLevel >= 0.5, `with the level scale the shift alerts within 6 hours (${withLevel})`);
  assert.ok(without < 0.5, `without it the shift does not alert (${without})`);
});
