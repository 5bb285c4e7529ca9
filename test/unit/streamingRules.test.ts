import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { frameOf } from '../../src/core/csv/frame.ts';
import type { Anomaly } from '../../src/core/anomaly.ts';
import type { Rule } from '../../src/core/rules/model.ts';
import { evaluateRules } from '../../src/core/rules/evaluate.ts';
import { createStreamRules } from '../../src/core/streaming/rulesStream.ts';
import { createRng } from '../../src/core/random.ts';

// What is kept, not garbage not yet collected: the heap is measured after a collection (as liveWindow.test.ts does).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const M = 60_000;
const T0 = Date.UTC(2024, 2, 4);

function rule(over: Partial<Rule>): Rule {
  return { name: 'r', metric: 'cpu', op: '>', threshold: 5, forMs: 0, keepFiringForMs: 0, severity: 'major', enabled: true, labels: {}, annotations: {}, line: 1, ...over };
}

/** A flapping two-metric series: one-minute rows, regular for the first 30, then with gaps and missing values. */
function series(n: number, seed: number) {
  const rng = createRng(seed);
  const cpu: number[] = [], mem: number[] = [], ts: number[] = [];
  let t = T0;
  for (let i = 0; i < n; i++) {
    ts.push(t);
    t += i > 30 && rng.next() < 0.04 ? M * (2 + Math.floor(rng.next() * 6)) : M;
    cpu.push(rng.next() < 0.03 ? NaN : Math.floor(rng.next() * 10));
    mem.push(Math.floor(rng.next() * 4) + (Math.floor(i / 40) % 2) * 5);
  }
  return { cpu, mem, ts };
}

const ops: Rule['op'][] = ['>', '>=', '<', '<=', '==', '!='];

function rulesFor(seed: number): Rule[] {
  const rng = createRng(seed);
  const list: Rule[] = [];
  for (let k = 0; k < 14; k++) {
    list.push(rule({
      name: `r${k}`, metric: k % 3 === 0 ? 'mem' : 'cpu', op: ops[k % ops.length], threshold: 2 + Math.floor(rng.next() * 6),
      forMs: [0, M, 150_000, 5 * M][Math.floor(rng.next() * 4)], keepFiringForMs: [0, M, 2 * M, 7 * M][Math.floor(rng.next() * 4)],
      severity: k % 2 ? 'critical' : 'minor',
      annotations: k === 5 ? { summary: '{{ metric }} {{ value }} {{ op }} {{ threshold }} at {{ timestamp }} (row {{ row }})' } : {},
    }));
  }
  list.push(rule({ name: 'off', enabled: false }), rule({ name: 'ghost', metric: 'disk' }));
  return list;
}

/** The streaming evaluator's anomalies of every row, in row order. */
function streamed(rules: Rule[], s: { cpu: number[]; mem: number[]; ts: number[] }, timed: boolean, thresholds?: Record<string, number>): Anomaly[] {
  const ev = createStreamRules(rules, ['cpu', 'mem'], { timed, thresholds });
  const out: Anomaly[] = [];
  for (let i = 0; i < s.ts.length; i++) out.push(...ev.update(timed ? s.ts[i] : NaN, [s.cpu[i], s.mem[i]]));
  assert.deepEqual(ev.skipped, { off: 'disabled', ghost: 'unknown-metric' });
  return out;
}

test('streaming rules give the same firings (the same anomaly objects) as evaluateRules on every prefix', () => {
  for (const seed of [1, 2, 3]) {
    const rules = rulesFor(seed);
    const s = series(600, seed);
    const all = streamed(rules, s, true);
    for (const k of [1, 2, 16, 17, 45, 120, 333, 600]) {
      const frame = frameOf({ cpu: s.cpu.slice(0, k), mem: s.mem.slice(0, k) }, s.ts.slice(0, k));
      const batch = evaluateRules(rules, frame).anomalies;
      assert.deepEqual(all.filter((a) => a.row < k), batch, `seed ${seed}, prefix of ${k} rows`);
    }
    assert.ok(all.length > 500, `the rules fire often enough to test something (${all.length})`);
  }
});

test('streaming rules match evaluateRules without timestamps (row i at i seconds) and with threshold overrides', () => {
  const rules = rulesFor(4).map((r) => ({ ...r, forMs: r.forMs / 60, keepFiringForMs: r.keepFiringForMs / 60 }));
  const s = series(400, 4);
  const thresholds = { r1: 7, r3: 1 };
  const all = streamed(rules, s, false, thresholds);
  const frame = frameOf({ cpu: s.cpu, mem: s.mem });
  assert.deepEqual(all, evaluateRules(rules, frame, { thresholds }).anomalies);
});

test('streaming rules keep a few numbers per rule: a million rows leave the heap flat', () => {
  const ev = createStreamRules([rule({ threshold: 9.9, forMs: 0, keepFiringForMs: 3 * M })], ['cpu']);
  const rng = createRng(9);
  let fired = 0;
  let heap = 0;
  for (let i = 0; i < 1_000_000; i++) {
    fired += ev.update(T0 + i * M, [rng.next() * 10]).length;
    if (i === 100_000) {
      gc();
      heap = process.memoryUsage().heapUsed;
    }
  }
  assert.ok(fired > 0);
  gc();
  assert.ok(process.memoryUsage().heapUsed - heap < 8e6, 'heap grew by 8 MB or more');
});

test('a streamed rule on a metric of several series holds per series, as the batch evaluation does', () => {
  const { cpu, mem, ts } = series(200, 11);
  const columns = ['cpu{host="a"}', 'cpu{host="b"}'];
  const rules = [rule({ forMs: 2 * M, keepFiringForMs: M }), rule({ name: 'q', metric: 'mem', op: '<', threshold: 2 })];
  const stream = createStreamRules(rules, columns);
  assert.deepEqual(stream.skipped, { q: 'unknown-metric' });
  const got: Anomaly[] = [];
  for (let i = 0; i < ts.length; i++) got.push(...stream.update(ts[i], [cpu[i], mem[i]]));
  const batch = evaluateRules(rules, frameOf({ [columns[0]]: cpu, [columns[1]]: mem }, ts)).anomalies;
  assert.ok(got.some((a) => a.metric === columns[0]) && got.some((a) => a.metric === columns[1]));
  assert.deepEqual(got.map((a) => [a.row, a.metric, a.message]), batch.map((a) => [a.row, a.metric, a.message]));
});
