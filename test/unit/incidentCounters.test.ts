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

/** `days` of an error counter at 1-minute steps: blips of 1–3 at rate `day` from 08:00 to 20:00 UTC, `night` otherwise. */
function dayAndNight(seed: number, days: number, day: number, night: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: days * 1440 }, (_, i) => {
    const hour = (i / 60) % 24;
    return rng.next() < (hour >= 8 && hour < 20 ? day : night) ? 1 + Math.floor(3 * rng.next()) : 0;
  });
}

const stuckAtMajor = (frame: Frame) => analyse(frame).shown.incidents.filter((i) => /stuck near/.test(i.summary)).map((i) => `${i.startRow}-${i.endRow} ${i.severity} ${i.score} ${i.summary}`);

test('counters: a counter resting at 0 between blips is not "stuck", by night or by day', () => {
  // Each of these was a critical "errors stuck near 0" a night (and an evening) long, or tens of minutes long on four
  // days: the usual movement was the median size of the changes that are not 0, not how often one comes.
  const loud: string[] = [];
  for (const [days, day, night, seeds] of [[2, 0.2, 0.002, [1, 2, 3]], [2, 0.3, 0, [3, 4]], [4, 0.05, 0, [1, 4]], [4, 0.2, 0.002, [1]]] as const) {
    for (const seed of seeds) for (const s of stuckAtMajor(minutes(dayAndNight(seed, days, day, night), 'errors'))) loud.push(`${days} days ${day}/${night} seed ${seed}: ${s}`);
  }
  assert.deepEqual(loud, []);
});

test('counters: a busy counter that drops to a constant is still stuck (2, 4 and 7 days; busy all day or by day only)', () => {
  const cases: [string, number, (rng: ReturnType<typeof createRng>, i: number) => number][] = [
    ['busy', 2, (rng) => rng.poisson(5)],
    ['busy', 4, (rng) => rng.poisson(5)],
    ['by day', 7, (rng, i) => ((i / 60) % 24 >= 8 && (i / 60) % 24 < 20 ? rng.poisson(3) : rng.next() < 0.01 ? 1 : 0)],
  ];
  for (const [kind, days, draw] of cases) for (const seed of [1, 2, 3]) {
    const rng = createRng(seed);
    const y = Float64Array.from({ length: days * 1440 }, (_, i) => draw(rng, i));
    // Two hours at 3 from 10:00 on the second day.
    const at = 1440 + 600;
    for (let i = at; i < at + 120; i++) y[i] = 3;
    const hit = analyse(minutes(y, 'errors')).shown.incidents.filter((i) => i.startRow < at + 120 && i.endRow >= at);
    assert.equal(hit.length, 1, `${kind} ${days} days seed ${seed}`);
    assert.match(hit[0].summary, /^errors stuck near 3 /, `${kind} ${days} days seed ${seed}`);
  }
});

test('counters: a 0/1 health check failing 1 % of the time is critical for an hour failing 30 % of the time (a week at 1-minute steps)', () => {
  // Shorter files do not reach major: on 2 days the hour's level change (both its edges, about 4 % of the rows) is the
  // top 2 % of the statistic itself, so its tail's threshold lies inside it; at 5-minute steps the hour is 12 rows, and
  // 3–4 failures are 3 resolution steps past the usual (each at most e times rarer).
  for (const seed of [1, 2, 3]) {
    const rng = createRng(seed);
    const at = 1440 + 600;
    const failing = Float64Array.from({ length: 7 * 1440 }, (_, i) => (rng.next() < (i >= at && i < at + 60 ? 0.3 : 0.01) ? 1 : 0));
    const hit = analyse(minutes(failing, 'failing')).shown.incidents.filter((i) => i.startRow < at + 60 && i.endRow >= at);
    assert.ok(hit.some((i) => i.severity === 'critical' && /^failing level rises/.test(i.summary)), `seed ${seed}: ${hit.map((i) => `${i.severity} ${i.summary}`).join('; ')}`);
  }
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
