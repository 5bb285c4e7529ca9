/**
 * Go's number and time printing as Prometheus's alert templates show it: `fmt`'s `%v`, `%f`, `%e`, `%g` (with
 * flags, width and precision) and `time.Time`'s String() in UTC. Rounding is strconv's: the exact binary value,
 * halves to even (`printf "%.2f" 0.125` is `0.12` in Go where JavaScript's toFixed gives `0.13`).
 */

/** A positive finite number as decimal digits: value = 0.digits × 10^dp, no leading or trailing zeros. */
interface Digits { digits: string; dp: number }

/** A plain decimal numeral (`123.4500`) as digits. */
function digitsOfDecimal(s: string): Digits {
  const dot = s.indexOf('.');
  const int = dot < 0 ? s : s.slice(0, dot);
  const all = (int === '0' ? '' : int) + (dot < 0 ? '' : s.slice(dot + 1));
  let dp = int === '0' ? 0 : int.length;
  const lead = /^0*/.exec(all)![0].length;
  dp -= lead;
  return { digits: all.slice(lead).replace(/0+$/, ''), dp };
}

/** The exact decimal value of a double: mantissa × 2^exponent written out with BigInt (subnormals included). */
function exactDigits(x: number): Digits {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  if (biased !== 0) mant |= 1n << 52n;
  const e2 = (biased === 0 ? 1 : biased) - 1075;
  // mant × 2^e2: an integer when e2 >= 0, else mant × 5^-e2 / 10^-e2.
  const digits = (e2 >= 0 ? mant << BigInt(e2) : mant * 5n ** BigInt(-e2)).toString();
  return { digits: digits.replace(/0+$/, ''), dp: e2 >= 0 ? digits.length : digits.length + e2 };
}

/**
 * The shortest round-trip digits when they are x's exact value, else null. Only then can rounding meet a tie: a
 * tie at a digit needs an exact value of that many digits and a 5, and an exact value of 16 digits or fewer is
 * the shortest round-trip one (two decimals that far apart cannot both read back as x).
 */
function exactShortest(x: number): Digits | null {
  const d = shortestDigits(x);
  if (d.digits.length > 16 || !d.digits.endsWith('5')) return null;
  // digits × 10^-j is a double's exact value when digits × 5^-j is an integer below 2^53 (j < 0: × 5^|j|).
  const j = d.digits.length - d.dp;
  const n = BigInt(d.digits);
  const f = 5n ** BigInt(Math.abs(j));
  const exact = j > 0 ? n % f === 0n : n * f < 2n ** 53n;
  return exact ? d : null;
}

/**
 * x rounded to `nd` significant digits as strconv rounds. JavaScript's toExponential rounds the exact value too,
 * halves up: the same digits when there is no tie (the exact expansion, needed past 15 digits, is slow).
 */
function roundedSignificant(x: number, nd: number): Digits {
  if (nd >= 1 && nd <= 15) {
    const exact = exactShortest(x);
    if (exact) return roundDigits(exact, nd);
    const e = x.toExponential(nd - 1);
    const at = e.indexOf('e');
    return { digits: (e[0] + e.slice(2, at)).replace(/0+$/, ''), dp: Number(e.slice(at + 1)) + 1 };
  }
  return roundDigits(exactDigits(x), nd);
}

/** x rounded to `prec` digits after the point as strconv rounds (toFixed's digits when there is no tie). */
function roundedFixed(x: number, prec: number): Digits {
  const exact = exactShortest(x);
  if (exact) return roundDigits(exact, exact.dp + prec);
  if (x < 1e21 && shortestDigits(x).dp + prec <= 15) return digitsOfDecimal(x.toFixed(prec));
  const all = exactDigits(x);
  return roundDigits(all, all.dp + prec);
}

/** The digits rounded to `nd` significant digits (halves to even), trailing zeros dropped. */
function roundDigits(d: Digits, nd: number): Digits {
  if (nd < 0) return { digits: '', dp: d.dp };
  if (d.digits.length <= nd) return d;
  const next = d.digits.charCodeAt(nd) - 48;
  const exactHalf = next === 5 && d.digits.length === nd + 1;
  const up = exactHalf ? nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1 : next >= 5;
  let kept = d.digits.slice(0, nd);
  let dp = d.dp;
  if (up) {
    let i = kept.length - 1;
    while (i >= 0 && kept[i] === '9') i--;
    if (i < 0) { kept = '1'; dp++; } else kept = kept.slice(0, i) + String.fromCharCode(kept.charCodeAt(i) + 1);
  }
  return { digits: kept.replace(/0+$/, ''), dp };
}

/** The shortest digits that read back as x (what JavaScript's String gives, as Go's %v). */
function shortestDigits(x: number): Digits {
  // toExponential() writes the shortest round-trip digits, without trailing zeros: `1.2345e+2`, `5e-324`.
  const s = x.toExponential();
  const at = s.indexOf('e');
  return { digits: at > 1 ? s[0] + s.slice(2, at) : s[0], dp: Number(s.slice(at + 1)) + 1 };
}

const digitAt = (d: Digits, i: number): string => (i < d.digits.length ? d.digits[i] : '0');

function fmtE(d: Digits, prec: number, e: 'e' | 'E'): string {
  let out = d.digits.length ? d.digits[0] : '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  const exp = d.digits.length ? d.dp - 1 : 0;
  const a = Math.abs(exp);
  return `${out}${e}${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
}

function fmtF(d: Digits, prec: number): string {
  let out = '';
  if (d.dp > 0) for (let i = 0; i < d.dp; i++) out += digitAt(d, i);
  else out = '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      out += j < 0 ? '0' : digitAt(d, j);
    }
  }
  return out;
}

/** strconv.FormatFloat of |x| (finite, > 0 or 0) in format f, e or g; prec < 0: the shortest. */
function formatAbs(x: number, verb: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  const shortest = prec < 0;
  const e = verb === 'e' || verb === 'E';
  let d: Digits;
  if (x === 0) d = { digits: '', dp: 0 };
  else if (shortest) d = shortestDigits(x);
  else if (e) d = roundedSignificant(x, prec + 1);
  else if (verb === 'f') d = roundedFixed(x, prec);
  else { if (prec === 0) prec = 1; d = roundedSignificant(x, prec); }
  const nd = d.digits.length;
  if (shortest) prec = e ? Math.max(nd - 1, 0) : verb === 'f' ? Math.max(nd - d.dp, 0) : nd;
  if (e) return fmtE(d, prec, verb);
  if (verb === 'f') return fmtF(d, prec);
  let eprec = prec;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) return fmtE(d, Math.min(prec, nd) - 1, verb === 'G' ? 'E' : 'e');
  return fmtF(d, Math.max((prec > d.dp ? nd : prec) - d.dp, 0));
}

/** A float64 printed as Go's fmt %v does (shortest round-trip digits; the exponent form below 1e-4 and from 1e6). */
export function goFloat(v: number): string {
  return goNumber(v, 'g', -1, {});
}

interface Flags { plus?: boolean; space?: boolean; minus?: boolean; zero?: boolean; sharp?: boolean; width?: number }

function goNumber(v: number, verb: 'e' | 'E' | 'f' | 'g' | 'G', prec: number, flags: Flags): string {
  let body: string;
  const neg = v < 0 || Object.is(v, -0);
  if (Number.isNaN(v)) body = 'NaN';
  else if (!Number.isFinite(v)) body = 'Inf';
  else body = formatAbs(Math.abs(v), verb, prec);
  // Go's order: a '-' of its own, else '+' asked for, else ' ' asked for, else '+' only for +Inf (` Inf` with ' ').
  const sign = Number.isNaN(v) ? (flags.plus ? '+' : flags.space ? ' ' : '') : neg ? '-' : flags.plus ? '+' : flags.space ? ' ' : v === Infinity ? '+' : '';
  return pad(sign, body, flags, Number.isFinite(v));
}

/** Go's padding to the width, which counts characters (code points), not UTF-16 units. */
function pad(sign: string, body: string, flags: Flags, zeroOk: boolean): string {
  const w = flags.width ?? 0;
  const len = sign.length + codePoints(body);
  if (len >= w) return sign + body;
  if (flags.minus) return sign + body + ' '.repeat(w - len);
  if (flags.zero && zeroOk) return sign + '0'.repeat(w - len) + body;
  return ' '.repeat(w - len) + sign + body;
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 0xd800 || c > 0xdbff) n++; }
  return n;
}

/** Go's strconv.Quote (`ascii`: QuoteToASCII): printable characters as they are, the rest escaped as Go escapes them. */
export function goQuote(s: string, ascii: boolean): string {
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (cp < 0x7f ? cp >= 0x20 : !ascii && /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(c)) out += c;
    else if (SHORT_ESCAPES[cp]) out += SHORT_ESCAPES[cp];
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}
const SHORT_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

/** Go's strconv.CanBackquote: a raw string literal can hold it. */
const canBackquote = (s: string): boolean => ![...s].some((c) => c === '`' || c === '\ufeff' || c === '\x7f' || (c < ' ' && c !== '\t'));

/** Go's %x / %X of a string: its UTF-8 bytes in hexadecimal; precision limits the bytes, ' ' spaces them, '#' adds 0x. */
function hexOf(a: string, upper: boolean, prec: number, flags: Flags): string {
  let bytes = [...new TextEncoder().encode(a)];
  if (prec >= 0) bytes = bytes.slice(0, prec);
  const x = upper ? 'X' : 'x';
  const hex = bytes.map((b) => { const h = b.toString(16).padStart(2, '0'); return upper ? h.toUpperCase() : h; });
  if (flags.space) return hex.map((h) => (flags.sharp ? `0${x}${h}` : h)).join(' ');
  return (flags.sharp && hex.length ? `0${x}` : '') + hex.join('');
}

/** Go's time.Time String() of an instant in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function goTimeUTC(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const frac = ms % 1000 === 0 ? '' : `.${p(((ms % 1000) + 1000) % 1000, 3).replace(/0+$/, '')}`;
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac} +0000 UTC`;
}

/** A value in a template: Prometheus's $value is a float64, labels and literals are strings. */
export type GoValue = number | string;

const typeName = (a: GoValue): string => (typeof a === 'number' ? 'float64' : 'string');
const plain = (a: GoValue): string => (typeof a === 'number' ? goFloat(a) : a);

/** Go's fmt.Sprintf for the verbs templates use (%v %s %q %f %e %g %d %x %%), with Go's own marks for a wrong type or argument count. */
export function goSprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let next = 0;
  for (const p of parsedFormat(format)) {
    if (typeof p === 'string') { out += p; continue; }
    if (next >= args.length) { out += `%!${p.verb}(MISSING)`; continue; }
    out += formatOne(p.verb, args[next++], p.prec, p.flags);
  }
  if (next < args.length) out += `%!(EXTRA ${args.slice(next).map((a) => `${typeName(a)}=${plain(a)}`).join(', ')})`;
  return out;
}

/** Go's %.Ng of a number (humanize's %.4g), without parsing a format. */
export function goG(v: number, prec: number): string {
  return goNumber(v, 'g', prec, {});
}

type FormatPiece = string | { verb: string; prec: number; flags: Flags };
const parsedFormats = new Map<string, FormatPiece[]>();

/** A format's text and verbs, parsed once (a template's printf runs for every row an alert fires on). */
function parsedFormat(format: string): FormatPiece[] {
  let pieces = parsedFormats.get(format);
  if (pieces) return pieces;
  pieces = [];
  // The verb is whatever character follows (`%!` is a bad verb '!'); none at the end is NOVERB.
  const re = /%([-+ 0#]*)(\d+)?(?:\.(\d*))?([\s\S])?/gu;
  let last = 0;
  for (const m of format.matchAll(re)) {
    pieces.push(format.slice(last, m.index));
    last = m.index + m[0].length;
    const verb = m[4];
    if (verb === '%') { pieces.push('%'); continue; }
    if (verb === undefined) { pieces.push('%!(NOVERB)'); continue; }
    const flags: Flags = { width: m[2] ? Number(m[2]) : undefined };
    for (const c of m[1]) {
      if (c === '+') flags.plus = true; else if (c === ' ') flags.space = true; else if (c === '-') flags.minus = true;
      else if (c === '0') flags.zero = true; else flags.sharp = true;
    }
    pieces.push({ verb, prec: m[3] === undefined ? -1 : m[3] === '' ? 0 : Number(m[3]), flags });
  }
  pieces.push(format.slice(last));
  if (parsedFormats.size >= 1000) parsedFormats.clear();
  parsedFormats.set(format, pieces);
  return pieces;
}

function formatOne(verb: string, a: GoValue, prec: number, flags: Flags): string {
  const bad = (): string => `%!${verb}(${typeName(a)}=${plain(a)})`;
  if (typeof a === 'number') {
    switch (verb) {
      // %+v is Go's plusV (struct field names): no sign for a number.
      case 'v': return goNumber(a, 'g', prec, { ...flags, plus: false });
      case 'g': case 'G': return goNumber(a, verb, prec, flags);
      case 'f': case 'F': return goNumber(a, 'f', prec < 0 ? 6 : prec, flags);
      case 'e': case 'E': return goNumber(a, verb, prec < 0 ? 6 : prec, flags);
      default: return bad();
    }
  }
  // Precision truncates a string (in characters) before %s and %q format it.
  const text = prec >= 0 ? [...a].slice(0, prec).join('') : a;
  switch (verb) {
    case 'v': case 's': return pad('', text, flags, true);
    case 'q': return pad('', flags.sharp && canBackquote(text) ? `\`${text}\`` : goQuote(text, !!flags.plus), flags, true);
    case 'x': case 'X': return pad('', hexOf(a, verb === 'X', prec, flags), flags, true);
    default: return bad();
  }
}
