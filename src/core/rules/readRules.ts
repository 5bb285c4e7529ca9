// Reading a rules file's tree into a RulesFile: every valid rule with the defaults applied.
import type { Severity } from '../severity.ts';
import { parseDuration } from './duration.ts';
import { prometheusSourceOf } from './dataSource.ts';
import type { ForecastSettings, IforestSettings, Rule, RuleOp, RulesFile, WebhookSettings } from './model.ts';
import { deref, getPair } from './yamlAst.ts';
import { positionAt } from '../textPosition.ts';
import type { YMap, YNode, YScalar } from './yamlAst.ts';

export const OPS: readonly RuleOp[] = ['>', '>=', '<', '<=', '==', '!='];

/** One rule item of the file with its source nodes; `rule` is null when the item is not a valid rule. */
export interface RuleSite {
  index: number;
  node: YMap;
  name: string | null;
  rule: Rule | null;
}

export function emptyRulesFile(): RulesFile {
  return { version: 1, data: null, defaults: { severity: 'warning', forMs: 0, keepFiringForMs: 0 }, rules: [], detectors: {}, alerts: {} };
}

export function scalarAt(map: YMap, key: string): YScalar | undefined {
  const p = getPair(map, key);
  if (!p) return undefined;
  const v = deref(p.value);
  return v.kind === 'scalar' ? v : undefined;
}

function stringMap(map: YMap, key: string): Record<string, string> {
  const p = getPair(map, key);
  const out: Record<string, string> = {};
  const v = p ? deref(p.value) : undefined;
  if (v?.kind !== 'map') return out;
  for (const q of v.pairs) {
    const val = deref(q.value);
    if (q.key.kind === 'scalar' && val.kind === 'scalar' && typeof val.value === 'string' && q.key.text !== '__proto__') out[q.key.text] = val.value;
  }
  return out;
}

function isSeverity(v: unknown): v is Severity {
  return v === 'critical' || v === 'major' || v === 'minor' || v === 'warning';
}

function durationOf(s: YScalar | undefined): number | undefined {
  if (!s || typeof s.value !== 'string') return undefined;
  const ms = parseDuration(s.value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The best-effort file: every valid rule with defaults applied, settings blocks as written. */
export function buildFile(root: YNode, lines: Int32Array): { file: RulesFile; sites: RuleSite[] } {
  const file = emptyRulesFile();
  const sites: RuleSite[] = [];
  const top = deref(root);
  if (top.kind !== 'map') return { file, sites };
  const data = scalarAt(top, 'data');
  if (data && typeof data.value === 'string' && data.value) file.data = data.value;
  else file.source = prometheusSourceOf(top);
  const defaults = getPair(top, 'defaults');
  const dm = defaults ? deref(defaults.value) : undefined;
  if (dm?.kind === 'map') {
    const sev = scalarAt(dm, 'severity')?.value;
    if (isSeverity(sev)) file.defaults.severity = sev;
    file.defaults.forMs = durationOf(scalarAt(dm, 'for')) ?? 0;
    file.defaults.keepFiringForMs = durationOf(scalarAt(dm, 'keep_firing_for')) ?? 0;
  }
  const rules = getPair(top, 'rules');
  const seq = rules ? deref(rules.value) : undefined;
  if (seq?.kind === 'seq') {
    seq.items.forEach((item, index) => {
      const m = deref(item);
      if (m.kind !== 'map') return;
      const name = scalarAt(m, 'name');
      const site: RuleSite = { index, node: m, name: name && typeof name.value === 'string' ? name.value : name ? name.text : null, rule: ruleOf(m, file, lines) };
      sites.push(site);
      if (site.rule) file.rules.push(site.rule);
    });
  }
  const det = getPair(top, 'detectors');
  const detPlain = det ? toPlain(det.value) : undefined;
  if (detPlain && typeof detPlain === 'object') {
    const d = detPlain as Record<string, unknown>;
    if (d.iforest && typeof d.iforest === 'object') file.detectors.iforest = { ...(d.iforest as IforestSettings) };
    if (d.forecast && typeof d.forecast === 'object') file.detectors.forecast = { ...(d.forecast as ForecastSettings) };
  }
  const alerts = getPair(top, 'alerts');
  const alertsPlain = alerts ? toPlain(alerts.value) : undefined;
  if (alertsPlain && typeof alertsPlain === 'object') {
    const w = (alertsPlain as Record<string, unknown>).webhook;
    if (w && typeof w === 'object') {
      const webhook: WebhookSettings = { ...(w as WebhookSettings) };
      if (typeof webhook.throttle === 'string') {
        const ms = parseDuration(webhook.throttle);
        if (!Number.isNaN(ms)) webhook.throttleMs = ms;
      }
      file.alerts.webhook = webhook;
    }
  }
  return { file, sites };
}

function ruleOf(m: YMap, file: RulesFile, lines: Int32Array): Rule | null {
  const name = scalarAt(m, 'name')?.value;
  const metric = scalarAt(m, 'metric')?.value;
  const op = scalarAt(m, 'op')?.value;
  const threshold = scalarAt(m, 'threshold')?.value;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(name)) return null;
  if (typeof metric !== 'string' || !metric) return null;
  if (typeof op !== 'string' || !OPS.includes(op as RuleOp)) return null;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) return null;
  const forNode = scalarAt(m, 'for');
  const keepNode = scalarAt(m, 'keep_firing_for');
  const forMs = forNode ? durationOf(forNode) : file.defaults.forMs;
  const keepMs = keepNode ? durationOf(keepNode) : file.defaults.keepFiringForMs;
  if (forMs === undefined || keepMs === undefined) return null;
  const sevNode = scalarAt(m, 'severity');
  const severity = sevNode ? sevNode.value : file.defaults.severity;
  if (!isSeverity(severity)) return null;
  const enabledNode = scalarAt(m, 'enabled');
  if (enabledNode && typeof enabledNode.value !== 'boolean') return null;
  const first = m.pairs[0]?.key.start ?? m.start;
  return {
    name, metric, op: op as RuleOp, threshold, forMs, keepFiringForMs: keepMs, severity,
    enabled: enabledNode ? enabledNode.value === true : true,
    labels: stringMap(m, 'labels'), annotations: stringMap(m, 'annotations'),
    line: positionAt(lines, first).line,
  };
}

/** Plain JS value of the tree for ajv; aliases are followed (their expanded size was bounded at parse). */
export function toPlain(n: YNode): unknown {
  const d = deref(n);
  switch (d.kind) {
    case 'scalar': return d.value;
    case 'seq': return d.items.map(toPlain);
    case 'map': {
      // Null prototype: a `__proto__` key must stay a key, not rewire the object.
      const o = Object.create(null) as Record<string, unknown>;
      for (const p of d.pairs) if (p.key.kind === 'scalar' && !(p.key.text in o)) o[p.key.text] = toPlain(p.value);
      return o;
    }
    case 'alias': return null;
  }
}
