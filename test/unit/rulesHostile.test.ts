import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRules } from '../../src/core/rules/validate.ts';
import { completionsAt, ruleRanges, thresholdEdits } from '../../src/core/rules/language.ts';
import { hoverAt } from '../../src/core/rules/hover.ts';

function codes(text: string): string[] {
  return validateRules(text).diagnostics.map((d) => d.code);
}

test('a billion-laughs alias bomb is refused, not expanded', () => {
  let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 10; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
  text += 'version: 1\nrules: []\n';
  const r = validateRules(text);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity]), [['alias-bomb', 'error']]);
  assert.equal(r.rules, null);
  // The editor features must survive it too.
  assert.equal(hoverAt(text, 3), null);
  assert.deepEqual(ruleRanges(text), []);
  assert.deepEqual(thresholdEdits(text, { a: 1 }), []);
});

test('a flood of aliases is refused', () => {
  const text = 'x: &x 1\ny: [' + Array(2000).fill('*x').join(', ') + ']\n';
  assert.deepEqual(codes(text), ['alias-bomb']);
});

test('nesting deeper than 100 levels is refused', () => {
  assert.deepEqual(codes('['.repeat(150) + ']'.repeat(150)), ['too-deep']);
  let block = '';
  for (let i = 0; i < 150; i++) block += ' '.repeat(i) + 'k:\n';
  assert.deepEqual(codes(block), ['too-deep']);
});

test('binary content is refused at its first control character', () => {
  const r = validateRules('version: 1\n\u0000\u0001\u0002PNG');
  assert.deepEqual(r.diagnostics.map((d) => ({ code: d.code, line: d.range.start.line, column: d.range.start.column })), [{ code: 'binary', line: 2, column: 1 }]);
});

test('megabytes of text are refused by size', () => {
  const text = '# ' + 'x'.repeat(3 * 1024 * 1024) + '\n';
  assert.deepEqual(codes(text), ['too-large']);
});

test('a long but legal file is read, not refused', () => {
  let text = 'version: 1\nrules:\n';
  for (let i = 0; i < 2000; i++) text += `  - name: r${i}\n    metric: cpu\n    op: ">"\n    threshold: ${i}\n`;
  const r = validateRules(text);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.rules?.rules.length, 2000);
});

test('a __proto__ key is an unknown key, not a prototype change', () => {
  const r = validateRules('version: 1\nrules: []\n__proto__: {polluted: true}\n');
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['unknown-key']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a cyclic alias (anchor used inside itself) does not hang', () => {
  const r = validateRules('a: &a [*a]\n');
  assert.ok(r.diagnostics.length > 0);
});

test('multiple documents: a second document is an error at its `---` (its mistakes would go unchecked, promtool reads the first only), a warning in a Prometheus rule file', () => {
  const r = validateRules('version: 1\nrules: []\n---\nfoo: 1\n');
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.column, d.range.end.column]), [['multiple-documents', 'error', 3, 1, 4]]);
  assert.equal(r.rules, null);
  assert.match(r.diagnostics[0].message, /one YAML document.*not checked nor loaded.*promtool and Prometheus read only the first/);
  // A second document with a bad rule: the one error, at the second `---` (after a `...` ending the first too).
  const bad = 'version: 1\nrules:\n  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 90\n...\n# more\n---\nversion: 1\nrules:\n  - name: b\n    op: "=>"\n';
  assert.deepEqual(validateRules(bad).diagnostics.map((d) => [d.code, d.severity, d.range.start.line]), [['multiple-documents', 'error', 9]]);
  // In a Prometheus rule file, which promtool passes with its second document unread, a warning: `check` in CI
  // accepts what promtool accepts, and says what Prometheus will not load.
  const prom = validateRules('groups:\n- name: a\n  rules:\n  - alert: A\n    expr: up == 0\n---\ngroups:\n- name: b\n  rules:\n  - alert: B\n    expr: up ==\n');
  assert.deepEqual(prom.diagnostics.map((d) => [d.code, d.severity, d.range.start.line]), [['multiple-documents', 'warning', 6]]);
  assert.ok(prom.rules);
  // A leading `---` is one document; a trailing one with nothing after it is a warning.
  assert.deepEqual(validateRules('---\nversion: 1\nrules: []\n').diagnostics, []);
  const trailing = validateRules('version: 1\nrules: []\n---\n# nothing\n');
  assert.deepEqual(trailing.diagnostics.map((d) => [d.code, d.severity, d.range.start.line]), [['empty-document', 'warning', 3]]);
  assert.ok(trailing.rules);
});

test('completion and hover never throw on broken text', () => {
  const broken = 'version: 1\nrules:\n  - name: [\n    op: }\n\u0000';
  for (let i = 0; i <= broken.length; i++) {
    assert.doesNotThrow(() => completionsAt(broken, i));
    assert.doesNotThrow(() => hoverAt(broken, i));
  }
});
