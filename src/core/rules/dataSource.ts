/**
 * `data:` naming a Prometheus source in a rules file (SPEC §8):
 * `data: {prometheus: URL, queries: {name: PROMQL, …}, range: 7d, step: 1m}`. The JSON Schema checks its shape;
 * this reads it into the model (best effort: what is malformed is left out, the schema reports it).
 */
import type { PrometheusDataSource, RulesDataContext } from './model.ts';
import { parseDuration } from './duration.ts';
import { deref, getPair } from './yamlAst.ts';
import type { YMap } from './yamlAst.ts';

/** The Prometheus source of a rules file's top-level mapping, or null when `data:` is a path or absent. */
export function prometheusSourceOf(top: YMap): PrometheusDataSource | null {
  const pair = getPair(top, 'data');
  const data = pair && deref(pair.value);
  if (!data || data.kind !== 'map') return null;
  const text = (key: string): string | null => {
    const p = getPair(data, key);
    const v = p && deref(p.value);
    return v?.kind === 'scalar' && typeof v.value === 'string' && v.value ? v.value : null;
  };
  const server = text('prometheus');
  if (!server) return null;
  const queries: { name: string; promql: string }[] = [];
  const qp = getPair(data, 'queries');
  const q = qp && deref(qp.value);
  if (q?.kind === 'map') {
    for (const p of q.pairs) {
      const k = deref(p.key);
      const v = deref(p.value);
      if (k.kind === 'scalar' && v.kind === 'scalar' && typeof v.value === 'string' && v.value.trim()) queries.push({ name: String(k.value), promql: v.value.trim() });
    }
  }
  return { prometheus: server, queries, range: text('range'), step: text('step') };
}

/**
 * What the rules can be checked against before the source is fetched: its queries' names as the metrics and its
 * step (no values, so no threshold checks). Null when it names no query.
 */
export function queryNamesContext(source: PrometheusDataSource): RulesDataContext | null {
  if (!source.queries.length) return null;
  const step = source.step ? parseDuration(source.step) : NaN;
  return { name: 'data.queries', metrics: source.queries.map((q) => q.name), stepMs: step > 0 ? step : null, stats: {}, queryNames: true };
}
