import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameOf } from '../../src/core/csv/frame.ts';
import type { Rule } from '../../src/core/rules/model.ts';
import { evaluateRules } from '../../src/core/rules/evaluate.ts';
import { renderTemplate } from '../../src/core/rules/template.ts';
import { validateRules } from '../../src/core/rules/validate.ts';
import { createStreamRules } from '../../src/core/streaming/rulesStream.ts';
import { labelText, seriesLabels } from '../../src/core/prometheus/names.ts';

const M = 60_000;
const T0 = Date.UTC(2024, 2, 4);

function rule(over: Partial<Rule> = {}): Rule {
  return { name: 'r', metric: 'cpu', op: '>', threshold: 90, forMs: 0, keepFiringForMs: 0, severity: 'major', enabled: true, labels: {}, annotations: {}, line: 1, ...over };
}

/** A one-minute frame of cpu values (optionally with explicit minute offsets for gaps). */
function minutes(cpu: number[], at?: number[]) {
  return frameOf({ cpu }, (at ?? cpu.map((_, i) => i)).map((m) => T0 + m * M));
}

function firing(r: Rule, frame = minutes([0, 95, 95, 95, 0, 95, 0, 0, 0, 0, 95])) {
  const f = evaluateRules([r], frame).perRule[r.name];
  return { fires: f.fires, episodes: f.episodes, firstRow: f.firstRow, lastRow: f.lastRow, ranges: Array.from(f.ranges) };
}

test('without for, a rule fires on every row where its condition holds', () => {
  assert.deepEqual(firing(rule()), { fires: 5, episodes: 3, firstRow: 1, lastRow: 10, ranges: [1, 3, 5, 5, 10, 10] });
});

test('for: the condition must hold that long in CSV time before the rule fires', () => {
  assert.deepEqual(firing(rule({ forMs: 2 * M })), { fires: 1, episodes: 1, firstRow: 3, lastRow: 3, ranges: [3, 3] });
  assert.deepEqual(firing(rule({ forMs: 3 * M })), { fires: 0, episodes: 0, firstRow: null, lastRow: null, ranges: [] });
});

test('keep_firing_for bridges a flapping metric into one episode', () => {
  assert.deepEqual(firing(rule({ keepFiringForMs: 2 * M })), { fires: 8, episodes: 2, firstRow: 1, lastRow: 10, ranges: [1, 7, 10, 10] });
});

test('a condition that returns during keep_firing_for continues without waiting for again', () => {
  assert.deepEqual(firing(rule({ forMs: M, keepFiringForMs: 2 * M })), { fires: 6, episodes: 1, firstRow: 2, lastRow: 7, ranges: [2, 7] });
});

test('a rule can fire at the last row, and keep_firing_for stops at the end of the data', () => {
  assert.deepEqual(firing(rule({ keepFiringForMs: 10 * M }), minutes([0, 0, 95])), { fires: 1, episodes: 1, firstRow: 2, lastRow: 2, ranges: [2, 2] });
  assert.deepEqual(firing(rule({ forMs: 2 * M }), minutes([0, 95, 95, 95])), { fires: 1, episodes: 1, firstRow: 3, lastRow: 3, ranges: [3, 3] });
});

test('a gap in time resets for: rows on both sides of a gap do not add up', () => {
  // Minutes 0,1 then a 30-minute hole, then 31,32,33: for 3m needs three contiguous minutes after the gap.
  const frame = minutes([95, 95, 95, 95, 95], [0, 1, 31, 32, 33]);
  assert.deepEqual(firing(rule({ forMs: 3 * M }), frame), { fires: 0, episodes: 0, firstRow: null, lastRow: null, ranges: [] });
  assert.deepEqual(firing(rule({ forMs: 2 * M }), frame), { fires: 1, episodes: 1, firstRow: 4, lastRow: 4, ranges: [4, 4] });
});

test('a gap shorter than Prometheus\'s 5-minute lookback does not interrupt a condition; a longer one does', () => {
  // Prometheus evaluates every minute and sees the last sample up to 5 minutes old: through a 3-minute hole the
  // condition holds on, so for 5m is reached at minute 5.
  assert.deepEqual(firing(rule({ forMs: 5 * M }), minutes([95, 95, 95, 95], [0, 1, 4, 5])), { fires: 1, episodes: 1, firstRow: 3, lastRow: 3, ranges: [3, 3] });
  // A 7-minute hole: the series vanished in between, the condition starts again after it.
  assert.deepEqual(firing(rule({ forMs: 5 * M }), minutes([95, 95, 95, 95], [0, 1, 8, 9])), { fires: 0, episodes: 0, firstRow: null, lastRow: null, ranges: [] });
});

test('keep_firing_for counts time across a gap: it runs out during the hole', () => {
  const frame = minutes([95, 95, 0, 0], [0, 1, 31, 32]);
  assert.deepEqual(firing(rule({ keepFiringForMs: 5 * M }), frame), { fires: 2, episodes: 1, firstRow: 0, lastRow: 1, ranges: [0, 1] });
});

test('a missing value (NaN) is no data: no operator holds on it, not even !=', () => {
  const frame = minutes([NaN, 95, NaN, 50]);
  assert.deepEqual(firing(rule({ op: '!=', threshold: 95 }), frame).ranges, [3, 3]);
  assert.deepEqual(firing(rule({ op: '<', threshold: 100 }), frame).ranges, [1, 1, 3, 3]);
});

test('every operator compares value with threshold', () => {
  const frame = minutes([1, 2, 3]);
  const rows = (op: Rule['op']) => firing(rule({ op, threshold: 2 }), frame).ranges;
  assert.deepEqual({ gt: rows('>'), ge: rows('>='), lt: rows('<'), le: rows('<='), eq: rows('=='), ne: rows('!=') },
    { gt: [2, 2], ge: [1, 2], lt: [0, 0], le: [0, 1], eq: [1, 1], ne: [0, 0, 2, 2] });
});

test('without timestamps, row i stands at i seconds', () => {
  const frame = frameOf({ cpu: [95, 95, 95, 95] });
  assert.deepEqual(firing(rule({ forMs: 2000 }), frame).ranges, [2, 3]);
});

test('each firing row becomes a SPEC §3 anomaly with the rendered summary', () => {
  const r = rule({ severity: 'critical', labels: { team: 'infra' }, annotations: { summary: 'CPU {{ value }}% > {{ threshold }} at {{ timestamp }} ({{ labels.team }})' } });
  const { anomalies } = evaluateRules([r], minutes([10, 93.456789]));
  assert.deepEqual(anomalies, [{
    row: 1, timestamp: '2024-03-04T00:01:00.000Z', detector: 'rule', rule: 'r', metric: 'cpu', value: 93.456789, score: 90, severity: 'critical',
    message: 'CPU 93.4568% > 90 at 2024-03-04T00:01:00.000Z (infra)',
  }]);
});

test('without a summary the message says what held, and marks rows kept firing', () => {
  const { anomalies } = evaluateRules([rule({ keepFiringForMs: M })], minutes([95, 10]));
  assert.deepEqual(anomalies.map((a) => a.message), ['r: cpu = 95 > 90', 'r: cpu = 10 > 90 (keep firing)']);
});

test('a templated summary marks rows kept firing too (its own template and a Prometheus rule\'s), as the default message does', () => {
  const own = rule({ keepFiringForMs: M, annotations: { summary: 'CPU at {{ value }}% (> {{ threshold }}%)' } });
  assert.deepEqual(evaluateRules([own], minutes([95, 61.06])).anomalies.map((a) => a.message), ['CPU at 95% (> 90%)', 'CPU at 61.06% (> 90%) (keep firing)']);
  const prom = rule({ keepFiringForMs: M, promAlert: 'r', annotations: { summary: 'CPU at {{ $value }}%' } });
  assert.deepEqual(evaluateRules([prom], minutes([95, 61.06])).anomalies.map((a) => a.message), ['CPU at 95%', 'CPU at 61.06% (keep firing)']);
  // The streaming evaluator says the same.
  const stream = createStreamRules([own], ['cpu']);
  const said = [95, 61.06].flatMap((v, k) => stream.update(T0 + k * M, [v]).map((a) => a.message));
  assert.deepEqual(said, ['CPU at 95% (> 90%)', 'CPU at 61.06% (> 90%) (keep firing)']);
});

test('disabled rules and unknown metrics are skipped, not errors', () => {
  const { perRule, anomalies } = evaluateRules([rule({ name: 'off', enabled: false }), rule({ name: 'ghost', metric: 'nope' })], minutes([95]));
  assert.deepEqual(anomalies, []);
  assert.equal(perRule.off.skipped, 'disabled');
  assert.equal(perRule.ghost.skipped, 'unknown-metric');
});

test('thresholds given at call time replace the file\'s', () => {
  assert.deepEqual(Array.from(evaluateRules([rule()], minutes([50, 70, 95]), { thresholds: { r: 60 } }).perRule.r.ranges), [1, 2]);
});

test('anomalies are ordered by row, then by rule order', () => {
  const { anomalies } = evaluateRules([rule({ name: 'b', threshold: 0 }), rule({ name: 'a', threshold: 50 })], minutes([10, 60]));
  assert.deepEqual(anomalies.map((a) => [a.row, a.rule]), [[0, 'b'], [1, 'b'], [1, 'a']]);
});

test('a validated file evaluates with its defaults', () => {
  const { rules } = validateRules('version: 1\ndefaults: {for: 2m, severity: minor}\nrules:\n  - {name: a, metric: cpu, op: ">", threshold: 90}\n');
  assert.ok(rules);
  const { anomalies } = evaluateRules(rules, minutes([95, 95, 95]));
  assert.deepEqual(anomalies.map((a) => [a.row, a.severity, a.score]), [[2, 'minor', 37]]);
});

test('renderTemplate fills known variables, tolerates spacing and $, leaves unknown ones empty', () => {
  const vars = { name: 'n', metric: 'cpu', value: '1.5', threshold: '2', timestamp: 'T', op: '>', severity: 'major', row: '7', labels: { team: 'infra' } };
  assert.equal(renderTemplate('{{name}} {{ metric }} {{  $value }} {{ .threshold }} {{ timestamp }} {{ op }} {{ severity }} {{ row }} {{ labels.team }} {{ labels.x }}|{{ nope }}|', vars),
    'n cpu 1.5 2 T > major 7 infra ||');
  assert.equal(renderTemplate('no templates', vars), 'no templates');
});

test('a rule over several series: its summary\'s {{ labels.KEY }} is the series\' label (its own labels win), as Prometheus\'s $labels', () => {
  const frame = frameOf({ 'cpu{dc="x\\"y",host="a"}': [95, 0], 'cpu{host="b",team="db"}': [0, 95] }, [T0, T0 + M]);
  const r = rule({ labels: { team: 'infra' }, annotations: { summary: '{{ labels.host }}/{{ labels.dc }}/{{ labels.team }} at {{ value }}' } });
  const batch = evaluateRules([r], frame).anomalies.map((a) => a.message);
  assert.deepEqual(batch, ['a/x"y/infra at 95', 'b//infra at 95']);
  const stream = createStreamRules([r], frame.metrics);
  const streamed = [0, 1].flatMap((i) => stream.update(T0 + i * M, frame.values.map((v) => v[i])).map((a) => a.message));
  assert.deepEqual(streamed, batch);
  // A rule on one series in full sees its labels too.
  const one = rule({ metric: 'cpu{host="b",team="db"}', annotations: { summary: '{{ labels.host }} {{ labels.team }}' } });
  assert.deepEqual(evaluateRules([one], frame).anomalies.map((a) => a.message), ['b db']);
  // The labels a long CSV or a query's series get are read back as written, quotes, backslashes and newlines too.
  for (const labels of [{ host: 'a' }, { host: 'a,b', dc: 'x"y\\z' }, { k: 'line\nnext\ttab\u0001' }, { 'host name': '="' }] as Record<string, string>[]) {
    assert.deepEqual({ ...seriesLabels(`cpu${labelText(labels)}`) }, labels);
  }
  assert.deepEqual({ ...seriesLabels('cpu') }, {});
  assert.deepEqual({ ...seriesLabels('up{instance="a:9100", job="node"}') }, { instance: 'a:9100', job: 'node' });
  assert.deepEqual({ ...seriesLabels('cpu{host="a"}_2') }, {});
});

test('a rule on a metric of several series (cpu{host="a"}, cpu{host="b"}) holds per series, as PromQL does', () => {
  const frame = frameOf({ 'cpu{host="a"}': [0, 95, 95, 0, 0], 'cpu{host="b"}': [0, 0, 95, 0, 95], 'cpux{host="c"}': [99, 99, 99, 99, 99] }, [0, 1, 2, 3, 4].map((m) => T0 + m * M));
  const { anomalies, perRule } = evaluateRules([rule()], frame);
  assert.deepEqual(anomalies.map((a) => [a.row, a.metric, a.message]), [
    [1, 'cpu{host="a"}', 'r: cpu{host="a"} = 95 > 90'],
    [2, 'cpu{host="a"}', 'r: cpu{host="a"} = 95 > 90'],
    [2, 'cpu{host="b"}', 'r: cpu{host="b"} = 95 > 90'],
    [4, 'cpu{host="b"}', 'r: cpu{host="b"} = 95 > 90'],
  ]);
  // Its firing is the rows where it fires on any series.
  const f = perRule.r;
  assert.deepEqual({ fires: f.fires, episodes: f.episodes, firstRow: f.firstRow, lastRow: f.lastRow, ranges: Array.from(f.ranges) }, { fires: 3, episodes: 2, firstRow: 1, lastRow: 4, ranges: [1, 2, 4, 4] });
  // A column of the exact name is read alone; the checker accepts the series' name.
  const both = frameOf({ cpu: [95, 0], 'cpu{host="a"}': [95, 95] });
  assert.deepEqual(evaluateRules([rule()], both).anomalies.map((a) => [a.row, a.metric]), [[0, 'cpu']]);
  const text = 'version: 1\nrules:\n  - name: r\n    metric: cpu\n    op: ">"\n    threshold: 90\n';
  const ctx = (f: typeof frame) => ({ data: { name: 'long.csv', metrics: f.metrics, timestampColumn: 'time', stepMs: M, stats: {} } });
  assert.deepEqual(validateRules(text, ctx(frame)).diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(validateRules(text.replace('metric: cpu', 'metric: cpuz'), ctx(frame)).diagnostics.map((d) => d.code), ['unknown-metric']);
});
