/**
 * The PromQL errors of an expression whose tokens and brackets exprSyntax finds sound, that Prometheus finds while
 * parsing it (a bad number, a selector's matchers, a regular expression that cannot close, an unknown function) or
 * once parsed (types: a function's arguments, a comparison of scalars without `bool`, a set operator on a scalar,
 * an operand that is a string or a range). In promtool 2.42's words and at its places, each checked by running it
 * (promExprTypes' tests). A small recursive parser: at anything it does not read it gives up (null), so what it
 * passes may still be refused by Prometheus, and nothing Prometheus accepts is refused.
 */
import { LATER_FUNCTIONS, PROMQL_FUNCTIONS } from './promqlFunctions.ts';
import type { PromType } from './promqlFunctions.ts';

type Kind = 'num' | 'str' | 'dur' | 'id' | 'op' | '(' | ')' | '[' | ']' | '{' | '}' | ',' | ':' | '@' | 'eq' | 'err';
interface Tok { kind: Kind; text: string; at: number; value?: string | null }
/**
 * A parsed expression: its type, its place, and its first error once parsed as Prometheus's check meets them (an
 * operator's operands first, a call's argument count before its arguments).
 */
interface Node { type: PromType; at: number; selector?: boolean; first: () => Found | null }
const noError = (): null => null;
type Found = [offset: number, message: string];

class GiveUp extends Error {}
const giveUp = (): never => { throw new GiveUp(); };

const AGGREGATIONS = new Set(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'count_values', 'quantile']);
const KEYWORDS = new Set([...AGGREGATIONS, 'and', 'or', 'unless', 'atan2', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left',
  'group_right', 'bool', 'start', 'end', 'step']);
const PRECEDENCE: Record<string, number> = { or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '<=': 3, '<': 3, '>=': 3, '>': 3,
  '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, atan2: 5, '^': 6 };
const COMPARISONS = new Set(['==', '!=', '<=', '<', '>=', '>']);
const DURATION = /^(?:\d+(?:ms|[smhdwy]))+$/;
/** Larger or deeper expressions than any rule's are left to promtool (no stack overflow, no quadratic time). */
const MAX_CHARS = 20_000, MAX_TOKENS = 2_000, MAX_DEPTH = 100;

/** Go's strconv: whether Prometheus reads a number token (an int64 first, then a float), else why not. */
function numberError(text: string): string | null {
  const hex = /^0[xX]/.test(text);
  if (hex) {
    if (/^0[xX][0-9a-fA-F]+$/.test(text) && BigInt(text) < 2n ** 63n) return null;
    return `error parsing number: strconv.ParseFloat: parsing "${text}": invalid syntax`;
  }
  if (!/^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return `error parsing number: strconv.ParseFloat: parsing "${text}": invalid syntax`;
  if (!Number.isFinite(Number(text))) return `error parsing number: strconv.ParseFloat: parsing "${text}": value out of range`;
  return null;
}

/**
 * The tokens of `expr`, ending with an `err` token at a lexer error (Prometheus lexes as it parses: a parse error
 * before it comes first); null where a token is not one this reads.
 */
function lex(expr: string): Tok[] | null {
  const toks: Tok[] = [];
  const found: Found[] = [];
  const stop = (): Tok[] | null => (found.length ? [...toks, { kind: 'err', text: found[0][1], at: found[0][0] }] : null);
  let square = false;
  for (let i = 0; i < expr.length;) {
    const c = expr[i], rest = expr.slice(i);
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { const j = expr.indexOf('\n', i); i = j < 0 ? expr.length : j; continue; }
    let m: RegExpExecArray | null;
    if (c === '"' || c === "'") {
      let j = i + 1, value: string | null = '';
      for (; j < expr.length && expr[j] !== c; j++) {
        if (expr[j] === '\\') { const e = expr[++j]; value = value !== null && `\\"'`.includes(e) ? value + e : null; } else if (value !== null) value += expr[j];
      }
      if (j >= expr.length) return null;
      toks.push({ kind: 'str', text: expr.slice(i, j + 1), at: i, value }); i = j + 1; continue;
    }
    if (c === '`') {
      const j = expr.indexOf('`', i + 1);
      if (j < 0) return null;
      toks.push({ kind: 'str', text: expr.slice(i, j + 1), at: i, value: expr.slice(i + 1, j) }); i = j + 1; continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      if (square) {
        // Inside a range's brackets a duration; Prometheus names what it read when it is none (only the forms
        // checked against promtool: digits then a letter that is no unit; digits and unit letters only).
        const run = /^[0-9a-zA-Z_]+/.exec(rest)?.[0] ?? '';
        if (DURATION.test(run)) { toks.push({ kind: 'dur', text: run, at: i }); i += run.length; continue; }
        if (/^\d+[abcefgijklnopqrtuvxz_]/.test(run)) found.push([i, `bad duration syntax: "${/^\d+/.exec(run)![0]}"`]);
        else if (/^\d[0-9smhdwy]*$/.test(run)) found.push([i, `bad duration syntax: "${run}"`]);
        return stop();
      }
      m = /^(?:0[xX][0-9a-fA-F]*(?:\.[0-9a-fA-F]*)?|\d*(?:\.\d*)?(?:[eE][+-]?\d*)?)/.exec(rest)!;
      const after = expr[i + m[0].length] ?? '';
      if (/[0-9a-zA-Z_]/.test(after)) {
        const dur = /^(?:\d+(?:ms|[smhdwy]))+/.exec(rest)?.[0];
        if (dur && !/[0-9a-zA-Z_]/.test(expr[i + dur.length] ?? '')) { toks.push({ kind: 'dur', text: dur, at: i }); i += dur.length; continue; }
        // A unit letter starts a duration that went wrong: its words are not checked here.
        if (/[smhdwy]/.test(after)) return null;
        found.push([i, `bad number or duration syntax: "${m[0]}"`]);
        return stop();
      }
      toks.push({ kind: 'num', text: m[0], at: i }); i += m[0].length; continue;
    }
    if ((m = /^[a-zA-Z_:][\w:]*/.exec(rest))) { toks.push({ kind: 'id', text: m[0], at: i }); i += m[0].length; continue; }
    if ((m = /^(?:==|!=|>=|<=|=~|!~|[<>+\-*/%^])/.exec(rest))) { toks.push({ kind: 'op', text: m[0], at: i }); i += m[0].length; continue; }
    if (c === '=') { toks.push({ kind: 'eq', text: c, at: i }); i++; continue; }
    if ('()[]{},:@'.includes(c)) {
      if (c === '[') square = true;
      if (c === ']') square = false;
      toks.push({ kind: c as Kind, text: c, at: i }); i++; continue;
    }
    return null;
  }
  return toks;
}

/** Go RE2's error for a regular expression whose only trouble may be an unclosed parenthesis; null when none or unsure. */
function regexError(re: string): string | null {
  if (/[\\[\]{}*+?]/.test(re)) return null;
  let depth = 0;
  for (const c of re) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return null;
  }
  return depth > 0 ? `error parsing regexp: missing closing ): \`^(?:${re})$\`` : null;
}

class Parser {
  k = 0;
  depth = 0;
  /** Errors met while parsing, in the order Prometheus's parser meets them (a call's name once its arguments are read). */
  parsing: Found[] = [];
  constructor(readonly toks: Tok[]) {}

  peek(n = 0): Tok | undefined { return this.toks[this.k + n]; }
  take(kind?: Kind, text?: string): Tok {
    const t = this.toks[this.k];
    if (t?.kind === 'err') { this.parsing.push([t.at, t.text]); giveUp(); }
    if (!t || (kind && t.kind !== kind) || (text !== undefined && t.text.toLowerCase() !== text)) return giveUp();
    this.k++;
    return t;
  }
  word(): string { const t = this.peek(); return t?.kind === 'id' ? t.text.toLowerCase() : ''; }

  binaryOp(): string | null {
    const t = this.peek();
    if (t?.kind === 'op' && t.text !== '=~' && t.text !== '!~') return t.text;
    const w = this.word();
    return ['and', 'or', 'unless', 'atan2'].includes(w) ? w : null;
  }

  expr(min = 0): Node {
    if (++this.depth > MAX_DEPTH) giveUp();
    const node = this.binary(min);
    this.depth--;
    return node;
  }

  binary(min: number): Node {
    let left = this.unary();
    for (let op = this.binaryOp(); op !== null && PRECEDENCE[op] >= min; op = this.binaryOp()) {
      const opTok = this.take();
      let bool = false, matching = false;
      if (this.word() === 'bool') { this.take(); bool = true; }
      if (['on', 'ignoring'].includes(this.word())) { this.take(); this.labels(); matching = true; }
      if (['group_left', 'group_right'].includes(this.word())) { this.take(); if (this.peek()?.kind === '(') this.labels(); }
      const right = this.expr(op === '^' ? PRECEDENCE[op] : PRECEDENCE[op] + 1);
      if (bool && !COMPARISONS.has(op)) giveUp();
      const set = ['and', 'or', 'unless'].includes(op);
      const bad = (n: Node) => n.type !== 'scalar' && n.type !== 'instant vector';
      let own: Found | null = null;
      if (bad(left)) own = [left.at, 'binary expression must contain only scalar and instant vector types'];
      else if (bad(right)) own = [right.at, 'binary expression must contain only scalar and instant vector types'];
      else if (matching && (left.type === 'scalar' || right.type === 'scalar')) giveUp();
      else if (set && (left.type === 'scalar' || right.type === 'scalar')) own = [left.at, `set operator "${op}" not allowed in binary scalar expression`];
      else if (COMPARISONS.has(op) && !bool && left.type === 'scalar' && right.type === 'scalar') own = [opTok.at, 'comparisons between scalars must use BOOL modifier'];
      const l = left, r = right;
      left = { type: l.type === 'scalar' && r.type === 'scalar' ? 'scalar' : 'instant vector', at: l.at, first: () => l.first() ?? r.first() ?? own };
    }
    return left;
  }

  unary(): Node {
    const t = this.peek();
    if (t?.kind === 'op' && (t.text === '+' || t.text === '-')) {
      this.take();
      const inner = this.expr(PRECEDENCE['^']);
      if (inner.type !== 'scalar' && inner.type !== 'instant vector') giveUp();
      return { type: inner.type, at: t.at, first: inner.first };
    }
    return this.postfix(this.primary());
  }

  labels(): void {
    this.take('(');
    while (this.peek()?.kind !== ')') {
      this.take('id');
      if (this.peek()?.kind === ',') this.take(); else break;
    }
    this.take(')');
  }

  primary(): Node {
    const t = this.take();
    if (t.kind === 'num') {
      const why = numberError(t.text);
      if (why) this.parsing.push([t.at, why]);
      return { type: 'scalar', at: t.at, first: noError };
    }
    if (t.kind === 'str') return { type: 'string', at: t.at, first: noError };
    // A duration is no operand in Prometheus 2.42 (`x > 5m`).
    if (t.kind === 'dur') { this.parsing.push([t.at, `unexpected duration "${t.text}"`]); return giveUp(); }
    if (t.kind === '(') { const inner = this.expr(); this.take(')'); return { type: inner.type, at: t.at, first: inner.first }; }
    if (t.kind === '{') return this.selector(t.at, false);
    if (t.kind !== 'id') return giveUp();
    const w = t.text.toLowerCase();
    if (/^(?:inf|nan)$/.test(w)) return { type: 'scalar', at: t.at, first: noError };
    if (AGGREGATIONS.has(w)) return this.aggregation(t, w);
    if (this.peek()?.kind === '(') return this.call(t);
    // Keywords Prometheus never reads as a metric's name (the others are names there: `by > 1`, `offset > 1`).
    if (['on', 'ignoring', 'group_left', 'group_right', 'bool'].includes(t.text)) { this.parsing.push([t.at, `unexpected <${t.text}>`]); return giveUp(); }
    if (KEYWORDS.has(w)) return giveUp();
    if (this.peek()?.kind === '{') { this.take(); return this.selector(t.at, true); }
    return { type: 'instant vector', at: t.at, selector: true, first: noError };
  }

  /** A selector's matchers after its `{`. */
  selector(at: number, named: boolean): Node {
    let nonEmpty = named;
    while (this.peek()?.kind !== '}') {
      const name = this.peek();
      if (name?.kind === ',' || name?.kind === 'eq') { this.parsing.push([name.at, `unexpected "${name.text}" in label matching, expected identifier or "}"`]); return giveUp(); }
      this.take('id');
      const op = this.peek();
      if (!op || !(op.kind === 'eq' || (op.kind === 'op' && ['!=', '=~', '!~'].includes(op.text)))) {
        if (op?.kind === 'id') this.parsing.push([op.at, `unexpected identifier "${op.text}" in label matching, expected label matching operator`]);
        else if (op?.kind === '}') this.parsing.push([op.at, 'unexpected "}" in label matching, expected label matching operator']);
        return giveUp();
      }
      this.take();
      const value = this.take('str');
      if (value.value === null || value.value === undefined) giveUp();
      const regex = op.text === '=~' || op.text === '!~';
      if (regex) { const why = regexError(value.value!); if (why) this.parsing.push([name!.at, why]); }
      // A matcher that an empty value does not match (`a!=""`, `a="x"`); regular expressions other than "" are not judged.
      // (`!~` and a regular expression other than "" count as such: whether they match "" is not judged here).
      if (op.text === '!=' ? value.value === '' : op.text === '!~' || value.value !== '') nonEmpty = true;
      const next = this.peek();
      if (next?.kind === ',') { this.take(); continue; }
      if (next?.kind === 'id') { this.parsing.push([next.at, `unexpected identifier "${next.text}" in label matching, expected "," or "}"`]); return giveUp(); }
      if (next?.kind !== '}') return giveUp();
    }
    this.take('}');
    const own: Found | null = nonEmpty ? null : [at, 'vector selector must contain at least one non-empty matcher'];
    return { type: 'instant vector', at, selector: true, first: () => own };
  }

  call(name: Tok): Node {
    const f = PROMQL_FUNCTIONS.get(name.text);
    const args = this.args();
    if (!f) {
      if (LATER_FUNCTIONS.has(name.text) || KEYWORDS.has(name.text.toLowerCase())) return giveUp();
      this.parsing.push([name.at, `unknown function with name "${name.text}"`]);
      return { type: 'instant vector', at: name.at, first: noError };
    }
    const most = f.repeat ? Infinity : f.args.length, least = f.args.length - (f.optional ?? 0);
    const q = `argument(s) in call to "${name.text}", got ${args.length}`;
    const first = (): Found | null => {
      // The count first, and nothing else when it is wrong; then each argument, inside before its type.
      if (args.length > most || args.length < least) {
        return [name.at, `expected ${least === most ? '' : args.length > most ? 'at most ' : 'at least '}${args.length > most ? most : least} ${q}`];
      }
      for (const [i, a] of args.entries()) {
        const want = f.args[Math.min(i, f.args.length - 1)];
        const inner = a.first() ?? (a.type !== want ? [a.at, `expected type ${want} in call to function "${name.text}", got ${a.type}`] as Found : null);
        if (inner) return inner;
      }
      return null;
    };
    return { type: f.returns, at: name.at, first };
  }

  args(): Node[] {
    this.take('(');
    const out: Node[] = [];
    while (this.peek()?.kind !== ')') {
      out.push(this.expr());
      if (this.peek()?.kind === ',') this.take(); else break;
    }
    this.take(')');
    return out;
  }

  aggregation(t: Tok, w: string): Node {
    if (['by', 'without'].includes(this.word())) { this.take(); this.labels(); }
    const args = this.args();
    if (['by', 'without'].includes(this.word())) { this.take(); this.labels(); }
    const param = ['topk', 'bottomk', 'quantile', 'count_values'].includes(w);
    if (args.length !== (param ? 2 : 1)) giveUp();
    const v = args[args.length - 1];
    if (param) {
      const want = w === 'count_values' ? 'string' : 'scalar';
      if (args[0].type !== want) giveUp();
    }
    const first = (): Found | null => (param ? args[0].first() : null) ?? v.first()
      ?? (v.type !== 'instant vector' ? [v.at, `expected type instant vector in aggregation expression, got ${v.type}`] : null);
    return { type: 'instant vector', at: t.at, first };
  }

  /** A range or subquery's brackets, `offset` and `@` after an operand. */
  postfix(n: Node): Node {
    for (;;) {
      const t = this.peek();
      if (t?.kind === '[') {
        this.take();
        this.take('dur');
        if (this.peek()?.kind === ':') {
          this.take();
          if (this.peek()?.kind === 'dur') this.take();
          if (n.type !== 'instant vector') giveUp();
        } else if (!n.selector || n.type !== 'instant vector') giveUp();
        this.take(']');
        n = { type: 'range vector', at: n.at, selector: true, first: n.first };
      } else if (t?.kind === 'id' && t.text.toLowerCase() === 'offset') {
        if (!n.selector && n.type !== 'range vector') this.parsing.push([n.at, 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery']);
        this.take();
        if (this.peek()?.kind === 'op' && this.peek()?.text === '-') this.take();
        this.take('dur');
      } else if (t?.kind === '@') {
        if (!n.selector && n.type !== 'range vector') giveUp();
        this.take();
        const at = this.take();
        if (at.kind === 'num') { const why = numberError(at.text); if (why) this.parsing.push([at.at, why]); }
        else if (at.kind === 'id' && ['start', 'end'].includes(at.text.toLowerCase())) { this.take('('); this.take(')'); }
        else giveUp();
      } else return n;
    }
  }
}

/**
 * A whole expression followed by a word or a number (`rate(x[5m]) by`, `x y`, `x > 1 bool`): Prometheus's "unexpected"
 * at it; null for anything else left over (what this parser does not read, such as `@`).
 */
function trailing(t: Tok): Found | null {
  const w = t.kind === 'id' ? t.text.toLowerCase() : '';
  if (['by', 'without', 'on', 'ignoring', 'bool', 'group_left', 'group_right'].includes(w)) return [t.at, `unexpected <${w}>`];
  if (t.kind === 'num') return [t.at, `unexpected number "${t.text}"`];
  if (t.kind === 'id' && !KEYWORDS.has(w)) return [t.at, `unexpected identifier "${t.text}"`];
  return null;
}

/** The parse of `expr`: its root, or the first error, or neither when unsure (what this parser does not read). */
function parse(expr: string): { root: Node | null; error: Found | null } {
  if (expr.length > MAX_CHARS) return { root: null, error: null };
  const toks = lex(expr);
  if (!toks || toks.length > MAX_TOKENS) return { root: null, error: null };
  const p = new Parser(toks);
  let root: Node;
  try {
    root = p.expr();
    if (p.k !== toks.length) return { root: null, error: p.parsing[0] ?? trailing(toks[p.k]) };
  } catch (e) {
    if (!(e instanceof GiveUp)) throw e;
    // A parse error met before the parser gave up is still Prometheus's first: it parses left to right.
    return { root: null, error: p.parsing[0] ?? null };
  }
  // Prometheus checks types only once the expression parsed.
  if (p.parsing.length) return { root: null, error: p.parsing[0] };
  return { root, error: null };
}

/** The first error Prometheus reports for `expr` that this can tell, as [offset, message]; null when none or unsure. */
export function exprTypeError(expr: string): Found | null {
  const { root, error } = parse(expr);
  return error ?? root?.first() ?? null;
}

/** The type of a valid `expr` (`time()`: scalar), or null when it has an error or this parser cannot tell. */
export function exprType(expr: string): PromType | null {
  const { root } = parse(expr);
  return root && !root.first() ? root.type : null;
}
