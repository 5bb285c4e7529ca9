/**
 * What a YAML syntax error most likely means, for the mistakes people make in rules files, where the YAML parser's own
 * words point elsewhere: a template value left unquoted (`summary: {{ $labels.job }} is down` is read as a flow map:
 * "bad indentation of a mapping entry"), and a quote or a flow collection opened and never closed (`expr: "up == 0`,
 * `labels: {severity: critical`: "deficient indentation" lines later). Looked for only once the parser failed, on
 * the lines up to the failure; null when none applies, and the parser's message stands.
 */

/** A better message for a YAML syntax error, and the offset it belongs at (the place to fix). */
export interface YamlSyntaxHint {
  message: string;
  offset: number;
}

/** Where a block value starts on a line (after `key: ` or `- `), or -1. Comments and quoted keys are not followed. */
function valueStart(line: string): number {
  const m = /^(\s*(?:-\s+)*)(?:[^\s#'"{[][^:#]*?:\s+)?/.exec(line);
  if (!m) return -1;
  const at = m[0].length;
  return at < line.length && m[0].length > m[1].length ? at : -1;
}

/** Where the quoted scalar opening at `from` (on its quote) closes before `until`, or -1. */
function quoteEnd(text: string, from: number, until: number): number {
  const q = text[from];
  for (let i = from + 1; i < until; i++) {
    if (q === '"' && text[i] === '\\') { i++; continue; }
    if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") { i++; continue; }
      return i;
    }
  }
  return -1;
}

/**
 * Where the flow collection opening at `from` closes before `until`, or -1. A quote begins quoted text only where a
 * scalar begins (after `{`, `[`, `,` or `:`): the apostrophe of `{owner: o'brien}` is a plain scalar's. Comments skipped.
 */
function flowEnd(text: string, from: number, until: number): number {
  let depth = 0;
  let last = '';
  for (let i = from; i < until; i++) {
    const c = text[i];
    if ((c === '"' || c === "'") && (last === '' || '{[,:'.includes(last))) {
      const end = quoteEnd(text, i, until);
      if (end < 0) return -1;
      i = end;
      last = c;
      continue;
    }
    if (c === '#' && /\s/.test(text[i - 1] ?? ' ')) { while (i < until && text[i] !== '\n') i++; continue; }
    if (!/\s/.test(c)) last = c;
    if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return i;
  }
  return -1;
}

/** See the file comment. `errorOffset` is where the parser failed. */
export function yamlSyntaxHint(text: string, errorOffset: number): YamlSyntaxHint | null {
  let start = 0;
  let found: YamlSyntaxHint | null = null;
  // Lines inside a value that closed (a quoted or flow value of several lines) or inside a block scalar are text, not YAML.
  let skipTo = -1;
  let blockIndent = -1;
  while (start <= errorOffset && start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, '');
    const indent = line.length - line.trimStart().length;
    const inBlock = blockIndent >= 0 && (line.trim() === '' || indent > blockIndent);
    if (!inBlock) blockIndent = -1;
    const v = start > skipTo && !inBlock ? valueStart(line) : -1;
    const at = start + v;
    if (v >= 0) {
      const c = line[v];
      if (/^[|>][-+0-9]*\s*(#.*)?$/.test(line.slice(v))) {
        blockIndent = indent;
      } else if (c === '{' && line[v + 1] === '{' && errorOffset <= end) {
        found = { message: `a value that starts with '{' is read as a YAML flow map: quote a template ("${line.slice(v).trim().replace(/"/g, '\\"').slice(0, 60)}")`, offset: at };
      } else if (c === '"' || c === "'") {
        const close = quoteEnd(text, at, errorOffset);
        if (close < 0) found = { message: `the ${c === '"' ? 'double' : 'single'}-quoted value opened here is not closed (add the closing ${c})`, offset: at };
        else skipTo = close;
      } else if (c === '{' || c === '[') {
        const close = flowEnd(text, at, errorOffset);
        if (close < 0) found = { message: `the ${c === '{' ? 'flow map {' : 'flow list ['} opened here is not closed (add the closing ${c === '{' ? '}' : ']'})`, offset: at };
        else skipTo = close;
      }
    }
    start = end + 1;
  }
  return found;
}
