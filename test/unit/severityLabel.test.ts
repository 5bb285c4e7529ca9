import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRules } from '../../src/core/rules/validate.ts';
import { exportRulesText } from '../../src/core/rules/prometheusExport.ts';
import type { TextEdit } from '../../src/core/rules/model.ts';

const apply = (text: string, edits: TextEdit[]): string => [...edits].sort((a, b) => b.startOffset - a.startOffset)
  .reduce((t, e) => t.slice(0, e.startOffset) + e.newText + t.slice(e.endOffset), text);

const rule = (labels: string): string => `version: 1\nrules:\n  - name: hot\n    metric: cpu\n    op: ">"\n    threshold: 90\n    severity: minor\n${labels}`;

test("a labels.severity that differs from the rule's severity is a warning with a fix that removes the label; export writes severity:", () => {
  const cases: [string, string][] = [
    // The only label: the labels key goes with it.
    ['    labels: {severity: critical}\n', ''],
    ['    labels:\n      severity: critical\n', ''],
    ['    labels:\n      team: sre\n      severity: critical\n', '    labels:\n      team: sre\n'],
    ['    labels:\n      severity: critical\n      team: sre\n', '    labels:\n      team: sre\n'],
    ['    labels: {severity: critical, team: sre}\n', '    labels: {team: sre}\n'],
    ['    labels: {team: sre, severity: critical}\n', '    labels: {team: sre}\n'],
  ];
  for (const [labels, mended] of cases) {
    const text = rule(labels);
    const d = validateRules(text).diagnostics.filter((x) => x.code === 'severity-label');
    assert.equal(d.length, 1, labels);
    assert.equal(d[0].severity, 'warning');
    assert.equal(d[0].message, "labels.severity 'critical' differs from the rule's severity 'minor': analyze scores the rule minor and export-rules writes severity: minor; remove the label");
    assert.equal(d[0].fix?.title, 'Remove labels.severity (keep severity: minor)');
    const fixed = apply(text, d[0].fix!.edits);
    assert.equal(fixed, rule(mended), labels);
    assert.deepEqual(validateRules(fixed).diagnostics.filter((x) => x.severity !== 'info'), [], fixed);
    // analyze scores minor; the export says minor too (before: the label's critical).
    assert.equal(validateRules(text).rules?.rules[0].severity, 'minor');
    const out = exportRulesText(text, 'g');
    assert.equal(out.export?.group.rules[0].labels.severity, 'minor', labels);
  }
  // The same severity in both, or no label: nothing.
  assert.deepEqual(validateRules(rule('    labels: {severity: minor}\n')).diagnostics.filter((x) => x.code === 'severity-label'), []);
  assert.deepEqual(validateRules(rule('    labels: {team: a}\n')).diagnostics.filter((x) => x.code === 'severity-label'), []);
});
