import type { DataIssue } from '../core/csv/frame.ts';

/** `path[:line[:col]]: error|warning: message` — the compiler-style form of SPEC §3. */
export function formatIssue(path: string, issue: DataIssue): string {
  const pos = issue.line ? `:${issue.line}${issue.column ? `:${issue.column}` : ''}` : '';
  return `${path}${pos}: ${issue.severity}: ${issue.message}`;
}
