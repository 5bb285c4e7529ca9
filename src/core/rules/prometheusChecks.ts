// What Prometheus would refuse in a rules file's export (SPEC §8), found by `check` first: a data.queries query
// PromQL cannot parse, and a duration past what Prometheus holds.
import { exprSyntaxError } from '../promrules/exprSyntax.ts';
import type { DiagnosticSink } from './diagnostics.ts';
import { durationError } from './duration.ts';
import { deref, getPair } from './yamlAst.ts';
import type { YNode } from './yamlAst.ts';

/** The keys whose values are durations in our schema (rules.schema.json's `duration`). */
const DURATION_KEYS = new Set(['for', 'keep_firing_for', 'range', 'step', 'throttle']);

/** The code of a query's PromQL error: the one error inside `data:` that stops an export (it would be written as is). */
export const QUERY_SYNTAX_CODE = 'promql-syntax';

/** Where a mapping value is, as promtool places an expr: a block scalar (`load: |`) at its indicator. */
function valueStart(text: string, keyEnd: number, value: YNode): number {
  if (value.kind !== 'scalar' || (value.style !== 4 && value.style !== 5)) return value.start;
  let i = keyEnd;
  while (text[i] === ':' || text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

/**
 * Each data.queries entry through the PromQL syntax check of Prometheus rule files' `expr`: an error at the query
 * with Prometheus's words (`query 'bad': could not parse expression: 1:11: parse error: unclosed left parenthesis`),
 * the place inside the query as Prometheus gives it. What that check does not see is left to promtool.
 */
export function checkQueries(root: YNode, out: DiagnosticSink): void {
  const top = deref(root);
  const data = top.kind === 'map' ? getPair(top, 'data') : undefined;
  const source = data && deref(data.value);
  const queries = source?.kind === 'map' ? getPair(source, 'queries') : undefined;
  const map = queries && deref(queries.value);
  if (map?.kind !== 'map') return;
  for (const p of map.pairs) {
    const v = deref(p.value);
    if (v.kind !== 'scalar' || typeof v.value !== 'string' || !v.value.trim()) continue;
    const error = exprSyntaxError(v.value.trim());
    if (!error) continue;
    const at = valueStart(out.text, p.key.end, v);
    out.add('error', 'semantic', QUERY_SYNTAX_CODE, `query '${p.key.kind === 'scalar' ? p.key.text : ''}': ${error}`, at, Math.max(at + 1, v.end));
  }
}

/** A duration our schema reads but Prometheus cannot hold (`for: 293y`): an error in Prometheus's words at its value. */
export function checkDurationRange(root: YNode, out: DiagnosticSink): void {
  const stack: YNode[] = [root];
  while (stack.length) {
    // Aliases are not followed: the anchored node is checked where it is written.
    const n = stack.pop() as YNode;
    if (n.kind === 'seq') { stack.push(...n.items); continue; }
    if (n.kind !== 'map') continue;
    for (const p of n.pairs) {
      const v = p.value;
      if (p.key.kind === 'scalar' && DURATION_KEYS.has(p.key.text) && v.kind === 'scalar' && typeof v.value === 'string' && durationError(v.value, false) === 'duration out of range') {
        out.add('error', 'semantic', 'duration-out-of-range', `${p.key.text}: duration out of range: ${v.value} (Prometheus holds at most 106751d, about 292 years)`, v.start, v.end);
      } else stack.push(p.value);
    }
  }
}
