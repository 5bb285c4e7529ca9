/**
 * `npm run bench:prometheus` (issue 16): a 30-day range of 50 series at 1-minute steps (2.16M points) analysed
 * from a real Prometheus (backfilled with promtool) against the same data as a CSV, in the same run. Prints the
 * fetch time (HTTP and joining, in-process), then for the whole `analyze` process (every default detector,
 * JSON out) the wall time and peak RSS from Prometheus and from the CSV, at 7.5, 15 and 30 days to show growth.
 * Checks that both give the same incidents.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { createRng } from '../src/core/random.ts';
import { fetchFrame } from '../src/core/prometheus/source.ts';
import { createHttpFetcher } from '../src/node/prometheusHttp.ts';
import type { Sample } from '../test/unit/realServers.ts';
import { startPrometheus } from '../test/unit/realServers.ts';

const root = resolve(__dirname, '..');
if (spawnSync('node', ['esbuild.mjs'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);

const SERIES = 50;
const DAYS = 30;
const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 1);
const N = DAYS * 1440;

// Host-like series: a daily cycle, noise, and a few spikes and level shifts (seeded).
const rng = createRng(16);
const columns: Float64Array[] = [];
for (let s = 0; s < SERIES; s++) {
  const v = new Float64Array(N);
  const base = 20 + 60 * rng.next();
  const amp = 5 + 10 * rng.next();
  for (let i = 0; i < N; i++) v[i] = Math.round((base + amp * Math.sin((2 * Math.PI * i) / 1440 + s) + 2 * (rng.next() - 0.5)) * 1000) / 1000;
  for (let k = 0; k < 4; k++) {
    const at = Math.floor(rng.next() * (N - 30));
    for (let i = at; i < at + 10; i++) v[i] += 40;
  }
  columns.push(v);
}
const dir = mkdtempSync(join(tmpdir(), 'ah-bench-prom-'));
const names = columns.map((_, s) => `s${String(s).padStart(2, '0')}`);
const samples: Sample[] = [];
for (let s = 0; s < SERIES; s++) for (let i = 0; i < N; i++) samples.push({ name: 'bench_metric', labels: { series: names[s] }, ms: T0 + i * MIN, value: columns[s][i] });

function csvOf(rows: number): string {
  // The columns named as the Prometheus source names them, so both analyses print the same incidents.
  const header = ['timestamp', ...names.map((n) => `"m{series=""${n}""}"`)].join(',');
  const out: string[] = [header];
  for (let i = 0; i < rows; i++) {
    let line = new Date(T0 + i * MIN).toISOString();
    for (let s = 0; s < SERIES; s++) line += ',' + columns[s][i];
    out.push(line);
  }
  return out.join('\n') + '\n';
}

function analyze(argv: string[]): { ms: number; rssMiB: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', './bench/maxRss.mjs', 'dist/cli.js', 'analyze', ...argv], { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`analyze ${argv.join(' ')}: ${r.stderr}`);
  const rss = Number(/maxRSS (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { ms, rssMiB: rss / 1024 };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const prom = await startPrometheus(samples);
  samples.length = 0;
  console.log(`backfill (promtool) and start: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try {
    console.log('| days | points | fetch (HTTP + join) | analyze from Prometheus | peak RSS | analyze from CSV | peak RSS | same incidents |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const days of [7.5, 15, 30]) {
      const rows = days * 1440;
      const range = { startMs: T0, endMs: T0 + (rows - 1) * MIN, stepMs: MIN };
      const f0 = performance.now();
      const got = await fetchFrame([{ name: 'm', promql: 'bench_metric' }], range, createHttpFetcher({ url: new URL(prom.origin) }));
      const fetchMs = performance.now() - f0;
      if (got.frame.rows !== rows || got.frame.metrics.length !== SERIES) throw new Error(`fetched ${got.frame.rows} × ${got.frame.metrics.length}`);
      const csv = join(dir, `bench-${days}.csv`);
      writeFileSync(csv, csvOf(rows));
      const outP = join(dir, 'p.json');
      const outC = join(dir, 'c.json');
      const p = analyze(['--prometheus', prom.origin, '--query', 'm=bench_metric', `--start=${new Date(range.startMs).toISOString()}`, `--end=${new Date(range.endMs).toISOString()}`, '--step=1m', '--format', 'json', '--out', outP]);
      const c = analyze([csv, '--format', 'json', '--out', outC]);
      const same = JSON.stringify(JSON.parse(readFileSync(outP, 'utf8')).incidents) === JSON.stringify(JSON.parse(readFileSync(outC, 'utf8')).incidents);
      console.log(`| ${days} | ${(rows * SERIES).toLocaleString('en')} | ${(fetchMs / 1000).toFixed(2)} s (${got.requests} requests) | ${(p.ms / 1000).toFixed(1)} s | ${p.rssMiB.toFixed(0)} MiB | ${(c.ms / 1000).toFixed(1)} s | ${c.rssMiB.toFixed(0)} MiB | ${same ? 'yes' : 'NO'} |`);
    }
  } finally {
    await prom.stop();
    rmSync(dir, { recursive: true, force: true });
}
}

void main();
