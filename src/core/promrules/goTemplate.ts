/**
 * The part of Prometheus's alert templates (Go text/template, Prometheus "Template reference") our engine
 * renders: `{{ $value }}` / `{{ .Value }}`, `{{ $labels.x }}` / `{{ .Labels.x }}`, `{{ $externalLabels.x }}`,
 * `{{ $externalURL }}`, string literals, and the evaluation time as export-rules writes it. Anything else makes
 * the rule one that needs promtool.
 */

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

/** A float64 printed as Go's fmt %v does (shortest round-trip digits; exponent form below 1e-4 and from 1e6). */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  // strconv's %g with the shortest precision switches to the exponent form below 1e-4 and from 1e6.
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return String(v);
}

/** Go's time.Time String() of an instant in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function goTimeUTC(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const frac = ms % 1000 === 0 ? '' : `.${pad(((ms % 1000) + 1000) % 1000, 3).replace(/0+$/, '')}`;
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac} +0000 UTC`;
}

function goStringLiteral(s: string): string | null {
  if (s.startsWith('`') && s.endsWith('`') && s.length >= 2) return s.slice(1, -1);
  if (!(s.startsWith('"') && s.endsWith('"') && s.length >= 2)) return null;
  try { return JSON.parse(s) as string; } catch { return null; }
}

const get = (map: Readonly<Record<string, string>>, key: string): string => (Object.hasOwn(map, key) ? map[key] : '');

function action(body: string): Piece | null {
  const a = body.trim();
  if (a === '$value' || a === '.Value') return (d) => goFloat(d.value);
  if (a === '$externalURL' || a === '.ExternalURL') return (d) => d.externalURL;
  if (a === '__evalTime') return (d) => goTimeUTC(d.evalTimeMs);
  let m = /^(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(a);
  if (m) { const k = m[1]; return (d) => get(d.labels, k); }
  m = /^(?:\$externalLabels|\.ExternalLabels)\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(a);
  if (m) { const k = m[1]; return (d) => get(d.externalLabels, k); }
  const lit = goStringLiteral(a);
  if (lit !== null) return lit;
  if (/^\/\*[\s\S]*\*\/$/.test(a)) return '';
  return null;
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
