/**
 * Isolation Forest: ours vs scikit-learn's IsolationForest on the same CSVs, in the same run.
 * Datasets: the sample (sample-data/stream.csv + labels), a generated 1,000,000-row × 5-metric file with
 * labelled injected anomalies (bench/.data/iforest-1m.csv, made once, seeded), and every CSV of
 * ../shared/datasets/nab (labels: a row is positive when its timestamp falls in a window).
 * Timed: fit + score only (loading is not). Ours: one thread (the core) and, at 1M, the main thread plus
 * one worker (src/node/parallelScore.ts). scikit-learn: n_jobs=1 for every seed, and default n_jobs once.
 * ROC AUC of both averaged over the seeds. Our peak memory: the RSS high-water mark of a child process
 * that only loads the 1M file and fits + scores it.
 * Usage: npm run bench:iforest [-- --seeds 5] [-- --no-nab] [-- --no-1m]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import type { Frame } from '../src/core/csv/frame.ts';
import { createRng } from '../src/core/random.ts';
import { fitIsolationForest, scoreIsolationForest } from '../src/core/detectors/isolationForest.ts';
import { scoreIsolationForestParallel } from '../src/node/parallelScore.ts';
import { loadCsvFile } from '../src/node/loadCsv.ts';

const root = resolve(__dirname, '..');
const dataDir = join(root, 'bench/.data');
const bigCsv = join(dataDir, 'iforest-1m.csv');
const bigLabels = join(dataDir, 'iforest-1m.labels.json');
const nabDir = resolve(root, '../shared/datasets/nab');
const python = '/usr/bin/python3';

const args = process.argv.slice(2);
const seedCount = Number(args[args.indexOf('--seeds') + 1]) || 5;
const seeds = Array.from({ length: seedCount }, (_, i) => i);

interface Dataset { name: string; csv: string; labels: (frame: Frame, csvText: () => string) => Uint8Array }
interface Ours { name: string; rows: number; metrics: string[]; ms: number[]; cpuMs: number[]; msParallel: number | null; identical: boolean | null; auc: number[]; peakMiBLoad?: number; peakMiB?: number; labelsFile: string }

/** Labels from a `{ anomalies: [{ startRow, endRow }] }` file (0-based data rows, inclusive). */
function rowRangeLabels(path: string) {
  return (frame: Frame): Uint8Array => {
    const y = new Uint8Array(frame.rows);
    for (const a of JSON.parse(readFileSync(path, 'utf8')).anomalies as { startRow: number; endRow: number }[]) {
      for (let r = a.startRow; r <= a.endRow && r < frame.rows; r++) y[r] = 1;
    }
    return y;
  };
}

const nabTime = (s: string): number => Date.parse(s.trim().slice(0, 19).replace(' ', 'T') + 'Z');

/** NAB labels: a source line is positive when its timestamp text falls inside a window; mapped to rows through frame.lines. */
function nabLabels(key: string, windows: Record<string, [string, string][]>) {
  return (frame: Frame, csvText: () => string): Uint8Array => {
    const spans = (windows[key] ?? []).map(([a, b]) => [nabTime(a), nabTime(b)]);
    const lines = csvText().split('\n');
    const y = new Uint8Array(frame.rows);
    for (let r = 0; r < frame.rows; r++) {
      const t = nabTime(lines[frame.lines[r] - 1].split(',')[0]);
      y[r] = spans.some(([a, b]) => t >= a && t <= b) ? 1 : 0;
    }
    return y;
  };
}

/** ROC AUC by ranks (ties averaged), the Mann–Whitney statistic; NaN without both classes. */
function rocAuc(y: Uint8Array, s: Float64Array): number {
  const idx = Array.from(s.keys()).sort((a, b) => s[a] - s[b]);
  let pos = 0, rankSum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && s[idx[j + 1]] === s[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[idx[k]]) { pos++; rankSum += rank; }
    i = j + 1;
  }
  const neg = y.length - pos;
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
}

/** 1,000,000 one-minute rows of five metrics on very different scales, with ~0.5 % labelled injected anomalies. */
function generateBig(): void {
  mkdirSync(dataDir, { recursive: true });
  const rng = createRng(20240101);
  const n = 1_000_000;
  const t0 = Date.UTC(2024, 0, 1);
  const kinds = ['cpu', 'memory', 'disk_io', 'net_in', 'net_out'];
  const label = new Int8Array(n).fill(-1);
  const anomalies: { kind: string; metrics: string[]; startRow: number; endRow: number; start: string; end: string }[] = [];
  for (let k = 0; k < 400; k++) {
    const start = 1000 + rng.int(n - 2000);
    const len = 1 + rng.int(20);
    if (label.subarray(start - 5, start + len + 5).some((v) => v >= 0)) continue;
    const m = rng.int(5);
    const second = rng.next() < 0.3 ? (m + 1 + rng.int(4)) % 5 : -1;
    label.fill(anomalies.length, start, start + len);
    anomalies.push({
      kind: second >= 0 ? 'dual-spike' : 'spike', metrics: second >= 0 ? [kinds[m], kinds[second]] : [kinds[m]],
      startRow: start, endRow: start + len - 1,
      start: new Date(t0 + start * 60_000).toISOString(), end: new Date(t0 + (start + len - 1) * 60_000).toISOString(),
    });
  }
  const fd = openSync(bigCsv, 'w');
  writeSync(fd, 'timestamp,cpu,memory,disk_io,net_in,net_out\n');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    const day = Math.sin((2 * Math.PI * (i % 1440)) / 1440);
    const v = [
      40 + 15 * day + 4 * rng.normal(),
      60 + 3 * rng.normal() + 5 * Math.sin((2 * Math.PI * i) / (1440 * 7)),
      Math.exp(15 + 0.3 * rng.normal()),
      2e8 + 5e7 * day + 1e7 * rng.normal(),
      0,
    ];
    v[4] = 0.6 * v[3] + 5e6 * rng.normal();
    const a = label[i] >= 0 ? anomalies[label[i]] : null;
    if (a) {
      for (const name of a.metrics) {
        const f = kinds.indexOf(name);
        const up = rng.next() < 0.7;
        if (f === 0) v[0] = up ? 97 + 3 * rng.next() : 2 * rng.next();
        else if (f === 1) v[1] = up ? 85 + 5 * rng.next() : 35 + 5 * rng.next();
        else if (f === 2) v[2] = Math.exp(15 + (up ? 1.5 : -1.5) + 0.2 * rng.normal());
        else if (f === 3) v[3] = up ? 4.5e8 + 5e7 * rng.next() : 1e7 * rng.next();
        else v[4] = up ? 3e8 + 3e7 * rng.next() : 1e6 * rng.next();
      }
    }
    chunk += `${new Date(t0 + i * 60_000).toISOString().slice(0, 19)}Z,${v[0].toFixed(2)},${v[1].toFixed(2)},${v[2].toFixed(0)},${v[3].toFixed(0)},${v[4].toFixed(0)}\n`;
    if (chunk.length > 1 << 20) { writeSync(fd, chunk); chunk = ''; }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  writeFileSync(bigLabels, JSON.stringify({ generator: 'bench/iforest.ts', seed: 20240101, rows: n, anomalies }, null, 2) + '\n');
}

function datasets(): Dataset[] {
  const list: Dataset[] = [];
  const sample = join(root, 'sample-data/stream.csv');
  const sampleLabels = join(root, 'sample-data/stream.labels.json');
  if (existsSync(sample) && existsSync(sampleLabels)) list.push({ name: 'sample', csv: sample, labels: rowRangeLabels(sampleLabels) });
  if (!args.includes('--no-1m')) list.push({ name: 'generated-1m', csv: bigCsv, labels: rowRangeLabels(bigLabels) });
  if (!args.includes('--no-nab') && existsSync(join(nabDir, 'data'))) {
    const windows = JSON.parse(readFileSync(join(nabDir, 'labels/combined_windows.json'), 'utf8'));
    for (const group of readdirSync(join(nabDir, 'data')).sort()) {
      for (const f of readdirSync(join(nabDir, 'data', group)).filter((x) => x.endsWith('.csv')).sort()) {
        list.push({ name: `nab/${group}/${f}`, csv: join(nabDir, 'data', group, f), labels: nabLabels(`${group}/${f}`, windows) });
      }
    }
  }
  return list;
}

/** Fits + scores one dataset for every seed; writes its labels (file order) for the Python side. */
async function measure(ds: Dataset, withParallel: boolean): Promise<Ours> {
  const loaded = await loadCsvFile(ds.csv);
  const peakMiBLoad = process.resourceUsage().maxRSS / 1024;
  if (!loaded.frame) throw new Error(`${ds.csv}: ${loaded.issues.map((i) => i.message).join('; ')}`);
  const frame = loaded.frame;
  const y = ds.labels(frame, () => readFileSync(ds.csv, 'utf8'));
  const inFileOrder = new Uint8Array(frame.rows);
  for (let r = 0; r < frame.rows; r++) inFileOrder[frame.lines[r] - 2] = y[r];
  const labelsFile = join(tmpdir(), `iforest-bench-${process.pid}-${ds.name.replace(/[^\w.-]/g, '_')}.txt`);
  writeFileSync(labelsFile, Array.from(inFileOrder).join(''));
  // One untimed run first: the timings should be of optimised code, not of V8 compiling it.
  scoreIsolationForest(fitIsolationForest(frame, { seed: 99, trees: 10 }), frame);
  const ms: number[] = [];
  const cpuMs: number[] = [];
  const auc: number[] = [];
  let first: Float64Array | null = null;
  for (const seed of seeds) {
    const t = performance.now();
    const c = process.cpuUsage();
    const scores = scoreIsolationForest(fitIsolationForest(frame, { seed }), frame);
    ms.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpuMs.push((used.user + used.system) / 1000);
    auc.push(rocAuc(y, scores));
    first ??= scores;
  }
  let msParallel: number | null = null;
  let identical: boolean | null = null;
  if (withParallel) {
    const t = performance.now();
    const scores = await scoreIsolationForestParallel(fitIsolationForest(frame, { seed: seeds[0] }), frame, 2);
    msParallel = performance.now() - t;
    identical = scores.every((v, i) => v === first![i]);
  }
  return {
    name: ds.name, rows: frame.rows, metrics: frame.metrics, ms, cpuMs, msParallel, identical, auc: auc.filter((a) => !Number.isNaN(a)),
    peakMiBLoad, peakMiB: process.resourceUsage().maxRSS / 1024, labelsFile,
  };
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const f = (x: number | null | undefined, digits = 0): string => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(digits));

async function main(): Promise<void> {
  if (args[0] === '--child') {
    const ds = datasets().find((d) => d.name === args[1]);
    if (!ds) throw new Error(`no dataset ${args[1]}`);
    process.stdout.write(JSON.stringify(await measure(ds, true)) + '\n');
    return;
  }
  if (!args.includes('--no-1m') && !existsSync(bigCsv)) {
    console.error(`generating ${relative(root, bigCsv)} …`);
    generateBig();
  }
  const ours: Ours[] = [];
  for (const ds of datasets()) {
    if (ds.name === 'generated-1m') {
      // Its own process, so that the RSS high-water mark is this dataset's alone.
      const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', ds.name, '--seeds', String(seedCount)], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(r.stderr);
      ours.push(JSON.parse(r.stdout.trim().split('\n').pop()!));
    } else {
      const o = await measure(ds, false);
      delete o.peakMiB;
      delete o.peakMiBLoad;
      ours.push(o);
    }
    console.error(`ours done ${ds.name}`);
  }

  const manifest = ours.map((o) => ({
    name: o.name, csv: datasets().find((d) => d.name === o.name)!.csv, metrics: o.metrics, labels: o.labelsFile, seeds,
    defaultJobs: o.name === 'generated-1m' || o.name === 'sample',
  }));
  const manifestFile = join(tmpdir(), `iforest-bench-${process.pid}.json`);
  writeFileSync(manifestFile, JSON.stringify(manifest));
  const py = spawnSync(python, [join(root, 'bench/iforest_sklearn.py'), manifestFile], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  const sk: { sklearn: string; datasets: { name: string; msJobs1: number[]; cpuMsJobs1: number[]; msDefault: number | null; auc: number[] }[] } | null =
    py.status === 0 ? JSON.parse(py.stdout) : null;

  console.log(`Isolation Forest: fit + score, ours vs scikit-learn ${sk ? sk.sklearn : '(absent: python3-sklearn not installed, sklearn columns empty)'}; ${seedCount} seeds; times in ms (mean over seeds)`);
  console.log('Wall-clock speed-up = sklearn n_jobs=1 / our best (1 or 2 threads); CPU speed-up = their CPU time / ours, 1 thread each (less sensitive to a busy machine).');
  console.log('| dataset | rows × metrics | ours 1 thread | ours 2 threads | sklearn n_jobs=1 | sklearn default n_jobs | speed-up wall | speed-up CPU | AUC ours | AUC sklearn | ΔAUC |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const deltas: { name: string; delta: number; ours: number; sk: number }[] = [];
  for (const o of ours) {
    const s = sk?.datasets.find((d) => d.name === o.name);
    const oursBest = Math.min(mean(o.ms), o.msParallel ?? Infinity);
    const skMs = s ? mean(s.msJobs1) : NaN;
    const aucO = mean(o.auc), aucS = s ? mean(s.auc) : NaN;
    if (!Number.isNaN(aucO) && !Number.isNaN(aucS)) deltas.push({ name: o.name, delta: aucO - aucS, ours: aucO, sk: aucS });
    console.log(`| ${o.name} | ${o.rows} × ${o.metrics.length} | ${f(mean(o.ms))} | ${f(o.msParallel)} | ${f(skMs)} | ${f(s?.msDefault)} | ${f(skMs / oursBest, 1)}× | ${f((s ? mean(s.cpuMsJobs1) : NaN) / mean(o.cpuMs), 1)}× | ${f(aucO, 4)} | ${f(aucS, 4)} | ${f(aucO - aucS, 4)} |`);
  }
  const big = ours.find((o) => o.name === 'generated-1m');
  if (big) {
    console.log(`\n1M × 5: our peak RSS ${f(big.peakMiB)} MiB (${f(big.peakMiBLoad)} MiB after loading the CSV, before fitting); 2-thread scores identical to 1-thread: ${big.identical}`);
  }
  const nab = deltas.filter((d) => d.name.startsWith('nab/'));
  if (nab.length) {
    const worst = nab.reduce((a, b) => (Math.abs(b.delta) > Math.abs(a.delta) ? b : a));
    console.log(`NAB (${nab.length} labelled files): mean AUC ours ${f(mean(nab.map((d) => d.ours)), 4)}, sklearn ${f(mean(nab.map((d) => d.sk)), 4)}, mean ΔAUC ${f(mean(nab.map((d) => d.delta)), 4)}, largest |ΔAUC| ${f(Math.abs(worst.delta), 4)} (${worst.name})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
