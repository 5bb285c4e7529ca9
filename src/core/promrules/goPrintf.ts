/**
 * Go's fmt.Sprintf as a template's `printf` runs it, ported from fmt's doPrintf: flags, width and precision (also
 * from an argument with `*`), explicit argument indexes (`%[2]v`), the verbs of float64 (%v %e %f %g %x %b…), int
 * (%d %x %o %b %c %q %U…) and string (%s %q %x), %T, and Go's marks for a wrong verb, index or argument count.
 */
import { fmtFloat, goFloat, goQuote, padded } from './goFormat.ts';
import type { FloatVerb, Flags, GoValue } from './goFormat.ts';

/** The Go type of a template value. */
export const goTypeName = (a: GoValue): string => (typeof a === 'number' ? 'float64' : typeof a === 'bigint' ? 'int' : 'string');

/** A value as `{{ }}` prints it (%v without flags). */
export const goPlain = (a: GoValue): string => (typeof a === 'number' ? goFloat(a) : typeof a === 'bigint' ? a.toString() : a);

interface State extends Flags { sharpV?: boolean }

/** Go's strconv.CanBackquote: a raw string literal can hold it. */
const canBackquote = (s: string): boolean => ![...s].some((c) => c === '`' || c === '\ufeff' || c === '\x7f' || (c < ' ' && c !== '\t'));

/** Go's %x / %X of a string: its UTF-8 bytes in hexadecimal; precision limits the bytes, ' ' spaces them, '#' adds 0x. */
function hexOf(a: string, upper: boolean, f: Flags): string {
  let bytes = [...new TextEncoder().encode(a)];
  if (f.prec !== undefined) bytes = bytes.slice(0, f.prec);
  const x = upper ? 'X' : 'x';
  const hex = bytes.map((b) => { const h = b.toString(16).padStart(2, '0'); return upper ? h.toUpperCase() : h; });
  if (f.space) return hex.map((h) => (f.sharp ? `0${x}${h}` : h)).join(' ');
  return (f.sharp && hex.length ? `0${x}` : '') + hex.join('');
}

const MAX_RUNE = 0x10ffff;
/** The character of an int as %c and %q read it: U+FFFD when it is none. */
function rune(u: bigint): string {
  if (u > BigInt(MAX_RUNE)) return '\ufffd';
  const cp = Number(u);
  return cp >= 0xd800 && cp <= 0xdfff ? '\ufffd' : String.fromCodePoint(cp);
}

/** Go's fmt.fmtInteger: digits in the base, precision or zero padding as leading zeros, '#' prefixes, the sign. */
function fmtInteger(v: bigint, base: 2 | 8 | 10 | 16, verb: string, upper: boolean, f: State): string {
  const negative = v < 0n;
  const u = negative ? -v : v;
  let prec = 0;
  if (f.prec !== undefined) {
    prec = f.prec;
    // Precision 0 and the value 0: nothing but padding.
    if (prec === 0 && u === 0n) return padded('', { ...f, zero: false });
  } else if (f.zero && f.width !== undefined) {
    prec = f.width;
    if (negative || f.plus || f.space) prec--;
  }
  let digits = u.toString(base);
  if (upper) digits = digits.toUpperCase();
  if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
  if (f.sharp) {
    if (base === 2) digits = `0b${digits}`;
    else if (base === 8 && digits[0] !== '0') digits = `0${digits}`;
    else if (base === 16) digits = `0${upper ? 'X' : 'x'}${digits}`;
  }
  if (verb === 'O') digits = `0o${digits}`;
  const sign = negative ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  return padded(sign + digits, { ...f, zero: false });
}

/** Go's %U: `U+00E9`, with '#' the character too when it is printable. */
function fmtUnicode(v: bigint, f: State): string {
  const u = BigInt.asUintN(64, v);
  const prec = f.prec !== undefined && f.prec > 4 ? f.prec : 4;
  let out = `U+${u.toString(16).toUpperCase().padStart(prec, '0')}`;
  if (f.sharp && u <= BigInt(MAX_RUNE) && !(u >= 0xd800n && u <= 0xdfffn)) {
    const c = String.fromCodePoint(Number(u));
    // strconv.IsPrint: what Go's quoting leaves as it is (a quote and a backslash are printable too).
    if (c === "'" || c === '\\' || goQuote(c, false, "'") === `'${c}'`) out += ` '${c}'`;
  }
  return padded(out, { ...f, zero: false });
}

function printInt(v: bigint, verb: string, f: State): string | null {
  switch (verb) {
    case 'v': case 'd': return fmtInteger(v, 10, verb, false, f);
    case 'b': return fmtInteger(v, 2, verb, false, f);
    case 'o': case 'O': return fmtInteger(v, 8, verb, false, f);
    case 'x': case 'X': return fmtInteger(v, 16, verb, verb === 'X', f);
    case 'c': return padded(rune(BigInt.asUintN(64, v)), f);
    case 'q': return padded(goQuote(rune(BigInt.asUintN(64, v)), !!f.plus, "'"), f);
    case 'U': return fmtUnicode(v, f);
    default: return null;
  }
}

function printFloat(v: number, verb: string, f: State): string | null {
  switch (verb) {
    case 'v': return fmtFloat(v, 'g', -1, f);
    case 'b': case 'g': case 'G': case 'x': case 'X': return fmtFloat(v, verb as FloatVerb, -1, f);
    case 'f': case 'F': return fmtFloat(v, 'f', 6, f);
    case 'e': case 'E': return fmtFloat(v, verb, 6, f);
    default: return null;
  }
}

function printString(s: string, verb: string, f: State): string | null {
  // Precision truncates a string (in characters) before %s and %q format it.
  const text = f.prec !== undefined ? [...s].slice(0, f.prec).join('') : s;
  switch (verb) {
    case 'v': return padded(f.sharpV ? goQuote(text, false) : text, f);
    case 's': return padded(text, f);
    case 'q': return padded(f.sharp && canBackquote(text) ? `\`${text}\`` : goQuote(text, !!f.plus), f);
    case 'x': case 'X': return padded(hexOf(s, verb === 'X', f), f);
    default: return null;
  }
}

/** Go's printArg: the value in the verb, or `%!verb(type=value)` (the value in %v with the same flags). */
function printArg(a: GoValue, verb: string, f: State): string {
  if (verb === 'T') return printString(goTypeName(a), 's', f)!;
  const out = verb === 'p' ? null : typeof a === 'number' ? printFloat(a, verb, f) : typeof a === 'bigint' ? printInt(a, verb, f) : printString(a, verb, f);
  return out ?? `%!${verb}(${goTypeName(a)}=${printArg(a, 'v', f)})`;
}

const tooLarge = (n: number): boolean => n > 1e6 || n < -1e6;

/** fmt's parsenum: a decimal number from i, as far as digits go (an absurd one ends the format). */
function parseNum(s: string, i: number, end: number): { num: number; ok: boolean; i: number } {
  let num = 0;
  let ok = false;
  for (; i < end && s[i] >= '0' && s[i] <= '9'; i++) {
    if (tooLarge(num)) return { num: 0, ok: false, i: end };
    num = num * 10 + (s.charCodeAt(i) - 48);
    ok = true;
  }
  return { num, ok, i };
}

/** fmt's intFromArg: a `*` width or precision, an int argument (anything else is not one). */
function intFromArg(args: readonly GoValue[], argNum: number): { num: number; ok: boolean; argNum: number } {
  if (argNum >= args.length) return { num: 0, ok: false, argNum };
  const a = args[argNum];
  let num = 0;
  let ok = false;
  if (typeof a === 'bigint' && BigInt.asIntN(64, a) === a) { num = Number(a); ok = true; }
  if (tooLarge(num)) return { num: 0, ok: false, argNum: argNum + 1 };
  return { num, ok, argNum: argNum + 1 };
}

type Piece = string | { verb: string; f: State };
const parsedFormats = new Map<string, Piece[] | null>();

/**
 * A format without argument indexes or `*` as text and verbs, parsed once (a template's printf runs for every row
 * an alert fires on); null for one with them, which goSprintfAll reads as it goes (its parsing depends on the arguments).
 */
function parsedFormat(format: string): Piece[] | null {
  let pieces = parsedFormats.get(format);
  if (pieces !== undefined) return pieces;
  pieces = /[[*]/.test(format) ? null : [];
  const end = format.length;
  for (let i = 0; pieces && i < end;) {
    const pct = format.indexOf('%', i);
    if (pct < 0) { pieces.push(format.slice(i)); break; }
    pieces.push(format.slice(i, pct));
    i = pct + 1;
    const f: State = {};
    for (; i < end; i++) {
      const c = format[i];
      if (c === '#') f.sharp = true;
      else if (c === '0') f.zero = !f.minus;
      else if (c === '+') f.plus = true;
      else if (c === '-') { f.minus = true; f.zero = false; }
      else if (c === ' ') f.space = true;
      else break;
    }
    const w = parseNum(format, i, end);
    i = w.i;
    if (w.ok) f.width = w.num;
    if (i + 1 < end && format[i] === '.') {
      const p = parseNum(format, i + 1, end);
      i = p.i;
      f.prec = p.ok ? p.num : 0;
    }
    if (i >= end) { pieces.push('%!(NOVERB)'); break; }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') { pieces.push('%'); continue; }
    if (verb === 'v') { f.sharpV = f.sharp; f.sharp = false; f.plus = false; }
    pieces.push({ verb, f });
  }
  if (parsedFormats.size >= 1000) parsedFormats.clear();
  parsedFormats.set(format, pieces);
  return pieces;
}

const extra = (args: readonly GoValue[]): string => `%!(EXTRA ${args.map((a) => `${goTypeName(a)}=${printArg(a, 'v', {})}`).join(', ')})`;

/** Go's fmt.Sprintf of a template's values. */
export function goSprintf(format: string, args: readonly GoValue[]): string {
  const pieces = parsedFormat(format);
  if (!pieces) return goSprintfAll(format, args);
  let out = '';
  let argNum = 0;
  for (const p of pieces) {
    if (typeof p === 'string') out += p;
    else if (argNum >= args.length) out += `%!${p.verb}(MISSING)`;
    else out += printArg(args[argNum++], p.verb, p.f);
  }
  return argNum < args.length ? out + extra(args.slice(argNum)) : out;
}

/** Go's fmt.Sprintf as its doPrintf reads any format, argument indexes and `*` included. */
export function goSprintfAll(format: string, args: readonly GoValue[]): string {
  let out = '';
  const end = format.length;
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let goodArgNum = true;
  /** fmt's argNumber: an explicit `[n]` at i, else the next argument. */
  const argNumber = (i: number): number => {
    afterIndex = false;
    if (i >= end || format[i] !== '[') return i;
    reordered = true;
    let close = -1;
    if (end - i >= 3) for (let j = i + 1; j < end; j++) if (format[j] === ']') { close = j; break; }
    if (close < 0) { goodArgNum = false; return i + 1; }
    const n = parseNum(format, i + 1, close);
    if (!n.ok || n.i !== close) { goodArgNum = false; return close + 1; }
    if (n.num - 1 >= 0 && n.num - 1 < args.length) { argNum = n.num - 1; afterIndex = true; return close + 1; }
    goodArgNum = false;
    afterIndex = true;
    return close + 1;
  };
  for (let i = 0; i < end;) {
    goodArgNum = true;
    const pct = format.indexOf('%', i);
    if (pct < 0) { out += format.slice(i); break; }
    out += format.slice(i, pct);
    i = pct + 1;
    const f: State = {};
    for (; i < end; i++) {
      const c = format[i];
      if (c === '#') f.sharp = true;
      else if (c === '0') f.zero = !f.minus;
      else if (c === '+') f.plus = true;
      else if (c === '-') { f.minus = true; f.zero = false; }
      else if (c === ' ') f.space = true;
      else break;
    }
    i = argNumber(i);
    if (i < end && format[i] === '*') {
      i++;
      const w = intFromArg(args, argNum);
      argNum = w.argNum;
      if (w.ok) f.width = w.num; else out += '%!(BADWIDTH)';
      if (f.width !== undefined && f.width < 0) { f.width = -f.width; f.minus = true; f.zero = false; }
      afterIndex = false;
    } else {
      const w = parseNum(format, i, end);
      i = w.i;
      if (w.ok) f.width = w.num;
      if (afterIndex && w.ok) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      i = argNumber(i);
      if (i < end && format[i] === '*') {
        i++;
        const p = intFromArg(args, argNum);
        argNum = p.argNum;
        // A negative precision is none.
        if (p.ok && p.num >= 0) f.prec = p.num;
        else out += '%!(BADPREC)';
        afterIndex = false;
      } else {
        const p = parseNum(format, i, end);
        i = p.i;
        f.prec = p.ok ? p.num : 0;
      }
    }
    if (!afterIndex) i = argNumber(i);
    if (i >= end) { out += '%!(NOVERB)'; break; }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') out += '%';
    else if (!goodArgNum) out += `%!${verb}(BADINDEX)`;
    else if (argNum >= args.length) out += `%!${verb}(MISSING)`;
    else {
      // %v: '#' is Go syntax and '+' field names, neither a flag of the number.
      if (verb === 'v') { f.sharpV = f.sharp; f.sharp = false; f.plus = false; }
      out += printArg(args[argNum++], verb, f);
    }
  }
  if (!reordered && argNum < args.length) out += extra(args.slice(argNum));
  return out;
}
