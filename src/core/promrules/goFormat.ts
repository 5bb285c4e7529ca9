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
  return fmtFloat(v, 'g', -1, {});
}

/** Go's fmt flags of one verb: width and precision when given. */
export interface Flags { plus?: boolean; space?: boolean; minus?: boolean; zero?: boolean; sharp?: boolean; width?: number; prec?: number }

/** strconv's %x of |x|: `0x1.8p+00`, the mantissa rounded to `prec` hex digits (halves to even) when prec >= 0. */
function hexFloat(x: number, upper: boolean, prec: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  let exp = biased === 0 ? -1022 : biased - 1023;
  if (biased !== 0) mant |= 1n << 52n;
  if (mant === 0n) exp = 0;
  // The leading 1 at bit 60, then rounded to prec hex digits.
  mant <<= 8n;
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) { mant <<= 1n; exp--; }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if (mant & (1n << 61n)) { mant >>= 1n; exp++; }
  }
  const digit = (d: bigint): string => { const h = d.toString(16); return upper ? h.toUpperCase() : h; };
  let out = `0${upper ? 'X' : 'x'}${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  if ((prec < 0 && mant !== 0n) || prec > 0) {
    out += '.';
    for (let i = 0; prec < 0 ? mant !== 0n : i < prec; i++) { out += digit((mant >> 60n) & 15n); mant = (mant << 4n) & ((1n << 64n) - 1n); }
  }
  const a = Math.abs(exp);
  return `${out}${upper ? 'P' : 'p'}${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
}

/** strconv's %b of |x|: the integer mantissa and a binary exponent, `4503599627370496p-52`. */
function binaryFloat(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const mant = (bits & 0xfffffffffffffn) | (biased === 0 ? 0n : 1n << 52n);
  const exp = (biased === 0 ? 1 : biased) - 1075;
  return `${mant}p${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
}

/** The float verbs strconv knows. */
export type FloatVerb = 'e' | 'E' | 'f' | 'g' | 'G' | 'x' | 'X' | 'b';

/**
 * Go's fmt.fmtFloat: strconv's text of v in the verb, with its sign, '#' (a decimal point always; %g and %x keep
 * their trailing zeros), width and zero padding. The flags' precision, when given, replaces `prec`.
 */
export function fmtFloat(v: number, verb: FloatVerb, prec: number, f: Flags): string {
  if (f.prec !== undefined) prec = f.prec;
  let body: string;
  if (Number.isNaN(v)) body = 'NaN';
  else if (!Number.isFinite(v)) body = 'Inf';
  else if (verb === 'x' || verb === 'X') body = hexFloat(Math.abs(v), verb === 'X', prec);
  else if (verb === 'b') body = binaryFloat(Math.abs(v));
  else body = formatAbs(Math.abs(v), verb, prec);
  const negative = (v < 0 || Object.is(v, -0)) && !Number.isNaN(v);
  // The common case (humanize's %.4g, printf's %.2f): no flags, a finite number.
  if (f.width === undefined && !f.sharp && !f.plus && !f.space && Number.isFinite(v)) return negative ? `-${body}` : body;
  let num = (negative ? '-' : '+') + body;
  if (f.space && num[0] === '+' && !f.plus) num = ` ${body}`;
  if (body === 'Inf' || body === 'NaN') {
    // Not padded with zeros; NaN's sign only when asked for.
    if (body === 'NaN' && !f.space && !f.plus) num = body;
    return padded(num, { ...f, zero: false });
  }
  if (f.sharp && verb !== 'b') num = sharpFloat(num, verb, prec);
  if (f.plus || num[0] !== '+') {
    // Zero padding goes between the sign and the digits.
    if (f.zero && f.width !== undefined && f.width > num.length) return num[0] + '0'.repeat(f.width - num.length) + num.slice(1);
    return padded(num, f);
  }
  return padded(num.slice(1), f);
}

/** Go's '#' on a float's text (sign first): a decimal point always, and %g/%v/%x's trailing zeros up to the precision. */
function sharpFloat(num: string, verb: FloatVerb, prec: number): string {
  let digits = verb === 'g' || verb === 'G' || verb === 'x' ? (prec === -1 ? 6 : prec) : 0;
  let tail = '';
  let hasPoint = false;
  let sawNonzero = false;
  for (let i = 1; i < num.length; i++) {
    const c = num[i];
    if (c === '.') { hasPoint = true; continue; }
    if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) { tail = num.slice(i); num = num.slice(0, i); break; }
    if (c !== '0') sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!hasPoint) {
    if (num.length === 2 && num[1] === '0') digits--;
    num += '.';
  }
  if (digits > 0) num += '0'.repeat(digits);
  return num + tail;
}

/** Go's fmt.pad: to the width in characters (code points), zeros on the left with the 0 flag, spaces on the right with '-'. */
export function padded(s: string, f: Flags): string {
  const w = f.width ?? 0;
  const n = w - codePoints(s);
  if (n <= 0) return s;
  const fill = (f.zero ? '0' : ' ').repeat(n);
  return f.minus ? s + fill : fill + s;
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 0xd800 || c > 0xdbff) n++; }
  return n;
}

/**
 * Go's strconv.Quote (`ascii`: QuoteToASCII; `quote` "'": QuoteRune of one character): printable characters as
 * they are, the rest escaped as Go escapes them.
 */
export function goQuote(s: string, ascii: boolean, quote: '"' | "'" = '"'): string {
  let out = quote;
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (c === quote || c === '\\') out += `\\${c}`;
    else if (cp < 0x7f ? cp >= 0x20 : !ascii && /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(c)) out += c;
    else if (SHORT_ESCAPES[cp]) out += SHORT_ESCAPES[cp];
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}
const SHORT_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

/** Go's time.Time String() of an instant in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function goTimeUTC(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const frac = ms % 1000 === 0 ? '' : `.${p(((ms % 1000) + 1000) % 1000, 3).replace(/0+$/, '')}`;
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac} +0000 UTC`;
}

/** A value in a template: Prometheus's $value and literals with '.', an exponent or p are float64, integer literals int (a bigint here), labels and strings string. */
export type GoValue = number | string | bigint;

/** Go's %.Ng of a number (humanize's %.4g), without parsing a format. */
export function goG(v: number, prec: number): string {
  return fmtFloat(v, 'g', prec, {});
}
