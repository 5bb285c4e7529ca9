// Validating a rules file (SPEC §1–§2): YAML, then the JSON Schema, then the meaning and the data. The steps live
// in diagnostics.ts, schemaDiagnostics.ts, readRules.ts and semanticChecks.ts; this file runs them in order.
import { isPrometheusRuleStream, promRulesForCsv } from '../promrules/csvRules.ts';
import { prometheusRuleDocuments } from '../promrules/ruleFile.ts';
import { foreignFileReason, groupsTypo, rulesWithoutGroups } from './foreignFile.ts';
import type { Diagnostic, RulesDataContext, RulesFile } from './model.ts';
import { schemaErrors } from './schema.ts';
import { DiagnosticSink, byPlace } from './diagnostics.ts';
import { mapSchemaErrors } from './schemaDiagnostics.ts';
import { buildFile, emptyRulesFile, toPlain } from './readRules.ts';
import { queryNamesContext } from './dataSource.ts';
import type { RuleSite } from './readRules.ts';
import { checkKeys, findUnquotedOps, promDataChecks, semanticChecks } from './semanticChecks.ts';
import { checkDurationRange, checkQueries } from './prometheusChecks.ts';
import { deref, getPair, parseYamlAst } from './yamlAst.ts';
import { lineStarts, positionAt } from '../textPosition.ts';
import type { YNode } from './yamlAst.ts';

/** Options of `validateRules`. */
export interface ValidateOptions {
  /** The data the rules are checked against (metric names, step, value ranges). */
  data?: RulesDataContext;
  /** Longest text read (the command line's RULE_FILE_MAX_CHARS). @default EDITOR_MAX_CHARS */
  maxChars?: number;
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
  const parsed = parseYamlAst(text, { maxChars: context.maxChars });
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
      // A warning: nothing to check, as promtool passes it (`SUCCESS: 0 rules found`), so a placeholder does not fail CI.
      out.add('warning', 'yaml', 'empty-file', 'empty rules file: nothing to check (ours starts with `version: 1` and `rules:`, a Prometheus rule file with `groups:`)', 0, 0, {
        title: 'Add version and rules', edits: [{ startOffset: 0, endOffset: 0, newText: 'version: 1\nrules: []\n' }],
      });
    }
    return { text, root: null, file: emptyFile, sites: [], diagnostics: out.sorted(), lines, dataSpan: null };
  }
  // A Prometheus rule file (`groups:`): its alerting rules that compare a metric with a number run on the data.
  if (prometheus) {
    const p = promRulesForCsv(text, lines, { maxChars: context.maxChars, parsed });
    const dataOut = new DiagnosticSink(text, lines);
    if (context.data) promDataChecks(p.sites, dataOut, context.data);
    // One list by line then column: the file's errors, its rules' and the data's, as the CLI and the editor show them.
    const diagnostics = [...out.sorted(), ...p.diagnostics, ...dataOut.sorted()].sort(byPlace);
    return { text, root, file: p.file, sites: p.sites, diagnostics, lines, dataSpan: null };
  }
  // A Prometheus rule file with `groups:` misspelt, or its rules without it: said as such (promtool refuses both), not
  // as our format's missing `version:` and unknown keys. Errors in the editor too: Prometheus would not load the file.
  const typo = groupsTypo(root);
  if (typo) {
    const was = typo.kind === 'scalar' ? typo.text : '';
    out.add('error', 'semantic', 'groups-typo', `unknown top-level key '${was}': did you mean 'groups'? This looks like a Prometheus rule file (promtool: field ${was} not found in type rulefmt.RuleGroups); nothing in it is checked until then`, typo.start, typo.end, {
      title: "Change to 'groups'", edits: [{ startOffset: typo.start, endOffset: typo.end, newText: 'groups' }],
    });
    return { text, root, file: emptyFile, sites: [], diagnostics: out.sorted(), lines, dataSpan: null };
  }
  const bare = rulesWithoutGroups(root);
  if (bare) {
    // The fix indents lines: only for a block `rules:` at the start of its line.
    const fix = positionAt(lines, bare.start).column === 1 ? { title: 'Put the rules under groups:', edits: wrapInGroup(text, lines, bare) } : undefined;
    out.add('error', 'semantic', 'missing-groups', "`alert:`, `record:` and `expr:` are Prometheus rule keys: a Prometheus rule file has them under `groups: - name: … rules:` (promtool: field rules not found in type rulefmt.RuleGroups); nothing in it is checked until then", bare.start, bare.end, fix);
    return { text, root, file: emptyFile, sites: [], diagnostics: out.sorted(), lines, dataSpan: null };
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
  checkQueries(root, out);
  checkDurationRange(root, out);
  const top = deref(root);
  // A path's scalar, or a Prometheus source's mapping (then diagnostics about the source point at its server).
  const dataPair = top.kind === 'map' ? getPair(top, 'data') : undefined;
  const dataValue = dataPair && deref(dataPair.value);
  const dataNode = dataValue?.kind === 'map' ? (() => { const p = getPair(dataValue, 'prometheus'); return p && deref(p.value); })() ?? dataValue : dataValue;
  const dataSpan = dataNode && !(dataNode.kind === 'scalar' && dataNode.empty) ? { startOffset: dataNode.start, endOffset: dataNode.end } : null;
  return { text, root, file, sites, diagnostics: out.sorted(), lines, dataSpan };
}

/** Edits that put a top-level `rules:` (at column 1) and its lines under `groups: - name: rules`. */
function wrapInGroup(text: string, lines: Int32Array, rulesKey: YNode): { startOffset: number; endOffset: number; newText: string }[] {
  const first = positionAt(lines, rulesKey.start).line - 1;
  const edits = [{ startOffset: lines[first], endOffset: lines[first], newText: 'groups:\n  - name: rules\n    ' }];
  for (let i = first + 1; i < lines.length; i++) {
    const start = lines[i];
    const end = i + 1 < lines.length ? lines[i + 1] : text.length;
    const line = text.slice(start, end);
    // The block ends at the next top-level key (a line starting with neither a space, a `-` nor a comment).
    if (/^[^\s#-]/.test(line)) break;
    if (line.trim()) edits.push({ startOffset: start, endOffset: start, newText: '    ' });
  }
  return edits;
}
