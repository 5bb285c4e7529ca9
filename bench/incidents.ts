/**
 * `npm run bench:incidents`: what a user sees with the default settings, measured on labelled data.
 *
 * - The five NAB folders in ../shared/datasets/nab: batch analysis of every file with the defaults
 *   (the same core as `anomaly-hunter analyze`), the reported rows scored by ../shared/tools/nab_score.py
 *   (`--threshold 0.5` on 0/1 scores) and ../shared/tools/incident_score.py (incident precision, recall, F1).
 * - The bundled sample and labelled files from bench/labelled.ts (seeds the defaults were not chosen on).
 * - The default minimum severity chosen by cross-validation over the NAB folders: for each folder, the
 *   severity with the best incident F1 on the other four is chosen and the held-out folder scored with it.
 *   The view's other cross-validated constants are chosen again the same way by `npm run bench:incidents-cv`.
 *
 * Options: `--seeds N` generated files (default 6), `--skip-nab`, `--min-severity S` (score one setting only).
 */
import { readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Severity } from '../src/core/severity.ts';
import { DEFAULT_MIN_SEVERITY } from '../src/core/incidents/view.ts';
import { analyse, dataRoot, fmt, labelledFiles, nabFolders, nabIncidents, nabStandard, root, scoreLabelled, SEVERITIES, writeResults } from './incidentScoring.ts';

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
const analysed = labelledFiles(Number(args.seeds ?? 6)).map((f) => ({ f, reported: analyse(f.csv, f.name).reported }));
for (const min of CHOICES.includes(DEFAULT_MIN_SEVERITY) ? CHOICES : [...CHOICES, DEFAULT_MIN_SEVERITY]) {
  const { total, lines } = scoreLabelled(analysed, join(outRoot, 'generated', min), min);
  console.log(`sample + generated, min severity ${min}: ${fmt(total)}`);
  for (const l of lines) console.log(l);
}
