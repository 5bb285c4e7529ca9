/**
 * The part of Prometheus's alert templates (Go text/template, Prometheus "Template reference") our engine
 * renders: `{{ $value }}` / `{{ .Value }}`, `{{ $labels.x }}` / `{{ .Labels.x }}`, `{{ $externalLabels.x }}`,
 * `{{ $externalURL }}`, string literals, Prometheus's formatting functions in pipelines (`{{ $value | humanize }}`,
 * `{{ printf "%.2f" $value }}`: goPipeline.ts), and the evaluation time as export-rules writes it. Anything else
 * (conditionals, ranges, queries, variables of its own…) makes the rule one that needs promtool.
 */
import { goQuote, goTimeUTC } from './goFormat.ts';
import type { GoValue } from './goFormat.ts';
import { ExecError, evalPipeline, parsePipeline, pipelineVariables } from './goPipeline.ts';


/** What a template can refer to when an alert is evaluated. */
export interface AlertTemplateData {
  labels: Readonly<Record<string, string>>;
  value: number;
  externalLabels: Readonly<Record<string, string>>;
  externalURL: string;
  /** Evaluation time, ms since the epoch. */
  evalTimeMs: number;
}

type Piece = string | ((d: AlertTemplateData) => string);

/** The evaluation-time idiom export-rules writes for `{{ timestamp }}`. */
const EVAL_TIME = /\{\{\s*with\s+query\s+"time\(\)"\s*\}\}\{\{\s*\.\s*\|\s*first\s*\|\s*value\s*\|\s*humanizeTimestamp\s*\}\}\{\{\s*end\s*\}\}/y;

function goStringLiteral(s: string): string | null {
  if (s.startsWith('`') && s.endsWith('`') && s.length >= 2) return s.slice(1, -1);
  if (!(s.startsWith('"') && s.endsWith('"') && s.length >= 2)) return null;
  try { return JSON.parse(s) as string; } catch { return null; }
}

const get = (map: Readonly<Record<string, string>>, key: string): string => (Object.hasOwn(map, key) ? map[key] : '');

/** A variable of an alert's template, or undefined for one our engine does not know. */
function variable(name: string, d: AlertTemplateData): GoValue | undefined {
  if (name === '$value' || name === '.Value') return d.value;
  if (name === '$externalURL' || name === '.ExternalURL') return d.externalURL;
  let m = /^(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(name);
  if (m) return get(d.labels, m[1]);
  m = /^(?:\$externalLabels|\.ExternalLabels)\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(name);
  if (m) return get(d.externalLabels, m[1]);
  return undefined;
}

/** A trimmed action body that is a Go template comment (slash-star … star-slash): it renders as nothing. */
export const isGoComment = (body: string): boolean => /^\/\*[\s\S]*\*\/$/.test(body);

const PROBE: AlertTemplateData = { labels: {}, value: 0, externalLabels: {}, externalURL: '', evalTimeMs: 0 };

/** What runs one action: its text given the data (may throw Go's ExecError), or null when we do not render it. */
function action(body: string): Piece | null {
  const a = body.trim();
  if (a === '__evalTime') return (d) => goTimeUTC(d.evalTimeMs);
  const lit = goStringLiteral(a);
  if (lit !== null) return lit;
  if (isGoComment(a)) return '';
  const p = parsePipeline(body);
  if ('error' in p || pipelineVariables(p).some((v) => variable(v, PROBE) === undefined)) return null;
  return (d) => evalPipeline(p, (v) => variable(v, d) ?? '');
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

/** One action of a Go template (goActions). */
export interface GoAction {
  /** The text before it, trimmed as Go's trim markers beside it say. */
  literal: string;
  /** What is between its braces less its trim markers; null for a text `whole` matched. */
  body: string | null;
  /** Where its body starts in the template (2 past the whole text's start when body is null). */
  bodyStart: number;
}

const SPACE = /[ \t\r\n]/;

/**
 * The actions of a Go template in order and the text after the last (`tail`, trimmed too). Trim markers are Go's:
 * `{{- ` and ` -}}` (a space, tab or newline beside the '-') trim those same characters beside the action; `{{-3}}`
 * is the number -3. An action ends at the first `}}`; an unclosed `{{` is text. `whole` (sticky) names a run of
 * actions taken as one, without trimming. One scan with indexOf: a long text of unclosed `{{` stays linear.
 */
export function goActions(template: string, whole?: RegExp): { actions: GoAction[]; tail: string } {
  const actions: GoAction[] = [];
  let last = 0;
  let trimNext = false;
  const literalTo = (end: number, trimEnd: boolean): string => {
    let literal = template.slice(last, end);
    if (trimNext) literal = literal.replace(/^[ \t\r\n]+/, '');
    return trimEnd ? literal.replace(/[ \t\r\n]+$/, '') : literal;
  };
  for (let open = template.indexOf('{{'); open >= 0; open = template.indexOf('{{', last)) {
    if (whole) {
      whole.lastIndex = open;
      const w = whole.exec(template);
      if (w) {
        actions.push({ literal: literalTo(open, false), body: null, bodyStart: open + 2 });
        last = open + w[0].length;
        trimNext = false;
        continue;
      }
    }
    const left = template[open + 2] === '-' && SPACE.test(template[open + 3] ?? '');
    const from = open + (left ? 4 : 2);
    const close = template.indexOf('}}', from);
    if (close < 0) break;
    const right = close - from >= 2 && template[close - 1] === '-' && SPACE.test(template[close - 2]);
    actions.push({ literal: literalTo(open, left), body: template.slice(from, right ? close - 2 : close), bodyStart: from });
    last = close + 2;
    trimNext = right;
  }
  const tail = template.slice(last);
  return { actions, tail: trimNext ? tail.replace(/^[ \t\r\n]+/, '') : tail };
}

/**
 * A template compiled to a function of the alert's data, or null when it uses what our engine does not render
 * (functions, conditionals, ranges, variables of its own…). `alertName` names the template in Go's errors
 * (`__alert_NAME`): an action that fails makes the whole text Prometheus's `<error expanding template: …>`.
 */
export function compileGoTemplate(template: string, alertName = ''): ((d: AlertTemplateData) => string) | null {
  const pieces: Piece[] = [];
  const starts: number[] = [];
  const { actions, tail } = goActions(template, EVAL_TIME);
  for (const a of actions) {
    pieces.push(a.literal);
    starts.push(-1);
    const p = action(a.body ?? '__evalTime');
    if (p === null) return null;
    pieces.push(p);
    starts.push(a.bodyStart);
  }
  if (tail.includes('{{')) return null;
  pieces.push(tail);
  return (d) => {
    let out = '';
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      if (typeof p === 'string') { out += p; continue; }
      try {
        out += p(d);
      } catch (e) {
        if (e instanceof ExecError) return expansionError(template, alertName, starts[i] + e.at, e);
        throw e;
      }
    }
    return out;
  };
}
