import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { goFloat, goTimeUTC } from '../../src/core/promrules/goFormat.ts';
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
  assert.deepEqual(expandValues('0x3'), [0, 0, 0, 0]);
  assert.deepEqual(expandValues('7x2 _ _x2 stale 1e3 +Inf NaN'), [7, 7, 7, 'missing', 'missing', 'missing', 'stale', 1000, Infinity, NaN]);
  // Increments are summed one at a time, as Prometheus does: 0.1 added 3 times is not 0.3.
  assert.deepEqual(expandValues('0+0.1x3'), [0, 0.1, 0.2, 0.30000000000000004]);
  assert.deepEqual(expandValues('1 2 x3'), { message: "'x3' is not a value, _, stale or a+bxn", offset: 4 });
  assert.deepEqual(expandValues('1 _x999999999'), { message: "'_x999999999' expands to too many values", offset: 2 });
  assert.deepEqual(expandValues('1+1x999999999'), { message: "'1+1x999999999' expands to too many values", offset: 0 });
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
  // PromQL comments, as a block scalar keeps them; a # inside a matcher's value is not one.
  assert.deepEqual([parseAlertExpr('cpu > 90 # busy\n')?.threshold, parseAlertExpr('# hot\ncpu{a="#1"} > 0x10')?.matchers[1].value, parseAlertExpr('cpu > 0x10')?.threshold], [90, '#1', 16]);
  assert.deepEqual(['cpu > 010', 'cpu > 09', 'cpu > 0', 'cpu > 0.5'].map((e) => parseAlertExpr(e)?.threshold), [8, 9, 0, 0.5]);
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

test('every unknown key of a test file is said, in file order, as promtool lists them; a later mistake of another kind comes after them', () => {
  const all = (text: string) => {
    try { parseTestFile(text); } catch (e) { if (e instanceof TestFileError) return [{ at: e.at, message: e.message }, ...e.others].map((p) => `${p.at.line}:${p.at.column}: ${p.message}`); throw e; }
    return [];
  };
  assert.deepEqual(all('rule_files: [r.yml]\nevaluation_intervall: 1m\ntests:\n  - input_series:\n      - series: up\n        value: "1"\n    alert_rule_test:\n      - eval_tme: 5m\n        alertname: A\n'), [
    "2:1: unknown key 'evaluation_intervall' in the test file (did you mean 'evaluation_interval'?)",
    "6:9: unknown key 'value' in an input series (did you mean 'values'?)",
    "8:9: unknown key 'eval_tme' in an alert_rule_test case (did you mean 'eval_time'?)",
  ]);
  assert.deepEqual(all('evaluation_intervall: 1m\ntests:\n  - interval: soon\n'), [
    "1:1: unknown key 'evaluation_intervall' in the test file (did you mean 'evaluation_interval'?)",
    "3:15: interval: 'soon' is not a duration (such as 1m, 90s, 1h30m)",
  ]);
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

test('anomaly-hunter test: an eval_time too far for the evaluation interval is an error, not a hang', async () => {
  writeFileSync(join(dir, 'far.test.yaml'), 'rule_files: [rules.yaml]\nevaluation_interval: 1s\ntests:\n  - input_series: []\n    alert_rule_test:\n      - {eval_time: 100y, alertname: cpu-high}\n');
  const t0 = Date.now();
  const r = await cli(['test', 'far.test.yaml'], dir);
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(r.code, 1);
  assert.match(r.err, /^far\.test\.yaml:4:5: error: eval_time 100y at evaluation_interval 1s is 3153600001 evaluations, more than 1,000,000\n$/);
});

test('the test-file JSON Schema (for the YAML extension) accepts the example files and refuses what the reader refuses', async () => {
  const { default: Ajv } = await import('ajv');
  const { load } = await import('js-yaml');
  const { readFileSync } = await import('node:fs');
  const validate = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync('rules/ruletests.schema.json', 'utf8')));
  for (const f of ['semantics.test.yaml', 'ours.test.yaml']) {
    const text = readFileSync(join('test/prometheus', f), 'utf8');
    assert.ok(validate(load(text)), `${f}: ${JSON.stringify(validate.errors)}`);
    assert.doesNotThrow(() => parseTestFile(text));
  }
  for (const body of ['tests: [{intervl: 1m}]', 'evaluation_interval: 5 minutes', 'tests: [{alert_rule_test: [{eval_time: 1m, exp_alerts: [{labels: {}}]}]}]']) {
    const bad = `rule_files: [rules.yaml]\n${body}`;
    assert.equal(validate(load(bad)), false, bad);
    assert.throws(() => parseTestFile(bad), TestFileError, bad);
  }
  // Another tool's *.test.yaml (no rule_files) is not ours to judge.
  assert.equal(validate(load('suite: smoke\ntests: [{intervl: 1m}]')), true);
});

test('anomaly-hunter test --promtool hands a file with other PromQL to promtool, our rules files exported for it', async (t) => {
  const { needPromtool } = await import('./promtool.ts');
  if (!needPromtool(t)) return;
  writeFileSync(join(dir, 'mixed.yml'), 'groups:\n  - name: g\n    rules:\n      - alert: Rising\n        expr: delta(cpu[2m]) > 10\n');
  const body = (exp: string) => `rule_files: [rules.yaml, mixed.yml]
tests:
  - interval: 1m
    input_series:
      - {series: 'cpu{host="a"}', values: '50 95 95 95 95 95'}
    alert_rule_test:
      - eval_time: 3m
        alertname: cpu-high
        exp_alerts:
          - exp_labels: {host: a, severity: critical, team: infra}
            exp_annotations: {summary: "cpu 95 > 90 on a"}
      - eval_time: 2m
        alertname: Rising
        exp_alerts: [${exp}]
`;
  writeFileSync(join(dir, 'mixed.test.yaml'), body('{exp_labels: {host: a}}'));
  const ok = await cli(['test', 'mixed.test.yaml', '--promtool'], dir);
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /^mixed\.test\.yaml: run by promtool\n[\s\S]*SUCCESS/);
  writeFileSync(join(dir, 'mixed.test.yaml'), body(''));
  const bad = await cli(['test', 'mixed.test.yaml', '--promtool'], dir);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /alertname: Rising, time: 2m/);
  const without = await cli(['test', 'mixed.test.yaml'], dir);
  assert.equal(without.code, 1);
  assert.match(without.err, /^mixed\.yml:4:9: error: alert 'Rising': expr 'delta\(cpu\[2m\]\) > 10' is not a series selector compared with a number: this needs promtool \(run with --promtool\)$/m);
});

test('a rules file reading Prometheus (data.queries) is tested on its queries\' series', async () => {
  writeFileSync(join(dir, 'prom.rules.yaml'), `version: 1
data:
  prometheus: http://localhost:9090
  queries: {cpu: 'node_cpu_busy{mode="user"}'}
rules:
  - {name: busy, metric: cpu, op: ">", threshold: 80, severity: major}
`);
  writeFileSync(join(dir, 'prom.test.yaml'), `rule_files: [prom.rules.yaml]
tests:
  - input_series:
      - {series: 'node_cpu_busy{mode="user", host="a"}', values: '90'}
      - {series: 'node_cpu_busy{mode="system", host="a"}', values: '95'}
    alert_rule_test:
      - eval_time: 0m
        alertname: busy
        exp_alerts: [{exp_labels: {mode: user, host: a, severity: major}}]
`);
  const r = await cli(['test', 'prom.test.yaml'], dir);
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(r.out, 'prom.test.yaml: 1 passed, 0 failed\n');
});

test('anomaly-hunter test: a rule file or a test file with a byte that is not UTF-8 is an error at its place, as check says it', async () => {
  writeFileSync(join(dir, 'latin.yml'), Buffer.concat([Buffer.from('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0 # caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
  writeFileSync(join(dir, 'latin.test.yaml'), 'rule_files: [latin.yml]\ntests: []\n');
  const rule = await cli(['test', 'latin.test.yaml'], dir);
  assert.equal(rule.code, 1, rule.out);
  assert.match(rule.err, /latin\.yml:5:28: error: not valid UTF-8 \(byte 0xE9\): save the file as UTF-8/);
  writeFileSync(join(dir, 'bad.test.yaml'), Buffer.concat([Buffer.from('rule_files: [latin.yml]\n# '), Buffer.from([0xff]), Buffer.from('\ntests: []\n')]));
  const test = await cli(['test', 'bad.test.yaml'], dir);
  assert.equal(test.code, 1, test.out);
  assert.match(test.err, /bad\.test\.yaml:2:3: error: not valid UTF-8 \(byte 0xFF\)/);
});
