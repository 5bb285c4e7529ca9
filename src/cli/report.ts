import type { DataIssue } from '../core/csv/frame.ts';

/** `path[:line[:col]]: error|warning: message` — the compiler-style form of SPEC §3. */
export function formatIssue(path: string, issue: DataIssue): string {
  const pos = issue.line ? `:${issue.line}${issue.column ? `:${issue.column}` : ''}` : '';
  return `${path}${pos}: ${issue.severity}: ${issue.message}`;
}

/** A duration in ms as a short human text (`1m`, `5m30s`, `2h`, `1.5s`). */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return 'unknown';
  if (ms < 1000) return `${ms}ms`;
  const units: [string, number][] = [['d', 86400000], ['h', 3600000], ['m', 60000], ['s', 1000]];
  let rest = ms, out = '';
  for (const [u, size] of units) {
    const k = Math.floor(rest / size);
    if (k) { out += `${k}${u}`; rest -= k * size; }
  }
  return rest ? `${(ms / 1000).toFixed(1)}s` : out;
}
