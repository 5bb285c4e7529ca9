/**
 * `npm run bench:analyze`: what a user waits for, whole process, against scikit-learn's whole process on the
 * same files in the same run. Ours: `anomaly-hunter analyze FILE --detectors iforest --format json --out F`
 * (read, fit, score, calibrate, incidents, write). scikit-learn: bench/analyze_sklearn.py (pandas read_csv,
 * IsolationForest fit and score_samples, scores written as JSON). Files: labelled host metrics from
 * bench/labelled.ts, 200,000 and 1,000,000 one-minute rows × 5 metrics (made once under bench/.data).
 * Median of `--runs` runs (default 3) each; prints the ratio.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { labelledMetrics } from './labelled.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, 'bench', '.data');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
mkdirSync(dataDir, { recursive: true });
if (spawnSync('node', ['esbuild.mjs'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
function time(cmd: string, argv: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: ${r.stderr}`);
  return performance.now() - t0;
}

for (const rows of [200_000, 1_000_000]) {
  const file = join(dataDir, `analyze-${rows}.csv`);
  if (!existsSync(file)) writeFileSync(file, labelledMetrics(4242, { days: Math.ceil(rows / 1440), stepMinutes: 1 }).csv.split('\n').slice(0, rows + 1).join('\n') + '\n');
  const out = join(tmpdir(), `ah-bench-${process.pid}.json`);
  const ours: number[] = [], sk: number[] = [];
  for (let r = 0; r < runs; r++) {
    ours.push(time(process.execPath, ['dist/cli.js', 'analyze', file, '--detectors', 'iforest', '--format', 'json', '--out', out]));
    sk.push(time('/usr/bin/python3', ['bench/analyze_sklearn.py', file, out]));
  }
  rmSync(out, { force: true });
  const a = median(ours), b = median(sk);
  console.log(`${rows.toLocaleString('en')} rows × 5: analyze --detectors iforest ${(a / 1000).toFixed(2)} s, scikit-learn (read, fit, score, write) ${(b / 1000).toFixed(2)} s: ${(b / a).toFixed(2)}× faster (median of ${runs})`);
}
