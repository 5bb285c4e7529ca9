// The checks of a rules file beyond its schema: YAML pitfalls, duplicate names, and the rules against the data.
import { checkSeverityLabel } from './severityLabel.ts';
import type { MetricStats } from '../stats.ts';
import { formatNumber } from '../format.ts';
import { getOwn } from '../own.ts';
import { isSeriesOf, seriesIn } from '../csv/frame.ts';
import { formatDuration } from './duration.ts';
import type { Rule, RuleOp, RulesDataContext } from './model.ts';
import type { DiagnosticSink } from './diagnostics.ts';
import { OPS, scalarAt } from './readRules.ts';
import type { RuleSite } from './readRules.ts';
import { didYouMean } from './suggest.ts';
import { TEMPLATE_VARIABLES, isTemplateVariable, pipelineProblem, templateActions } from './template.ts';
import { TEMPLATE_FUNCTIONS } from '../promrules/goPipeline.ts';
import { deref, getPair } from './yamlAst.ts';
import { positionAt } from '../textPosition.ts';
import type { YMap, YNode, YScalar } from './yamlAst.ts';

/** `op: >`, `op: >=`, `op: !=`: YAML indicators, not operators. Found on the raw lines, before YAML has its say. */
export function findUnquotedOps(text: string, out: DiagnosticSink): void {
  if (!/\bop:\s*[>|!]/.test(text)) return;
  const re = /^([ \t]*(?:-[ \t]+)?op:[ \t]*)([>|!][^\s#]*)/gm;
  for (const m of text.matchAll(re)) {
    const s = (m.index ?? 0) + m[1].length;
    const token = m[2];
    const op = token === '|' ? undefined : token;
    const valid = op !== undefined && OPS.includes(op as RuleOp);
    out.unquotedOpLines.add(positionAt(out.lines, s).line);
    out.add('error', 'yaml', 'unquoted-op',
      `op must be quoted: a bare ${token[0]} ${token[0] === '!' ? 'starts a YAML tag' : 'starts a YAML block scalar'} (write op: "${valid ? op : '>'}")`,
      s, s + token.length,
      valid ? { title: `Quote the operator: "${op}"`, edits: [{ startOffset: s, endOffset: s + token.length, newText: `"${op}"` }] } : undefined);
  }
}

/** Duplicate keys and non-scalar keys, which the plain-object view below would hide. */
export function checkKeys(root: YNode, out: DiagnosticSink): void {
  const stack: YNode[] = [root];
  while (stack.length) {
    const n = stack.pop() as YNode;
    if (n.kind === 'map') {
      const seen = new Map<string, YNode>();
      for (const p of n.pairs) {
        if (p.key.kind !== 'scalar') {
          out.add('error', 'yaml', 'complex-key', 'keys must be plain strings', p.key.start, p.key.end);
        } else if (seen.has(p.key.text)) {
          out.add('error', 'yaml', 'duplicate-key', `duplicate key '${p.key.text}'`, p.key.start, p.key.end);
        } else seen.set(p.key.text, p.key);
        stack.push(p.value);
      }
    } else if (n.kind === 'seq') for (const it of n.items) stack.push(it);
  }
}

/** Truth of `op` at the data's extremes decides whether a rule can never or will always fire. */
function thresholdVerdict(op: RuleOp, t: number, s: MetricStats): 'never' | 'always' | null {
  const { min, max } = s;
  switch (op) {
    case '>': return t >= max ? 'never' : t < min ? 'always' : null;
    case '>=': return t > max ? 'never' : t <= min ? 'always' : null;
    case '<': return t <= min ? 'never' : t > max ? 'always' : null;
    case '<=': return t < min ? 'never' : t >= max ? 'always' : null;
    case '==': return t < min || t > max ? 'never' : min === max ? 'always' : null;
    case '!=': return t < min || t > max ? 'always' : min === max ? 'never' : null;
  }
}

export function semanticChecks(root: YNode, sites: RuleSite[], out: DiagnosticSink, data: RulesDataContext | undefined): void {
  const firstByName = new Map<string, YScalar>();
  const lines = out.lines;
  for (const site of sites) {
    const m = site.node;
    const nameNode = scalarAt(m, 'name');
    if (nameNode && typeof nameNode.value === 'string' && nameNode.value) {
      const first = firstByName.get(nameNode.value);
      if (first) {
        out.add('error', 'semantic', 'duplicate-name', `duplicate rule name '${nameNode.value}' (first defined on line ${positionAt(lines, first.start).line})`, nameNode.start, nameNode.end);
      } else firstByName.set(nameNode.value, nameNode);
    }
    const label = site.name ? `rule '${site.name}'` : `rule #${site.index + 1}`;
    const metricNode = scalarAt(m, 'metric');
    if (data && metricNode && typeof metricNode.value === 'string' && metricNode.value) checkMetric(metricNode.value, metricNode, data, out, 'error', true);
    const enabledNode = scalarAt(m, 'enabled');
    if (enabledNode?.value === false) out.add('info', 'semantic', 'rule-disabled', `${label} is disabled (enabled: false): it is not evaluated`, enabledNode.start, enabledNode.end);
    const rule = site.rule;
    checkSeverityLabel(m, rule?.severity, out);
    if (!data || !rule) { checkTemplates(m, out); continue; }
    const forNode = scalarAt(m, 'for') ?? scalarAt(deref(getPair(deref(root) as YMap, 'defaults')?.value ?? m) as YMap, 'for');
    if (forNode) checkFor(rule, label, forNode, data, out);
    const thrNode = scalarAt(m, 'threshold');
    if (thrNode) checkThreshold(rule, label, thrNode, data, out);
    checkTemplates(m, out);
  }
  if (data) {
    const top = deref(root);
    const det = top.kind === 'map' ? getPair(top, 'detectors') : undefined;
    const dm = det ? deref(det.value) : undefined;
    if (dm?.kind === 'map') {
      for (const p of dm.pairs) {
        const d = deref(p.value);
        if (d.kind !== 'map') continue;
        const metrics = getPair(d, 'metrics');
        const list = metrics ? deref(metrics.value) : undefined;
        if (list?.kind !== 'seq') continue;
        for (const it of list.items) {
          const s = deref(it);
          if (s.kind === 'scalar' && typeof s.value === 'string' && s.value) checkMetric(s.value, s, data, out, 'error', true);
        }
      }
    }
  }
}

/**
 * A Prometheus rule file's rules against the data: the metric each expr names (a warning: the file also serves a
 * Prometheus whose series the CSV need not all hold), a `for` shorter than the step, a threshold never or always
 * crossed. `expr` and `for` are where each rule wrote them (its start when merged in).
 */
export function promDataChecks(sites: readonly RuleSite[], out: DiagnosticSink, data: RulesDataContext): void {
  for (const site of sites) {
    const rule = site.rule;
    if (!rule) continue;
    const at = (key: string): Span => { const p = getPair(site.node, key); return p ? deref(p.value) : site.node; };
    const label = `rule '${site.name}'`;
    const known = checkMetric(rule.metric, at('expr'), data, out, 'warning', false);
    if (rule.forMs > 0) checkFor(rule, label, at('for'), data, out);
    if (known) checkThreshold(rule, label, at('expr'), data, out);
  }
}

/** Where a diagnostic goes in the text. */
interface Span { start: number; end: number }

function checkFor(rule: Rule, label: string, span: Span, data: RulesDataContext, out: DiagnosticSink): void {
  if (!data.stepMs || rule.forMs <= 0 || rule.forMs >= data.stepMs) return;
  out.add('warning', 'semantic', 'for-below-step', `for: ${formatDuration(rule.forMs)} is shorter than the data's step (${formatDuration(data.stepMs)} in ${data.name}): ${label} fires on the first matching row`, span.start, span.end);
}

function checkThreshold(rule: Rule, label: string, span: Span, data: RulesDataContext, out: DiagnosticSink): void {
  const stats = getOwn(data.stats, rule.metric);
  if (!stats || stats.count === 0) return;
  const verdict = thresholdVerdict(rule.op, rule.threshold, stats);
  if (!verdict) return;
  const range = `${rule.metric} ranges from ${formatNumber(stats.min, 4)} to ${formatNumber(stats.max, 4)} in ${data.name}`;
  out.add('warning', 'semantic', verdict === 'never' ? 'never-fires' : 'always-fires',
    `${label} ${verdict === 'never' ? 'never fires' : 'always fires'}: ${range}, so ${rule.metric} ${rule.op} ${formatNumber(rule.threshold, 4)} is ${verdict === 'never' ? 'never' : 'always'} true`,
    span.start, span.end);
}

/** Whether `name` is a metric of the data; if not, the unknown-metric diagnostic at `span` (with a fix replacing it when `fixable`). */
function checkMetric(name: string, span: Span, data: RulesDataContext, out: DiagnosticSink, severity: 'error' | 'warning', fixable: boolean): boolean {
  const node = span;
  if (data.metrics.includes(name)) return true;
  if (data.queryNames) {
    // One series of a query with several: NAME{label="value",…}.
    if (data.metrics.some((q) => isSeriesOf(name, q))) return true;
    const suggestion = didYouMean(name, data.metrics);
    const message = `metric '${name}' is not the name of a query in data.queries` + (suggestion ? ` (did you mean '${suggestion}'?)` : `; its queries: ${data.metrics.slice(0, 12).join(', ')}`);
    out.add(severity, 'semantic', 'unknown-metric', message, node.start, node.end, suggestion && fixable ? { title: `Change to '${suggestion}'`, edits: [{ startOffset: node.start, endOffset: node.end, newText: suggestion }] } : undefined);
    return false;
  }
  // The columns the rule reads, matched as evaluation matches them (seriesIn): a metric of several series (a long
  // CSV's) holds per series, as PromQL's `cpu > 90` does, and `cpu{instance="a"}` reads the series whose labels hold these.
  if (seriesIn(data.metrics, name).length) return true;
  if (data.timestampColumn && name === data.timestampColumn) {
    out.add(severity, 'semantic', 'unknown-metric', `'${name}' is the timestamp column of ${data.name}, not a numeric metric`, node.start, node.end);
    return false;
  }
  const suggestion = didYouMean(name, data.metrics);
  const message = `metric '${name}' is not a numeric column of ${data.name}` + (suggestion ? ` (did you mean '${suggestion}'?)` : data.metrics.length ? `; its metrics: ${data.metrics.slice(0, 12).join(', ')}` : '');
  const fix = suggestion && fixable ? { title: `Change to '${suggestion}'`, edits: [{ startOffset: node.start, endOffset: node.end, newText: suggestion }] } : undefined;
  out.add(severity, 'semantic', 'unknown-metric', message, node.start, node.end, fix);
  return false;
}

function checkTemplates(m: YMap, out: DiagnosticSink): void {
  const ann = getPair(m, 'annotations');
  const am = ann ? deref(ann.value) : undefined;
  if (am?.kind !== 'map') return;
  const text = out.text;
  for (const p of am.pairs) {
    const v = p.value;
    if (v.kind !== 'scalar' || v.empty) continue;
    // Offsets come from the raw source so they stay exact; templates rarely contain escapes.
    const raw = text.slice(v.start, v.end);
    for (const at of templateActions(raw)) {
      const s = v.start + at.start;
      const e = v.start + at.end;
      const written = raw.slice(at.start, at.end);
      // In a double-quoted scalar the source escapes a pipeline's quotes (`printf \"%.1f\" value`): the value is what runs.
      const a = v.style === 3 && 'error' in at ? templateActions(written.replace(/\\(["\\])/g, '$1'))[0] ?? at : at;
      if ('error' in a) {
        const suggestion = a.word ? didYouMean(a.word, [...Object.keys(TEMPLATE_FUNCTIONS), ...TEMPLATE_VARIABLES]) : undefined;
        out.add('warning', 'semantic', 'template-action',
          `'${written}' is shown as written: ${a.error}` + (suggestion ? ` (did you mean '${suggestion}'?)` : a.word ? `; the functions: ${Object.keys(TEMPLATE_FUNCTIONS).join(', ')}` : ''),
          s, e);
        continue;
      }
      const problem = 'pipeline' in a ? pipelineProblem(a.pipeline) : null;
      if (problem) {
        out.add('warning', 'semantic', 'template-type', `'${written}' renders as an error: ${problem.why}`, s, e,
          problem.fix ? { title: `Change to '${problem.fix}'`, edits: [{ startOffset: s, endOffset: e, newText: problem.fix }] } : undefined);
      }
      for (const name of 'variable' in a ? [a.variable] : a.variables) {
        if (isTemplateVariable(name)) continue;
        const suggestion = didYouMean(name, TEMPLATE_VARIABLES);
        const simple = 'variable' in a;
        out.add('warning', 'semantic', 'unknown-template-variable',
          `unknown template variable '${name}'` + (suggestion ? ` (did you mean '${suggestion}'?)` : `; known: ${TEMPLATE_VARIABLES.join(', ')}, labels.KEY`),
          s, e,
          suggestion && simple ? { title: `Change to '${suggestion}'`, edits: [{ startOffset: s, endOffset: e, newText: `{{ ${suggestion} }}` }] } : undefined);
      }
    }
  }
}
