// The JSON Schema's errors on a rules file, as diagnostics at the YAML node they are about, with fixes.
import type { ErrorObject } from 'ajv';
import type { DiagnosticFix, RulesDataContext } from './model.ts';
import type { DiagnosticSink } from './diagnostics.ts';
import { keysAt, schemaAt } from './schema.ts';
import { didYouMean } from './suggest.ts';
import { meantValue } from './valueFixes.ts';
import { deref, getPair } from './yamlAst.ts';
import { positionAt } from '../textPosition.ts';
import type { YMap, YNode, YScalar } from './yamlAst.ts';

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

export function mapSchemaErrors(errors: ErrorObject[], root: YNode, out: DiagnosticSink, context: { data?: RulesDataContext }): void {
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
        // The key is there, misspelt (`treshold:`): its unknown-key error says so and fixes it; a second error on
        // the mapping's first key, a correct one, would only be noise.
        if (n.kind === 'map' && misspeltHere(n, name, loc.path)) break;
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

/** Whether a key of the mapping not allowed at `path` is a misspelling of `name` (its did-you-mean is `name`). */
function misspeltHere(map: YMap, name: string, path: (string | number)[]): boolean {
  const allowed = keysAt(path);
  const present = new Set(map.pairs.map((p) => (p.key.kind === 'scalar' ? p.key.text : '')));
  const open = allowed.filter((k) => !present.has(k));
  return map.pairs.some((p) => p.key.kind === 'scalar' && !allowed.includes(p.key.text) && didYouMean(p.key.text, open) === name);
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
      const suggestion = (text ? didYouMean(text, allowed) : undefined) ?? meantValue(key, n, allowed)?.replace(/^"(.*)"$/, '$1');
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
  // A quoted number, seconds for a duration, a unit word: the value meant, offered as a fix.
  const meant = !fix && (e.keyword === 'type' || e.keyword === 'pattern' || e.keyword === 'anyOf') ? meantValue(key, loc.node) : undefined;
  if (meant && loc.node.kind === 'scalar') {
    message += ` (did you mean ${meant}?)`;
    fix = { title: `Change to ${meant}`, edits: [{ startOffset: loc.node.start, endOffset: loc.node.end, newText: meant }] };
  }
  out.add('error', 'schema', code, message, s, en, fix);
}

const PLACEHOLDER: Record<string, string> = { version: '1', rules: '[]', op: '">"', threshold: '0' };

/** An edit adding `key: placeholder` as the mapping's last entry, at its indentation. */
function missingKeyFix(out: DiagnosticSink, map: YMap, key: string, path: readonly (string | number)[], context: { data?: RulesDataContext }): DiagnosticFix {
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
