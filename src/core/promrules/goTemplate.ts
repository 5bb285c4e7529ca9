/**
 * The part of Prometheus's alert templates (Go text/template, Prometheus "Template reference") our engine
 * renders: `{{ $value }}` / `{{ .Value }}`, `{{ $labels.x }}` / `{{ .Labels.x }}`, `{{ $externalLabels.x }}`,
 * `{{ $externalURL }}`, string literals, Prometheus's formatting functions in pipelines (`{{ $value | humanize }}`,
 * `{{ printf "%.2f" $value }}`: goPipeline.ts), and the evaluation time as export-rules writes it. Anything else
 * (conditionals, ranges, queries, variables of its own…) makes the rule one that needs promtool.
 */
import { goTimeUTC } from './goFormat.ts';
import type { GoValue } from './goFormat.ts';
import { parsePipeline, pipelineVariables, runPipeline } from './goPipeline.ts';


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

function action(body: string): Piece | null {
  const a = body.trim();
  if (a === '__evalTime') return (d) => goTimeUTC(d.evalTimeMs);
  const lit = goStringLiteral(a);
  if (lit !== null) return lit;
  if (/^\/\*[\s\S]*\*\/$/.test(a)) return '';
  const p = parsePipeline(a);
  if ('error' in p || pipelineVariables(p).some((v) => variable(v, PROBE) === undefined)) return null;
  return (d) => runPipeline(p, (v) => variable(v, d) ?? '');
}

/**
 * A template compiled to a function of the alert's data, or null when it uses what our engine does not render
 * (functions, conditionals, ranges, variables of its own…).
 */
export function compileGoTemplate(template: string): ((d: AlertTemplateData) => string) | null {
  const text = template.replace(EVAL_TIME, '{{ __evalTime }}');
  const pieces: Piece[] = [];
  let last = 0;
  const re = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
  for (const m of text.matchAll(re)) {
    let literal = text.slice(last, m.index);
    if (m[1]) literal = literal.replace(/\s+$/, '');
    pieces.push(literal);
    const p = action(m[2]);
    if (p === null) return null;
    pieces.push(p);
    last = m.index + m[0].length;
    if (m[3]) { const rest = text.slice(last); last += rest.length - rest.replace(/^\s+/, '').length; }
  }
  const tail = text.slice(last);
  if (tail.includes('{{')) return null;
  pieces.push(tail);
  return (d) => pieces.map((p) => (typeof p === 'string' ? p : p(d))).join('');
}
