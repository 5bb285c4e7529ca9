import { parsePipeline, pipelineVariables, runPipeline } from '../promrules/goPipeline.ts';
import type { Operand, Pipeline } from '../promrules/goPipeline.ts';
import { FUNCTION_PARAMS, readsAsNumber } from '../promrules/goFunctions.ts';
import type { GoValue } from '../promrules/goFormat.ts';

/** What an annotation template may refer to: `{{ name }}`, `{{ value }}`, `{{ labels.team }}`… */
export interface TemplateVars {
  name: string;
  metric: string;
  value: string;
  threshold: string;
  timestamp: string;
  op: string;
  severity: string;
  row: string;
  labels: Record<string, string>;
  /** The value as a number, for formatting functions (else `value` read back). */
  valueNumber?: number;
}

/** Template variables a rule's annotations may use (plus `labels.<key>`). */
export const TEMPLATE_VARIABLES: readonly string[] = ['name', 'metric', 'value', 'threshold', 'timestamp', 'op', 'severity', 'row'];

/** Whether a template variable name is one `renderTemplate` knows (labels.* always are). */
export function isTemplateVariable(name: string): boolean {
  return TEMPLATE_VARIABLES.includes(name) || /^labels\.[A-Za-z0-9_.-]+$/.test(name);
}

/** One `{{ … }}` of a template: a variable, a pipeline of formatting functions, or what we do not render. */
export type TemplateAction = { start: number; end: number } & (
  | { variable: string }
  | { pipeline: Pipeline; variables: string[] }
  | { error: string; word?: string });

/** Our variables as a pipeline writes them: `value`, `$value`, `.value`, `labels.team`. */
const bareName = (word: string): string => word.replace(/^[$.]/, '');

/**
 * Every action of a template in order: `{{ var }}`, or a pipeline of Prometheus's formatting functions
 * (`{{ value | humanizePercentage }}`, `{{ printf "%.1f" value }}`, `{{ labels.instance | stripPort }}`: the
 * functions of its alert templates, so that a rule reads the same here and in Prometheus), or an error.
 */
export function templateActions(template: string): TemplateAction[] {
  const out: TemplateAction[] = [];
  // `{{{ value }}}` (Handlebars' habit) is `{` and the action `{{ value }}`, as before pipelines.
  for (const m of template.matchAll(/\{\{(?!\{)([\s\S]*?)\}\}/g)) {
    const start = m.index, end = m.index + m[0].length;
    const simple = /^\s*[$.]?([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_.-]+)?)\s*$/.exec(m[1]);
    if (simple) { out.push({ start, end, variable: simple[1] }); continue; }
    const p = parsePipeline(m[1], isTemplateVariable);
    if ('error' in p) out.push({ start, end, ...p });
    else out.push({ start, end, pipeline: p, variables: pipelineVariables(p).map(bareName) });
  }
  return out;
}

/** Replaces each `{{ var }}` by its value and runs each pipeline; unknown variables and missing labels render as '', an action we do not render stays as written. */
export function renderTemplate(template: string, vars: TemplateVars): string {
  return compileTemplate(template)(vars);
}

const compiled = new Map<string, (vars: TemplateVars) => string>();

/**
 * A template as a function of its variables: parsed once, then each rendering only joins its pieces (a rule
 * renders its summary for every row it fires on).
 */
export function compileTemplate(template: string): (vars: TemplateVars) => string {
  let fn = compiled.get(template);
  if (fn) return fn;
  if (template.indexOf('{{') < 0) {
    fn = () => template;
  } else {
    const literals: string[] = [];
    const pieces: ((vars: TemplateVars) => string)[] = [];
    let last = 0;
    for (const a of templateActions(template)) {
      if ('error' in a) continue;
      literals.push(template.slice(last, a.start));
      if ('variable' in a) { const name = a.variable; pieces.push((vars) => variable(name, vars)); }
      else { const p = a.pipeline; pieces.push((vars) => runPipeline(p, (word) => typed(bareName(word), vars))); }
      last = a.end;
    }
    literals.push(template.slice(last));
    fn = (vars) => {
      let out = literals[0];
      for (let i = 0; i < pieces.length; i++) out += pieces[i](vars) + literals[i + 1];
      return out;
    };
  }
  if (compiled.size > 1000) compiled.clear();
  compiled.set(template, fn);
  return fn;
}

/** A variable as a pipeline sees it: the value and the threshold are numbers (as Prometheus's $value is), the rest text. */
function typed(name: string, vars: TemplateVars): GoValue {
  if (name === 'value') return vars.valueNumber ?? Number(vars.value);
  if (name === 'threshold') return Number(vars.threshold);
  return variable(name, vars);
}

function variable(name: string, vars: TemplateVars): string {
  if (name.startsWith('labels.')) return vars.labels[name.slice(7)] ?? '';
  switch (name) {
    case 'name': return vars.name;
    case 'metric': return vars.metric;
    case 'value': return vars.value;
    case 'threshold': return vars.threshold;
    case 'timestamp': return vars.timestamp;
    case 'op': return vars.op;
    case 'severity': return vars.severity;
    case 'row': return vars.row;
    default: return '';
  }
}

/** Our variables as a pipeline types them: numbers, and text that is never a number's (the row's time is an ISO time or `row N`). */
const NUMBER_VARIABLES = new Set(['value', 'threshold']);
const NEVER_NUMBERS = new Set(['timestamp', 'op', 'severity']);

/** What a variable of a pipeline always is: a number, text that is never a number's, the row's time (ours), or unknown. */
export type VariableKind = 'number' | 'text' | 'timestamp' | null;

/** Our rules files' variables' kinds (`value`, `$value`, `.value` alike). */
function ourKind(word: string): VariableKind {
  const name = bareName(word);
  return NUMBER_VARIABLES.has(name) ? 'number' : name === 'timestamp' ? 'timestamp' : NEVER_NUMBERS.has(name) ? 'text' : null;
}

/**
 * Why a pipeline can only render as an error, whatever the row: a number given to a function that takes text
 * (title, toUpper, toLower, stripPort), or text that is never a number (a variable of `kindOf`'s, or a string
 * literal strconv.ParseFloat refuses: `humanize "abc"`) given to one that reads a number (humanize & co.).
 * `kindOf` says what variables are (ours by default: then they are named without `$`). `fix`: the action to
 * write instead, when there is an obvious one.
 */
export function pipelineProblem(p: Pipeline, kindOf: (variable: string) => VariableKind = ourKind): { why: string; fix?: string } | null {
  let piped: Operand | null = null;
  for (const c of p) {
    if (c.fn === null) { piped = c.args[0]; continue; }
    const sig = FUNCTION_PARAMS[c.fn];
    const operands = piped ? [...c.args, piped] : c.args;
    for (const [i, a] of operands.entries()) {
      const inner = 'pipeline' in a ? pipelineProblem(a.pipeline, kindOf) : null;
      if (inner) return inner;
      const kind = 'variable' in a ? kindOf(a.variable) : null;
      const name = 'variable' in a ? (kindOf === ourKind ? bareName(a.variable) : a.variable) : null;
      if (sig.params[Math.min(i, sig.params.length - 1)] === 'string') {
        if (kind === 'number') return { why: `${c.fn} takes text and '${name}' is a number (printf makes it text: printf "%.2f" ${name})` };
        if ('literal' in a && typeof a.literal !== 'string') return { why: `${c.fn} takes text and ${a.text} is a ${typeof a.literal === 'boolean' ? 'bool' : 'number'}` };
      } else if (sig.readsNumber && 'literal' in a && typeof a.literal === 'string' && !readsAsNumber(a.literal)) {
        return { why: `${c.fn} reads a number and ${a.text} is text that is not one` };
      } else if (sig.readsNumber && kind === 'text') {
        return { why: `${c.fn} reads a number and '${name}' is text` };
      } else if (sig.readsNumber && kind === 'timestamp') {
        // The whole action is the function of timestamp (`{{ humanizeTimestamp timestamp }}`, `{{ timestamp | humanizeTimestamp }}`).
        const alone = p.length === (piped ? 2 : 1) && operands.length === 1;
        return {
          why: `${c.fn} reads a number${c.fn === 'humanizeTimestamp' ? ' (Unix seconds)' : ''} and 'timestamp' is text, the row's time already written out (2024-01-01T00:05:00.000Z); {{ timestamp }} shows it`,
          fix: alone && c.fn === 'humanizeTimestamp' ? '{{ timestamp }}' : undefined,
        };
      }
    }
    piped = null;
  }
  return null;
}
