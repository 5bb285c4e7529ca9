import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameOf } from '../../src/core/csv/frame.ts';
import type { Frame } from '../../src/core/csv/frame.ts';
import { runAnalysis, settingsFor } from '../../src/core/analyze.ts';
import { calibratedScore, fitTail } from '../../src/core/incidents/calibrate.ts';
import { resolution } from '../../src/core/incidents/seriesStatistics.ts';
import { createRng } from '../../src/core/random.ts';

// Sparse counters (errors, restarts, OOM kills) and a lone spike at 1-minute steps: the windowed statistics (level,
// discord) average many rows, so on a counter they are mostly exactly 0 and their tails have no width.

const T0 = Date.UTC(2024, 2, 4);
const MINUTE = 60_000;

function minutes(values: Float64Array, name: string): Frame {
  return frameOf({ [name]: values }, Float64Array.from({ length: values.length }, (_, i) => T0 + i * MINUTE));
}

const analyse = (frame: Frame) => runAnalysis(frame, settingsFor(null, {}), { path: 'c.csv', sha256: '' }).view!;

test('counters: a day of an error counter with nine single errors raises no incident, and no row holding 0 beside one is flagged', () => {
  const errors = new Float64Array(1440);
  for (const r of [100, 300, 500, 700, 900, 1100, 1300, 800, 812]) errors[r] = 1;
  const view = analyse(minutes(errors, 'errors'));
  assert.deepEqual(view.shown.incidents.map((i) => `${i.startRow}-${i.endRow} ${i.severity} ${i.summary}`), []);
  assert.ok(view.incidents.every((i) => i.score < 50), view.incidents.map((i) => `${i.startRow} ${i.score} ${i.summary}`).join('; '));
  // Rows 801–804 share a 5-row bin with the error at 800 and hold 0, as do the rows they were compared with.
  const discord = view.findings.filter((a) => /looks like no other/.test(a.message));
  assert.deepEqual(discord.filter((a) => a.row > 800 && a.row < 805).map((a) => a.row), []);
});

test('counters: two days of 0 with 1 % blips of 1–3 raise nothing at major or above (20 seeds)', () => {
  const loud: string[] = [];
  for (let seed = 1; seed <= 20; seed++) {
    const rng = createRng(seed);
    const errors = Float64Array.from({ length: 2880 }, () => (rng.next() < 0.01 ? 1 + Math.floor(3 * rng.next()) : 0));
    for (const i of analyse(minutes(errors, 'errors')).shown.incidents) loud.push(`seed ${seed}: rows ${i.startRow}-${i.endRow} ${i.severity} ${i.score} ${i.summary}`);
  }
  assert.deepEqual(loud, []);
});

test('counters: a burst of errors on a sparse counter is still critical', () => {
  const rng = createRng(3);
  const errors = Float64Array.from({ length: 2880 }, () => (rng.next() < 0.01 ? 1 + Math.floor(3 * rng.next()) : 0));
  for (let r = 2000; r < 2010; r++) errors[r] = 20 + (r % 3);
  const found = analyse(minutes(errors, 'errors')).shown.incidents;
  const burst = found.filter((i) => i.startRow <= 2009 && i.endRow >= 2000);
  assert.equal(burst.length, 1, found.map((i) => `${i.startRow}-${i.endRow} ${i.summary}`).join('; '));
  assert.equal(burst[0].severity, 'critical');
  assert.deepEqual([burst[0].startRow, burst[0].endRow], [2000, 2009]);
  assert.match(burst[0].summary, /forecaster, discord check and level check agree$/);
});

test('a single spike in a 1-minute file is reported at its row, not at the ordinary rows sharing its 5-minute bin', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rng = createRng(seed);
    const cpu = Float64Array.from({ length: 2880 }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 1440) + 2 * rng.normal());
    cpu[1200] = 99;
    const found = analyse(minutes(cpu, 'cpu')).shown.incidents;
    assert.equal(found.length, 1, `seed ${seed}: ${found.map((i) => i.summary).join('; ')}`);
    assert.deepEqual([found[0].startRow, found[0].endRow], [1200, 1200], `seed ${seed}: ${found[0].summary}`);
    assert.match(found[0].summary, /^cpu 99 for 1m/);
  }
});

test('fitTail: a statistic that is 0 but for a few small events is floored at its resolution', () => {
  // 2880 rows, four small events of one or two resolution steps (0.02).
  const x = new Float64Array(2880);
  x[400] = 0.02; x[900] = 0.02; x[1500] = 0.04; x[2300] = 0.02;
  const perDay = 1440 * 5;
  const bare = { tail: fitTail(x)!, testsPerDay: perDay };
  const floored = { tail: fitTail(x, 0.02)!, testsPerDay: perDay };
  // Without the floor the scale is 1e-9: one step more than usual is rarer than once in ten years.
  assert.equal(calibratedScore(bare, 0.04), 100);
  assert.ok(calibratedScore(floored, 0.04) < 50, String(calibratedScore(floored, 0.04)));
  // Far past the events it is still extreme.
  assert.ok(calibratedScore(floored, 0.4) >= 75, String(calibratedScore(floored, 0.4)));
  // On continuous data the floor is far below the fitted scale and changes nothing.
  const rng = createRng(5);
  const e = Float64Array.from({ length: 5000 }, () => -Math.log(1 - rng.next()));
  assert.deepEqual(fitTail(e, 1e-6), fitTail(e));
});

test('resolution: the smallest difference between two of a metric\'s values', () => {
  assert.equal(resolution(Float64Array.from([0, 0, 3, 1, 0, NaN, 2])), 1);
  assert.equal(resolution(Float64Array.from([57.25, 57.5, 58, Infinity])), 0.25);
  assert.equal(resolution(new Float64Array(10).fill(7)), 0);
  assert.equal(resolution(new Float64Array(0)), 0);
});

test('the Isolation Forest\'s words on a file of one metric do not speak of other metrics', () => {
  const rng = createRng(7);
  const cpu = Array.from({ length: 1440 }, (_, i) => (i === 900 ? 99 : 40 + rng.next() * 4));
  const t = cpu.map((_, i) => Date.UTC(2024, 2, 4) + i * 60_000);
  // Everything the view says of its findings and incidents.
  const words = (metrics: Record<string, number[]>, only?: string[]) => JSON.stringify(runAnalysis(frameOf(metrics, t), settingsFor(null, { metrics: only }), { path: 'c.csv', sha256: '' }).view);
  const one = words({ cpu });
  assert.match(one, /cpu 99 (is )?unusual for this metric/);
  assert.doesNotMatch(one, /other metrics/);
  const mem = cpu.map((_, i) => 60 + (i % 7));
  assert.match(words({ cpu, mem }), /cpu 99 (is )?unusual with the other metrics/);
  // --metrics cpu of a file of three: the forest read one metric, whatever the file has.
  const chosen = words({ cpu, mem, disk: cpu.map((_, i) => 10 + (i % 5)) }, ['cpu']);
  assert.match(chosen, /cpu 99 (is )?unusual for this metric/);
  assert.doesNotMatch(chosen, /other metrics/);
});
