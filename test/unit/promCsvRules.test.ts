import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { analyzeRules, validateRules } from '../../src/core/rules/validate.ts';
import { completionsAt, ruleRanges } from '../../src/core/rules/language.ts';
import { hoverAt } from '../../src/core/rules/hover.ts';
import { evaluateRules } from '../../src/core/rules/evaluate.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { dataContextOf } from '../../src/core/rules/dataContext.ts';
import { editorSchema } from '../../src/core/rules/editorSchema.ts';
import { RULES_SCHEMA } from '../../src/core/rules/schema.ts';
import { parseYamlAst } from '../../src/core/rules/yamlAst.ts';

const PROM = `groups:
  - name: node
    rules:
      - alert: HighCPU
        expr: cpu > 90
        for: 5m
        labels: {severity: page, team: sre}
        annotations:
          summary: "CPU {{ $value | humanize }} on {{ $labels.host }}"
      - alert: HostDown
        expr: 1 > up{host="a"}
        keep_firing_for: 2m
        labels: {severity: info}
      - alert: MemRising
        expr: avg_over_time(memory[10m]) > 80
      - record: job:cpu:avg
        expr: avg(cpu)
      - alert: Regex
        expr: cpu{host=~"a.*"} > 1
`;

test('a Prometheus rule file is read as CSV rules: selector-vs-number alerts run, the others are named in one note', () => {
  const r = validateRules(PROM);
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.code, d.range.start.line]), [['info', 'needs-promql', 14]]);
  assert.match(r.diagnostics[0].message, /^3 of 5 rules of this Prometheus rule file are not evaluated on CSV data \('MemRising', 'job:cpu:avg', 'Regex'\)/);
  // Their syntax is not fully checked here: the note says so and names the check that is (review finding).
  assert.match(r.diagnostics[0].message, /Their PromQL syntax is only partly checked here .*: `promtool check rules` checks it fully/);
  // One rule left out of several, and a file of one rule: the note's grammar follows.
  const some = validateRules('groups:\n  - name: g\n    rules:\n      - alert: Hot\n        expr: cpu > 90\n      - alert: Rising\n        expr: avg_over_time(cpu[5m]) > 80\n');
  assert.match(some.diagnostics[0].message, /^1 of 2 rules of this Prometheus rule file is not evaluated on CSV data \('Rising'\): .* Its PromQL syntax is only partly checked/);
  const only = validateRules('groups:\n  - name: g\n    rules:\n      - alert: Rising\n        expr: avg_over_time(cpu[5m]) > 80\n');
  assert.match(only.diagnostics[0].message, /^The one rule of this Prometheus rule file is not evaluated on CSV data \('Rising'\): .* Its PromQL syntax/);
  const rules = r.rules!.rules;
  assert.deepEqual(rules.map((x) => [x.name, x.metric, x.op, x.threshold, x.forMs, x.keepFiringForMs, x.severity, x.line]), [
    ['HighCPU', 'cpu', '>', 90, 300_000, 0, 'critical', 4],
    ['HostDown', 'up{host="a"}', '<', 1, 0, 120_000, 'warning', 10],
  ]);
  assert.deepEqual(rules[0].labels, { severity: 'page', team: 'sre' });
  assert.equal(rules[0].annotations.summary, 'CPU {{ $value | humanize }} on {{ $labels.host }}');
  // They fire on the data as our own rules do.
  const t = Array.from({ length: 20 }, (_, i) => Date.UTC(2024, 0, 1) + i * 60_000);
  const cpu = t.map((_, i) => (i >= 5 && i < 15 ? 95 : 50));
  const ev = evaluateRules(r.rules!, frameOf({ cpu, 'up{host="a"}': t.map((_, i) => (i === 3 ? 0 : 1)) }, t));
  const fired = ev.anomalies.map((a) => [a.rule, a.row]);
  assert.deepEqual(fired.filter(([n]) => n === 'HighCPU').map(([, row]) => row), [10, 11, 12, 13, 14]);
  assert.ok(fired.some(([n, row]) => n === 'HostDown' && row === 3));
  assert.equal(ev.anomalies.find((a) => a.rule === 'HighCPU')!.message, 'CPU 95 on ');
});

test('a broken Prometheus rule file is an error at its place; our own format is unchanged', () => {
  const r = validateRules('groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: cpu > 1\n        for: soon\n');
  assert.equal(r.rules, null);
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.code, d.range.start.line, d.message]), [['error', 'prometheus-rule-file', 6, 'Prometheus rule file: not a valid duration string: "soon"']]);
  // `version:` beside `groups:` is our format (with an unknown key), not a Prometheus file.
  assert.ok(validateRules('version: 1\ngroups: []\nrules: []\n').diagnostics.some((d) => d.code === 'unknown-key'));
});

test('the YAML extension\'s schema accepts Prometheus rule files and checks ours as the rules schema does; the file is in step', () => {
  const committed = JSON.parse(readFileSync(join(import.meta.dirname, '../../rules/rules-file.schema.json'), 'utf8'));
  assert.deepEqual(committed, JSON.parse(JSON.stringify(editorSchema(RULES_SCHEMA))), 'run npm run schema');
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  const both = ajv.compile(committed);
  const ours = ajv.compile(RULES_SCHEMA);
  const plain = (text: string): unknown => JSON.parse(JSON.stringify(yamlValue(text)));
  assert.ok(both(plain(PROM)), JSON.stringify(both.errors));
  assert.equal(both(plain('groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: cpu > 1\n        for: soon\n')), false);
  const sample = readFileSync(join(import.meta.dirname, '../../rules/rules.yaml'), 'utf8');
  assert.ok(both(plain(sample)) && ours(plain(sample)));
  for (const text of ['version: 1\nrules: [{name: a}]\n', 'version: 2\nrules: []\n', 'rules: []\n']) assert.equal(both(plain(text)), ours(plain(text)), text);
});

/** A YAML text's value (the project's reader, as the rules engine reads it). */
function yamlValue(text: string): unknown {
  const toValue = (n: unknown): unknown => {
    const node = n as { kind: string; value?: unknown; pairs?: { key: { text: string }; value: unknown }[]; items?: unknown[]; target?: unknown };
    if (node.kind === 'scalar') return node.value;
    if (node.kind === 'seq') return node.items!.map(toValue);
    if (node.kind === 'map') return Object.fromEntries(node.pairs!.map((p) => [p.key.text, toValue(p.value)]));
    return null;
  };
  return toValue(parseYamlAst(text).root);
}

test('Prometheus 3 group labels and query_offset are read; a key twice is an error; a second document is a warning (promtool passes the file and reads the first only); an alert name given twice stays two rules', () => {
  const text = 'groups:\n  - name: node\n    interval: 30s\n    query_offset: 1m\n    labels: {team: sre, severity: critical}\n    rules:\n'
    + '      - alert: HighCpu\n        expr: cpu > 90\n        labels: {severity: warning}\n      - alert: HighCpu\n        expr: cpu > 99\n---\nnot: read\n';
  const r = validateRules(text);
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.code]), [['warning', 'multiple-documents']]);
  assert.ok(r.rules);
  assert.deepEqual(analyzeRules(text).file.rules.map((x) => [x.name, x.threshold, x.severity, x.labels]), [
    ['HighCpu', 90, 'warning', { team: 'sre', severity: 'warning' }],
    ['HighCpu (line 10)', 99, 'critical', { team: 'sre', severity: 'critical' }],
  ]);
  const twice = validateRules('groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: cpu > 1\n        for: 5m\n        for: 10m\n');
  assert.deepEqual(twice.diagnostics.map((d) => [d.severity, d.source, d.range.start.line, d.message]), [['error', 'semantic', 7, 'Prometheus rule file: mapping key "for" already defined at line 6']]);
});

test('a selector\'s equality matchers pick the series whose labels hold them; labels the data does not have do not count', () => {
  const r = validateRules('groups:\n  - name: n\n    rules:\n      - alert: Load\n        expr: node_load1{job="node",instance="b"} > 4\n      - alert: AnyLoad\n        expr: node_load1{job="node"} > 4\n');
  const t = [0, 60_000, 120_000];
  const frame = frameOf({ 'node_load1{instance="a"}': [5, 1, 1], 'node_load1{instance="b"}': [1, 5, 1] }, t);
  const ev = evaluateRules(r.rules!, frame);
  assert.deepEqual(ev.anomalies.map((a) => [a.rule, a.metric, a.row]).sort(), [['AnyLoad', 'node_load1{instance="a"}', 0], ['AnyLoad', 'node_load1{instance="b"}', 1], ['Load', 'node_load1{instance="b"}', 1]]);
});

test('the editor offers none of our keys in a Prometheus rule file; its hovers explain Prometheus\'s keys and where each rule fires', () => {
  assert.deepEqual(completionsAt(PROM, PROM.indexOf('    rules:'), undefined), []);
  assert.match(hoverAt(PROM, PROM.indexOf('expr'), undefined)!, /^\*\*expr\*\* — the PromQL expression/);
  assert.match(hoverAt(PROM, PROM.indexOf('for:'), undefined)!, /^\*\*for\*\* — an alert fires once/);
  assert.equal(hoverAt(PROM, PROM.indexOf('HighCPU'), undefined), '**HighCPU** runs on CSV data as `cpu > 90`: open a CSV beside this file to see where it fires');
  const t = Array.from({ length: 20 }, (_, i) => Date.UTC(2024, 0, 1) + i * 60_000);
  const ctx = dataContextOf(frameOf({ cpu: t.map((_, i) => (i >= 5 && i < 15 ? 95 : 50)), 'up{host="a"}': t.map(() => 1) }, t), 'node*.csv');
  assert.equal(hoverAt(PROM, PROM.indexOf('cpu > 90') + 2, ctx), '**HighCPU** fires on 5 rows in 1 episode in node\\*.csv\n\nfirst at 2024-01-01 00:10 UTC · last at 2024-01-01 00:14 UTC');
  assert.equal(hoverAt(PROM, PROM.indexOf('5m'), ctx), '**5m** = 300 s — 5 rows at the 1m step of node\\*.csv\n\nan alert fires once its expression has returned it for this long; until then it is pending (default 0s).');
  assert.equal(hoverAt(PROM, PROM.indexOf('MemRising'), ctx), '**MemRising** does not run on CSV data: its expr is more than a series selector compared with a number — `anomaly-hunter test --promtool` runs it in its unit tests');
  assert.match(hoverAt(PROM, PROM.indexOf('job:cpu:avg'), ctx)!, /is a recording rule/);
  // A metric in a code span as written (backslashes are not escapes there: node_cpu, not node\_cpu), and a rule
  // that does not run by its name, not by its expr (a line of which may read as Markdown).
  const mixed = 'groups:\n  - name: g\n    rules:\n      - alert: Busy\n        expr: node_cpu_seconds{job="a`b"} > 90\n      - alert: Many\n        expr: |\n          sum(rate(x[5m]))\n          # rate over 5m\n          > 0\n';
  assert.equal(hoverAt(mixed, mixed.indexOf('node_cpu'), undefined), '**Busy** runs on CSV data as ``node_cpu_seconds{job="a`b"} > 90``: open a CSV beside this file to see where it fires');
  assert.match(hoverAt(mixed, mixed.indexOf('sum('), undefined)!, /^\*\*Many\*\* does not run on CSV data: /);
  // Our format still gets both.
  const ours = 'version: 1\nrules:\n  - name: a\n    metric: cpu\n';
  assert.ok(completionsAt(ours, ours.length, undefined).length > 0);
});

test('the rules of a Prometheus rule file that run on the data are where CodeLens shows their firings', () => {
  const got = ruleRanges(PROM);
  assert.deepEqual(got.map((l) => [l.name, l.line]), [['HighCPU', 4], ['HostDown', 10]]);
  // The rules editor matches a location with its rule by the rule's first key.
  const a = analyzeRules(PROM);
  assert.deepEqual(got.map((l) => a.sites.find((s) => s.node.pairs[0]?.key.start === l.startOffset)?.rule?.name), ['HighCPU', 'HostDown']);
});

test("a Prometheus rule file on CSV: Go's trim markers ({{- and -}} beside a space, tab or newline) trim the text around as Go does; {{-3}} is the number -3", () => {
  const file = (summary: string) => `groups:\n  - name: g\n    rules:\n      - alert: Hot\n        expr: cpu > 90\n        annotations:\n          summary: ${JSON.stringify(summary)}\n`;
  const message = (summary: string) => {
    const r = validateRules(file(summary));
    const t = [0, 60_000].map((m) => Date.UTC(2024, 0, 1) + m);
    return evaluateRules(r.rules!, frameOf({ 'cpu{job="a"}': [95, 50] }, t)).anomalies.map((a) => a.message);
  };
  // promtool 2.42's annotations of the same templates (test rules with a series at 95, job="a").
  assert.deepEqual(message('CPU  \n {{- $value -}} \t % on\n  {{- $labels.job }}!'), ['CPU95% ona!']);
  assert.deepEqual(message('a \n\t {{- "x" }} \n b {{ "y" -}} \n\n c'), ['ax \n b yc']);
  assert.deepEqual(message('a {{-3}} b {{- 3 -}} c'), ['a -3 b3c']);
  assert.deepEqual(message('x {{- /* note */ -}} y'), ['xy']);
});

test('hovers work in a PrometheusRule manifest: in the document under the pointer, its spec read as a rule file', () => {
  const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  expr: cpu > 1\n---\n'
    + 'apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: node\nspec:\n  groups:\n    - name: node\n      rules:\n'
    + '        - alert: HighCPU\n          expr: cpu > 90\n          for: 5m\n        - alert: MemRising\n          expr: deriv(mem[1h]) > 0\n';
  const at = (s: string, from = 0) => manifest.indexOf(s, from);
  const second = at('---');
  assert.match(hoverAt(manifest, at('expr', second), undefined)!, /^\*\*expr\*\* — the PromQL expression/);
  assert.match(hoverAt(manifest, at('groups'), undefined)!, /^\*\*groups\*\* — the rule groups/);
  assert.equal(hoverAt(manifest, at('HighCPU'), undefined), '**HighCPU** runs on CSV data as `cpu > 90`: open a CSV beside this file to see where it fires');
  assert.match(hoverAt(manifest, at('deriv'), undefined)!, /^\*\*MemRising\*\* does not run on CSV data: /);
  assert.match(hoverAt(manifest, at('kind', second), undefined)!, /^\*\*kind\*\* — `PrometheusRule`: the Prometheus Operator loads/);
  assert.match(hoverAt(manifest, at('spec'), undefined)!, /^\*\*spec\*\* — the rule file itself/);
  const t = Array.from({ length: 20 }, (_, i) => Date.UTC(2024, 0, 1) + i * 60_000);
  const ctx = dataContextOf(frameOf({ cpu: t.map((_, i) => (i >= 5 && i < 15 ? 95 : 50)) }, t), 'node.csv');
  assert.equal(hoverAt(manifest, at('cpu > 90') + 1, ctx), '**HighCPU** fires on 5 rows in 1 episode in node.csv\n\nfirst at 2024-01-01 00:10 UTC · last at 2024-01-01 00:14 UTC');
  assert.match(hoverAt(manifest, at('5m'), ctx)!, /^\*\*5m\*\* = 300 s — 5 rows at the 1m step of node\.csv/);
  // The ConfigMap is no rule file: nothing there, not even for a key named expr.
  assert.equal(hoverAt(manifest, at('expr'), undefined), null);
  assert.equal(hoverAt(manifest, at('kind'), undefined), null);
  // A single-document manifest too.
  const one = manifest.slice(second + 4);
  assert.match(hoverAt(one, one.indexOf('expr'), undefined)!, /^\*\*expr\*\* — /);
});
