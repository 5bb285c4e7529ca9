import { durationError, parseDuration } from '../rules/duration.ts';
import { deref, mergedPairs, parseYamlAst } from '../rules/yamlAst.ts';
import { LABEL_NAME, METRIC_NAME } from '../prometheus/names.ts';
import { lineStarts, positionAt } from '../textPosition.ts';
import type { YMap, YNode, YPair, YamlLimits, YamlParse } from '../rules/yamlAst.ts';
import type { EngineRule } from './engine.ts';
import { compileGoTemplate, goTemplateError, parseErrorText } from './goTemplate.ts';
import { parseAlertExpr } from './selector.ts';
import { exprSyntaxError } from './exprSyntax.ts';

/**
 * Prometheus rule files (`groups: [{name, rules: [{alert|record, expr, for, keep_firing_for, labels,
 * annotations}]}]`, Prometheus documentation "Alerting rules" and "Recording rules") turned into rules our engine
 * runs, or the reason one needs promtool.
 */

/** One alerting rule of a Prometheus rule file. */
export interface PromAlertRule {
  alert: string;
  expr: string;
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Why a rule file cannot run in our engine, at a 1-based line. */
export interface NeedsPromtool { line: number; column: number; reason: string }

/** The rules of one rule file, what makes it need promtool, and what Prometheus refuses in it. */
export interface LoadedRuleFile { rules: EngineRule[]; needsPromtool: NeedsPromtool[]; problems: RuleFileError[] }

/** A problem that makes the file unreadable (promtool would refuse it too), with its position. */
export class RuleFileError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) { super(message); }
}

/** One alerting rule for our engine, or the reason it needs promtool. */
export function engineRuleOf(r: PromAlertRule): EngineRule | string {
  const expr = parseAlertExpr(r.expr);
  if (!expr) return `expr '${r.expr}' is not a series selector compared with a number`;
  const labels: [string, (d: Parameters<EngineRule['labels'][number][1]>[0]) => string][] = [];
  const annotations: typeof labels = [];
  for (const [k, v] of Object.entries(r.labels)) {
    const f = compileGoTemplate(v, r.alert);
    if (!f) return `label ${k}: template '${v}' uses what our engine does not render (queries, define/template, fields of its own)`;
    labels.push([k, f]);
  }
  for (const [k, v] of Object.entries(r.annotations)) {
    const f = compileGoTemplate(v, r.alert);
    if (!f) return `annotation ${k}: template '${v}' uses what our engine does not render (queries, define/template, fields of its own)`;
    annotations.push([k, f]);
  }
  return { name: r.alert, expr, forMs: r.forMs, keepFiringForMs: r.keepFiringForMs, labels, annotations };
}

const RULE_KEYS = ['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];
/** A group's keys (Prometheus 3 added `labels`, given to each of its rules, and `query_offset`). */
const GROUP_KEYS = ['name', 'interval', 'limit', 'query_offset', 'labels', 'rules'];

/** One rule of a Prometheus rule file as written: an alerting rule's fields, or a recording rule's name. */
export interface RawPromRule {
  /** The rule's mapping in the YAML, and where it starts. */
  node: YMap;
  line: number;
  column: number;
  record: string | null;
  alert: PromAlertRule | null;
}

/**
 * Where offsets of a scalar's value are in the file: found by the action around each as written, or as a quoted
 * scalar escapes it (`\"` in double quotes, `''` in single ones); else the scalar's start. Asked in increasing
 * order, each answer is searched from the last one's: a scalar of 8 000 actions took 65 s when each searched from
 * the start.
 */
export function valueOffsets(source: string, node: { start: number; end: number }, value: string): (at: number) => number {
  const raw = source.slice(node.start, node.end);
  const escapes: ((t: string) => string)[] = [(t) => t, (t) => t.replace(/["\\]/g, '\\$&'), (t) => t.replace(/'/g, "''")];
  // The last action found: where it starts in the value and in the raw source, and how the source wrote it.
  let last = { open: -1, rawAt: -1, escape: 0 };
  return (at) => {
    const open = Math.max(0, value.lastIndexOf('{{', at));
    const close = value.indexOf('}}', at);
    const piece = value.slice(open, close < 0 ? value.length : close + 2);
    // The same occurrence of the action in the source as in the value, counted on from a place both agree on.
    const find = (escape: (t: string) => string, from: number, rawFrom: number): number => {
      const written = escape(piece);
      let j = rawFrom;
      for (let i = value.indexOf(piece, from + 1); i >= 0 && i <= open; i = value.indexOf(piece, i + 1)) {
        j = raw.indexOf(written, j + 1);
        if (j < 0) return -1;
      }
      return j;
    };
    const tries: [number, number, number][] = open >= last.open && last.open >= 0 ? [[last.escape, last.open, last.rawAt]] : [];
    for (let e = 0; e < escapes.length; e++) tries.push([e, -1, -1]);
    for (const [e, from, rawFrom] of tries) {
      const j = find(escapes[e], from, rawFrom);
      if (j < 0) continue;
      last = { open, rawAt: j, escape: e };
      return node.start + j + escapes[e](value.slice(open, at)).length;
    }
    return node.start;
  };
}

/**
 * How yaml.v3 names a node in an unmarshal error (promtool's words): `!!seq`, `!!map`, or a scalar's tag and text.
 */
function yamlTagOf(n: YNode): string {
  if (n.kind === 'seq') return '!!seq';
  if (n.kind === 'map') return '!!map';
  if (n.kind !== 'scalar') return '!!str';
  const v = n.value;
  const tag = n.style !== 1 || typeof v === 'string' ? 'str' : v === null ? 'null' : typeof v === 'boolean' ? 'bool' : Number.isInteger(v) && !/[.eE]/.test(n.text) ? 'int' : 'float';
  return `!!${tag} \`${n.text}\``;
}

/**
 * The `spec` of a kube-prometheus `PrometheusRule` manifest (`apiVersion: monitoring.coreos.com/v1`,
 * `kind: PrometheusRule`, `metadata`, `spec: {groups: [...]}`): its groups are a Prometheus rule file's. Null for
 * another YAML (or a manifest without a `spec`).
 */
export function prometheusRuleSpec(root: YNode | null): YNode | null {
  const m = root ? deref(root) : null;
  if (m?.kind !== 'map') return null;
  const value = (key: string): YNode | undefined => { const p = m.pairs.find((q) => q.key.kind === 'scalar' && q.key.text === key); return p && deref(p.value); };
  const kind = value('kind');
  if (kind?.kind !== 'scalar' || kind.value !== 'PrometheusRule') return null;
  return value('spec') ?? null;
}

/**
 * The PrometheusRule documents of a YAML stream (`kubectl apply` and the Prometheus Operator take every document of a
 * manifest file, each PrometheusRule its own rule file); empty when none is one. Other kinds (a Helm chart's
 * ConfigMap, Deployment) are not rules: they are left out, silently.
 */
export function prometheusRuleDocuments(documents: readonly (YNode | null)[]): YNode[] {
  return documents.filter((d): d is YNode => {
    const m = d ? deref(d) : null;
    if (m?.kind !== 'map') return false;
    const kind = m.pairs.find((q) => q.key.kind === 'scalar' && q.key.text === 'kind');
    const v = kind && deref(kind.value);
    return v?.kind === 'scalar' && v.value === 'PrometheusRule';
  });
}

/**
 * Reads a Prometheus rule file's rules in file order, with what Prometheus's rulefmt refuses in them (`problems`:
 * promtool check rules fails the file, Prometheus does not load it; each at its place, in promtool's words, every
 * one found in one pass — an unknown or repeated key, a value of the wrong type, a duration that is none — sorted by
 * line then column). A value refused is read as absent. Throws RuleFileError only when the text is not YAML.
 */
export function readPrometheusRules(text: string, limits: YamlLimits & { parsed?: YamlParse } = {}): { rules: RawPromRule[]; problems: RuleFileError[]; duplicates: RuleFileError[] } {
  const starts = lineStarts(text);
  const errorAt = (message: string, offset: number): RuleFileError => {
    const p = positionAt(starts, offset);
    return new RuleFileError(message, p.line, p.column);
  };
  const fail = (message: string, offset: number): never => { throw errorAt(message, offset); };
  const problems: RuleFileError[] = [];
  const seen = new Set<string>();
  const problem = (message: string, offset: number): void => {
    // A node read twice (an alert's expr) is refused once.
    const key = `${offset}\u0000${message}`;
    if (!seen.has(key)) { seen.add(key); problems.push(errorAt(message, offset)); }
  };
  const lineOf = (offset: number): number => positionAt(starts, offset).line;
  // The text's tree when the caller has it (validate.ts: one parse, not two).
  const parsed = limits.parsed ?? parseYamlAst(text, limits);
  // A manifest file's PrometheusRule documents are each read (kubectl applies every one); in a rule file a second
  // YAML document is ignored, as Prometheus loads it (validate.ts says so). Other problems make no rule file.
  const manifests = prometheusRuleDocuments(parsed.documents);
  const read = new Set(manifests.map((d) => parsed.documents.indexOf(d)));
  const yamlError = [...parsed.problems, ...(parsed.laterProblems ?? []).filter((p) => read.has(p.document ?? 0))]
    .find((p) => p.code !== 'multiple-documents' && p.code !== 'empty-document');
  if (yamlError) fail(yamlError.message, yamlError.startOffset);
  const out: RawPromRule[] = [];
  // promtool's default lint (`--lint=duplicate-rules`): a rule of the same name and labels as an earlier one of its file.
  const duplicates: RuleFileError[] = [];
  const done = () => ({ rules: out, problems: problems.sort((a, b) => a.line - b.line || a.column - b.column), duplicates });
  const roots = manifests.length ? manifests : parsed.root ? [parsed.root] : [];
  for (const root of roots) readDocument(deref(root));
  return done();

  // One document's groups (a rule file, or one PrometheusRule's spec: the operator writes each out as a rule file).
  function readDocument(root: YNode): void {
    // The nodes refused as not of their Go type (yaml.v3's words): read as absent, and not refused again as absent.
    const refused = new Set<YNode>();
    let misread = 0;
    const wrongType = (n: YNode, type: string): void => { refused.add(n); misread++; problem(`cannot unmarshal ${yamlTagOf(n)} into ${type}`, n.start); };
    const given = (n: YNode | undefined): boolean => n !== undefined && refused.has(n);
    // A mapping's keys: one not in `keys` or given twice is refused (and not read), as yaml.v3 refuses it.
    const entries = (n: YNode, keys: readonly string[], type: string): Map<string, YNode> | null => {
      const m = deref(n);
      if (m.kind !== 'map') { wrongType(m, type); return null; }
      const got = new Map<string, YNode>();
      const firstAt = new Map<string, number>();
      for (const p of pairsOf(m)) {
        const k = p.key.kind === 'scalar' ? p.key.text : '';
        if (firstAt.has(k)) { problem(`mapping key "${k}" already defined at line ${lineOf(firstAt.get(k)!)}`, p.key.start); continue; }
        firstAt.set(k, p.key.start);
        if (!keys.includes(k)) { problem(`field ${k} not found in type ${type}`, p.key.start); continue; }
        got.set(k, deref(p.value));
      }
      return got;
    };
    // A mapping's pairs with YAML's merge keys applied (`<<: *defaults`).
    const pairsOf = (m: YMap): YPair[] => {
      const r = mergedPairs(m);
      if (r.bad) problem('a merge key (<<) takes a mapping or a list of them', r.bad.start);
      return r.pairs;
    };
    const list = (n: YNode | undefined, type: string): YNode[] => {
      if (!n || (n.kind === 'scalar' && n.value === null)) return [];
      if (n.kind !== 'seq') { wrongType(n, type); return []; }
      return n.items.map(deref);
    };
    const text1 = (n: YNode | undefined): string => {
      if (!n) return '';
      if (n.kind !== 'scalar') { wrongType(n, 'string'); return ''; }
      return n.value === null ? '' : String(n.value);
    };
    const dur = (n: YNode | undefined): number => {
      if (n && n.kind !== 'scalar') { wrongType(n, 'model.Duration'); return 0; }
      // No value (`for:`, `for: ~`) is none; an empty string is Prometheus's "empty duration string".
      if (!n || n.value === null) return 0;
      const t = text1(n);
      const error = durationError(t);
      if (!error) return t === '0' ? 0 : parseDuration(t);
      misread++;
      problem(error, n.start);
      return 0;
    };
    const strMap = (n: YNode | undefined): Record<string, string> => {
      const o: Record<string, string> = {};
      if (!n || (n.kind === 'scalar' && n.value === null)) return o;
      if (n.kind !== 'map') { wrongType(n, 'map[string]string'); return o; }
      for (const p of pairsOf(n)) Object.defineProperty(o, p.key.kind === 'scalar' ? p.key.text : '', { value: text1(deref(p.value)), enumerable: true, writable: true, configurable: true });
      return o;
    };
    // A PrometheusRule manifest's groups are under its spec (the operator writes them out as a rule file); places stay the file's.
    const top = entries(prometheusRuleSpec(root) ?? root, ['groups'], 'rulefmt.RuleGroups');
    if (!top) return;
    const groupNames = new Set<string>();
    const ruleLines = new Map<string, number>();
    for (const g of list(top.get('groups'), '[]rulefmt.RuleGroup')) {
      const gm = entries(g, GROUP_KEYS, 'rulefmt.RuleGroup');
      if (!gm) continue;
      // rulefmt's checks of a group and of each rule (Prometheus 2.42, its words).
      const name = text1(gm.get('name'));
      if (!name && !given(gm.get('name'))) problem('Groupname must not be empty', g.start);
      if (groupNames.has(name)) problem(`groupname: "${name}" is repeated in the same file`, g.start);
      groupNames.add(name);
      dur(gm.get('interval'));
      dur(gm.get('query_offset'));
      const groupLabels = strMap(gm.get('labels'));
      for (const r of list(gm.get('rules'), '[]rulefmt.RuleNode')) {
        const rm = entries(r, RULE_KEYS, 'rulefmt.RuleNode');
        if (!rm) continue;
        const { line, column } = positionAt(starts, r.start);
        const node = r as YMap;
        const record = text1(rm.get('record'));
        const alert = text1(rm.get('alert'));
        // Where a key's value is, as promtool places it: a block scalar (`expr: |`) at its indicator.
        const pairs = pairsOf(node);
        const at = (key: string): number => {
          const p = pairs.find((q) => q.key.kind === 'scalar' && q.key.text === key);
          if (!p) return r.start;
          const v = deref(p.value);
          if (v.kind !== 'scalar' || (v.style !== 4 && v.style !== 5)) return v.start;
          let i = p.key.end;
          while (text[i] === ':' || text[i] === ' ' || text[i] === '\t') i++;
          return i;
        };
        if (record && alert) problem("only one of 'record' and 'alert' must be set", at('record'));
        if (!record && !alert && !given(rm.get('record')) && !given(rm.get('alert'))) problem("one of 'record' or 'alert' must be set", r.start);
        const expr = text1(rm.get('expr'));
        const exprError = expr ? exprSyntaxError(expr) : given(rm.get('expr')) ? null : "field 'expr' must be set in rule";
        if (exprError) problem(exprError, at('expr'));
        if (record) {
          for (const key of ['annotations', 'for', 'keep_firing_for']) {
            const v = rm.get(key);
            // rulefmt: annotations that hold something, a duration that is not 0.
            const none = v === undefined || (v.kind === 'scalar' ? v.value === null || (key !== 'annotations' && dur(v) === 0) : v.kind === 'map' && pairsOf(v).length === 0);
            if (!none) problem(`invalid field '${key}' in recording rule`, v.start);
          }
          if (!METRIC_NAME.test(record)) problem(`invalid recording rule name: ${record}`, at('record'));
        }
        const ruleName = record || alert;
        if (ruleName) {
          const lm = rm.get('labels');
          const own = (lm?.kind === 'map' ? pairsOf(lm) : []).map((p): [string, string] => [p.key.kind === 'scalar' ? p.key.text : '', text1(deref(p.value))]).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
          const key = JSON.stringify([ruleName, own]);
          const first = ruleLines.get(key);
          if (first === undefined) ruleLines.set(key, line);
          else {
            const labels = own.length ? `labels (${own.map(([k, v]) => `${k}: ${v}`).join(', ')})` : 'no labels';
            duplicates.push(errorAt(`rule '${ruleName}' has the same name and ${labels} as the rule at line ${first}: promtool check rules lints it as a duplicate rule, which "might cause inconsistency while recording expressions"`, at(record ? 'record' : 'alert')));
          }
        }
        for (const what of ['labels', 'annotations'] as const) {
          const m = rm.get(what);
          for (const p of m?.kind === 'map' ? pairsOf(m) : []) {
            const key = p.key.kind === 'scalar' ? p.key.text : '';
            if (!LABEL_NAME.test(key) || (what === 'labels' && key === '__name__')) problem(`invalid ${what === 'labels' ? 'label' : 'annotation'} name: ${key}`, p.key.start);
          }
        }
        if (record || !alert) { if (record) out.push({ node, line, column, record, alert: null }); continue; }
        // Prometheus parses an alert's templates as it loads the file (rulefmt): one Go refuses fails it.
        for (const what of ['labels', 'annotations'] as const) {
          const m = rm.get(what);
          for (const p of m?.kind === 'map' ? pairsOf(m) : []) {
            const v = deref(p.value);
            if (v.kind !== 'scalar' || v.value === null) continue;
            const e = goTemplateError(String(v.value));
            const key = p.key.kind === 'scalar' ? p.key.text : '';
            if (e) problem(`${what === 'labels' ? 'label' : 'annotation'} "${key}": ${parseErrorText(String(v.value), alert, e)}`, valueOffsets(text, v, String(v.value))(e.at));
          }
        }
        const before = misread;
        const a: PromAlertRule = {
          alert,
          expr,
          forMs: dur(rm.get('for')),
          keepFiringForMs: dur(rm.get('keep_firing_for')),
          labels: { ...groupLabels, ...strMap(rm.get('labels')) },
          annotations: strMap(rm.get('annotations')),
        };
        // A rule with a value refused (a `for` that is no duration) is not read as if it had none: it does not run.
        if (misread === before) out.push({ node, line, column, record: null, alert: a });
      }
    }
  }
}

/**
 * Reads a Prometheus rule file into rules our engine runs; throws RuleFileError when it is not one. A file with what
 * Prometheus refuses in it (`problems`) gives no rules: Prometheus would not load it.
 */
export function loadPrometheusRuleFile(text: string, limits: YamlLimits = {}): LoadedRuleFile {
  const { rules, problems } = readPrometheusRules(text, limits);
  const out: LoadedRuleFile = { rules: [], needsPromtool: [], problems };
  if (problems.length) return out;
  for (const r of rules) {
    const { line, column } = r;
    if (!r.alert) { out.needsPromtool.push({ line, column, reason: `recording rule '${r.record}'` }); continue; }
    const rule = engineRuleOf(r.alert);
    if (typeof rule === 'string') out.needsPromtool.push({ line, column, reason: `alert '${r.alert.alert}': ${rule}` });
    else out.rules.push(rule);
  }
  return out;
}
