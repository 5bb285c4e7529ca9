// Pure (no vscode import): what the rules editor shows — lens titles, which diagnostics to show, the
// summary of a validation, which CSV a rules file is checked against. Unit-tested in plain Node.
import { basename, dirname, relative } from 'node:path';
import type { RuleFiring } from '../core/rules/evaluate.ts';
import type { Diagnostic } from '../core/rules/model.ts';
import { zoneName } from '../core/csv/zone.ts';
import { isCsvPath } from './csvFile.ts';

/**
 * Rules × rows up to which the editor evaluates the rules of the text being edited on the extension host
 * (at about 200M rule-row evaluations/s, 10 ms); above it the lenses use the worker's evaluation
 * of the saved file.
 */
export const HOST_EVALUATION_BUDGET = 2_000_000;

/**
 * A firing time for people: `2024-03-10 14:05 UTC` (seconds only when not zero), `… 14:05 +01:00` in a file written
 * at that offset (its timestamps are its wall clock: Frame.utcOffsetMs), or `row N` without timestamps.
 */
export function formatWhen(row: number, timestamps: Float64Array | null, offsetMs = 0): string {
  const ms = timestamps?.[row];
  if (ms === undefined || !(Math.abs(ms) <= 8.64e15)) return `row ${row + 1}`;
  const iso = new Date(ms).toISOString();
  const secs = iso.slice(16, 19) === ':00' && iso.slice(19, 23) === '.000' ? iso.slice(0, 16) : iso.slice(0, 19);
  return `${secs.replace('T', ' ')} ${zoneName(offsetMs)}`;
}

/** What a rule's CodeLens says about it. */
export interface LensInput {
  /** Display name of the data, e.g. `stream.csv`. */
  dataName: string;
  /** How the rule fires in the data; null when it could not be evaluated. */
  firing: RuleFiring | null;
  disabled: boolean;
  /** The rule has errors: it cannot be evaluated until they are fixed. */
  broken: boolean;
  timestamps: Float64Array | null;
  /** The data's Frame.utcOffsetMs. */
  utcOffsetMs?: number;
  /** The figures come from the saved file, not the text being edited. */
  asSaved?: boolean;
}

/** The CodeLens title over a rule: `fires 3 times in stream.csv · last at 2024-03-10 14:05 UTC` and its variants. */
export function lensTitle(o: LensInput): string {
  if (o.broken) return `fix this rule to see where it fires in ${o.dataName}`;
  if (o.disabled) return `disabled · not evaluated on ${o.dataName}`;
  const f = o.firing;
  if (!f) return `not evaluated on ${o.dataName}`;
  if (f.skipped === 'unknown-metric') return `its metric is not a column of ${o.dataName}`;
  const saved = o.asSaved ? ' (as saved)' : '';
  if (f.episodes === 0 || f.lastRow === null) return `never fires in ${o.dataName}${saved}`;
  const times = f.episodes === 1 ? 'once' : `${f.episodes} times`;
  const rows = `${f.fires} row${f.fires === 1 ? '' : 's'}`;
  return `fires ${times} in ${o.dataName} · last at ${formatWhen(f.lastRow, o.timestamps, o.utcOffsetMs)} · ${rows}${saved}`;
}

/**
 * The diagnostics to publish. When Red Hat's YAML extension validates the file with our contributed schema
 * it reports syntax and schema problems itself: ours would be duplicates, so only the rest is kept.
 */
export function shownDiagnostics(diagnostics: readonly Diagnostic[], yamlExtensionValidates: boolean): Diagnostic[] {
  if (!yamlExtensionValidates) return [...diagnostics];
  return diagnostics.filter((d) => d.source !== 'schema' && d.code !== 'yaml-syntax');
}

/** The notification after "Validate Rules File": `rules.yaml: no problems` or `rules.yaml: 2 errors, 1 warning`. */
export function problemSummary(fileName: string, diagnostics: readonly Diagnostic[]): string {
  const count = (s: Diagnostic['severity']) => diagnostics.filter((d) => d.severity === s).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts: string[] = [];
  const errors = count('error');
  const warnings = count('warning');
  const infos = count('info');
  if (errors) parts.push(plural(errors, 'error'));
  if (warnings) parts.push(plural(warnings, 'warning'));
  if (infos) parts.push(plural(infos, 'note'));
  return `${fileName}: ${parts.length ? parts.join(', ') : 'no problems'}`;
}

/** Diagnostics with a quick fix whose range touches [start, end] (offsets), first the narrowest. */
export function fixableAt(diagnostics: readonly Diagnostic[], start: number, end: number): Diagnostic[] {
  return diagnostics
    .filter((d) => d.fix && d.startOffset <= end && d.endOffset >= start)
    .sort((a, b) => (a.endOffset - a.startOffset) - (b.endOffset - b.startOffset));
}

export { resolveDataPath } from '../node/rulesDataPath.ts';

/**
 * The CSV a rules file without `data:` is checked against, among the CSVs open beside it: the nearest one
 * (same folder first, then the fewest `..` steps), ties broken by the order given. Undefined when none.
 */
export function pickCsvBeside(rulesPath: string, csvPaths: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestCost = Infinity;
  const dir = dirname(rulesPath);
  for (const p of csvPaths) {
    if (!isCsvPath(p)) continue;
    const rel = relative(dir, dirname(p));
    const parts = rel ? rel.split(/[\\/]/) : [];
    const cost = parts.filter((s) => s === '..').length * 2 + parts.filter((s) => s !== '..').length;
    if (cost < bestCost) { best = p; bestCost = cost; }
  }
  return best;
}

/** The display name of a data file. */
export function dataName(path: string): string {
  return basename(path);
}
