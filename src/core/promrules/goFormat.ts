/**
 * Go's number and time printing as Prometheus's alert templates show it: `fmt`'s `%v`, `%f`, `%e`, `%g` (with
 * flags, width and precision) and `time.Time`'s String() in UTC. Rounding is strconv's: the exact binary value,
 * halves to even (`printf "%.2f" 0.125` is `0.12` in Go where JavaScript's toFixed gives `0.13`).
 */

/** A positive finite number as decimal digits: value = 0.digits × 10^dp, no leading or trailing zeros. */
interface Digits { digits: string; dp: number }

function exactDigits(x: number): Digits {
  // toFixed(100) is exact for every double from 2^-47 up; below that a tie at a printed digit cannot occur.
  const s = x >= 1e21 ? BigInt(x).toString() : x.toFixed(100);
  const dot = s.indexOf('.');
  const int = dot < 0 ? s : s.slice(0, dot);
  const all = (int === '0' ? '' : int) + (dot < 0 ? '' : s.slice(dot + 1));
  let dp = int === '0' ? 0 : int.length;
  const lead = /^0*/.exec(all)![0].length;
  dp -= lead;
  return { digits: all.slice(lead).replace(/0+$/, ''), dp };
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
  const [mant, exp] = x.toExponential().split('e');
  const digits = mant.replace('.', '').replace(/0+$/, '');
  return { digits, dp: Number(exp) + 1 };
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
  else if (e) d = roundDigits(exactDigits(x), prec + 1);
  else if (verb === 'f') { const exact = exactDigits(x); d = roundDigits(exact, exact.dp + prec); }
  else { if (prec === 0) prec = 1; d = roundDigits(exactDigits(x), prec); }
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
  const sign = Number.isNaN(v) ? (flags.plus ? '+' : flags.space ? ' ' : '') : neg ? '-' : flags.plus || v === Infinity ? '+' : flags.space ? ' ' : '';
  return pad(sign, body, flags, Number.isFinite(v));
}

function pad(sign: string, body: string, flags: Flags, zeroOk: boolean): string {
  const w = flags.width ?? 0;
  const len = sign.length + body.length;
  if (len >= w) return sign + body;
  if (flags.minus) return sign + body + ' '.repeat(w - len);
  if (flags.zero && zeroOk) return sign + '0'.repeat(w - len) + body;
  return ' '.repeat(w - len) + sign + body;
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
  const re = /%([-+ 0#]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])?/g;
  let last = 0;
  for (const m of format.matchAll(re)) {
    out += format.slice(last, m.index);
    last = m.index + m[0].length;
    const verb = m[4];
    if (verb === '%') { out += '%'; continue; }
    if (verb === undefined) { out += '%!(NOVERB)'; continue; }
    const flags: Flags = { width: m[2] ? Number(m[2]) : undefined };
    for (const c of m[1]) {
      if (c === '+') flags.plus = true; else if (c === ' ') flags.space = true; else if (c === '-') flags.minus = true;
      else if (c === '0') flags.zero = true; else flags.sharp = true;
    }
    const prec = m[3] === undefined ? -1 : m[3] === '' ? 0 : Number(m[3]);
    if (next >= args.length) { out += `%!${verb}(MISSING)`; continue; }
    const a = args[next++];
    out += formatOne(verb, a, prec, flags);
  }
  out += format.slice(last);
  if (next < args.length) out += `%!(EXTRA ${args.slice(next).map((a) => `${typeName(a)}=${plain(a)}`).join(', ')})`;
  return out;
}

function formatOne(verb: string, a: GoValue, prec: number, flags: Flags): string {
  const bad = (): string => `%!${verb}(${typeName(a)}=${plain(a)})`;
  if (typeof a === 'number') {
    switch (verb) {
      case 'v': case 'g': case 'G': return goNumber(a, verb === 'G' ? 'G' : 'g', prec, flags);
      case 'f': case 'F': return goNumber(a, 'f', prec < 0 ? 6 : prec, flags);
      case 'e': case 'E': return goNumber(a, verb, prec < 0 ? 6 : prec, flags);
      default: return bad();
    }
  }
  switch (verb) {
    case 'v': case 's': return pad('', prec >= 0 ? [...a].slice(0, prec).join('') : a, flags, true);
    case 'q': return pad('', JSON.stringify(a), flags, true);
    case 'x': return pad('', [...new TextEncoder().encode(a)].map((b) => b.toString(16).padStart(2, '0')).join(''), flags, true);
    default: return bad();
  }
}
