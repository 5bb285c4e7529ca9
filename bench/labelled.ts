/**
 * Labelled metric files for measuring incidents on data the defaults were not tuned on: host metrics like the
 * sample's (cpu, memory, disk_io, net_in, net_out; daily and weekly load, AR noise) with the sample's kinds of
 * anomaly at seeded random places, and a seeded choice of shape (noise level, step, length). Each call with
 * the same seed gives the same file and labels.
 */
import { createRng } from '../src/core/random.ts';

export interface LabelledFile {
  csv: string;
  rows: number;
  windows: [number, number, string][];
}

/** A labelled file: `days` of data every `stepMinutes`, with 5 or 6 injected anomalies. */
export function labelledMetrics(seed: number, options: { days?: number; stepMinutes?: number } = {}): LabelledFile {
  const rng = createRng(seed);
  const days = options.days ?? 14;
  const stepMin = options.stepMinutes ?? 1;
  const step = stepMin * 60_000;
  const perDay = 1440 / stepMin;
  const n = days * perDay;
  const start = Date.UTC(2025, 0, 6) + Math.floor(rng.next() * 7) * 86_400_000;
  const noise = 0.6 + rng.next() * 1.2;
  const peakHour = 12 + rng.next() * 6;
  const weekend = 0.3 + rng.next() * 0.4;
  const cols = { cpu: new Float64Array(n), memory: new Float64Array(n), disk_io: new Float64Array(n), net_in: new Float64Array(n), net_out: new Float64Array(n) };
  const load = (t: number): number => {
    const d = new Date(t);
    const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
    const wd = d.getUTCDay();
    const daily = 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - peakHour + 12)) / 24);
    return daily * (wd === 0 || wd === 6 ? weekend : 1);
  };
  let ar = 0;
  const memBase = 35 + rng.next() * 20;
  for (let i = 0; i < n; i++) {
    const l = load(start + i * step);
    ar = 0.8 * ar + rng.normal();
    cols.cpu[i] = 15 + 45 * l + noise * (1.6 * ar + 1.2 * rng.normal());
    cols.memory[i] = memBase + 10 * l + noise * 0.8 * rng.normal();
    cols.disk_io[i] = Math.max(0, 25 + 55 * l + noise * 6 * rng.normal() + (rng.next() < 0.01 ? 20 * rng.next() : 0));
    cols.net_in[i] = Math.max(0, 120 + 380 * l + noise * (12 * ar + 15 * rng.normal()));
    cols.net_out[i] = Math.max(0, 0.55 * cols.net_in[i] + noise * 10 * rng.normal());
  }
  const windows: [number, number, string][] = [];
  const minutes = (m: number) => Math.max(1, Math.round(m / stepMin));
  // Anomalies at distinct places: one per slot of the file, in a shuffled order of kinds.
  const kinds = ['spike', 'leak', 'outage', 'stuck', 'multi', 'burst', 'shift'];
  for (let i = kinds.length - 1; i > 0; i--) { const j = rng.int(i + 1); [kinds[i], kinds[j]] = [kinds[j], kinds[i]]; }
  const count = 5 + rng.int(2);
  const slot = Math.floor(n / count);
  for (let k = 0; k < count; k++) {
    const kind = kinds[k];
    const lo = k * slot + minutes(120), hi = (k + 1) * slot - minutes(48 * 60);
    const s = lo + rng.int(Math.max(1, hi - lo));
    if (kind === 'spike') {
      const len = minutes(3 + rng.int(10));
      for (let i = s; i < s + len; i++) cols.cpu[i] = 95 + 4 * rng.next();
      windows.push([s, s + len - 1, kind]);
    } else if (kind === 'leak') {
      const len = minutes(24 * 60);
      for (let i = 0; i < len; i++) cols.memory[s + i] += 35 * (i / len);
      windows.push([s + Math.floor(len / 3), s + len - 1, kind]);
    } else if (kind === 'outage') {
      const len = minutes(10 + rng.int(30));
      for (let i = s; i < s + len; i++) { cols.disk_io[i] = 0; cols.net_in[i] = 0; cols.net_out[i] = 0; cols.cpu[i] = 2 + rng.next(); }
      windows.push([s, s + len - 1, kind]);
    } else if (kind === 'stuck') {
      const len = minutes(180 + rng.int(180));
      const v = cols.disk_io[s];
      for (let i = s; i < s + len; i++) cols.disk_io[i] = v;
      windows.push([s, s + len - 1, kind]);
    } else if (kind === 'multi') {
      const len = minutes(30 + rng.int(30));
      for (let i = s; i < s + len; i++) { cols.net_in[i] = 140 + 10 * rng.normal(); cols.net_out[i] = 330 + 10 * rng.normal(); }
      windows.push([s, s + len - 1, kind]);
    } else if (kind === 'burst') {
      const len = minutes(10 + rng.int(10));
      for (let i = s; i < s + len; i++) cols.net_out[i] = 800 + 40 * rng.normal();
      windows.push([s, s + len - 1, kind]);
    } else {
      // A lasting level shift of cpu (a deploy that doubles the baseline): the change is the incident.
      const len = minutes(6 * 60);
      for (let i = s; i < n; i++) cols.cpu[i] += 20;
      windows.push([s, s + len - 1, kind]);
    }
  }
  const clamp = (v: number, a: number, b: number) => Math.min(b, Math.max(a, v));
  const lines = ['timestamp,cpu,memory,disk_io,net_in,net_out'];
  for (let i = 0; i < n; i++) {
    const ts = new Date(start + i * step).toISOString().replace('.000Z', 'Z');
    lines.push(`${ts},${clamp(cols.cpu[i], 0, 100).toFixed(2)},${clamp(cols.memory[i], 0, 100).toFixed(2)},${cols.disk_io[i].toFixed(2)},${cols.net_in[i].toFixed(1)},${cols.net_out[i].toFixed(1)}`);
  }
  windows.sort((a, b) => a[0] - b[0]);
  return { csv: lines.join('\n') + '\n', rows: n, windows };
}
