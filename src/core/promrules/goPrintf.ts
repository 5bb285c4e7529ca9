/**
 * Go's fmt.Sprintf as a template's `printf` runs it. The facts come from the Go fmt package documentation
 * (pkg.go.dev/fmt) and promtool's output: flags, width and precision (also taken from an int argument with `*`),
 * explicit argument indexes (`%[2]v`), the verbs of float64 (%v %e %f %g %x %b…), int (%d %x %o %b %c %q %U…)
 * and string (%s %q %x), %T, and the documented marks for a wrong verb, index, width, precision or argument count
 * (`%!d(string=x)`, `%!v(BADINDEX)`, `%!(BADWIDTH)`, `%!(BADPREC)`, `%!(NOVERB)`, `%!v(MISSING)`, `%!(EXTRA …)`).
 *
 * A format is parsed once into literal text and directives (a template's printf runs for every row an alert fires
 * on); what depends on the arguments (`*`, whether `[n]` is in range) is resolved as the directives are printed.
 */
import { formatFloat, goFloat, goQuote, padded } from './goFormat.ts';
import type { FloatVerb, Flags, GoValue } from './goFormat.ts';

/** The Go type of a template value. */
export const goTypeName = (a: GoValue): string => (typeof a === 'number' ? 'float64' : typeof a === 'bigint' ? 'int' : typeof a === 'boolean' ? 'bool' : 'string');

/** A value as `{{ }}` prints it (%v without flags). */
export const goPlain = (a: GoValue): string => (typeof a === 'number' ? goFloat(a) : typeof a === 'string' ? a : String(a));

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

/**
 * An int in base 2, 8, 10 or 16. Its digits are zero-filled to the precision, or (0 flag, no precision) to the
 * width less the sign; '#' puts 0b, 0 or 0x before them (beyond the width), %O 0o, then comes the sign.
 */
function fmtInteger(v: bigint, base: 2 | 8 | 10 | 16, verb: string, upper: boolean, f: State): string {
  const sign = v < 0n ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  const magnitude = v < 0n ? -v : v;
  const spaces = { ...f, zero: false };
  // Precision 0 prints no digit for 0: only the padding.
  if (f.prec === 0 && magnitude === 0n) return padded('', spaces);
  let digits = magnitude.toString(base);
  if (upper) digits = digits.toUpperCase();
  const least = f.prec ?? (f.zero && f.width !== undefined ? f.width - sign.length : 0);
  if (digits.length < least) digits = digits.padStart(least, '0');
  let prefix = '';
  if (f.sharp) prefix = base === 2 ? '0b' : base === 16 ? (upper ? '0X' : '0x') : base === 8 && digits[0] !== '0' ? '0' : '';
  if (verb === 'O') prefix = `0o${prefix}`;
  return padded(sign + prefix + digits, spaces);
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
    case 'v': return formatFloat(v, 'g', -1, f);
    case 'b': case 'g': case 'G': case 'x': case 'X': return formatFloat(v, verb as FloatVerb, -1, f);
    case 'f': case 'F': return formatFloat(v, 'f', 6, f);
    case 'e': case 'E': return formatFloat(v, verb, 6, f);
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

/** A value in a verb, or `%!verb(type=value)` (the value in %v with the same flags). */
function printArg(a: GoValue, verb: string, f: State): string {
  if (verb === 'T') return printString(goTypeName(a), 's', f)!;
  const out = verb === 'p' ? null : typeof a === 'number' ? printFloat(a, verb, f) : typeof a === 'bigint' ? printInt(a, verb, f)
    : typeof a === 'boolean' ? (verb === 'v' || verb === 't' ? padded(String(a), f) : null) : printString(a, verb, f);
  return out ?? `%!${verb}(${goTypeName(a)}=${printArg(a, 'v', f)})`;
}


/** A width or precision: none, a number written in the format, or `*` (the next argument, an int). */
type Size = number | '*' | undefined;

/** One `%` directive of a format. */
interface Directive {
  /** The flags, with the width and precision when they are numbers (for %v, '#' and '+' become sharpV / nothing). */
  flags: State;
  width: Size;
  prec: Size;
  /** `[n]` marks as written (1 is the first argument) before the width, before the precision and before the verb. */
  indexAt: { width?: number; prec?: number; verb?: number };
  /** A `[…]` that is no index, or one where an index may not stand (before a number width or a '.'). */
  badIndex: boolean;
  /** The verb; null when the format ends first (`%!(NOVERB)`, and nothing of the format after it). */
  verb: string | null;
  /** It has `*` or `[n]`: what it prints depends on more than the next argument. */
  dynamic: boolean;
}

/** A parsed format: literal text (`%%`, and directives whose text needs no argument, already in it) and directives. */
interface ParsedFormat {
  pieces: (string | Directive)[];
  /** The format has `[` where an index may stand: unused arguments are then not reported (no `%!(EXTRA …)`). */
  reordered: boolean;
}

/**
 * Decimal digits from `at`: their value (undefined when there are none) and where they end. A number that is still
 * growing past a million is absurd to Go: it gives up on the rest of the text (the end is `to`, the value undefined).
 */
function digitsAt(s: string, at: number, to: number): { value: number | undefined; end: number } {
  let value = 0;
  let end = at;
  for (; end < to; end++) {
    const d = s.charCodeAt(end) - 48;
    if (d < 0 || d > 9) break;
    if (value > 1e6) return { value: undefined, end: to };
    value = value * 10 + d;
  }
  return { value: end > at ? value : undefined, end };
}

/** Reads a format into text and directives. */
function parseFormat(format: string): ParsedFormat {
  const pieces: (string | Directive)[] = [];
  const end = format.length;
  let reordered = false;
  let text = '';
  let i = 0;

  /** `[n]` at i: n, 'bad' for a malformed one (`[x]`, `[]`, no ']' where one can be), undefined for none. */
  const index = (): number | 'bad' | undefined => {
    if (format[i] !== '[') return undefined;
    reordered = true;
    // '[', a digit and ']' at least: with fewer characters left there is no index, only a bad '['.
    const close = end - i >= 3 ? format.indexOf(']', i + 1) : -1;
    if (close < 0) { i++; return 'bad'; }
    const n = digitsAt(format, i + 1, close);
    i = close + 1;
    return n.value !== undefined && n.end === close ? n.value : 'bad';
  };

  const directive = (): Directive => {
    const flags: State = {};
    for (let c = format[i]; i < end; c = format[++i]) {
      if (c === '#') flags.sharp = true;
      else if (c === '0') flags.zero = !flags.minus;
      else if (c === '+') flags.plus = true;
      else if (c === '-') { flags.minus = true; flags.zero = false; }
      else if (c === ' ') flags.space = true;
      else break;
    }
    const d: Directive = { flags, width: undefined, prec: undefined, indexAt: {}, badIndex: false, verb: null, dynamic: false };
    // Whether an index was just read: a number or a '.' right after it makes it bad, and no second index is read before the verb.
    let afterIndex = false;
    const mark = (slot: 'width' | 'prec' | 'verb'): void => {
      const n = index();
      afterIndex = typeof n === 'number';
      if (n === 'bad') d.badIndex = true;
      else if (n !== undefined) d.indexAt[slot] = n;
    };
    mark('width');
    if (format[i] === '*') { i++; d.width = '*'; afterIndex = false; } else {
      const w = digitsAt(format, i, end);
      i = w.end;
      if (w.value !== undefined) { d.width = flags.width = w.value; if (afterIndex) d.badIndex = true; }
    }
    // A '.' that ends the format is the verb, not a precision.
    if (format[i] === '.' && i + 1 < end) {
      i++;
      if (afterIndex) d.badIndex = true;
      mark('prec');
      if (format[i] === '*') { i++; d.prec = '*'; afterIndex = false; } else {
        const p = digitsAt(format, i, end);
        i = p.end;
        d.prec = flags.prec = p.value ?? 0;
      }
    }
    if (!afterIndex) mark('verb');
    if (i >= end) return d;
    d.verb = String.fromCodePoint(format.codePointAt(i)!);
    i += d.verb.length;
    // %v's '#' is Go syntax and its '+' field names: neither is a flag of the value's formatting.
    if (d.verb === 'v') { flags.sharpV = flags.sharp; flags.sharp = false; flags.plus = false; }
    return d;
  };

  while (i < end) {
    const pct = format.indexOf('%', i);
    if (pct < 0) { text += format.slice(i); break; }
    text += format.slice(i, pct);
    i = pct + 1;
    const d = directive();
    d.dynamic = d.width === '*' || d.prec === '*' || Object.keys(d.indexAt).length > 0;
    if (!d.dynamic && (d.verb === null || d.verb === '%' || d.badIndex)) {
      // Text whatever the arguments: the mark, '%', or a bad index's mark.
      text += d.verb === null ? '%!(NOVERB)' : d.verb === '%' ? '%' : `%!${d.verb}(BADINDEX)`;
    } else {
      if (text) pieces.push(text);
      text = '';
      pieces.push(d);
    }
    if (d.verb === null) break;
  }
  if (text) pieces.push(text);
  return { pieces, reordered };
}

const parsedFormats = new Map<string, ParsedFormat>();

function parsed(format: string): ParsedFormat {
  let p = parsedFormats.get(format);
  if (p === undefined) {
    p = parseFormat(format);
    if (parsedFormats.size >= 1000) parsedFormats.clear();
    parsedFormats.set(format, p);
  }
  return p;
}

/** A directive with `*` or `[n]` printed from argument `next` on: its text, and the argument after those it used. */
function printDynamic(d: Directive, args: readonly GoValue[], next: number): { text: string; next: number } {
  let text = '';
  let good = !d.badIndex;
  const jump = (n: number | undefined): void => {
    if (n === undefined) return;
    if (n >= 1 && n <= args.length) next = n - 1;
    else good = false;
  };
  /** A `*`'s argument as a size: an int within ±1e6, else undefined. The argument is used up whatever it is. */
  const size = (): number | undefined => {
    if (next >= args.length) return undefined;
    const a = args[next++];
    return typeof a === 'bigint' && a >= -1_000_000n && a <= 1_000_000n ? Number(a) : undefined;
  };
  const f: State = { ...d.flags };
  jump(d.indexAt.width);
  if (d.width === '*') {
    const w = size();
    if (w === undefined) text += '%!(BADWIDTH)';
    else if (w < 0) { f.width = -w; f.minus = true; f.zero = false; } else f.width = w;
  }
  jump(d.indexAt.prec);
  if (d.prec === '*') {
    const p = size();
    // A negative precision is none.
    if (p === undefined || p < 0) text += '%!(BADPREC)';
    else f.prec = p;
  }
  jump(d.indexAt.verb);
  if (d.verb === null) text += '%!(NOVERB)';
  else if (d.verb === '%') text += '%';
  else if (!good) text += `%!${d.verb}(BADINDEX)`;
  else if (next >= args.length) text += `%!${d.verb}(MISSING)`;
  else text += printArg(args[next++], d.verb, f);
  return { text, next };
}

const extra = (args: readonly GoValue[]): string => `%!(EXTRA ${args.map((a) => `${goTypeName(a)}=${printArg(a, 'v', {})}`).join(', ')})`;

/** Go's fmt.Sprintf of a template's values. */
export function goSprintf(format: string, args: readonly GoValue[]): string {
  const { pieces, reordered } = parsed(format);
  let out = '';
  let next = 0;
  for (const p of pieces) {
    if (typeof p === 'string') out += p;
    else if (p.dynamic) { const r = printDynamic(p, args, next); out += r.text; next = r.next; }
    else if (next < args.length) out += printArg(args[next++], p.verb!, p.flags);
    else out += `%!${p.verb}(MISSING)`;
  }
  return !reordered && next < args.length ? out + extra(args.slice(next)) : out;
}
