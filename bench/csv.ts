/**
 * CSV ingest: our streaming reader vs pandas.read_csv on the same 1,000,000-row × 5-metric file, in the same run.
 * Each side runs in its own process (so peak RSS is its own), three times; the median is reported.
 * Usage: npm run bench:csv [-- --rows N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const dataDir = join(root, 'bench/.data');
const file = join(dataDir, 'csv-1m.csv');
const python = '/usr/bin/python3';
const RUNS = 3;

function ensureData(): void {
  if (existsSync(file)) return;
  mkdirSync(dataDir, { recursive: true });
  // 695 days of 1-minute rows = 1,000,800 rows, same generator as the sample.
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'sample-data/generate.ts'), '--days', '695', '--out', dataDir], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('data generation failed');
  renameSync(join(dataDir, 'stream.csv'), file);
}

interface Run { seconds: number; rows: number; peakMiB: number }

function ours(): Run {
  const code = `const { loadCsvFile } = require(${JSON.stringify(join(root, 'src/node/loadCsv.ts'))});
    (async () => { const t = performance.now(); const r = await loadCsvFile(${JSON.stringify(file)});
      const s = (performance.now() - t) / 1000;
      console.log(JSON.stringify({ seconds: s, rows: r.frame ? r.frame.rows : 0, peakMiB: process.resourceUsage().maxRSS / 1024 })); })();`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function pandas(parseDates: boolean): Run | null {
  const code = `import time, resource, json, pandas as pd
t = time.perf_counter()
df = pd.read_csv(${JSON.stringify(file)}${parseDates ? ", parse_dates=['timestamp']" : ''})
s = time.perf_counter() - t
print(json.dumps({"seconds": s, "rows": len(df), "peakMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))`;
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout.trim());
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

ensureData();
const mb = statSync(file).size / 1e6;
const results: Record<string, Run[]> = { ours: [], 'pandas.read_csv': [], 'pandas.read_csv(parse_dates)': [] };
for (let i = 0; i < RUNS; i++) {
  results.ours.push(ours());
  const p = pandas(false);
  if (p) results['pandas.read_csv'].push(p);
  const q = pandas(true);
  if (q) results['pandas.read_csv(parse_dates)'].push(q);
}
console.log(`CSV ingest: ${file.replace(root + '/', '')} (${mb.toFixed(1)} MB), median of ${RUNS} runs, each in its own process`);
console.log('reader                          rows      seconds   rows/s      peak RSS MiB');
const base = median(results.ours.map((r) => r.seconds));
for (const [name, runs] of Object.entries(results)) {
  if (!runs.length) { console.log(`${name.padEnd(32)}skipped: ${python} with pandas not found (apt-get install python3-pandas)`); continue; }
  const s = median(runs.map((r) => r.seconds));
  console.log(`${name.padEnd(32)}${String(runs[0].rows).padEnd(10)}${s.toFixed(3).padEnd(10)}${Math.round(runs[0].rows / s).toLocaleString('en').padEnd(12)}${median(runs.map((r) => r.peakMiB)).toFixed(0)}`);
}
for (const name of ['pandas.read_csv', 'pandas.read_csv(parse_dates)']) {
  const runs = results[name];
  if (runs.length) console.log(`speed ratio ours / ${name}: ${(median(runs.map((r) => r.seconds)) / base).toFixed(2)}× (above 1 = ours faster)`);
}
