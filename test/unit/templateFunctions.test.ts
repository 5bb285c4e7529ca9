import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goSprintf } from '../../src/core/promrules/goPrintf.ts';
import { PRINTF_CASES } from './printfCases.ts';
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
  assert.equal(renderTemplate('{{ name | humanize }}', vars), '<error expanding template: error calling humanize: strconv.ParseFloat: parsing "HighCPU": invalid syntax>');
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
  // Hexadecimal with an exponent past a double's: rounded once to the nearest double, as strconv does (promtool 2.42).
  assert.equal(f('humanize', '0x3p-1076'), '4.941e-300y');
  assert.equal(f('humanize', '0xffffffffffffffffffffp-1100'), '8.9e-284y');
  assert.equal(f('humanize', '0x0p2000'), '0');
});

test('a hexadecimal float literal whose exponent alone under- or overflows a double is read as Go reads it (promtool 2.42)', async () => {
  assert.equal(await goRender('{{ printf "%b %b %v %v" 0x1000p-1086 0x3p-1076 0x0p2000 0x1fffffffffffffbffp0 }}'), '1p-1074 1p-1074 0 3.6893488147419103e+19');
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

/** An alert's annotation rendered by our Prometheus-rule engine, as promtool renders it with $value 5 and labels job="a". */
async function goRender(template: string, value = 5): Promise<string> {
  const { compileGoTemplate } = await import('../../src/core/promrules/goTemplate.ts');
  const f = compileGoTemplate(template, 'A');
  assert.ok(f, `${template} compiles`);
  return f({ labels: { job: 'a', inst: 'h:9100' }, value, externalLabels: {}, externalURL: '', evalTimeMs: 0 });
}

test("Go's integer literals are int, numbers with '.', an exponent or p are float64 (promtool 2.42's output)", async () => {
  const cases: [string, string][] = [
    ['{{ printf "%d" 5 }}', '5'], ['{{ printf "%.1f" 90 }}', '%!f(int=90)'], ['{{ printf "%v %T" 5 5.0 }}', '5 float64'],
    ['{{ printf "%d" 0x1F }}', '31'], ['{{ printf "%v" 1_000 }}', '1000'], ['{{ printf "%d" -7 }}', '-7'], ['{{ printf "%x" 255 }}', 'ff'],
    ['{{ printf "%v" \'a\' }}', '97'], ['{{ printf "%s" 5 }}', '%!s(int=5)'], ['{{ printf "%v" 0x1p4 }}', '16'], ['{{ printf "%v" 010 }}', '8'],
    ['{{ printf "%v" 0o10 }}', '8'], ['{{ printf "%v" 0b101 }}', '5'], ['{{ printf "%e" 5 }}', '%!e(int=5)'], ['{{ printf "%v" 1e3 }}', '1000'],
    ['{{ printf "%5d|%-5d|%05d|%+d|% d" 42 42 42 42 42 }}', '   42|42   |00042|+42| 42'], ['{{ printf "%.2d" 5 }}', '05'],
    ['{{ printf "%o %b %X %c %U %q" 8 5 255 65 65 65 }}', "10 101 FF A U+0041 'A'"], ['{{ printf "%#x %#o" 255 8 }}', '0xff 010'],
    ['{{ printf "%d" 9223372036854775807 }}', '9223372036854775807'], ['{{ printf "%d" -9223372036854775808 }}', '-9223372036854775808'],
    ['{{ humanize 5 }} {{ 5 | humanizeDuration }} {{ 5 }} {{ 5.0 }} {{ 1e3 }} {{ -0 }}', '5 5s 5 5 1000 0'],
    ['{{ printf "%.2f %v" 1_000.5 0x1F }}', '1000.50 31'], ['{{ printf "%d|%x" \'a\' \'\\n\' }}', '97|a'],
  ];
  for (const [t, want] of cases) assert.equal(await goRender(t), want, t);
  assert.equal(await goRender('{{ printf "%v" 9223372036854775808 }}'), '<error expanding template: error executing template __alert_A: template: __alert_A:1:127: executing "__alert_A" at <9223372036854775808>: 9223372036854775808 overflows int>');
  // Our rules files' templates read literals the same way (export-rules writes them as they are).
  assert.equal(renderTemplate('{{ printf "%d|%.1f" 5 90 }}', vars), '5|%!f(int=90)');
});

test("printf's %x and %b of floats, '#' on floats, %[n] argument indexes, * width and precision, %T (promtool 2.42's output)", () => {
  const cases: [string, (number | string | bigint)[], string][] = [
    ['%x|%X|%.3x|%#x|%x|%x', [1.5, 1.5, 3.14159, 1.0, 0.0, -2.5e-300], '0x1.8p+00|0X1.8P+00|0x1.922p+01|0x1.0000p+00|0x0p+00|-0x1.ac9a7b3b7302fp-996'],
    ['%x|%.0x|%.1x|%12.2x|%-12x|', [1e300, 1.96875, 1.96875, 255.0, 1.0], '0x1.7e43c8800759cp+996|0x1p+01|0x1.0p+01|  0x1.fep+07|0x1p+00     |'],
    ['%#g|%#v|%#.3g|%#e|%#f|%#.0f|%#.0e', [1, 1, 1, 1, 1, 2, 3], '1.00000|1|1.00|1.000000e+00|1.000000|2.|3.e+00'],
    ['%#g|%#g|%#g|%#v|%#v', [123456, 1e-7, 0, 1e6, 100000], '123456.|1.00000e-07|0.00000|1e+06|100000'],
    ['%#.3x|%#X', [1, 2], '0x1.000p+00|0X1.P+01'], ['%x %X', ['hi', 1e-5], '6869 0X1.4F8B588E368F1P-17'],
    ['%[1]v %[1]v %v', [1.5, 2.5], '1.5 1.5 2.5'], ['%[2]v %v', [1.5, 2.5], '2.5 %!v(MISSING)'], ['%[3]v', [1.5], '%!v(BADINDEX)'],
    ['%*d|%-*d|%*d', [5n, 42n, 4n, 7n, -4n, 3n], '   42|7   |3   '], ['%.*f|%*.*f|', [2n, 3.14159, 8n, 3n, 2.5], '3.14|   2.500|'],
    ['%*d', [5, 42n], '%!(BADWIDTH)42'], ['%*d', ['x', 42n], '%!(BADWIDTH)42'], ['%.*f', [-2n, 3.14159], '%!(BADPREC)3.141590'],
    ['%[2]*[1]d|', [42n, 6n], '    42|'], ['%[1]d %d %d', [1n, 2n], '1 2 %!d(MISSING)'], ['%[0]d|%[x]d|%[1d|%[]d', [1n], '%!d(BADINDEX)|%!d(BADINDEX)|%!d(BADINDEX)'],
    ['%d %d', [1n, 2n, 3n], '1 2%!(EXTRA int=3)'], ['%b|%b|%o|%O|%#b|%#o', [5n, 5, 8n, 8n, 5n, 0n], '101|5629499534213120p-50|10|0o10|0b101|0'],
    ['%c|%q|%U|%#U|%+q', [233n, 233n, 233n, 233n, 233n], "é|'é'|U+00E9|U+00E9 'é'|'\\u00e9'"],
    ['%T|%T|%T|%5T|%.2T', [1n, 1, 's', 1n, 's'], 'int|float64|string|  int|st'], ['%t|%p|%s', [1n, 1n, 1n], '%!t(int=1)|%!p(int=1)|%!s(int=1)'],
    ['%8.2d|%-8.3d|%08d|%+08d|%-08d|%.0d|%5.0d|', [5n, 5n, -5n, 5n, 5n, 0n, 0n], '      05|005     |-0000005|+0000005|5       ||     |'],
    ['%#08x|%#-8x|%x|%X', [255n, 255n, -255n, -255n], '0x000000ff|0xff    |-ff|-FF'], ['%8.2s|%-5.1v', [95.5, 95.5], '%!s(float64=      96)|1e+02'],
    ['%+d|% d|%+ d', [0n, 0n, 5n], '+0| 0|+5'], ['%06.2f|%-06.2f|%+06.1f|% 06.1f', [-1.5, 1.5, 1.5, 1.5], '-01.50|1.50  |+001.5| 001.5'],
    ['%5%|%-5%|%.2%', [], '%|%|%'], ['%5.', [1.5], '%!.(float64=  1.5)'], ['%[1]', [2n], '%!(NOVERB)'], ['%v|%v', [1, 0n], '1|0'],
  ];
  for (const [f, args, want] of cases) assert.equal(goSprintf(f, args), want, `${f} ${args.join(' ')}`);
});

test("title, toUpper, toLower and stripPort given a number fail as Go's template does, and the whole annotation is Prometheus's error (promtool 2.42's text)", async () => {
  const error = (pos: string, at: string, message: string) => `<error expanding template: error executing template __alert_A: template: __alert_A:${pos}: executing "__alert_A" at <${at}>: ${message}>`;
  const cases: [string, string][] = [
    ['x {{ $value | toUpper }} y', error('1:126', 'toUpper', 'wrong type for value; expected string; got float64')],
    ['a {{ $value | title }} b', error('1:126', 'title', 'wrong type for value; expected string; got float64')],
    ['{{ toLower $value }}', error('1:123', '$value', 'wrong type for value; expected string; got float64')],
    ['{{ toUpper 5 }}', error('1:123', '5', 'expected string; found 5')],
    ['{{ 5 | toUpper }}', error('1:119', 'toUpper', 'wrong type for value; expected string; got int')],
    ['{{ "x" | toUpper }} {{ $value | stripPort }}', error('1:144', 'stripPort', 'wrong type for value; expected string; got float64')],
    ['{{ humanize "abc" }}', error('1:115', 'humanize "abc"', 'error calling humanize: strconv.ParseFloat: parsing "abc": invalid syntax')],
    ['{{ $labels.job | humanize }}', error('1:129', 'humanize', 'error calling humanize: strconv.ParseFloat: parsing "a": invalid syntax')],
    ['{{ humanize 1 2 }}', error('1:115', 'humanize', 'wrong number of args for humanize: want 1 got 2')],
    ['{{ printf }}', error('1:115', 'printf', 'wrong number of args for printf: want at least 1 got 0')],
    ['{{ $value | printf }}', error('1:124', 'printf', 'wrong type for value; expected string; got float64')],
    ['{{ humanizeTimestamp 1e21 }}', error('1:115', 'humanizeTimestamp 1e21', 'error calling humanizeTimestamp: 1e+21 cannot be represented as a nanoseconds timestamp since it overflows int64')],
    ['é {{ $value | toUpper }}', error('1:127', 'toUpper', 'wrong type for value; expected string; got float64')],
    ['line1\nline2 {{ $value | toUpper }}', error('2:18', 'toUpper', 'wrong type for value; expected string; got float64')],
    ['{{ $labels.job }} {{ $value | toUpper }} {{ $labels.job }}', error('1:142', 'toUpper', 'wrong type for value; expected string; got float64')],
    ['{{ with query "time()" }}{{ . | first | value | humanizeTimestamp }}{{ end }} {{ $value | toUpper }}', error('1:202', 'toUpper', 'wrong type for value; expected string; got float64')],
    ['{{ printf "%s" $value | toUpper }}', '%!S(FLOAT64=5)'],
  ];
  for (const [t, want] of cases) assert.equal(await goRender(t), want, t);
  // Our rules files keep the rest of the text and show Go's message in place of the action.
  assert.equal(renderTemplate('{{ value | toUpper }} of {{ labels.instance | toUpper }}', vars), '<error expanding template: wrong type for value; expected string; got float64> of NODE1:9100');
});

test("printf gives promtool 2.42's text for 300 seeded random formats, 192 with [n] or * (test/unit/printfCases.ts), also when run again on its parsed format", () => {
  for (const [format, args, want] of PRINTF_CASES) {
    assert.equal(goSprintf(format, args), want, `${format} ${args.join(' ')}`);
    assert.equal(goSprintf(format, args), want, `${format} ${args.join(' ')} (parsed before)`);
  }
});

test('a pipeline that can only fail when it runs is a warning at it: text a number function reads, a number a text function takes', () => {
  const rules = (summary: string) => `version: 1\nrules:\n  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 0.9\n    annotations:\n      summary: ${summary}\n`;
  const warn = (summary: string) => validateRules(rules(summary)).diagnostics.map((d) => [d.code, d.range.start.column, d.message, d.fix?.edits[0].newText]);
  // It renders as Go's error (the row's time is text, an ISO time or 'row N'); the warning says so before it runs.
  assert.equal(renderTemplate('{{ timestamp | humanizeTimestamp }}', { ...vars, timestamp: '2024-01-01T00:05:00.000Z' }),
    '<error expanding template: error calling humanizeTimestamp: strconv.ParseFloat: parsing "2024-01-01T00:05:00.000Z": invalid syntax>');
  assert.deepEqual(warn("'at {{ timestamp | humanizeTimestamp }}'"), [['template-type', 20,
    "'{{ timestamp | humanizeTimestamp }}' renders as an error: humanizeTimestamp reads a number (Unix seconds) and 'timestamp' is text, the row's time already written out (2024-01-01T00:05:00.000Z); {{ timestamp }} shows it", '{{ timestamp }}']]);
  assert.deepEqual(warn("'{{ value | toUpper }}'"), [['template-type', 17, "'{{ value | toUpper }}' renders as an error: toUpper takes text and 'value' is a number (printf makes it text: printf \"%.2f\" value)", undefined]]);
  assert.deepEqual(warn("'{{ title threshold }}'").map((w) => w[0]), ['template-type']);
  assert.deepEqual(warn("'{{ severity | humanize }} {{ humanizePercentage op }}'").map((w) => w[0]), ['template-type', 'template-type']);
  // The fix is offered only where the whole action is humanizeTimestamp of timestamp: it would drop what follows.
  assert.deepEqual(warn("'{{ humanizeTimestamp timestamp }}'").map((w) => w[3]), ['{{ timestamp }}']);
  assert.deepEqual(warn("'{{ humanizeTimestamp timestamp | title }}'").map((w) => [w[0], w[3]]), [['template-type', undefined]]);
  for (const fine of ["'{{ labels.x | humanize }}'", "'{{ row | humanize }}'", "'{{ value | printf \"%.1f\" | toUpper }}'", "'{{ printf \"%d %s\" value timestamp }}'", "'{{ timestamp | toUpper }}'"]) assert.deepEqual(warn(fine), [], fine);
});

test("completion inside a block-scalar annotation ('description: |' and its indented lines) offers what it offers on one line", async () => {
  const { completionsAt } = await import('../../src/core/rules/language.ts');
  const base = 'version: 1\nrules:\n  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 1\n    annotations:\n';
  const labels = (tail: string, after = '    severity: major\n') => { const t = base + tail; return completionsAt(t + '\n' + after, t.length).map((c) => c.label); };
  const oneLine = labels('      summary: "CPU {{ value | ');
  assert.deepEqual(labels('      description: |\n        CPU at\n        {{ value | '), oneLine);
  assert.deepEqual(labels('      description: >-\n        CPU at\n\n          more {{ value | '), oneLine);
  assert.ok(labels('      description: |\n        Note: {{ ').includes('value'), 'a line that looks like a key');
  assert.ok(labels('      description: |2\n          {{ ').includes('printf'));
  // Where no block is open, or it is another key's, nothing changes.
  assert.deepEqual(labels('      description: |\n        {{ value }} '), []);
  assert.deepEqual(labels('      description: |\n        CPU\n    labels:\n      team: {{ '), []);
  const rule = 'version: 1\nrules:\n  - name: a\n    metric: cpu\n    notes: |\n      {{ ';
  assert.deepEqual(completionsAt(rule, rule.length).map((c) => c.label), []);
});
