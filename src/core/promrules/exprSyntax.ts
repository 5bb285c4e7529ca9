/**
 * The PromQL syntax errors of an expression we can tell without a full parser, in Prometheus's words and at its
 * place (`promtool check rules`: `could not parse expression: 1:6: parse error: unexpected end of input`): an
 * unterminated quoted string, a closing parenthesis, bracket or brace with nothing open, an end of input inside
 * braces or parentheses, and an expression that ends with a binary operator (`cpu >`, `x > 1 and`, `x != on(a)`).
 * Each case and position checked against promtool 2.42. Anything else is left to promtool: an expression this
 * passes may still be refused.
 */

/** The expression's place of an offset as Prometheus writes it: line and byte column, 1-based (`past` bytes further on). */
function place(expr: string, offset: number, past = 0): string {
  const before = expr.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  const line = 1 + (before.match(/\n/g)?.length ?? 0);
  return `${line}:${new TextEncoder().encode(before.slice(nl + 1)).length + 1 + past}`;
}

/** Words and symbols after which an expression cannot end: binary operators and their modifiers. */
const DANGLING = /(?:==|!=|>=|<=|[<>+\-*/%^]|(?<![\w:])(?:and|or|unless|bool)|(?<![\w:])(?:on|ignoring|group_left|group_right)\s*\([^()]*\))\s*$/;

/** Prometheus's parse error of `expr` as `could not parse expression: L:C: parse error: …`, or null when we see none. */
export function exprSyntaxError(expr: string): string | null {
  const error = (offset: number, what: string, past = 0): string => `could not parse expression: ${place(expr, offset, past)}: parse error: ${what}`;
  // The expression with its strings and comments blanked, for the check of its end.
  let code = '';
  let parens = 0, brackets = 0;
  let braces = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c && expr[j] !== '\n') j += expr[j] === '\\' ? 2 : 1;
      if (j >= expr.length || expr[j] !== c) return error(i, 'unterminated quoted string');
      code += ' '.repeat(j - i + 1);
      i = j;
      continue;
    }
    if (c === '`') {
      const j = expr.indexOf('`', i + 1);
      // An unterminated raw string: Prometheus's words for it are not checked here.
      if (j < 0) return null;
      code += ' '.repeat(j - i + 1);
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
    } else if (c === '{') {
      braces = true;
    } else if (c === '}') {
      return error(i, "unexpected character: '}'");
    } else if (c === '(') {
      parens++;
    } else if (c === ')') {
      // Prometheus's lexer places this one past the parenthesis (a bracket or brace at itself).
      if (--parens < 0) return error(i, "unexpected right parenthesis ')'", 1);
    } else if (c === '[') {
      brackets++;
    } else if (c === ']') {
      if (--brackets < 0) return error(i, "unexpected right bracket ']'");
    }
  }
  if (braces) return error(expr.length, 'unexpected end of input inside braces');
  if (parens > 0) return error(expr.length, 'unclosed left parenthesis');
  if (code.trim() && DANGLING.test(code)) return error(expr.length, 'unexpected end of input');
  return null;
}
