import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateRules } from '../../src/core/rules/validate.ts';
import { loadPrometheusRuleFile } from '../../src/core/promrules/ruleFile.ts';
import { needPromtool, promtool } from './promtool.ts';
import { applyEdits, completionsAt, ruleRanges, thresholdEdits } from '../../src/core/rules/language.ts';

/** A PrometheusRule manifest's document, its groups at `groups` (indented as under `spec:`). */
const manifest = (name: string, groups: string): string =>
  `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: ${name}\nspec:\n  groups:\n${groups}`;
const GOOD = '    - name: node\n      rules:\n        - alert: HighCPU\n          expr: cpu > 90\n';
const BAD = '    - name: other\n      rules:\n        - alert: X\n          expr: cpu >\n';
/** Helm output: a ConfigMap and a Deployment around the rules. */
const CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: b\n';

const errors = (text: string) => validateRules(text).diagnostics.filter((d) => d.severity !== 'info').map((d) => [d.severity, d.code, d.range.start.line, d.range.start.column, d.message]);

test('every PrometheusRule document of a manifest file is checked, at its line in the file (review finding)', () => {
  const text = `${manifest('a', GOOD)}---\n${manifest('b', BAD)}`;
  // Line 21 col 17: the second document's expr value. Before: one warning "promtool and Prometheus read only the first".
  assert.deepEqual(errors(text), [['error', 'prometheus-rule-file', 21, 17, 'Prometheus rule file: could not parse expression: 1:6: parse error: unexpected end of input']]);
  assert.equal(loadPrometheusRuleFile(text).problems.length, 1);
  // Both documents' rules are read; group names are each document's own (the operator writes each out as a file).
  const good2 = `${manifest('a', GOOD)}---\n${manifest('b', GOOD.replace('HighCPU', 'Other'))}`;
  assert.deepEqual(errors(good2), []);
  assert.deepEqual(loadPrometheusRuleFile(good2).rules.map((r) => r.name), ['HighCPU', 'Other']);
  assert.deepEqual(validateRules(good2).rules?.rules.map((r) => r.name), ['HighCPU', 'Other']);
});

test('a manifest file\'s other kinds of documents are skipped silently, even first (Helm output)', () => {
  const text = `${CONFIGMAP}---\n${manifest('b', BAD)}---\n${CONFIGMAP.replace('ConfigMap', 'Deployment')}`;
  assert.deepEqual(errors(text), [['error', 'prometheus-rule-file', 16, 17, 'Prometheus rule file: could not parse expression: 1:6: parse error: unexpected end of input']]);
  const good = `${CONFIGMAP}---\n${manifest('b', GOOD)}`;
  assert.deepEqual(errors(good), []);
  assert.deepEqual(validateRules(good).rules?.rules.map((r) => r.name), ['HighCPU']);
  // A later document's YAML problem is its own: an unknown anchor in a ConfigMap is not the rules'.
  assert.deepEqual(errors(`${manifest('a', GOOD)}---\n${CONFIGMAP.replace('a: b', 'a: *nope')}`), []);
  assert.equal(errors(`${manifest('a', GOOD)}---\n${manifest('b', GOOD.replace('cpu > 90', '*nope'))}`).length > 0, true);
});

test('a plain Prometheus rule file still reads its first document only, with a warning, as promtool does', (t) => {
  const text = 'groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: cpu > 1\n---\ngroups:\n  - name: b\n    rules:\n      - alert: Y\n        expr: cpu >\n';
  assert.deepEqual(errors(text).map((d) => [d[0], d[1], d[2]]), [['warning', 'multiple-documents', 6]]);
  assert.deepEqual(loadPrometheusRuleFile(text).rules.map((r) => r.name), ['X']);
  if (!needPromtool(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ah-stream-'));
  try {
    writeFileSync(join(dir, 'plain.yml'), text);
    assert.match(promtool(['check', 'rules', join(dir, 'plain.yml')]).out, /SUCCESS: 1 rules found/);
    // The manifest's second document, as the operator writes it out: promtool refuses it in the words we use.
    writeFileSync(join(dir, 'b.yml'), 'groups:\n' + BAD.replace(/^ {2}/gm, ''));
    const p = promtool(['check', 'rules', join(dir, 'b.yml')]);
    assert.equal(p.status, 1);
    assert.match(p.out, /could not parse expression: 1:6: parse error: unexpected end of input/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('in the editor, Helm output whose PrometheusRule is not first is a rule file: CodeLens ranges, no completion of our keys', () => {
  const text = `${CONFIGMAP}---\n${manifest('b', GOOD)}`;
  assert.deepEqual(ruleRanges(text).map((r) => [r.name, r.line]), [['HighCPU', 15]]);
  assert.deepEqual(completionsAt(text, text.length), []);
  assert.deepEqual(applyEdits(text, thresholdEdits(text, { HighCPU: 95 })).split('\n')[15], '          expr: cpu > 95');
});
