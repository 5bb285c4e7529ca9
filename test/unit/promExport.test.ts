import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { exportPrometheus } from '../../src/core/rules/prometheusExport.ts';
import { analyzeRules, validateRules } from '../../src/core/rules/validate.ts';
import { needPromtool, promtool } from './promtool.ts';

async function cli(argv: string[], cwd: string) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd });
  return { code, out, err };
}

/** Writes an exported text to `name` and asserts promtool 2.42 accepts it (`promtool check rules`). */
function assertPromtoolAccepts(name: string, text: string): void {
  writeFileSync(join(dir, name), text);
  const check = promtool(['check', 'rules', join(dir, name)]);
  assert.equal(check.status, 0, check.out);
}

function exportOf(text: string) {
  const a = analyzeRules(text);
  // As export-rules reads them: the rules file's own data.queries (RulesFile.source).
  const queries = Object.fromEntries((a.file.source?.queries ?? []).map((q) => [q.name, q.promql]));
  return exportPrometheus(a.file, queries, 'g');
}

const dir = mkdtempSync(join(tmpdir(), 'ah-export-'));

test('the sample rules file exports to a rule file that promtool check rules accepts', async (t) => {
  const r = await cli(['export-rules', join(process.cwd(), 'rules/rules.yaml'), '--format', 'prometheus', '--out', 'out.yml'], dir);
  assert.equal(r.code, 0, r.err);
  const text = readFileSync(join(dir, 'out.yml'), 'utf8');
  assert.match(text, /- alert: cpu-saturated\n {8}expr: "cpu > 90"\n {8}for: 5m\n {8}keep_firing_for: 2m\n/);
  assert.match(text, /severity: critical/);
  assert.match(text, /summary: "CPU at \{\{ \$value \}\}% \(> 90%\)/);
  if (!needPromtool(t)) return;
  const check = promtool(['check', 'rules', join(dir, 'out.yml')]);
  assert.equal(check.status, 0, check.out);
  assert.match(check.out, /SUCCESS: 8 rules found/);
});

test('expr comes from data.queries when the metric has one; a query that is not a selector gets parentheses', () => {
  const e = exportOf(`version: 1
data:
  prometheus: http://localhost:9090
  queries: {cpu: 'avg(rate(node_cpu_seconds_total{mode="idle"}[5m]))', up: 'up{job="node"}'}
rules:
  - {name: a, metric: cpu, op: "<", threshold: 0.5}
  - {name: b, metric: up, op: "==", threshold: 0, for: 1m}
  - {name: c, metric: mem, op: ">=", threshold: -2.5e-7}
`);
  assert.deepEqual(e.group.rules.map((r) => r.expr), ['(avg(rate(node_cpu_seconds_total{mode="idle"}[5m]))) < 0.5', 'up{job="node"} == 0', 'mem >= -2.5e-7']);
});

test('a rule on one series of a query exports as the query\'s selector with the series\' labels, when the query is a plain selector', () => {
  const e = exportOf(`version: 1
data:
  prometheus: http://localhost:9090
  queries: {load: node_load1, up: 'up{job="node"}', cpu: 'avg by (instance) (rate(node_cpu_seconds_total[5m]))'}
rules:
  - {name: a, metric: 'load{instance="h0:9100",job="node"}', op: ">", threshold: 4}
  - {name: b, metric: 'up{instance="h1:9100"}', op: "==", threshold: 0}
  - {name: c, metric: 'cpu{instance="h0:9100"}', op: ">", threshold: 0.9}
  - {name: d, metric: 'nope{instance="h0:9100"}', op: ">", threshold: 1}
`);
  assert.deepEqual(e.group.rules.map((r) => [r.alert, r.expr]), [['a', 'node_load1{instance="h0:9100",job="node"} > 4'], ['b', 'up{job="node",instance="h1:9100"} == 0']]);
  // Not a plain selector, or no such query: still not exported, and said so.
  assert.deepEqual(e.problems.filter((p) => p.dropped).map((p) => [p.rule, p.message]), [
    ['c', 'metric \'cpu{instance="h0:9100"}\' is one series of the query \'cpu\', which is not a plain series selector, so its labels cannot be added to it; give this series a query of its own under data.queries'],
    ['d', 'metric \'nope{instance="h0:9100"}\' is not a Prometheus metric name; give its query under data.queries'],
  ]);
});

test('what Prometheus cannot say is reported, never dropped silently; literal {{ is kept literal', async (t) => {
  const text = `version: 1
rules:
  - name: dotted
    metric: disk.used
    op: ">"
    threshold: 1
  - name: rowy
    metric: cpu
    op: ">"
    threshold: 90
    labels: {team: "{{x}}"}
    annotations: {summary: "row {{ row }} of {{ metric }} {{ labels.team }} {{ labels.instance }} {{ op }} {{ severity }}"}
  - name: off
    metric: cpu
    op: ">"
    threshold: 1
    enabled: false
`;
  const e = exportOf(text);
  assert.deepEqual(e.problems.map((p) => [p.rule, p.dropped]), [['dotted', true], ['rowy', false]]);
  assert.deepEqual(e.disabled, ['off']);
  assert.deepEqual(e.group.rules.map((r) => r.alert), ['rowy']);
  assert.equal(e.group.rules[0].annotations.summary, 'row  of cpu {{ "{{" }}x}} {{ $labels.instance }} > warning');
  writeFileSync(join(dir, 'bad.yaml'), text);
  const r = await cli(['export-rules', 'bad.yaml', '--format', 'prometheus', '--out', 'bad.out.yml'], dir);
  assert.equal(r.code, 1);
  assert.match(r.err, /^bad\.yaml:3: warning: rule 'dotted': metric 'disk\.used' is not a Prometheus metric name.*\(rule not exported\)$/m);
  assert.match(r.err, /rule 'rowy': annotation 'summary': '\{\{ row \}\}' has no meaning/);
  assert.match(r.err, /not exported \(enabled: false\): off/);
  if (!needPromtool(t)) return;
  const check = promtool(['check', 'rules', join(dir, 'bad.out.yml')]);
  assert.equal(check.status, 0, check.out);
});

test('export-rules: a rules file with errors prints them and writes nothing; usage errors exit 2', async () => {
  writeFileSync(join(dir, 'broken.yaml'), 'version: 1\nrules:\n  - {name: a, metric: cpu, op: ">", treshold: 1}\n');
  const r = await cli(['export-rules', 'broken.yaml', '--format', 'prometheus', '--out', 'never.yml'], dir);
  assert.equal(r.code, 1);
  assert.match(r.err, /^broken\.yaml:3:\d+: error: /m);
  assert.throws(() => readFileSync(join(dir, 'never.yml')));
  assert.equal((await cli(['export-rules', 'broken.yaml'], dir)).code, 2);
  assert.equal((await cli(['export-rules', 'broken.yaml', '--format', 'json'], dir)).code, 2);
  assert.equal((await cli(['export-rules', 'broken.yaml', '--format', 'prometheus', '--out', 'broken.yaml'], dir)).code, 2);
});

test('export-rules on a Prometheus rule file says it is one and writes nothing (an export would drop its other rules)', async () => {
  writeFileSync(join(dir, 'node.rules.yml'), 'groups:\n  - name: node\n    rules:\n      - {alert: HighCPU, expr: cpu > 90}\n      - {record: "job:cpu:avg", expr: avg(cpu)}\n');
  const r = await cli(['export-rules', 'node.rules.yml', '--format', 'prometheus', '--out', 'copy.yml'], dir);
  assert.deepEqual([r.code, r.out, r.err], [1, '', 'node.rules.yml: already a Prometheus rule file: Prometheus and promtool read it as it is; nothing exported\n']);
  assert.throws(() => readFileSync(join(dir, 'copy.yml')));
});

test('labels named like YAML 1.1 booleans and values needing quotes survive promtool', async (t) => {
  const e = exportOf('version: 1\nrules:\n  - {name: "on", metric: cpu, op: ">", threshold: 1, labels: {y: "yes", n: "a: b # c", team: " x"}}\n');
  assert.match(e.text, /"y": "yes"\n/);
  assert.match(e.text, /- alert: "on"\n/);
  if (!needPromtool(t)) return;
  writeFileSync(join(dir, 'quoted.yml'), e.text);
  writeFileSync(join(dir, 'quoted.test.yml'), `rule_files: [quoted.yml]
tests:
  - input_series: [{series: 'cpu', values: '5'}]
    alert_rule_test:
      - {eval_time: 0m, alertname: "on", exp_alerts: [{exp_labels: {y: "yes", n: "a: b # c", team: " x", severity: warning}}]}
`);
  const r = promtool(['test', 'rules', join(dir, 'quoted.test.yml')]);
  assert.equal(r.status, 0, r.out);
});

test('a query ending in a # comment keeps its comparison: the closing parenthesis is on a line of its own', async (t) => {
  const e = exportOf(`version: 1
data:
  prometheus: http://localhost:9090
  queries:
    load: |
      max(node_load1)  # worst host
    up: 'up{job="a#b"}'
rules:
  - {name: load, metric: load, op: ">", threshold: 4}
  - {name: up, metric: up, op: "==", threshold: 0}
`);
  assert.deepEqual(e.group.rules.map((r) => r.expr), ['(max(node_load1)  # worst host\n) > 4', 'up{job="a#b"} == 0']);
  if (!needPromtool(t)) return;
  assertPromtoolAccepts('comment.yml', e.text);
});

test('a scalar query (time(), scalar(...), a number) is exported as a vector: Prometheus compares two scalars only with bool', async (t) => {
  const e = exportOf(`version: 1
data:
  prometheus: http://localhost:9090
  queries: {t: time(), s: "scalar(sum(up))", one: "1", v: "sum(up)"}
rules:
  - {name: t, metric: t, op: ">", threshold: 5}
  - {name: s, metric: s, op: ">", threshold: 5}
  - {name: one, metric: one, op: "<", threshold: 5}
  - {name: v, metric: v, op: "<", threshold: 5}
`);
  assert.deepEqual(e.group.rules.map((r) => r.expr), ['vector(time()) > 5', 'vector(scalar(sum(up))) > 5', 'vector(1) < 5', '(sum(up)) < 5']);
  if (!needPromtool(t)) return;
  assertPromtoolAccepts('scalar.yml', e.text);
});

// Each checked by hand against promtool 2.42 (`NAME > 5`): the first eight are refused bare, the others read as names.
const REFUSED_BARE = ['inf', 'nan', 'Inf', 'NaN', 'INF', 'bool', 'Bool', 'on', 'ON', 'ignoring', 'group_left', 'group_right', 'atan2'];
const READ_AS_NAMES = ['sum', 'by', 'without', 'and', 'or', 'unless', 'offset', 'start', 'end', 'group', 'count_values', 'rate', 'time', 'e1', 'infinity', 'nan1'];

test('a metric PromQL would read as a keyword or a number is written {__name__="…"}; the others stay bare', async (t) => {
  const names = [...REFUSED_BARE, ...READ_AS_NAMES];
  const e = exportOf(`version: 1\nrules:\n${names.map((n, i) => `  - {name: r${i}, metric: "${n}", op: ">", threshold: 5}\n`).join('')}`);
  assert.deepEqual(e.problems, []);
  assert.deepEqual(e.group.rules.map((r) => r.expr), [...REFUSED_BARE.map((n) => `{__name__="${n}"} > 5`), ...READ_AS_NAMES.map((n) => `${n} > 5`)]);
  if (!needPromtool(t)) return;
  assertPromtoolAccepts('keywords.yml', e.text);
  // The series is the one named so: the alert fires on it (an alert drops __name__ from its labels).
  writeFileSync(join(dir, 'keywords.test.yml'), `rule_files: [keywords.yml]
tests:
  - input_series: [{series: '{__name__="inf"}', values: '9'}, {series: '{__name__="bool"}', values: '9'}]
    alert_rule_test:
      - {eval_time: 0m, alertname: r0, exp_alerts: [{exp_labels: {severity: warning}}]}
      - {eval_time: 0m, alertname: r5, exp_alerts: [{exp_labels: {severity: warning}}]}
`);
  const r = promtool(['test', 'rules', join(dir, 'keywords.test.yml')]);
  assert.equal(r.status, 0, r.out);
});

test('a __name__ label is left out with a warning, as other names Prometheus refuses as labels', async (t) => {
  const text = 'version: 1\nrules:\n  - {name: a, metric: cpu, op: ">", threshold: 1, labels: {"__name__": y, team: t}}\n';
  const e = exportOf(text);
  assert.deepEqual(e.group.rules[0].labels, { team: 't', severity: 'warning' });
  assert.deepEqual(e.problems.map((p) => [p.rule, p.message, p.dropped]), [['a', "label '__name__' is not a Prometheus label name; it is left out", false]]);
  writeFileSync(join(dir, 'name-label.yaml'), text);
  const r = await cli(['export-rules', 'name-label.yaml', '--format', 'prometheus', '--out', 'name-label.yml'], dir);
  assert.equal(r.code, 1);
  if (!needPromtool(t)) return;
  const check = promtool(['check', 'rules', join(dir, 'name-label.yml')]);
  assert.equal(check.status, 0, check.out);
});

test('a data.queries query PromQL cannot parse is an error of check at the query, and export-rules writes nothing', async () => {
  const text = `version: 1
data:
  prometheus: http://localhost:9090
  queries:
    ok: 'sum(rate(x[5m]))'
    bad: 'rate(x[5m]'
    blk: |
      sum(
        x
rules:
  - {name: a, metric: bad, op: "<", threshold: 1}
`;
  const errors = validateRules(text).diagnostics.filter((d) => d.severity === 'error').map((d) => [d.range.start.line, d.range.start.column, d.message]);
  assert.deepEqual(errors, [
    [6, 10, "query 'bad': could not parse expression: 1:11: parse error: unclosed left parenthesis"],
    [7, 10, "query 'blk': could not parse expression: 2:4: parse error: unclosed left parenthesis"],
  ]);
  writeFileSync(join(dir, 'badq.yaml'), text);
  const r = await cli(['export-rules', 'badq.yaml', '--format', 'prometheus', '--out', 'badq.yml'], dir);
  assert.equal(r.code, 1);
  assert.match(r.err, /^badq\.yaml:6:10: error: query 'bad': could not parse expression: 1:11: parse error: unclosed left parenthesis \[promql-syntax\]$/m);
  assert.throws(() => readFileSync(join(dir, 'badq.yml')));
});

test('a duration past what Prometheus holds is an error of check at its value; the longest one exports and promtool reads it', async (t) => {
  const text = `version: 1
defaults: {for: 107000d}
rules:
  - {name: a, metric: cpu, op: ">", threshold: 1, for: 293y}
  - {name: b, metric: cpu, op: ">", threshold: 1, for: 1m, keep_firing_for: 9000000000h}
`;
  const errors = validateRules(text).diagnostics.filter((d) => d.severity === 'error').map((d) => [d.range.start.line, d.range.start.column, d.message]);
  assert.deepEqual(errors, [
    [2, 17, 'for: duration out of range: 107000d (Prometheus holds at most 106751d, about 292 years)'],
    [4, 56, 'for: duration out of range: 293y (Prometheus holds at most 106751d, about 292 years)'],
    [5, 77, 'keep_firing_for: duration out of range: 9000000000h (Prometheus holds at most 106751d, about 292 years)'],
  ]);
  writeFileSync(join(dir, 'long.yaml'), text);
  const r = await cli(['export-rules', 'long.yaml', '--format', 'prometheus', '--out', 'long.yml'], dir);
  assert.equal(r.code, 1);
  assert.throws(() => readFileSync(join(dir, 'long.yml')));
  // The longest Prometheus holds, written in any order of units, and the shortest past it.
  const e = exportOf('version: 1\nrules:\n  - {name: a, metric: cpu, op: ">", threshold: 1, for: 106751d, keep_firing_for: 24w292y}\n');
  assert.deepEqual([e.group.rules[0].forMs, e.group.rules[0].keepFiringForMs], [106751 * 86_400_000, (292 * 365 + 24 * 7) * 86_400_000]);
  assert.equal(validateRules('version: 1\nrules:\n  - {name: a, metric: cpu, op: ">", threshold: 1, for: 106752d}\n').rules, null);
  if (!needPromtool(t)) return;
  assertPromtoolAccepts('longest.yml', e.text);
});
