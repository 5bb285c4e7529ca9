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
const EVAL_TIME = /\{\{\s*with\s+query\s+"time\(\)"\s*\}\}\{\{\s*\.\s*\|\s*first\s*\|\s*value\s*\|\s*humanizeTimestamp\s*\}\}\{\{\s*end\s*\}\}/g;

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

const PROBE: AlertTemplateData = { labels: {}, value: 0, externalLabels: {}, externalURL: '', evalTimeMs: 0 };

/** What runs one action: its text given the data (may throw Go's ExecError), or null when we do not render it. */
function action(body: string): Piece | null {
  const a = body.trim();
  if (a === '__evalTime') return (d) => goTimeUTC(d.evalTimeMs);
  const lit = goStringLiteral(a);
  if (lit !== null) return lit;
  if (/^\/\*[\s\S]*\*\/$/.test(a)) return '';
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

/** Go's trim markers: `{{- ` and ` -}}` (a space, tab or newline beside the '-'), trimming those same characters. */
const ACTION = /\{\{(-[ \t\r\n])?([\s\S]*?)([ \t\r\n]-)?\}\}/;
const TEMPLATE_PART = new RegExp(`(${EVAL_TIME.source})|${ACTION.source}`, 'g');

/**
 * A template compiled to a function of the alert's data, or null when it uses what our engine does not render
 * (functions, conditionals, ranges, variables of its own…). `alertName` names the template in Go's errors
 * (`__alert_NAME`): an action that fails makes the whole text Prometheus's `<error expanding template: …>`.
 */
export function compileGoTemplate(template: string, alertName = ''): ((d: AlertTemplateData) => string) | null {
  const pieces: Piece[] = [];
  const starts: number[] = [];
  let last = 0;
  let trimNext = false;
  for (const m of template.matchAll(TEMPLATE_PART)) {
    let literal = template.slice(last, m.index);
    if (trimNext) literal = literal.replace(/^[ \t\r\n]+/, '');
    if (m[2]) literal = literal.replace(/[ \t\r\n]+$/, '');
    pieces.push(literal);
    starts.push(-1);
    const p = m[1] ? action('__evalTime') : action(m[3]);
    if (p === null) return null;
    pieces.push(p);
    starts.push(m.index + 2 + (m[2]?.length ?? 0));
    last = m.index + m[0].length;
    trimNext = !!m[4];
  }
  let tail = template.slice(last);
  if (trimNext) tail = tail.replace(/^[ \t\r\n]+/, '');
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
