/**
 * A Prometheus rule file read as rules on CSV data — the alert rules SRE teams keep in their repos
 * (`groups: [{name, rules: [{alert, expr, for, keep_firing_for, labels, annotations}]}]`) given to `analyze --rules`,
 * or opened in the editor under a rules-file name (`*.rules.yml`). An alerting rule whose expr is a series selector
 * compared with a number (`cpu > 90`, `node_load1{instance="a"} >= 4`) becomes a rule on that metric, with its
 * `for`, `keep_firing_for`, labels and annotations (Go templates, rendered as Prometheus does: goTemplate.ts); its
 * `severity` label sets the severity. Other rules (recording rules, rate(), aggregations, other matchers) need
 * PromQL over a TSDB: one note says how many and where the first is (`anomaly-hunter test --promtool` runs them).
 */
import type { Diagnostic, Rule, RulesFile } from '../rules/model.ts';
import type { Severity } from '../severity.ts';
import { emptyRulesFile } from '../rules/readRules.ts';
import type { RuleSite } from '../rules/readRules.ts';
import { DiagnosticSink } from '../rules/diagnostics.ts';
import { deref, mergedPairs, parseYamlAst } from '../rules/yamlAst.ts';
import type { YMap, YNode, YamlLimits, YamlParse } from '../rules/yamlAst.ts';
import { labelText } from '../prometheus/names.ts';
import { RuleFileError, prometheusRuleDocuments, prometheusRuleSpec, readPrometheusRules, valueOffsets } from './ruleFile.ts';
import { templatePipes } from './goTemplate.ts';
import { pipelineProblem } from '../rules/template.ts';
import { parseAlertExpr } from './selector.ts';

/**
 * Whether a rules text's top level is a Prometheus rule file's: `groups:` and no `version:`, or a kube-prometheus
 * `PrometheusRule` manifest (`kind: PrometheusRule`, its groups under `spec`).
 */
export function isPrometheusRuleFile(root: YNode | null): boolean {
  if (prometheusRuleSpec(root)) return true;
  const m = root ? deref(root) : null;
  if (!m || m.kind !== 'map') return false;
  const keys = m.pairs.map((p) => (p.key.kind === 'scalar' ? p.key.text : ''));
  return keys.includes('groups') && !keys.includes('version');
}

/** The same of a parsed YAML stream: its first document is one, or any document is a PrometheusRule manifest (Helm output). */
export function isPrometheusRuleStream(parsed: YamlParse): boolean {
  return isPrometheusRuleFile(parsed.root) || prometheusRuleDocuments(parsed.documents).length > 0;
}

/** The same of a file's text. */
export function isPrometheusRuleFileText(text: string, limits: YamlLimits = {}): boolean {
  return isPrometheusRuleStream(parseYamlAst(text, limits));
}

/** Severities by the `severity` label's usual values (Prometheus's own examples and the common mixins use critical, warning, info). */
const SEVERITY_LABELS: Record<string, Severity> = {
  critical: 'critical', page: 'critical', emergency: 'critical', fatal: 'critical',
  major: 'major', error: 'major', high: 'major',
  minor: 'minor', medium: 'minor', low: 'minor',
  warning: 'warning', warn: 'warning', info: 'warning', informational: 'warning', notice: 'warning', none: 'warning',
};

/** The metric (CSV column or series name) an expr's selector names, or why the expr is not one. */
function metricOf(expr: string): { metric: string; op: Rule['op']; threshold: number; thresholdAt: [number, number] } | string {
  const e = parseAlertExpr(expr);
  if (!e) return 'its expr is more than a series selector compared with a number';
  const name = e.matchers.find((m) => m.name === '__name__' && m.type === '=');
  if (!name) return 'its selector names no metric';
  const labels: Record<string, string> = {};
  for (const m of e.matchers) {
    if (m === name) continue;
    if (m.type !== '=') return `its matcher ${m.name}${m.type}"${m.value}" is not an equality`;
    labels[m.name] = m.value;
  }
  return { metric: name.value + labelText(labels), op: e.op, threshold: e.threshold, thresholdAt: e.thresholdAt };
}

/**
 * Where a piece of a rule's own `expr` value (value offsets [start, end)) is written in the file: the same occurrence
 * of the same text in the scalar's source, found when the source writes it as the value does (every occurrence of
 * the text in one is in the other: quotes, escapes, indentation and folded lines hold no number). Undefined for an
 * expr that comes from a merge key (its text is other rules' too) or that the source writes otherwise.
 */
function exprSpan(text: string, rule: YMap, start: number, end: number): [number, number] | undefined {
  const pair = rule.pairs.find((q) => q.key.kind === 'scalar' && q.key.text === 'expr');
  const v = pair ? deref(pair.value) : null;
  // An anchored or aliased expr is other rules' too: rewriting it would move their thresholds.
  if (v?.kind !== 'scalar' || typeof v.value !== 'string' || pair!.value.kind === 'alias' || v.anchor !== undefined) return undefined;
  const value = v.value, piece = value.slice(start, end), raw = text.slice(v.start, v.end);
  const all = (t: string): number[] => { const at: number[] = []; for (let i = t.indexOf(piece); i >= 0; i = t.indexOf(piece, i + 1)) at.push(i); return at; };
  const inValue = all(value), inRaw = all(raw);
  const k = inValue.indexOf(start);
  if (!piece || k < 0 || inValue.length !== inRaw.length) return undefined;
  return [v.start + inRaw[k], v.start + inRaw[k] + piece.length];
}

/** Prometheus's template variables that are always numbers. */
const promKind = (word: string): 'number' | null => (word === '$value' || word === '.Value' ? 'number' : null);

/**
 * The template-type warning of an alert's labels and annotations: an action that renders as Prometheus's
 * `<error expanding template: …>` whatever the data (`{{ humanize "abc" }}`, `{{ $value | toUpper }}`).
 */
function checkTemplates(rule: YMap, out: DiagnosticSink): void {
  for (const what of ['labels', 'annotations']) {
    const pair = mergedPairs(rule).pairs.find((q) => q.key.kind === 'scalar' && q.key.text === what);
    const m = pair && deref(pair.value);
    for (const p of m?.kind === 'map' ? mergedPairs(m).pairs : []) {
      const v = deref(p.value);
      if (v.kind !== 'scalar' || typeof v.value !== 'string') continue;
      const offset = valueOffsets(out.text, v, v.value);
      for (const pipe of templatePipes(v.value)) {
        const problem = pipelineProblem(pipe.pipeline, promKind);
        if (!problem) continue;
        const { start, written } = pipe.action;
        const s = offset(start);
        out.add('warning', 'semantic', 'template-type', `'${written}' renders as an error: ${problem.why}`, s, offset(start + written.length - 1) + 1);
      }
    }
  }
}

/** A rule of a Prometheus rule file that does not run on CSV data, and why. */
export interface SkippedRule { node: YMap; why: string }

/** The rules of a Prometheus rule file that run on CSV data, a site per rule, and what was left out. */
export function promRulesForCsv(text: string, lines: Int32Array, limits: YamlLimits & { parsed?: YamlParse } = {}): { file: RulesFile; sites: RuleSite[]; diagnostics: Diagnostic[]; skipped: SkippedRule[] } {
  const file = emptyRulesFile();
  const sites: RuleSite[] = [];
  const skipped: SkippedRule[] = [];
  const out = new DiagnosticSink(text, lines);
  let raw;
  const refuse = (e: RuleFileError): void => {
    const at = (lines[e.line - 1] ?? 0) + e.column - 1;
    // 'semantic': shown also where the YAML extension checks the schema (it cannot see these).
    out.add('error', 'semantic', 'prometheus-rule-file', `Prometheus rule file: ${e.message}`, at, at + 1);
  };
  try {
    const read = readPrometheusRules(text, limits);
    raw = read.rules;
    // What Prometheus refuses: each an error at its place; the rules are still checked and run, as a rules
    // file of ours with an error in one rule still shows the others.
    read.problems.forEach(refuse);
    for (const d of read.duplicates) {
      const at = (lines[d.line - 1] ?? 0) + d.column - 1;
      out.add('warning', 'semantic', 'duplicate-rule', d.message, at, at + 1);
    }
  } catch (e) {
    if (!(e instanceof RuleFileError)) throw e;
    refuse(e);
    return { file, sites, diagnostics: out.sorted(), skipped };
  }
  const left: string[] = [];
  const names = new Set<string>();
  let firstLeft = -1;
  for (const r of raw) {
    if (r.alert) checkTemplates(r.node, out);
    const why = r.alert ? metricOf(r.alert.expr) : null;
    if (!r.alert || why === null || typeof why === 'string') {
      left.push(r.alert ? r.alert.alert : r.record ?? '');
      skipped.push({ node: r.node, why: r.alert ? (typeof why === 'string' ? why : '') : 'it is a recording rule: it writes a series for other rules, it does not alert' });
      if (firstLeft < 0) firstLeft = r.node.start;
      continue;
    }
    const a = r.alert;
    const severity = SEVERITY_LABELS[(a.labels.severity ?? '').toLowerCase()] ?? file.defaults.severity;
    // Go templates as written: the rules engine renders them as Prometheus does (goTemplate.ts).
    const annotations: Record<string, string> = { ...a.annotations };
    // Mixins give one alert name to several rules (a warning and a critical threshold): each keeps its own name here.
    const name = names.has(a.alert) ? `${a.alert} (line ${r.line})` : a.alert;
    names.add(a.alert);
    const rule: Rule = {
      name, metric: why.metric, op: why.op, threshold: why.threshold, forMs: a.forMs, keepFiringForMs: a.keepFiringForMs,
      severity, enabled: true, labels: { ...a.labels }, annotations, line: r.line, promAlert: a.alert,
    };
    const at = exprSpan(text, r.node, ...why.thresholdAt);
    if (at) rule.thresholdSpan = at;
    sites.push({ index: file.rules.length, node: r.node, name, rule });
    file.rules.push(rule);
  }
  if (left.length) {
    const shown = left.slice(0, 3).map((n) => `'${n}'`).join(', ') + (left.length > 3 ? ` and ${left.length - 3} more` : '');
    const one = left.length === 1;
    const which = raw.length === 1 ? 'The one rule of this Prometheus rule file is' : `${left.length} of ${raw.length} rules of this Prometheus rule file ${one ? 'is' : 'are'}`;
    out.add('info', 'semantic', 'needs-promql', `${which} not evaluated on CSV data (${shown}): only an alert whose expr compares a metric (equality matchers only) with a number is. ${one ? 'Its' : 'Their'} PromQL syntax is only partly checked here (brackets, operators, token order, numbers, matchers, functions and types): \`promtool check rules\` checks it fully, and \`anomaly-hunter test --promtool\` runs them in their unit tests`, firstLeft, firstLeft + 1);
  }
  return { file, sites, diagnostics: out.sorted(), skipped };
}
