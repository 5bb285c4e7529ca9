// Validating a rules file (SPEC §1–§2): YAML, then the JSON Schema, then the meaning and the data. The steps live
// in diagnostics.ts, schemaDiagnostics.ts, readRules.ts and semanticChecks.ts; this file runs them in order.
import { isPrometheusRuleStream, promRulesForCsv } from '../promrules/csvRules.ts';
import { prometheusRuleDocuments } from '../promrules/ruleFile.ts';
import { foreignFileReason } from './foreignFile.ts';
import type { Diagnostic, RulesDataContext, RulesFile } from './model.ts';
import { schemaErrors } from './schema.ts';
import { DiagnosticSink, byPlace } from './diagnostics.ts';
import { mapSchemaErrors } from './schemaDiagnostics.ts';
import { buildFile, emptyRulesFile, toPlain } from './readRules.ts';
import { queryNamesContext } from './dataSource.ts';
import type { RuleSite } from './readRules.ts';
import { checkKeys, findUnquotedOps, promDataChecks, semanticChecks } from './semanticChecks.ts';
import { deref, getPair, parseYamlAst } from './yamlAst.ts';
import { lineStarts } from '../textPosition.ts';
import type { YNode } from './yamlAst.ts';

/** Options of `validateRules`. */
export interface ValidateOptions {
  /** The data the rules are checked against (metric names, step, value ranges). */
  data?: RulesDataContext;
}

/** The result of validating a rules file: the file when it has no errors, and every diagnostic. */
export interface ValidationResult {
  rules: RulesFile | null;
  diagnostics: Diagnostic[];
}

/** Everything the editor features need from one reading of the text. */
export interface RulesAnalysis {
  text: string;
  root: YNode | null;
  /** Best-effort file: valid rules only, even when others have errors. */
  file: RulesFile;
  sites: RuleSite[];
  diagnostics: Diagnostic[];
  lines: Int32Array;
  /** Offsets of the `data:` value, for diagnostics about the data file itself. */
  dataSpan: { startOffset: number; endOffset: number } | null;
}

/**
 * Validates rules.yaml text (SPEC §1–§2): YAML, JSON Schema, then meaning and data checks.
 * Never throws; `rules` is null whenever any diagnostic is an error.
 */
export function validateRules(text: string, context: ValidateOptions = {}): ValidationResult {
  const a = analyzeRules(text, context);
  const hasError = a.diagnostics.some((d) => d.severity === 'error');
  return { rules: hasError || !a.root ? null : a.file, diagnostics: a.diagnostics };
}

/** Reads and checks rules text once, keeping the tree and per-rule sites for hover, completion and lenses. */
export function analyzeRules(text: string, context: ValidateOptions = {}): RulesAnalysis {
  const lines = lineStarts(text);
  const out = new DiagnosticSink(text, lines);
  findUnquotedOps(text, out);
  const parsed = parseYamlAst(text);
  // A second document is an error (its rules would be lost silently: promtool and Prometheus read the first only); an
  // empty one a warning. In a Prometheus rule file a warning too: promtool accepts the file, so CI gating on `check` must.
  // A Kubernetes manifest file's documents are each applied: its PrometheusRule ones are all read (ruleFile.ts), so
  // more than one document is what such a file is.
  const prometheus = isPrometheusRuleStream(parsed);
  const manifest = prometheusRuleDocuments(parsed.documents).length > 0;
  for (const p of parsed.problems) {
    if (manifest && p.code === 'multiple-documents') continue;
    out.add(p.code === 'empty-document' || (p.code === 'multiple-documents' && prometheus) ? 'warning' : 'error', 'yaml', p.code, p.message, p.startOffset, p.endOffset);
  }
  const emptyFile: RulesFile = emptyRulesFile();
  const root = parsed.root;
  if (!root) {
    if (parsed.problems.length === 0) {
      out.add('error', 'yaml', 'empty-file', 'empty rules file: expected `version: 1` and `rules:`', 0, 0, {
        title: 'Add version and rules', edits: [{ startOffset: 0, endOffset: 0, newText: 'version: 1\nrules: []\n' }],
      });
    }
    return { text, root: null, file: emptyFile, sites: [], diagnostics: out.sorted(), lines, dataSpan: null };
  }
  // A Prometheus rule file (`groups:`): its alerting rules that compare a metric with a number run on the data.
  if (prometheus) {
    const p = promRulesForCsv(text, lines);
    const dataOut = new DiagnosticSink(text, lines);
    if (context.data) promDataChecks(p.sites, dataOut, context.data);
    // One list by line then column: the file's errors, its rules' and the data's, as the CLI and the editor show them.
    const diagnostics = [...out.sorted(), ...p.diagnostics, ...dataOut.sorted()].sort(byPlace);
    return { text, root, file: p.file, sites: p.sites, diagnostics, lines, dataSpan: null };
  }
  // Another tool's YAML under a rules-file name: one diagnostic, no key-by-key errors nor fixes that would make it ours.
  const foreign = foreignFileReason(root);
  if (foreign) {
    const top = deref(root);
    const first = top.kind === 'map' ? top.pairs[0]?.key : undefined;
    out.add('error', 'semantic', 'not-rules-file', `not an Anomaly Hunter rules file (${foreign}): nothing in it is checked`, first?.start ?? root.start, first?.end ?? root.start);
    return { text, root, file: emptyFile, sites: [], diagnostics: out.sorted(), lines, dataSpan: null };
  }
  checkKeys(root, out);
  const value = toPlain(root);
  mapSchemaErrors(schemaErrors(value), root, out, context);
  const { file, sites } = buildFile(root, lines);
  // A Prometheus source's rules are checked against its queries' names until its series are at hand.
  semanticChecks(root, sites, out, context.data ?? (file.source ? queryNamesContext(file.source) ?? undefined : undefined));
  const top = deref(root);
  // A path's scalar, or a Prometheus source's mapping (then diagnostics about the source point at its server).
  const dataPair = top.kind === 'map' ? getPair(top, 'data') : undefined;
  const dataValue = dataPair && deref(dataPair.value);
  const dataNode = dataValue?.kind === 'map' ? (() => { const p = getPair(dataValue, 'prometheus'); return p && deref(p.value); })() ?? dataValue : dataValue;
  const dataSpan = dataNode && !(dataNode.kind === 'scalar' && dataNode.empty) ? { startOffset: dataNode.start, endOffset: dataNode.end } : null;
  return { text, root, file, sites, diagnostics: out.sorted(), lines, dataSpan };
}
