import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateRules } from '../../src/core/rules/validate.ts';
import { exprSyntaxError } from '../../src/core/promrules/exprSyntax.ts';
import { loadPrometheusRuleFile, readPrometheusRules } from '../../src/core/promrules/ruleFile.ts';
import { exportRulesText } from '../../src/core/rules/prometheusExport.ts';
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
  // A bracket stack: a `[` closed by `)`, an unclosed `[`, a bracket inside braces (review finding).
  ['rate(http_requests_total[5m) > 1', '1:28: parse error: unexpected ")" in subquery or range, expected ":" or "]"'],
  ['histogram_quantile(0.9, rate(x[5m)) > 1', '1:34: parse error: unexpected ")" in subquery or range, expected ":" or "]"'],
  ['max_over_time(x[5m:1m)', '1:22: parse error: unexpected ")" in subquery selector, expected "]"'],
  ['x[5m)', "1:6: parse error: unexpected right parenthesis ')'"],
  ['(x]', "1:3: parse error: unexpected right bracket ']'"],
  ['x[5m', '1:5: parse error: unclosed left bracket'],
  ['rate(x[5m] > 1', '1:15: parse error: unclosed left parenthesis'],
  ['x{a="b"] > 1', "1:8: parse error: unexpected character inside braces: ']'"],
  // Token pairs no PromQL has.
  ['up = 0', '1:4: parse error: unexpected "="'],
  ['up{a="b"} = 0', '1:11: parse error: unexpected "="'],
  ['x === 1', '1:5: parse error: unexpected "="'],
  ['x =~ 1', "1:3: parse error: unexpected character after '=': '~'"],
  ['cpu >> 90', '1:6: parse error: unexpected <op:>>'],
  ['x > == 1', '1:5: parse error: unexpected <op:==>'],
  ['x + * 2', '1:5: parse error: unexpected <op:*>'],
  ['> 1', '1:1: parse error: unexpected <op:>>'],
  ['(> 1)', '1:2: parse error: unexpected <op:>>'],
  ['x > bool > 1', '1:10: parse error: unexpected <op:>>'],
  ['x and * y', '1:7: parse error: unexpected <op:*>'],
  ['sum(rate(x[5m])) by instance > 1', '1:21: parse error: unexpected identifier "instance" in grouping opts, expected "("'],
  ['sum by instance (x)', '1:8: parse error: unexpected identifier "instance" in grouping opts, expected "("'],
  ['sum(x) without instance', '1:16: parse error: unexpected identifier "instance" in grouping opts, expected "("'],
  ['up == 0 and on instance x', '1:16: parse error: unexpected identifier "instance" in grouping opts, expected "("'],
  ['x > on instance y', '1:8: parse error: unexpected identifier "instance" in grouping opts, expected "("'],
  ['cpu > 90 for 5m', '1:10: parse error: unexpected identifier "for"'],
  ['cpu > 90 5m', '1:10: parse error: unexpected duration "5m"'],
  ['x 1', '1:3: parse error: unexpected number "1"'],
  ['x[5m] y', '1:7: parse error: unexpected identifier "y"'],
  ['{a="b"} y', '1:9: parse error: unexpected identifier "y"'],
  ['x offset 5m 1', '1:13: parse error: unexpected number "1"'],
  ['rate x', '1:6: parse error: unexpected identifier "x"'],
  ['x y = 1', '1:3: parse error: unexpected identifier "y"'],
  ['x #c\n y', '2:2: parse error: unexpected identifier "y"'],
  // A keyword where an operand is expected: `and`/`or`/`unless` are read as a metric's name, `bool` never (review finding).
  ['a and and b', '1:11: parse error: unexpected identifier "b"'],
  ['a or unless b', '1:13: parse error: unexpected identifier "b"'],
  ['and a', '1:5: parse error: unexpected identifier "a"'],
  ['a and on(x) and b', '1:17: parse error: unexpected identifier "b"'],
  ['(a and and b)', '1:12: parse error: unexpected identifier "b"'],
  ['a and and 1', '1:11: parse error: unexpected number "1"'],
  ['a and and (b)', '1:11: parse error: unexpected "("'],
  ['a and and sum(b)', '1:11: parse error: unexpected <aggr:sum>'],
  ['a and and', null],
  ['a and and * b', null],
  ['a > bool and', null],
  ['a > bool bool b', '1:10: parse error: unexpected <bool>'],
  ['a bool > b', '1:3: parse error: unexpected <bool>'],
  ['a * on(x) bool b', '1:11: parse error: unexpected <bool>'],
  ['a + bool b', '1:3: parse error: bool modifier can only be used on comparison operators'],
  ['(a) and bool b', '1:5: parse error: bool modifier can only be used on comparison operators'],
  ['a + bool b c', '1:12: parse error: unexpected identifier "c"'],
  // A grouping's labels without a comma.
  ['sum by (a b) (x)', '1:11: parse error: unexpected identifier "b" in grouping opts, expected "," or ")"'],
  ['sum(x) by (a, b c)', '1:17: parse error: unexpected identifier "c" in grouping opts, expected "," or ")"'],
  ['sum by (a 1) (x)', '1:11: parse error: unexpected number "1" in grouping opts, expected "," or ")"'],
  ['a + on(a) group_left(c d) e', '1:24: parse error: unexpected identifier "d" in grouping opts, expected "," or ")"'],
  // A range's bracket that holds no duration, or a second bracket.
  ['x[[5m]]', '1:3: parse error: missing unit character in duration'],
  ['rate(x[ [5m]])', '1:9: parse error: missing unit character in duration'],
  ['x[(5m)]', '1:3: parse error: missing unit character in duration'],
  ['x[]', '1:3: parse error: missing unit character in duration'],
  ['x[5m[1m]]', "1:5: parse error: unexpected left bracket '['"],
  ['x[5m:[1m]]', "1:6: parse error: unexpected left bracket '['"],
];

/**
 * Valid expressions as alert rules write them (awesome-prometheus-alerts' and the mixins' forms): no error of ours,
 * and promtool parses each (the test below).
 */
const VALID: string[] = [
  'up == 0', 'absent(up{job="node"})', 'absent_over_time(up{job="node"}[10m])', 'rate(http_requests_total[5m]) > 1',
  'sum(rate(http_requests_total{status=~"5.."}[5m])) by (instance) / sum(rate(http_requests_total[5m])) by (instance) * 100 > 5',
  'histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[5m])) by (le, job)) > 0.5',
  'predict_linear(node_filesystem_avail_bytes{fstype!~"tmpfs"}[6h], 4 * 3600) < 0',
  'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100 < 10',
  'rate(x[5m] offset 1h) > 2 * rate(x[5m])', 'x @ 1609746000 > 1', 'x @ start() > 1', 'x @ 1609746000 offset 5m > 1',
  'max_over_time(rate(x[5m])[30m:1m]) > 10', 'max_over_time(deriv(x[5m])[1h:]) > 0', 'avg_over_time(x[5m:30s] offset 1m) > 0',
  'node_load1 > on(instance) group_left(nodename) node_uname_info',
  'node_load1 * on(instance) group_left(nodename, machine) node_uname_info > 2', 'x == bool on(a) group_right(b) y',
  'x > bool 1', 'up unless on(job) absent(x)', 'x > 1 and on() hour() > 8', 'x > 1 unless ignoring(a) y',
  'label_replace(up, "host", "$1", "instance", "([^:]+):.*") == 0', 'up{job=~"node|api", instance!="a[0]"} == 0',
  'x{a="b", c=~".*]"} > 1', "x{a='(['} > 1", 'count by (job) (up == 0) > 0', 'sum without (instance) (rate(x[1m])) > 0',
  'topk(3, sum by (pod) (rate(container_cpu_usage_seconds_total[5m])))', 'quantile(0.9, x) > 1',
  'count_values("version", build_info) > 1', 'increase(kube_pod_container_status_restarts_total[1h]) > 3',
  '(node_filesystem_avail_bytes * 100) / node_filesystem_size_bytes < 10 and ON (instance, device, mountpoint) node_filesystem_readonly == 0',
  'time() - process_start_time_seconds < 60', 'changes(process_start_time_seconds[1h]) > 2', 'vector(1) > 0',
  'x offset -5m > 1', 'x ^ 2 % 3 > 1', '-x < -1', 'sum(x) BY (job) > 1', 'x AND y', 'x > Inf', 'x != NaN', 'x > 0x1F',
  'x > 1e3', 'x > .5', 'x atan2 y', 'x # comment with ] and ) inside', '(x > 1) or (y < 2)', 'x > 1 or vector(0)',
  '{__name__="up", job="a"} == 0', 'sort_desc(sum by (a) (x))', 'min(x) without (a) > 1', 'group(x) by (a)',
  'stddev_over_time(x[10m]) > 3 * avg_over_time(x[10m])', 'x > -1', 'x < +1', 'job:up:sum{job="a"} < 1',
  'sum by (job) (\n  rate(x[5m])  # per second\n) > 1',
];

/** The exprs of the repo's Prometheus rule files and of its sample rules file exported: each must pass. */
function repoExprs(): string[] {
  const out: string[] = [];
  for (const f of readdirSync('test/prometheus').filter((n) => /\.ya?ml$/.test(n))) {
    const text = readFileSync(join('test/prometheus', f), 'utf8');
    if (!/^groups:/m.test(text)) continue;
    out.push(...readPrometheusRules(text).rules.flatMap((r) => (r.alert ? [r.alert.expr] : [])));
  }
  const exported = exportRulesText(readFileSync('rules/rules.yaml', 'utf8'), 'rules');
  if (exported.export) out.push(...exported.export.group.rules.map((r) => r.expr));
  return out;
}

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
  for (const expr of VALID) assert.equal(exprSyntaxError(expr), null, expr);
  const repo = repoExprs();
  assert.ok(repo.length >= 5, `the repo's exprs: ${repo.length}`);
  for (const expr of repo) assert.equal(exprSyntaxError(expr), null, expr);
});

test('a file of valid exprs has no error of ours, and promtool check rules passes it', (t) => {
  const all = [...VALID, ...repoExprs()];
  const file = 'groups:\n  - name: g\n    rules:\n' + all.map((e, i) => `      - alert: V${i}\n        expr: ${JSON.stringify(e)}\n`).join('');
  assert.deepEqual(ours(file), []);
  if (!needPromtool(t)) return;
  assert.deepEqual(promtoolMessages(file), []);
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

test('a rule of the same name and labels as an earlier one of its file is a warning, as promtool check rules\' default lint finds it', (t) => {
  const text = `groups:
  - name: a
    rules:
      - alert: HighCPU
        expr: cpu > 90
        labels: {severity: page, team: sre}
      - alert: HighCPU
        expr: cpu > 95
        labels: {team: sre, severity: page}
      - alert: HighCPU
        expr: cpu > 99
        labels: {severity: critical, team: sre}
      - record: job:x
        expr: sum(x)
  - name: b
    rules:
      - record: job:x
        expr: sum(y)
      - alert: HighCPU
        expr: cpu > 97
        labels: {severity: page, team: sre}
      - alert: Other
        expr: cpu > 97
        labels: {severity: page, team: sre}
`;
  const r = validateRules(text);
  const dup = r.diagnostics.filter((d) => d.code === 'duplicate-rule');
  assert.deepEqual(dup.map((d) => [d.severity, d.range.start.line, d.range.start.column]), [['warning', 7, 16], ['warning', 17, 17], ['warning', 19, 16]]);
  assert.equal(dup[0].message, 'rule \'HighCPU\' has the same name and labels (severity: page, team: sre) as the rule at line 4: promtool check rules lints it as a duplicate rule, which "might cause inconsistency while recording expressions"');
  assert.match(dup[1].message, /^rule 'job:x' has the same name and no labels as the rule at line 13:/);
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 0, 'a lint, not an error: promtool still passes the file');
  // Each PrometheusRule of a manifest is its own rule file for the operator: the same rule in two is no duplicate.
  const manifest = (name: string) => `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: ${name}\nspec:\n  groups:\n    - name: g\n      rules:\n        - alert: A\n          expr: cpu > 1\n`;
  assert.equal(validateRules(`${manifest('one')}---\n${manifest('two')}`).diagnostics.filter((d) => d.code === 'duplicate-rule').length, 0);
  if (!needPromtool(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ah-dup-'));
  writeFileSync(join(dir, 'dup.yml'), text);
  const p = promtool(['check', 'rules', join(dir, 'dup.yml')]);
  assert.equal(p.status, 0, p.out);
  assert.match(p.out, /2 duplicate rule\(s\) found/);
  // promtool names each duplicated rule once: the names we warn about, once each.
  assert.deepEqual([...p.out.matchAll(/^Metric: (\S+)$/gm)].map((m) => m[1]), [...new Set(dup.map((d) => /^rule '([^']+)'/.exec(d.message)![1]))].sort());
});
