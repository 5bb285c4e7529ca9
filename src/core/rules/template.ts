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
  if (template.indexOf('{{') < 0) return template;
  return template.replace(TEMPLATE_PATTERN, (_m, name: string) => {
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
  });
}

/** A number as people read it in an alert: integers as is, else at most 6 significant digits; NaN gives 'NaN'. */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}
