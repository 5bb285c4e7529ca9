import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRules } from '../../src/core/rules/validate.ts';
import type { TextEdit } from '../../src/core/rules/model.ts';

const apply = (text: string, edits: TextEdit[]): string => [...edits].sort((a, b) => b.startOffset - a.startOffset)
  .reduce((t, e) => t.slice(0, e.startOffset) + e.newText + t.slice(e.endOffset), text);

const file = (v: Record<string, string>): string => {
  const r = { op: '">"', threshold: '90', for: '5m', severity: 'minor', ...v };
  return `version: 1\nrules:\n  - name: a\n    metric: cpu\n    op: ${r.op}\n    threshold: ${r.threshold}\n    for: ${r.for}\n    severity: ${r.severity}\n`;
};

test('a value the schema refuses whose meaning is plain gets a did-you-mean and a fix that makes the file valid', () => {
  const cases: [key: string, written: string, meant: string][] = [
    ['severity', 'crit', 'critical'], ['severity', 'maj', 'major'], ['severity', 'warn', 'warning'], ['severity', 'high', 'major'],
    ['op', 'gt', '">"'], ['op', 'ge', '">="'], ['op', '"lt"', '"<"'], ['op', 'ne', '"!="'],
    ['threshold', '"90"', '90'], ['threshold', "'0.5'", '0.5'],
    ['for', '300', '5m'], ['for', '90', '1m30s'], ['for', '5 min', '5m'], ['for', '10 seconds', '10s'], ['for', '2hours', '2h'],
  ];
  for (const [key, written, meant] of cases) {
    const text = file({ [key]: written });
    const errors = validateRules(text).diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, `${key}: ${written}`);
    assert.ok(errors[0].fix, `${key}: ${written} has a fix`);
    assert.match(errors[0].message, /did you mean/);
    const fixed = apply(text, errors[0].fix!.edits);
    assert.equal(fixed, file({ [key]: meant }), `${key}: ${written}`);
    assert.deepEqual(validateRules(fixed).diagnostics.filter((d) => d.severity === 'error'), [], fixed);
  }
  // No plain meaning: no fix.
  for (const [key, written] of [['severity', 'bogus'], ['op', 'above'], ['threshold', '"ninety"'], ['for', '5 parsecs'], ['for', '-3']]) {
    const errors = validateRules(file({ [key]: written })).diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, `${key}: ${written}`);
    assert.equal(errors[0].fix, undefined, `${key}: ${written}`);
  }
});
