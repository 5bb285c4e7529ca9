/**
 * npm run bench:forecast — our forecaster against R Prophet's defaults (`prophet(df)`, r-cran-prophet, run
 * through Rscript) on the same series in the same run. Every series is fitted on its first 80 % of rows; both
 * predict the held-out 20 %; printed per series: MAE on the held-out rows, the share of held-out values inside
 * the 80 % interval, fit+predict seconds, and our/Prophet ratios. Columns: ours with the defaults, and ours with
 * `method: 'prophet'` (Prophet's MAP and its own interval, for parity).
 *
 * Series: the sample's five metrics (5-minute means); the labelled generator of bench/labelled.ts (all five
 * metrics) with seeds 1, 2 and 6 at 5 minutes over 21 days and seeds 3, 4 and 5 at 1 minute over 7 days; and every
 * NAB series under ../shared/datasets/nab/data that spans at least two weeks (13.9 days) and is not constant.
 * The constants of the default method were chosen looking at the "tune" set only (TUNE below); the summary is
 * printed for all series, for the held-out rest and for the tune set.
 *
 * The last column says what the cross-validation weighed for each series (the Huber fit's weight, the heaviest candidate, late shift, weekend term).
 *
 * Options: `--only TEXT` runs the series whose name contains TEXT; `--cached-prophet` reuses Prophet's outputs
 * of an earlier run where present (for iterating on our side only: Prophet's timings are then stale); `--misses`
 * also prints, for each series whose coverage is outside 0.72–0.88, why (see `missOf`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCsvFile } from '../src/node/loadCsv.ts';
import { parseCsv } from '../src/core/csv/parse.ts';
import type { ForecastModel, ForecastOptions, ForecastResult } from '../src/core/detectors/forecast.ts';
import { fitForecast, predictForecast } from '../src/core/detectors/forecast.ts';
import { quantileSorted } from '../src/core/stats.ts';
import { labelledMetrics } from './labelled.ts';

const TRAIN = 0.8;
const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, '.data');
const NAB = resolve(HERE, '..', '..', 'shared', 'datasets', 'nab', 'data');
const cached = process.argv.includes('--cached-prophet');
const misses = process.argv.includes('--misses');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

/**
 * The series the method's constants were chosen on (by looking at their results): the sample, generator seeds 1, 3
 * and 4 (seed 4 showed false level shifts), and the two NAB series the late-shift rule was checked on.
 */
const TUNE = new Set(['gen1', 'gen3', 'gen4', 'rds_cpu_utilization_cc0c53', 'art_daily_jumpsup']);

interface Series { name: string; set: 'tune' | 'held-out'; t: Float64Array; y: Float64Array }

function bucketMeans(ts: Float64Array, v: Float64Array, bucket: number): { t: Float64Array; y: Float64Array } {
  const tOut: number[] = [];
  const yOut: number[] = [];
  let cur = NaN, sum = 0, cnt = 0;
  const flush = (): void => { if (!Number.isNaN(cur)) { tOut.push(cur); yOut.push(cnt ? sum / cnt : NaN); } };
  for (let i = 0; i < ts.length; i++) {
    const b = Math.floor(ts[i] / bucket) * bucket;
    if (b !== cur) { flush(); cur = b; sum = 0; cnt = 0; }
    if (Number.isFinite(v[i])) { sum += v[i]; cnt++; }
  }
  flush();
  return { t: Float64Array.from(tOut), y: Float64Array.from(yOut) };
}

async function sampleSeries(): Promise<Series[]> {
  const path = join(HERE, '..', 'sample-data', 'stream.csv');
  if (!existsSync(path)) { console.log('sample-data/stream.csv not found: sample skipped'); return []; }
  const { frame } = await loadCsvFile(path);
  if (!frame?.timestamps) return [];
  const ts = frame.timestamps;
  return frame.metrics.map((metric, c) => ({ name: `sample-${metric}-5min`, set: 'tune' as const, ...bucketMeans(ts, frame.values[c], 300_000) }));
}

function generatedSeries(): Series[] {
  const out: Series[] = [];
  for (const [seed, step, days] of [[1, 5, 21], [2, 5, 21], [6, 5, 21], [3, 1, 7], [4, 1, 7], [5, 1, 7]]) {
    const { frame } = parseCsv(labelledMetrics(seed, { days, stepMinutes: step }).csv);
    if (!frame?.timestamps) continue;
    frame.metrics.forEach((metric, c) => out.push({
      name: `gen${seed}-${metric}-${step}min`, set: TUNE.has(`gen${seed}`) ? 'tune' : 'held-out', t: frame.timestamps!, y: frame.values[c],
    }));
  }
  return out;
}

async function nabSeries(): Promise<Series[]> {
  if (!existsSync(NAB)) { console.log('../shared/datasets/nab/data not found: NAB skipped'); return []; }
  const out: Series[] = [];
  for (const folder of readdirSync(NAB).sort()) {
    for (const file of readdirSync(join(NAB, folder)).filter((f) => f.endsWith('.csv')).sort()) {
      const { frame } = await loadCsvFile(join(NAB, folder, file));
      if (!frame?.timestamps || frame.rows < 10) continue;
      const t = frame.timestamps;
      const y = frame.values[0];
      if ((t[t.length - 1] - t[0]) / 86_400_000 < 13.9) continue;
      const nTrain = Math.floor(TRAIN * t.length);
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < nTrain; i++) if (Number.isFinite(y[i])) { lo = Math.min(lo, y[i]); hi = Math.max(hi, y[i]); }
      if (!(hi > lo)) { console.log(`nab ${file}: constant in training, skipped (nothing to forecast)`); continue; }
      const name = file.replace(/\.csv$/, '');
      out.push({ name: `nab-${name}`, set: TUNE.has(name) ? 'tune' : 'held-out', t, y });
    }
  }
  return out;
}

function ds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

interface Scores {
  mae: number;
  coverage: number;
  /** Each finite held-out row's error in half-widths of the band (signed; |·| ≤ 1 inside), in time order. */
  z: Float64Array;
}

/** MAE and 80 % coverage on the held-out rows; `r` holds predictions for rows nTrain… only. */
function score(s: Series, r: ForecastResult): Scores {
  const nTrain = Math.floor(TRAIN * s.t.length);
  let abs = 0, inside = 0, count = 0;
  const z: number[] = [];
  for (let i = nTrain; i < s.t.length; i++) {
    const v = s.y[i];
    if (!Number.isFinite(v)) continue;
    const j = i - nTrain;
    count++;
    abs += Math.abs(v - r.yhat[j]);
    if (v >= r.lower[j] && v <= r.upper[j]) inside++;
    z.push((v - r.yhat[j]) / ((r.upper[j] - r.lower[j]) / 2));
  }
  return { mae: abs / count, coverage: inside / count, z: Float64Array.from(z) };
}

const inRangeCoverage = (c: number): boolean => c >= 0.72 && c <= 0.88;

/**
 * Why a band's held-out coverage is off, from its errors z in half-widths: the scale the band would need for 80 %
 * (the 80 % quantile of |z|), the coverage of the first and second half of the held-out rows (growth with the
 * horizon, or an incident late), the share beyond 3 half-widths (an incident or a regime change) and the median z
 * (the forecast's level error in half-widths); and the coverage with that median taken away (the band's width
 * with the level known).
 */
function missOf(z: Float64Array): { scale: number; first: number; second: number; beyond: number; bias: number; centred: number } {
  const n = z.length;
  const abs = Float64Array.from(z, Math.abs).sort();
  const cov = (a: Float64Array, c = 0): number => a.reduce((k, v) => k + (Math.abs(v - c) <= 1 ? 1 : 0), 0) / a.length;
  const bias = median([...z]);
  return {
    scale: quantileSorted(abs, 0.8), first: cov(z.subarray(0, n >> 1)), second: cov(z.subarray(n >> 1)),
    beyond: z.reduce((k, v) => k + (Math.abs(v) > 3 ? 1 : 0), 0) / n, bias, centred: cov(z, bias),
  };
}

function printMisses(rows: Row[]): void {
  console.log('\nseries outside 0.72–0.88 (--misses): scale ×: the band\'s scale that covers 80 %; 1st, 2nd: coverage of each half of the held-out rows;'
    + ' >3: share beyond 3 half-widths; bias: median error in half-widths; centred: coverage with that median taken away');
  console.log(['series'.padEnd(44), pad('set', 8), pad('cov', 5), pad('scale ×', 7), pad('1st', 6), pad('2nd', 6), pad('>3', 6), pad('bias', 6), pad('centred', 9)].join(' '));
  for (const r of [...rows].sort((a, b) => a.ours.coverage - b.ours.coverage)) {
    if (inRangeCoverage(r.ours.coverage)) continue;
    const m = missOf(r.ours.z);
    console.log([r.s.name.padEnd(44), pad(r.s.set, 8), pad(f(r.ours.coverage, 2), 5), pad(f(m.scale, 2), 7), pad(f(m.first, 2), 6), pad(f(m.second, 2), 6),
      pad(f(m.beyond, 2), 6), pad(f(m.bias, 2), 6), pad(f(m.centred, 2), 9)].join(' '));
  }
  // A band calibrated on the future itself: scaled so that it covers 80 % of the held-out's first half, on its second half.
  const halves = (r: Row): boolean => {
    const z = r.ours.z;
    const h = z.length >> 1;
    const scale = quantileSorted(Float64Array.from(z.subarray(0, h), Math.abs).sort(), 0.8);
    return inRangeCoverage(z.subarray(h).reduce((k, v) => k + (Math.abs(v) <= scale ? 1 : 0), 0) / (z.length - h));
  };
  const count = (set: Row[], ok: (r: Row) => boolean): string => `${set.filter(ok).length}/${set.length}`;
  const sets = (ok: (r: Row) => boolean): string => `${count(rows, ok)} (held-out ${count(rows.filter((r) => r.s.set === 'held-out'), ok)}, `
    + `tune ${count(rows.filter((r) => r.s.set === 'tune'), ok)})`;
  console.log(`in range with each series' median held-out error taken away (the level known, the band as it is): ${sets((r) => inRangeCoverage(missOf(r.ours.z).centred))}; `
    + `on the held-out's second half with the band scaled to cover 80 % of its first half (calibrated on the future): ${sets(halves)}\n`);
}

interface OurRun { result: ForecastResult; seconds: number; chosen?: string }

/** What the cross-validation weighed, in short: the Huber fit's weight, the heaviest candidate and its weight, late shift, weekend term. */
function chosenOf(model: ForecastModel): string {
  const c = model.future?.chosen;
  const weekend = model.seasonalities.some((s) => s.name === 'weekend') ? ' weekend' : '';
  if (!c) return `prophet${weekend}`;
  const t = c.top;
  return `huber ${c.huber.toFixed(2)}; top ${t.fit} ${t.slope} λ=${t.damping >= 1e6 ? 'flat' : t.damping}${t.anchored ? ' anchored' : ''} ${t.weight.toFixed(2)}${c.shift ? ' shift' : ''}${weekend}`;
}

/** Our fit+predict: the median of 3 runs after a warm-up. */
function runOurs(s: Series, options: ForecastOptions): OurRun {
  const nTrain = Math.floor(TRAIN * s.t.length);
  const future = s.t.subarray(nTrain);
  const once = (): OurRun => {
    const a = performance.now();
    const model = fitForecast(s.t.subarray(0, nTrain), s.y.subarray(0, nTrain), { seed: 0, ...options });
    const result = predictForecast(model, future);
    return { result, seconds: (performance.now() - a) / 1000, chosen: chosenOf(model) };
  };
  once();
  const runs = Array.from({ length: 3 }, once).sort((x, y) => x.seconds - y.seconds);
  return runs[1];
}

function hasRscript(): boolean {
  return spawnSync('Rscript', ['-e', 'suppressPackageStartupMessages(library(prophet))'], { stdio: 'ignore' }).status === 0;
}

function readBand(file: string): ForecastResult {
  const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  const n = lines.length;
  const r = { yhat: new Float64Array(n), lower: new Float64Array(n), upper: new Float64Array(n) };
  lines.forEach((l, i) => { const [a, b, c] = l.split(',').map(Number); r.yhat[i] = a; r.lower[i] = b; r.upper[i] = c; });
  return r;
}

function runProphet(series: Series[]): Map<string, OurRun> | null {
  if (!hasRscript()) {
    console.log('Rscript with the prophet package not found (apt-get install r-cran-prophet): Prophet columns skipped');
    return null;
  }
  mkdirSync(DATA, { recursive: true });
  const manifest: string[] = [];
  const outPath = (s: Series): string => join(DATA, `forecast-${s.name}.prophet.csv`);
  for (const s of series) {
    if (cached && existsSync(outPath(s)) && existsSync(`${outPath(s)}.time`)) continue;
    const nTrain = Math.floor(TRAIN * s.t.length);
    const train = ['ds,y'];
    for (let i = 0; i < nTrain; i++) train.push(`${ds(s.t[i])},${Number.isFinite(s.y[i]) ? s.y[i] : 'NA'}`);
    const future = ['ds'];
    for (let i = nTrain; i < s.t.length; i++) future.push(ds(s.t[i]));
    const base = join(DATA, `forecast-${s.name}`);
    writeFileSync(`${base}.train.csv`, train.join('\n') + '\n');
    writeFileSync(`${base}.predict.csv`, future.join('\n') + '\n');
    manifest.push([s.name, `${base}.train.csv`, `${base}.predict.csv`, outPath(s)].join('\t'));
  }
  if (cached) console.log(`--cached-prophet: Prophet runs for ${manifest.length} of ${series.length} series, earlier outputs for the rest`);
  if (manifest.length) {
    writeFileSync(join(DATA, 'forecast-manifest.tsv'), manifest.join('\n') + '\n');
    execFileSync('Rscript', [join(HERE, 'forecast_prophet.R'), join(DATA, 'forecast-manifest.tsv')], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const out = new Map<string, OurRun>();
  for (const s of series) {
    const [fit, predict] = readFileSync(`${outPath(s)}.time`, 'utf8').trim().split(',').map(Number);
    out.set(s.name, { result: readBand(outPath(s)), seconds: fit + predict });
  }
  return out;
}

const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : '—');
const pad = (x: string, w: number): string => x.padStart(w);
const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

interface Row { s: Series; ours: Scores; parity: Scores; prophet: Scores | null; tOurs: number; tProphet: number }

function summary(label: string, rows: Row[]): void {
  const withP = rows.filter((r) => r.prophet);
  if (!withP.length) return;
  const ratios = withP.map((r) => ({ name: r.s.name, v: r.ours.mae / r.prophet!.mae }));
  const worst = ratios.reduce((a, b) => (b.v > a.v ? b : a));
  const inRange = rows.filter((r) => inRangeCoverage(r.ours.coverage)).length;
  const narrow = rows.filter((r) => r.ours.coverage < 0.72).length;
  const pIn = withP.filter((r) => inRangeCoverage(r.prophet!.coverage)).length;
  const parity = median(withP.map((r) => r.parity.mae / r.prophet!.mae));
  const tO = rows.reduce((a, r) => a + r.tOurs, 0);
  const tP = withP.reduce((a, r) => a + r.tProphet, 0);
  console.log(`${label} (${rows.length} series): median MAE ratio ${f(median(ratios.map((r) => r.v)))} (target ≤ 0.97), worst ${f(worst.v)} ${worst.name} (target ≤ 1.02); `
    + `80 % coverage in 0.72–0.88 on ${inRange}/${rows.length} = ${f((100 * inRange) / rows.length, 0)} % (target ≥ 90 %; Prophet ${pIn}/${withP.length}; `
    + `ours below 0.72 on ${narrow}, above 0.88 on ${rows.length - inRange - narrow}; median coverage ours ${f(median(rows.map((r) => r.ours.coverage)))}, `
    + `Prophet ${f(median(withP.map((r) => r.prophet!.coverage)))}); `
    + `method 'prophet' median ratio ${f(parity)}; time ours ${f(tO, 2)} s, Prophet ${f(tP, 1)} s, ${f(tP / tO, 0)}× faster (target ≥ 50×)`);
}

async function main(): Promise<void> {
  const series = [...(await sampleSeries()), ...generatedSeries(), ...(await nabSeries())].filter((s) => !only || s.name.includes(only));
  const prophet = runProphet(series);
  console.log(`\nfit on the first ${TRAIN * 100} % of each series, predict the held-out ${Math.round((1 - TRAIN) * 100)} %: MAE, 80 % interval coverage, fit+predict seconds`);
  console.log(['series'.padEnd(44), pad('set', 8), pad('rows', 6), pad('MAE ours', 10), pad('Prophet', 10), pad('ratio', 6), pad('parity', 7),
    pad('cov ours', 9), pad('Prophet', 8), pad('ours s', 7), pad('Prophet s', 10), pad('×', 5), ' chosen'].join(' '));
  const rows: Row[] = [];
  for (const s of series) {
    const o = runOurs(s, {});
    const par = runOurs(s, { method: 'prophet' });
    const p = prophet?.get(s.name);
    const row: Row = { s, ours: score(s, o.result), parity: score(s, par.result), prophet: p ? score(s, p.result) : null, tOurs: o.seconds, tProphet: p?.seconds ?? NaN };
    rows.push(row);
    const pm = row.prophet?.mae ?? NaN;
    console.log([s.name.padEnd(44), pad(s.set, 8), pad(String(s.t.length), 6), pad(f(row.ours.mae, 4), 10), pad(f(pm, 4), 10), pad(f(row.ours.mae / pm), 6),
      pad(f(row.parity.mae / pm), 7), pad(f(100 * row.ours.coverage, 1), 9), pad(f(100 * (row.prophet?.coverage ?? NaN), 1), 8),
      pad(f(o.seconds, 3), 7), pad(f(row.tProphet, 2), 10), pad(f(row.tProphet / o.seconds, 0), 5), ` ${o.chosen}`].join(' '));
  }
  console.log('ratio: our MAE / Prophet\'s; parity: the same with method \'prophet\' (Prophet\'s MAP and interval); ×: Prophet s / ours s; '
    + 'chosen: the Huber fit\'s weight in the combination, the heaviest candidate (fit, slope ours capped or Prophet\'s raw, damping λ, anchored on the recent level) and its weight, a late shift, the weekend term\n');
  if (misses) printMisses(rows);
  summary('all', rows);
  summary('held-out', rows.filter((r) => r.s.set === 'held-out'));
  summary('tune', rows.filter((r) => r.s.set === 'tune'));
}

void main();
