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
}

/** Template variables a rule's annotations may use (plus `labels.<key>`). */
export const TEMPLATE_VARIABLES: readonly string[] = ['name', 'metric', 'value', 'threshold', 'timestamp', 'op', 'severity', 'row'];

/** `{{ var }}` with optional spaces; a leading `$` or `.` (Prometheus/Go template habits) is accepted. */
export const TEMPLATE_PATTERN = /\{\{\s*[$.]?([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_.-]+)?)\s*\}\}/g;

/** Whether a template variable name is one `renderTemplate` knows (labels.* always are). */
export function isTemplateVariable(name: string): boolean {
  return TEMPLATE_VARIABLES.includes(name) || /^labels\.[A-Za-z0-9_.-]+$/.test(name);
}

/** Replaces each `{{ var }}` by its value; unknown variables and missing labels render as ''. */
export function renderTemplate(template: string, vars: TemplateVars): string {
  return compileTemplate(template)(vars);
}

const compiled = new Map<string, (vars: TemplateVars) => string>();

/**
 * A template as a function of its variables: parsed once, then each rendering only joins its pieces (a rule
 * renders its summary for every row it fires on). Same output as replacing each `{{ var }}`.
 */
export function compileTemplate(template: string): (vars: TemplateVars) => string {
  let fn = compiled.get(template);
  if (fn) return fn;
  if (template.indexOf('{{') < 0) {
    fn = () => template;
  } else {
    const literals: string[] = [];
    const names: string[] = [];
    let last = 0;
    for (const m of template.matchAll(TEMPLATE_PATTERN)) {
      literals.push(template.slice(last, m.index));
      names.push(m[1]);
      last = m.index + m[0].length;
    }
    literals.push(template.slice(last));
    fn = (vars) => {
      let out = literals[0];
      for (let i = 0; i < names.length; i++) out += variable(names[i], vars) + literals[i + 1];
      return out;
    };
  }
  if (compiled.size > 1000) compiled.clear();
  compiled.set(template, fn);
  return fn;
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
