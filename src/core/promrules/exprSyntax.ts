/**
 * The PromQL syntax errors of an expression we can tell without a full parser, in Prometheus's words and at its
 * place (`promtool check rules`: `could not parse expression: 1:6: parse error: unexpected end of input`): an
 * unterminated quoted string; a bracket stack — a closing parenthesis, bracket or brace with nothing open, a `)`
 * that closes a `[` (`rate(x[5m) > 1`), an end of input inside braces, parentheses or brackets; an expression that
 * ends with a binary operator (`cpu >`, `x > 1 and`, `x != on(a)`); and token pairs no PromQL has: a lone `=`
 * outside braces (`up = 0`), a binary operator after an operator or at a start (`cpu >> 90`), `by`/`without` after
 * an aggregation and `on`/`ignoring` after an operator followed by a label name instead of `(`, and a number or
 * name followed by a name that is not a keyword, or by a number (`cpu > 90 for 5m`); `and`/`or`/`unless` where an
 * operand is expected read as a metric's name, as Prometheus reads them (`x and and y`: "unexpected identifier"), `bool`
 * anywhere but after a comparison operator, grouping labels without a comma (`sum by (a b)`), and a range's bracket
 * without its duration or with a second bracket (`x[[5m]]`). The first by place is given,
 * as Prometheus's parser meets them in order. Each case and position checked against promtool 2.42 (promRuleFmt's
 * tests run it). Past those, exprTypes' parser (numbers, matchers, functions, types; promExprTypes' tests). Anything
 * else is left to promtool: an expression this passes may still be refused.
 */

import { exprTypeError } from './exprTypes.ts';

/** The expression's place of an offset as Prometheus writes it: line and byte column, 1-based (`past` bytes further on). */
function place(expr: string, offset: number, past = 0): string {
  const before = expr.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  const line = 1 + (before.match(/\n/g)?.length ?? 0);
  return `${line}:${new TextEncoder().encode(before.slice(nl + 1)).length + 1 + past}`;
}

/** Words and symbols after which an expression cannot end: binary operators and their modifiers. */
const DANGLING = /(?:==|!=|>=|<=|[<>+\-*/%^]|(?<![\w:])(?:and|or|unless|bool)|(?<![\w:])(?:on|ignoring|group_left|group_right)\s*\([^()]*\))\s*$/;

/** PromQL's keywords (its lexer's key table): never an operand's name. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'atan2', 'sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar',
  'topk', 'bottomk', 'count_values', 'quantile', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right',
  'bool', 'start', 'end', 'step']);
const AGGREGATIONS = new Set(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'count_values', 'quantile']);
/** Symbolic binary operators, longest first. */
const OPS = ['==', '!=', '>=', '<=', '<', '>', '+', '-', '*', '/', '%', '^'];

const isKeyword = (word: string): boolean => KEYWORDS.has(word.toLowerCase());

type Tok = { kind: 'num' | 'dur' | 'id' | 'op' | 'open' | 'close' | 'sel' | 'str' | 'other'; text: string; at: number; sel?: boolean };

/**
 * The first token-pair error of the code (strings and comments blanked to spaces, `strings` their offsets), outside
 * brackets and label lists, as [offset, message]; null where none is seen or a token is not one we read.
 */
function tokenError(code: string, strings: Set<number>): { error: [number, string] | null; late: [number, string] | null; endsOperand: boolean } {
  const toks: Tok[] = [];
  // The lexer's error where the tokens stop (a lone `=`), null where they stop at what we do not read.
  let lexed: [number, string] | null = null;
  lex: for (let i = 0; i < code.length;) {
    const c = code[i];
    if (strings.has(i)) { toks.push({ kind: 'str', text: '', at: i }); i++; while (i < code.length && code[i] === ' ' && !strings.has(i)) i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    const rest = code.slice(i);
    let m: RegExpMatchArray | null;
    if (c === '{') {
      const j = code.indexOf('}', i);
      if (j < 0) break;
      toks.push({ kind: 'sel', text: '', at: i }); i = j + 1; continue;
    }
    if ((m = /^(?:\d+(?:ms|[smhdwy]))+(?![\w:.])/.exec(rest))) { toks.push({ kind: 'dur', text: m[0], at: i }); i += m[0].length; continue; }
    if ((m = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(rest))) {
      // A number run into letters (`90for`, `5min`) is the lexer's error: not read here.
      if (/^[\w:.]/.test(code.slice(i + m[0].length))) break;
      toks.push({ kind: 'num', text: m[0], at: i }); i += m[0].length; continue;
    }
    if ((m = /^[a-zA-Z_:][\w:]*/.exec(rest))) {
      const num = /^(?:inf|nan)$/i.test(m[0]);
      toks.push({ kind: num ? 'num' : 'id', text: m[0], at: i }); i += m[0].length; continue;
    }
    if (c === '=' && code[i + 1] !== '=') {
      lexed = [i, code[i + 1] === '~' ? "unexpected character after '=': '~'" : 'unexpected "="'];
      break;
    }
    const op = OPS.find((o) => rest.startsWith(o));
    if (op) { toks.push({ kind: 'op', text: op, at: i }); i += op.length; continue; }
    if ('([)]'.includes(c)) { toks.push({ kind: '(['.includes(c) ? 'open' : 'close', text: c, at: i }); i++; continue; }
    if (c === ',' || c === '@' || c === ':') { toks.push({ kind: 'other', text: c, at: i }); i++; continue; }
    break lex;
  }
  const found = (error: [number, string] | null) => ({ error, late, endsOperand: false });
  // The open parentheses and brackets: what each is (a label list's, a range's, another).
  const stack: ('labels' | 'range' | 'expr')[] = [];
  let aggParen = false;
  // Per token: whether it closes the label list of on/ignoring/group_left/group_right (a binary operator's modifier).
  const closesModifier: boolean[] = [];
  // Per token: whether it is `and`, `or` or `unless` where an operand is expected — Prometheus reads it as a metric's name (`x and and` passes).
  const operandWord: boolean[] = [];
  // A check Prometheus makes once the expression is parsed (`bool` on an operator that is no comparison): given only when the parse finds nothing.
  let late: [number, string] | null = null;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k], prev = toks[k - 1], next = toks[k + 1];
    const before = prev?.kind === 'id' && !operandWord[k - 1] ? prev.text.toLowerCase() : '';
    operandWord[k] = t.kind === 'id' && ['and', 'or', 'unless'].includes(t.text.toLowerCase())
      && (!prev || prev.kind === 'op' || (prev.kind === 'open' && prev.text === '(') || (prev.kind === 'other' && prev.text === ',') || closesModifier[k - 1]
        || ['and', 'or', 'unless', 'bool'].includes(before));
    if (t.kind === 'open') {
      const word = prev?.kind === 'id' ? prev.text.toLowerCase() : '';
      stack.push(t.text === '[' ? 'range' : ['by', 'without', 'on', 'ignoring', 'group_left', 'group_right'].includes(word) ? 'labels' : 'expr');
      // A metric named `and` then `(`: no call.
      if (operandWord[k - 1] && t.text === '(') return found([t.at, 'unexpected "("']);
      continue;
    }
    if (t.kind === 'close') {
      const was = stack.pop();
      // `sum(x) by (a)`: a grouping may follow the parenthesis of an aggregation.
      aggParen = was === 'expr' && t.text === ')' && openerIsAggregation(toks, k);
      closesModifier[k] = was === 'labels' && t.text === ')' && ['on', 'ignoring', 'group_left', 'group_right'].includes(openerWord(toks, k));
      if (t.text === ')') continue;
    }
    // A grouping's label list: names (or numbers) one after another without a comma.
    if (stack[stack.length - 1] === 'labels' && (t.kind === 'id' || t.kind === 'num') && (next?.kind === 'id' || next?.kind === 'num')) {
      return found([next.at, `unexpected ${next.kind === 'id' ? 'identifier' : 'number'} "${next.text}" in grouping opts, expected "," or ")"`]);
    }
    if (stack.some((s) => s !== 'expr')) continue;
    const word = t.kind === 'id' && !operandWord[k] ? t.text.toLowerCase() : '';
    if (t.kind === 'op' && t.text !== '+' && t.text !== '-' && (!prev || prev.kind === 'op' || prev.kind === 'open' || ['bool', 'and', 'or', 'unless'].includes(before))) {
      return found([t.at, `unexpected <op:${t.text}>`]);
    }
    if (word === 'bool') {
      // `bool` follows a comparison operator; after another operator it parses and is refused after (at that operator).
      const comparison = prev?.kind === 'op' && ['==', '!=', '>', '<', '>=', '<='].includes(prev.text);
      const otherOp = (prev?.kind === 'op' && !comparison) || ['and', 'or', 'unless'].includes(before);
      if (!comparison && !otherOp) return found([t.at, 'unexpected <bool>']);
      if (otherOp && !late) late = [prev!.at, 'bool modifier can only be used on comparison operators'];
    }
    if (t.kind === 'id' && next?.kind === 'id' && !isKeyword(next.text)) {
      const grouping = ((word === 'by' || word === 'without') && ((aggParen && prev?.kind === 'close') || AGGREGATIONS.has(before)))
        || ((word === 'on' || word === 'ignoring') && (prev?.kind === 'op' || ['and', 'or', 'unless', 'bool'].includes(before)));
      if (grouping) return found([next.at, `unexpected identifier "${next.text}" in grouping opts, expected "("`]);
    }
    // An operand's end (a number, a duration, a name, a selector's braces, a range's bracket) then a name or a number.
    const operandEnd = t.kind === 'num' || t.kind === 'dur' || t.kind === 'sel' || (t.kind === 'id' && (!isKeyword(t.text) || operandWord[k]))
      || (t.kind === 'close' && t.text === ']');
    if (operandEnd && next && ((next.kind === 'id' && !isKeyword(next.text)) || next.kind === 'num' || next.kind === 'dur')) {
      const what = next.kind === 'id' ? 'identifier' : next.kind === 'num' ? 'number' : 'duration';
      return found([next.at, `unexpected ${what} "${next.text}"`]);
    }
    if (operandEnd && next?.kind === 'id' && AGGREGATIONS.has(next.text.toLowerCase())) return found([next.at, `unexpected <aggr:${next.text.toLowerCase()}>`]);
  }
  return { error: lexed, late, endsOperand: lexed === null && operandWord[toks.length - 1] === true };
}

/** The word before the parenthesis that the `)` at toks[k] closes ('' when none). */
function openerWord(toks: Tok[], k: number): string {
  let depth = 0;
  for (let j = k; j >= 0; j--) {
    if (toks[j].kind === 'close') depth++;
    else if (toks[j].kind === 'open' && --depth === 0) return toks[j - 1]?.kind === 'id' ? toks[j - 1].text.toLowerCase() : '';
  }
  return '';
}

/** Whether the `)` at toks[k] closes a parenthesis opened right after an aggregation's name. */
function openerIsAggregation(toks: Tok[], k: number): boolean {
  let depth = 0;
  for (let j = k; j >= 0; j--) {
    if (toks[j].kind === 'close') depth++;
    else if (toks[j].kind === 'open' && --depth === 0) return toks[j].text === '(' && toks[j - 1]?.kind === 'id' && AGGREGATIONS.has(toks[j - 1].text.toLowerCase());
  }
  return false;
}

/** Whether the code before its last character holds nothing since the last `[` (where a range's duration is expected). */
function emptyBracket(code: string): boolean {
  return !code.slice(code.lastIndexOf('[', code.length - 2) + 1, -1).trim();
}

/** Prometheus's parse error of `expr` as `could not parse expression: L:C: parse error: …`, or null when we see none. */
export function exprSyntaxError(expr: string): string | null {
  const error = (offset: number, what: string, past = 0): string => `could not parse expression: ${place(expr, offset, past)}: parse error: ${what}`;
  // The expression with its strings and comments blanked, for the token checks and the check of its end.
  let code = '';
  const strings = new Set<number>();
  // The open parentheses and brackets, innermost last (Prometheus's lexer: parentheses nest, one bracket at a time).
  const open: string[] = [];
  let braces = false;
  let lastStringEnd = -1;
  let found: [number, string, number] | null = null;
  for (let i = 0; i < expr.length && !found; i++) {
    const c = expr[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c && expr[j] !== '\n') j += expr[j] === '\\' ? 2 : 1;
      if (j >= expr.length || expr[j] !== c) { found = [i, 'unterminated quoted string', 0]; break; }
      if (!braces) strings.add(code.length);
      code += ' '.repeat(j - i + 1);
      lastStringEnd = code.length;
      i = j;
      continue;
    }
    if (c === '`') {
      const j = expr.indexOf('`', i + 1);
      // An unterminated raw string: Prometheus's words for it are not checked here.
      if (j < 0) return null;
      if (!braces) strings.add(code.length);
      code += ' '.repeat(j - i + 1);
      lastStringEnd = code.length;
      i = j;
      continue;
    }
    if (c === '#') {
      const j = expr.indexOf('\n', i);
      const end = j < 0 ? expr.length : j;
      code += ' '.repeat(end - i);
      i = end - 1;
      continue;
    }
    code += c;
    if (braces) {
      if (c === '}') braces = false;
      else if ('()[]'.includes(c)) found = [i, `unexpected character inside braces: '${c}'`, 0];
    } else if (c === '{') {
      braces = true;
    } else if (c === '}') {
      found = [i, "unexpected character: '}'", 0];
    } else if (c === '(') {
      if (open[open.length - 1] === '[' && emptyBracket(code)) found = [i, 'missing unit character in duration', 0];
      else open.push(c);
    } else if (c === ')') {
      // Prometheus's lexer places this one past the parenthesis (a bracket or brace at itself).
      if (!open.includes('(')) found = [i, "unexpected right parenthesis ')'", 1];
      else if (open[open.length - 1] === '[') {
        // After a subquery's colon Prometheus expects its step or `]`: only the case with a step is checked.
        const inside = code.slice(code.lastIndexOf('[') + 1, -1), colon = inside.indexOf(':');
        if (colon >= 0 && !inside.slice(colon + 1).trim()) return null;
        found = [i, colon < 0 ? 'unexpected ")" in subquery or range, expected ":" or "]"' : 'unexpected ")" in subquery selector, expected "]"', 0];
      }
      else open.pop();
    } else if (c === '[') {
      // A bracket inside a bracket: a duration was expected (`x[[5m]]`), else it is one too many (`x[5m[1m]]`).
      if (open[open.length - 1] === '[') found = [i, emptyBracket(code) ? 'missing unit character in duration' : "unexpected left bracket '['", 0];
      else if (open.includes('[')) return null;
      else open.push(c);
    } else if (c === ']') {
      if (!open.includes('[')) found = [i, "unexpected right bracket ']'", 0];
      else if (open[open.length - 1] === '[' && emptyBracket(code)) found = [i, 'missing unit character in duration', 0];
      // A `]` that closes a `(`: Prometheus's words for it are not checked here.
      else if (open[open.length - 1] !== '[') return null;
      else open.pop();
    }
  }
  // A token pair before the first stack error is met first.
  const tokens = tokenError(code, strings);
  const pair = tokens.error;
  if (pair && (!found || pair[0] < found[0])) return error(pair[0], pair[1]);
  if (found) return error(found[0], found[1], found[2]);
  if (braces) return error(expr.length, 'unexpected end of input inside braces');
  if (open.includes('(')) return error(expr.length, 'unclosed left parenthesis');
  if (open.length) return error(expr.length, 'unclosed left bracket');
  // `x and and`: the last `and` is a metric's name, no operator left open.
  // An expression that ends with a string (`cpu > "90"`) ends with an operand.
  // A number's exponent without digits (`1e-`) is the number's error, not an operator's.
  if (code.trim() && !tokens.endsOperand && lastStringEnd <= code.trimEnd().length && !/(?<![\w:.])(?:\d+\.?\d*|\.\d+)[eE][+-]\s*$/.test(code) && DANGLING.test(code)) return error(expr.length, 'unexpected end of input');
  if (tokens.late) return error(tokens.late[0], tokens.late[1]);
  // Types, numbers, matchers and functions: a parser of its own (which gives up at what it does not read).
  const typed = exprTypeError(expr);
  return typed && error(typed[0], typed[1]);
}
