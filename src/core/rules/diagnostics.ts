// Diagnostics of a rules file: collected with their line and column, and printed in the compiler form.
import type { Diagnostic, DiagnosticFix } from './model.ts';
import { lineStarts, positionAt } from '../textPosition.ts';

/** A diagnostic at offsets of `text` (for problems found outside the engine, such as an unreadable data file). */
export function diagnosticAt(text: string, severity: Diagnostic['severity'], code: string, message: string, startOffset: number, endOffset: number): Diagnostic {
  const sink = new DiagnosticSink(text, lineStarts(text));
  sink.add(severity, 'semantic', code, message, startOffset, endOffset);
  return sink.list[0];
}

/** Collects diagnostics, computing line/column once per diagnostic. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  /** Lines with an unquoted operator: YAML reads `op: >` as a block scalar, `op: !=` as a tag. */
  readonly unquotedOpLines = new Set<number>();
  private readonly seen = new Set<string>();
  constructor(readonly text: string, readonly lines: Int32Array) {}

  add(severity: Diagnostic['severity'], source: Diagnostic['source'], code: string, message: string, startOffset: number, endOffset: number, fix?: DiagnosticFix): void {
    const key = `${code}@${startOffset}:${endOffset}`;
    if (source === 'yaml' && code !== 'unquoted-op' && this.unquotedOpLines.size && this.unquotedOpLines.has(positionAt(this.lines, startOffset).line)) return;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const s = Math.max(0, Math.min(startOffset, this.text.length));
    const e = Math.max(s, Math.min(endOffset, this.text.length));
    const d: Diagnostic = {
      severity, message, code, source,
      range: { start: positionAt(this.lines, s), end: positionAt(this.lines, e) },
      startOffset: s, endOffset: e,
    };
    if (fix) d.fix = fix;
    this.list.push(d);
  }

  sorted(): Diagnostic[] {
    return this.list.sort(byPlace);
  }
}

/** The one order of diagnostics: by where they start (line, then column), then where they end. */
export function byPlace(a: Diagnostic, b: Diagnostic): number {
  return a.startOffset - b.startOffset || a.endOffset - b.endOffset;
}

/** SPEC §2 text form: `path:line:col: severity: message [code]` per line, then a summary line. */
export function formatDiagnostics(path: string, diagnostics: readonly Diagnostic[]): string {
  const lines = diagnostics.map((d) => `${path}:${d.range.start.line}:${d.range.start.column}: ${d.severity}: ${d.message} [${d.code}]`);
  const count = (s: Diagnostic['severity']) => diagnostics.filter((d) => d.severity === s).length;
  const parts: string[] = [];
  const errors = count('error');
  const warnings = count('warning');
  const infos = count('info');
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (infos) parts.push(`${infos} note${infos === 1 ? '' : 's'}`);
  lines.push(`${path}: ${parts.length ? parts.join(', ') : 'no problems'}`);
  return lines.join('\n') + '\n';
}
