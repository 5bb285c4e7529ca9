/**
 * Prometheus's alert templates (Go text/template, Prometheus "Template reference") as our engine renders them, the
 * one evaluator of them (the test runner's alerts and a Prometheus rule file's alerts on CSV data): `{{ $value }}`
 * / `{{ .Value }}` (Go's %v of a float64), `{{ $labels.x }}`, `{{ $externalLabels.x }}`, `{{ $externalURL }}`,
 * literals, Prometheus's formatting functions and Go's comparisons in pipelines (goPipeline.ts), `if` / `else if` /
 * `else`, `with`, `range` over the labels, variables, comments (goTree.ts) and the evaluation time as export-rules
 * writes it. An action that fails makes the whole text Prometheus's `<error expanding template: …>`. Anything else
 * (queries, define/template, fields we do not know) is not rendered: the rule needs promtool.
 */
import { goQuote, goTimeUTC } from './goFormat.ts';
import type { GoValue } from './goFormat.ts';
import { goTruth, lessString } from './goFunctions.ts';
import { ExecError, evalValue, pipelineVariables } from './goPipeline.ts';
import { goPlain } from './goPrintf.ts';
import { PROMETHEUS_VARIABLES, parseGoTemplate } from './goTree.ts';
import type { GoNode, GoParseError, GoPipe } from './goTree.ts';

export { goActions } from './goTree.ts';
export type { GoAction } from './goTree.ts';

/** What a template can refer to when an alert is evaluated. */
export interface AlertTemplateData {
  labels: Readonly<Record<string, string>>;
  value: number;
  externalLabels: Readonly<Record<string, string>>;
  externalURL: string;
  /** Evaluation time, ms since the epoch. */
  evalTimeMs: number;
}

/** The evaluation-time idiom export-rules writes for `{{ timestamp }}`. */
const EVAL_TIME = /\{\{\s*with\s+query\s+"time\(\)"\s*\}\}\{\{\s*\.\s*\|\s*first\s*\|\s*value\s*\|\s*humanizeTimestamp\s*\}\}\{\{\s*end\s*\}\}/y;

/** A value while a template runs: a Go value, a label map ($labels), or the alert's data (`$`, `.` at first). */
type Val = GoValue | { map: Readonly<Record<string, string>> } | { data: AlertTemplateData };
/** What a word refers to, known before the template runs: the data, a map, or a value. */
type Kind = 'data' | 'map' | 'value';

/** The last entry of a variable list named `name` (Go's innermost variable of that name). */
function lastOf<T>(vars: [string, T][], name: string): [string, T] | undefined {
  for (let i = vars.length - 1; i >= 0; i--) if (vars[i][0] === name) return vars[i];
  return undefined;
}

/** A running template's variables (innermost last) and dot. */
interface Scope { vars: [string, Val][]; dot: Val }

const get = (map: Readonly<Record<string, string>>, key: string): string => (Object.hasOwn(map, key) ? map[key] : '');

/** A field of a value of a kind (Prometheus's data: Value, Labels, ExternalLabels, ExternalURL; a map: its keys), or null. */
function field(kind: Kind, name: string): { kind: Kind; of: (v: Val) => Val } | null {
  if (kind === 'map') return { kind: 'value', of: (v) => get((v as { map: Record<string, string> }).map, name) };
  if (kind !== 'data') return null;
  const d = (v: Val): AlertTemplateData => (v as { data: AlertTemplateData }).data;
  switch (name) {
    case 'Value': return { kind: 'value', of: (v) => d(v).value };
    case 'ExternalURL': return { kind: 'value', of: (v) => d(v).externalURL };
    case 'Labels': return { kind: 'map', of: (v) => ({ map: d(v).labels }) };
    case 'ExternalLabels': return { kind: 'map', of: (v) => ({ map: d(v).externalLabels }) };
    default: return null;
  }
}

/** The kinds of the variables and of dot where a node is, as the template is compiled. */
interface Env { vars: [string, Kind][]; dot: Kind }

/** Each variable Prometheus declares (goTree.ts's list): its kind and its value from the alert's data. */
const PROMETHEUS_VALUES: Record<(typeof PROMETHEUS_VARIABLES)[number], { kind: Kind; of: (d: AlertTemplateData) => Val }> = {
  $: { kind: 'data', of: (d) => ({ data: d }) }, $labels: { kind: 'map', of: (d) => ({ map: d.labels }) },
  $externalLabels: { kind: 'map', of: (d) => ({ map: d.externalLabels }) }, $externalURL: { kind: 'value', of: (d) => d.externalURL },
  $value: { kind: 'value', of: (d) => d.value },
};

/** A word's value as a function of the scope (`$value`, `.Labels.job`, `$v`, `.`), and its kind; null when we do not read it. */
function word(w: string, env: Env): { kind: Kind; get: (s: Scope) => Val } | null {
  const m = /^(\$[A-Za-z0-9_]*|)((?:\.[A-Za-z0-9_]+)*)\.?$/.exec(w);
  if (!m) return null;
  let kind: Kind;
  let get: (s: Scope) => Val;
  if (m[1]) {
    const name = m[1];
    const v = lastOf(env.vars, name);
    if (!v) return null;
    kind = v[1];
    get = (s) => lastOf(s.vars, name)![1];
  } else {
    kind = env.dot;
    get = (s) => s.dot;
  }
  for (const f of m[2].split('.').slice(1)) {
    const next = field(kind, f);
    if (!next) return null;
    const before = get;
    kind = next.kind;
    get = (s) => next.of(before(s));
  }
  return { kind, get };
}

/** A pipe's value as a function of the scope, and its kind; a map or the data only as the pipe's one word. */
function pipeValue(pipe: GoPipe, env: Env): { kind: Kind; get: (s: Scope) => Val } | null {
  const p = pipe.pipeline;
  if (p.length === 1 && p[0].fn === null && 'variable' in p[0].args[0]) return word(p[0].args[0].variable, env);
  const words = new Map<string, (s: Scope) => Val>();
  for (const v of pipelineVariables(p)) {
    const w = word(v, env);
    if (!w || w.kind !== 'value') return null;
    words.set(v, w.get);
  }
  return { kind: 'value', get: (s) => evalValue(p, (v) => words.get(v)!(s) as GoValue) };
}

/** Go's fmt %v of a map[string]string: `map[k:v k2:v2]`, keys in byte order. */
function mapText(map: Readonly<Record<string, string>>): string {
  return `map[${Object.keys(map).sort(byteOrder).map((k) => `${k}:${map[k]}`).join(' ')}]`;
}

/** Go's order of strings, for sort. */
const byteOrder = (a: string, b: string): number => (lessString(a, b) ? -1 : lessString(b, a) ? 1 : 0);

/**
 * A value as text/template prints it: a Go value, a map, or Prometheus's template data (its struct: Labels,
 * ExternalLabels, ExternalURL, Value, printed by fmt as `{map[…] map[…] url value}`).
 */
function printed(v: Val): string {
  if (typeof v !== 'object') return goPlain(v);
  if ('map' in v) return mapText(v.map);
  const d = v.data;
  return `{${mapText(d.labels)} ${mapText(d.externalLabels)} ${d.externalURL} ${goPlain(d.value)}}`;
}

const truth = (v: Val): boolean => (typeof v === 'object' ? ('map' in v ? Object.keys(v.map).length > 0 : true) : goTruth(v));

/**
 * Most work one rendering does: actions run, range iterations and characters written. Go has no such limit, but
 * ranges nested in ranges grow as the labels' count to their depth (500 nested ranges over 2 labels would never
 * end, and their text crashed the process); past it the text is OUT_OF_BUDGET's.
 */
const BUDGET = 4_000_000;

class OverBudget extends Error {}

/** `{{ break }}` and `{{ continue }}` as they unwind to their range. */
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

/** A rendering's text so far, and the work it may still do. */
class Output {
  readonly parts: string[] = [];
  private left = BUDGET;
  push(t: string): void {
    this.left -= t.length;
    if (this.left < 0) throw new OverBudget();
    this.parts.push(t);
  }
  step(): void {
    if (--this.left < 0) throw new OverBudget();
  }
}

/** What renders a list of nodes: appends its text to `out`; throws Go's ExecError with its offset in the template. */
type Run = (s: Scope, d: AlertTemplateData, out: Output) => void;

/** Where an execution error is in the template: a pipe's offsets count from its body. */
class TemplateExecError extends Error {
  constructor(readonly at: number, override readonly cause: ExecError) { super(cause.message); }
}

function guarded<T>(pipe: GoPipe, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ExecError) throw new TemplateExecError(pipe.bodyStart + e.at, e);
    throw e;
  }
}

/**
 * A list of nodes compiled, or null when it has what we do not render (`asWritten`: such an action is shown as
 * written instead, as the CSV path shows it).
 */
function compileList(nodes: readonly GoNode[], env: Env, asWritten: boolean): Run | null {
  // The variables in scope, one list for the whole template: a list's declarations are taken off at its end (a
  // copy per node made 100 000 declarations take 95 s).
  const vars = env.vars;
  const mark = vars.length;
  try {
    return compileNodes(nodes, env, asWritten);
  } finally {
    vars.length = mark;
  }
}

function compileNodes(nodes: readonly GoNode[], env: Env, asWritten: boolean): Run | null {
  const runs: Run[] = [];
  const vars = env.vars;
  for (const n of nodes) {
    if (n.kind === 'text') { const t = n.text; runs.push((_s, _d, out) => { out.push(t); }); continue; }
    if (n.kind === 'evalTime') { runs.push((_s, d, out) => { out.push(goTimeUTC(d.evalTimeMs)); }); continue; }
    if (n.kind === 'break') { runs.push(() => { throw BREAK; }); continue; }
    if (n.kind === 'continue') { runs.push(() => { throw CONTINUE; }); continue; }
    if (n.kind === 'unread') {
      if (!asWritten) return null;
      const t = n.written;
      runs.push((_s, _d, out) => { out.push(t); });
      continue;
    }
    const pipe = n.pipe;
    const v = pipeValue(pipe, env);
    if (!v) {
      if (!asWritten || n.kind !== 'action') return null;
      const t = n.written;
      runs.push((_s, _d, out) => { out.push(t); });
      continue;
    }
    const value = (s: Scope): Val => guarded(pipe, () => v.get(s));
    if (n.kind === 'action') {
      const name = pipe.decl[0];
      if (name !== undefined && pipe.assign) {
        // `{{ $x = … }}` prints nothing; we follow it when the variable keeps its kind.
        if (lastOf(vars, name)?.[1] !== v.kind) return null;
        runs.push((s) => { lastOf(s.vars, name)![1] = value(s); });
      } else if (name !== undefined) {
        vars.push([name, v.kind]);
        runs.push((s) => { s.vars.push([name, value(s)]); });
      } else if (v.kind === 'value') {
        runs.push((s, _d, out) => { out.push(goPlain(value(s) as GoValue)); });
      } else {
        // A map or the data printed as Go's fmt prints them (`{{ $labels }}`, as awesome-prometheus-alerts' rules write it).
        runs.push((s, _d, out) => { out.push(printed(value(s))); });
      }
      continue;
    }
    if ((n.kind === 'range' && v.kind === 'data') || pipe.assign) return null;
    const declared = pipe.decl.map((name): [string, Kind] => [name, n.kind === 'range' ? 'value' : v.kind]);
    const before = vars.length;
    vars.push(...declared);
    const inner: Env = { vars, dot: env.dot };
    const list = compileList(n.list, n.kind === 'if' ? inner : { ...inner, dot: n.kind === 'range' ? 'value' : v.kind }, asWritten);
    const elseList = compileList(n.elseList, inner, asWritten);
    vars.length = before;
    if (!list || !elseList) return null;
    runs.push(control(n.kind, pipe, value, list, elseList));
  }
  return (s, d, out) => {
    const mark = s.vars.length;
    for (const r of runs) { out.step(); r(s, d, out); }
    s.vars.length = mark;
  };
}

/** if, with and range as Go's exec runs them (walkIfOrWith, walkRange): a map ranges in key order, a value is an error. */
function control(kind: 'if' | 'with' | 'range', pipe: GoPipe, value: (s: Scope) => Val, list: Run, elseList: Run): Run {
  const [first, second] = pipe.decl;
  return (s, d, out) => {
    const mark = s.vars.length;
    const dot = s.dot;
    const v = value(s);
    if (kind !== 'range') {
      if (first && !pipe.assign) s.vars.push([first, v]);
      if (truth(v)) { if (kind === 'with') s.dot = v; list(s, d, out); } else elseList(s, d, out);
    } else if (typeof v === 'object' && 'map' in v) {
      const keys = Object.keys(v.map).sort(byteOrder);
      for (const k of keys) {
        out.step();
        s.dot = v.map[k];
        if (second) s.vars.push([first, k], [second, v.map[k]]);
        else if (first) s.vars.push([first, v.map[k]]);
        let signal: unknown = null;
        try {
          list(s, d, out);
        } catch (e) {
          if (e !== BREAK && e !== CONTINUE) throw e;
          signal = e;
        }
        s.vars.length = mark;
        if (signal === BREAK) break;
      }
      s.dot = dot;
      if (!keys.length) elseList(s, d, out);
    } else {
      const e = new ExecError(`range can't iterate over ${typeof v === 'object' ? '' : goPlain(v)}`, pipe.at, pipe.text);
      throw new TemplateExecError(pipe.bodyStart + pipe.at, e);
    }
    s.dot = dot;
    s.vars.length = mark;
  };
}

/**
 * What Prometheus puts before an alert's template (rules/alerting.go), on the template's first line: Go's error
 * positions count it.
 */
const DEFS = '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

/** Go's ErrorContext location of an offset of the template: line, and bytes (UTF-8) since the line's start, Prometheus's definitions included. */
function location(template: string, offset: number): string {
  const before = DEFS + template.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  const line = 1 + (before.match(/\n/g)?.length ?? 0);
  return `${line}:${new TextEncoder().encode(before.slice(nl + 1)).length}`;
}

/** Prometheus's text for a template that failed as it ran: the whole of it, not only the failed action. */
function expansionError(template: string, name: string, at: number, e: ExecError): string {
  const tmpl = `__alert_${name}`;
  return `<error expanding template: error executing template ${tmpl}: template: ${tmpl}:${location(template, at)}: executing ${goQuote(tmpl, false)} at <${e.context}>: ${e.message}>`;
}

/** Go's parse error as promtool check rules writes it (without the rule's place): `template: __alert_A:LINE: …`. */
export function parseErrorText(template: string, alertName: string, e: GoParseError): string {
  const line = (at: number): string => location(template, at).split(':')[0];
  const started = e.startedAt === undefined ? '' : ` started at __alert_${alertName}:${line(e.startedAt)}`;
  return `template: __alert_${alertName}:${line(e.lineAt ?? e.at)}: ${e.message}${started}`;
}

/** Every pipeline of a template (actions' and controls'), in order; none when Go does not parse it. */
export function templatePipes(template: string): GoPipe[] {
  const t = parseGoTemplate(template, EVAL_TIME);
  const out: GoPipe[] = [];
  const walk = (nodes: readonly GoNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'action') out.push(n.pipe);
      if (n.kind === 'if' || n.kind === 'with' || n.kind === 'range') { out.push(n.pipe); walk(n.list); walk(n.elseList); }
    }
  };
  if (!('error' in t)) walk(t.nodes);
  return out;
}

/** Go's parse error of a template, or null when Go parses it (or we cannot tell). */
export function goTemplateError(template: string): GoParseError | null {
  const t = parseGoTemplate(template, EVAL_TIME);
  return 'error' in t ? t.error : null;
}

/** The text of a template that would do more than BUDGET's work (not Prometheus's: it renders on). */
export const OUT_OF_BUDGET = `<template not rendered: more than ${BUDGET} steps and characters>`;

/**
 * A template compiled to a function of the alert's data, or null when it uses what our engine does not render
 * (queries, define/template, fields we do not know…) or Go does not parse. `alertName` names the template in Go's
 * errors (`__alert_NAME`): an action that fails makes the whole text Prometheus's `<error expanding template: …>`.
 * `asWritten`: an action we do not render is shown as written instead of making the whole template null.
 */
export function compileGoTemplate(template: string, alertName = '', asWritten = false): ((d: AlertTemplateData) => string) | null {
  const t = parseGoTemplate(template, EVAL_TIME);
  if ('error' in t) return null;
  const run = compileList(t.nodes, { vars: PROMETHEUS_VARIABLES.map((n): [string, Kind] => [n, PROMETHEUS_VALUES[n].kind]), dot: 'data' }, asWritten);
  if (!run) return null;
  return (d) => {
    const out = new Output();
    const s: Scope = { vars: PROMETHEUS_VARIABLES.map((n): [string, Val] => [n, PROMETHEUS_VALUES[n].of(d)]), dot: { data: d } };
    try {
      run(s, d, out);
    } catch (e) {
      if (e instanceof TemplateExecError) return expansionError(template, alertName, e.at, e.cause);
      if (e instanceof OverBudget) return OUT_OF_BUDGET;
      throw e;
    }
    return out.parts.join('');
  };
}
