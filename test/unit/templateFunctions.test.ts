import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goSprintf } from '../../src/core/promrules/goFormat.ts';
import { TEMPLATE_FUNCTIONS, parsePipeline } from '../../src/core/promrules/goPipeline.ts';
import { renderTemplate } from '../../src/core/rules/template.ts';
import type { TemplateVars } from '../../src/core/rules/template.ts';
import { validateRules } from '../../src/core/rules/validate.ts';
import { evaluateRules } from '../../src/core/rules/evaluate.ts';
import { exportPrometheus } from '../../src/core/rules/prometheusExport.ts';
import { frameOf } from '../../src/core/csv/frame.ts';

test("Go's printf: strconv's rounding (halves to even on the exact binary value), flags, width, and Go's marks for wrong verbs and counts", () => {
  const cases: [string, (number | string)[], string][] = [
    ['%.2f', [0.125], '0.12'], ['%.2f', [0.375], '0.38'], ['%.0f', [2.5], '2'], ['%.0f', [3.5], '4'], ['%.2f', [95.3456], '95.35'],
    ['%.4g', [12345], '1.234e+04'], ['%.4g', [1.5], '1.5'], ['%.4g', [0], '0'], ['%.4g', [100], '100'], ['%.3g', [0.0001234], '0.000123'],
    ['%e', [1234.5], '1.234500e+03'], ['%g', [1e-5], '1e-05'], ['%g', [123456789], '1.23456789e+08'], ['%v', [1e6], '1e+06'], ['%v', [100000], '100000'],
    ['%5.1f|', [3.14159], '  3.1|'], ['%-6s|', ['ab'], 'ab    |'], ['%08.3f', [-3.5], '-003.500'], ['%+.1e', [0], '+0.0e+00'], ['%x', ['hi'], '6869'],
    ['%f', [NaN], 'NaN'], ['%5.1f', [Infinity], ' +Inf'], ['%d', [95], '%!d(float64=95)'], ['%s', [95], '%!s(float64=95)'],
    ['%v %v', [1], '1 %!v(MISSING)'], ['%v', [1, 'x'], '1%!(EXTRA string=x)'], ['100%%', [], '100%'],
  ];
  for (const [f, args, want] of cases) assert.equal(goSprintf(f, args), want, `${f} ${JSON.stringify(args)}`);
});

test("Prometheus's formatting functions give the Template reference's examples", () => {
  const f = (name: string, v: number | string) => TEMPLATE_FUNCTIONS[name]([v]);
  assert.equal(f('humanize', 1234567), '1.235M');
  assert.equal(f('humanize', 0.000123), '123u');
  assert.equal(f('humanize', '-2500'), '-2.5k');
  assert.equal(f('humanize1024', 1048576), '1Mi');
  assert.equal(f('humanize1024', 512), '512');
  assert.equal(f('humanizeDuration', 899.99), '14m 59s');
  assert.equal(f('humanizeDuration', 90061), '1d 1h 1m 1s');
  assert.equal(f('humanizeDuration', 0.0015), '1.5ms');
  assert.equal(f('humanizePercentage', 0.1234567), '12.35%');
  assert.equal(f('humanizeTimestamp', 1435065584.128), '2015-06-23 13:19:44.128 +0000 UTC');
  assert.equal(f('title', 'aa bb CC'), 'Aa Bb CC');
  assert.equal(f('stripPort', 'node1:9100'), 'node1');
  assert.equal(f('stripPort', '[::1]:80'), '::1');
  assert.throws(() => f('humanize', 'abc'), /invalid syntax/);
  assert.deepEqual(parsePipeline('humanise $value'), { error: "unknown template function 'humanise'", word: 'humanise' });
  assert.ok('error' in parsePipeline('if gt $value 1.0'));
});

const vars: TemplateVars = { name: 'HighCPU', metric: 'cpu', value: '0.912346', valueNumber: 0.91234567, threshold: '0.9', timestamp: 't', op: '>', severity: 'critical', row: '3', labels: { instance: 'node1:9100' } };

test('our templates run the same functions in pipelines; what we do not render stays as written', () => {
  assert.equal(renderTemplate('{{ value | humanizePercentage }} of {{ threshold | humanizePercentage }}', vars), '91.23% of 90%');
  assert.equal(renderTemplate('{{ printf "%.3f" value }} / {{ $value | printf "%.1f" }}', vars), '0.912 / 0.9');
  assert.equal(renderTemplate('{{ labels.instance | stripPort | toUpper }} {{ value }}', vars), 'NODE1 0.912346');
  assert.equal(renderTemplate('{{ valeu | humanize }}!', vars), '{{ valeu | humanize }}!');
  assert.equal(renderTemplate('{{ name | humanize }}', vars), '<error expanding template: strconv.ParseFloat: parsing "HighCPU": invalid syntax>');
});

test('a pipeline in a rules file: an unknown function or variable is a warning at it; escaped quotes are fine', () => {
  const rules = (summary: string) => `version: 1\nrules:\n  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 0.9\n    annotations:\n      summary: ${summary}\n`;
  const warn = (summary: string) => validateRules(rules(summary)).diagnostics.map((d) => [d.code, d.range.start.column, d.message]);
  assert.deepEqual(warn("'at {{ value | humanise }}'"), [['template-action', 20, "'{{ value | humanise }}' is shown as written: unknown template function 'humanise' (did you mean 'humanize'?)"]]);
  assert.deepEqual(warn("'{{ valeu | humanize }}'"), [['template-action', 17, "'{{ valeu | humanize }}' is shown as written: unknown template function 'valeu' (did you mean 'value'?)"]]);
  assert.deepEqual(warn("'{{ printf \"%.1f\" $vaule }}'"), [['unknown-template-variable', 17, "unknown template variable 'vaule' (did you mean 'value'?)"]]);
  assert.deepEqual(warn('"{{ printf \\"%.1f\\" value }}"'), []);
  assert.deepEqual(warn("'{{ value | humanizePercentage }}'"), []);
});

test('a Prometheus rule file\'s formatted annotations read the same on CSV data; ours export as Prometheus pipelines', () => {
  const prom = `groups:\n  - name: g\n    rules:\n      - alert: HighCPU\n        expr: cpu > 0.9\n        annotations:\n          summary: 'CPU at {{ $value | humanizePercentage }} on {{ .Labels.host }} ({{ printf "%.2f" .Value }})'\n`;
  const r = validateRules(prom);
  assert.deepEqual(r.diagnostics, []);
  const t = [0, 60_000, 120_000].map((m) => Date.UTC(2024, 0, 1) + m);
  const ev = evaluateRules(r.rules!, frameOf({ 'cpu{host="a"}': [0.5, 0.95341, 0.5] }, t));
  assert.deepEqual(ev.anomalies.map((a) => a.message), ['CPU at 95.34% on a (0.95)']);
  const ours = validateRules('version: 1\nrules:\n  - name: hot\n    metric: cpu\n    op: ">"\n    threshold: 90\n    labels: {team: sre}\n    annotations:\n      summary: \'{{ printf "%.1f" value }} over {{ threshold | humanize }} ({{ labels.team | toUpper }}, {{ labels.host }})\'\n');
  const out = exportPrometheus(ours.rules!, {}, 'g');
  assert.match(out.text, /summary: "\{\{ printf \\"%\.1f\\" \$value \}\} over \{\{ 90\.0 \| humanize \}\} \(\{\{ \\"sre\\" \| toUpper \}\}, \{\{ \$labels\.host \}\}\)"/);
});

test('inside an annotation\'s open {{ completion offers the variables, and after a | the functions', async () => {
  const { completionsAt } = await import('../../src/core/rules/language.ts');
  const base = 'version: 1\nrules:\n  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 1\n    annotations:\n      summary: "CPU ';
  const labels = (tail: string) => { const t = base + tail; return completionsAt(t + '"\n', t.length).map((c) => c.label); };
  assert.deepEqual(labels('{{ value | ').slice(0, 4), ['humanize', 'humanize1024', 'humanizeDuration', 'humanizePercentage']);
  assert.ok(labels('{{ ').includes('value') && labels('{{ ').includes('printf'));
  assert.deepEqual(labels('{{ printf "%.1f" ').includes('printf'), false);
  assert.deepEqual(labels('{{ value }} '), []);
});

test("Go's printf as promtool 2.42 prints it: tiny and subnormal numbers to full precision, Inf with ' ', %+v, strings' precision, width in characters, %q's escapes, %x's forms", () => {
  const cases: [string, (number | string)[], string][] = [
    ['%.3e', [1e-300], '1.000e-300'], ['%e', [5e-324], '4.940656e-324'], ['%.3g', [2.2250738585072014e-308], '2.23e-308'],
    ['%.15e', [6.733226544696025e-97], '6.733226544696025e-97'], ['%.17g', [-5.492324269557617e-87], '-5.4923242695576171e-87'],
    ['%.2f', [0.125], '0.12'], ['%.1f', [0.25], '0.2'], ['%.4g', [999.95], '1000'], ['%.0f', [1e21], '1000000000000000000000'],
    ['% .1f|%+v|% v', [Infinity, 1, 1], ' Inf|1| 1'], ['%.3q|%+q|%#q', ['héllo wörld', 'héllo', 'ab'], '"hél"|"h\\u00e9llo"|`ab`'],
    ['%-12q|%08s|', ['emoji😀x', 'emoji😀x'], '"emoji😀x"   |0emoji😀x|'], ['%q', ['ls\u2028x\u0001'], '"ls\\u2028x\\x01"'],
    ['%X|%.2x|% x', ['héllo', 'node1', 'ab'], '68C3A96C6C6F|6e6f|61 62'], ['%!', [0.5], '%!!(float64=0.5)'],
  ];
  for (const [f, args, want] of cases) assert.equal(goSprintf(f, args), want, `${f} ${JSON.stringify(args)}`);
});

test("title, toUpper, toLower and the number functions' parsing as Prometheus's Go does them (promtool 2.42's output)", () => {
  const f = (name: string, v: number | string) => TEMPLATE_FUNCTIONS[name]([v]);
  assert.equal(f('title', "hello-world foo_bar o'neil x.y"), "Hello-World Foo_bar O'Neil X.Y");
  assert.equal(f('title', 'emoji😀x ǆemo'), 'Emoji😀x ǅemo');
  assert.equal(f('toUpper', 'ß straße'), 'ß STRAßE');
  assert.equal(f('toLower', 'İstanbul ΣΑΣ'), 'istanbul σασ');
  assert.equal(f('humanizeTimestamp', 1435065584.1289999), '2015-06-23 13:19:44.128 +0000 UTC');
  assert.throws(() => f('humanizeTimestamp', 1e21), /1e\+21 cannot be represented as a nanoseconds timestamp since it overflows int64/);
  assert.equal(f('humanize', '1_000'), '1k');
  assert.equal(f('humanize', '0x1p4'), '16');
  assert.throws(() => f('humanize', '  42 '), /parsing " {2}42 ": invalid syntax/);
  assert.throws(() => f('humanize', '0x10'), /invalid syntax/);
  assert.throws(() => f('humanize', '1e400'), /parsing "1e400": value out of range/);
});

test('{{{ value }}} is a brace around the value again, and exports as a template Prometheus parses', () => {
  assert.equal(renderTemplate('{{{ value }}}', vars), '{0.912346}');
  const ours = validateRules('version: 1\nrules:\n  - name: hot\n    metric: cpu\n    op: ">"\n    threshold: 90\n    labels: {team: "a{"}\n    annotations:\n      summary: "{{{ value }}} {{ labels.team }}{{ labels.team }}{x"\n');
  assert.deepEqual(ours.diagnostics, []);
  assert.match(exportPrometheus(ours.rules!, {}, 'g').text, /summary: "\{\{ \\"\{\\" \}\}\{\{ \$value \}\}\} a\{\{ \\"\{\\" \}\}a\{\{ \\"\{\\" \}\}\{x"/);
});

test('in a double-quoted annotation with escaped quotes, a pipeline\'s unknown variable or function is still a warning', () => {
  const rules = (summary: string) => `version: 1\nrules:\n  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 0.9\n    annotations:\n      summary: ${summary}\n`;
  const warn = (summary: string) => validateRules(rules(summary)).diagnostics.map((d) => [d.code, d.range.start.column, d.message]);
  assert.deepEqual(warn('"{{ printf \\"%.1f\\" $valeu }}"'), [['unknown-template-variable', 17, "unknown template variable 'valeu' (did you mean 'value'?)"]]);
  assert.deepEqual(warn('"{{ printf \\"%.1f\\" value | humanise }}"'), [['template-action', 17, "'{{ printf \\\"%.1f\\\" value | humanise }}' is shown as written: unknown template function 'humanise' (did you mean 'humanize'?)"]]);
});
