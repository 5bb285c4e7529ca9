/**
 * A native rule's `labels.severity` that differs from its `severity:` (`severity: minor`, `labels: {severity:
 * critical}`): analyze scores the rule by `severity:`, while export-rules keeps the label as written (it is what
 * Alertmanager routes on: `page`, `ticket` are kept too), so the two disagree. A warning; its fix makes them one:
 * with a `severity:` of its own, remove the label; without one (the rule takes the defaults') and a label that is
 * one of ours, write `severity:` as the label says (removing the label would lower what Alertmanager pages on).
 */
import type { DiagnosticSink } from './diagnostics.ts';
import type { TextEdit } from './model.ts';
import { SEVERITIES } from '../severity.ts';
import type { Severity } from '../severity.ts';
import { scalarAt } from './readRules.ts';
import { deref, getPair } from './yamlAst.ts';
import type { YMap, YPair } from './yamlAst.ts';

/** The edit that removes `pair` from the block or flow mapping `map` (the whole `key` pair when it is the only one). */
function removal(text: string, map: YMap, pair: YPair, whole: YPair | undefined): TextEdit {
  if (map.pairs.length === 1 && whole) return lineRemoval(text, whole.key.start, whole.value.end);
  if (map.flow) {
    const i = map.pairs.indexOf(pair);
    // A flow pair with its comma: the one after it, or before it for the last.
    if (i < map.pairs.length - 1) return { startOffset: pair.key.start, endOffset: map.pairs[i + 1].key.start, newText: '' };
    return { startOffset: map.pairs[i - 1].value.end, endOffset: pair.value.end, newText: '' };
  }
  return lineRemoval(text, pair.key.start, pair.value.end);
}

/** Removes the lines from the one holding `start` to the one holding `end`, their line ends included. */
function lineRemoval(text: string, start: number, end: number): TextEdit {
  const from = text.lastIndexOf('\n', start - 1) + 1;
  const nl = text.indexOf('\n', Math.max(end - 1, start));
  return { startOffset: from, endOffset: nl < 0 ? text.length : nl + 1, newText: '' };
}

/** The warning of a rule (its mapping `m`, its effective severity) whose `labels.severity` says another severity. */
export function checkSeverityLabel(m: YMap, severity: string | undefined, out: DiagnosticSink): void {
  const labelsPair = getPair(m, 'labels');
  const labels = labelsPair && deref(labelsPair.value);
  if (labels?.kind !== 'map') return;
  const pair = getPair(labels, 'severity');
  const label = pair && deref(pair.value);
  if (!pair || label?.kind !== 'scalar' || label.value === null) return;
  const own = scalarAt(m, 'severity');
  const sev = typeof own?.value === 'string' ? own.value : severity;
  if (!sev || String(label.value) === sev) return;
  const said = String(label.value);
  const message = `labels.severity '${said}' differs from the rule's severity '${sev}': analyze scores the rule ${sev}, while export-rules keeps severity="${said}" (what Alertmanager routes on)`;
  let fix: { title: string; edits: TextEdit[] } | undefined;
  if (own) fix = { title: `Remove labels.severity (keep severity: ${sev})`, edits: [removal(out.text, labels, pair, labelsPair)] };
  else if (SEVERITIES.includes(said as Severity) && !m.flow && labelsPair) {
    // `severity:` written above `labels:`, at its indentation.
    const key = labelsPair.key.start;
    const indent = key - (out.text.lastIndexOf('\n', key - 1) + 1);
    if (/^[ ]*$/.test(out.text.slice(key - indent, key))) fix = { title: `Set severity: ${said} (as labels.severity says)`, edits: [{ startOffset: key, endOffset: key, newText: `severity: ${said}\n${' '.repeat(indent)}` }] };
  }
  out.add('warning', 'semantic', 'severity-label', message, pair.key.start, label.end, fix);
}
