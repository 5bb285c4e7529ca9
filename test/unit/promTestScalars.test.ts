import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { parseTestFile, TestFileError } from '../../src/core/promrules/testFile.ts';
import { needPromtool, promtool } from './promtool.ts';

/** A test file of one input series `x` whose `values:` is written as given (unquoted unless the text quotes it). */
const fileWith = (values: string, rest = ''): string => `rule_files: [r.yml]\ntests:\n  - interval: 1m\n    input_series:\n      - series: x\n        values: ${values}\n${rest}`;

function read(values: string): unknown {
  try {
    return parseTestFile(fileWith(values)).tests[0].series[0].values;
  } catch (e) {
    if (e instanceof TestFileError) return `${e.at.line}:${e.at.column}: ${e.message}`;
    throw e;
  }
}

// Plain scalars YAML types as numbers, as promtool 2.42 reads them (checked with `promtool test rules`, see the last test).
const SAMPLES: [string, number[]][] = [
  ['0x5', [0, 0, 0, 0, 0, 0]], // 0, then 5 more copies: not one sample of 5
  ['!!int 0x5', [0, 0, 0, 0, 0, 0]],
  ['0x5 1', [0, 0, 0, 0, 0, 0, 1]],
  ['1x2', [1, 1, 1]],
  ['1e3', [1000]],
  ['0.5e1', [5]],
  ['+5', [5]],
  ['07', [7]],
];
const REFUSED = ['0o7', '1_000', '.inf', '.NaN', '0x1F', '0b11'];

test('values: a plain scalar that YAML types as a number is read as series text, as promtool reads it', () => {
  for (const [text, samples] of SAMPLES) assert.deepEqual(read(text), samples, text);
  // What YAML reads as a number but series notation refuses is an error that quotes the text as written.
  for (const text of REFUSED) assert.equal(read(text), `6:17: values: '${text}' is not a value, _, stale or a+bxn`, text);
});

test('the test-file JSON Schema (for the YAML extension) accepts an unquoted number as values, as the reader does', async () => {
  const { default: Ajv } = await import('ajv');
  const { load } = await import('js-yaml');
  const validate = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync('rules/ruletests.schema.json', 'utf8')));
  for (const text of ['0x5', '1e3', '5']) assert.ok(validate(load(fileWith(text))), `${text}: ${JSON.stringify(validate.errors)}`);
  assert.equal(validate(load(fileWith('[1, 2]'))), false);
});

test('label values of a test file are their text too (exp_labels {code: 0x10} is "0x10"), and so is what --promtool hands on', () => {
  const text = fileWith('0x5', `    alert_rule_test:
      - eval_time: 1m
        alertname: A
        exp_alerts: [{exp_labels: {code: 0x10, n: 010, up: true}, exp_annotations: {v: 1e3}}]
    promql_expr_test:
      - {expr: x, eval_time: 1m, exp_samples: [{labels: '{__name__="x"}', value: 0x10}]}
`);
  const file = parseTestFile(text);
  assert.deepEqual(file.tests[0].alertTests[0].expAlerts, [{ labels: { code: '0x10', n: '010', up: 'true' }, annotations: { v: '1e3' } }]);
  const group = (file.plain.tests as Record<string, unknown>[])[0];
  assert.deepEqual(group.input_series, [{ series: 'x', values: '0x5' }]);
  assert.deepEqual((group.alert_rule_test as Record<string, unknown>[])[0].exp_alerts, [{ exp_labels: { code: '0x10', n: '010', up: 'true' }, exp_annotations: { v: '1e3' } }]);
  // A sample's value is a number to promtool: it keeps its YAML type.
  assert.deepEqual((group.promql_expr_test as Record<string, unknown>[])[0].exp_samples, [{ labels: '{__name__="x"}', value: 16 }]);
});

test('promtool reads the same samples from each of these values, and refuses the same ones', (t) => {
  if (!needPromtool(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ah-promtest-scalars-'));
  try {
    writeFileSync(join(dir, 'r.yml'), 'groups:\n  - name: g\n    rules:\n      - record: y\n        expr: x\n');
    for (const [text, samples] of SAMPLES) {
      const end = `${samples.length - 1}m`;
      writeFileSync(join(dir, 't.yml'), fileWith(text, `    promql_expr_test:
      - {expr: 'count_over_time(x[1h])', eval_time: ${end}, exp_samples: [{labels: '{}', value: ${samples.length}}]}
      - {expr: 'sum_over_time(x[1h])', eval_time: ${end}, exp_samples: [{labels: '{}', value: ${samples.reduce((a, b) => a + b, 0)}}]}
      - {expr: x, eval_time: 0m, exp_samples: [{labels: 'x', value: ${samples[0]}}]}
`));
      const r = promtool(['test', 'rules', 't.yml'], dir);
      assert.equal(r.status, 0, `${text}: ${r.out}`);
    }
    for (const text of REFUSED) {
      writeFileSync(join(dir, 't.yml'), fileWith(text));
      const r = promtool(['test', 'rules', 't.yml'], dir);
      assert.equal(r.status, 1, `${text}: ${r.out}`);
      assert.match(r.out, /parse error/, text);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('anomaly-hunter test --promtool hands values: 0x5 on as the text promtool reads (six samples)', async (t) => {
  if (!needPromtool(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ah-promtest-scalars-'));
  try {
    writeFileSync(join(dir, 'r.yml'), 'groups:\n  - name: g\n    rules:\n      - record: y\n        expr: x\n');
    writeFileSync(join(dir, 'six.test.yaml'), fileWith('0x5', "    promql_expr_test:\n      - {expr: 'count_over_time(x[1h])', eval_time: 5m, exp_samples: [{labels: '{}', value: 6}]}\n"));
    let out = '';
    const code = await main(['test', 'six.test.yaml', '--promtool'], { stdout: (s) => { out += s; }, stderr: (s) => { out += s; }, env: {}, cwd: dir });
    assert.equal(code, 0, out);
    assert.match(out, /SUCCESS/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
