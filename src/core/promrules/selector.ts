import type { RuleOp } from '../rules/model.ts';

/**
 * The part of PromQL our rule engine evaluates: a series selector with label matchers, compared with a number
 * (`cpu{host="a"} > 90`, `90 < cpu`), and the series notation of promtool's `input_series`. Syntax from the
 * Prometheus documentation ("Querying basics": instant vector selectors, string and float literals;
 * "Operators": comparison binary operators).
 */

/** One label matcher; `re` is the anchored regular expression of `=~` and `!~`. */
export interface Matcher {
  name: string;
  type: '=' | '!=' | '=~' | '!~';
  value: string;
  re?: RegExp;
}

/** `selector op threshold`: what an alert rule's expr must be for our engine. */
export interface AlertExpr {
  matchers: Matcher[];
  op: RuleOp;
  threshold: number;
  /** Where the threshold's number is written in the expr: [start, end) offsets (its parentheses and spaces outside). */
  thresholdAt: [number, number];
}

/** A parse failure at a character offset of the text. */
export interface SyntaxProblem {
  message: string;
  offset: number;
}

class Lexer {
  pos = 0;
  constructor(readonly text: string) {}
  skip(): void { while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++; }
  peek(s: string): boolean { this.skip(); return this.text.startsWith(s, this.pos); }
  eat(s: string): boolean { if (this.peek(s)) { this.pos += s.length; return true; } return false; }
  atEnd(): boolean { this.skip(); return this.pos >= this.text.length; }
  ident(): string | null {
    this.skip();
    const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(this.text.slice(this.pos));
    if (!m) return null;
    this.pos += m[0].length;
    return m[0];
  }
  /** A PromQL string literal: "…" and '…' with Go escapes, `…` raw. */
  string(): string | null {
    this.skip();
    const q = this.text[this.pos];
    if (q !== '"' && q !== "'" && q !== '`') return null;
    let out = '';
    let i = this.pos + 1;
    for (; i < this.text.length && this.text[i] !== q; i++) {
      const c = this.text[i];
      if (c === '\\' && q !== '`') {
        const n = this.text[++i];
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
        if (n !== undefined && Object.hasOwn(simple, n)) out += simple[n];
        else if (n === 'u' || n === 'x' || n === 'U') {
          const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
          const hex = this.text.slice(i + 1, i + 1 + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) return null;
          out += String.fromCodePoint(parseInt(hex, 16));
          i += len;
        } else return null;
      } else out += c;
    }
    if (i >= this.text.length) return null;
    this.pos = i + 1;
    return out;
  }
}

const NUMBER = /^[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|0[xX][0-9a-fA-F]+|[iI][nN][fF]|[nN][aA][nN])/;

/**
 * A PromQL float literal (with an optional sign), as a number; null when the text is not one. `hex`: a
 * hexadecimal (`0x10`) or octal (`010`) literal as an expr writes it; in a test's series values `0x3` is 0 three times.
 */
export function parsePromNumber(text: string, hex = false): number | null {
  const h = hex ? /^([+-]?)0[xX]([0-9a-fA-F]+)$/.exec(text) : null;
  if (h) return (h[1] === '-' ? -1 : 1) * parseInt(h[2], 16);
  // PromQL reads an integer with a leading 0 as octal first (Go's ParseInt, base 0): `010` is 8, `09` is 9.
  const o = hex ? /^([+-]?)0([0-7]+)$/.exec(text) : null;
  if (o) return (o[1] === '-' ? -1 : 1) * parseInt(o[2], 8);
  const m = NUMBER.exec(text);
  if (!m || m[0].length !== text.length) return null;
  const body = text.replace(/^[+-]/, '');
  const sign = text.startsWith('-') ? -1 : 1;
  if (/^inf$/i.test(body)) return sign * Infinity;
  if (/^nan$/i.test(body)) return NaN;
  return sign * Number(body);
}

function matchers(lx: Lexer, allowOps: boolean): Matcher[] | SyntaxProblem {
  const out: Matcher[] = [];
  if (!lx.eat('{')) return out;
  while (!lx.eat('}')) {
    const at = lx.pos;
    const name = lx.ident();
    if (!name || name.includes(':')) return { message: 'expected a label name', offset: at };
    let type: Matcher['type'] | null = null;
    for (const op of ['=~', '!~', '!=', '='] as const) if (lx.eat(op)) { type = op; break; }
    if (!type || (!allowOps && type !== '=')) return { message: allowOps ? 'expected =, !=, =~ or !~' : 'expected =', offset: lx.pos };
    const value = lx.string();
    if (value === null) return { message: 'expected a quoted label value', offset: lx.pos };
    const m: Matcher = { name, type, value };
    if (type === '=~' || type === '!~') {
      try { m.re = new RegExp(`^(?:${value})$`, 'su'); } catch { return { message: `regular expression not supported here: ${value}`, offset: at }; }
    }
    out.push(m);
    if (!lx.eat(',') && !lx.peek('}')) return { message: "expected ',' or '}'", offset: lx.pos };
  }
  return out;
}

function selector(lx: Lexer, allowOps: boolean): Matcher[] | SyntaxProblem {
  const at = lx.pos;
  const name = lx.ident();
  const ms = matchers(lx, allowOps);
  if ('message' in ms) return ms;
  if (name) ms.unshift({ name: '__name__', type: '=', value: name });
  if (ms.length === 0) return { message: 'expected a metric name or {…}', offset: at };
  return ms;
}

/**
 * The labels of an `input_series` entry (`name{a="b"}` or `{__name__="name", a="b"}`); a problem with its offset
 * when the text is not a series.
 */
export function parseSeries(text: string): Record<string, string> | SyntaxProblem {
  const lx = new Lexer(text);
  const ms = selector(lx, false);
  if ('message' in ms) return ms;
  if (!lx.atEnd()) return { message: `unexpected '${text.slice(lx.pos, lx.pos + 10)}' after the series`, offset: lx.pos };
  const labels: Record<string, string> = {};
  for (const m of ms) {
    if (Object.hasOwn(labels, m.name)) return { message: `label '${m.name}' given twice`, offset: 0 };
    if (m.value !== '') Object.defineProperty(labels, m.name, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return labels;
}

const OPS: readonly RuleOp[] = ['>=', '<=', '==', '!=', '>', '<'];
const FLIP: Record<RuleOp, RuleOp> = { '>': '<', '<': '>', '>=': '<=', '<=': '>=', '==': '==', '!=': '!=' };

function stripParens(text: string): string {
  const [s, e] = innerSpan(text, 0, text.length);
  return text.slice(s, e);
}

/** The span of text[s, e) without its surrounding spaces and the parentheses that enclose all of it (stripParens). */
function innerSpan(text: string, s: number, e: number): [number, number] {
  const trim = (): void => { while (s < e && /\s/.test(text[s])) s++; while (e > s && /\s/.test(text[e - 1])) e--; };
  trim();
  while (e - s >= 2 && text[s] === '(' && text[e - 1] === ')') {
    let depth = 0;
    let closesAtEnd = true;
    for (let i = s; i < e; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')') { depth--; if (depth === 0 && i < e - 1) { closesAtEnd = false; break; } }
    }
    if (!closesAtEnd) break;
    s++; e--;
    trim();
  }
  return [s, e];
}

function operandSelector(text: string): Matcher[] | null {
  const lx = new Lexer(stripParens(text));
  const ms = selector(lx, true);
  if ('message' in ms || !lx.atEnd()) return null;
  return ms;
}

/** PromQL's comments (`#` to the end of the line, outside quotes) left out. */
function withoutComments(expr: string): string {
  if (!expr.includes('#')) return expr;
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      out += c;
      if (c === '\\' && quote !== '`' && i + 1 < expr.length) out += expr[++i];
      else if (c === quote) quote = null;
      continue;
    }
    // A comment becomes spaces: the offsets of what follows stay those of the expr as written.
    if (c === '#') { out += ' '; while (i + 1 < expr.length && expr[i + 1] !== '\n') { i++; out += ' '; } continue; }
    if (c === '"' || c === "'" || c === '`') quote = c;
    out += c;
  }
  return out;
}

/**
 * An alert rule's expr as `selector op number` (either side), or null when it is other PromQL (functions,
 * aggregations, ranges, `bool`, `offset`, arithmetic…), which needs promtool.
 */
export function parseAlertExpr(expr: string): AlertExpr | null {
  const clean = withoutComments(expr);
  const [s0, e0] = innerSpan(clean, 0, clean.length);
  const text = clean.slice(s0, e0);
  // The operator is the first comparison outside braces and quotes.
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) { if (c === '\\' && quote !== '`') i++; else if (c === quote) quote = null; continue; }
    if (c === '"' || c === "'" || c === '`') { quote = c; continue; }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    if (depth !== 0) continue;
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) continue;
    const left = text.slice(0, i);
    const right = text.slice(i + op.length);
    if (/^\s*bool\b/.test(right)) return null;
    const rNum = parsePromNumber(stripParens(right).replace(/\s+/g, ''), true);
    const lNum = parsePromNumber(stripParens(left).replace(/\s+/g, ''), true);
    if (rNum !== null && lNum === null) {
      const ms = operandSelector(left);
      return ms ? { matchers: ms, op, threshold: rNum, thresholdAt: innerSpan(clean, s0 + i + op.length, e0) } : null;
    }
    if (lNum !== null && rNum === null) {
      const ms = operandSelector(right);
      return ms ? { matchers: ms, op: FLIP[op], threshold: lNum, thresholdAt: innerSpan(clean, s0, s0 + i) } : null;
    }
    return null;
  }
  return null;
}

/** Whether a series' labels satisfy every matcher (an absent label is the empty string, as in Prometheus). */
export function matches(labels: Readonly<Record<string, string>>, ms: readonly Matcher[]): boolean {
  for (const m of ms) {
    const v = Object.hasOwn(labels, m.name) ? labels[m.name] : '';
    switch (m.type) {
      case '=': if (v !== m.value) return false; break;
      case '!=': if (v === m.value) return false; break;
      case '=~': if (!m.re!.test(v)) return false; break;
      case '!~': if (m.re!.test(v)) return false; break;
    }
  }
  return true;
}

/** Most values one series may expand to. */
const MAX_VALUES = 2_000_000;

/** One value of an expanded `values` string: a number, a missing sample (`_`) or a staleness marker. */
export type SeriesValue = number | 'missing' | 'stale';

/**
 * promtool's expanding notation: `a+bxn` and `a-bxn` give n+1 values a, a±b, …; `axn` n+1 copies of a; `_` one
 * missing sample and `_xn` n of them; `stale` a staleness marker. Increments are added one at a time, as
 * Prometheus's series parser does (so floating-point sums match). A problem gives the offending token's offset.
 */
export function expandValues(text: string): SeriesValue[] | SyntaxProblem {
  const out: SeriesValue[] = [];
  const num = '[+-]?(?:[0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\\.[0-9]+(?:[eE][+-]?[0-9]+)?|0[xX][0-9a-fA-F]+|[iI]nf|NaN)';
  const unsigned = '(?:[0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\\.[0-9]+(?:[eE][+-]?[0-9]+)?|[iI]nf|NaN)';
  const expanded = new RegExp(`^(${num})(?:([+-])(${unsigned}))?x([0-9]+)$`);
  for (const m of text.matchAll(/\S+/g)) {
    const token = m[0];
    const offset = m.index;
    if (token === '_') { out.push('missing'); continue; }
    if (token === 'stale') { out.push('stale'); continue; }
    const blank = /^_x([0-9]+)$/.exec(token);
    if (blank) {
      if (out.length + Number(blank[1]) > MAX_VALUES) return { message: `'${token}' expands to too many values`, offset };
      for (let i = 0; i < Number(blank[1]); i++) out.push('missing');
      continue;
    }
    const single = parsePromNumber(token);
    if (single !== null) { out.push(single); continue; }
    const e = expanded.exec(token);
    if (!e) return { message: `'${token}' is not a value, _, stale or a+bxn`, offset };
    let a = parsePromNumber(e[1])!;
    const b = e[2] ? (e[2] === '-' ? -1 : 1) * parsePromNumber(e[3])! : 0;
    const n = Number(e[4]);
    if (out.length + n + 1 > MAX_VALUES) return { message: `'${token}' expands to too many values`, offset };
    for (let i = 0; i <= n; i++) { out.push(a); a += b; }
  }
  return out;
}
