/**
 * A Go template (text/template, as Prometheus's alert templates write them) read into its tree: text, actions,
 * `if` / `else if` / `else` / `end`, `with`, `range`, comments and variables (`$x := …`, `$k, $v := …`), with the
 * parse errors Go's parser gives (promtool check rules refuses the rule file): `unexpected {{end}}`,
 * `unexpected EOF`, `undefined variable "$x"`, `integer overflow: "08"`…, and `break` / `continue` in a range. What
 * we do not read (define, template, block, an action that is not a pipeline of ours) is a node kept as written.
 */
import { goQuote } from './goFormat.ts';
import { PROMETHEUS_FUNCTION_NAMES } from './goFunctions.ts';
import { parsePipeline } from './goPipeline.ts';
import type { Pipeline } from './goPipeline.ts';

/** One action of a Go template (goActions). */
export interface GoAction {
  /** The text before it, trimmed as Go's trim markers beside it say. */
  literal: string;
  /** What is between its braces less its trim markers; null for a text `whole` matched. */
  body: string | null;
  /** Where its body starts in the template (2 past the whole text's start when body is null). */
  bodyStart: number;
  /** The action as written, braces and trim markers included, and where it starts in the template. */
  written: string;
  start: number;
}

const SPACE = /[ \t\r\n]/;

/**
 * The actions of a Go template in order and the text after the last (`tail`, trimmed too). Trim markers are Go's:
 * `{{- ` and ` -}}` (a space, tab or newline beside the '-') trim those same characters beside the action; `{{-3}}`
 * is the number -3. An action ends at the first `}}`; an unclosed `{{` is text. `whole` (sticky) names a run of
 * actions taken as one, without trimming. One scan with indexOf: a long text of unclosed `{{` stays linear.
 */
export function goActions(template: string, whole?: RegExp): { actions: GoAction[]; tail: string; unclosed: number | null } {
  const actions: GoAction[] = [];
  let unclosed: number | null = null;
  let last = 0;
  let trimNext = false;
  const literalTo = (end: number, trimEnd: boolean): string => {
    let literal = template.slice(last, end);
    if (trimNext) literal = literal.replace(/^[ \t\r\n]+/, '');
    return trimEnd ? literal.replace(/[ \t\r\n]+$/, '') : literal;
  };
  for (let open = template.indexOf('{{'); open >= 0; open = template.indexOf('{{', last)) {
    if (whole) {
      whole.lastIndex = open;
      const w = whole.exec(template);
      if (w) {
        actions.push({ literal: literalTo(open, false), body: null, bodyStart: open + 2, written: w[0], start: open });
        last = open + w[0].length;
        trimNext = false;
        continue;
      }
    }
    const left = template[open + 2] === '-' && SPACE.test(template[open + 3] ?? '');
    const from = open + (left ? 4 : 2);
    const close = template.indexOf('}}', from);
    if (close < 0) { unclosed = open; break; }
    const right = close - from >= 2 && template[close - 1] === '-' && SPACE.test(template[close - 2]);
    actions.push({ literal: literalTo(open, left), body: template.slice(from, right ? close - 2 : close), bodyStart: from, written: template.slice(open, close + 2), start: open });
    last = close + 2;
    trimNext = right;
  }
  const tail = template.slice(last);
  return { actions, tail: trimNext ? tail.replace(/^[ \t\r\n]+/, '') : tail, unclosed };
}

/** A pipeline of an action or a control, with the variables it declares (`$x :=`) or assigns (`$x =`). */
export interface GoPipe {
  decl: string[];
  assign: boolean;
  pipeline: Pipeline;
  /** Where the action's body starts in the template: the pipeline's offsets count from there. */
  bodyStart: number;
  /** The pipeline as Go names it in an error (`<$value>`), its offset in the body. */
  text: string;
  at: number;
  /** Its action as written. */
  action: GoAction;
}

/** A node of a template's tree. */
export type GoNode =
  | { kind: 'text'; text: string }
  | { kind: 'evalTime' }
  | { kind: 'action'; pipe: GoPipe; written: string }
  | { kind: 'if' | 'with' | 'range'; pipe: GoPipe; list: GoNode[]; elseList: GoNode[] }
  /** `{{ break }}` / `{{ continue }}` in a range (Go 1.18). */
  | { kind: 'break' } | { kind: 'continue' }
  /** An action we do not read: `why`, and the action as written. */
  | { kind: 'unread'; why: string; written: string };

type Control = Extract<GoNode, { list: GoNode[] }>;

/**
 * A parse error of Go's: its message and where in the template (the offending word); `lineAt`: where Go counts its
 * line when elsewhere (EOF); `startedAt`: an unclosed action's start when on another line (Go names both).
 */
export interface GoParseError { message: string; at: number; lineAt?: number; startedAt?: number }

/** The variables Prometheus declares before an alert's template (rules/alerting.go), and `$` (the data). */
export const PROMETHEUS_VARIABLES = ['$', '$labels', '$externalLabels', '$externalURL', '$value'] as const;

/** Controls (if, with, range, else if) nested deeper than this are not rendered (Go's parser takes any depth). */
const MAX_NESTING = 500;

const KEYWORD = /^\s*(if|with|range|else|end|define|template|block|break|continue)(?![\w$.])/;
const DECLARATION = /^(\s*)(\$[A-Za-z0-9_]*)\s*(?:,\s*(\$[A-Za-z0-9_]*)\s*)?(:=|=)/;

/**
 * A template's tree, or Go's parse error. `whole` (sticky) names a run of actions read as one node (`evalTime`).
 * Variables are Go's: declared before use, visible to the end of the control they are declared in.
 */
export function parseGoTemplate(template: string, whole?: RegExp): { nodes: GoNode[] } | { error: GoParseError } {
  const { actions, tail, unclosed } = goActions(template, whole);
  const vars: string[] = [...PROMETHEUS_VARIABLES];
  type Open = { node: Control; inElse: boolean; mark: number; elseIfs: number; at: number };
  const root: GoNode[] = [];
  const stack: Open[] = [];
  let deepest = 0;
  const current = (): GoNode[] => {
    const top = stack[stack.length - 1];
    return top ? (top.inElse ? top.node.elseList : top.node.list) : root;
  };
  const fail = (message: string, at: number): { error: GoParseError } => ({ error: { message, at } });
  for (const a of actions) {
    if (a.literal) current().push({ kind: 'text', text: a.literal });
    if (a.body === null) { current().push({ kind: 'evalTime' }); continue; }
    const body = a.body;
    // Where Go's parser is when it fails on the action's keyword.
    const at = a.bodyStart + body.length - body.trimStart().length;
    if (body.startsWith('/*')) {
      if (body.length >= 4 && body.indexOf('*/', 2) === body.length - 2) continue;
      if (body.includes('*/')) return fail('comment ends before closing delimiter', at);
      current().push({ kind: 'unread', why: 'a comment with }} inside', written: a.written });
      continue;
    }
    const k = KEYWORD.exec(body);
    const word = k?.[1];
    const rest = k ? ' '.repeat(k[0].length) + body.slice(k[0].length) : body;
    if (word === 'end' || word === 'else') {
      const top = stack[stack.length - 1];
      if (!top) return fail(`unexpected {{${word}}}`, at);
      if (word === 'else') {
        if (top.inElse) return fail('expected end; found {{else}}', at);
        const elseIf = /^\s*if(?![\w$.])/.exec(rest);
        // Where the word after `else` is: Go's parser names it when it does not take it.
        const next = a.bodyStart + rest.length - rest.trimStart().length;
        // Only an `if` takes `else if` (Go 1.19): under range or with, the `if` is an action of its own.
        if (elseIf && top.node.kind !== 'if') return fail('unexpected <if> in input', next);
        if (elseIf) {
          // `{{ else if x }}` is `{{ else }}{{ if x }}` whose `{{ end }}` is the first's.
          top.inElse = true;
          const mark = vars.length;
          const p = pipeOf(' '.repeat(elseIf[0].length) + rest.slice(elseIf[0].length), a, 'if', vars);
          if ('error' in p) return p;
          if ('unread' in p) return { nodes: [{ kind: 'unread', why: p.unread, written: template }] };
          const node: Control = { kind: 'if', pipe: p, list: [], elseList: [] };
          top.node.elseList.push(node);
          stack.push({ node, inElse: false, mark, elseIfs: top.elseIfs + 1, at });
          deepest = Math.max(deepest, stack.length);
          top.elseIfs = 0;
          continue;
        }
        if (rest.trim()) return unexpected(rest.trimStart(), 'else', next) ?? { nodes: [{ kind: 'unread', why: `{{${body.trim()}}}`, written: template }] };
        top.inElse = true;
        continue;
      }
      if (rest.trim()) {
        const next = a.bodyStart + rest.length - rest.trimStart().length;
        return unexpected(rest.trimStart(), 'end', next) ?? { nodes: [{ kind: 'unread', why: `{{${body.trim()}}}`, written: template }] };
      }
      // An `end` closes an `if` and the `else if`s chained to it.
      for (let n = top.elseIfs; n >= 0; n--) vars.length = stack.pop()!.mark;
      continue;
    }
    if (word === 'if' || word === 'with' || word === 'range') {
      const mark = vars.length;
      const p = pipeOf(rest, a, word, vars);
      if ('error' in p) return p;
      if ('unread' in p) return { nodes: [{ kind: 'unread', why: p.unread, written: template }] };
      const node: Control = { kind: word, pipe: p, list: [], elseList: [] };
      current().push(node);
      stack.push({ node, inElse: false, mark, elseIfs: 0, at });
      deepest = Math.max(deepest, stack.length);
      continue;
    }
    if (word === 'break' || word === 'continue') {
      if (rest.trim()) return unexpected(rest.trimStart(), `{{${word}}}`, a.bodyStart + rest.length - rest.trimStart().length) ?? { nodes: [{ kind: 'unread', why: `{{${body.trim()}}}`, written: template }] };
      // Go counts the ranges whose list (not else list) is being read.
      if (!stack.some((o) => o.node.kind === 'range' && !o.inElse)) return fail(`{{${word}}} outside {{range}}`, at);
      current().push({ kind: word });
      continue;
    }
    if (word) return { nodes: [{ kind: 'unread', why: `{{${word}}}`, written: template }] };
    const p = pipeOf(body, a, null, vars);
    if ('error' in p) return p;
    current().push('unread' in p ? { kind: 'unread', why: p.unread, written: a.written } : { kind: 'action', pipe: p, written: a.written });
  }
  // An action without its `}}`: Go's lexer stops there, after the parser has read the words before the end.
  if (unclosed !== null) return unclosedError(template, unclosed, vars);
  // Go names the end of the text; the control left open is where to look.
  if (stack.length) return { error: { message: 'unexpected EOF', at: stack[stack.length - 1].at, lineAt: template.length } };
  // Go runs controls nested deeper; our compiler and evaluator recurse on them and would overflow the stack.
  if (deepest > MAX_NESTING) return { nodes: [{ kind: 'unread', why: `controls nested deeper than ${MAX_NESTING}`, written: template }] };
  if (tail) root.push({ kind: 'text', text: tail });
  return { nodes: root };
}

/**
 * Go's error for an action opened at `open` and never closed: `unclosed comment`, an undefined function or variable
 * among its words (the parser reads them before the lexer reaches the end), else `unclosed action` — at the end of
 * the text, `started at` its line when that is another.
 */
function unclosedError(template: string, open: number, vars: string[]): { error: GoParseError } {
  const left = template[open + 2] === '-' && SPACE.test(template[open + 3] ?? '');
  const from = open + (left ? 4 : 2);
  const body = template.slice(from);
  if (body.startsWith('/*')) return { error: { message: 'unclosed comment', at: open } };
  if (!KEYWORD.test(body)) {
    const d = DECLARATION.exec(body);
    const words = d ? ' '.repeat(d[0].length) + body.slice(d[0].length) : body;
    const p = parsePipeline(words, undefined, { functions: PROMETHEUS_FUNCTION_NAMES, variables: vars });
    if ('error' in p && p.refused) return { error: { message: p.error, at: from + (p.at ?? 0) } };
  }
  const sameLine = !template.slice(open, template.length).includes('\n');
  return { error: { message: 'unclosed action', at: open, lineAt: template.length, ...(sameLine ? {} : { startedAt: open }) } };
}

/**
 * Go's parse error for a word after `else` or `end` (`unexpected <with> in else`, `unexpected "x" in end`: its
 * lexer's item as item.String() writes it, a keyword in <>, else quoted, cut at 10 characters), or null for a word
 * we do not name so (a number: Go's lexer may refuse it first).
 */
function unexpected(text: string, context: string, at: number): { error: GoParseError } | null {
  const m = /^(?:(if|else|end|range|with|define|template|block|break|continue|nil|\.)(?![\w.$])|("(?:[^"\\]|\\.)*"|`[^`]*`|\$[A-Za-z0-9_]*|\.[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|[()|]))/.exec(text);
  if (!m) return null;
  const chars = [...(m[2] ?? '')];
  const item = m[1] ? `<${m[1]}>` : chars.length > 10 ? `${goQuote(chars.slice(0, 10).join(''), false)}...` : goQuote(m[2], false);
  return { error: { message: `unexpected ${item} in ${context}`, at } };
}

/** The pipeline of an action or control (its keyword blanked), declaring its variables; Go's error, or what we do not read. */
function pipeOf(body: string, action: GoAction, control: 'if' | 'with' | 'range' | null, vars: string[]): GoPipe | { error: GoParseError } | { unread: string } {
  const bodyStart = action.bodyStart;
  let text = body;
  const decl: string[] = [];
  let assign = false;
  const d = DECLARATION.exec(body);
  if (d) {
    decl.push(d[2], ...(d[3] ? [d[3]] : []));
    assign = d[4] === '=';
    if (d[3] && control !== 'range') return { error: { message: `too many declarations in ${control ?? 'command'}`, at: bodyStart } };
    if (assign && (d[3] || !vars.includes(d[2]))) return d[3] ? { unread: `'${body.trim()}'` } : { error: { message: `undefined variable "${d[2]}"`, at: bodyStart + d[1].length } };
    text = ' '.repeat(d[0].length) + body.slice(d[0].length);
  }
  if (!text.trim() && control) return { error: { message: `missing value for ${control}`, at: bodyStart } };
  // Go's parser checks each function and variable as it reads it: one not defined is its error.
  const p = parsePipeline(text, undefined, { functions: PROMETHEUS_FUNCTION_NAMES, variables: vars });
  if ('error' in p) {
    if (p.refused) return { error: { message: p.error, at: bodyStart + (p.at ?? 0) } };
    return { unread: p.error };
  }
  if (!assign) vars.push(...decl);
  const at = p[0].at;
  return { decl, assign, pipeline: p, bodyStart, text: text.slice(at).trim(), at, action };
}
