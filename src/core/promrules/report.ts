import type { AlertOut } from './engine.ts';
import type { CaseResult } from './run.ts';

/**
 * A failing case as people read it: expected and got side by side, one label or annotation a line, aligned, the
 * first line that differs marked with `>`.
 */

interface Row { left: string; right: string; differs: boolean }

function quote(v: string | undefined): string {
  return v === undefined ? '' : JSON.stringify(v);
}

function section(title: string, exp: Record<string, string> | undefined, got: Record<string, string> | undefined): Row[] {
  const keys = [...new Set([...Object.keys(exp ?? {}), ...Object.keys(got ?? {})])].sort();
  const rows: Row[] = [];
  if (keys.length === 0) return rows;
  rows.push({ left: exp ? `${title}:` : '', right: got ? `${title}:` : '', differs: false });
  for (const k of keys) {
    const e = exp && Object.hasOwn(exp, k) ? exp[k] : undefined;
    const g = got && Object.hasOwn(got, k) ? got[k] : undefined;
    rows.push({
      left: e === undefined ? (exp ? '  (none)' : '') : `  ${k}=${quote(e)}`,
      right: g === undefined ? (got ? '  (none)' : '') : `  ${k}=${quote(g)}`,
      differs: e !== g,
    });
  }
  return rows;
}

function alertRows(i: number, exp: AlertOut | undefined, got: AlertOut | undefined): Row[] {
  const rows: Row[] = [{ left: exp ? `alert ${i + 1}` : '(no alert)', right: got ? `alert ${i + 1}` : '(no alert)', differs: !exp || !got }];
  rows.push(...section('labels', exp?.labels, got?.labels), ...section('annotations', exp?.annotations, got?.annotations));
  return rows;
}

/** The side-by-side text of one case's expected and got alerts (no trailing newline). */
export function sideBySide(exp: readonly AlertOut[], got: readonly AlertOut[], indent = '    '): string {
  const rows: Row[] = [{ left: 'expected', right: 'got', differs: false }];
  const n = Math.max(exp.length, got.length);
  if (n === 0) rows.push({ left: '(no alerts)', right: '(no alerts)', differs: false });
  for (let i = 0; i < n; i++) rows.push(...alertRows(i, exp[i], got[i]));
  const width = Math.min(60, Math.max(...rows.map((r) => r.left.length))) + 2;
  let marked = false;
  return rows.map((r) => {
    const mark = r.differs && !marked ? '>' : ' ';
    if (r.differs) marked = true;
    return `${indent}${mark} ${r.left.padEnd(width)}${r.left.length >= width ? '  ' : ''}${r.right}`.trimEnd();
  }).join('\n');
}

/** The one-line heading of a case: alertname, time and group. */
export function caseTitle(r: CaseResult): string {
  return `alertname ${r.test.alertname}, eval_time ${r.test.evalTimeText}${r.group.name ? `, group ${JSON.stringify(r.group.name)}` : ''}`;
}
