import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateRules } from '../../src/core/rules/validate.ts';
import { evaluateRules } from '../../src/core/rules/evaluate.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { OUT_OF_BUDGET } from '../../src/core/promrules/goTemplate.ts';
import { PROMETHEUS_FUNCTION_NAMES } from '../../src/core/promrules/goFunctions.ts';
import { needPromtool, promtool } from './promtool.ts';

/** A Prometheus rule file with one alert a summary, `Hot`, `Hot1`… */
const ruleFile = (summaries: string[]): string => 'groups:\n  - name: g\n    rules:\n'
  + summaries.map((s, i) => `      - alert: ${i ? `Hot${i}` : 'Hot'}\n        expr: cpu > 0\n        annotations:\n          summary: ${JSON.stringify(s)}\n`).join('');

const errorsOf = (summary: string): [number, number, string][] => validateRules(ruleFile([summary])).diagnostics
  .filter((d) => d.severity === 'error').map((d) => [d.range.start.line, d.range.start.column, d.message]);

const notDefined = (name: string, line = 1): string => `Prometheus rule file: annotation "summary": template: __alert_Hot:${line}: function "${name}" not defined`;

/** Names Prometheus 2.42 does not define (later versions' `now`, `toDuration`; a case changed; ours). */
const UNDEFINED = ['foo', 'now', 'toDuration', 'Query', 'timestamp'];

test('a function Prometheus 2.42 does not define is an error of the rule file at the word, in Go\'s reading order', () => {
  assert.deepEqual(errorsOf('{{ foo }}'), [[7, 24, notDefined('foo')]]);
  assert.deepEqual(errorsOf('a {{ $value | foo }}'), [[7, 35, notDefined('foo')]]);
  // Past functions we do not render (query, first), in parentheses, in a control, on a later line.
  assert.deepEqual(errorsOf('{{ query "up" | first | foo }}'), [[7, 47, notDefined('foo')]]);
  assert.deepEqual(errorsOf('{{ humanize (bar 1) }}'), [[7, 34, notDefined('bar')]]);
  assert.deepEqual(errorsOf('{{ if now }}x{{ end }}'), [[7, 27, notDefined('now')]]);
  assert.deepEqual(errorsOf('x\n{{ toDuration 1 }}'), [[7, 27, notDefined('toDuration', 2)]]);
  // The first error as Go reads: an undefined variable or a bad number before the function, the function before them.
  assert.deepEqual(errorsOf('{{ $nope | foo }}'), [[7, 24, 'Prometheus rule file: annotation "summary": template: __alert_Hot:1: undefined variable "$nope"']]);
  assert.deepEqual(errorsOf('{{ 08 | foo }}'), [[7, 24, 'Prometheus rule file: annotation "summary": template: __alert_Hot:1: integer overflow: "08"']]);
  assert.deepEqual(errorsOf('{{ foo | $nope }}'), [[7, 24, notDefined('foo')]]);
  // Prometheus's functions, Go's, nil, and a name in a string or a field are not errors.
  for (const name of PROMETHEUS_FUNCTION_NAMES) assert.deepEqual(errorsOf(`{{ ${name} }}`), [], name);
  assert.deepEqual(errorsOf('{{ print nil "foo" $labels.foo .Labels.now }}'), []);
});

test('promtool check rules agrees: each of our functions is defined, each other name is not, with the same words', (t) => {
  if (!needPromtool(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ah-fn-'));
  writeFileSync(join(dir, 'ok.yml'), ruleFile([...PROMETHEUS_FUNCTION_NAMES].map((n) => `{{ ${n} }}`)));
  const ok = promtool(['check', 'rules', 'ok.yml'], dir);
  assert.equal(ok.status, 0, ok.out);
  for (const name of UNDEFINED) {
    writeFileSync(join(dir, 'bad.yml'), ruleFile([`{{ ${name} }}`]));
    const bad = promtool(['check', 'rules', 'bad.yml'], dir);
    assert.notEqual(bad.status, 0, name);
    assert.ok(bad.out.includes(notDefined(name).replace('Prometheus rule file: ', '')), bad.out);
    assert.deepEqual(errorsOf(`{{ ${name} }}`), [[7, 24, notDefined(name)]]);
  }
});

test('deeply nested templates Go reads load and run without overflowing the stack (shown as written)', () => {
  const deep = [
    `{{ ${'('.repeat(10001)}1${')'.repeat(10001)} }}`,
    `${'{{ if true }}'.repeat(10001)}x${'{{ end }}'.repeat(10001)}`,
    `${'{{ with $value }}'.repeat(10001)}{{ . }}${'{{ end }}'.repeat(10001)}`,
    `{{ if false }}${'{{ else if false }}'.repeat(10001)}{{ end }}`,
  ];
  // promtool check rules 2.42: SUCCESS for each (Go's parser has no depth limit); we show them as written.
  for (const t of deep) {
    const r = validateRules(ruleFile([t]));
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], t.slice(0, 40));
    const msgs = evaluateRules(r.rules!, frameOf({ cpu: [5] }, [0])).anomalies.map((a) => a.message);
    assert.deepEqual(msgs, [t], t.slice(0, 40));
  }
});

test('a template of many variables loads and runs in seconds', () => {
  // 75 000 declarations (975 kB, under the 1 MiB a rules file may have): 53 s when each action copied the
  // variables in scope; Go's parser takes 0.5 s.
  const many = `${'{{ $x := 1 }}'.repeat(75000)}{{ $x }}`;
  const t0 = performance.now();
  const r = validateRules(ruleFile([many]));
  assert.deepEqual(evaluateRules(r.rules!, frameOf({ cpu: [5] }, [0])).anomalies.map((a) => a.message), ['1']);
  const ms = performance.now() - t0;
  assert.ok(ms < 20000, `${ms} ms`);
});

test('ranges nested in ranges stop at a budget instead of running on (their text grows as 2 labels to the depth)', () => {
  // 24 ranges over the series' 2 labels (__name__, a): 16 777 216 runs of the innermost text; 500 crashed the process.
  for (const depth of [24, 500]) {
    const t = `${'{{ range $labels }}'.repeat(depth)}x${'{{ end }}'.repeat(depth)}`;
    const r = validateRules(ruleFile([t]));
    const t0 = performance.now();
    assert.deepEqual(evaluateRules(r.rules!, frameOf({ 'cpu{a="b"}': [5] }, [0])).anomalies.map((a) => a.message), [OUT_OF_BUDGET]);
    assert.ok(performance.now() - t0 < 10000);
  }
  // What real templates do stays well within it: 3 nested ranges over 2 labels.
  const r = validateRules(ruleFile([`${'{{ range $labels }}'.repeat(3)}{{ . }}${'{{ end }}'.repeat(3)}`]));
  assert.deepEqual(evaluateRules(r.rules!, frameOf({ 'cpu{a="b"}': [5] }, [0])).anomalies.map((a) => a.message), ['cpub'.repeat(4)]);
});

/** Templates Go 1.19's parser refuses after `else` / `end`, and promtool check rules 2.42's words for each. */
const ELSE_END: [template: string, words: string][] = [
  ['{{ range $labels }}x{{ else if true }}y{{ end }}', 'unexpected <if> in input'],
  ['{{ with 1 }}x{{ else if true }}y{{ end }}', 'unexpected <if> in input'],
  ['{{ if true }}x{{ else with 1 }}y{{ end }}', 'unexpected <with> in else'],
  ['{{ if true }}x{{ else $value }}y{{ end }}', 'unexpected "$value" in else'],
  ['{{ if true }}x{{ else "abcdefghijklmn" }}y{{ end }}', 'unexpected "\\"abcdefghi"... in else'],
  ['{{ if true }}{{ else .Labels.job }}{{ end }}', 'unexpected ".Labels" in else'],
  ['{{ if true }}{{ end x }}', 'unexpected "x" in end'],
];

test('a word after else or end that Go does not take is its parse error (else if only under if), with promtool\'s words', (t) => {
  for (const [template, words] of ELSE_END) {
    const e = errorsOf(template);
    assert.equal(e.length, 1, template);
    assert.equal(e[0][2], `Prometheus rule file: annotation "summary": template: __alert_Hot:1: ${words}`);
  }
  // At the word: `if` of the `else if` under range.
  assert.deepEqual(errorsOf('{{ range $labels }}x{{ else if true }}y{{ end }}')[0].slice(0, 2), [7, 49]);
  assert.deepEqual(errorsOf('{{ if true }}x{{ else if true }}y{{ else }}z{{ end }}'), []);
  if (!needPromtool(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ah-else-'));
  for (const [template, words] of ELSE_END) {
    writeFileSync(join(dir, 'r.yml'), ruleFile([template]));
    const r = promtool(['check', 'rules', 'r.yml'], dir);
    assert.ok(r.status !== 0 && r.out.includes(`template: __alert_Hot:1: ${words}`), `${template}: ${r.out}`);
  }
});

test('an annotation of many actions that can only fail gets its warnings in linear time, each at its place', () => {
  // 8 000 × `{{ humanize "abc" }}` (160 kB): 65 s when each warning's place was searched from the scalar's start.
  const n = 8000;
  const t0 = performance.now();
  const d = validateRules(ruleFile([`x${'{{ humanize "abc" }}'.repeat(n)}`])).diagnostics.filter((w) => w.code === 'template-type');
  const ms = performance.now() - t0;
  assert.equal(d.length, n);
  // Line 7, the value's `"` at column 20, `x`, then 22 source characters (`\"` escapes) an action.
  assert.deepEqual([d[0].range.start.column, d[n - 1].range.start.column, d[n - 1].range.end.column], [22, 22 + 22 * (n - 1), 22 + 22 * n]);
  assert.ok(ms < 10000, `${ms} ms`);
});
