import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { goFloat, goTimeUTC } from '../../src/core/promrules/goTemplate.ts';
import { expandValues, parseAlertExpr, parseSeries } from '../../src/core/promrules/selector.ts';
import { parseTestFile, TestFileError } from '../../src/core/promrules/testFile.ts';

async function cli(argv: string[], cwd: string) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd });
  return { code, out, err };
}

test('expanding notation: a+bxn and a-bxn give n+1 values, axn n+1 copies, _xn n gaps, stale a marker', () => {
  assert.deepEqual(expandValues('-2+4x3 1-2x4'), [-2, 2, 6, 10, 1, -1, -3, -5, -7]);
  assert.deepEqual(expandValues('7x2 _ _x2 stale 1e3 +Inf NaN'), [7, 7, 7, 'missing', 'missing', 'missing', 'stale', 1000, Infinity, NaN]);
  // Increments are summed one at a time, as Prometheus does: 0.1 added 3 times is not 0.3.
  assert.deepEqual(expandValues('0+0.1x3'), [0, 0.1, 0.2, 0.30000000000000004]);
  assert.deepEqual(expandValues('1 2 x3'), { message: "'x3' is not a value, _, stale or a+bxn", offset: 4 });
});

test('series and alert expressions: selectors with matchers compared with a number, on either side', () => {
  assert.deepEqual(parseSeries('up{job="node", instance=\'a:9\'}'), { __name__: 'up', job: 'node', instance: 'a:9' });
  assert.deepEqual(parseSeries('{__name__="x",a="\\"q\\""}'), { __name__: 'x', a: '"q"' });
  assert.equal('message' in parseSeries('up{job=~"n.*"}'), true);
  const e = parseAlertExpr('(cpu{host=~"a|b", env!="dev"}) >= 90');
  assert.equal(e?.op, '>=');
  assert.equal(e?.threshold, 90);
  assert.deepEqual(e?.matchers.map((m) => [m.name, m.type, m.value]), [['__name__', '=', 'cpu'], ['host', '=~', 'a|b'], ['env', '!=', 'dev']]);
  assert.deepEqual([parseAlertExpr('90 < cpu')?.op, parseAlertExpr('90 < cpu')?.threshold], ['>', 90]);
  assert.equal(parseAlertExpr('-Inf != cpu')?.threshold, -Infinity);
  for (const other of ['rate(x[5m]) > 1', 'cpu > bool 1', 'a > b', 'sum(cpu) > 1', 'cpu offset 5m > 1', 'cpu + 1 > 2', 'cpu']) {
    assert.equal(parseAlertExpr(other), null, other);
  }
});

test('Go formatting of $value and humanizeTimestamp', () => {
  assert.deepEqual([95, 0.1, 100000, 1e6, 1234567, 0.0001, 0.00001, -2.5, NaN, Infinity].map(goFloat),
    ['95', '0.1', '100000', '1e+06', '1.234567e+06', '0.0001', '1e-05', '-2.5', 'NaN', '+Inf']);
  assert.equal(goTimeUTC(480_000), '1970-01-01 00:08:00 +0000 UTC');
  assert.equal(goTimeUTC(1_500), '1970-01-01 00:00:01.5 +0000 UTC');
});

test('a mistake in a test file is one message with its line and column', () => {
  const at = (text: string) => {
    try { parseTestFile(text); } catch (e) { if (e instanceof TestFileError) return `${e.at.line}:${e.at.column}: ${e.message}`; throw e; }
    return 'no error';
  };
  assert.equal(at('rule_files: [r.yml]\ntests:\n  - intervl: 1m\n'), "3:5: unknown key 'intervl' in a test group (did you mean 'interval'?)");
  assert.equal(at('tests:\n  - input_series:\n      - series: up\n        values: "1 2 zz"\n'), "4:22: values: 'zz' is not a value, _, stale or a+bxn");
  assert.equal(at('tests:\n  - alert_rule_test:\n      - eval_time: 5 minutes\n'), "3:20: eval_time: '5 minutes' is not a duration (such as 1m, 90s, 1h30m)");
  assert.equal(at('tests:\n  - input_series:\n      - series: \'up{job="a"\'\n'), "3:28: series: expected ',' or '}'");
});

const dir = mkdtempSync(join(tmpdir(), 'ah-ruletest-'));
writeFileSync(join(dir, 'rules.yaml'), `version: 1
rules:
  - name: cpu-high
    metric: cpu
    op: ">"
    threshold: 90
    for: 2m
    keep_firing_for: 1m
    severity: critical
    labels: {team: infra}
    annotations: {summary: "cpu {{ value }} > {{ threshold }} on {{ labels.host }}"}
`);

test('anomaly-hunter test runs our rules file: pass, and a failure shows expected and got with the first difference marked', async () => {
  writeFileSync(join(dir, 'cpu.test.yaml'), `rule_files: [rules.yaml]
tests:
  - interval: 1m
    input_series:
      - series: 'cpu{host="a"}'
        values: '50 95 95 95 95 50 50'
      - series: 'cpu{host="b"}'
        values: '50x6'
    alert_rule_test:
      - eval_time: 2m
        alertname: cpu-high
        exp_alerts: []
      - eval_time: 3m
        alertname: cpu-high
        exp_alerts:
          - exp_labels: {host: a, severity: critical, team: infra}
            exp_annotations: {summary: "cpu 95 > 90 on a"}
      - eval_time: 5m
        alertname: cpu-high
        exp_alerts:
          - exp_labels: {host: a, severity: critical, team: infra}
            exp_annotations: {summary: "cpu 95 > 90 on a"}
      - eval_time: 6m
        alertname: cpu-high
        exp_alerts:
          - exp_labels: {host: b, severity: critical, team: infra}
`);
  const r = await cli(['test', 'cpu.test.yaml'], dir);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /cpu\.test\.yaml: 3 passed, 1 failed\n$/);
  const fail = r.out.split('\n').slice(0, 8).join('\n');
  assert.equal(fail, `cpu.test.yaml:23:20: FAIL alertname cpu-high, eval_time 6m
      expected                got
    > alert 1                 (no alert)
      labels:
        alertname="cpu-high"
        host="b"
        severity="critical"
        team="infra"`);
});

test('anomaly-hunter test: other PromQL needs promtool; errors in the test file are one line with line:column', async () => {
  writeFileSync(join(dir, 'rate.yml'), 'groups:\n  - name: g\n    rules:\n      - alert: R\n        expr: rate(x[5m]) > 1\n');
  writeFileSync(join(dir, 'rate.test.yaml'), 'rule_files: [rate.yml]\ntests: []\n');
  const r = await cli(['test', 'rate.test.yaml'], dir);
  assert.equal(r.code, 1);
  assert.equal(r.err, "rate.yml:4:9: error: alert 'R': expr 'rate(x[5m]) > 1' is not a series selector compared with a number: this needs promtool (run with --promtool)\n");
  writeFileSync(join(dir, 'typo.test.yaml'), 'rule_files: [rules.yaml]\ntests:\n  - input_series: []\n    alert_rule_tests: []\n');
  const t = await cli(['test', 'typo.test.yaml'], dir);
  assert.equal(t.code, 1);
  assert.equal(t.err, "typo.test.yaml:4:5: error: unknown key 'alert_rule_tests' in a test group (did you mean 'alert_rule_test'?)\n");
  assert.equal((await cli(['test', 'nothing.yaml'], dir)).code, 2);
  assert.equal((await cli(['test'], dir)).code, 2);
});
