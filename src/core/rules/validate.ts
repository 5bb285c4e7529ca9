import { statsOf } from '../stats.ts';
import type { ErrorObject } from 'ajv';
import type { Frame } from '../csv/frame.ts';
import type { Severity } from '../severity.ts';
import { parseDuration, formatDuration } from './duration.ts';
import type { Diagnostic, DiagnosticFix, ForecastSettings, IforestSettings, Rule, RuleOp, RulesDataContext, RulesFile, WebhookSettings } from './model.ts';
import type { MetricStats } from '../stats.ts';
import { keysAt, schemaAt, schemaErrors } from './schema.ts';
import { didYouMean } from './suggest.ts';
import { prometheusSourceOf } from './dataSource.ts';
import { TEMPLATE_PATTERN, TEMPLATE_VARIABLES, isTemplateVariable } from './template.ts';
import { deref, getPair, lineStarts, parseYamlAst, positionAt } from './yamlAst.ts';
import type { YMap, YNode, YScalar } from './yamlAst.ts';

import { getOwn, setOwn } from '../own.ts';
import { formatNumber } from '../format.ts';

/** Options of `validateRules`. */
export interface ValidateOptions {
  /** The data the rules are checked against (metric names, step, value ranges). */
  data?: RulesDataContext;
}

/** The result of validating a rules file: the file when it has no errors, and every diagnostic. */
export interface ValidationResult {
  rules: RulesFile | null;
  diagnostics: Diagnostic[];
}

/** One rule item of the file with its source nodes; `rule` is null when the item is not a valid rule. */
export interface RuleSite {
  index: number;
  node: YMap;
  name: string | null;
  rule: Rule | null;
}

/** Everything the editor features need from one reading of the text. */
export interface RulesAnalysis {
  text: string;
  root: YNode | null;
  /** Best-effort file: valid rules only, even when others have errors. */
  file: RulesFile;
  sites: RuleSite[];
  diagnostics: Diagnostic[];
  lines: Int32Array;
  /** Offsets of the `data:` value, for diagnostics about the data file itself. */
  dataSpan: { startOffset: number; endOffset: number } | null;
}

const OPS: readonly RuleOp[] = ['>', '>=', '<', '<=', '==', '!='];

/**
 * Validates rules.yaml text (SPEC §1–§2): YAML, JSON Schema, then meaning and data checks.
 * Never throws; `rules` is null whenever any diagnostic is an error.
 */
export function validateRules(text: string, context: ValidateOptions = {}): ValidationResult {
  const a = analyzeRules(text, context);
  const hasError = a.diagnostics.some((d) => d.severity === 'error');
  return { rules: hasError || !a.root ? null : a.file, diagnostics: a.diagnostics };
}

/** Reads and checks rules text once, keeping the tree and per-rule sites for hover, completion and lenses. */
export function analyzeRules(text: string, context: ValidateOptions = {}): RulesAnalysis {
  const lines = lineStarts(text);
  const out = new DiagnosticSink(text, lines);
  findUnquotedOps(text, out);
  const parsed = parseYamlAst(text);
  for (const p of parsed.problems) {
    out.add(p.code === 'multiple-documents' ? 'warning' : 'error', 'yaml', p.code, p.message, p.startOffset, p.endOffset);
  }
  const emptyFile: RulesFile = emptyRulesFile();
  const root = parsed.root;
  if (!root) {
    if (parsed.problems.length === 0) {
      out.add('error', 'yaml', 'empty-file', 'empty rules file: expected `version: 1` and `rules:`', 0, 0, {
        title: 'Add version and rules', edits: [{ startOffset: 0, endOffset: 0, newText: 'version: 1\nrules: []\n' }],
      });
    }
    return { text, root: null, file: emptyFile, sites: [], diagnostics: out.sorted(), lines, dataSpan: null };
  }
  checkKeys(root, out);
  const value = toPlain(root);
  mapSchemaErrors(schemaErrors(value), root, out, context);
  const { file, sites } = buildFile(root, lines);
  semanticChecks(root, sites, out, context.data);
  const top = deref(root);
  // A path's scalar, or a Prometheus source's mapping (then diagnostics about the source point at its server).
  const dataPair = top.kind === 'map' ? getPair(top, 'data') : undefined;
  const dataValue = dataPair && deref(dataPair.value);
  const dataNode = dataValue?.kind === 'map' ? (() => { const p = getPair(dataValue, 'prometheus'); return p && deref(p.value); })() ?? dataValue : dataValue;
  const dataSpan = dataNode && !(dataNode.kind === 'scalar' && dataNode.empty) ? { startOffset: dataNode.start, endOffset: dataNode.end } : null;
  return { text, root, file, sites, diagnostics: out.sorted(), lines, dataSpan };
}

function emptyRulesFile(): RulesFile {
  return { version: 1, data: null, defaults: { severity: 'warning', forMs: 0, keepFiringForMs: 0 }, rules: [], detectors: {}, alerts: {} };
}

/** A diagnostic at offsets of `text` (for problems found outside the engine, such as an unreadable data file). */
export function diagnosticAt(text: string, severity: Diagnostic['severity'], code: string, message: string, startOffset: number, endOffset: number): Diagnostic {
  const sink = new DiagnosticSink(text, lineStarts(text));
  sink.add(severity, 'semantic', code, message, startOffset, endOffset);
  return sink.list[0];
}

/** Collects diagnostics, computing line/column once per diagnostic. */
class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  /** Lines with an unquoted operator: YAML reads `op: >` as a block scalar, `op: !=` as a tag. */
  readonly unquotedOpLines = new Set<number>();
  private readonly seen = new Set<string>();
  constructor(readonly text: string, readonly lines: Int32Array) {}

  add(severity: Diagnostic['severity'], source: Diagnostic['source'], code: string, message: string, startOffset: number, endOffset: number, fix?: DiagnosticFix): void {
    const key = `${code}@${startOffset}:${endOffset}`;
    if (source === 'yaml' && code !== 'unquoted-op' && this.unquotedOpLines.size && this.unquotedOpLines.has(positionAt(this.lines, startOffset).line)) return;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const s = Math.max(0, Math.min(startOffset, this.text.length));
    const e = Math.max(s, Math.min(endOffset, this.text.length));
    const d: Diagnostic = {
      severity, message, code, source,
      range: { start: positionAt(this.lines, s), end: positionAt(this.lines, e) },
      startOffset: s, endOffset: e,
    };
    if (fix) d.fix = fix;
    this.list.push(d);
  }

  sorted(): Diagnostic[] {
    return this.list.sort((a, b) => a.startOffset - b.startOffset || a.endOffset - b.endOffset);
  }
}

/** `op: >`, `op: >=`, `op: !=`: YAML indicators, not operators. Found on the raw lines, before YAML has its say. */
function findUnquotedOps(text: string, out: DiagnosticSink): void {
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
function checkKeys(root: YNode, out: DiagnosticSink): void {
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

/** Plain JS value of the tree for ajv; aliases are followed (their expanded size was bounded at parse). */
function toPlain(n: YNode): unknown {
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

type Located = { node: YNode; key: YScalar | null; path: (string | number)[] };

/** The node at a JSON pointer, with the key that holds it. */
function locate(root: YNode, pointer: string): Located | undefined {
  const path: (string | number)[] = [];
  let node: YNode = deref(root);
  let key: YScalar | null = null;
  if (pointer === '') return { node, key, path };
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node.kind === 'map') {
      const p = getPair(node, seg);
      if (!p) return undefined;
      key = p.key as YScalar;
      node = deref(p.value);
      path.push(seg);
    } else if (node.kind === 'seq') {
      const it = node.items[Number(seg)];
      if (!it) return undefined;
      node = deref(it);
      key = null;
      path.push(Number(seg));
    } else return undefined;
  }
  return { node, key, path };
}

/** Where a path is, in words: "rule 'high-cpu'", "defaults", "the top level". */
function where(root: YNode, path: readonly (string | number)[]): string {
  if (path.length === 0) return 'the top level';
  if (path[0] === 'rules' && typeof path[1] === 'number') {
    const item = locate(root, `/rules/${path[1]}`);
    const name = item && item.node.kind === 'map' ? getPair(item.node, 'name') : undefined;
    const nameNode = name ? deref(name.value) : undefined;
    const label = nameNode?.kind === 'scalar' && typeof nameNode.value === 'string' && nameNode.value ? `rule '${nameNode.value}'` : `rule #${path[1] + 1}`;
    const rest = path.slice(2).join('.');
    return rest ? `${label} ${rest}` : label;
  }
  return path.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.').replace(/\.\[/g, '[');
}

function keyName(path: readonly (string | number)[]): string {
  const last = path[path.length - 1];
  if (typeof last === 'number') return `${String(path[path.length - 2] ?? 'item')}[${last}]`;
  if (path.length >= 2 && (path[path.length - 2] === 'labels' || path[path.length - 2] === 'annotations')) return `${String(path[path.length - 2])}.${last}`;
  return last === undefined ? 'the file' : last;
}

function describeValue(n: YNode): string {
  const d = deref(n);
  if (d.kind === 'map') return 'a mapping';
  if (d.kind === 'seq') return 'a list';
  if (d.kind === 'alias') return 'an unknown alias';
  if (d.empty || d.value === null) return 'nothing';
  if (typeof d.value === 'string') return `'${d.value.length > 40 ? d.value.slice(0, 40) + '…' : d.value}'`;
  return String(d.value);
}

/** The range of a value, or of its key when the value is absent (`threshold:` with nothing after). */
function valueRange(loc: Located): [number, number] {
  const n = loc.node;
  if (n.kind === 'scalar' && n.empty && loc.key) return [loc.key.start, loc.key.end];
  if (n.kind === 'map' || n.kind === 'seq') {
    if (!n.flow && loc.key) return [loc.key.start, loc.key.end];
  }
  return [n.start, n.end];
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number', integer: 'an integer', string: 'a string', boolean: 'true or false', object: 'a mapping', array: 'a list', null: 'empty',
};

function mapSchemaErrors(errors: ErrorObject[], root: YNode, out: DiagnosticSink, context: ValidateOptions): void {
  // An anyOf reports its branches too; keep only the anyOf, worded by the schema's errorMessage.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && anyOfPaths.has(e.instancePath) && /\/anyOf\/\d+\//.test(e.schemaPath)) continue;
    const loc = locate(root, e.instancePath);
    if (!loc) continue;
    const place = where(root, loc.path);
    switch (e.keyword) {
      case 'additionalProperties': {
        const name = (e.params as { additionalProperty: string }).additionalProperty;
        if (loc.node.kind !== 'map') break;
        const pair = getPair(loc.node, name);
        if (!pair) break;
        const present = new Set(loc.node.pairs.map((p) => (p.key.kind === 'scalar' ? p.key.text : '')));
        const allowed = keysAt(loc.path);
        const suggestion = didYouMean(name, allowed.filter((k) => !present.has(k))) ?? didYouMean(name, allowed);
        const message = `unknown key '${name}' in ${place}` + (suggestion ? ` (did you mean '${suggestion}'?)` : `; allowed: ${allowed.join(', ')}`);
        const fix = suggestion ? { title: `Change to '${suggestion}'`, edits: [{ startOffset: pair.key.start, endOffset: pair.key.end, newText: suggestion }] } : undefined;
        out.add('error', 'schema', 'unknown-key', message, pair.key.start, pair.key.end, fix);
        break;
      }
      case 'required': {
        const name = (e.params as { missingProperty: string }).missingProperty;
        const n = loc.node;
        let s = n.start;
        let en = n.start + 1;
        if (n.kind === 'map' && n.pairs.length) { s = n.pairs[0].key.start; en = n.pairs[0].key.end; }
        else if (loc.key) { s = loc.key.start; en = loc.key.end; }
        const fix = n.kind === 'map' ? missingKeyFix(out, n, name, loc.path, context) : undefined;
        out.add('error', 'schema', 'missing-key', `${place} is missing required key '${name}'`, s, en, fix);
        break;
      }
      case 'uniqueItems': {
        const { i, j } = e.params as { i: number; j: number };
        const seq = loc.node;
        const dup = seq.kind === 'seq' ? seq.items[Math.max(i, j)] : undefined;
        const [s, en] = dup ? [dup.start, dup.end] : valueRange(loc);
        out.add('error', 'schema', 'duplicate-item', `${keyName(loc.path)} lists ${dup ? describeValue(dup) : 'an item'} twice`, s, en);
        break;
      }
      default:
        valueError(e, loc, out);
    }
  }
}

function valueError(e: ErrorObject, loc: Located, out: DiagnosticSink): void {
  const key = keyName(loc.path);
  const got = describeValue(loc.node);
  const [s, en] = valueRange(loc);
  const schema = schemaAt(loc.path);
  const p = e.params as Record<string, unknown>;
  if (key === 'op' && loc.node.kind === 'scalar' && (loc.node.style === 4 || loc.node.style === 5 || out.unquotedOpLines.has(positionAt(out.lines, loc.node.start).line))) return;
  let code = 'invalid-value';
  let message: string;
  let fix: DiagnosticFix | undefined;
  switch (e.keyword) {
    case 'type': {
      code = 'wrong-type';
      const want = String(p.type).split(',').map((t) => TYPE_WORDS[t] ?? t).join(' or ');
      message = `${key} must be ${want}, got ${got}`;
      break;
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const n = loc.node;
      const text = n.kind === 'scalar' ? n.text : '';
      const suggestion = text ? didYouMean(text, allowed) : undefined;
      message = `${key} must be one of ${allowed.join(', ')}, got ${got}` + (suggestion ? ` (did you mean '${suggestion}'?)` : '');
      if (suggestion && n.kind === 'scalar') fix = { title: `Change to '${suggestion}'`, edits: [{ startOffset: n.start, endOffset: n.end, newText: /^[A-Za-z]/.test(suggestion) ? suggestion : `"${suggestion}"` }] };
      break;
    }
    case 'const':
      message = `${key} must be ${JSON.stringify(p.allowedValue)}, got ${got}`;
      break;
    case 'pattern':
      code = schema?.pattern?.includes('ms|s|m') ? 'invalid-duration' : 'invalid-name';
      message = `${key} ${schema?.patternErrorMessage ?? `must match ${String(p.pattern)}`}, got ${got}`;
      break;
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      code = 'out-of-range';
      message = `${key} must be ${String(p.comparison)} ${String(p.limit)}, got ${got}`;
      break;
    case 'minLength':
      code = 'empty-value';
      message = `${key} must not be empty`;
      break;
    case 'anyOf':
      message = `${key} ${schema?.errorMessage ?? 'has an invalid value'}, got ${got}`;
      break;
    default:
      message = `${key} ${e.message ?? 'is invalid'}`;
  }
  out.add('error', 'schema', code, message, s, en, fix);
}

const PLACEHOLDER: Record<string, string> = { version: '1', rules: '[]', op: '">"', threshold: '0' };

/** An edit adding `key: placeholder` as the mapping's last entry, at its indentation. */
function missingKeyFix(out: DiagnosticSink, map: YMap, key: string, path: readonly (string | number)[], context: ValidateOptions): DiagnosticFix {
  const text = out.text;
  let value = PLACEHOLDER[key] ?? '""';
  if (key === 'metric') value = context.data?.metrics[0] ?? 'cpu';
  if (key === 'name') value = `rule-${typeof path[1] === 'number' ? path[1] + 1 : 1}`;
  const entry = `${key}: ${value}`;
  if (map.flow) {
    const close = map.end - 1;
    return { title: `Add '${key}'`, edits: [{ startOffset: close, endOffset: close, newText: map.pairs.length ? `, ${entry}` : entry }] };
  }
  if (!map.pairs.length) return { title: `Add '${key}'`, edits: [{ startOffset: map.start, endOffset: map.start, newText: entry }] };
  const first = map.pairs[0].key;
  const lineStart = text.lastIndexOf('\n', first.start - 1) + 1;
  const indent = ' '.repeat(first.start - lineStart);
  const lastChar = Math.max(map.pairs[map.pairs.length - 1].value.end, map.pairs[map.pairs.length - 1].key.end) - 1;
  let at = text.indexOf('\n', Math.max(lastChar, 0));
  if (text[lastChar] === '\n') at = lastChar;
  if (at < 0) at = text.length;
  if (at > 0 && text[at - 1] === '\r') at--;
  return { title: `Add '${key}'`, edits: [{ startOffset: at, endOffset: at, newText: `\n${indent}${entry}` }] };
}

function scalarAt(map: YMap, key: string): YScalar | undefined {
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
function buildFile(root: YNode, lines: Int32Array): { file: RulesFile; sites: RuleSite[] } {
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

function semanticChecks(root: YNode, sites: RuleSite[], out: DiagnosticSink, data: RulesDataContext | undefined): void {
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
    if (data && metricNode && typeof metricNode.value === 'string' && metricNode.value) checkMetric(metricNode, data, out);
    const enabledNode = scalarAt(m, 'enabled');
    if (enabledNode?.value === false) out.add('info', 'semantic', 'rule-disabled', `${label} is disabled (enabled: false): it is not evaluated`, enabledNode.start, enabledNode.end);
    const forNode = scalarAt(m, 'for');
    const rule = site.rule;
    if (data?.stepMs && rule && rule.forMs > 0 && rule.forMs < data.stepMs) {
      const node = forNode ?? scalarAt(deref(getPair(deref(root) as YMap, 'defaults')?.value ?? m) as YMap, 'for');
      if (node) {
        out.add('warning', 'semantic', 'for-below-step', `for: ${formatDuration(rule.forMs)} is shorter than the data's step (${formatDuration(data.stepMs)} in ${data.name}): ${label} fires on the first matching row`, node.start, node.end);
      }
    }
    const thrNode = scalarAt(m, 'threshold');
    if (data && rule && thrNode) {
      const stats = getOwn(data.stats, rule.metric);
      if (stats && stats.count > 0) {
        const verdict = thresholdVerdict(rule.op, rule.threshold, stats);
        if (verdict) {
          const span = `${rule.metric} ranges from ${formatNumber(stats.min, 4)} to ${formatNumber(stats.max, 4)} in ${data.name}`;
          out.add('warning', 'semantic', verdict === 'never' ? 'never-fires' : 'always-fires',
            `${label} ${verdict === 'never' ? 'never fires' : 'always fires'}: ${span}, so ${rule.metric} ${rule.op} ${formatNumber(rule.threshold, 4)} is ${verdict === 'never' ? 'never' : 'always'} true`,
            thrNode.start, thrNode.end);
        }
      }
    }
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
          if (s.kind === 'scalar' && typeof s.value === 'string' && s.value) checkMetric(s, data, out);
        }
      }
    }
  }
}

function checkMetric(node: YScalar, data: RulesDataContext, out: DiagnosticSink): void {
  const name = node.value as string;
  if (data.metrics.includes(name)) return;
  if (data.timestampColumn && name === data.timestampColumn) {
    out.add('error', 'semantic', 'unknown-metric', `'${name}' is the timestamp column of ${data.name}, not a numeric metric`, node.start, node.end);
    return;
  }
  const suggestion = didYouMean(name, data.metrics);
  const message = `metric '${name}' is not a numeric column of ${data.name}` + (suggestion ? ` (did you mean '${suggestion}'?)` : data.metrics.length ? `; its metrics: ${data.metrics.slice(0, 12).join(', ')}` : '');
  const fix = suggestion ? { title: `Change to '${suggestion}'`, edits: [{ startOffset: node.start, endOffset: node.end, newText: suggestion }] } : undefined;
  out.add('error', 'semantic', 'unknown-metric', message, node.start, node.end, fix);
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
    for (const match of raw.matchAll(TEMPLATE_PATTERN)) {
      const name = match[1];
      if (isTemplateVariable(name)) continue;
      const s = v.start + (match.index ?? 0);
      const suggestion = didYouMean(name, TEMPLATE_VARIABLES);
      out.add('warning', 'semantic', 'unknown-template-variable',
        `unknown template variable '${name}'` + (suggestion ? ` (did you mean '${suggestion}'?)` : `; known: ${TEMPLATE_VARIABLES.join(', ')}, labels.KEY`),
        s, s + match[0].length,
        suggestion ? { title: `Change to '${suggestion}'`, edits: [{ startOffset: s, endOffset: s + match[0].length, newText: `{{ ${suggestion} }}` }] } : undefined);
    }
  }
}

/** The rules' view of a frame: metric names, step and min/median/max per metric (NaN skipped). */
export function dataContextOf(frame: Frame, name: string): RulesDataContext {
  const stats: Record<string, MetricStats> = {};
  frame.metrics.forEach((m, i) => { setOwn(stats, m, statsOf(frame.values[i])); });
  return { name, metrics: [...frame.metrics], timestampColumn: frame.timestampColumn, stepMs: frame.stepMs, stats, frame };
}

/** SPEC §2 text form: `path:line:col: severity: message [code]` per line, then a summary line. */
export function formatDiagnostics(path: string, diagnostics: readonly Diagnostic[]): string {
  const lines = diagnostics.map((d) => `${path}:${d.range.start.line}:${d.range.start.column}: ${d.severity}: ${d.message} [${d.code}]`);
  const count = (s: Diagnostic['severity']) => diagnostics.filter((d) => d.severity === s).length;
  const parts: string[] = [];
  const errors = count('error');
  const warnings = count('warning');
  const infos = count('info');
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (infos) parts.push(`${infos} note${infos === 1 ? '' : 's'}`);
  lines.push(`${path}: ${parts.length ? parts.join(', ') : 'no problems'}`);
  return lines.join('\n') + '\n';
}
