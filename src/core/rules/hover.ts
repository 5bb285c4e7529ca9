/**
 * Hovers in a rules file: a key's description, a metric's statistics in the CSV beside, a duration in rows, where
 * a rule fires. In a Prometheus rule file or a PrometheusRule manifest, Prometheus's keys and its rules that run on
 * the CSV data.
 */
import { isPrometheusRuleFile, isPrometheusRuleStream, promRulesForCsv } from '../promrules/csvRules.ts';
import { prometheusRuleSpec } from '../promrules/ruleFile.ts';
import { isoOf } from '../anomaly.ts';
import { seriesIn } from '../csv/frame.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { evaluateRules } from './evaluate.ts';
import type { Rule, RulesDataContext } from './model.ts';
import { resolveRef, schemaAt } from './schema.ts';
import type { SchemaNode } from './schema.ts';
import { formatNumber } from '../format.ts';
import { analyzeRules } from './validate.ts';
import { deref, getPair, parseYamlAst } from './yamlAst.ts';
import { lineStarts } from '../textPosition.ts';
import type { YNode, YScalar } from './yamlAst.ts';
import { getOwn } from '../own.ts';
import { codeSpan, escapeInline, shortTime, zoneLabel } from '../findings.ts';

type Hit = { path: (string | number)[]; node: YNode; key: YScalar | null; onKey: boolean };

/** The innermost node under an offset, with its path from the root (keys and item indexes). */
function nodeAt(root: YNode, offset: number): Hit | null {
  let node = root;
  const path: (string | number)[] = [];
  let key: YScalar | null = null;
  for (let depth = 0; depth < 200; depth++) {
    const n = deref(node);
    let next: YNode | null = null;
    if (n.kind === 'map') {
      for (const p of n.pairs) {
        if (p.key.kind === 'scalar' && offset >= p.key.start && offset <= p.key.end) {
          return { path: [...path, p.key.text], node: p.value, key: p.key, onKey: true };
        }
        if (offset >= p.value.start && offset <= p.value.end && !(p.value.kind === 'scalar' && p.value.empty)) {
          path.push(p.key.kind === 'scalar' ? p.key.text : '?');
          key = p.key.kind === 'scalar' ? p.key : null;
          next = p.value;
          break;
        }
      }
    } else if (n.kind === 'seq') {
      const i = n.items.findIndex((it) => offset >= it.start && offset <= it.end);
      if (i >= 0) { path.push(i); key = null; next = n.items[i]; }
    }
    if (!next) return path.length ? { path, node: n, key, onKey: false } : null;
    node = next;
  }
  return null;
}

function describe(schema: SchemaNode | undefined): string | null {
  if (!schema) return null;
  const s = resolveRef(schema);
  const text = s.markdownDescription ?? s.description;
  if (!text) return null;
  const allowed = s.enum ? `\n\nOne of: ${s.enum.map((v) => `\`${String(v)}\``).join(' ')}` : '';
  return text + allowed;
}

function stepWords(ms: number | null): string {
  return ms ? formatDuration(ms) : 'unknown';
}

/** Markdown hover at an offset: a key's schema description, a metric's statistics, a rule's firings; null when nothing applies. */
export function hoverAt(text: string, offset: number, ctx?: RulesDataContext): string | null {
  const parsed = parseYamlAst(text);
  if (!parsed.root) return null;
  // A Prometheus rule file (`groups:`) or a PrometheusRule manifest is not our format: Prometheus's keys and its
  // rules on the data; in a manifest, those of the document under the pointer, read from its `spec`.
  if (isPrometheusRuleStream(parsed)) {
    if (isPrometheusRuleFile(parsed.root) && !prometheusRuleSpec(parsed.root)) return promHover(text, parsed.root, offset, ctx);
    const doc = parsed.documents.find((d) => d && offset >= d.start && offset <= d.end) ?? null;
    const spec = prometheusRuleSpec(doc);
    if (!doc || !spec) return null;
    return promHover(text, spec, offset, ctx) ?? manifestHover(doc, offset);
  }
  const hit = nodeAt(parsed.root, offset);
  if (!hit) return null;
  const last = hit.path[hit.path.length - 1];
  if (hit.onKey) {
    const doc = describe(schemaAt(hit.path));
    return doc ? `**${String(last)}** — ${doc}` : null;
  }
  const node = deref(hit.node);
  const parentKey = hit.path[hit.path.length - 2];
  const isMetric = (last === 'metric' && hit.path[0] === 'rules') || (typeof last === 'number' && parentKey === 'metrics' && hit.path[0] === 'detectors');
  if (isMetric && node.kind === 'scalar' && ctx) return metricHover(node.text, ctx);
  if (last === 'name' && hit.path[0] === 'rules' && typeof hit.path[1] === 'number' && node.kind === 'scalar') return ruleHover(text, hit.path[1], node.text, ctx);
  if (node.kind === 'scalar') { const d = durationHover(node, ctx, describe(schemaAt(hit.path))); if (d) return d; }
  const doc = describe(schemaAt(hit.path));
  return doc ? `**${String(last)}** — ${doc}` : null;
}

/** A duration's length, in rows of the CSV beside when there is one. */
function durationHover(node: YScalar, ctx: RulesDataContext | undefined, doc: string | null): string | null {
  if (typeof node.value !== 'string' || !/^([0-9]+(ms|s|m|h|d|w|y))+$/.test(node.value)) return null;
  const ms = parseDuration(node.value);
  if (Number.isNaN(ms)) return null; // past what Prometheus holds: check says so
  const rows = ctx?.stepMs ? ` — ${formatNumber(ms / ctx.stepMs)} rows at the ${stepWords(ctx.stepMs)} step of ${escapeInline(ctx.name)}` : '';
  return `**${node.value}** = ${formatNumber(ms / 1000)} s${rows}\n\n${doc ?? ''}`.trim();
}

/** The keys of a Prometheus rule file's rule and group (Prometheus docs, "Alerting rules" and "Recording rules"). */
const PROM_RULE_KEYS: Record<string, string> = {
  alert: 'the name of the alert.',
  record: 'the name of the series a recording rule writes.',
  expr: 'the PromQL expression evaluated at every evaluation; each series it returns is a pending or firing alert. Here one that compares a metric with a number runs on the CSV.',
  for: 'an alert fires once its expression has returned it for this long; until then it is pending (default 0s).',
  keep_firing_for: 'how long an alert keeps firing after its condition has cleared (default 0s).',
  labels: 'labels added to or replacing the series\' labels of each alert; a `severity` label sets the severity here.',
  annotations: 'informational labels of each alert, templated (`{{ $value | humanize }}`, `{{ $labels.host }}`).',
};
const PROM_GROUP_KEYS: Record<string, string> = {
  name: 'the name of the group, unique in the file.',
  interval: 'how often the group\'s rules are evaluated (default: the global evaluation_interval).',
  limit: 'how many alerts or series a rule may produce at most (0: no limit).',
  query_offset: 'how far back in time the rules are evaluated (Prometheus 3).',
  labels: 'labels given to every rule of the group (Prometheus 3); a rule\'s own take precedence.',
  rules: 'the alerting and recording rules of the group.',
};

/** The top-level keys of a kube-prometheus `PrometheusRule` manifest (Prometheus Operator API reference). */
const MANIFEST_KEYS: Record<string, string> = {
  apiVersion: '`monitoring.coreos.com/v1`, the Prometheus Operator\'s API group.',
  kind: '`PrometheusRule`: the Prometheus Operator loads `spec.groups` into the Prometheus servers whose `ruleSelector` matches this object\'s labels.',
  metadata: 'the object\'s name, namespace and labels; the labels decide which Prometheus servers load its rules.',
  spec: 'the rule file itself: its `groups`, as in a Prometheus rule file.',
};

function manifestHover(doc: YNode, offset: number): string | null {
  const hit = nodeAt(doc, offset);
  if (!hit?.onKey || hit.path.length !== 1) return null;
  const key = String(hit.path[0]);
  const text = getOwn(MANIFEST_KEYS, key);
  return text ? `**${key}** — ${text}` : null;
}

function promHover(text: string, root: YNode, offset: number, ctx?: RulesDataContext): string | null {
  const hit = nodeAt(root, offset);
  if (!hit) return null;
  const p = hit.path;
  const last = p[p.length - 1];
  const inRule = p.length === 5 && p[0] === 'groups' && p[2] === 'rules' && typeof p[3] === 'number';
  if (hit.onKey) {
    const doc = inRule ? getOwn(PROM_RULE_KEYS, String(last)) : p.length === 3 && p[0] === 'groups' ? getOwn(PROM_GROUP_KEYS, String(last)) : p.length === 1 && last === 'groups' ? 'the rule groups of this Prometheus rule file.' : undefined;
    return doc ? `**${String(last)}** — ${doc}` : null;
  }
  const node = deref(hit.node);
  if (node.kind !== 'scalar') return null;
  if (inRule && (last === 'for' || last === 'keep_firing_for')) return durationHover(node, ctx, getOwn(PROM_RULE_KEYS, last) ?? null);
  if (!inRule || (last !== 'alert' && last !== 'expr' && last !== 'record')) return null;
  const read = promRulesForCsv(text, lineStarts(text));
  const inside = (n: YNode) => offset >= n.start && offset <= n.end;
  const site = read.sites.find((s) => inside(s.node));
  if (site?.rule) return ctx?.frame ? firingHover(site.rule, ctx) : `**${escapeInline(site.rule.name)}** runs on CSV data as ${codeSpan(`${site.rule.metric} ${site.rule.op} ${formatNumber(site.rule.threshold)}`)}: open a CSV beside this file to see where it fires`;
  const skipped = read.skipped.find((s) => inside(s.node));
  if (!skipped) return null;
  // The rule by its name (an expr may span lines, and a line of it starting with `#` or `-` would be Markdown).
  const named = deref((getPair(skipped.node, 'alert') ?? getPair(skipped.node, 'record'))?.value ?? node);
  const name = named.kind === 'scalar' ? named.text : node.text;
  return `**${escapeInline(name.replace(/\s+/g, ' ').trim())}** does not run on CSV data: ${escapeInline(skipped.why)} — \`anomaly-hunter test --promtool\` runs it in its unit tests`;
}

/** The first names of a list, then how many more (a CSV may have 10,000 columns). */
function listOf(names: readonly string[], max = 30): string {
  return names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
}

function metricHover(name: string, ctx: RulesDataContext): string {
  const s = getOwn(ctx.stats, name);
  // Names come from the YAML and the CSV: escaped, so they render as text (never as links or images).
  const n = escapeInline(name), file = escapeInline(ctx.name);
  const series = s ? [] : seriesIn(ctx.metrics, name).map((i) => ctx.metrics[i]);
  if (series.length) return `**${n}** in ${file}: ${series.length} series, the rule holds for each — ${escapeInline(listOf(series, 10))}`;
  if (!s) return `**${n}** is not a numeric column of ${file}. Its metrics: ${escapeInline(listOf(ctx.metrics))}`;
  if (!s.count) return `**${n}** in ${file}: no values`;
  return `**${n}** in ${file}\n\nmin ${formatNumber(s.min)} · median ${formatNumber(s.median)} · max ${formatNumber(s.max)} · step ${stepWords(ctx.stepMs)} · ${s.count.toLocaleString('en')} values`;
}

function ruleHover(text: string, index: number, name: string, ctx?: RulesDataContext): string | null {
  const schemaDoc = describe(schemaAt(['rules', index, 'name']));
  if (!ctx?.frame) return schemaDoc ? `**name** — ${schemaDoc}` : null;
  const a = analyzeRules(text, { data: ctx });
  const site = a.sites.find((s) => s.index === index);
  const n = escapeInline(name), file = escapeInline(ctx.name);
  if (!site?.rule) return `**${n}**: fix this rule's errors to see how often it fires in ${file}`;
  return firingHover(site.rule, ctx);
}

/** Where a rule fires in the CSV of `ctx` (which has a frame). */
function firingHover(rule: Rule, ctx: RulesDataContext): string {
  const n = escapeInline(rule.name), file = escapeInline(ctx.name);
  const frame = ctx.frame!;
  const f = getOwn(evaluateRules([{ ...rule, enabled: true }], frame, { anomalies: false }).perRule, rule.name);
  const when = (row: number | null) => {
    if (row === null) return '';
    const iso = isoOf(frame.timestamps?.[row], frame.utcOffsetMs);
    return iso === null ? `row ${row}` : `${shortTime(iso)} ${zoneLabel(iso)}`;
  };
  const disabled = rule.enabled ? '' : ' (if enabled: it is disabled)';
  if (!f || f.fires === 0) return `**${n}** never fires in ${file}${disabled}`;
  return `**${n}** fires on ${f.fires} row${f.fires === 1 ? '' : 's'} in ${f.episodes} episode${f.episodes === 1 ? '' : 's'} in ${file}${disabled}\n\nfirst at ${when(f.firstRow)} · last at ${when(f.lastRow)}`;
}
