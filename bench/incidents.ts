/**
 * `npm run bench:incidents`: what a user sees with the default settings, measured on labelled data.
 *
 * - The five NAB folders in ../shared/datasets/nab: batch analysis of every file with the defaults
 *   (the same core as `anomaly-hunter analyze`), the reported rows scored by ../shared/tools/nab_score.py
 *   (`--threshold 0.5` on 0/1 scores) and ../shared/tools/incident_score.py (incident precision, recall, F1).
 * - The bundled sample and labelled files from bench/labelled.ts (seeds the defaults were not chosen on).
 * - The default minimum severity chosen by cross-validation over the NAB folders: for each folder, the
 *   severity with the best incident F1 on the other four is chosen and the held-out folder scored with it.
 *
 * Options: `--seeds N` generated files (default 6), `--skip-nab`, `--min-severity S` (score one setting only).
 */
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Severity } from '../src/core/severity.ts';
import { DEFAULT_MIN_SEVERITY } from '../src/core/incidents/view.ts';
import { labelledMetrics } from './labelled.ts';
import { analyse, dataRoot, fmt, incidentLine, nabFolders, nabIncidents, nabStandard, py, root, SEVERITIES, writeResults } from './incidentScoring.ts';

const outRoot = join(root, 'bench', 'results', 'incidents');
const { values: args } = parseArgs({ options: { seeds: { type: 'string' }, 'skip-nab': { type: 'boolean' }, 'min-severity': { type: 'string' } } });
const CHOICES: Severity[] = args['min-severity'] ? [args['min-severity'] as Severity] : SEVERITIES;

rmSync(outRoot, { recursive: true, force: true });

if (!args['skip-nab'] && existsSync(dataRoot)) {
  const nab = nabFolders();
  const folders = nab.map((f) => f.folder);
  let ms = 0, rowsTotal = 0;
  for (const { folder, files: csvs } of nab) {
    for (const file of csvs) {
      const rel = `${folder}/${file}`;
      const text = readFileSync(join(dataRoot, rel), 'utf8');
      const a = analyse(text, rel);
      ms += a.ms;
      rowsTotal += a.frame.rows;
      for (const min of CHOICES) writeResults(join(outRoot, 'nab', min), rel, a.reported, min, text);
    }
  }
  console.log(`NAB: ${folders.length} folders, ${rowsTotal.toLocaleString('en')} rows analysed in ${(ms / 1000).toFixed(1)} s`);
  const score = (min: Severity, subset?: string[]) => nabIncidents(join(outRoot, 'nab', min), subset);
  for (const min of CHOICES) {
    console.log(`  min severity ${min.padEnd(8)} all folders: ${fmt(score(min))}  NAB standard ${nabStandard(join(outRoot, 'nab', min)).toFixed(1)}`);
  }
  if (CHOICES.length > 1) {
    console.log('  cross-validation (choose the min severity on four folders by incident F1, score the fifth):');
    for (const held of folders) {
      const rest = folders.filter((f) => f !== held);
      let best = CHOICES[0], bestF1 = -1;
      for (const min of CHOICES) {
        const f1 = score(min, rest).f1;
        if (f1 > bestF1) { bestF1 = f1; best = min; }
      }
      const h = score(best, [held]);
      console.log(`    ${held.padEnd(22)} chose ${best.padEnd(8)} held out: ${fmt(h)}  NAB standard ${nabStandard(join(outRoot, 'nab', best), held).toFixed(1)}`);
    }
  }
  console.log(`  default (${DEFAULT_MIN_SEVERITY}): ${fmt(score(DEFAULT_MIN_SEVERITY))}`);
}

// The sample and generated files: labelled windows in rows; incident_score.py's --labels mode.
const seeds = Number(args.seeds ?? 6);
const files: { name: string; csv: string; windows: [number, number][] }[] = [];
const sampleLabels = JSON.parse(readFileSync(join(root, 'sample-data', 'stream.labels.json'), 'utf8'));
files.push({ name: 'sample', csv: readFileSync(join(root, 'sample-data', 'stream.csv'), 'utf8'), windows: sampleLabels.anomalies.map((x: { startRow: number; endRow: number }) => [x.startRow, x.endRow]) });
for (let s = 1; s <= seeds; s++) {
  const g = labelledMetrics(1000 + s, { stepMinutes: s % 2 ? 1 : 5, days: s % 3 === 0 ? 28 : 14 });
  files.push({ name: `generated-${1000 + s}`, csv: g.csv, windows: g.windows.map(([a, b]) => [a, b]) });
}
const analysed = files.map((f) => ({ f, a: analyse(f.csv, f.name) }));
for (const min of CHOICES.includes(DEFAULT_MIN_SEVERITY) ? CHOICES : [...CHOICES, DEFAULT_MIN_SEVERITY]) {
  const tot = { n: 0, tp: 0, wins: 0, found: 0, outside: 0, rows: 0 };
  const lines: string[] = [];
  for (const { f, a } of analysed) {
    const dir = join(outRoot, 'generated', min);
    writeResults(dir, `${f.name}.csv`, a.reported, min);
    const labels = join(dir, `${f.name}.labels.json`);
    writeFileSync(labels, JSON.stringify({ windows: f.windows }));
    const x = incidentLine(py('incident_score.py', ['--labels', labels, '--results', join(dir, `${f.name}.json`)]));
    lines.push(`    ${f.name.padEnd(16)} ${fmt(x)}`);
    tot.n += x.n; tot.tp += x.tp; tot.wins += f.windows.length; tot.found += Math.round(x.r * f.windows.length); tot.outside += x.far * a.frame.rows; tot.rows += a.frame.rows;
  }
  const p = tot.n ? tot.tp / tot.n : 0, r = tot.wins ? tot.found / tot.wins : 0;
  console.log(`sample + generated, min severity ${min}: ${fmt({ n: tot.n, tp: tot.tp, p, r, f1: p + r ? (2 * p * r) / (p + r) : 0, far: tot.outside / tot.rows })}`);
  for (const l of lines) console.log(l);
}
