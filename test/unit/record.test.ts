import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameOf } from '../../src/core/csv/frame.ts';
import type { Frame } from '../../src/core/csv/frame.ts';
import { runAnalysis, settingsFor } from '../../src/core/analyze.ts';
import { analysisView } from '../../src/core/incidents/analysisView.ts';
import { corroborated, recordPlan, recordScale, records } from '../../src/core/incidents/record.ts';
import type { RecordPlan } from '../../src/core/incidents/record.ts';
import { createRng } from '../../src/core/random.ts';
import { severityRank } from '../../src/core/severity.ts';
import type { ViewConstants } from '../../src/core/incidents/view.ts';

// The record statistic (src/core/incidents/record.ts), measured and shipped off (recordSpanMs 0): how far a row
// lies beyond the range of the rows before it.

const STEP = 5 * 60_000;
const T0 = Date.UTC(2025, 0, 6);
const DAY = 86_400_000;

/** The statistic by its definition: each row against every value of its span, one by one. */
function direct(x: Float64Array, plan: RecordPlan): { beyond: number[]; edge: number[] } {
  const beyond: number[] = [], edge: number[] = [];
  for (let i = 0; i < x.length; i++) {
    let hi = -Infinity, lo = Infinity;
    for (let j = Math.max(0, i - plan.span); j < i; j++) if (x[j] === x[j]) { hi = Math.max(hi, x[j]); lo = Math.min(lo, x[j]); }
    if (i < plan.warmup || x[i] !== x[i] || hi === -Infinity) { beyond.push(NaN); edge.push(NaN); continue; }
    const up = x[i] - hi, down = lo - x[i];
    beyond.push(Math.max(up, down));
    edge.push(up >= down ? hi : lo);
  }
  return { beyond, edge };
}

test('record statistic: the monotone queues give the direct computation, with missing values, ties and every span', () => {
  const rng = createRng(3);
  for (const n of [1, 2, 50, 700]) {
    const x = Float64Array.from({ length: n }, (_, i) => (rng.next() < 0.1 ? NaN : rng.next() < 0.2 ? 5 : Math.round(10 * rng.normal()) + i / 100));
    for (const span of [1, 2, 7, 60, n]) {
      for (const warmup of [0, 3, 40]) {
        const plan = { span, warmup };
        const got = records(x, plan);
        const want = direct(x, plan);
        assert.deepEqual(Array.from(got.beyond), want.beyond, `n ${n} span ${span} warmup ${warmup}`);
        assert.deepEqual(Array.from(got.edge), want.edge, `n ${n} span ${span} warmup ${warmup}`);
      }
    }
  }
});

test('record statistic: negative inside the range, the distance past its edge outside; a span forgets', () => {
  const x = Float64Array.from([1, 5, 3, 7, 2, 0, 4]);
  assert.deepEqual(Array.from(records(x, { span: 10, warmup: 1 }).beyond), [NaN, 4, -2, 2, -1, 1, -3]);
  // With a span of 2 rows, 2 is measured against 3 and 7 only (a low by 1), the last row (4) against 2 and 0 (a high by 2).
  assert.deepEqual(Array.from(records(x, { span: 2, warmup: 1 }).beyond), [NaN, 4, -2, 2, 1, 2, 2]);
});

test('record statistic: the plan (a day or 15 % of the rows of warm-up; off at 0 and on files under two days)', () => {
  assert.equal(recordPlan(10_000, STEP, 0), null);
  assert.deepEqual(recordPlan(4032, STEP, Infinity), { span: 4032, warmup: 605 });
  assert.deepEqual(recordPlan(4032, STEP, DAY), { span: 288, warmup: 605 });
  assert.deepEqual(recordPlan(1000, STEP, 3 * DAY), { span: 864, warmup: 288 });
  assert.equal(recordPlan(575, STEP, DAY), null);
  assert.deepEqual(recordPlan(576, STEP, DAY), { span: 288, warmup: 288 });
  // Without timestamps a row is a minute.
  assert.deepEqual(recordPlan(5000, null, DAY), { span: 1440, warmup: 1440 });
});

/** `days` of 5-minute rows of two clean metrics drawn by `draw`. */
function clean(days: number, draw: (i: number, rng: ReturnType<typeof createRng>) => [number, number], seed: number): Frame {
  const rng = createRng(seed);
  const n = days * 288;
  const a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) [a[i], b[i]] = draw(i, rng);
  return frameOf({ a, b }, Float64Array.from({ length: n }, (_, i) => T0 + i * STEP));
}

const SHAPES: Record<string, (i: number, rng: ReturnType<typeof createRng>) => [number, number]> = {
  gaussian: (_i, rng) => [50 + 5 * rng.normal(), 10 + rng.normal()],
  'heavy-tailed': (_i, rng) => [20 * Math.exp(0.6 * rng.normal()), 5 + (rng.next() < 0.5 ? 1 : -1) * Math.log(1 - rng.next())],
  seasonal: (i, rng) => {
    const day = Math.sin((2 * Math.PI * i) / 288);
    return [40 + 20 * day + 2 * rng.normal(), 300 + 100 * day + 10 * rng.normal()];
  },
  // A slow upward drift: every few rows a new high by a little (the calibration must not call that rare).
  drifting: (i, rng) => [50 + i / 200 + 2 * rng.normal(), 10 + rng.normal()],
};

for (const [shape, draw] of Object.entries(SHAPES)) {
  // Heavy-tailed (log-normal) data goes over the critical budget with the longer spans — 11, 11 and 7 critical
  // incidents in its 112 days at 3 days, 7 days and all the rows before, against 112 / 30 + 3 — so only the 1-day
  // span is held to the budget there: one more reason the statistic is shipped off.
  // Corroborated records (recordNearRows 3) and the log scale (recordLog 1) each keep it within budget at every
  // span (npm run bench:record-budget: heavy-tailed 2, 3, 3 and 1, 1, 1 critical at 3 d, 7 d, all).
  const spans: Partial<ViewConstants>[] = shape === 'heavy-tailed' ? [{ recordSpanMs: DAY }] : [{ recordSpanMs: DAY }, { recordSpanMs: Infinity }];
  for (const recordSpanMs of [3 * DAY, Infinity]) spans.push({ recordSpanMs, recordNearRows: 3 }, { recordSpanMs, recordLog: 1 });
  test(`record statistic: on clean ${shape} data the view with it stays within each band's false-alarm budget`, () => {
    // As the calibration's budget tests (incidents.test.ts): 112 days, budgets plus Poisson slack.
    const totals = spans.map(() => ({ critical: 0, major: 0, minor: 0 }));
    for (const seed of [1, 2, 3, 4]) {
      const result = runAnalysis(clean(28, draw, seed), settingsFor(null, {}), { path: 'clean.csv', sha256: '' });
      spans.forEach((span, k) => {
        const v = analysisView(result, 'major', undefined, span);
        assert.ok(Object.keys(v.calibrations).some((key) => key.startsWith('record')), 'the statistic ran');
        for (const i of v.incidents) for (const s of ['critical', 'major', 'minor'] as const) if (severityRank(i.severity) <= severityRank(s)) totals[k][s]++;
      });
    }
    spans.forEach((span, k) => {
      const total = totals[k];
      const msg = `${shape}, ${JSON.stringify(span)}: ${JSON.stringify(total)}`;
      assert.ok(total.critical <= 112 / 30 + 3, msg);
      assert.ok(total.major <= 112 / 7 + 6, msg);
      assert.ok(total.minor <= 112 + 15, msg);
    });
  });
}

test('record statistic: a first excursion past the file\'s range is found and named, a recurring one is not', () => {
  const rng = createRng(5);
  const n = 14 * 288;
  const a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) { a[i] = 50 + 2 * rng.normal(); b[i] = 10 + rng.normal(); }
  // Day 3: a 15-minute excursion to 70 — the first. Days 6 and 9: the same again (repeats of it).
  const at = [3, 6, 9].map((d) => d * 288 + 150);
  for (const s of at) for (let i = s; i < s + 3; i++) a[i] = 70 + (s === at[0] ? 0 : -1);
  const result = runAnalysis(frameOf({ a, b }, Float64Array.from({ length: n }, (_, i) => T0 + i * STEP)), settingsFor(null, {}), { path: 'r.csv', sha256: '' });
  const v = analysisView(result, 'major', undefined, { recordSpanMs: Infinity });
  const found = v.findings.filter((f) => f.message.includes('above every earlier value'));
  assert.ok(found.some((f) => f.row === at[0] && f.metric === 'a' && f.score >= 50), JSON.stringify(found.map((f) => [f.row, f.score])));
  assert.ok(!found.some((f) => at.slice(1).some((s) => f.row >= s && f.row < s + 3)), 'the repeats set no record');
  assert.equal(severityRank(v.incidents.find((i) => i.startRow <= at[0] && i.endRow >= at[0])!.severity) <= severityRank('major'), true);
  // Shipped off: no record statistic, and not counted among the places tested.
  assert.ok(!Object.keys(result.view!.calibrations).some((k) => k.startsWith('record')));
});

test('corroborated records: a record finding kept only where another statistic of its metric is at least the floor within the radius (against a direct search)', () => {
  const rng = createRng(11);
  for (const near of [1, 3, 12]) {
    const fs = Array.from({ length: 300 }, (_, i) => ({ row: Math.floor(rng.next() * 400), metric: rng.next() < 0.5 ? 'a' : 'b', score: Math.round(100 * rng.next()), record: rng.next() < 0.3, id: i }));
    const got = corroborated(fs, (f) => f.record, near, 25).map((f) => f.id);
    const want = fs.filter((f) => !f.record || fs.some((g) => !g.record && g.metric === f.metric && g.score >= 25 && Math.abs(g.row - f.row) <= near)).map((f) => f.id);
    assert.deepEqual(got, want, `near ${near}`);
    assert.ok(want.length < fs.length && fs.filter((f) => f.record).some((f) => want.includes(f.id)), 'some records kept, some dropped');
  }
  // Another metric's finding, a record's, or one under the floor corroborates nothing.
  const one = [{ row: 10, metric: 'a', score: 90 }, { row: 11, metric: 'b', score: 90 }, { row: 12, metric: 'a', score: 90 }, { row: 9, metric: 'a', score: 24 }];
  assert.deepEqual(corroborated(one, (f) => f.row === 10 || f.row === 12, 3, 25), [one[1], one[3]]);
});

test('record statistic on a log scale: log(y + c) only for metrics with no negative value skewed to the right, c their positives\' 5th percentile', () => {
  const rng = createRng(7);
  const logNormal = Float64Array.from({ length: 2000 }, (_, i) => (i % 10 === 0 ? 0 : 20 * Math.exp(0.6 * rng.normal())));
  const got = recordScale(logNormal);
  assert.ok(got);
  const positives = Array.from(logNormal).filter((v) => v > 0).sort((a, b) => a - b);
  assert.equal(got.c, positives[Math.floor(0.05 * (positives.length - 1))]);
  for (const i of [0, 1, 999]) assert.equal(got.x[i], Math.log(logNormal[i] + got.c));
  // Symmetric noise, or a negative value, or too few values: the values as they are.
  assert.equal(recordScale(Float64Array.from({ length: 2000 }, () => 50 + 5 * rng.normal())), null);
  assert.equal(recordScale(Float64Array.from(logNormal, (v, i) => (i === 5 ? -1 : v))), null);
  assert.equal(recordScale(logNormal.subarray(0, 99)), null);
  // Missing values stay missing.
  const gaps = Float64Array.from(logNormal, (v, i) => (i % 7 === 3 ? NaN : v));
  assert.ok(Number.isNaN(recordScale(gaps)!.x[3]));
});

test('corroborated records in the view: every record finding left has a finding of minor or above of its metric within 3 rows; the first excursion is still found', () => {
  const rng = createRng(5);
  const n = 14 * 288;
  const a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) { a[i] = 50 + 2 * rng.normal(); b[i] = 10 + rng.normal(); }
  // Day 3: a 15-minute excursion to 70; a slow climb on day 8 sets many small records no other statistic sees.
  const at = 3 * 288 + 150;
  for (let i = at; i < at + 3; i++) a[i] = 70;
  for (let i = 8 * 288; i < n; i++) b[i] += (i - 8 * 288) / 400;
  const result = runAnalysis(frameOf({ a, b }, Float64Array.from({ length: n }, (_, i) => T0 + i * STEP)), settingsFor(null, {}), { path: 'r.csv', sha256: '' });
  const isRecord = (m: string) => m.includes('every earlier value');
  const plain = analysisView(result, 'major', undefined, { recordSpanMs: Infinity });
  const near = analysisView(result, 'major', undefined, { recordSpanMs: Infinity, recordNearRows: 3 });
  const records = near.findings.filter((f) => isRecord(f.message));
  assert.ok(records.some((f) => f.row === at && f.metric === 'a'));
  for (const f of records) assert.ok(near.findings.some((g) => !isRecord(g.message) && g.metric === f.metric && g.score >= 25 && Math.abs(g.row - f.row) <= 3), `row ${f.row}`);
  assert.ok(records.length < plain.findings.filter((f) => isRecord(f.message)).length, 'some records dropped');
  // The other statistics' findings are the same.
  assert.deepEqual(near.findings.filter((f) => !isRecord(f.message)), plain.findings.filter((f) => !isRecord(f.message)));
});
