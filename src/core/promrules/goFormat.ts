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

/** A finite double's exact value as significand × 2^exponent (the significand an integer below 2^53, subnormals included). */
function binaryParts(x: number): { significand: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const stored = bits & 0xfffffffffffffn;
  // A normal number has an implicit leading 1 bit; a subnormal one has the smallest exponent.
  return biased === 0 ? { significand: stored, exponent: -1074 } : { significand: stored | (1n << 52n), exponent: biased - 1075 };
}

/** The exact decimal value of a double: significand × 2^exponent written out with BigInt (subnormals included). */
function exactDigits(x: number): Digits {
  const { significand, exponent: e2 } = binaryParts(x);
  // significand × 2^e2: an integer when e2 >= 0, else significand × 5^-e2 / 10^-e2.
  const digits = (e2 >= 0 ? significand << BigInt(e2) : significand * 5n ** BigInt(-e2)).toString();
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
const ZERO: Digits = { digits: '', dp: 0 };

/** `d.ddde+XX`: one digit, `places` more after the point, the decimal exponent signed and of two digits at least. */
function exponentForm(d: Digits, places: number, e: 'e' | 'E'): string {
  let out = d.digits.length ? d.digits[0] : '0';
  if (places > 0) {
    out += '.';
    for (let i = 1; i <= places; i++) out += digitAt(d, i);
  }
  const exp = d.digits.length ? d.dp - 1 : 0;
  const a = Math.abs(exp);
  return `${out}${e}${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
}

/** `ddd.ddd`: the integer part (0 when there is none), then `places` digits after the point. */
function pointForm(d: Digits, places: number): string {
  let out = '';
  if (d.dp > 0) for (let i = 0; i < d.dp; i++) out += digitAt(d, i);
  else out = '0';
  if (places > 0) {
    out += '.';
    for (let i = 0; i < places; i++) {
      const j = d.dp + i;
      out += j < 0 ? '0' : digitAt(d, j);
    }
  }
  return out;
}

/**
 * strconv.FormatFloat of |x| (finite, > 0 or 0) in format f, e or g (pkg.go.dev/strconv); prec < 0: the shortest
 * digits that read back as x, all of them shown. %e has prec digits after the point, %f prec places. %g rounds to
 * prec significant digits (0 counts as 1) and shows them all, trailing zeros dropped: in %e's form when the decimal
 * exponent is below -4 or reaches the precision (6 with the shortest digits), else as a plain decimal.
 */
function formatAbs(x: number, verb: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  const shortest = prec < 0;
  if (verb === 'e' || verb === 'E') {
    const d = x === 0 ? ZERO : shortest ? shortestDigits(x) : roundedSignificant(x, prec + 1);
    return exponentForm(d, shortest ? Math.max(d.digits.length - 1, 0) : prec, verb);
  }
  if (verb === 'f') {
    const d = x === 0 ? ZERO : shortest ? shortestDigits(x) : roundedFixed(x, prec);
    return pointForm(d, shortest ? Math.max(d.digits.length - d.dp, 0) : prec);
  }
  const significant = shortest ? 6 : Math.max(prec, 1);
  const d = x === 0 ? ZERO : shortest ? shortestDigits(x) : roundedSignificant(x, significant);
  const exp = d.dp - 1;
  if (exp < -4 || exp >= significant) return exponentForm(d, d.digits.length - 1, verb === 'G' ? 'E' : 'e');
  return pointForm(d, Math.max(d.digits.length - d.dp, 0));
}

/** A float64 printed as Go's fmt %v does (shortest round-trip digits; the exponent form below 1e-4 and from 1e6). */
export function goFloat(v: number): string {
  return formatFloat(v, 'g', -1, {});
}

/** Go's fmt flags of one verb: width and precision when given. */
export interface Flags { plus?: boolean; space?: boolean; minus?: boolean; zero?: boolean; sharp?: boolean; width?: number; prec?: number }

/**
 * %x of |x| (pkg.go.dev/strconv, format 'x': `-0x1.8p+00`): a hexadecimal significand with one digit before the
 * point (1, or 0 for zero) and a binary exponent of at least two digits. Without a precision the fraction has as few
 * digits as show the value exactly; with one it has that many, the value rounded to them halves to even.
 */
function hexFloat(x: number, upper: boolean, prec: number): string {
  let lead = '0';
  let fraction = '';
  let exp = 0;
  if (x !== 0) {
    const { significand, exponent } = binaryParts(x);
    // x = 1.f × 2^exp: f is the significand's bits after its highest one, widened to whole hex digits.
    const fractionBits = significand.toString(2).length - 1;
    exp = exponent + fractionBits;
    let places = Math.ceil(fractionBits / 4);
    // 1.f × 16^places: an integer from 16^places up to (not including) twice that.
    let scaled = significand << BigInt(4 * places - fractionBits);
    if (prec >= 0 && prec < places) {
      // To prec hex places, halves to even.
      const dropped = BigInt(4 * (places - prec));
      const rest = scaled & ((1n << dropped) - 1n);
      const half = 1n << (dropped - 1n);
      scaled >>= dropped;
      if (rest > half || (rest === half && (scaled & 1n) === 1n)) scaled++;
      places = prec;
      // Rounding 1.ff…f up gives 2: 1 with the next exponent.
      if (scaled === 2n << BigInt(4 * places)) { scaled >>= 1n; exp++; }
    }
    lead = '1';
    if (places > 0) fraction = (scaled - (1n << BigInt(4 * places))).toString(16).padStart(places, '0');
  }
  fraction = prec < 0 ? fraction.replace(/0+$/, '') : fraction.padEnd(prec, '0');
  const a = Math.abs(exp);
  const text = `0x${lead}${fraction ? `.${fraction}` : ''}p${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
  return upper ? text.toUpperCase() : text;
}

/** %b of |x| (pkg.go.dev/strconv, format 'b'): the integer significand and a binary exponent, `4503599627370496p-52`. */
function binaryFloat(x: number): string {
  const { significand, exponent } = binaryParts(x);
  return `${significand}p${exponent < 0 ? '-' : '+'}${Math.abs(exponent)}`;
}

/** The float verbs strconv knows. */
export type FloatVerb = 'e' | 'E' | 'f' | 'g' | 'G' | 'x' | 'X' | 'b';

/** The text of |v| in the verb: `NaN`, `Inf` or the digits (prec < 0: the shortest that read back as v). */
function unsignedText(v: number, verb: FloatVerb, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return 'Inf';
  const x = Math.abs(v);
  if (verb === 'x' || verb === 'X') return hexFloat(x, verb === 'X', prec);
  if (verb === 'b') return binaryFloat(x);
  return formatAbs(x, verb, prec);
}

/**
 * A float64 as Go's fmt prints it with flags (pkg.go.dev/fmt): the text of |v| ('#' may change it), then its
 * sign, then the width. The sign is '-' for a negative number (-0 too), else '+' with the plus flag, ' ' with the
 * space flag, and none; infinity always has one (`+Inf`), NaN never a '-'. The flags' precision, when given,
 * replaces `prec`.
 */
export function formatFloat(v: number, verb: FloatVerb, prec: number, f: Flags): string {
  if (f.prec !== undefined) prec = f.prec;
  const body = unsignedText(v, verb, prec);
  const negative = v < 0 || Object.is(v, -0);
  const finite = Number.isFinite(v);
  // The common case (humanize's %.4g, printf's %.2f): no flags, no width, a finite number.
  if (f.width === undefined && !f.sharp && !f.plus && !f.space && finite) return negative ? `-${body}` : body;
  const sign = negative ? '-' : f.plus ? '+' : f.space ? ' ' : finite || Number.isNaN(v) ? '' : '+';
  // Infinity and NaN are padded with spaces only.
  if (!finite) return padded(sign + body, { ...f, zero: false });
  const text = f.sharp && verb !== 'b' ? alternateForm(body, verb, prec) : body;
  // The 0 flag's zeros go between the sign and the digits; a number without a sign is padded as any text is.
  const zeros = f.zero && sign !== '' ? (f.width ?? 0) - sign.length - text.length : 0;
  return zeros > 0 ? sign + '0'.repeat(zeros) + text : padded(sign + text, f);
}

/**
 * The '#' flag on a float's text (pkg.go.dev/fmt: a decimal point always, and %g keeps its trailing zeros). The
 * part before the exponent gets a '.' when it has none. %g and %G add zeros after it until there are as many
 * significant digits as the precision (6 when none; a zero's single 0 counts as one). Lowercase %x
 * adds zeros to the fraction up to two digits fewer than the precision (6 when none: `%#x` of 1 is `0x1.0000p+00`);
 * uppercase %X only gets the point.
 */
function alternateForm(text: string, verb: FloatVerb, prec: number): string {
  const hex = verb === 'x' || verb === 'X';
  const at = hex ? text.search(/[pP]/) : text.search(/[eE]/);
  let mantissa = at < 0 ? text : text.slice(0, at);
  const exponent = at < 0 ? '' : text.slice(at);
  const point = mantissa.indexOf('.');
  const want = prec < 0 ? 6 : prec;
  let zeros = 0;
  if (verb === 'g' || verb === 'G') {
    const significant = mantissa.replace('.', '').replace(/^0+/, '').length;
    zeros = want - Math.max(significant, 1);
  } else if (verb === 'x') {
    zeros = want - 2 - (point < 0 ? 0 : mantissa.length - point - 1);
  }
  if (point < 0) mantissa += '.';
  return mantissa + (zeros > 0 ? '0'.repeat(zeros) : '') + exponent;
}

/** Text padded to the width in characters (code points): spaces on the left, on the right with '-', zeros with the 0 flag. */
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

/**
 * A value in a template: Prometheus's $value and literals with '.', an exponent or p are float64, integer literals
 * int (a bigint here), labels and strings string, `true`, `false` and what eq, lt, not… return bool.
 */
export type GoValue = number | string | bigint | boolean;

/** Go's %.Ng of a number (humanize's %.4g), without parsing a format. */
export function goG(v: number, prec: number): string {
  return formatFloat(v, 'g', prec, {});
}
