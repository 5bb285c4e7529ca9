import type { PromAlertRule } from '../promrules/ruleFile.ts';
import { exprType } from '../promrules/exprTypes.ts';
import type { Diagnostic, Rule, RulesFile } from './model.ts';
import { analyzeRules } from './validate.ts';
import { formatDuration } from './duration.ts';
import { QUERY_SYNTAX_CODE } from './prometheusChecks.ts';
import { templateActions } from './template.ts';
import { formatNumber } from '../format.ts';
import { LABEL_NAME, METRIC_NAME, labelText, seriesLabels } from '../prometheus/names.ts';
import { deref, getPair } from './yamlAst.ts';
import type { YNode } from './yamlAst.ts';

/**
 * Export of a rules file (SPEC §1) as a Prometheus rule file (SPEC §8): one group, one alerting rule per
 * enabled rule. Facts about the target format from the Prometheus documentation ("Alerting rules",
 * "Template reference", "Querying basics").
 */

/** Something of a rule that the Prometheus file cannot say; `dropped` when the rule is not in the output. */
export interface ExportProblem {
  rule: string;
  line: number;
  message: string;
  dropped: boolean;
}

/** The exported group, its YAML text and what could not be expressed. */
export interface PrometheusExport {
  group: { name: string; rules: PromAlertRule[] };
  text: string;
  problems: ExportProblem[];
  /** Rules left out on purpose (`enabled: false`). */
  disabled: string[];
}


/**
 * Whether an offset lies inside a `data:` mapping (a Prometheus source, SPEC §8). Its own checks belong to the
 * data-source loader; the export only reads its `queries`, so problems reported there do not stop it.
 */
export function insideDataSource(root: YNode | null, offset: number): boolean {
  const top = root && deref(root);
  if (!top || top.kind !== 'map') return false;
  const data = getPair(top, 'data');
  const v = data && deref(data.value);
  return !!v && v.kind === 'map' && offset >= data.key.start && offset <= v.end;
}

/** A PromQL number literal of a threshold (`+Inf`, `-Inf`, `NaN` as PromQL spells them). */
export function promNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  return String(x);
}

/**
 * A plain selector (`name`, `name{…}` or `{…}`) needs no parentheses before a comparison; anything else gets them. A
 * scalar query (`time()`, `scalar(…)`) is made a vector: Prometheus compares two scalars only with `bool`, and an
 * alert needs a vector.
 */
function operand(query: string): string {
  if (/^(?:[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^{}]*\})?|\{[^{}]*\})$/.test(query)) return query;
  const open = exprType(query) === 'scalar' ? 'vector(' : '(';
  // A `# comment` runs to the end of its line: the closing parenthesis goes on a line of its own, not into it.
  return query.includes('#') ? `${open}${query}\n)` : `${open}${query})`;
}

/**
 * Names PromQL's lexer does not read as a metric name where an expression starts (checked one by one with promtool
 * 2.42: `bool > 5` is "unexpected <bool>", `inf > 5` a comparison of two numbers), in any case: the keywords outside
 * Prometheus's metric_identifier rule and the number words. Its other keywords (`sum`, `by`, `and`, `offset`…) are
 * read as names there.
 */
const NOT_A_BARE_NAME = new Set(['atan2', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'inf', 'nan']);

/** A metric name as a PromQL selector: bare, or `{__name__="inf"}` where PromQL would read the bare name otherwise. */
export function metricSelector(name: string): string {
  return NOT_A_BARE_NAME.has(name.toLowerCase()) ? `{__name__=${JSON.stringify(name)}}` : name;
}

/**
 * Literal text for a Go template: `{{` would start an action, so it is written as an action printing it; so is a
 * last `{`, which the next piece (`{{ $value }}` after `{`, as `{{{ value }}}` is written) would make one.
 */
function goLiteral(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}').replace(/\{$/, '{{ "{" }}');
}

/** One of our variables in a Go template: Go's operand for it, its text written in, or why Prometheus cannot say it. */
function goVariable(name: string, rule: Rule): { go: string } | { text: string; number?: number } | { problem: string } {
  if (name.startsWith('labels.')) {
    const key = name.slice(7);
    // A rule label is written in (Prometheus's $labels are the series' labels); else the series label.
    if (Object.hasOwn(rule.labels, key)) return { text: rule.labels[key] };
    return LABEL_NAME.test(key) ? { go: `$labels.${key}` } : { problem: `'{{ ${name} }}' is not a Prometheus label name` };
  }
  switch (name) {
    case 'value': return { go: '$value' };
    case 'threshold': return { text: formatNumber(rule.threshold), number: rule.threshold };
    case 'name': case 'metric': case 'op': case 'severity': return { text: rule[name] };
    case 'timestamp': return { problem: "'timestamp' in a pipeline has no Prometheus counterpart; the action is left out" };
    case 'row': return { problem: `'{{ row }}' has no meaning in Prometheus (there are no rows); it is left out` };
    default: return { text: '' }; // Unknown variables render as '' in our engine too.
  }
}

/** The evaluation time: template functions `query` and `humanizeTimestamp` (Prometheus template reference). */
const EVAL_TIME_ACTION = '{{ with query "time()" }}{{ . | first | value | humanizeTimestamp }}{{ end }}';

/** A variable as an argument in a pipeline: a number as a float64 literal, as $value is (Go reads 90 as an int, which printf's %f refuses). */
function goArgument(v: { go: string } | { text: string; number?: number }): string {
  if ('go' in v) return v.go;
  if (v.number === undefined) return JSON.stringify(v.text);
  const n = promNumber(v.number);
  return Number.isFinite(v.number) ? n.replace(/^-?\d+$/, '$&.0') : JSON.stringify(n);
}

/** The rule's annotation (or label) template in Go template syntax; notes what cannot be said. */
function translateTemplate(template: string, rule: Rule, problems: string[]): string {
  let out = '';
  let last = 0;
  for (const a of templateActions(template)) {
    if ('error' in a) continue; // shown as written by our engine: part of the literal text
    out += goLiteral(template.slice(last, a.start));
    last = a.end;
    if ('pipeline' in a) {
      const parts: string[] = [];
      let problem = '';
      for (const c of a.pipeline) {
        const args = c.args.map((x) => {
          // A literal is Go's syntax as written (JSON.stringify cannot write an int literal, a bigint).
          if ('literal' in x) return x.text;
          if ('pipeline' in x) { problem ||= `'${x.text}': a parenthesized pipeline is not exported`; return ''; }
          const v = goVariable(x.variable.replace(/^[$.]/, ''), rule);
          if ('problem' in v) { problem ||= v.problem; return ''; }
          return goArgument(v);
        });
        parts.push([...(c.fn ? [c.fn] : []), ...args].join(' '));
      }
      if (problem) problems.push(problem);
      else out += `{{ ${parts.join(' | ')} }}`;
      continue;
    }
    if (a.variable === 'timestamp') { out += EVAL_TIME_ACTION; continue; }
    const v = goVariable(a.variable, rule);
    if ('problem' in v) problems.push(v.problem);
    else out += 'go' in v ? `{{ ${v.go} }}` : goLiteral(v.text);
  }
  return out + goLiteral(template.slice(last));
}

/**
 * One series of a query, as a source with several series names it (`load{instance="h0:9100"}`), as a selector: the
 * query's own when it is a plain one (`node_load1` or `node_load1{job="node"}`) with the series' labels added; else null.
 */
function seriesSelector(metric: string, queries: Record<string, string>): string | null {
  const open = metric.indexOf('{');
  const labels = labelText(seriesLabels(metric));
  if (open <= 0 || !labels || !Object.hasOwn(queries, metric.slice(0, open))) return null;
  const plain = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^{}]*)\})?$/.exec(queries[metric.slice(0, open)].trim());
  // Not a name PromQL reads as one (`inf`), or a comment among its matchers, which would swallow the labels added.
  if (!plain || metricSelector(plain[1]) !== plain[1] || /#/.test((plain[2] ?? '').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ''))) return null;
  return `${plain[1]}{${[plain[2]?.trim().replace(/,$/, ''), labels.slice(1, -1)].filter(Boolean).join(',')}}`;
}

function ruleOf(rule: Rule, queries: Record<string, string>, problems: ExportProblem[]): PromAlertRule | null {
  const report = (message: string, dropped: boolean): void => { problems.push({ rule: rule.name, line: rule.line, message, dropped }); };
  const query = Object.hasOwn(queries, rule.metric) ? queries[rule.metric] : seriesSelector(rule.metric, queries);
  if (query === null && !METRIC_NAME.test(rule.metric)) {
    // One series of a query that is no plain selector (`errs{job="api"}` of `errs: sum by (job) (…)`): its labels
    // cannot be added to the query, which is under data.queries already.
    const base = rule.metric.slice(0, Math.max(0, rule.metric.indexOf('{')));
    report(base && Object.hasOwn(queries, base)
      ? `metric '${rule.metric}' is one series of the query '${base}', which is not a plain series selector, so its labels cannot be added to it; give this series a query of its own under data.queries`
      : `metric '${rule.metric}' is not a Prometheus metric name; give its query under data.queries`, true);
    return null;
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(rule.labels)) {
    // `__name__` as an alert's label: promtool's `invalid label name: __name__`.
    if (!LABEL_NAME.test(k) || k === 'alertname' || k === '__name__') { report(`label '${k}' is not a Prometheus label name; it is left out`, false); continue; }
    Object.defineProperty(labels, k, { value: goLiteral(v), enumerable: true, writable: true, configurable: true });
  }
  // A `labels.severity` of the rule's own is kept as written (Alertmanager routes on it; check warns where it differs).
  if (!Object.hasOwn(labels, 'severity')) labels.severity = rule.severity;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(rule.annotations)) {
    if (!LABEL_NAME.test(k)) { report(`annotation '${k}' is not a Prometheus annotation name; it is left out`, false); continue; }
    const notes: string[] = [];
    Object.defineProperty(annotations, k, { value: translateTemplate(v, rule, notes), enumerable: true, writable: true, configurable: true });
    for (const n of notes) report(`annotation '${k}': ${n}`, false);
  }
  return {
    alert: rule.name,
    expr: `${operand(query ?? metricSelector(rule.metric))} ${rule.op} ${promNumber(rule.threshold)}`,
    forMs: rule.forMs,
    keepFiringForMs: rule.keepFiringForMs,
    labels,
    annotations,
  };
}

/** A YAML string: plain when that is unambiguous, else JSON-quoted (JSON strings are YAML double-quoted strings). */
function yamlString(s: string): string {
  // YAML 1.1 readers (Prometheus's) take y, n, yes, on… as booleans: those are quoted too.
  if (/^[A-Za-z_][A-Za-z0-9_.\-/ ]*$/.test(s) && !/ $/.test(s) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(s)) return s;
  return JSON.stringify(s);
}

function yamlMap(indent: string, key: string, map: Record<string, string>): string {
  const keys = Object.keys(map);
  if (keys.length === 0) return '';
  return `${indent}${key}:\n` + keys.map((k) => `${indent}  ${yamlString(k)}: ${yamlString(map[k])}\n`).join('');
}

/** The YAML text of a Prometheus rule file with one group. */
export function prometheusRuleFileText(group: { name: string; rules: PromAlertRule[] }, header = ''): string {
  let out = header + 'groups:\n' + `  - name: ${yamlString(group.name)}\n`;
  if (group.rules.length === 0) return out + '    rules: []\n';
  out += '    rules:\n';
  for (const r of group.rules) {
    out += `      - alert: ${yamlString(r.alert)}\n        expr: ${JSON.stringify(r.expr)}\n`;
    if (r.forMs > 0) out += `        for: ${formatDuration(r.forMs)}\n`;
    if (r.keepFiringForMs > 0) out += `        keep_firing_for: ${formatDuration(r.keepFiringForMs)}\n`;
    out += yamlMap('        ', 'labels', r.labels) + yamlMap('        ', 'annotations', r.annotations);
  }
  return out;
}

/**
 * The Prometheus rule file of a valid rules file: group `groupName` (the rules file's name), `expr` the metric's
 * query from `queries` (else the metric name) compared with the threshold; `for`, `keep_firing_for`; the rule's
 * labels plus `severity`; annotations translated. Disabled rules are left out and listed.
 */
export function exportPrometheus(file: RulesFile, queries: Record<string, string>, groupName: string, header = ''): PrometheusExport {
  const problems: ExportProblem[] = [];
  const disabled: string[] = [];
  const rules: PromAlertRule[] = [];
  for (const rule of file.rules) {
    if (!rule.enabled) { disabled.push(rule.name); continue; }
    const r = ruleOf(rule, queries, problems);
    if (r) rules.push(r);
  }
  const group = { name: groupName, rules };
  return { group, text: prometheusRuleFileText(group, header), problems, disabled };
}

/**
 * A rules file's text exported (SPEC §8), or its errors when it has some: what export-rules, the rule tests and the
 * editor's export all do. Errors inside a Prometheus `data:` source do not stop an export (it reads only the queries),
 * except a query PromQL cannot parse.
 * The queries are the rules file's own (`RulesFile.source`): metric name → PromQL.
 */
export function exportRulesText(text: string, groupName: string, header = ''): { errors: Diagnostic[]; export?: undefined } | { errors?: undefined; export: PrometheusExport; file: RulesFile } {
  const a = analyzeRules(text);
  // A query PromQL cannot parse would be written into an expr: that error stops the export too.
  const errors = a.diagnostics.filter((d) => d.severity === 'error' && (d.code === QUERY_SYNTAX_CODE || !insideDataSource(a.root, d.startOffset)));
  if (errors.length) return { errors };
  const queries: Record<string, string> = {};
  for (const q of a.file.source?.queries ?? []) Object.defineProperty(queries, q.name, { value: q.promql, enumerable: true, writable: true, configurable: true });
  return { export: exportPrometheus(a.file, queries, groupName, header), file: a.file };
}
