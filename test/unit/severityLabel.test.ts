import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRules } from '../../src/core/rules/validate.ts';
import { exportRulesText } from '../../src/core/rules/prometheusExport.ts';
import type { TextEdit } from '../../src/core/rules/model.ts';

const apply = (text: string, edits: TextEdit[]): string => [...edits].sort((a, b) => b.startOffset - a.startOffset)
  .reduce((t, e) => t.slice(0, e.startOffset) + e.newText + t.slice(e.endOffset), text);

const rule = (labels: string): string => `version: 1\nrules:\n  - name: hot\n    metric: cpu\n    op: ">"\n    threshold: 90\n    severity: minor\n${labels}`;

test("a labels.severity that differs from the rule's own severity is a warning with a fix that removes the label; export keeps the label", () => {
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
    assert.equal(d[0].message, "labels.severity 'critical' differs from the rule's severity 'minor': analyze scores the rule minor, while export-rules keeps severity=\"critical\" (what Alertmanager routes on)");
    assert.equal(d[0].fix?.title, 'Remove labels.severity (keep severity: minor)');
    const fixed = apply(text, d[0].fix!.edits);
    assert.equal(fixed, rule(mended), labels);
    assert.deepEqual(validateRules(fixed).diagnostics.filter((x) => x.severity !== 'info'), [], fixed);
    // analyze scores minor; the export keeps the label Alertmanager routes on, until the fix is taken.
    assert.equal(validateRules(text).rules?.rules[0].severity, 'minor');
    assert.equal(exportRulesText(text, 'g').export?.group.rules[0].labels.severity, 'critical', labels);
    assert.equal(exportRulesText(fixed, 'g').export?.group.rules[0].labels.severity, 'minor', labels);
  }
  // The same severity in both, or no label: nothing.
  assert.deepEqual(validateRules(rule('    labels: {severity: minor}\n')).diagnostics.filter((x) => x.code === 'severity-label'), []);
  assert.deepEqual(validateRules(rule('    labels: {team: a}\n')).diagnostics.filter((x) => x.code === 'severity-label'), []);
});

test('without a severity of its own, a rule whose label is one of ours is offered severity: as the label says (not the label removed); a label of its own kind (page) is kept, with no fix', () => {
  const text = 'version: 1\nrules:\n  - name: hot\n    metric: cpu\n    op: ">"\n    threshold: 90\n    labels: {severity: critical}\n';
  const d = validateRules(text).diagnostics.filter((x) => x.code === 'severity-label');
  assert.equal(d.length, 1);
  assert.equal(d[0].fix?.title, 'Set severity: critical (as labels.severity says)');
  const fixed = apply(text, d[0].fix!.edits);
  assert.equal(fixed, 'version: 1\nrules:\n  - name: hot\n    metric: cpu\n    op: ">"\n    threshold: 90\n    severity: critical\n    labels: {severity: critical}\n');
  assert.deepEqual(validateRules(fixed).diagnostics.filter((x) => x.severity !== 'info'), [], fixed);
  assert.equal(validateRules(fixed).rules?.rules[0].severity, 'critical');
  // Exported as critical before and after: the fix raises what analyze scores, not what Alertmanager pages on.
  assert.equal(exportRulesText(text, 'g').export?.group.rules[0].labels.severity, 'critical');
  const page = text.replace('severity: critical', 'severity: page');
  const p = validateRules(page).diagnostics.filter((x) => x.code === 'severity-label');
  assert.equal(p.length, 1);
  assert.equal(p[0].fix, undefined);
  assert.equal(exportRulesText(page, 'g').export?.group.rules[0].labels.severity, 'page');
});
