import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateRules } from '../../src/core/rules/validate.ts';
import { exprSyntaxError } from '../../src/core/promrules/exprSyntax.ts';
import { loadPrometheusRuleFile } from '../../src/core/promrules/ruleFile.ts';
import { needPromtool, promtool } from './promtool.ts';
import { dataContextOf } from '../../src/core/rules/dataContext.ts';
import { frameOf } from '../../src/core/csv/frame.ts';

/**
 * What Prometheus's rulefmt refuses in a rule file is an error of ours at its place, in promtool check rules' words:
 * each message below is checked against promtool 2.42 in the last tests.
 */
const FILE = `groups:
  - name: node
    rules:
      - alert: Broken
        expr: cpu >
      - alert: NoExpr
        for: 5m
      - alert: Both
        record: both
        expr: cpu > 1
      - alert: Labels
        expr: cpu > 1
        labels: {bad-label: x, __name__: y}
        annotations: {summary: "{{ $value ", bad-ann: z}
      - record: bad-name
        expr: cpu
        for: 5m
        annotations: {a: b}
      - record: r
        expr: cpu
        keep_firing_for: 5m
      - alert: T
        expr: cpu > 1
        annotations:
          s: "a\\n{{ $value \\n\\n"
          t: "line1\\nline2 {{ $value \\nline3"
          c: "{{/* x "
          u: "a\\n{{ if 1 }}x{{ $value \\n\\n"
      - <<: {for: 5m, labels: {severity: warning}}
        alert: Merged
        expr: cpu > (1
  - name: node
    rules: []
  - name: ""
    rules: []
`;

const WANT: [line: number, column: number, message: string][] = [
  [5, 15, 'could not parse expression: 1:6: parse error: unexpected end of input'],
  [6, 9, "field 'expr' must be set in rule"],
  [9, 17, "only one of 'record' and 'alert' must be set"],
  [13, 18, 'invalid label name: bad-label'],
  [13, 32, 'invalid label name: __name__'],
  [14, 33, 'annotation "summary": template: __alert_Labels:1: unclosed action'],
  [14, 46, 'invalid annotation name: bad-ann'],
  [15, 17, 'invalid recording rule name: bad-name'],
  [17, 14, "invalid field 'for' in recording rule"],
  [18, 22, "invalid field 'annotations' in recording rule"],
  [21, 26, "invalid field 'keep_firing_for' in recording rule"],
  [25, 14, 'annotation "s": template: __alert_T:4: unclosed action started at __alert_T:2'],
  [26, 14, 'annotation "t": template: __alert_T:3: function "line3" not defined'],
  [27, 15, 'annotation "c": template: __alert_T:1: unclosed comment'],
  [28, 14, 'annotation "u": template: __alert_T:4: unclosed action started at __alert_T:2'],
  [31, 15, 'could not parse expression: 1:9: parse error: unclosed left parenthesis'],
  [32, 5, 'groupname: "node" is repeated in the same file'],
  [34, 5, 'Groupname must not be empty'],
];

/** Expressions: Prometheus's parse error, or null where it parses them. */
const EXPRS: [string, string | null][] = [
  ['x{a="b} > 1', '1:5: parse error: unterminated quoted string'],
  ['sum(rate(x[5m])) by (job) >', '1:28: parse error: unexpected end of input'],
  ['x > 1 and', '1:10: parse error: unexpected end of input'],
  ['x]', "1:2: parse error: unexpected right bracket ']'"],
  ['x)', "1:3: parse error: unexpected right parenthesis ')'"],
  ['sum(x) by (a))', "1:15: parse error: unexpected right parenthesis ')'"],
  ['x{a="b"}}', "1:9: parse error: unexpected character: '}'"],
  ['(x{a="b"', '1:9: parse error: unexpected end of input inside braces'],
  ['rate(x[5m', '1:10: parse error: unclosed left parenthesis'],
  ['x{a="é"} >', '1:12: parse error: unexpected end of input'],
  ['x #c\n >', '2:3: parse error: unexpected end of input'],
  ['x >bool', '1:8: parse error: unexpected end of input'],
  ['x{a=~"b"} != on(a)', '1:19: parse error: unexpected end of input'],
  ["x > 'a", '1:5: parse error: unterminated quoted string'],
  ['- ', '1:3: parse error: unexpected end of input'],
  ['x > 1 # comment', null],
  ['up{job="a", # don\'t page }\n instance="b"} == 0', null],
  ['x{a="}"} > 1', null],
  ['band > 1', null],
  ['x - -1', null],
  ['node_load1 > on(instance) group_left node_cpu', null],
  ['x{a="b\\"c"} > 1', null],
  ['sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total[5m])) > 0.05', null],
];

const ours = (text: string): [number, number, string][] => validateRules(text).diagnostics.filter((d) => d.severity === 'error')
  .map((d) => [d.range.start.line, d.range.start.column, d.message.replace(/^Prometheus rule file: /, '')]);

test("rulefmt's checks: each problem of a Prometheus rule file is an error at its place; a merge key is read", () => {
  assert.deepEqual(ours(FILE), WANT);
  // The test runner gets them too and loads no rule from such a file (Prometheus would not load it).
  const loaded = loadPrometheusRuleFile(FILE);
  assert.equal(loaded.problems.length, WANT.length);
  assert.deepEqual(loaded.rules, []);
  // `<<:` merges its mapping (YAML's merge key, as Prometheus reads it); the rule's own keys win.
  const merged = 'groups:\n  - name: g\n    rules:\n      - <<: {for: 5m, expr: "cpu > 1", labels: {severity: warning}}\n        alert: Hot\n        expr: cpu > 90\n';
  assert.deepEqual(ours(merged), []);
  assert.deepEqual(validateRules(merged).rules?.rules.map((r) => [r.name, r.threshold, r.forMs, r.severity]), [['Hot', 90, 300_000, 'warning']]);
  // Merged labels and annotations, and merges of merges (review findings; promtool: SUCCESS).
  const deep = 'groups:\n- name: g\n  rules:\n  - &base0\n    alert: A\n    expr: cpu > 1\n    labels: &lab\n      severity: critical\n    annotations: &ann\n      summary: "{{ $value }}"\n  - &base1\n    <<: *base0\n    alert: B\n    for: 5m\n  - <<: *base1\n    alert: C\n    labels:\n      <<: *lab\n      team: x\n    annotations:\n      <<: *ann\n  - record: job:up:sum\n    expr: sum by (job) (up)\n    annotations: {}\n';
  assert.deepEqual(ours(deep), []);
  assert.deepEqual(validateRules(deep).rules?.rules.map((r) => [r.name, r.forMs, r.severity, r.labels.team ?? '', r.annotations.summary]), [['A', 0, 'critical', '', '{{ $value }}'], ['B', 300_000, 'critical', '', '{{ $value }}'], ['C', 300_000, 'critical', 'x', '{{ $value }}']]);
  // A comment inside braces may hold a quote or a brace (promtool: SUCCESS); an expr in a block scalar is placed at its indicator.
  const comments = 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: |\n      up{job="a", # don\'t page on the canary }\n         instance="b"} == 0\n  - alert: B\n    expr: |\n      sum(rate(x[5m])) >\n';
  assert.deepEqual(ours(comments), [[9, 11, 'could not parse expression: 2:1: parse error: unexpected end of input']]);
});

test('the expression errors we can tell without a parser, at Prometheus\'s places; valid expressions pass', () => {
  for (const [expr, want] of EXPRS) assert.equal(exprSyntaxError(expr), want && `could not parse expression: ${want}`, expr);
});

/** promtool check rules' messages without its file and rule prefixes, sorted: `L:C: message` where promtool places it on one node. */
function promtoolMessages(text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ah-rulefmt-'));
  writeFileSync(join(dir, 'r.yml'), text);
  const run = promtool(['check', 'rules', 'r.yml'], dir);
  return run.out.split('\n').filter((l) => l.startsWith('r.yml: '))
    .map((l) => l.slice('r.yml: '.length).replace(/^(\d+:\d+: ){2,}/, '').replace(/group "[^"]*", rule \d+, "[^"]*": /, ''))
    // promtool places a recording rule's errors at its name (ours at the field) and a missing expr at 0:0.
    .map((m) => (/^\d+:\d+: (could not parse|group ?name)/i.test(m) ? m : m.replace(/^\d+:\d+: /, ''))).sort();
}

/** Our messages as promtool writes them: placed where promtool places them (an expr, a group), bare elsewhere. */
const placedAsPromtool = (want: typeof WANT): string[] => want
  .map(([line, column, m]) => (/^(could not parse|group ?name)/i.test(m) ? `${line}:${column}: ${m}` : m)).sort();

test('promtool check rules refuses the file with the same messages, at the same places where it gives one', (t) => {
  if (!needPromtool(t)) return;
  assert.deepEqual(promtoolMessages(FILE), placedAsPromtool(WANT));
});

test('promtool check rules gives each expression the same parse error, and parses the others', (t) => {
  if (!needPromtool(t)) return;
  const file = 'groups:\n  - name: g\n    rules:\n' + EXPRS.map(([e], i) => `      - alert: A${i}\n        expr: ${JSON.stringify(e)}\n`).join('');
  assert.deepEqual(promtoolMessages(file).map((m) => m.replace(/^\d+:\d+: /, '')).sort(), EXPRS.filter(([, w]) => w).map(([, w]) => `could not parse expression: ${w}`).sort());
});

test('check --data: a Prometheus rule file\'s rules against the data, as a rules file of ours (warnings: the file serves a Prometheus too)', () => {
  const M = 60_000;
  const data = dataContextOf(frameOf({ cpu: [50, 60, 99] }, [0, M, 2 * M]), 'd.csv');
  const text = 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: cpuu > 90\n        for: 10s\n      - alert: B\n        expr: cpu > 1000\n      - alert: C\n        expr: cpu > 90\n';
  const got = validateRules(text, { data }).diagnostics.map((d) => [d.severity, d.code, d.range.start.line, d.range.start.column, d.message]);
  assert.deepEqual(got.filter((d) => d[1] !== 'needs-promql'), [
    ['warning', 'unknown-metric', 5, 15, "metric 'cpuu' is not a numeric column of d.csv (did you mean 'cpu'?)"],
    ['warning', 'for-below-step', 6, 14, "for: 10s is shorter than the data's step (1m in d.csv): rule 'A' fires on the first matching row"],
    ['warning', 'never-fires', 8, 15, "rule 'B' never fires: cpu ranges from 50 to 99 in d.csv, so cpu > 1000 is never true"],
  ]);
  assert.deepEqual(validateRules(text).diagnostics.filter((d) => d.severity !== 'info'), []);
});

/** A file with several mistakes: each an error in one pass, by line then column (promtool stops at some of them). */
const MANY = `groups:
  - name: g
    foo: 1
    rules:
      - alert: C
        expr: cpu >
      - alert: A
        expr: cpu > 90
        for: 5mins
      - alert: B
        expr: cpu > 80
        annotation:
          summary: hi
      - alert: D
        expr: cpu > 1
        labels: 3
        alert: again
bar: 2
`;

const WANT_MANY: [line: number, column: number, message: string][] = [
  [3, 5, 'field foo not found in type rulefmt.RuleGroup'],
  [6, 15, 'could not parse expression: 1:6: parse error: unexpected end of input'],
  [9, 14, 'not a valid duration string: "5mins"'],
  [12, 9, 'field annotation not found in type rulefmt.RuleNode'],
  [16, 17, 'cannot unmarshal !!int `3` into map[string]string'],
  [17, 9, 'mapping key "alert" already defined at line 14'],
  [18, 1, 'field bar not found in type rulefmt.RuleGroups'],
];

test('every mistake of a Prometheus rule file is reported in one pass, sorted by line then column; the test runner gets them all', () => {
  assert.deepEqual(ours(MANY), WANT_MANY);
  const loaded = loadPrometheusRuleFile(MANY);
  assert.deepEqual(loaded.problems.map((e) => [e.line, e.column, e.message]), WANT_MANY);
  assert.deepEqual(loaded.rules, []);
  // With the data too, the file's errors and the data's warnings are one list by place.
  const data = dataContextOf(frameOf({ cpu: [50, 60, 70] }, [0, 60_000, 120_000]), 'd.csv');
  const places = validateRules(MANY, { data }).diagnostics.map((d) => [d.range.start.line, d.range.start.column]);
  assert.ok(places.some((_, i) => validateRules(MANY, { data }).diagnostics[i].severity === 'warning'), 'the data checks ran');
  assert.deepEqual(places, [...places].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
});

test('promtool check rules gives each of those mistakes in the same words, on the same line, when it is the file\'s only one', (t) => {
  if (!needPromtool(t)) return;
  const lines = MANY.split('\n');
  for (const [line, , message] of WANT_MANY) {
    // The file with this mistake alone: the other mistakes' lines mended.
    const mended: Record<number, string> = { 3: '    interval: 1m', 6: '        expr: cpu > 1', 9: '        for: 5m', 12: '        annotations:', 16: '        labels: {a: b}', 17: '        for: 1m', 18: '' };
    const text = lines.map((l, i) => (i + 1 !== line && mended[i + 1] !== undefined ? mended[i + 1] : l)).join('\n');
    assert.deepEqual(ours(text).map(([l, , m]) => [l, m]), [[line, message]], `ours, line ${line}`);
    const dir = mkdtempSync(join(tmpdir(), 'ah-rulefmt-'));
    writeFileSync(join(dir, 'r.yml'), text);
    const out = promtool(['check', 'rules', 'r.yml'], dir).out;
    assert.ok(out.includes(message), `promtool, line ${line}: ${out}`);
    // yaml.v3 names the line of its unmarshal errors, promtool the expression's place.
    if (/^(field|cannot|mapping)/.test(message)) assert.ok(out.includes(`line ${line}: ${message}`), out);
    if (message.startsWith('could not parse')) assert.ok(out.includes(`${line}:15: group "g"`), out);
  }
});
