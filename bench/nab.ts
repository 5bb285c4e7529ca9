/**
 * `npm run bench:nab`: runs the streaming detector (the same code and defaults as
 * `anomaly-hunter stream --format nab`) over every file under ../shared/datasets/nab/data/, writes the
 * results in NAB's layout under bench/results/nab/<detector>/, scores them with
 * ../shared/tools/nab_score.py and prints the three profiles and the throughput.
 *
 * Options: `--options '{"history":1000}'` overrides detector options (for experiments; the reported
 * figure is the default), `--detector NAME` names the results folder, `--per-folder` adds a Standard
 * score per folder (as in the anchor tables of NAB_SCORE.md).
 */
import { readdirSync, readFileSync, mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createNabScorer } from '../src/core/streaming/nab.ts';
import type { StreamDetectorOptions } from '../src/core/streaming/streamDetector.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(root, '..', 'shared');
const dataRoot = join(shared, 'datasets', 'nab', 'data');
const labels = join(shared, 'datasets', 'nab', 'labels', 'combined_windows.json');
const scorer = join(shared, 'tools', 'nab_score.py');

const { values: args } = parseArgs({
  options: { options: { type: 'string' }, detector: { type: 'string' }, 'per-folder': { type: 'boolean' } },
});
const overrides = (args.options ? JSON.parse(args.options) : {}) as Partial<StreamDetectorOptions>;
const detectorName = args.detector ?? 'anomalyHunter';
const outDir = join(root, 'bench', 'results', 'nab', detectorName);

if (!existsSync(dataRoot)) {
  console.error(`bench:nab: no NAB data at ${dataRoot}`);
  process.exit(1);
}
rmSync(outDir, { recursive: true, force: true });

let points = 0;
let elapsedMs = 0;
const folders = readdirSync(dataRoot, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
for (const folder of folders) {
  mkdirSync(join(outDir, folder), { recursive: true });
  for (const file of readdirSync(join(dataRoot, folder)).filter((f) => f.endsWith('.csv')).sort()) {
    const lines = readFileSync(join(dataRoot, folder, file), 'utf8').split(/\r?\n/);
    const out: string[] = ['timestamp,value,anomaly_score'];
    const t0 = performance.now();
    const score = createNabScorer({ seed: 0, ...overrides });
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      if (!line) continue;
      const comma = line.indexOf(',');
      const ts = line.slice(0, comma);
      const raw = line.slice(comma + 1);
      out.push(`${ts},${raw},${score(Date.parse(ts.replace(' ', 'T') + 'Z'), Number(raw))}`);
      points++;
    }
    elapsedMs += performance.now() - t0;
    writeFileSync(join(outDir, folder, `${detectorName}_${file}`), out.join('\n') + '\n');
  }
}

function runScorer(extra: string[]): string {
  const r = spawnSync('python3', [scorer, '--results', outDir, '--labels', labels, '--data-root', dataRoot, ...extra], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(r.stderr || r.stdout);
    process.exit(1);
  }
  return r.stdout;
}

console.log(`detector ${detectorName}${args.options ? ` options ${args.options}` : ''}`);
console.log(`${points} points in ${(elapsedMs / 1000).toFixed(2)} s of detector time: ${Math.round(points / (elapsedMs / 1000))} points/s`);
process.stdout.write(runScorer(['--profile', 'all']));
if (args['per-folder']) {
  for (const f of folders.filter((f) => f !== 'artificialNoAnomaly')) {
    const json = JSON.parse(runScorer(['--profile', 'standard', '--subset', f, '--json'])) as { profiles: { standard: { normalized_score: number; threshold: number } } };
    const st = json.profiles.standard;
    console.log(`${f}: Standard ${st.normalized_score.toFixed(2)} (threshold optimised on the folder: ${st.threshold.toFixed(4)})`);
  }
}
console.log('Reference (NAB_SCORE.md, the same three folders, Standard): numenta (HTM) 72.30, contextOSE 71.61, ARTime 69.81;');
console.log('  per folder: realAWSCloudwatch HTM 73.42, ARTime 69.92; artificialWithAnomaly HTM 77.82, ARTime 70.35.');
