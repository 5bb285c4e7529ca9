import { isPrometheusRuleStream, promRulesForCsv } from '../promrules/csvRules.ts';
import { SEVERITY_FLOOR } from '../severity.ts';
import { formatDuration, parseDuration } from './duration.ts';
import type { RulesDataContext, TextEdit } from './model.ts';
import { resolveRef, schemaAt } from './schema.ts';
import type { SchemaNode } from './schema.ts';
import { formatNumber } from '../format.ts';
import { deref, getPair, parseYamlAst } from './yamlAst.ts';
import { lineStarts, positionAt } from '../textPosition.ts';
import { getOwn } from '../own.ts';
import type { TEMPLATE_FUNCTIONS } from '../promrules/goPipeline.ts';
import { TEMPLATE_VARIABLES } from './template.ts';

/** One completion proposal; `snippet` items use VS Code snippet syntax (`${1:name}`). */
export interface CompletionItem {
  label: string;
  kind: 'key' | 'value' | 'metric' | 'duration' | 'snippet';
  insertText: string;
  detail?: string;
  documentation?: string;
}

/** Where a rule starts, for CodeLens: its name, the offset and 1-based line of its first key. */
export interface RuleLocation {
  name: string;
  startOffset: number;
  endOffset: number;
  line: number;
}

// ---------------------------------------------------------------------------------------------
// Completion works on the raw lines, not the YAML tree: the text is usually broken while typing.

type LineInfo = { indent: number; dash: number; keyCol: number; key: string | null; hasValue: boolean; blank: boolean };

function lineInfo(line: string): LineInfo {
  const m = /^( *)(- +)?(.*)$/.exec(line) as RegExpExecArray;
  const indent = m[1].length;
  const dash = m[2] ? indent : -1;
  const keyCol = indent + (m[2]?.length ?? 0);
  const rest = m[3];
  const blank = rest.trim() === '' || rest.trimStart().startsWith('#');
  const km = /^([A-Za-z_][\w.-]*|"[^"]*"|'[^']*'):(\s|$)(.*)$/.exec(rest);
  const key = km ? km[1].replace(/^["']|["']$/g, '') : null;
  const hasValue = km ? km[3].replace(/#.*$/, '').trim() !== '' : false;
  return { indent, dash, keyCol, key, hasValue, blank: blank && !m[2] };
}

/** The path of the mapping whose keys sit at `col` on line `lineNo` (dashCol ≥ 0 when that mapping is a list item). */
function mappingPath(lines: string[], lineNo: number, col: number, dashCol: number): { path: (string | number)[]; siblings: Set<string> } {
  const segs: (string | number)[] = [];
  const siblings = new Set<string>();
  let collecting = true;
  if (col === 0 && dashCol < 0) {
    for (let i = 0; i < lines.length; i++) {
      const L = lineInfo(lines[i]);
      if (i !== lineNo && !L.blank && L.keyCol === 0 && L.dash < 0 && L.key) siblings.add(L.key);
    }
    return { path: segs, siblings };
  }
  for (let i = lineNo - 1; i >= 0 && col > 0; i--) {
    const L = lineInfo(lines[i]);
    if (L.blank) continue;
    if (dashCol < 0) {
      if (L.keyCol === col) {
        if (collecting && L.key) siblings.add(L.key);
        if (L.dash >= 0) { dashCol = L.dash; collecting = false; }
        continue;
      }
      if (L.keyCol > col) continue;
      if (!L.key) break;
      segs.unshift(L.key);
      col = L.keyCol;
      dashCol = L.dash;
      collecting = false;
    } else {
      if (L.dash === dashCol) { collecting = false; continue; }
      if (L.keyCol > dashCol || (L.keyCol === dashCol && !L.key)) continue;
      if (!L.key) break;
      segs.unshift(L.key, 0);
      col = L.keyCol;
      dashCol = L.dash;
      collecting = false;
    }
  }
  if (dashCol >= 0 && col === 0) segs.unshift(0);
  // Keys below the cursor in the same mapping also count as present.
  for (let i = lineNo + 1; i < lines.length; i++) {
    const L = lineInfo(lines[i]);
    if (L.blank) continue;
    if (L.keyCol < col || L.dash >= 0 && L.dash < col) break;
    if (L.keyCol === col && L.dash < 0 && L.key) siblings.add(L.key);
  }
  return { path: segs, siblings };
}

const DURATIONS = ['0s', '30s', '1m', '2m', '5m', '10m', '15m', '30m', '1h', '6h', '1d'];

function ruleSnippet(ctx?: RulesDataContext): CompletionItem {
  const metric = ctx?.metrics[0] ?? 'cpu';
  const metricChoice = ctx?.metrics.length ? `\${2|${ctx.metrics.map((m) => m.replace(/[|,$}\\]/g, '')).join(',')}|}` : `\${2:${metric}}`;
  return {
    label: 'rule', kind: 'snippet', detail: 'A new alerting rule',
    insertText: `name: \${1:high-${metric}}\n  metric: ${metricChoice}\n  op: "\${3|>,>=,<,<=,==,!=|}"\n  threshold: \${4:90}\n  for: \${5:5m}\n  severity: \${6|critical,major,minor,warning|}\n  annotations:\n    summary: "\${7:{{ metric }} is {{ value }} at {{ timestamp }}}"`,
  };
}

/** Completion proposals at an offset: keys valid there, enum values, metric names, durations, a rule snippet. */
export function completionsAt(text: string, offset: number, ctx?: RulesDataContext): CompletionItem[] {
  // A Prometheus rule file (`groups:`): our keys would turn it into our format.
  if (/^(?:groups|kind)\s*:/m.test(text) && isPrometheusRuleStream(parseYamlAst(text))) return [];
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lines = text.split('\n');
  const starts = lineStarts(text);
  const lineNo = positionAt(starts, offset).line - 1;
  const prefix = text.slice(lineStart, offset);
  const block = blockScalarAt(lines, lineNo, prefix);
  if (block) {
    const { path } = mappingPath(lines, block.line, block.keyCol, block.dashCol);
    if (path[path.length - 1] !== 'annotations') return [];
    return templateCompletions(text.slice(starts[block.line + 1] ?? offset, offset)) ?? [];
  }
  const valueMatch = /^( *)(- +)?([A-Za-z_][\w.-]*):[ \t]+(.*)$/.exec(prefix) ?? /^( *)(- +)?([A-Za-z_][\w.-]*):()$/.exec(prefix);
  if (valueMatch) {
    const keyCol = valueMatch[1].length + (valueMatch[2]?.length ?? 0);
    const dashCol = valueMatch[2] ? valueMatch[1].length : -1;
    const { path } = mappingPath(lines, lineNo, keyCol, dashCol);
    const items = valueCompletions([...path, valueMatch[3]], valueMatch[4], ctx);
    // Right after `key:` YAML needs a space before the value.
    return prefix.endsWith(':') ? items.map((it) => ({ ...it, insertText: ` ${it.insertText}` })) : items;
  }
  const keyMatch = /^( *)(- +)?([\w.-]*)$/.exec(prefix);
  if (!keyMatch) return [];
  const keyCol = keyMatch[1].length + (keyMatch[2]?.length ?? 0);
  const dashCol = keyMatch[2] ? keyMatch[1].length : -1;
  const { path, siblings } = mappingPath(lines, lineNo, keyCol, dashCol);
  const schema = schemaAt(path);
  const items: CompletionItem[] = [];
  if (schema?.properties) {
    for (const [k, sub] of Object.entries(schema.properties)) {
      if (siblings.has(k)) continue;
      const s = resolveRef(sub);
      const container = s.type === 'object' || s.type === 'array' || (k === 'rules' && path.length === 0);
      items.push({ label: k, kind: 'key', insertText: container ? `${k}:\n${' '.repeat(keyCol + 2)}` : `${k}: `, detail: schemaType(s), documentation: s.description });
    }
  }
  if (path[0] === 'rules' && path.length === 2 && keyMatch[2] && siblings.size === 0 && keyMatch[3] === '') items.unshift(ruleSnippet(ctx));
  if (path.length === 1 && path[0] === 'rules' && dashCol < 0) items.unshift({ ...ruleSnippet(ctx), insertText: `- ${ruleSnippet(ctx).insertText}` });
  return items;
}

function schemaType(s: SchemaNode): string {
  if (s.enum) return s.enum.map(String).join(' | ');
  if (s.anyOf) return s.anyOf.map((a) => (a.enum ? a.enum.map(String).join(' | ') : String(a.type))).join(' | ');
  if (s.pattern?.includes('ms|s|m')) return 'duration';
  return Array.isArray(s.type) ? s.type.join(' | ') : s.type ?? '';
}

/** A block scalar's header (`key: |`, `- key: >-`, `key: |2`) and its key's place. */
const BLOCK_HEADER = /^( *)(- +)?([A-Za-z_][\w.-]*):[ \t]+[|>](?:[1-9][+-]?|[+-][1-9]?)?[ \t]*(?:#.*)?$/;

/**
 * The block scalar the line is a line of, found by its header above: the nearest less indented line, and so on up
 * while it is not one, as long as the lines between are indented past the header's key (YAML's rule for its content).
 */
function blockScalarAt(lines: string[], lineNo: number, prefix: string): { line: number; keyCol: number; dashCol: number } | null {
  let indent = /^ */.exec(prefix)![0].length;
  if (indent === 0) return null;
  for (let i = lineNo - 1; i >= 0; i--) {
    const line = lines[i];
    if (!line.trim()) continue;
    const own = /^ */.exec(line)![0].length;
    if (own >= indent) continue;
    const m = BLOCK_HEADER.exec(line);
    if (m) {
      const keyCol = m[1].length + (m[2]?.length ?? 0);
      return keyCol < indent ? { line: i, keyCol, dashCol: m[2] ? m[1].length : -1 } : null;
    }
    indent = own;
    if (indent === 0) return null;
  }
  return null;
}

/** What an annotation's open `{{` may hold next: after a `|` a function, else a variable (and a function first). */
function templateCompletions(typed: string): CompletionItem[] | null {
  const open = typed.lastIndexOf('{{');
  if (open < 0 || typed.indexOf('}}', open) >= 0) return null;
  const inside = typed.slice(open + 2);
  const fns = Object.entries(FUNCTION_DOCS).map(([label, detail]) => ({ label, kind: 'value' as const, insertText: label, detail }));
  if (/\|\s*[\w]*$/.test(inside)) return fns;
  const vars = [...TEMPLATE_VARIABLES, 'labels.'].map((label) => ({ label, kind: 'metric' as const, insertText: label, detail: label === 'labels.' ? 'a label of the rule or the series: labels.KEY' : 'template variable' }));
  return /^\s*[\w.]*$/.test(inside) ? [...vars, ...fns] : vars;
}

/** The formatting functions, each with what it does to an example. */
const FUNCTION_DOCS: Record<keyof typeof TEMPLATE_FUNCTIONS, string> = {
  humanize: '1234567 → 1.235M', humanize1024: '1048576 → 1Mi', humanizeDuration: 'seconds: 899.99 → 14m 59s',
  humanizePercentage: '0.1234567 → 12.35%', humanizeTimestamp: 'Unix seconds → 2015-06-23 13:19:44.128 +0000 UTC',
  printf: 'Go\'s printf: printf "%.2f" value', title: 'aa bb → Aa Bb', toUpper: 'upper case', toLower: 'lower case', stripPort: 'node1:9100 → node1',
};

function valueCompletions(path: (string | number)[], typed: string, ctx?: RulesDataContext): CompletionItem[] {
  const key = path[path.length - 1];
  if (path[path.length - 2] === 'annotations') return templateCompletions(typed) ?? [];
  const inFlowList = /^\[/.test(typed);
  if ((key === 'metric' || key === 'metrics') && ctx) {
    return ctx.metrics.map((m) => {
      const s = getOwn(ctx.stats, m);
      return { label: m, kind: 'metric' as const, insertText: inFlowList || key === 'metric' ? m : `[${m}]`, detail: s?.count ? `min ${formatNumber(s.min)} · median ${formatNumber(s.median)} · max ${formatNumber(s.max)}` : undefined };
    });
  }
  const schema = schemaAt(path);
  if (!schema) return [];
  const s = resolveRef(schema);
  if (s.pattern?.includes('ms|s|m')) {
    const set = new Set(DURATIONS);
    if (ctx?.stepMs) for (const k of [1, 3, 5, 10]) set.add(formatDuration(ctx.stepMs * k));
    return [...set].sort((a, b) => parseDuration(a) - parseDuration(b)).map((d) => ({
      label: d, kind: 'duration' as const, insertText: d,
      detail: ctx?.stepMs ? `${formatNumber(parseDuration(d) / ctx.stepMs)} rows of ${ctx.name}` : undefined,
    }));
  }
  const values: unknown[] = [];
  if (s.enum) values.push(...s.enum);
  for (const a of s.anyOf ?? []) {
    if (a.enum) values.push(...a.enum);
    if (a.type === 'boolean') values.push(true, false);
  }
  if (s.type === 'boolean') values.push(true, false);
  if (s.const !== undefined) values.push(s.const);
  return values.map((v) => {
    const text = String(v);
    const needsQuotes = /^[>!|<=]/.test(text);
    const detail = key === 'severity' || key === 'min_severity' ? `score ≥ ${SEVERITY_FLOOR[text as keyof typeof SEVERITY_FLOOR] ?? ''}` : undefined;
    return { label: text, kind: 'value' as const, insertText: needsQuotes ? `"${text}"` : text, detail };
  });
}

// ---------------------------------------------------------------------------------------------

/**
 * Edits that set rules' thresholds (by rule name) in place, touching only the threshold scalars so
 * comments and formatting survive; unknown names and non-finite numbers are skipped. In a Prometheus rule file, the
 * number its rule's expr compares with (`cpu > 90`: the rules that have a slider, Rule.thresholdSpan).
 */
export function thresholdEdits(text: string, thresholds: Record<string, number>): TextEdit[] {
  const parsed = parseYamlAst(text);
  const edits: TextEdit[] = [];
  const top = parsed.root ? deref(parsed.root) : null;
  if (top?.kind !== 'map') return edits;
  if (isPrometheusRuleStream(parsed)) {
    for (const r of promRulesForCsv(text, lineStarts(text)).file.rules) {
      const value = Object.hasOwn(thresholds, r.name) ? thresholds[r.name] : NaN;
      if (r.thresholdSpan && Number.isFinite(value)) edits.push({ startOffset: r.thresholdSpan[0], endOffset: r.thresholdSpan[1], newText: String(value) });
    }
    return edits;
  }
  const rules = getPair(top, 'rules');
  const seq = rules ? deref(rules.value) : null;
  if (seq?.kind !== 'seq') return edits;
  for (const item of seq.items) {
    const m = deref(item);
    if (m.kind !== 'map') continue;
    const name = getPair(m, 'name');
    const nameNode = name ? deref(name.value) : null;
    if (nameNode?.kind !== 'scalar' || !Object.hasOwn(thresholds, nameNode.text)) continue;
    const value = thresholds[nameNode.text];
    const thr = getPair(m, 'threshold');
    if (!thr || thr.value.kind !== 'scalar' || !Number.isFinite(value)) continue;
    const v = thr.value;
    if (v.empty) edits.push({ startOffset: v.start, endOffset: v.end, newText: ` ${String(value)}` });
    else edits.push({ startOffset: v.start, endOffset: v.end, newText: String(value) });
  }
  return edits;
}

/** Applies non-overlapping edits to a text (in any order). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.startOffset - a.startOffset);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.startOffset) + e.newText + out.slice(e.endOffset);
  return out;
}

/** Where each named rule starts (first key of its item), for CodeLens; works on files with errors too. */
export function ruleRanges(text: string): RuleLocation[] {
  const parsed = parseYamlAst(text);
  const out: RuleLocation[] = [];
  const top = parsed.root ? deref(parsed.root) : null;
  if (top?.kind !== 'map') return out;
  if (isPrometheusRuleStream(parsed)) {
    // A Prometheus rule file: its alerts that run on the data, by the names they run under (promRulesForCsv).
    const lines = lineStarts(text);
    return promRulesForCsv(text, lines).sites.map((site) => {
      const start = site.node.pairs[0]?.key.start ?? site.node.start;
      return { name: site.name ?? '', startOffset: start, endOffset: site.node.end, line: positionAt(lines, start).line };
    });
  }
  const rules = getPair(top, 'rules');
  const seq = rules ? deref(rules.value) : null;
  if (seq?.kind !== 'seq') return out;
  const lines = lineStarts(text);
  for (const item of seq.items) {
    if (item.kind !== 'map' || !item.pairs.length) continue;
    const name = getPair(item, 'name');
    const nameNode = name ? deref(name.value) : null;
    if (nameNode?.kind !== 'scalar' || !nameNode.text) continue;
    const start = item.pairs[0].key.start;
    out.push({ name: nameNode.text, startOffset: start, endOffset: item.end, line: positionAt(lines, start).line });
  }
  return out;
}
