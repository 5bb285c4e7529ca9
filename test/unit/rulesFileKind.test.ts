import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRules } from '../../src/core/rules/validate.ts';
import { loadPrometheusRuleFile } from '../../src/core/promrules/ruleFile.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { dataContextOf } from '../../src/core/rules/dataContext.ts';

/** A kube-prometheus PrometheusRule manifest, as saved under a rules-file name (review finding). */
const MANIFEST = `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: node-rules
  namespace: monitoring
spec:
  groups:
    - name: node
      rules:
        - alert: HighCPU
          expr: cpu > 90
          for: 5m
          labels: {severity: critical}
        - alert: Broken
          expr: 'rate(x[5m) > 1'
`;

const at = (text: string) => validateRules(text).diagnostics.map((d) => [d.severity, d.code, d.range.start.line, d.range.start.column, d.message]);

test('a PrometheusRule manifest is read as a Prometheus rule file: its spec.groups, at their places in the file, no fix', () => {
  const r = validateRules(MANIFEST);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.range.start.line, d.range.start.column, d.message]), [
    ['prometheus-rule-file', 15, 17, 'Prometheus rule file: could not parse expression: 1:10: parse error: unexpected ")" in subquery or range, expected ":" or "]"'],
  ]);
  assert.ok(r.diagnostics.every((d) => !d.fix), 'no quick fix');
  const valid = MANIFEST.replace("'rate(x[5m) > 1'", "'rate(x[5m]) > 1'");
  assert.deepEqual(validateRules(valid).diagnostics.filter((d) => d.severity !== 'info'), []);
  assert.deepEqual(validateRules(valid).rules?.rules.map((x) => [x.name, x.metric, x.threshold, x.forMs, x.severity]), [['HighCPU', 'cpu', 90, 300_000, 'critical']]);
  // The rule runs on data as a rule file's would; the test runner reads it too.
  const data = dataContextOf(frameOf({ cpu: [50, 60, 70] }, [0, 60_000, 120_000]), 'd.csv');
  assert.deepEqual(validateRules(valid, { data }).diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code), ['never-fires']);
  assert.deepEqual(loadPrometheusRuleFile(valid).rules.map((x) => x.name), ['HighCPU']);
  // A key the operator's spec does not have is refused as rulefmt refuses one at the top of a rule file.
  assert.deepEqual(at(valid.replace('spec:\n', 'spec:\n  foo: 1\n')).filter((d) => d[0] === 'error').map((d) => [d[2], d[4]]), [[7, 'Prometheus rule file: field foo not found in type rulefmt.RuleGroups']]);
});

test('another tool\'s YAML under a rules-file name gets one diagnostic and no fix; our files and ones being written do not', () => {
  const semgrep = 'rules:\n  - id: no-eval\n    pattern: eval(...)\n    message: do not eval\n    languages: [python]\n    severity: ERROR\n';
  const ci = 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n';
  const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: b\n';
  for (const text of [semgrep, ci, configMap]) {
    const r = validateRules(text);
    assert.equal(r.diagnostics.length, 1, text);
    assert.equal(r.diagnostics[0].code, 'not-rules-file');
    assert.match(r.diagnostics[0].message, /^not an Anomaly Hunter rules file \(.+\): nothing in it is checked$/);
    assert.equal(r.diagnostics[0].fix, undefined);
    assert.equal(r.diagnostics[0].range.start.line, 1);
  }
  assert.match(validateRules(semgrep).diagnostics[0].message, /another tool's rules/);
  // Ours: with version (its mistakes key by key), or a rules list with a rule's key, or one being written.
  const ours = ['version: 1\nrules:\n  - id: x\n', 'rules:\n  - name: a\n    metric: cpu\n', 'rules:\n  - \n', 'rules: []\n'];
  for (const text of ours) assert.ok(validateRules(text).diagnostics.every((d) => d.code !== 'not-rules-file'), text);
  assert.ok(validateRules(ours[0]).diagnostics.some((d) => d.severity === 'error' && d.code !== 'not-rules-file'));
});
