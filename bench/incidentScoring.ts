/**
 * What `npm run bench:incidents` and `npm run bench:incidents-cv` share: the default view of a CSV text, the rows it
 * reports at each minimum severity, the result files the scorers read, and the scorers in ../shared/tools
 * (incident_score.py: incident precision, recall, F1; nab_score.py: NAB standard, `--threshold 0.5` on 0/1 scores).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { parseCsv } from '../src/core/csv/parse.ts';
import type { Frame } from '../src/core/csv/frame.ts';
import type { AnalysisResult } from '../src/core/analysisResult.ts';
import { runAnalysis, settingsFor } from '../src/core/analyze.ts';
import { analysisView } from '../src/core/incidents/analysisView.ts';
import { shownAt } from '../src/core/incidents/shownAt.ts';
import type { View, ViewConstants } from '../src/core/incidents/view.ts';
import type { Severity } from '../src/core/severity.ts';
import { labelledMetrics } from './labelled.ts';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(root, '..', 'shared');
export const dataRoot = join(shared, 'datasets', 'nab', 'data');
export const nabLabels = join(shared, 'datasets', 'nab', 'labels', 'combined_windows.json');
export const SEVERITIES: Severity[] = ['warning', 'minor', 'major', 'critical'];

export interface Reported { rows: number; timestamps: string[] | null; found: { row: number; severity: Severity }[] }

/** The analysis of a CSV text with the defaults (its detectors run once; its view may be computed again with other constants). */
export function analyseText(text: string, path: string): { frame: Frame; result: AnalysisResult } {
  const { frame } = parseCsv(text);
  if (!frame) throw new Error(`${path}: unreadable`);
  return { frame, result: runAnalysis(frame, settingsFor(null, {}), { path, sha256: '' }) };
}

/** The rows of every incident of an analysis's default view (with `constants`, else the shipped ones) with the incident's severity. */
export function reportedOf(result: AnalysisResult, constants?: Partial<ViewConstants>): Reported {
  const view: View = constants ? analysisView(result, 'warning', undefined, constants) : (result.view ?? analysisView(result, 'warning'));
  const found: { row: number; severity: Severity }[] = [];
  // What `analyze --min-severity S` lists, for each S (SPEC §7's default view).
  for (const s of SEVERITIES) for (const a of shownAt(view, s).anomalies) found.push({ row: a.row, severity: s });
  return { rows: result.frame.rows, timestamps: null, found };
}

/** Analyses a CSV text with the defaults; the rows of every incident with the incident's severity. */
export function analyse(text: string, path: string): { frame: Frame; reported: Reported; ms: number } {
  const t0 = performance.now();
  const { frame, result } = analyseText(text, path);
  const reported = reportedOf(result);
  return { frame, reported, ms: performance.now() - t0 };
}

/** Writes the `analyze --format json`-shaped result that incident_score.py reads, and NAB's 0/1 score CSV. */
export function writeResults(dir: string, rel: string, r: Reported, min: Severity, text?: string): void {
  const rows = [...new Set(r.found.filter((f) => f.severity === min).map((f) => f.row))].sort((a, b) => a - b);
  const json = join(dir, rel.replace(/\.csv$/, '.json'));
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, JSON.stringify({ rows: r.rows, anomalies: rows.map((row) => ({ row, severity: 'critical' })) }));
  if (text !== undefined) {
    const flagged = new Set(rows);
    const lines = text.split(/\r?\n/).filter(Boolean);
    const out = ['timestamp,value,anomaly_score'];
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i].indexOf(',');
      out.push(`${lines[i].slice(0, c)},${lines[i].slice(c + 1)},${flagged.has(i - 1) ? 1 : 0}`);
    }
    writeFileSync(join(dir, rel), out.join('\n') + '\n');
  }
}

export function py(script: string, argv: string[]): string {
  const r = spawnSync('/usr/bin/python3', [join(shared, 'tools', script), ...argv], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
  return r.stdout;
}

export interface IncidentScore { n: number; tp: number; p: number; r: number; f1: number; far: number }

/** incident_score.py's totals line: incidents, true incidents, precision, recall, F1, false-alarm rows. */
export function incidentLine(out: string): IncidentScore {
  const last = out.trim().split('\n').pop()!.trim().split(/\s+/).map(Number);
  return { n: last[0], tp: last[1], p: last[2], r: last[3], f1: last[4], far: last[5] };
}

/** Incident scores of a results folder of NAB files (all folders, or `subset`). */
export function nabIncidents(dir: string, subset?: string[]): IncidentScore {
  return incidentLine(py('incident_score.py', ['--nab-labels', nabLabels, '--data-root', dataRoot, '--results-dir', dir, ...(subset ? ['--subset', ...subset] : [])]));
}

/** NAB standard (normalised) of a results folder of 0/1 score CSVs at threshold 0.5 (all folders, or `subset`). */
export function nabStandard(dir: string, subset?: string | string[]): number {
  const sub = subset === undefined ? [] : ['--subset', ...(Array.isArray(subset) ? subset : [subset])];
  const out = py('nab_score.py', ['--results', dir, '--labels', nabLabels, '--data-root', dataRoot, '--threshold', '0.5', '--profile', 'standard', '--json', ...sub]);
  const j = JSON.parse(out);
  const p = j.profiles?.standard ?? j.standard ?? j;
  return Number(p.normalized_score);
}

/** The NAB folders and, per folder, its CSV files (sorted). */
export function nabFolders(): { folder: string; files: string[] }[] {
  return readdirSync(dataRoot, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    .map((folder) => ({ folder, files: readdirSync(join(dataRoot, folder)).filter((f) => f.endsWith('.csv')).sort() }));
}

export const fmt = (x: IncidentScore) =>
  `incidents ${String(x.n).padStart(4)}  true ${String(x.tp).padStart(3)}  precision ${x.p.toFixed(3)}  recall ${x.r.toFixed(3)}  F1 ${x.f1.toFixed(3)}  outside rows ${(x.far * 100).toFixed(2)} %`;

/** A labelled file: its CSV text and its labelled windows in rows (0-based after the header). */
export interface LabelledFile { name: string; csv: string; windows: [number, number][] }

/** The bundled sample and `seeds` generated files (seeds 1001…, 1- and 5-minute steps, 14 and 28 days; bench/labelled.ts). */
export function labelledFiles(seeds: number): LabelledFile[] {
  const sampleLabels = JSON.parse(readFileSync(join(root, 'sample-data', 'stream.labels.json'), 'utf8'));
  const files: LabelledFile[] = [{ name: 'sample', csv: readFileSync(join(root, 'sample-data', 'stream.csv'), 'utf8'), windows: sampleLabels.anomalies.map((x: { startRow: number; endRow: number }) => [x.startRow, x.endRow]) }];
  for (let s = 1; s <= seeds; s++) {
    const g = labelledMetrics(1000 + s, { stepMinutes: s % 2 ? 1 : 5, days: s % 3 === 0 ? 28 : 14 });
    files.push({ name: `generated-${1000 + s}`, csv: g.csv, windows: g.windows.map(([a, b]) => [a, b]) });
  }
  return files;
}

/** Labelled files' reported rows at `min` scored by incident_score.py (written under `dir`): the totals, and a line per file. */
export function scoreLabelled(analysed: { f: LabelledFile; reported: Reported }[], dir: string, min: Severity): { total: IncidentScore; lines: string[] } {
  const tot = { n: 0, tp: 0, wins: 0, found: 0, outside: 0, rows: 0 };
  const lines: string[] = [];
  for (const { f, reported } of analysed) {
    writeResults(dir, `${f.name}.csv`, reported, min);
    const labels = join(dir, `${f.name}.labels.json`);
    writeFileSync(labels, JSON.stringify({ windows: f.windows }));
    const x = incidentLine(py('incident_score.py', ['--labels', labels, '--results', join(dir, `${f.name}.json`)]));
    lines.push(`    ${f.name.padEnd(16)} ${fmt(x)}`);
    tot.n += x.n; tot.tp += x.tp; tot.wins += f.windows.length; tot.found += Math.round(x.r * f.windows.length); tot.outside += x.far * reported.rows; tot.rows += reported.rows;
  }
  const p = tot.n ? tot.tp / tot.n : 0, r = tot.wins ? tot.found / tot.wins : 0;
  return { total: { n: tot.n, tp: tot.tp, p, r, f1: p + r ? (2 * p * r) / (p + r) : 0, far: tot.outside / tot.rows }, lines };
}
