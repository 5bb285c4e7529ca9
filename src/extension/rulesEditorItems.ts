// The rules engine's diagnostics and completions (src/core/rules) as VS Code's objects, for the rules editor.
import * as vscode from 'vscode';
import type { CompletionItem as RulesCompletion } from '../core/rules/language.ts';
import type { Diagnostic } from '../core/rules/model.ts';

const SOURCE = 'Anomaly Hunter';

/** Keys, metric names and durations: what a completion replaces and a hover highlights. */
export const WORD = /[A-Za-z0-9_.-]+/;

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** A rules diagnostic as VS Code's, at its offsets in the document. */
export function toVscodeDiagnostic(doc: vscode.TextDocument, d: Diagnostic): vscode.Diagnostic {
  const range = new vscode.Range(doc.positionAt(d.startOffset), doc.positionAt(d.endOffset));
  // Another tool's file under a name this extension watches (a Semgrep rules.yaml): `check` refuses it (exit 1,
  // the user asked to check it), but in the editor it is not the user's mistake, so it is information.
  const severity = d.code === 'not-rules-file' ? vscode.DiagnosticSeverity.Information : SEVERITY[d.severity];
  const out = new vscode.Diagnostic(range, d.message, severity);
  out.source = SOURCE;
  out.code = d.code;
  return out;
}

const COMPLETION_KIND: Record<RulesCompletion['kind'], vscode.CompletionItemKind> = {
  key: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.EnumMember,
  metric: vscode.CompletionItemKind.Field,
  duration: vscode.CompletionItemKind.Unit,
  snippet: vscode.CompletionItemKind.Snippet,
};

/** A rules completion as VS Code's: `index` orders it, `indent` is the current line's indentation. */
export function toCompletionItem(it: RulesCompletion, index: number, range: vscode.CompletionItem['range'], indent: number): vscode.CompletionItem {
  const item = new vscode.CompletionItem(it.label, COMPLETION_KIND[it.kind]);
  item.sortText = String(index).padStart(4, '0');
  item.detail = it.detail;
  if (it.documentation) item.documentation = new vscode.MarkdownString(it.documentation);
  if (range) item.range = range;
  if (it.kind === 'snippet') {
    item.insertText = new vscode.SnippetString(it.insertText);
  } else {
    // The editor prefixes inserted lines with the current line's indentation; the engine gives absolute columns.
    item.insertText = indent ? it.insertText.replace(new RegExp(`\n {${indent}}`, 'g'), '\n') : it.insertText;
    if (it.kind === 'key' && it.insertText.endsWith(': ') && (/\||duration|boolean/.test(it.detail ?? '') || it.label === 'metric')) {
      item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest values' };
    }
  }
  return item;
}
