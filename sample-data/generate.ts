/**
 * Writes sample-data/stream.csv and stream.labels.json: 14 days of 1-minute host metrics with daily and weekly
 * patterns, noise, and labelled injected anomalies of several kinds. Seeded: the same files every run.
 * Usage: npm run sample-data [-- --days N --out DIR]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../src/core/random.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const days = Number(opt('days', '14'));
const outDir = opt('out', new URL('.', import.meta.url).pathname);
const seed = 20240304;
const rng = createRng(seed);
const start = Date.UTC(2024, 2, 4); // a Monday
const step = 60_000;
const n = days * 1440;

const cols = { cpu: new Float64Array(n), memory: new Float64Array(n), disk_io: new Float64Array(n), net_in: new Float64Array(n), net_out: new Float64Array(n) };
// Business-hours load shape: low at night, a peak in the afternoon, weekends at 40 %.
const load = (t: number): number => {
  const d = new Date(t);
  const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
  const weekday = d.getUTCDay();
  const daily = 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 3)) / 24);
  return daily * (weekday === 0 || weekday === 6 ? 0.4 : 1);
};
let ar = 0;
for (let i = 0; i < n; i++) {
  const t = start + i * step;
  const l = load(t);
  ar = 0.8 * ar + rng.normal();
  cols.cpu[i] = 18 + 42 * l + 1.6 * ar + 1.2 * rng.normal();
  cols.memory[i] = 48 + 10 * l + 0.8 * rng.normal();
  cols.disk_io[i] = Math.max(0, 25 + 55 * l + 6 * rng.normal() + (rng.next() < 0.01 ? 20 * rng.next() : 0));
  cols.net_in[i] = Math.max(0, 120 + 380 * l + 12 * ar + 15 * rng.normal());
  cols.net_out[i] = Math.max(0, 0.55 * cols.net_in[i] + 10 * rng.normal());
}

interface Label { kind: string; metrics: string[]; startRow: number; endRow: number; start: string; end: string; description: string }
const labels: Label[] = [];
const at = (day: number, hh: number, mm: number): number => day * 1440 + hh * 60 + mm;
const label = (kind: string, metrics: string[], s: number, e: number, description: string): void => {
  labels.push({ kind, metrics, startRow: s, endRow: e, start: new Date(start + s * step).toISOString(), end: new Date(start + e * step).toISOString(), description });
};

// 1. A CPU spike: 6 minutes pinned near 100 %.
{ const s = at(2, 14, 10); for (let i = s; i < s + 6; i++) cols.cpu[i] = 96 + 3 * rng.next(); label('spike', ['cpu'], s, s + 5, 'CPU pinned near 100 % for 6 minutes'); }
// 2. A slow memory leak over 36 hours, then a restart back to normal.
{ const s = at(4, 6, 0), len = 36 * 60; for (let k = 0; k < len; k++) cols.memory[s + k] += 40 * (k / len); label('slow-leak', ['memory'], s + Math.floor(len / 3), s + len - 1, 'memory climbs ~40 points over 36 h until a restart'); }
// 3. An outage: disk and network drop to zero for 25 minutes.
{ const s = at(7, 11, 30); for (let i = s; i < s + 25; i++) { cols.disk_io[i] = 0; cols.net_in[i] = 0; cols.net_out[i] = 0; cols.cpu[i] = 2 + rng.next(); } label('outage', ['disk_io', 'net_in', 'net_out', 'cpu'], s, s + 24, 'host stops serving: I/O and network at zero'); }
// 4. A stuck sensor: disk_io repeats one value for 5 hours.
{ const s = at(9, 9, 0); const v = cols.disk_io[s]; for (let i = s; i < s + 300; i++) cols.disk_io[i] = v; label('stuck-sensor', ['disk_io'], s, s + 299, 'disk_io repeats the same reading for 5 hours'); }
// 5. A multi-metric break: CPU at a normal daytime level while traffic is at a night level and out > in.
{ const s = at(11, 10, 0); for (let i = s; i < s + 45; i++) { cols.net_in[i] = 140 + 10 * rng.normal(); cols.net_out[i] = 330 + 10 * rng.normal(); } label('multi-metric', ['net_in', 'net_out', 'cpu'], s, s + 44, 'daytime CPU with night-time inbound traffic and outbound above inbound: each value normal alone'); }
// 6. A burst of outbound traffic (exfiltration-like) on a Sunday night.
{ const s = at(13, 2, 0); for (let i = s; i < s + 15; i++) cols.net_out[i] = 820 + 40 * rng.normal(); label('spike', ['net_out'], s, s + 14, 'outbound traffic burst at night'); }

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const lines = ['timestamp,cpu,memory,disk_io,net_in,net_out'];
for (let i = 0; i < n; i++) {
  const ts = new Date(start + i * step).toISOString().replace('.000Z', 'Z');
  lines.push(`${ts},${clamp(cols.cpu[i], 0, 100).toFixed(2)},${clamp(cols.memory[i], 0, 100).toFixed(2)},${cols.disk_io[i].toFixed(2)},${cols.net_in[i].toFixed(1)},${cols.net_out[i].toFixed(1)}`);
}
writeFileSync(join(outDir, 'stream.csv'), lines.join('\n') + '\n');
writeFileSync(join(outDir, 'stream.labels.json'), JSON.stringify({ generator: 'sample-data/generate.ts', seed, stepMinutes: 1, rows: n, anomalies: labels }, null, 2) + '\n');
console.log(`wrote ${n} rows and ${labels.length} labelled anomalies to ${outDir}`);
