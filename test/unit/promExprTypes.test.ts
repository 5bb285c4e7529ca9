// PromQL errors past tokens and brackets (numbers, matchers, regular expressions, functions, types): ours equal
// promtool 2.42's, word for word and place for place, and every expression promtool accepts passes (promtool runs
// on all of them below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exprSyntaxError } from '../../src/core/promrules/exprSyntax.ts';
import { exprTypeError } from '../../src/core/promrules/exprTypes.ts';
import { PROMQL_FUNCTIONS } from '../../src/core/promrules/promqlFunctions.ts';
import type { PromType } from '../../src/core/promrules/promqlFunctions.ts';
import { needPromtool, promtool } from './promtool.ts';

/** Expressions and Prometheus's error (place: message), or null where it accepts them. */
const CASES: [string, string | null][] = [
  // Numbers.
  ['cpu > 1e', '1:7: error parsing number: strconv.ParseFloat: parsing "1e": invalid syntax'],
  ['cpu > 1e-', '1:7: error parsing number: strconv.ParseFloat: parsing "1e-": invalid syntax'],
  ['cpu > 0x', '1:7: error parsing number: strconv.ParseFloat: parsing "0x": invalid syntax'],
  ['x > 0x1.5', '1:5: error parsing number: strconv.ParseFloat: parsing "0x1.5": invalid syntax'],
  ['x > 0xFFFFFFFFFFFFFFFFF', '1:5: error parsing number: strconv.ParseFloat: parsing "0xFFFFFFFFFFFFFFFFF": invalid syntax'],
  ['x > 1e400', '1:5: error parsing number: strconv.ParseFloat: parsing "1e400": value out of range'],
  ['1e > 2', '1:1: error parsing number: strconv.ParseFloat: parsing "1e": invalid syntax'],
  ['x @ 1e', '1:5: error parsing number: strconv.ParseFloat: parsing "1e": invalid syntax'],
  ['cpu > 0x1G', '1:7: bad number or duration syntax: "0x1"'],
  ['cpu > 1_000', '1:7: bad number or duration syntax: "1"'],
  ['cpu > 1e3', null], ['cpu > 0x1F', null], ['cpu > 0X1f', null], ['cpu > .5', null], ['cpu > 1.', null], ['cpu > 1.e3', null],
  ['cpu > 1E3', null], ['cpu > 1e+3', null], ['cpu > 08', null], ['cpu > Inf', null], ['cpu > -Inf', null], ['cpu > inf', null],
  ['cpu > NaN', null], ['x > 0x7FFFFFFFFFFFFFFF', null], ['x > 1e308', null], ['x > 0x1e3', null],
  // A whole expression followed by a word or a number.
  ['x by', '1:3: unexpected <by>'], ['rate(x[5m]) by', '1:13: unexpected <by>'], ['x + y by (a)', '1:7: unexpected <by>'],
  ['x without (a)', '1:3: unexpected <without>'], ['sum(x) by (a) by (b)', '1:15: unexpected <by>'], ['x on', '1:3: unexpected <on>'],
  ['x bool', '1:3: unexpected <bool>'], ['x > 1 bool', '1:7: unexpected <bool>'], ['x 5', '1:3: unexpected number "5"'],
  ['x y', '1:3: unexpected identifier "y"'], ['xx  yy', '1:5: unexpected identifier "yy"'],
  ['ignoring > 1', '1:1: unexpected <ignoring>'], ['group_left > 0', '1:1: unexpected <group_left>'], ['on > 1', '1:1: unexpected <on>'],
  ['x > bool', '1:9: unexpected end of input'], ['by > 1', null], ['without > 1', null], ['offset > 1', null],
  ['sum(x) by (a)', null], ['sum by (a) (x)', null], ['x > bool 1', null], ['x @ 100', null], ['x offset 5m', null],
  // Matchers.
  ['cpu{job="a" job2="b"} > 1', '1:13: unexpected identifier "job2" in label matching, expected "," or "}"'],
  ['cpu{="a"} > 1', '1:5: unexpected "=" in label matching, expected identifier or "}"'],
  ['x{a="b",,c="d"}', '1:9: unexpected "," in label matching, expected identifier or "}"'],
  ['x{,}', '1:3: unexpected "," in label matching, expected identifier or "}"'],
  ['x{a b}', '1:5: unexpected identifier "b" in label matching, expected label matching operator'],
  ['x{a}', '1:4: unexpected "}" in label matching, expected label matching operator'],
  ['x{a="b" , c}', '1:12: unexpected "}" in label matching, expected label matching operator'],
  ['{} > 1', '1:1: vector selector must contain at least one non-empty matcher'],
  ['( {})', '1:3: vector selector must contain at least one non-empty matcher'],
  ['{a=""}', '1:1: vector selector must contain at least one non-empty matcher'],
  ['{a=~""}', '1:1: vector selector must contain at least one non-empty matcher'],
  ['{a!="x"}', '1:1: vector selector must contain at least one non-empty matcher'],
  ['{a!=""}', null], ['{a=~".+"}', null], ['{a!~""}', null], ['cpu{}', null], ['x{a="b",}', null], ['x{on="a"}', null],
  ['{a="x", b=""}', null], ['x{a="b" , c="d"} > 1', null],
  // Regular expressions: only what RE2 certainly refuses (and JavaScript's RegExp too).
  ['cpu{job=~"("} > 1', '1:5: error parsing regexp: missing closing ): `^(?:()$`'],
  ['x{a=~"(a|(b)"}', '1:3: error parsing regexp: missing closing ): `^(?:(a|(b))$`'],
  ['x{a!~"(("}', '1:3: error parsing regexp: missing closing ): `^(?:(()$`'],
  ['x{a=~"(?i)a"}', null], ['x{a=~"(a)|b"}', null], ['x{a="("}', null], ['x{a=~"\\\\("}', null], ['x{a=~"[(]"}', null],
  // Ranges' durations.
  ['cpu[5mm] > 1', '1:5: bad duration syntax: "5mm"'],
  ['x[5x]', '1:3: bad duration syntax: "5"'],
  ['x[1h5mm]', '1:3: bad duration syntax: "1h5mm"'],
  ['x[5m3]', '1:3: bad duration syntax: "5m3"'],
  ['rate(x[1h30m]) > 1', null], ['rate(x[500ms]) > 1', null], ['max_over_time(x[1d:5m]) > 1', null],
  // Comparisons of scalars, set operators on scalars, operands of other types.
  ['1 > 2', '1:3: comparisons between scalars must use BOOL modifier'],
  [' 1 > 2', '1:4: comparisons between scalars must use BOOL modifier'],
  ['(1) > 2', '1:5: comparisons between scalars must use BOOL modifier'],
  ['1 + 2 > 3', '1:7: comparisons between scalars must use BOOL modifier'],
  ['cpu > (1 > 2)', '1:10: comparisons between scalars must use BOOL modifier'],
  ['time() > 1', '1:8: comparisons between scalars must use BOOL modifier'],
  ['scalar(x) > 1', '1:11: comparisons between scalars must use BOOL modifier'],
  ['(1 > 2) > "a"', '1:4: comparisons between scalars must use BOOL modifier'],
  ['cpu and 1', '1:1: set operator "and" not allowed in binary scalar expression'],
  ['1 and cpu', '1:1: set operator "and" not allowed in binary scalar expression'],
  ['cpu AND 1', '1:1: set operator "and" not allowed in binary scalar expression'],
  ['cpu > "90"', '1:7: binary expression must contain only scalar and instant vector types'],
  ['"90" > cpu', '1:1: binary expression must contain only scalar and instant vector types'],
  ['(cpu) > "90"', '1:9: binary expression must contain only scalar and instant vector types'],
  ['cpu + "a" > 1', '1:7: binary expression must contain only scalar and instant vector types'],
  ['x > 1 > "a"', '1:9: binary expression must contain only scalar and instant vector types'],
  ['x[5m] > 1', '1:1: binary expression must contain only scalar and instant vector types'],
  ['x[5m] + "a"', '1:1: binary expression must contain only scalar and instant vector types'],
  ['1 > bool 2', null], ['x > time()', null], ['vector(1) > 1', null], ['cpu > 1 > 2', null], ['x > bool 1 > 2', null],
  ['-1 < bool x', null], ['2 ^ 3 ^ 2 == bool 512', null], ['x or vector(1)', null], ['"a"', null], ['1', null],
  // Functions.
  ['foo(cpu) > 1', '1:1: unknown function with name "foo"'],
  ['sum(foo(x))', '1:5: unknown function with name "foo"'],
  ['Rate(x[5m])', '1:1: unknown function with name "Rate"'],
  ['rate(cpu) > 1', '1:6: expected type range vector in call to function "rate", got instant vector'],
  ['abs(rate(x))', '1:10: expected type range vector in call to function "rate", got instant vector'],
  ['sum by (a) (rate(x))', '1:18: expected type range vector in call to function "rate", got instant vector'],
  ['rate(1)', '1:6: expected type range vector in call to function "rate", got scalar'],
  ['rate("a")', '1:6: expected type range vector in call to function "rate", got string'],
  ['abs(x[5m])', '1:5: expected type instant vector in call to function "abs", got range vector'],
  ['abs((x[5m]))', '1:5: expected type instant vector in call to function "abs", got range vector'],
  ['abs("a")', '1:5: expected type instant vector in call to function "abs", got string'],
  ['abs(1)', '1:5: expected type instant vector in call to function "abs", got scalar'],
  ['sum(x[5m])', '1:5: expected type instant vector in aggregation expression, got range vector'],
  ['absent(cpu, cpu)', '1:1: expected 1 argument(s) in call to "absent", got 2'],
  ['absent()', '1:1: expected 1 argument(s) in call to "absent", got 0'],
  ['rate(x[5m], 1)', '1:1: expected 1 argument(s) in call to "rate", got 2'],
  ['round(x, 1, 2)', '1:1: expected at most 2 argument(s) in call to "round", got 3'],
  ['round()', '1:1: expected at least 1 argument(s) in call to "round", got 0'],
  ['time(1)', '1:1: expected 0 argument(s) in call to "time", got 1'],
  ['label_replace(x, "a")', '1:1: expected 5 argument(s) in call to "label_replace", got 2'],
  ['label_join(x)', '1:1: expected at least 3 argument(s) in call to "label_join", got 1'],
  ['histogram_quantile(0.9)', '1:1: expected 2 argument(s) in call to "histogram_quantile", got 1'],
  ['day_of_month(x, x)', '1:1: expected at most 1 argument(s) in call to "day_of_month", got 2'],
  ['label_join(x, "a", "b")', null], ['label_join(x, "a", "b", "c", "d")', null], ['day_of_month()', null], ['pi()', null],
  ['histogram_fraction(0, 1, x)', null], ['holt_winters(x[5m], 0.5, 0.5)', null], ['abs(-x)', null], ['round(x, 0.5)', null],
  ['mad_over_time(x[5m])', '1:1: unknown function with name "mad_over_time"'], // a later Prometheus's: never refused by us
  ['topk(3, x)', null], ['count_values("v", x)', null], ['quantile(0.5, rate(x[5m]))', null], ['sum(rate(x[5m] offset 1h))', null],
  ['rate(x[5m] @ end())', null], ['x @ 100 offset -5m > 1', null], ['x[5m] offset 1h @ 100', null], ['x[5m:] offset 1h', null],
  ['abs(x) offset 5m', '1:1: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['x > 1 offset 5m', '1:5: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['(x) offset 5m', '1:1: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['x > 5m', '1:5: unexpected duration "5m"'], ['abs(5m)', '1:5: unexpected duration "5m"'],
  ['x{__name__=~"a.*"}', '1:1: metric name must not be set twice: "x" or "a.*"'], // not told by us
  ['{a=~".*"}', '1:1: vector selector must contain at least one non-empty matcher'], // regular expressions not judged
];

/** Refused by promtool 2.42 but not by us: later Prometheus's functions, and what we do not judge. */
const OURS_NULL = new Set(['mad_over_time(x[5m])', 'x{__name__=~"a.*"}', '{a=~".*"}']);

/** Valid expressions of many forms (modifiers, strings, spacing, signs, subqueries): promtool accepts each, so must we. */
const VALID = String.raw`sum(rate(x[5m])) by (a) > bool 1 ; x{a="b\\n"} > 1 ; x{a='b'} > 1 ; x{a=~${'`a+`'}} > 1 ; label_replace(x, "a", "$1", "b", "(.*)")
x offset 5m @ 100 ; rate(x[5m:]) ; max_over_time((x > 1)[5m:]) ; (x)[5m:] ; absent(nonexistent{job="x"}) ; vector(time()) ; sum without () (x)
x > on() group_left() y ; scalar(x) * 2 > bool 1 ; 1 + x ; x ^ -1 ; timestamp(x) < time() - 60 ; -1 ; +x ; count(x) by (a) == 0 ; x unless on(a) y
topk by (a) (1, x) ; sort_desc(x) and x ; {__name__=~"a.*"} ; x @ start() ; rate(x[5m] @ 100) ; x offset 1h30m ; sum by (a)(x) ; ((x))
x and on(a, b) y ; day_of_week() == 0 ; time() - x > 1 ; pi() > bool 3 ; abs(x) > 1e-3 ; x > 1.5e+3 ; x[5m] offset -1h ; rate(x{a="é"}[5m]) > 1
x{a="\u00e9"} ; x{a="\x41"} ; sum(x) by (a) / ignoring(b) group_left sum(y) by (a) ; count_values("a", x) by (b) ; quantile(0.5 * 2, x)
topk(scalar(y), x) ; absent_over_time(x[5m:1m]) ; x - on(a) group_right(b) y ; x == bool on(a) y ; -(x) ; - - x ; x * -1 > 0 ; clamp(x, -Inf, +Inf)
round(x, 1/10) ; vector(1) + on() group_left vector(2) ; x{a!~"b|c"} > 1 ; x{ a = "b" } > 1 ; x {a="b"} > 1 ; sum (x) > 1 ; rate (x [5m]) > 1
abs(x)#c ; changes(x[1h:5m]) > 3 ; resets(rate(x[5m])[1h:]) ; predict_linear(x[1h], 3600 * 4) < 0 ; x > 1e0 ; x > 0x0`.split(/ ; |\n/);


/** A valid call of each function with each number of arguments it takes (and three more for label_join). */
function validCalls(): string[] {
  const arg: Record<PromType, string> = { scalar: '0.5', 'instant vector': 'x', 'range vector': 'x[5m]', string: '"a"' };
  const out: string[] = [];
  for (const [name, f] of PROMQL_FUNCTIONS) {
    for (let n = f.args.length - (f.optional ?? 0); n <= f.args.length + (f.repeat ? 2 : 0); n++) {
      out.push(`${name}(${Array.from({ length: n }, (_, i) => arg[f.args[Math.min(i, f.args.length - 1)]]).join(', ')})`);
    }
  }
  return out;
}

test('numbers, matchers, regular expressions, functions and types: our error is promtool\'s, valid ones pass', () => {
  for (const [expr, want] of CASES) assert.equal(exprSyntaxError(expr), want && !OURS_NULL.has(expr) ? `could not parse expression: ${want.replace(/^(\d+:\d+): /, '$1: parse error: ')}` : null, expr);
  const calls = validCalls();
  assert.ok(calls.length > 70, `calls: ${calls.length}`);
  for (const expr of [...calls, ...VALID]) assert.equal(exprSyntaxError(expr), null, expr);
});

test('promtool 2.42 gives each of these expressions the same error, and accepts the others and every valid call', (t) => {
  if (!needPromtool(t)) return;
  const all: [string, string | null][] = [...CASES, ...[...validCalls(), ...VALID].map((c): [string, null] => [c, null])];
  const dir = mkdtempSync(join(tmpdir(), 'ah-promexpr-'));
  writeFileSync(join(dir, 'r.yml'), 'groups:\n  - name: g\n    rules:\n' + all.map(([e], i) => `      - alert: A${i}\n        expr: ${JSON.stringify(e)}\n`).join(''));
  const out = promtool(['check', 'rules', 'r.yml'], dir).out;
  // One line per refused rule: its index (rule N, "AN") and message.
  const got = new Map<number, string>();
  for (const m of out.matchAll(/rule (\d+), "A\d+": could not parse expression: (\d+:\d+): parse error: ([^\n]*)/g)) got.set(Number(m[1]) - 1, `${m[2]}: ${m[3]}`);
  all.forEach(([expr, want], i) => assert.equal(got.get(i) ?? null, want, expr));
  assert.equal(got.size, all.filter(([, w]) => w).length);
});

test('an expression deeper or longer than any rule\'s is left to promtool: no stack overflow, in well under a second', () => {
  const n = 20_000;
  const t = Date.now();
  for (const expr of ['('.repeat(n) + 'x' + ')'.repeat(n), '-'.repeat(n) + 'x', Array.from({ length: n }, () => 'x').join(' + '),
    Array.from({ length: n }, () => 'x').join(' ^ '), 'abs('.repeat(n) + 'x' + ')'.repeat(n)]) {
    assert.equal(exprTypeError(expr), null, expr.slice(0, 20));
  }
  assert.ok(Date.now() - t < 1000, `${Date.now() - t} ms`);
  // Within the limits, nesting is read: the comparison of scalars inside 90 parentheses is found.
  assert.deepEqual(exprTypeError(`${'('.repeat(90)}1 > 2${')'.repeat(90)}`), [92, 'comparisons between scalars must use BOOL modifier']);
});
