/**
 * One template action as Prometheus's alert templates write it (Go text/template): an operand, or commands joined
 * by `|`, each a function and its arguments, the value before a `|` passed as the last argument
 * (`{{ $value | humanizePercentage }}`, `{{ printf "%.2f" $value }}`, `{{ $labels.instance | stripPort }}`).
 * The functions are Prometheus's formatting ones ("Template reference": humanize, humanize1024, humanizeDuration,
 * humanizePercentage, humanizeTimestamp, title, toUpper, toLower, stripPort) and Go's printf. Shared by our
 * rules files' templates and the Prometheus rules our engine runs.
 */
import { goFloat, goG, goQuote, goSprintf, goTimeUTC } from './goFormat.ts';
import type { GoValue } from './goFormat.ts';

/** An argument: a variable as written (its meaning is the caller's) or a literal. */
export type Operand = { variable: string } | { literal: GoValue };
interface Command { fn: string | null; args: Operand[] }
export type Pipeline = Command[];

class TemplateError extends Error {}

/** strconv's rule for `_` in a number: only between digits, or after a base prefix (0x). */
function underscoresOk(a: string): boolean {
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
 * Go's strconv.ParseFloat as Prometheus's ConvertToFloat uses it on strings: no spaces around, `_` between digits,
 * hexadecimal with a `p` exponent (`0x1p4`), Inf/Infinity/NaN in any case; too large is an error, not Inf.
 */
function toFloat(a: GoValue): number {
  if (typeof a === 'number') return a;
  const fail = (why: string): TemplateError => new TemplateError(`strconv.ParseFloat: parsing ${goQuote(a, false)}: ${why}`);
  if (/^[+-]?(inf|infinity)$/i.test(a)) return a.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(a)) return NaN;
  if (a.includes('_') && !underscoresOk(a)) throw fail('invalid syntax');
  const s = a.replace(/_/g, '');
  let v: number;
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (hex && (hex[2] || hex[3])) {
    const frac = hex[3] ?? '';
    v = (hex[1] === '-' ? -1 : 1) * parseInt(`${hex[2]}${frac}` || '0', 16) * 2 ** (Number(hex[4]) - 4 * frac.length);
  } else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && !/^[+-]?0[xX]/.test(a)) v = Number(s);
  else throw fail('invalid syntax');
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

const one = (f: (a: GoValue) => string) => (args: GoValue[]): string => {
  if (args.length !== 1) throw new TemplateError(`wrong number of args: want 1 got ${args.length}`);
  return f(args[0]);
};
const str = (a: GoValue): string => (typeof a === 'number' ? goFloat(a) : a);

/** The functions we render, by name. */
export const TEMPLATE_FUNCTIONS: Readonly<Record<string, (args: GoValue[]) => string>> = {
  humanize: one((a) => { const v = toFloat(a); return v === 0 || !Number.isFinite(v) ? g4(v) : scaled(v, ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'], SMALL, 1000); }),
  humanize1024: one((a) => { const v = toFloat(a); return Math.abs(v) <= 1 || !Number.isFinite(v) ? g4(v) : scaled(v, ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'], null, 1024); }),
  humanizeDuration: one((a) => humanizeDuration(toFloat(a))),
  humanizePercentage: one((a) => g4(toFloat(a) * 100, '%')),
  humanizeTimestamp: one((a) => humanizeTimestamp(toFloat(a))),
  title: one((a) => title(str(a))),
  toUpper: one((a) => [...str(a)].map(upper).join('')),
  toLower: one((a) => [...str(a)].map(lower).join('')),
  stripPort: one((a) => stripPort(str(a))),
  printf: (args) => {
    if (args.length === 0 || typeof args[0] !== 'string') throw new TemplateError('printf: its first argument is the format, a string');
    return goSprintf(args[0], args.slice(1));
  },
};

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(\|)|([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?![\w.])|([$.]?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*))/y;

/**
 * An action's pipeline, or why it is not one we render. `isVariable` says which bare words are variables (our
 * rules files' `value`, `labels.x`); words with `$` or `.` always are.
 */
export function parsePipeline(body: string, isVariable: (word: string) => boolean = () => false): Pipeline | { error: string; word?: string } {
  const commands: Pipeline = [];
  let cur: Command | null = null;
  TOKEN.lastIndex = 0;
  const text = body.trim();
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) return { error: `'${text.slice(at).trim()}' is not understood here` };
    if (m[3]) {
      if (!cur) return { error: "a '|' with nothing before it" };
      commands.push(cur);
      cur = null;
      continue;
    }
    let operand: Operand | null = null;
    if (m[1]) {
      try { operand = { literal: JSON.parse(m[1]) as string }; } catch { return { error: `${m[1]} is not a string` }; }
    } else if (m[2]) operand = { literal: m[2].slice(1, -1) };
    else if (m[4]) operand = { literal: Number(m[4]) };
    else {
      const word = m[5];
      if (!word.startsWith('$') && !word.startsWith('.') && !isVariable(word)) {
        if (cur) return { error: `'${word}' is not an argument (a function's result is taken with '|')`, word };
        if (!Object.hasOwn(TEMPLATE_FUNCTIONS, word)) return { error: `unknown template function '${word}'`, word };
        cur = { fn: word, args: [] };
        continue;
      }
      operand = { variable: word };
    }
    if (!cur) cur = { fn: null, args: [operand] };
    else if (cur.fn === null) return { error: 'two values side by side (a function goes first)' };
    else cur.args.push(operand);
  }
  if (!cur) return { error: commands.length ? "a '|' with nothing after it" : 'an empty action' };
  commands.push(cur);
  for (let i = 1; i < commands.length; i++) if (commands[i].fn === null) return { error: "after a '|' comes a function" };
  return commands;
}

/** Every variable a pipeline refers to, as written. */
export function pipelineVariables(p: Pipeline): string[] {
  return p.flatMap((c) => c.args.flatMap((a) => ('variable' in a ? [a.variable] : [])));
}

/** The pipeline's text, given its variables' values; an error reads as Prometheus writes one into the alert. */
export function runPipeline(p: Pipeline, value: (variable: string) => GoValue): string {
  try {
    let last: GoValue | undefined;
    for (const c of p) {
      const args = c.args.map((a) => ('variable' in a ? value(a.variable) : a.literal));
      if (last !== undefined) args.push(last);
      last = c.fn === null ? args[0] : TEMPLATE_FUNCTIONS[c.fn](args);
    }
    return str(last ?? '');
  } catch (e) {
    if (e instanceof TemplateError) return `<error expanding template: ${e.message}>`;
    throw e;
  }
}
