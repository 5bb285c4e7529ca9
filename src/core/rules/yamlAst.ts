import { CORE_SCHEMA, EVENT_ID, SCALAR_STYLE, YAMLException, getScalarValue, parseEvents } from 'js-yaml';
import { yamlSyntaxHint } from './yamlSyntaxHint.ts';
import type { Event, ScalarEvent } from 'js-yaml';

/**
 * A small positioned YAML tree built from js-yaml's event stream: every node knows its source
 * offsets (0-based, end-exclusive), so diagnostics, hover and edits can point at exact text.
 * Aliases stay aliases (a pointer to the anchored node): nothing is ever expanded here.
 */
export type YNode = YScalar | YMap | YSeq | YAlias;

/** A scalar: `value` is resolved with the YAML 1.2 core schema (string, number, boolean or null). */
export interface YScalar {
  kind: 'scalar';
  start: number;
  end: number;
  /** The decoded text (quotes and escapes removed). */
  text: string;
  value: string | number | boolean | null;
  /** js-yaml's SCALAR_STYLE: 1 plain, 2 single-quoted, 3 double-quoted, 4 literal, 5 folded. */
  style: number;
  /** True when the scalar is absent from the source (`key:` with nothing after it). */
  empty: boolean;
  anchor?: string;
}

/** A mapping; pairs keep their source order. */
export interface YMap {
  kind: 'map';
  start: number;
  end: number;
  flow: boolean;
  pairs: YPair[];
  anchor?: string;
}

/** One `key: value` entry of a mapping. */
export interface YPair {
  key: YNode;
  value: YNode;
}

/** A sequence. */
export interface YSeq {
  kind: 'seq';
  start: number;
  end: number;
  flow: boolean;
  items: YNode[];
  anchor?: string;
}

/** A `*name` alias, with the node its anchor names (null when the anchor is unknown). */
export interface YAlias {
  kind: 'alias';
  start: number;
  end: number;
  name: string;
  target: YNode | null;
}

/** A problem found while reading YAML, with its source offsets. */
export interface YamlProblem {
  code: string;
  message: string;
  startOffset: number;
  endOffset: number;
  /** The 0-based document it is in, when not the first (a manifest's later documents are read: ruleFile.ts). */
  document?: number;
}

/** Limits on hostile input, checked before or while walking events. */
export interface YamlLimits {
  /** Longest text accepted, in UTF-16 code units. @default EDITOR_MAX_CHARS */
  maxChars?: number;
  /** Deepest nesting of collections. @default 100 */
  maxDepth?: number;
  /** Most aliases in one document. @default 1000 */
  maxAliases?: number;
  /** Most nodes aliases may add to the file's own when expanded. @default 200_000 */
  maxExpandedNodes?: number;
}

/**
 * The outcome of reading YAML: the first document's root (null when empty or unreadable), every document's root in
 * file order (a Kubernetes manifest's documents are each applied: ruleFile.ts reads every PrometheusRule one) and
 * problems.
 */
export interface YamlParse {
  root: YNode | null;
  documents: (YNode | null)[];
  /** The first document's problems, and whether there are later documents (`multiple-documents`, `empty-document`). */
  problems: YamlProblem[];
  /** The later documents' problems (each with its `document`). */
  laterProblems?: YamlProblem[];
}

/**
 * Longest rules text read as you type (the editor's diagnostics, hover, completion): a 1.1 MB file of 6 000 alerts
 * takes over a second to check (`check`: 1.3 s), too long to redo at each keystroke.
 */
export const EDITOR_MAX_CHARS = 1 << 20;
/**
 * Longest rules file the command line (`check`, `test`, `analyze --rules`) and a test run read: generated rule sets
 * fit (a 10 MB file of 30 100 alerts is checked in 2.4-4.7 s, promtool 2.42 takes 13.3 s; README).
 */
export const RULE_FILE_MAX_CHARS = 64 << 20;

const TAG_PREFIX = 'tag:yaml.org,2002:';

/** Parses YAML text into a positioned tree; never throws, refuses hostile input fast with a problem. */
export function parseYamlAst(text: string, limits: YamlLimits = {}): YamlParse {
  const maxChars = limits.maxChars ?? EDITOR_MAX_CHARS;
  const maxDepth = limits.maxDepth ?? 100;
  const maxAliases = limits.maxAliases ?? 1000;
  const maxExpanded = limits.maxExpandedNodes ?? 200_000;
  if (text.length > maxChars) {
    const cli = maxChars < RULE_FILE_MAX_CHARS ? ` here; \`anomaly-hunter check\` reads up to ${RULE_FILE_MAX_CHARS}` : '';
    return fail('too-large', `file is too large for a rules file (${text.length} characters, at most ${maxChars}${cli})`, 0, 0);
  }
  // YAML forbids C0 controls other than tab/LF/CR; a NUL or similar means binary, not a typo.
  const ctl = firstControlChar(text);
  if (ctl >= 0) {
    const code = text.charCodeAt(ctl).toString(16).padStart(4, '0');
    return fail('binary', `not a text file: control character U+${code.toUpperCase()}`, ctl, ctl + 1);
  }
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth });
  } catch (e) {
    if (e instanceof YAMLException) {
      const pos = Math.min(Math.max(e.mark?.position ?? 0, 0), text.length);
      const deep = /maxDepth/.test(e.reason);
      if (deep) return fail('too-deep', `nesting deeper than ${maxDepth} levels`, pos, Math.min(pos + 1, text.length));
      // The parser's words point where it gave up; for an unquoted template or an unclosed quote or bracket, the
      // place to fix is earlier, and said so.
      const hint = yamlSyntaxHint(text, pos);
      if (hint) return fail('yaml-syntax', `${hint.message} (YAML: ${e.reason})`, hint.offset, Math.min(hint.offset + 1, text.length));
      return fail('yaml-syntax', e.reason, pos, Math.min(pos + 1, text.length));
    }
    return fail('yaml-syntax', String((e as Error)?.message ?? e), 0, 0);
  }
  return buildTree(text, events, maxAliases, maxExpanded);
}

/** Offset of the first character YAML forbids (C0 controls but tab/LF/CR, DEL, U+FFFE/U+FFFF), or -1. */
function firstControlChar(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127 || c === 0xfffe || c === 0xffff) return i;
  }
  return -1;
}

function fail(code: string, message: string, startOffset: number, endOffset: number): YamlParse {
  return { root: null, documents: [], problems: [{ code, message, startOffset, endOffset }] };
}

type Open = { node: YMap | YSeq; pendingKey: YNode | null };

function buildTree(text: string, events: Event[], maxAliases: number, maxExpanded: number): YamlParse {
  const problems: YamlProblem[] = [];
  const anchors = new Map<string, YNode>();
  const stack: Open[] = [];
  const roots: (YNode | null)[] = [];
  let documents = 0;
  let aliases = 0;
  let lastEnd = 0;

  let nodes = 0;
  const attach = (node: YNode): boolean => {
    nodes++;
    const top = stack[stack.length - 1];
    if (!top) {
      roots[documents - 1] = node;
      return true;
    }
    if (top.node.kind === 'seq') top.node.items.push(node);
    else if (top.pendingKey === null) top.pendingKey = node;
    else {
      top.node.pairs.push({ key: top.pendingKey, value: node });
      top.pendingKey = null;
    }
    return true;
  };

  for (let i = 0; i < events.length; i++) {
    const ev = events[i];
    const known = problems.length;
    switch (ev.type) {
      case EVENT_ID.DOCUMENT:
        documents++;
        roots.push(null);
        // Anchors are a document's own (YAML 1.2 §3.2.2.2); so is the count of aliases (maxAliases).
        anchors.clear();
        aliases = 0;
        if (documents === 2) {
          const at = nextDocumentMarker(text, lastEnd);
          // A later document with something in it is refused (validate.ts: an error), an empty one (a trailing `---`) is said.
          const code = laterDocumentsHoldContent(events, i) ? 'multiple-documents' : 'empty-document';
          const message = code === 'multiple-documents'
            ? 'a rules file is one YAML document: this second document (and any after it) is not checked nor loaded — promtool and Prometheus read only the first; put its rules in the first document or in a file of their own'
            : 'an empty YAML document after the first: remove this `---`';
          problems.push({ code, message, startOffset: at, endOffset: Math.min(at + 3, text.length) });
        }
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const anchor = ev.anchorStart >= 0 ? text.slice(ev.anchorStart + 1, ev.anchorEnd) : undefined;
        const flow = ev.style === 2;
        const node: YMap | YSeq = ev.type === EVENT_ID.MAPPING
          ? { kind: 'map', start: ev.start, end: ev.start + 1, flow, pairs: [] }
          : { kind: 'seq', start: ev.start, end: ev.start + 1, flow, items: [] };
        if (anchor !== undefined) { node.anchor = anchor; anchors.set(anchor, node); }
        attach(node);
        stack.push({ node, pendingKey: null });
        lastEnd = Math.max(lastEnd, ev.start + 1);
        break;
      }
      case EVENT_ID.SCALAR: {
        const node = scalarOf(text, ev, lastEnd, problems);
        if (node.anchor !== undefined) anchors.set(node.anchor, node);
        attach(node);
        lastEnd = Math.max(lastEnd, node.end);
        break;
      }
      case EVENT_ID.ALIAS: {
        aliases++;
        const name = text.slice(ev.anchorStart + 1, ev.anchorEnd);
        if (aliases > maxAliases) {
          return { root: null, documents: [], problems: [{ code: 'alias-bomb', message: `more than ${maxAliases} aliases: refused (alias expansion bomb?)`, startOffset: ev.anchorStart, endOffset: ev.anchorEnd }] };
        }
        const target = anchors.get(name) ?? null;
        if (!target) problems.push({ code: 'unknown-alias', message: `unknown anchor '${name}'`, startOffset: ev.anchorStart, endOffset: ev.anchorEnd });
        attach({ kind: 'alias', start: ev.anchorStart, end: ev.anchorEnd, name, target });
        lastEnd = Math.max(lastEnd, ev.anchorEnd);
        break;
      }
      case EVENT_ID.POP: {
        const top = stack.pop();
        if (!top) break;
        const n = top.node;
        const last = n.kind === 'map' ? n.pairs[n.pairs.length - 1]?.value : n.items[n.items.length - 1];
        n.end = Math.max(n.start + 1, last ? last.end : n.start + 1);
        if (n.flow) n.end = closingBracket(text, n.end, n.kind === 'map' ? '}' : ']');
        lastEnd = Math.max(lastEnd, n.end);
        break;
      }
    }
    if (documents > 1 && ev.type !== EVENT_ID.DOCUMENT) for (let k = known; k < problems.length; k++) problems[k].document = documents - 1;
  }
  // Aliases may add up to maxExpanded nodes to the file's own: a large generated file without a bomb is read.
  const cap = maxExpanded + nodes;
  let size = 0;
  for (const r of roots) {
    if (r !== null) size += expandedSize(r, cap);
    if (size > cap) {
      return { root: null, documents: [], problems: [{ code: 'alias-bomb', message: `aliases would expand to more than ${cap} nodes: refused (alias expansion bomb)`, startOffset: 0, endOffset: 0 }] };
    }
  }
  // The later documents' own problems apart: a rule file is its first document (promtool's reading), a manifest every one.
  return { root: roots[0] ?? null, documents: roots, problems: problems.filter((p) => p.document === undefined), laterProblems: problems.filter((p) => p.document !== undefined) };
}

/** Where the second document starts: its `---` line (a `...` ending the first, when the second has no `---`). */
function nextDocumentMarker(text: string, from: number): number {
  const start = /^---(?=[ \t\r\n]|$)/gm;
  start.lastIndex = from;
  const m = start.exec(text);
  if (m) return m.index;
  const end = /^\.\.\.(?=[ \t\r\n]|$)/gm;
  end.lastIndex = from;
  return end.exec(text)?.index ?? from;
}

/** Whether the documents from the event at `i` (a document's) on hold anything but empty (null) values. */
function laterDocumentsHoldContent(events: readonly Event[], i: number): boolean {
  for (let j = i + 1; j < events.length; j++) {
    const ev = events[j];
    if (ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE || ev.type === EVENT_ID.ALIAS) return true;
    if (ev.type === EVENT_ID.SCALAR && (ev.valueStart >= 0 || ev.anchorStart >= 0 || ev.tagStart >= 0)) return true;
  }
  return false;
}

/** Offset just past the closing bracket of a flow collection whose last item ends at `from`. */
function closingBracket(text: string, from: number, bracket: string): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === bracket) return i + 1;
    if (c === '#') { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r' && c !== ',') return from;
  }
  return from;
}

function scalarOf(text: string, ev: ScalarEvent, lastEnd: number, problems: YamlProblem[]): YScalar {
  const anchor = ev.anchorStart >= 0 ? text.slice(ev.anchorStart + 1, ev.anchorEnd) : undefined;
  const empty = ev.valueStart < 0;
  let start: number;
  let end: number;
  if (empty) {
    // `key:` with no value: js-yaml gives no offsets; place the node right after the ':'.
    const colon = text.indexOf(':', lastEnd);
    start = end = colon >= 0 && colon - lastEnd < 200 ? colon + 1 : lastEnd;
  } else {
    start = ev.valueStart;
    end = ev.valueEnd;
    if (ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED) { start--; end++; }
  }
  const decoded = empty ? '' : getScalarValue(text, ev);
  let value: YScalar['value'] = decoded;
  if (ev.tagStart >= 0) {
    const tag = text.slice(ev.tagStart, ev.tagEnd);
    const tagged = explicitTag(tag, decoded);
    if (tagged === undefined) problems.push({ code: 'unknown-tag', message: `unsupported tag '${tag}'`, startOffset: ev.tagStart, endOffset: ev.tagEnd });
    else value = tagged;
  } else if (ev.style === SCALAR_STYLE.PLAIN) {
    value = empty ? null : (CORE_SCHEMA.resolveImplicitScalarTag(decoded).value as YScalar['value']);
  }
  const node: YScalar = { kind: 'scalar', start, end, text: decoded, value, style: ev.style, empty };
  if (anchor !== undefined) node.anchor = anchor;
  return node;
}

function explicitTag(tag: string, text: string): YScalar['value'] | undefined {
  const name = tag.startsWith('!!') ? TAG_PREFIX + tag.slice(2) : tag.startsWith('!<') ? tag.slice(2, -1) : tag;
  if (name === TAG_PREFIX + 'str' || tag === '!') return text;
  const def = CORE_SCHEMA.lookupScalarTag(name);
  if (!def) return undefined;
  const v = def.resolve(text, true, name);
  return typeof v === 'symbol' ? undefined : (v as YScalar['value']);
}

/** Node count with aliases expanded, memoised per node and capped so a bomb is measured in O(nodes). */
function expandedSize(root: YNode, cap: number): number {
  const memo = new Map<YNode, number>();
  const visiting = new Set<YNode>();
  const size = (n: YNode): number => {
    if (n.kind === 'alias') return n.target ? size(n.target) : 1;
    if (n.kind === 'scalar') return 1;
    const known = memo.get(n);
    if (known !== undefined) return known;
    if (visiting.has(n)) return cap + 1;
    visiting.add(n);
    let s = 1;
    if (n.kind === 'map') for (const p of n.pairs) { s += size(p.key) + size(p.value); if (s > cap) break; }
    else for (const it of n.items) { s += size(it); if (s > cap) break; }
    visiting.delete(n);
    memo.set(n, s);
    return s;
  };
  return size(root);
}

/** The node an alias points at (following chains), or the node itself. */
export function deref(node: YNode): YNode {
  let n: YNode = node;
  for (let hops = 0; n.kind === 'alias' && n.target && hops < 100; hops++) n = n.target;
  return n;
}

/**
 * A mapping's pairs with YAML's merge keys applied (`<<: *defaults`, `<<: [*a, *b]`, as Prometheus's YAML reads a
 * rule file): its own pairs, then each merged mapping's (merged in turn) whose key is not yet there — the first
 * wins. The node that is not a mapping where one is merged, if any.
 */
export function mergedPairs(map: YMap, depth = 0): { pairs: YPair[]; bad: YNode | null } {
  const own = map.pairs.filter((p) => !(p.key.kind === 'scalar' && p.key.style === 1 && p.key.text === '<<'));
  if (own.length === map.pairs.length) return { pairs: own, bad: null };
  const pairs = [...own];
  const keys = new Set(own.map((p) => (p.key.kind === 'scalar' ? p.key.text : '')));
  for (const p of map.pairs) {
    if (own.includes(p)) continue;
    const v = deref(p.value);
    for (const x of v.kind === 'seq' ? v.items.map(deref) : [v]) {
      if (x.kind !== 'map' || depth > 100) return { pairs, bad: x };
      const inner = mergedPairs(x, depth + 1);
      if (inner.bad) return { pairs, bad: inner.bad };
      for (const q of inner.pairs) {
        const k = q.key.kind === 'scalar' ? q.key.text : '';
        if (!keys.has(k)) { keys.add(k); pairs.push(q); }
      }
    }
  }
  return { pairs, bad: null };
}

/** The value node under `key` in a mapping, or undefined. */
export function getPair(map: YMap, key: string): YPair | undefined {
  for (const p of map.pairs) if (p.key.kind === 'scalar' && p.key.text === key) return p;
  return undefined;
}
