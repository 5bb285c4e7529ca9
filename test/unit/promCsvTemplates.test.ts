import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateRules } from '../../src/core/rules/validate.ts';
import { evaluateRules } from '../../src/core/rules/evaluate.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { needPromtool, promtool } from './promtool.ts';

/**
 * A Prometheus rule file's templates on CSV data render as Prometheus renders them. Each case: a summary, the
 * series' value, and the text promtool 2.42 gives (`promtool test rules`, series cpu{inst="h:1",job="a"}, alert
 * `cpu > 0`): the last test checks every expected text with promtool itself.
 */
const CASES: [template: string, value: number, want: string][] = [
  // Control structures, comments, variables.
  ['{{ if gt $value 1.0 }}hi{{ end }}', 95, 'hi'],
  ['{{ if gt $value 100.0 }}hi{{ else }}lo{{ end }}!', 95, 'lo!'],
  ['{{ if and (gt $value 1.0) (lt $value 100.0) }}in{{ else if eq $labels.job "a" }}a{{ else }}out{{ end }}', 95, 'in'],
  ['{{ if and (gt $value 1.0) (lt $value 100.0) }}in{{ else if eq $labels.job "a" }}a{{ else }}out{{ end }}', 1234567.5, 'a'],
  ['{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}{{ with $labels.job }}[{{ . }}]{{ else }}none{{ end }}{{/* c */}}', 95, '__name__=cpu;inst=h:1;job=a;[a]'],
  ['{{ with $labels.nope }}[{{ . }}]{{ else }}none{{ end }} {{- /* trimmed */ -}} .', 95, 'none.'],
  ['{{ $x := 1 }}{{ $x = 2.5 }}{{ $x }}{{ range $labels }}{{ else }}empty{{ end }}{{ if not (eq $labels.job "b") }} not-b{{ end }}', 95, '2.5 not-b'],
  ['{{ range $k, $v := $labels }}{{ if eq $k "job" }}{{ $.Value }} {{ $.Labels.inst }}{{ end }}{{ end }}', 95, '95 h:1'],
  ['{{ with .Labels }}{{ .inst }}{{ end }} {{ $value | humanize | printf "%s!" }}', 95, 'h:1 95!'],
  ['{{ gt 1 2 }} {{ not 0 }} {{ and 1 0 }} {{ or "" "x" }} {{ eq $labels.job "a" "b" }}', 95, 'false true 0 x true'],
  // A map and the template's data printed as Go's fmt prints them (awesome-prometheus-alerts' `LABELS = {{ $labels }}`).
  ['LABELS = {{ $labels }} {{ $externalLabels }} {{ with .Labels }}{{ . }}{{ end }}', 95, 'LABELS = map[__name__:cpu inst:h:1 job:a] map[] map[__name__:cpu inst:h:1 job:a]'],
  ['{{ . }}|{{ $ }}', 0.5, '{map[__name__:cpu inst:h:1 job:a] map[]  0.5}|{map[__name__:cpu inst:h:1 job:a] map[]  0.5}'],
  // break and continue in a range (Go 1.18).
  ['{{ range $k, $v := $labels }}{{ if eq $k "inst" }}{{ continue }}{{ end }}{{ if eq $k "job" }}{{ break }}{{ end }}{{ $k }};{{ else }}none{{ end }}', 95, '__name__;'],
  ['{{ range $labels }}{{ range $labels }}{{ break }}{{ end }}{{ . }};{{ end }}', 95, 'cpu;h:1;a;'],
  // Strings order as Go's bytes (UTF-8), not as JavaScript's UTF-16 units.
  ['{{ lt "\\uffff" "😀" }} {{ ge "😀a" "😀b" }} {{ lt "ab" "abc" }}', 95, 'true false true'],
  // $value is Go's %v of a float64.
  ['{{ $value }}|{{ .Value }}', 1234567.5, '1.2345675e+06|1.2345675e+06'],
  ['{{ $value }}|{{ .Value }}', 0.1, '0.1|0.1'],
  ['{{ $value }}|{{ .Value }}', 1e-7, '1e-07|1e-07'],
  ['{{ $value }}', 95, '95'],
  // An action that fails makes the whole annotation Go's error.
  ['a {{ $value }} b {{ humanize "abc" }} c', 95, '<error expanding template: error executing template __alert_Hot: template: __alert_Hot:1:132: executing "__alert_Hot" at <humanize "abc">: error calling humanize: strconv.ParseFloat: parsing "abc": invalid syntax>'],
  ['{{ if gt $value 1 }}hi{{ end }}', 95, '<error expanding template: error executing template __alert_Hot: template: __alert_Hot:1:118: executing "__alert_Hot" at <gt $value 1>: error calling gt: incompatible types for comparison>'],
  ['{{ range $k, $v := $value }}{{ end }}', 95, '<error expanding template: error executing template __alert_Hot: template: __alert_Hot:1:131: executing "__alert_Hot" at <$value>: range can\'t iterate over 95>'],
  ['x {{ humanize (gt 1 2) }}', 95, '<error expanding template: error executing template __alert_Hot: template: __alert_Hot:1:117: executing "__alert_Hot" at <humanize (gt 1 2)>: error calling humanize: can\'t convert bool to float>'],
];

const ruleFile = (summaries: string[]): string => 'groups:\n  - name: g\n    rules:\n'
  + summaries.map((s, i) => `      - alert: ${i ? `Hot${i}` : 'Hot'}\n        expr: cpu > 0\n        annotations:\n          summary: ${JSON.stringify(s)}\n`).join('');

/** The summary of the one alert firing on a series at `value`, on the CSV path. */
function csvSummary(template: string, value: number): string[] {
  const r = validateRules(ruleFile([template]));
  assert.ok(r.rules, JSON.stringify(r.diagnostics));
  return evaluateRules(r.rules, frameOf({ 'cpu{inst="h:1",job="a"}': [value] }, [Date.UTC(2024, 0, 1)])).anomalies.map((a) => a.message);
}

test('a Prometheus rule file on CSV: if/else/with/range, comments and variables render as Go does, $value as Go prints a float64, a failed action makes the whole text the error', () => {
  for (const [template, value, want] of CASES) assert.deepEqual(csvSummary(template, value), [want], template);
});

test('a template Go refuses to parse is an error of the rule file at its place, with promtool\'s words; one it parses is not', () => {
  const errorOf = (summary: string): [number, number, string][] => validateRules(ruleFile([summary])).diagnostics
    .filter((d) => d.severity === 'error').map((d) => [d.range.start.line, d.range.start.column, d.message]);
  // promtool check rules: `annotation "summary": template: __alert_Hot:1: integer overflow: "08"` (and so on).
  assert.deepEqual(errorOf('a {{ 08 }}'), [[7, 26, 'Prometheus rule file: annotation "summary": template: __alert_Hot:1: integer overflow: "08"']]);
  assert.deepEqual(errorOf('x\n{{ 18446744073709551616 }}'), [[7, 27, 'Prometheus rule file: annotation "summary": template: __alert_Hot:2: integer overflow: "18446744073709551616"']]);
  assert.deepEqual(errorOf('{{ 1e400 }}'), [[7, 24, 'Prometheus rule file: annotation "summary": template: __alert_Hot:1: illegal number syntax: "1e400"']]);
  assert.deepEqual(errorOf('{{ if 1 }}x'), [[7, 24, 'Prometheus rule file: annotation "summary": template: __alert_Hot:1: unexpected EOF']]);
  assert.deepEqual(errorOf('{{ end }}'), [[7, 24, 'Prometheus rule file: annotation "summary": template: __alert_Hot:1: unexpected {{end}}']]);
  assert.deepEqual(errorOf('{{ $x }}'), [[7, 24, 'Prometheus rule file: annotation "summary": template: __alert_Hot:1: undefined variable "$x"']]);
  assert.deepEqual(errorOf('{{ break }}'), [[7, 24, 'Prometheus rule file: annotation "summary": template: __alert_Hot:1: {{break}} outside {{range}}']]);
  assert.deepEqual(errorOf('{{ range $labels }}{{ else }}{{ continue }}{{ end }}'), [[7, 53, 'Prometheus rule file: annotation "summary": template: __alert_Hot:1: {{continue}} outside {{range}}']]);
  assert.deepEqual(errorOf('{{ range $labels }}{{ break x }}{{ end }}'), [[7, 49, 'Prometheus rule file: annotation "summary": template: __alert_Hot:1: unexpected "x" in {{break}}']]);
  // A block scalar: the line and column of the number in the file.
  const block = 'groups:\n  - name: g\n    rules:\n      - alert: Hot\n        expr: cpu > 0\n        labels:\n          note: |\n            line\n            {{ $value }} {{ 08 }}\n';
  assert.deepEqual(validateRules(block).diagnostics.map((d) => [d.range.start.line, d.range.start.column, d.message]), [[9, 29, 'Prometheus rule file: label "note": template: __alert_Hot:2: integer overflow: "08"']]);
  // Go parses these (promtool check rules: SUCCESS): 1i is a complex number, 9223372036854775808 a uint.
  assert.deepEqual(errorOf('{{ 1i }} {{ 9223372036854775808 }}'), []);
});

test('an action that can only fail gets the template-type warning in a Prometheus rule file', () => {
  const warnings = (summary: string) => validateRules(ruleFile([summary])).diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column, d.message]);
  assert.deepEqual(warnings('a {{ humanize "abc" }}'), [['template-type', 7, 23, '\'{{ humanize "abc" }}\' renders as an error: humanize reads a number and "abc" is text that is not one']]);
  assert.deepEqual(warnings('{{ if gt $value 1.0 }}{{ $value | toUpper }}{{ end }}'), [['template-type', 7, 43, '\'{{ $value | toUpper }}\' renders as an error: toUpper takes text and \'$value\' is a number (printf makes it text: printf "%.2f" $value)']]);
  assert.deepEqual(warnings('{{ humanize "1e3" }} {{ humanize $labels.x }}'), []);
});

test('promtool test rules renders each case as the text the unit test expects', (t) => {
  if (!needPromtool(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ah-tpl-'));
  writeFileSync(join(dir, 'r.yml'), ruleFile(CASES.map(([template]) => template)));
  // One series a case (its value), each alert on its own series: `cpu{case="i"}` would add a label, so the value is the series'.
  const tests = CASES.map(([, value, want], i) => ({
    interval: '1m',
    input_series: [{ series: 'cpu{inst="h:1",job="a"}', values: String(value) }],
    alert_rule_test: [{ eval_time: '0m', alertname: i ? `Hot${i}` : 'Hot', exp_alerts: [{ exp_labels: { inst: 'h:1', job: 'a' }, exp_annotations: { summary: want.replace(/__alert_Hot\b/g, i ? `__alert_Hot${i}` : '__alert_Hot') } }] }],
  }));
  writeFileSync(join(dir, 't.json'), JSON.stringify({ rule_files: ['r.yml'], evaluation_interval: '1m', tests }));
  const run = promtool(['test', 'rules', 't.json'], dir);
  assert.equal(run.status, 0, run.out.slice(0, 3000));
});
