/**
 * "Write a test from this data" (issue 17): a rule's first firing on its CSV turned into a rule unit test in
 * promtool's format, so that a change to the rule that would change this history fails a test.
 *
 * The test holds the metric's rows around the firing as one input series (at the data's step), and three cases:
 * just before the rule fires, while it fires, and after it has ended. Their expected alerts are what Prometheus's
 * semantics give on that series (our promtool-compatible engine, src/core/promrules/engine.ts, proven equal to
 * `promtool test rules` by test/unit/promDiff.test.ts), so the file passes as written, in our runner and in promtool.
 */
import { isoOf as isoText } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import { seriesIndices } from '../csv/frame.ts';
import { formatDuration } from '../rules/duration.ts';
import { evaluateRules } from '../rules/evaluate.ts';
import { exportRulesText } from '../rules/prometheusExport.ts';
import type { AlertOut } from './engine.ts';
import { engineRuleOf } from './ruleFile.ts';
import { runTestFile } from './run.ts';
import { parseTestFile } from './testFile.ts';

/** Rows of data before a firing and after its end that the test keeps besides the rule's `for` and `keep_firing_for`. */
const MARGIN_ROWS = 10;
/** Most rows a written test holds (a long firing is cut: the test then ends while it still fires). */
const MAX_ROWS = 2000;

export type Backtest = { ok: true; text: string; rows: number } | { ok: false; reason: string };

/**
 * The test file for rule `ruleName` of the rules file `rulesText` on `frame` (its CSV, named `dataName` in the
 * file's comment); `rulesPath` is how the test file names the rules file (relative to the test file).
 */
export function backtest(rulesText: string, rulesPath: string, ruleName: string, frame: Frame, dataName: string): Backtest {
  const exported = exportRulesText(rulesText, 'backtest');
  if (exported.errors) return { ok: false, reason: `the rules file has errors (line ${exported.errors[0].range.start.line}: ${exported.errors[0].message})` };
  const rule = exported.file.rules.find((r) => r.name === ruleName);
  if (!rule) return { ok: false, reason: `no rule named '${ruleName}'` };
  const prom = exported.export.group.rules.find((r) => r.alert === ruleName);
  if (!prom) return { ok: false, reason: `rule '${ruleName}' cannot be written as a Prometheus rule: ${exported.export.problems.find((p) => p.rule === ruleName)?.message ?? 'it is disabled'}` };
  const engine = engineRuleOf(prom);
  if (typeof engine === 'string') return { ok: false, reason: `rule '${ruleName}': ${engine} (its query needs promtool and the real series)` };
  if (!frame.timestamps || !frame.stepMs) return { ok: false, reason: 'the data has no timestamps: a rule test needs the time between samples' };
  const cols = seriesIndices(frame, rule.metric);
  if (!cols.length) return { ok: false, reason: `the data has no column '${rule.metric}'` };
  if (cols.length > 1) return { ok: false, reason: `'${rule.metric}' has ${cols.length} series in the data: a rule test is written for one, so name it in full (${frame.metrics[cols[0]]})` };
  const col = cols[0];
  const firing = evaluateRules([rule], frame, { anomalies: false }).perRule[rule.name];
  if (!firing || firing.episodes === 0) return { ok: false, reason: `rule '${ruleName}' never fires in ${dataName}: there is no firing to test` };

  const step = frame.stepMs;
  const stepRows = (ms: number): number => Math.ceil(ms / step);
  const start = firing.ranges[0], end = firing.ranges[1];
  const from = Math.max(0, start - stepRows(rule.forMs) - MARGIN_ROWS);
  const to = Math.min(frame.rows - 1, end + stepRows(rule.keepFiringForMs) + MARGIN_ROWS, from + MAX_ROWS - 1);
  const values: string[] = [];
  for (let r = from; r <= to; r++) {
    const v = frame.values[col][r];
    values.push(Number.isFinite(v) ? String(v) : '_');
  }
  const at = (row: number): string => formatDuration(Math.max(0, row - from) * step) || '0s';
  const evalRows = [...new Set([start - 1, Math.min(end, start + 1), Math.min(to, end + stepRows(rule.keepFiringForMs) + 2)])].filter((r) => r >= from && r <= to);
  const head = [
    `# Written by Anomaly Hunter from ${dataName}, rows ${from + 1}–${to + 1} (${isoOf(frame.timestamps[from], frame.utcOffsetMs)} to ${isoOf(frame.timestamps[to], frame.utcOffsetMs)}):`,
    `# rule '${ruleName}' fires at ${isoOf(frame.timestamps[start], frame.utcOffsetMs)}. A change to the rule that changes what this history`,
    '# would have raised fails this test. The expected alerts are those Prometheus gives on this series.',
    `rule_files: [${JSON.stringify(rulesPath)}]`,
    `evaluation_interval: ${formatDuration(step)}`,
    'tests:',
    `  - interval: ${formatDuration(step)}`,
    '    input_series:',
    `      - series: ${JSON.stringify(rule.metric)}`,
    `        values: ${JSON.stringify(values.join(' '))}`,
    '    alert_rule_test:',
  ];
  const draft = [...head, ...evalRows.map((r) => `      - {eval_time: ${at(r)}, alertname: ${JSON.stringify(ruleName)}}`)].join('\n') + '\n';
  const result = runTestFile(parseTestFile(draft), [engine]);
  const cases = result.cases.map((c, k) => caseText(at(evalRows[k]), ruleName, c.got));
  const text = [...head, ...cases].join('\n') + '\n';
  // The file passes as written: a test of what it says.
  const check = runTestFile(parseTestFile(text), [engine]);
  if (result.errors.length || check.errors.length || !check.cases.every((c) => c.pass)) return { ok: false, reason: `rule '${ruleName}': the written test does not pass (${result.errors[0]?.message ?? check.errors[0]?.message ?? 'expected and got differ'})` };
  return { ok: true, text, rows: to - from + 1 };
}

function caseText(evalTime: string, alertname: string, alerts: readonly AlertOut[]): string {
  const lines = [`      - eval_time: ${evalTime}`, `        alertname: ${JSON.stringify(alertname)}`];
  if (!alerts.length) return [...lines, '        exp_alerts: []'].join('\n');
  lines.push('        exp_alerts:');
  for (const a of alerts) {
    // promtool adds alertname to the expected labels itself.
    const { alertname: _name, ...labels } = a.labels;
    lines.push(`          - exp_labels: ${mapText(labels)}`);
    if (Object.keys(a.annotations).length) lines.push(`            exp_annotations: ${mapText(a.annotations)}`);
  }
  return lines.join('\n');
}

/** A flow mapping with every key and value JSON-quoted (valid YAML whatever the text holds). */
function mapText(m: Readonly<Record<string, string>>): string {
  return `{${Object.keys(m).sort().map((k) => `${JSON.stringify(k)}: ${JSON.stringify(m[k])}`).join(', ')}}`;
}

function isoOf(ms: number, offsetMs = 0): string {
  return isoText(ms, offsetMs)!.replace(/\.000(Z|[+-])/, '$1');
}
