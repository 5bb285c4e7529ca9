import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { frameOf } from '../../src/core/csv/frame.ts';
import type { Diagnostic, RulesDataContext } from '../../src/core/rules/model.ts';
import { applyEdits } from '../../src/core/rules/language.ts';
import { hoverAt } from '../../src/core/rules/hover.ts';
import { analyzeRules, validateRules } from '../../src/core/rules/validate.ts';
import { evaluateRules } from '../../src/core/rules/evaluate.ts';
import { formatDiagnostics } from '../../src/core/rules/diagnostics.ts';
import { dataContextOf } from '../../src/core/rules/dataContext.ts';
import { parseCsv } from '../../src/core/csv/parse.ts';

const M = 60_000;
const data: RulesDataContext = dataContextOf(
  frameOf({ cpu: [10, 20, 30, 95], memory: [40, 50, 60, 70] }, [0, M, 2 * M, 3 * M]),
  'stream.csv',
);

/** A compact view of a diagnostic: what tests compare whole. */
function brief(d: Diagnostic) {
  return { code: d.code, severity: d.severity, line: d.range.start.line, column: d.range.start.column, endLine: d.range.end.line, endColumn: d.range.end.column };
}

function check(text: string, withData = true) {
  return validateRules(text, withData ? { data } : {});
}

const header = 'version: 1\nrules:\n';

test('the sample rules file has no problems against the sample data', () => {
  const { frame } = parseCsv(readFileSync(new URL('../../sample-data/stream.csv', import.meta.url), 'utf8'));
  assert.ok(frame);
  const r = validateRules(readFileSync(new URL('../../rules/rules.yaml', import.meta.url), 'utf8'), { data: dataContextOf(frame, 'stream.csv') });
  assert.deepEqual(r.diagnostics, []);
  assert.ok(r.rules);
  assert.equal(r.rules.rules.length, 8);
});

test('a valid rule is returned with every default applied', () => {
  const r = check('version: 1\ndefaults:\n  severity: major\n  for: 1m\nrules:\n  - name: high-cpu\n    metric: cpu\n    op: ">"\n    threshold: 90\n    labels: {team: infra}\n');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.rules?.rules, [{
    name: 'high-cpu', metric: 'cpu', op: '>', threshold: 90, forMs: M, keepFiringForMs: 0, severity: 'major', enabled: true,
    labels: { team: 'infra' }, annotations: {}, line: 6,
  }]);
});

test('an unknown key is an error on the key, with a did-you-mean and a fix that repairs it', () => {
  const text = header + '  - name: a\n    metric: cpu\n    op: ">"\n    treshold: 90\n';
  const r = check(text);
  // One error, on the typo: no second 'missing required key' on the rule's first key (`name`, which is right).
  assert.deepEqual(r.diagnostics.map(brief), [{ code: 'unknown-key', severity: 'error', line: 6, column: 5, endLine: 6, endColumn: 13 }]);
  // A key that is no misspelling of the missing one leaves the missing-key error in place.
  assert.deepEqual(check(header + '  - name: a\n    metric: cpu\n    op: ">"\n    colour: red\n').diagnostics.map((d) => d.code).sort(), ['missing-key', 'unknown-key']);
  const unknown = r.diagnostics.find((d) => d.code === 'unknown-key');
  assert.equal(unknown?.message, "unknown key 'treshold' in rule 'a' (did you mean 'threshold'?)");
  assert.ok(unknown?.fix);
  assert.deepEqual(check(applyEdits(text, unknown.fix.edits)).diagnostics, []);
});

test('an unknown top-level key far from any known key lists the allowed keys', () => {
  const r = check('version: 1\nrules: []\nzzz: 1\n');
  assert.deepEqual(r.diagnostics.map(brief), [{ code: 'unknown-key', severity: 'error', line: 3, column: 1, endLine: 3, endColumn: 4 }]);
  assert.match(r.diagnostics[0].message, /allowed: version, data, defaults, rules, detectors, alerts/);
  assert.equal(r.diagnostics[0].fix, undefined);
});

test('a missing required key is reported on the mapping\'s first key, and the fix adds it at its indentation', () => {
  const text = header + '  - name: a\n    metric: cpu\n    op: "<"\n';
  const r = check(text);
  assert.deepEqual(r.diagnostics.map(brief), [{ code: 'missing-key', severity: 'error', line: 3, column: 5, endLine: 3, endColumn: 9 }]);
  assert.equal(r.diagnostics[0].message, "rule 'a' is missing required key 'threshold'");
  const fixed = applyEdits(text, r.diagnostics[0].fix?.edits ?? []);
  assert.equal(fixed, header + '  - name: a\n    metric: cpu\n    op: "<"\n    threshold: 0\n');
  assert.deepEqual(check(fixed, false).diagnostics, []);
});

test('a missing version is reported at the top mapping and fixed', () => {
  const text = 'rules: []\n';
  const r = check(text);
  assert.deepEqual(r.diagnostics.map(brief), [{ code: 'missing-key', severity: 'error', line: 1, column: 1, endLine: 1, endColumn: 6 }]);
  assert.deepEqual(check(applyEdits(text, r.diagnostics[0].fix?.edits ?? [])).diagnostics, []);
});

test('wrong types and values are reported on the value', () => {
  const r = check(header + '  - name: a\n    metric: cpu\n    op: "=>"\n    threshold: high\n    for: 5 min\n    severity: critcal\n    enabled: yes\n');
  assert.deepEqual(r.diagnostics.map((d) => ({ ...brief(d), message: d.message })), [
    { code: 'invalid-value', severity: 'error', line: 5, column: 9, endLine: 5, endColumn: 13, message: "op must be one of >, >=, <, <=, ==, !=, got '=>' (did you mean '>='?)" },
    { code: 'wrong-type', severity: 'error', line: 6, column: 16, endLine: 6, endColumn: 20, message: "threshold must be a number, got 'high'" },
    { code: 'invalid-duration', severity: 'error', line: 7, column: 10, endLine: 7, endColumn: 15, message: "for must be a duration such as 30s, 5m, 1h30m (units ms s m h d w y), got '5 min' (did you mean 5m?)" },
    { code: 'invalid-value', severity: 'error', line: 8, column: 15, endLine: 8, endColumn: 22, message: "severity must be one of critical, major, minor, warning, got 'critcal' (did you mean 'critical'?)" },
    { code: 'wrong-type', severity: 'error', line: 9, column: 14, endLine: 9, endColumn: 17, message: "enabled must be true or false, got 'yes'" },
  ]);
  assert.equal(r.rules, null);
});

test('an empty value is reported on its key', () => {
  const r = check(header + '  - name: a\n    metric: cpu\n    op: ">"\n    threshold:\n');
  assert.deepEqual(r.diagnostics.map(brief), [{ code: 'wrong-type', severity: 'error', line: 6, column: 5, endLine: 6, endColumn: 14 }]);
});

test('version must be the integer 1', () => {
  const r = check('version: 2\nrules: []\n');
  assert.deepEqual(r.diagnostics.map((d) => ({ ...brief(d), message: d.message })), [
    { code: 'invalid-value', severity: 'error', line: 1, column: 10, endLine: 1, endColumn: 11, message: 'version must be 1, got 2' },
  ]);
});

test('a bare > after op: is explained, with a fix that quotes it', () => {
  for (const op of ['>', '>=', '!=']) {
    const text = header + `  - name: a\n    metric: cpu\n    op: ${op}\n    threshold: 50\n`;
    const r = check(text);
    assert.deepEqual(r.diagnostics.map(brief), [{ code: 'unquoted-op', severity: 'error', line: 5, column: 9, endLine: 5, endColumn: 9 + op.length }], op);
    assert.deepEqual(check(applyEdits(text, r.diagnostics[0].fix?.edits ?? [])).diagnostics, [], op);
  }
});

test('a duplicate rule name is reported on the second name\'s value', () => {
  const rule = (name: string) => `  - name: ${name}\n    metric: cpu\n    op: ">"\n    threshold: 50\n`;
  const r = check(header + rule('a') + rule('a'));
  assert.deepEqual(r.diagnostics.map((d) => ({ ...brief(d), message: d.message })), [
    { code: 'duplicate-name', severity: 'error', line: 7, column: 11, endLine: 7, endColumn: 12, message: "duplicate rule name 'a' (first defined on line 3)" },
  ]);
});

test('a duplicate key in a mapping is an error on the second key', () => {
  const r = check(header + '  - name: a\n    metric: cpu\n    metric: memory\n    op: ">"\n    threshold: 50\n');
  assert.deepEqual(r.diagnostics.map(brief), [{ code: 'duplicate-key', severity: 'error', line: 5, column: 5, endLine: 5, endColumn: 11 }]);
});

test('a metric that is not a column of the data is an error with a did-you-mean fix', () => {
  const text = header + '  - name: a\n    metric: cpux\n    op: ">"\n    threshold: 50\n';
  const r = check(text);
  assert.deepEqual(r.diagnostics.map((d) => ({ ...brief(d), message: d.message })), [
    { code: 'unknown-metric', severity: 'error', line: 4, column: 13, endLine: 4, endColumn: 17, message: "metric 'cpux' is not a numeric column of stream.csv (did you mean 'cpu'?)" },
  ]);
  assert.deepEqual(check(applyEdits(text, r.diagnostics[0].fix?.edits ?? [])).diagnostics, []);
  assert.deepEqual(check(text, false).diagnostics, [], 'without data the metric cannot be checked');
});

test('the timestamp column is not a metric', () => {
  const r = check(header + '  - name: a\n    metric: timestamp\n    op: ">"\n    threshold: 50\n');
  assert.equal(r.diagnostics[0].message, "'timestamp' is the timestamp column of stream.csv, not a numeric metric");
});

test('detector metric lists are checked against the data too', () => {
  const r = check('version: 1\nrules: []\ndetectors:\n  iforest: {metrics: [cpu, memroy]}\n');
  assert.deepEqual(r.diagnostics.map(brief), [{ code: 'unknown-metric', severity: 'error', line: 4, column: 28, endLine: 4, endColumn: 34 }]);
});

test('for shorter than the data\'s step is a warning on the for value', () => {
  const r = check(header + '  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 50\n    for: 30s\n');
  assert.deepEqual(r.diagnostics.map((d) => ({ ...brief(d), message: d.message })), [
    { code: 'for-below-step', severity: 'warning', line: 7, column: 10, endLine: 7, endColumn: 13, message: "for: 30s is shorter than the data's step (1m in stream.csv): rule 'a' fires on the first matching row" },
  ]);
  assert.ok(r.rules, 'warnings do not make the file invalid');
});

test('a threshold outside the metric\'s range is a warning: never fires or always fires', () => {
  const rule = (name: string, op: string, t: number) => `  - name: ${name}\n    metric: cpu\n    op: "${op}"\n    threshold: ${t}\n`;
  const r = check(header + rule('never', '>', 95) + rule('always', '<', 100) + rule('fine', '>', 50) + rule('eq', '==', 7));
  assert.deepEqual(r.diagnostics.map((d) => ({ ...brief(d), message: d.message })), [
    { code: 'never-fires', severity: 'warning', line: 6, column: 16, endLine: 6, endColumn: 18, message: "rule 'never' never fires: cpu ranges from 10 to 95 in stream.csv, so cpu > 95 is never true" },
    { code: 'always-fires', severity: 'warning', line: 10, column: 16, endLine: 10, endColumn: 19, message: "rule 'always' always fires: cpu ranges from 10 to 95 in stream.csv, so cpu < 100 is always true" },
    { code: 'never-fires', severity: 'warning', line: 18, column: 16, endLine: 18, endColumn: 17, message: "rule 'eq' never fires: cpu ranges from 10 to 95 in stream.csv, so cpu == 7 is never true" },
  ]);
});

test('a disabled rule is a note on enabled', () => {
  const r = check(header + '  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 50\n    enabled: false\n');
  assert.deepEqual(r.diagnostics.map(brief), [{ code: 'rule-disabled', severity: 'info', line: 7, column: 14, endLine: 7, endColumn: 19 }]);
  assert.equal(r.rules?.rules[0].enabled, false);
});

test('an unknown template variable is a warning on the variable, with a fix', () => {
  const text = header + '  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 50\n    annotations:\n      summary: "{{ name }}: {{ vaule }} at {{ timestamp }}"\n';
  const r = check(text);
  assert.deepEqual(r.diagnostics.map((d) => ({ ...brief(d), message: d.message })), [
    { code: 'unknown-template-variable', severity: 'warning', line: 8, column: 29, endLine: 8, endColumn: 40, message: "unknown template variable 'vaule' (did you mean 'value'?)" },
  ]);
  assert.deepEqual(check(applyEdits(text, r.diagnostics[0].fix?.edits ?? [])).diagnostics, []);
});

test('contamination must be auto or a fraction: one message, not one per anyOf branch', () => {
  const r = check('version: 1\nrules: []\ndetectors:\n  iforest:\n    contamination: 0.9\n');
  assert.deepEqual(r.diagnostics.map((d) => ({ ...brief(d), message: d.message })), [
    { code: 'invalid-value', severity: 'error', line: 5, column: 20, endLine: 5, endColumn: 23, message: 'contamination must be auto or a number in (0, 0.5], got 0.9' },
  ]);
});

test('a YAML syntax error is reported where the parser stops, or at the unclosed bracket, quote or unquoted template that made it', () => {
  const stop = check('version: 1\nrules:\n  - name: a\n   metric: cpu\n');
  assert.equal(stop.diagnostics.length, 1);
  assert.equal(stop.diagnostics[0].code, 'yaml-syntax');
  assert.equal(stop.diagnostics[0].range.start.line, 4);
  assert.equal(stop.rules, null);
  const at = (text: string) => { const d = check(text).diagnostics; assert.equal(d.length, 1); assert.equal(d[0].code, 'yaml-syntax'); return `${d[0].range.start.line}:${d[0].range.start.column} ${d[0].message}`; };
  assert.equal(at('version: 1\nrules: [a, b\nx: 1\n'), '2:8 the flow list [ opened here is not closed (add the closing ]) (YAML: deficient indentation)');
  const rule = 'version: 1\nrules:\n  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 1\n';
  assert.equal(at(rule + '    labels: {team: db\n  - name: b\n'), '7:13 the flow map { opened here is not closed (add the closing }) (YAML: deficient indentation)');
  assert.equal(at(rule + '    summary: "cpu high\n  - name: b\n'), '7:14 the double-quoted value opened here is not closed (add the closing ") (YAML: deficient indentation)');
  assert.match(at(rule + '    summary: {{ value }} is high\n'), /^7:14 a value that starts with '\{' is read as a YAML flow map: quote a template \("\{\{ value \}\} is high"\) \(YAML: bad indentation of a mapping entry\)$/);
  // A quoted value or flow map of several lines that closes is not blamed for a later error.
  assert.equal(at(rule + '    summary: "cpu\n      high"\n    labels: {a: b,\n      c: d}\n   x: 1\n'), '11:4 bad indentation of a sequence entry');
  // Nor a block scalar's text, a quoted value's later lines, or an apostrophe inside a plain scalar of a flow map.
  const plain = (t: string) => at(t).replace(/^\d+:\d+ /, '');
  assert.doesNotMatch(plain(rule + '    summary: |\n      Note: "see runbook\n      more\n   x: 1\n'), /opened here/);
  assert.doesNotMatch(plain(rule + '    summary: "Instance {{ $labels.instance }}\n      note: \'x is down"\n   x: 1\n'), /opened here/);
  assert.doesNotMatch(plain(rule + "    labels: {owner: o'brien}\n   x: 1\n"), /opened here/);
});

test('an empty file is a warning (nothing to check, as promtool: a placeholder passes CI) with a fix that writes the skeleton', () => {
  const r = check('');
  assert.deepEqual(r.diagnostics.map(brief), [{ code: 'empty-file', severity: 'warning', line: 1, column: 1, endLine: 1, endColumn: 1 }]);
  assert.deepEqual(check('# just a comment\n\n').diagnostics.map(brief), [{ code: 'empty-file', severity: 'warning', line: 1, column: 1, endLine: 1, endColumn: 1 }]);
  assert.deepEqual(check(applyEdits('', r.diagnostics[0].fix?.edits ?? [])).diagnostics, []);
});

test('anchors and aliases are followed for validation', () => {
  const r = check('version: 1\nrules:\n  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 50\n    labels: &infra {team: infra}\n  - name: b\n    metric: memory\n    op: ">"\n    threshold: 50\n    labels: *infra\n');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.rules?.rules.map((x) => x.labels), [{ team: 'infra' }, { team: 'infra' }]);
});

test('formatDiagnostics prints SPEC §2 lines and a summary', () => {
  const r = check(header + '  - name: a\n    metric: cpux\n    op: ">"\n    threshold: 50\n    for: 30s\n');
  assert.equal(formatDiagnostics('rules.yaml', r.diagnostics),
    "rules.yaml:4:13: error: metric 'cpux' is not a numeric column of stream.csv (did you mean 'cpu'?) [unknown-metric]\n" +
    "rules.yaml:7:10: warning: for: 30s is shorter than the data's step (1m in stream.csv): rule 'a' fires on the first matching row [for-below-step]\n" +
    'rules.yaml: 1 error, 1 warning\n');
  assert.equal(formatDiagnostics('r.yaml', []), 'r.yaml: no problems\n');
});

test('alerts.webhook.format takes every format send knows, alertmanager-api included, and nothing else', () => {
  const rules = '  - name: hot\n    metric: cpu\n    op: ">"\n    threshold: 90\n';
  for (const format of ['zapier', 'slack', 'alertmanager', 'alertmanager-api']) {
    const r = check(`${header}${rules}alerts:\n  webhook: {format: ${format}}\n`);
    assert.deepEqual(r.diagnostics, [], format);
    assert.equal(r.rules?.alerts.webhook?.format, format);
  }
  assert.ok(check(`${header}${rules}alerts:\n  webhook: {format: teams}\n`).diagnostics.some((d) => d.severity === 'error'));
});

test('a rule on a label subset of a Grafana column is checked as evaluation reads it: no unknown-metric where the rule fires', () => {
  const csv = 'timestamp,"cpu_usage{instance=""web-1:9100"", job=""node""}"\n' + Array.from({ length: 12 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1) + i * M).toISOString()},${i >= 6 ? 95 : 40}`).join('\n') + '\n';
  const frame = parseCsv(csv).frame!;
  const grafana = dataContextOf(frame, 'grafana.csv');
  const native = `${header}  - name: cpu-high\n    metric: 'cpu_usage{instance="web-1:9100"}'\n    op: '>'\n    threshold: 90\n    severity: major\n`;
  const prom = 'groups:\n  - name: g\n    rules:\n      - alert: CpuHigh\n        expr: cpu_usage{instance="web-1:9100"} > 90\n';
  for (const text of [native, prom]) {
    const a = analyzeRules(text, { data: grafana });
    assert.deepEqual(a.diagnostics.map((d) => d.code), [], text);
    const rule = a.sites.find((s) => s.rule)!.rule!;
    assert.equal(evaluateRules([rule], frame).anomalies.length, 6, 'the rule fires on that column');
  }
  // The metric's hover names the series it reads.
  assert.match(hoverAt(native, native.indexOf('cpu_usage') + 2, grafana) ?? '', /1 series, the rule holds for each/);
  // A label value no series has is still unknown.
  const other = validateRules(prom.replace('web-1', 'web-2'), { data: grafana });
  assert.deepEqual(other.diagnostics.map((d) => [d.code, d.severity]), [['unknown-metric', 'warning']]);
});
