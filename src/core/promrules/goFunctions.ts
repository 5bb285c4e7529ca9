/**
 * Prometheus's formatting functions of alert templates ("Template reference": humanize, humanize1024,
 * humanizeDuration, humanizePercentage, humanizeTimestamp, title, toUpper, toLower, stripPort) and Go's printf, as
 * Prometheus 2.42 computes them.
 */
import { goFloat, goG, goQuote, goTimeUTC } from './goFormat.ts';
import type { GoValue } from './goFormat.ts';
import { goPlain, goSprintf } from './goPrintf.ts';

/** An error a function returns (Go's `error calling f: …` wraps it). */
export class TemplateError extends Error {}

/** strconv's rule for `_` in a number: only between digits, or after a base prefix (0x). */
export function underscoresOk(a: string): boolean {
  const s = a.replace(/^[+-]/, '');
  const hex = /^0[xX]/.test(s);
  let saw = /^0[xXbBoO]/.test(s) ? 'digit' : 'start';
  for (const c of s.slice(saw === 'digit' ? 2 : 0)) {
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) saw = 'digit';
    else if (c === '_') { if (saw !== 'digit') return false; saw = '_'; }
    else { if (saw === '_') return false; saw = 'other'; }
  }
  return saw !== '_';
}

/**
 * strconv.ParseFloat's syntax, decimal or hexadecimal with a `p` exponent (`0x1.8p4`), `_` only between digits; the
 * value rounded once to the nearest double (±Infinity past the largest), or null when it is not that syntax. Shared
 * by number literals and the text the number functions read.
 */
export function parseGoFloat(text: string): number | null {
  if (text.includes('_') && !underscoresOk(text)) return null;
  const s = text.replace(/_/g, '');
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (hex && (hex[2] || hex[3])) {
    const frac = hex[3] ?? '';
    return (hex[1] === '-' ? -1 : 1) * roundedPow2(BigInt(`0x${hex[2]}${frac}`), Number(hex[4]) - 4 * frac.length);
  }
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : null;
}

/**
 * m × 2^e as the nearest double (ties to even), m ≥ 0: m is cut to the bits the result keeps (53, fewer for a
 * subnormal) before it is scaled, so the scale itself never under- or overflows a double on the way.
 */
function roundedPow2(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const bits = m.toString(2).length;
  const top = bits - 1 + e; // the exponent of m's leading bit in the result
  if (top > 1024) return Infinity;
  const keep = top >= -1022 ? 53 : Math.max(0, top + 1075);
  const shift = bits - keep;
  if (shift <= 0) return Number(m) * 2 ** e;
  let q = m >> BigInt(shift);
  const rest = m - (q << BigInt(shift)), half = 1n << BigInt(shift - 1);
  if (rest > half || (rest === half && (q & 1n) === 1n)) q++;
  return Number(q) * 2 ** (e + shift);
}

/**
 * Go's strconv.ParseFloat as Prometheus's ConvertToFloat uses it on strings: no spaces around, `_` between digits,
 * hexadecimal with a `p` exponent (`0x1p4`), Inf/Infinity/NaN in any case; too large is an error, not Inf.
 */
function toFloat(a: GoValue): number {
  if (typeof a === 'number') return a;
  if (typeof a === 'bigint') return Number(a);
  if (typeof a === 'boolean') throw new TemplateError("can't convert bool to float");
  const fail = (why: string): TemplateError => new TemplateError(`strconv.ParseFloat: parsing ${goQuote(a, false)}: ${why}`);
  if (/^[+-]?(inf|infinity)$/i.test(a)) return a.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(a)) return NaN;
  const v = parseGoFloat(a);
  if (v === null) throw fail('invalid syntax');
  if (!Number.isFinite(v)) throw fail('value out of range');
  return v;
}

const g4 = (v: number, suffix = ''): string => `${goG(v, 4)}${suffix}`;

function scaled(v: number, up: readonly string[], down: readonly string[] | null, base: number): string {
  if (Math.abs(v) >= 1 || !down) {
    let prefix = '';
    for (const p of up) { if (Math.abs(v) < base) break; prefix = p; v /= base; }
    return g4(v, prefix);
  }
  let prefix = '';
  for (const p of down) { if (Math.abs(v) >= 1) break; prefix = p; v *= 1000; }
  return g4(v, prefix);
}

const SMALL = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];

function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return g4(v, 's');
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    const d = Math.trunc(Math.abs(v));
    const [days, hours, minutes, seconds] = [Math.floor(d / 86400), Math.floor(d / 3600) % 24, Math.floor(d / 60) % 60, d % 60];
    if (days) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(Math.abs(v))}s`;
  }
  return scaled(v, [], SMALL, 1000) + 's';
}

/** Go's strings.Title's separators: ASCII but letters, digits and _; beyond ASCII only spaces. */
function isSeparator(c: string): boolean {
  if (c.charCodeAt(0) < 0x80) return !/[0-9A-Za-z_]/.test(c);
  return !/[\p{L}\p{Nd}]/u.test(c) && /\p{White_Space}/u.test(c);
}

/** Go's unicode.ToUpper, one character at a time (ß stays ß: JavaScript's 'SS' is no simple mapping). */
function upper(c: string): string {
  const u = c.toUpperCase();
  return u.length === c.length ? u : c;
}
/** Go's unicode.ToLower, one character at a time (Σ is σ wherever it is; İ is i). */
const lower = (c: string): string => String.fromCodePoint(c.toLowerCase().codePointAt(0)!);
/** Go's unicode.ToTitle: the upper case, except the digraphs' title forms (ǅ ǈ ǋ ǲ). */
const TITLE_DIGRAPHS: Record<string, string> = { Ǆ: 'ǅ', ǅ: 'ǅ', ǆ: 'ǅ', Ǉ: 'ǈ', ǈ: 'ǈ', ǉ: 'ǈ', Ǌ: 'ǋ', ǋ: 'ǋ', ǌ: 'ǋ', Ǳ: 'ǲ', ǲ: 'ǲ', ǳ: 'ǲ' };

/** Go's strings.Title: each character after a separator in title case. */
function title(s: string): string {
  let out = '';
  let prev = ' ';
  for (const c of s) { out += isSeparator(prev) ? TITLE_DIGRAPHS[c] ?? upper(c) : c; prev = c; }
  return out;
}

/** Prometheus's humanizeTimestamp: Unix seconds to nanoseconds (int64, truncated), to milliseconds (truncated). */
function humanizeTimestamp(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  const ns = v * 1e9;
  if (ns >= 2 ** 63 || ns < -(2 ** 63)) throw new TemplateError(`${goFloat(v)} cannot be represented as a nanoseconds timestamp since it overflows int64`);
  return goTimeUTC(Number(BigInt(Math.trunc(ns)) / 1_000_000n));
}

/** net.SplitHostPort's host, or the text as it is when it has no port. */
function stripPort(s: string): string {
  const v6 = /^\[([^\]]*)\]:[^:]*$/.exec(s);
  if (v6) return v6[1];
  const m = /^([^:]*):[^:]*$/.exec(s);
  return m ? m[1] : s;
}

/** Whether a text is one the number functions read (strconv.ParseFloat takes it), so that they do not fail on it. */
export function readsAsNumber(s: string): boolean {
  try { toFloat(s); return true; } catch { return false; }
}

/** Go's truth of a value (text/template's `if`): false, 0 and "" are false, NaN is true. */
export const goTruth = (a: GoValue): boolean => (typeof a === 'string' ? a.length > 0 : typeof a === 'bigint' ? a !== 0n : typeof a === 'number' ? a !== 0 : a);

const BAD_COMPARISON = 'incompatible types for comparison';

/** Go's eq of two values (text/template's funcs.go): values of different kinds do not compare. */
function equal(a: GoValue, b: GoValue): boolean {
  if (typeof a !== typeof b) throw new TemplateError(BAD_COMPARISON);
  return a === b;
}

/** Go's < of strings: UTF-8 byte order, which is code point order (JS's < compares UTF-16 units: "\uffff" < "😀" false). */
export function lessString(a: string, b: string): boolean {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a.codePointAt(i)!, y = b.codePointAt(i)!;
    if (x !== y) return x < y;
    if (x > 0xffff) i++;
  }
  return a.length < b.length;
}

/** Go's lt: numbers, ints and strings order; bools do not. */
function less(a: GoValue, b: GoValue): boolean {
  if (typeof a !== typeof b) throw new TemplateError(BAD_COMPARISON);
  if (typeof a === 'boolean') throw new TemplateError('invalid type for comparison');
  return typeof a === 'string' ? lessString(a, b as string) : a < (b as number | bigint);
}

const two = (f: (a: GoValue, b: GoValue) => boolean) => (args: GoValue[]): boolean => f(args[0], args[1]);

const one = (f: (a: GoValue) => string) => (args: GoValue[]): string => {
  if (args.length !== 1) throw new TemplateError(`wrong number of args: want 1 got ${args.length}`);
  return f(args[0]);
};

/** The functions we render, by name (their arguments' types are FUNCTION_PARAMS', checked by the pipeline). */
export const TEMPLATE_FUNCTIONS: Readonly<Record<string, (args: GoValue[]) => GoValue>> = {
  humanize: one((a) => { const v = toFloat(a); return v === 0 || !Number.isFinite(v) ? g4(v) : scaled(v, ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'], SMALL, 1000); }),
  humanize1024: one((a) => { const v = toFloat(a); return Math.abs(v) <= 1 || !Number.isFinite(v) ? g4(v) : scaled(v, ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'], null, 1024); }),
  humanizeDuration: one((a) => humanizeDuration(toFloat(a))),
  humanizePercentage: one((a) => g4(toFloat(a) * 100, '%')),
  humanizeTimestamp: one((a) => humanizeTimestamp(toFloat(a))),
  title: one((a) => title(goPlain(a))),
  toUpper: one((a) => [...goPlain(a)].map(upper).join('')),
  toLower: one((a) => [...goPlain(a)].map(lower).join('')),
  stripPort: one((a) => stripPort(goPlain(a))),
  printf: (args) => {
    if (args.length === 0 || typeof args[0] !== 'string') throw new TemplateError('printf: its first argument is the format, a string');
    return goSprintf(args[0], args.slice(1));
  },
  // Go's own comparison and logic functions. le is lt or eq and gt its negation, as Go computes them: NaN > 1 is true.
  eq: (args) => { if (args.length < 2) throw new TemplateError('missing argument for comparison'); return args.slice(1).some((b) => equal(args[0], b)); },
  ne: two((a, b) => !equal(a, b)),
  lt: two(less),
  le: two((a, b) => less(a, b) || equal(a, b)),
  gt: two((a, b) => !(less(a, b) || equal(a, b))),
  ge: two((a, b) => !less(a, b)),
  not: (args) => !goTruth(args[0]),
  // and / or stop at the first false / true value and return it (the pipeline evaluates their arguments one by one).
  and: (args) => args.find((a) => !goTruth(a)) ?? args[args.length - 1],
  or: (args) => args.find(goTruth) ?? args[args.length - 1],
};

/**
 * Every function an alert template of Prometheus 2.42 may name: its template.go's and Go text/template's own. Go's
 * parser refuses any other identifier (`function "foo" not defined`, promtool check rules fails the file); each name
 * here and `now`, `toDuration` (later versions') checked one by one with promtool 2.42 check rules.
 */
export const PROMETHEUS_FUNCTION_NAMES: ReadonlySet<string> = new Set([
  'query', 'first', 'label', 'value', 'strvalue', 'args', 'reReplaceAll', 'safeHtml', 'match', 'title', 'toUpper', 'toLower',
  'graphLink', 'tableLink', 'sortByLabel', 'humanize', 'humanize1024', 'humanizeDuration', 'humanizePercentage',
  'humanizeTimestamp', 'toTime', 'pathPrefix', 'externalURL', 'parseDuration', 'stripPort', 'stripDomain',
  'and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery',
  'eq', 'ge', 'gt', 'le', 'lt', 'ne',
]);

/**
 * Each function's parameters as Go declares them: `string` (a number given is Go's "wrong type for value"), or
 * `any` (Prometheus's interface{}; `readsNumber`: converted to float64, text with strconv.ParseFloat); printf's
 * values after its format are any number of `any`.
 */
export const FUNCTION_PARAMS: Readonly<Record<string, { params: readonly ('string' | 'any')[]; variadic?: true; readsNumber?: true }>> = {
  humanize: { params: ['any'], readsNumber: true }, humanize1024: { params: ['any'], readsNumber: true }, humanizeDuration: { params: ['any'], readsNumber: true },
  humanizePercentage: { params: ['any'], readsNumber: true }, humanizeTimestamp: { params: ['any'], readsNumber: true },
  title: { params: ['string'] }, toUpper: { params: ['string'] }, toLower: { params: ['string'] }, stripPort: { params: ['string'] },
  printf: { params: ['string', 'any'], variadic: true },
  eq: { params: ['any', 'any'], variadic: true }, ne: { params: ['any', 'any'] }, lt: { params: ['any', 'any'] }, le: { params: ['any', 'any'] },
  gt: { params: ['any', 'any'] }, ge: { params: ['any', 'any'] }, not: { params: ['any'] },
  and: { params: ['any', 'any'], variadic: true }, or: { params: ['any', 'any'], variadic: true },
};

