/**
 * Names of the columns a Prometheus source gives (SPEC §8): a query's series is one metric column, named NAME,
 * or NAME{label="value",…} when the query returns several series.
 */

/** Prometheus's metric and label name syntax (data model documentation). */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A query of a source: the column name it gives and its PromQL. */
export interface NamedQuery {
  name: string;
  promql: string;
}

/** `NAME=` before a query: a name such as cpu, node_load1, disk.used or cpu-busy, then `=` that is not `==` or `=~`. */
const NAME_PREFIX = /^\s*([A-Za-z_][A-Za-z0-9_.:-]*)\s*=(?![=~])/;

/**
 * Splits `--query [NAME=]PROMQL`. Without a name, the column is named after the query text itself, so
 * `--query node_load1` gives the column node_load1. An empty query is an error message.
 */
export function parseQueryArg(text: string): { ok: true; query: NamedQuery } | { ok: false; message: string } {
  const m = NAME_PREFIX.exec(text);
  const promql = (m ? text.slice(m[0].length) : text).trim();
  if (!promql) return { ok: false, message: m ? `the query named '${m[1]}' is empty: expected NAME=PROMQL` : 'the query is empty' };
  return { ok: true, query: { name: m ? m[1] : promql, promql } };
}

/** A label value as PromQL writes it inside double quotes: backslash, quote and control characters escaped. */
export function escapeLabelValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** `{a="1",b="x\"y"}` of a label set, labels in name order as Prometheus prints them; '' when empty. */
export function labelText(labels: Readonly<Record<string, string>>, omit: ReadonlySet<string> = new Set()): string {
  const names = Object.keys(labels).filter((k) => !omit.has(k)).sort();
  return names.length ? `{${names.map((k) => `${k}="${escapeLabelValue(labels[k])}"`).join(',')}}` : '';
}

/**
 * The labels of a series name as labelText writes them, `cpu{host="a",dc="x\\"y"}` → {host: 'a', dc: 'x"y'}; {} for a
 * name without labels or one that is not of that form.
 */
export function seriesLabels(name: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const open = name.indexOf('{');
  if (open < 0 || !name.endsWith('}')) return out;
  let i = open + 1;
  const end = name.length - 1;
  while (i < end) {
    const eq = name.indexOf('="', i);
    if (eq < 0) return Object.create(null) as Record<string, string>;
    const key = name.slice(i, eq);
    let value = '';
    let j = eq + 2;
    for (; j < end && name[j] !== '"'; j++) {
      if (name[j] !== '\\') { value += name[j]; continue; }
      const c = name[++j];
      if (c === 'n') value += '\n';
      else if (c === 't') value += '\t';
      else if (c === 'r') value += '\r';
      else if (c === 'x') { value += String.fromCharCode(parseInt(name.slice(j + 1, j + 3), 16)); j += 2; }
      else value += c;
    }
    if (name[j] !== '"') return Object.create(null) as Record<string, string>;
    out[key] = value;
    i = j + 1;
    if (name[i] === ',') i++;
    // `{a="1", b="2"}` as Grafana's legends write it.
    while (name[i] === ' ') i++;
  }
  return out;
}

/** A key that is the same for the same label set in every piece of a range (label order does not matter). */
export function labelsKey(labels: Readonly<Record<string, string>>): string {
  return labelText(labels);
}

/**
 * Column names of one query's series: NAME for a single series, else NAME{labels} per series. `__name__` is
 * left out when every series has the same one (it is the query's metric, not what tells them apart).
 */
export function seriesNames(name: string, series: readonly Readonly<Record<string, string>>[]): string[] {
  if (series.length === 1) return [name];
  const first = series[0]?.__name__;
  const sameName = series.every((s) => s.__name__ === first);
  const omit = new Set(sameName ? ['__name__'] : []);
  return series.map((s) => `${name}${labelText(s, omit) || '{}'}`);
}
