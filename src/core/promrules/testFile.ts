import { parseDuration } from '../rules/duration.ts';
import { didYouMean } from '../rules/suggest.ts';
import { deref, parseYamlAst } from '../rules/yamlAst.ts';
import { lineStarts, positionAt } from '../textPosition.ts';
import type { YMap, YNode, YScalar } from '../rules/yamlAst.ts';
import type { AlertOut } from './engine.ts';
import { expandValues, parseSeries } from './selector.ts';
import type { SeriesValue } from './selector.ts';

/**
 * A rule test file in promtool's format (Prometheus documentation, "Unit testing for rules"), read strictly
 * (an unknown key is an error, as promtool's strict YAML reading makes it), with source positions.
 */

/** A 1-based position in the test file. */
export interface Position { line: number; column: number }

/** One `alert_rule_test` case. */
export interface AlertCase {
  evalTimeMs: number;
  evalTimeText: string;
  alertname: string;
  expAlerts: AlertOut[];
  /** Where the case starts, and its `eval_time` value. */
  at: Position;
  evalTimeAt: Position;
}

/** One `input_series` entry, expanded. */
export interface InputSeries { labels: Record<string, string>; values: SeriesValue[]; at: Position }

/** One entry of `tests`. */
export interface TestGroup {
  name: string | null;
  intervalMs: number;
  series: InputSeries[];
  alertTests: AlertCase[];
  /** `promql_expr_test` cases: our engine does not run them (promtool does). */
  promqlTests: number;
  externalLabels: Record<string, string>;
  externalURL: string;
  at: Position;
}

/** A parsed test file. */
export interface TestFile {
  ruleFiles: { path: string; at: Position }[];
  evaluationIntervalMs: number;
  tests: TestGroup[];
  /** The file as plain data (for handing it to promtool with other rule_files). */
  plain: Record<string, unknown>;
}

/**
 * A problem in the test file, with its position; `others` are the problems after it found in the same reading
 * (every unknown key is said, as promtool lists all its unmarshal errors), in file order.
 */
export class TestFileError extends Error {
  constructor(message: string, readonly at: Position, readonly others: readonly { message: string; at: Position }[] = []) { super(message); }
}

/** The problems found, in file order, as one TestFileError. */
function errorOf(list: { message: string; at: Position }[]): TestFileError {
  const sorted = [...list].sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column);
  return new TestFileError(sorted[0].message, sorted[0].at, sorted.slice(1));
}

const TOP_KEYS = ['rule_files', 'evaluation_interval', 'group_eval_order', 'fuzzy_compare', 'tests'];
const GROUP_KEYS = ['interval', 'input_series', 'name', 'alert_rule_test', 'promql_expr_test', 'external_labels', 'external_url'];
const SERIES_KEYS = ['series', 'values'];
const CASE_KEYS = ['eval_time', 'alertname', 'exp_alerts'];
const ALERT_KEYS = ['exp_labels', 'exp_annotations'];

/** Reads a test file; throws TestFileError with the line and column of the first problem. */
export function parseTestFile(text: string): TestFile {
  const starts = lineStarts(text);
  const pos = (offset: number): Position => positionAt(starts, offset);
  // Unknown keys are collected and the reading goes on (the key is ignored); the first other problem ends it.
  const unknown: { message: string; at: Position }[] = [];
  const fail = (message: string, offset: number): never => { throw errorOf([...unknown, { message, at: pos(offset) }]); };
  const parsed = parseYamlAst(text);
  if (parsed.problems.length) fail(parsed.problems[0].message, parsed.problems[0].startOffset);
  const root = parsed.root ? deref(parsed.root) : null;
  if (!root || root.kind !== 'map') return fail('expected a mapping with rule_files and tests', 0);

  const map = (n: YNode, what: string, keys: readonly string[]): YMap => {
    const m = deref(n);
    if (m.kind !== 'map') return fail(`${what} must be a mapping`, n.start);
    const seen = new Set<string>();
    for (const p of m.pairs) {
      const k = p.key.kind === 'scalar' ? p.key.text : '';
      if (!keys.includes(k)) {
        const s = didYouMean(k, keys);
        unknown.push({ message: `unknown key '${k}' in ${what}${s ? ` (did you mean '${s}'?)` : ''}`, at: pos(p.key.start) });
        continue;
      }
      if (seen.has(k)) fail(`key '${k}' given twice`, p.key.start);
      seen.add(k);
    }
    return m;
  };
  const value = (m: YMap, key: string): YNode | undefined => {
    const p = m.pairs.find((q) => q.key.kind === 'scalar' && q.key.text === key);
    if (!p) return undefined;
    const v = deref(p.value);
    return v.kind === 'scalar' && v.value === null ? undefined : v;
  };
  const scalar = (n: YNode, what: string): YScalar => {
    if (n.kind !== 'scalar') return fail(`${what} must be a single value`, n.start);
    return n;
  };
  // promtool reads these fields as Go strings: the scalar's text, not the value YAML would type it as (values: 0x5 is
  // 0 repeated 5 more times, not 5; a label 0x10 is "0x10", not "16").
  const str = (n: YNode, what: string): string => scalar(n, what).text;
  const seq = (n: YNode | undefined, what: string): YNode[] => {
    if (!n) return [];
    if (n.kind !== 'seq') return fail(`${what} must be a list`, n.start);
    return n.items.map(deref);
  };
  const duration = (n: YNode, what: string): number => {
    const t = str(n, what);
    const ms = t === '0' ? 0 : parseDuration(t);
    if (!Number.isFinite(ms)) fail(`${what}: '${t}' is not a duration (such as 1m, 90s, 1h30m)`, n.start);
    return ms;
  };
  const stringMap = (n: YNode | undefined, what: string): Record<string, string> => {
    const out: Record<string, string> = {};
    if (!n) return out;
    const m = deref(n);
    if (m.kind !== 'map') return fail(`${what} must be a mapping`, n.start);
    for (const p of m.pairs) {
      const v = deref(p.value);
      const k = p.key.kind === 'scalar' ? p.key.text : fail(`${what}: keys must be names`, p.key.start);
      if (Object.hasOwn(out, k)) fail(`${what}: '${k}' given twice`, p.key.start);
      Object.defineProperty(out, k, { value: v.kind === 'scalar' && v.value !== null ? v.text : v.kind === 'scalar' ? '' : fail(`${what}.${k} must be a string`, v.start), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };

  const top = map(root, 'the test file', TOP_KEYS);
  const ruleFiles = seq(value(top, 'rule_files'), 'rule_files').map((n) => ({ path: str(n, 'a rule file'), at: pos(n.start) }));
  const ev = value(top, 'evaluation_interval');
  const evaluationIntervalMs = ev ? duration(ev, 'evaluation_interval') : 60_000;
  if (evaluationIntervalMs <= 0) fail('evaluation_interval must be more than 0', ev!.start);
  const tests: TestGroup[] = [];
  for (const g of seq(value(top, 'tests'), 'tests')) {
    const gm = map(g, 'a test group', GROUP_KEYS);
    const iv = value(gm, 'interval');
    const intervalMs = iv ? duration(iv, 'interval') : evaluationIntervalMs;
    if (intervalMs <= 0) fail('interval must be more than 0', iv!.start);
    const series: InputSeries[] = [];
    for (const s of seq(value(gm, 'input_series'), 'input_series')) {
      const sm = map(s, 'an input series', SERIES_KEYS);
      const sn = value(sm, 'series') ?? fail("an input series needs 'series'", s.start);
      const labels = parseSeries(str(sn, 'series'));
      if ('message' in labels && typeof labels.message === 'string' && typeof labels.offset === 'number') {
        fail(`series: ${labels.message}`, sn.start + labels.offset + (scalar(sn, 'series').style === 1 ? 0 : 1));
      }
      const vn = value(sm, 'values');
      const values = vn ? expandValues(str(vn, 'values')) : [];
      if (!Array.isArray(values)) return fail(`values: ${values.message}`, vn!.start + values.offset + (scalar(vn!, 'values').style === 1 ? 0 : 1));
      series.push({ labels: labels as Record<string, string>, values, at: pos(s.start) });
    }
    const alertTests: AlertCase[] = [];
    for (const c of seq(value(gm, 'alert_rule_test'), 'alert_rule_test')) {
      const cm = map(c, 'an alert_rule_test case', CASE_KEYS);
      const et = value(cm, 'eval_time');
      const evalTimeMs = et ? duration(et, 'eval_time') : 0;
      const an = value(cm, 'alertname');
      const alertname = an ? str(an, 'alertname') : '';
      const expAlerts: AlertOut[] = [];
      for (const a of seq(value(cm, 'exp_alerts'), 'exp_alerts')) {
        const am = map(a, 'an expected alert', ALERT_KEYS);
        expAlerts.push({ labels: stringMap(value(am, 'exp_labels'), 'exp_labels'), annotations: stringMap(value(am, 'exp_annotations'), 'exp_annotations') });
      }
      alertTests.push({ evalTimeMs, evalTimeText: et ? str(et, 'eval_time') : '0s', alertname, expAlerts, at: pos(c.start), evalTimeAt: pos((et ?? c).start) });
    }
    const nm = value(gm, 'name');
    const eu = value(gm, 'external_url');
    tests.push({
      name: nm ? str(nm, 'name') : null,
      intervalMs,
      series,
      alertTests,
      promqlTests: seq(value(gm, 'promql_expr_test'), 'promql_expr_test').length,
      externalLabels: stringMap(value(gm, 'external_labels'), 'external_labels'),
      externalURL: eu ? str(eu, 'external_url') : '',
      at: pos(g.start),
    });
  }
  if (unknown.length) throw errorOf(unknown);
  return { ruleFiles, evaluationIntervalMs, tests, plain: plainOf(root) as Record<string, unknown> };
}

/** Keys whose values promtool reads as Go strings (a list of them, or a mapping of label values, for the last ones). */
const TEXT_KEYS = new Set(['series', 'values', 'alertname', 'name', 'expr', 'labels', 'eval_time', 'interval', 'evaluation_interval',
  'external_url', 'rule_files', 'group_eval_order', 'exp_labels', 'exp_annotations', 'external_labels']);

/**
 * The file as JSON values, for promtool (`test --promtool`): a scalar promtool reads as a string is its text (`values:
 * 0x5` stays "0x5", not the number 5, which promtool would read as one sample of 5); the others keep their YAML type.
 */
function plainOf(n: YNode, text = false): unknown {
  const d = deref(n);
  if (d.kind === 'scalar') return text && d.value !== null ? d.text : d.value;
  if (d.kind === 'seq') return d.items.map((item) => plainOf(item, text));
  if (d.kind === 'map') {
    const out: Record<string, unknown> = {};
    for (const p of d.pairs) {
      const key = p.key.kind === 'scalar' ? p.key.text : '';
      Object.defineProperty(out, key, { value: plainOf(p.value, text || TEXT_KEYS.has(key)), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return null;
}
