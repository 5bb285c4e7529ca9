/**
 * One template action as Prometheus's alert templates write it (Go text/template): an operand, or commands joined
 * by `|`, each a function and its arguments, the value before a `|` passed as the last argument
 * (`{{ $value | humanizePercentage }}`, `{{ printf "%.2f" $value }}`, `{{ $labels.instance | stripPort }}`).
 * The functions are Prometheus's formatting ones ("Template reference": humanize, humanize1024, humanizeDuration,
 * humanizePercentage, humanizeTimestamp, title, toUpper, toLower, stripPort) and Go's printf. Shared by our
 * rules files' templates and the Prometheus rules our engine runs.
 */
import { goFloat, goSprintf, goTimeUTC } from './goFormat.ts';
import type { GoValue } from './goFormat.ts';

/** An argument: a variable as written (its meaning is the caller's) or a literal. */
export type Operand = { variable: string } | { literal: GoValue };
interface Command { fn: string | null; args: Operand[] }
export type Pipeline = Command[];

class TemplateError extends Error {}

/** Go's strconv.ParseFloat as Prometheus's ConvertToFloat uses it on strings. */
function toFloat(a: GoValue): number {
  if (typeof a === 'number') return a;
  const s = a.trim();
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  throw new TemplateError(`strconv.ParseFloat: parsing ${JSON.stringify(a)}: invalid syntax`);
}

const g4 = (v: number, suffix = ''): string => `${goSprintf('%.4g', [v])}${suffix}`;

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

/** Go's strings.Title: the first letter of each word upper-cased (letters, digits, _ and ' join a word). */
function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase());
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
  humanizeTimestamp: one((a) => { const v = toFloat(a); return Number.isFinite(v) ? goTimeUTC(Math.trunc(Math.trunc(v * 1e9) / 1e6)) : g4(v); }),
  title: one((a) => title(str(a))),
  toUpper: one((a) => str(a).toUpperCase()),
  toLower: one((a) => str(a).toLowerCase()),
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
