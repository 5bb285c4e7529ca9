import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRules } from '../../src/core/rules/validate.ts';
import { evaluateRules } from '../../src/core/rules/evaluate.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { OUT_OF_BUDGET } from '../../src/core/promrules/goTemplate.ts';

/** A Prometheus rule file with one alert a summary, `Hot`, `Hot1`… */
const ruleFile = (summaries: string[]): string => 'groups:\n  - name: g\n    rules:\n'
  + summaries.map((s, i) => `      - alert: ${i ? `Hot${i}` : 'Hot'}\n        expr: cpu > 0\n        annotations:\n          summary: ${JSON.stringify(s)}\n`).join('');

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
