/**
 * A native rule's `labels.severity` that differs from its `severity:` (`severity: minor`, `labels: {severity:
 * critical}`): analyze scores the rule by `severity:`, and export-rules writes `severity:` too, so the label would
 * only mislead a reader. A warning, with a fix that removes the label (the rule's `severity:` is kept).
 */
import type { DiagnosticSink } from './diagnostics.ts';
import type { TextEdit } from './model.ts';
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
  out.add('warning', 'semantic', 'severity-label', `labels.severity '${String(label.value)}' differs from the rule's severity '${sev}': analyze scores the rule ${sev} and export-rules writes severity: ${sev}; remove the label`, pair.key.start, label.end, {
    title: `Remove labels.severity (keep severity: ${sev})`, edits: [removal(out.text, labels, pair, labelsPair)],
  });
}
