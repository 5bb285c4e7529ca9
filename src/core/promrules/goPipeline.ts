/**
 * One template action as Prometheus's alert templates write it (Go text/template): an operand, or commands joined
 * by `|`, each a function and its arguments, the value before a `|` passed as the last argument
 * (`{{ $value | humanizePercentage }}`, `{{ printf "%.2f" $value }}`, `{{ $labels.instance | stripPort }}`).
 * Literals are Go's: `5`, `0x1F`, `'a'` are int, `5.0`, `1e3`, `0x1p4` float64, `"…"` and `` `…` `` string. It runs
 * as Go's text/template runs it, with its errors (a wrong type, a wrong number of arguments, an error a function
 * returns) at the word Go names. Shared by our rules files' templates and the Prometheus rules our engine runs.
 */
import type { GoValue } from './goFormat.ts';
import { FUNCTION_PARAMS, TEMPLATE_FUNCTIONS, TemplateError, goTruth, parseGoFloat, underscoresOk } from './goFunctions.ts';
import { goPlain, goTypeName } from './goPrintf.ts';

export { TEMPLATE_FUNCTIONS } from './goFunctions.ts';

/** An argument: a variable as written (its meaning is the caller's) or a literal; `at` its offset in the action, `text` as written. */
export type Operand = ({ variable: string } | { literal: GoValue } | { pipeline: Pipeline }) & { at: number; text: string };
interface Command { fn: string | null; at: number; args: Operand[] }
export type Pipeline = Command[];

/** Go's text/template execution error: its message and the node it names (offset in the action, the node as Go prints it). */
export class ExecError extends Error {
  constructor(message: string, readonly at: number, readonly context: string) { super(message); }
}

const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt / ParseUint with base 0 (0x, 0o, 0b, a leading 0 for octal, `_` between digits), or null. */
function parseGoInt(text: string): bigint | null {
  if (text.includes('_') && !underscoresOk(text)) return null;
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text.replace(/_/g, ''));
  if (!m) return null;
  let d = m[2];
  if (/^0[0-7]/.test(d)) d = `0o${d.slice(1)}`;
  const v = BigInt(d);
  return m[1] === '-' ? -v : v;
}

/**
 * A number literal as Go's template parser reads it (parse.newNumber, then exec's idealConstant): an int when it
 * is an integer without '.', e, p (hexadecimal ints aside), else a float64; an int beyond int64 but within uint64
 * fails when it runs (`overflows int`), beyond that the template does not parse.
 */
function numberLiteral(text: string): GoValue | { error: string } {
  const i = parseGoInt(text);
  if (i !== null && i >= -(2n ** 63n) && i < 2n ** 64n) {
    const hexInt = /^0[xX]/.test(text) && !/[pP]/.test(text);
    if (!hexInt && /[.eEpP]/.test(text)) return Number(i);
    return i;
  }
  const f = parseGoFloat(text);
  if (f === null || !Number.isFinite(f)) return { error: `illegal number syntax: "${text}"` };
  if (!/[.eEpP]/.test(text)) return { error: `integer overflow: "${text}"` };
  return f;
}

const CHAR_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, "'": 39 };

/** A character literal's code point (strconv.UnquoteChar with '), or null. */
function charLiteral(text: string): number | null {
  const s = text.slice(1, -1);
  if (!s.startsWith('\\')) return [...s].length === 1 ? s.codePointAt(0)! : null;
  if (s.length === 2 && Object.hasOwn(CHAR_ESCAPES, s[1])) return CHAR_ESCAPES[s[1]];
  const m = /^\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3}))$/.exec(s);
  if (!m) return null;
  const v = m[4] ? parseInt(m[4], 8) : parseInt(m[1] ?? m[2] ?? m[3], 16);
  if (m[4] && v > 255) return null;
  return v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff && !m[1]) ? null : v;
}

const NUMBER = String.raw`[+-]?(?=\.?[0-9])(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]*)?|0[oObB][0-9_]*(?:\.[0-9_]*)?|[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]*)?)`;
const TOKEN = new RegExp(String.raw`("(?:[^"\\]|\\.)*")|(\x60[^\x60]*\x60)|(\|)|(${NUMBER})(?![\w.])|('(?:[^'\\]|\\.)*')|(\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|\.?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|\.(?![\w.]))|(\()|(\))`, 'y');
const SPACE = /[ \t\r\n]*/y;

/** Why an action is not a pipeline we run; `refused`: Go's parser refuses it too (promtool check rules fails), `at` where. */
export interface PipelineError { error: string; word?: string; refused?: true; at?: number }

/** Parentheses nested deeper than this are not read (Go reads them; a deeper recursion would overflow the stack). */
const MAX_PAREN_DEPTH = 500;

/** Words Go's lexer does not take for a function's name (nil and the keywords): not "not defined". */
const GO_KEYWORDS = new Set(['nil', 'if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

/** What a pipeline is read with: which bare words are variables, which functions exist, and the first word we do not run. */
interface Reading { isVariable: (word: string) => boolean; go?: GoNames; unread: PipelineError | null }

/** The names a Go template's parser knows where a pipeline is: the functions that exist, the variables declared. */
export interface GoNames { functions: ReadonlySet<string>; variables: readonly string[] }

/**
 * An action's pipeline, or why it is not one we render. `isVariable` says which bare words are variables (our
 * rules files' `value`, `labels.x`); words with `$` or `.` always are. A parenthesized pipeline is an argument
 * (`and (gt $value 1.0) (lt $value 5.0)`). `go`: the names Go's parser knows (a Prometheus template's); a word
 * naming another function or variable is its parse error, in reading order (`function "x" not defined`,
 * `undefined variable "$x"`: refused), found past a function we do not run too. Offsets are in `body` as given.
 */
export function parsePipeline(body: string, isVariable: (word: string) => boolean = () => false, go?: GoNames): Pipeline | PipelineError {
  const reading: Reading = { isVariable, go, unread: null };
  const r = pipelineFrom(body, 0, 0, reading);
  if ('error' in r) return r;
  if (reading.unread) return reading.unread;
  if (r.end < body.length) return { error: "a ')' with no '(' before it" };
  return r.pipeline;
}

function pipelineFrom(body: string, from: number, depth: number, reading: Reading): { pipeline: Pipeline; end: number } | PipelineError {
  const inParens = depth > 0;
  const { isVariable, go } = reading;
  const commands: Pipeline = [];
  let cur: Command | null = null;
  let at = from;
  const skip = (): void => { SPACE.lastIndex = at; SPACE.exec(body); at = SPACE.lastIndex; };
  let closed = false;
  for (skip(); at < body.length; skip()) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(body);
    if (!m) return { error: `'${body.slice(at).trim()}' is not understood here` };
    const start = at;
    at = TOKEN.lastIndex;
    if (m[8]) {
      if (!inParens) { at = start; break; }
      closed = true;
      break;
    }
    if (m[3]) {
      if (!cur) return { error: "a '|' with nothing before it" };
      commands.push(cur);
      cur = null;
      continue;
    }
    let operand: Operand | null = null;
    if (m[7]) {
      if (depth >= MAX_PAREN_DEPTH) return { error: `parentheses nested deeper than ${MAX_PAREN_DEPTH}` };
      const inner = pipelineFrom(body, at, depth + 1, reading);
      if ('error' in inner) return inner;
      at = inner.end;
      operand = { pipeline: inner.pipeline, at: start, text: body.slice(start, at) };
    } else if (m[1]) {
      try { operand = { literal: JSON.parse(m[1]) as string, at: start, text: m[1] }; } catch { return { error: `${m[1]} is not a string` }; }
    } else if (m[2]) operand = { literal: m[2].slice(1, -1), at: start, text: m[2] };
    else if (m[4]) {
      const n = numberLiteral(m[4]);
      if (typeof n === 'object') return { ...n, refused: true, at: start };
      operand = { literal: n, at: start, text: m[4] };
    } else if (m[5]) {
      const c = charLiteral(m[5]);
      if (c === null) return { error: `${m[5]} is not a character` };
      operand = { literal: BigInt(c), at: start, text: m[5] };
    } else {
      const word = m[6];
      if (word === 'true' || word === 'false') operand = { literal: word === 'true', at: start, text: word };
      else if (!word.startsWith('$') && !word.startsWith('.') && !isVariable(word)) {
        const fn = word.split('.')[0];
        if (go && !go.functions.has(fn) && !GO_KEYWORDS.has(fn)) return { error: `function "${fn}" not defined`, word: fn, refused: true, at: start };
        const unread = cur ? { error: `'${word}' is not an argument (a function's result is taken with '|')`, word }
          : !Object.hasOwn(TEMPLATE_FUNCTIONS, word) ? { error: `unknown template function '${word}'`, word } : null;
        if (unread && !go) return unread;
        // Read on past it: a function further on may not exist (Go's parse error, which comes first).
        if (unread) reading.unread ??= unread;
        cur ??= { fn: word, at: start, args: [] };
        continue;
      } else {
        const name = /^\$[A-Za-z0-9_]*/.exec(word)?.[0];
        if (go && name !== undefined && !go.variables.includes(name)) return { error: `undefined variable "${name}"`, refused: true, at: start };
        operand = { variable: word, at: start, text: word };
      }
    }
    if (!cur) cur = { fn: null, at: start, args: [operand] };
    else if (cur.fn === null) return { error: 'two values side by side (a function goes first)' };
    else cur.args.push(operand);
  }
  if (inParens && !closed) return { error: "a '(' with no ')' after it" };
  if (!cur) return { error: commands.length ? "a '|' with nothing after it" : 'an empty action' };
  commands.push(cur);
  for (let i = 1; i < commands.length; i++) if (commands[i].fn === null) return { error: "after a '|' comes a function" };
  return { pipeline: commands, end: at };
}

/** Every variable a pipeline refers to, as written. */
export function pipelineVariables(p: Pipeline): string[] {
  return p.flatMap((c) => c.args.flatMap((a) => ('variable' in a ? [a.variable] : 'pipeline' in a ? pipelineVariables(a.pipeline) : [])));
}

/** A command as Go prints it in an error: its words joined by spaces. */
const commandText = (c: Command): string => [...(c.fn === null ? [] : [c.fn]), ...c.args.map((a) => a.text)].join(' ');

/** An operand's value (exec's evalArg): a number literal for a string parameter is Go's "expected string". */
function argument(a: Operand, type: 'string' | 'any', value: (variable: string) => GoValue): GoValue {
  if ('pipeline' in a) {
    const v = evalValue(a.pipeline, value);
    if (type === 'string' && typeof v !== 'string') throw new ExecError(`wrong type for value; expected string; got ${goTypeName(v)}`, a.at, a.text);
    return v;
  }
  if ('literal' in a) {
    if (type === 'string' && typeof a.literal !== 'string') throw new ExecError(`expected string; found ${a.text}`, a.at, a.text);
    if (typeof a.literal === 'bigint' && a.literal > INT64_MAX) throw new ExecError(`${a.text} overflows int`, a.at, a.text);
    return a.literal;
  }
  const v = value(a.variable);
  if (type === 'string' && typeof v !== 'string') throw new ExecError(`wrong type for value; expected string; got ${goTypeName(v)}`, a.at, a.text);
  return v;
}

/** One command's value, as exec's evalCommand / evalFunction / evalCall compute it. */
function command(c: Command, final: GoValue | undefined, value: (variable: string) => GoValue): GoValue {
  if (c.fn === null) return argument(c.args[0], 'any', value);
  const sig = FUNCTION_PARAMS[c.fn];
  const fixed = sig.variadic ? sig.params.length - 1 : sig.params.length;
  const given = c.args.length + (final === undefined ? 0 : 1);
  if (sig.variadic ? given < fixed : given !== fixed) {
    throw new ExecError(`wrong number of args for ${c.fn}: want ${sig.variadic ? 'at least ' : ''}${fixed} got ${given}`, c.at, c.fn);
  }
  const type = (i: number): 'string' | 'any' => sig.params[Math.min(i, sig.params.length - 1)];
  if (c.fn === 'and' || c.fn === 'or') {
    // Go evaluates and / or's arguments one by one and stops once the result is known.
    let v: GoValue = false;
    for (let i = 0; i <= c.args.length; i++) {
      if (i === c.args.length && final === undefined) break;
      v = i < c.args.length ? argument(c.args[i], 'any', value) : final!;
      if (goTruth(v) === (c.fn === 'or')) break;
    }
    return v;
  }
  const args = c.args.map((a, i) => argument(a, type(i), value));
  if (final !== undefined) {
    // The value piped in, checked against its parameter; Go names the last word it evaluated.
    const last = c.args.length ? c.args[c.args.length - 1] : null;
    if (type(c.args.length) === 'string' && typeof final !== 'string') {
      throw new ExecError(`wrong type for value; expected string; got ${goTypeName(final)}`, last ? last.at : c.at, last ? last.text : c.fn);
    }
    args.push(final);
  }
  try {
    return TEMPLATE_FUNCTIONS[c.fn](args);
  } catch (e) {
    if (e instanceof TemplateError) throw new ExecError(`error calling ${c.fn}: ${e.message}`, c.at, commandText(c));
    throw e;
  }
}

/** The pipeline's value, given its variables' values; throws Go's execution error as an ExecError. */
export function evalValue(p: Pipeline, value: (variable: string) => GoValue): GoValue {
  let last: GoValue | undefined;
  for (const c of p) last = command(c, last, value);
  return last ?? '';
}

/** The pipeline's text (its value as `{{ }}` prints it). */
export function evalPipeline(p: Pipeline, value: (variable: string) => GoValue): string {
  return goPlain(evalValue(p, value));
}

/** The pipeline's text, or an error as Prometheus writes one into the alert (Go's message without its position). */
export function runPipeline(p: Pipeline, value: (variable: string) => GoValue): string {
  try {
    return evalPipeline(p, value);
  } catch (e) {
    if (e instanceof ExecError) return `<error expanding template: ${e.message}>`;
    throw e;
  }
}
