import { textPositionAt, type TextPosition } from '../textPosition.ts';

/** A JSON path: object keys and array indices from the root. */
export type JsonPath = readonly (string | number)[];

class ScanError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

class Found extends Error {
  constructor(readonly offset: number) {
    super('found');
  }
}

const MAX_DEPTH = 512;

/**
 * Walks JSON text (RFC 8259) calling `onValue(path, offset)` where each value starts; throws
 * ScanError at the first syntax error. JSON.parse does the real parsing; this exists to give
 * positions, which JSON.parse's messages do not reliably carry across Node versions.
 */
function scan(text: string, onValue: (path: (string | number)[], offset: number) => void): void {
  let i = 0;
  const path: (string | number)[] = [];
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const fail = (what: string): never => {
    if (i >= text.length) throw new ScanError(`unexpected end of JSON, expected ${what}`, i);
    throw new ScanError(`unexpected ${JSON.stringify(text[i])}, expected ${what}`, i);
  };
  const str = (): string => {
    const start = i;
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) throw new ScanError('unterminated string', start);
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new ScanError('bad \\u escape in string', i);
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === undefined || !(e in map)) throw new ScanError('bad escape in string', i);
        out += map[e];
        i += 2;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) throw new ScanError('control character in string (escape it)', i);
      out += c;
      i++;
    }
  };
  /** After a member or an element: true when `close` ends the object or array, false after a ',' (another follows). */
  const closes = (close: '}' | ']'): boolean => {
    ws();
    if (text[i] === ',') {
      i++;
      return false;
    }
    if (text[i] === close) {
      i++;
      return true;
    }
    return fail(`',' or '${close}'`);
  };
  const value = (depth: number): void => {
    ws();
    if (depth > MAX_DEPTH) throw new ScanError(`nesting deeper than ${MAX_DEPTH}`, i);
    onValue(path, i);
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('a property name in double quotes');
        const key = str();
        ws();
        if (text[i] !== ':') fail("':'");
        i++;
        path.push(key);
        value(depth + 1);
        path.pop();
        if (closes('}')) return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let k = 0; ; k++) {
        path.push(k);
        value(depth + 1);
        path.pop();
        if (closes(']')) return;
      }
    }
    if (c === '"') {
      str();
      return;
    }
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail('a value');
    i += m![0].length;
  };
  value(0);
  ws();
  if (i < text.length) fail('the end of the JSON text');
}

/** The first syntax error of a JSON text with its position, or null when the text is valid JSON. */
export function jsonSyntaxError(text: string): { message: string; position: TextPosition } | null {
  try {
    scan(text, () => {});
    return null;
  } catch (e) {
    if (e instanceof ScanError) return { message: e.message, position: textPositionAt(text, e.offset) };
    throw e;
  }
}

/** Where the value at `path` starts in valid JSON text, or null when there is no such value. */
export function locateJsonPath(text: string, target: JsonPath): TextPosition | null {
  try {
    scan(text, (path, offset) => {
      if (path.length === target.length && path.every((p, k) => p === target[k])) throw new Found(offset);
    });
  } catch (e) {
    if (e instanceof Found) return textPositionAt(text, e.offset);
    if (e instanceof ScanError) return null;
    throw e;
  }
  return null;
}
