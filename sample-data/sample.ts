/**
 * The bundled sample: 14 days of 1-minute host metrics (cpu, memory, disk_io, net_in, net_out) with daily and
 * weekly patterns, noise, and labelled injected anomalies of several kinds. Pure and seeded: the same text on
 * every run, so the extension can write the sample into a workspace instead of shipping 1 MB of CSV.
 */
import { createRng } from '../src/core/random.ts';

/** One injected anomaly: its kind, the metrics it touches and its rows (inclusive). */
export interface SampleLabel { kind: string; metrics: string[]; startRow: number; endRow: number; start: string; end: string; description: string }

export const SAMPLE_SEED = 20240304;

/** The sample CSV (header, then one row a minute from 2024-03-04, a Monday) and its labels. */
export function sampleData(days = 14): { csv: string; labels: SampleLabel[]; rows: number } {
  const rng = createRng(SAMPLE_SEED);
  const start = Date.UTC(2024, 2, 4);
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

  const labels: SampleLabel[] = [];
  const at = (day: number, hh: number, mm: number): number => day * 1440 + hh * 60 + mm;
  const label = (kind: string, metrics: string[], s: number, e: number, description: string): void => {
    labels.push({ kind, metrics, startRow: s, endRow: e, start: new Date(start + s * step).toISOString(), end: new Date(start + e * step).toISOString(), description });
  };
  // An anomaly past the last row (a shorter sample) is left out.
  const fits = (s: number, len: number): boolean => s + len <= n;

  // 1. A CPU spike: 6 minutes pinned near 100 %.
  { const s = at(2, 14, 10); if (fits(s, 6)) { for (let i = s; i < s + 6; i++) cols.cpu[i] = 96 + 3 * rng.next(); label('spike', ['cpu'], s, s + 5, 'CPU pinned near 100 % for 6 minutes'); } }
  // 2. A slow memory leak over 36 hours, then a restart back to normal.
  { const s = at(4, 6, 0), len = 36 * 60; if (fits(s, len)) { for (let k = 0; k < len; k++) cols.memory[s + k] += 40 * (k / len); label('slow-leak', ['memory'], s + Math.floor(len / 3), s + len - 1, 'memory climbs ~40 points over 36 h until a restart'); } }
  // 3. An outage: disk and network drop to zero for 25 minutes.
  { const s = at(7, 11, 30); if (fits(s, 25)) { for (let i = s; i < s + 25; i++) { cols.disk_io[i] = 0; cols.net_in[i] = 0; cols.net_out[i] = 0; cols.cpu[i] = 2 + rng.next(); } label('outage', ['disk_io', 'net_in', 'net_out', 'cpu'], s, s + 24, 'host stops serving: I/O and network at zero'); } }
  // 4. A stuck sensor: disk_io repeats one value for 5 hours.
  { const s = at(9, 9, 0); if (fits(s, 300)) { const v = cols.disk_io[s]; for (let i = s; i < s + 300; i++) cols.disk_io[i] = v; label('stuck-sensor', ['disk_io'], s, s + 299, 'disk_io repeats the same reading for 5 hours'); } }
  // 5. A multi-metric break: CPU at a normal daytime level while traffic is at a night level and out > in.
  { const s = at(11, 10, 0); if (fits(s, 45)) { for (let i = s; i < s + 45; i++) { cols.net_in[i] = 140 + 10 * rng.normal(); cols.net_out[i] = 330 + 10 * rng.normal(); } label('multi-metric', ['net_in', 'net_out', 'cpu'], s, s + 44, 'daytime CPU with night-time inbound traffic and outbound above inbound: each value normal alone'); } }
  // 6. A burst of outbound traffic (exfiltration-like) on a Sunday night.
  { const s = at(13, 2, 0); if (fits(s, 15)) { for (let i = s; i < s + 15; i++) cols.net_out[i] = 820 + 40 * rng.normal(); label('spike', ['net_out'], s, s + 14, 'outbound traffic burst at night'); } }

  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  const lines = ['timestamp,cpu,memory,disk_io,net_in,net_out'];
  for (let i = 0; i < n; i++) {
    const ts = new Date(start + i * step).toISOString().replace('.000Z', 'Z');
    lines.push(`${ts},${clamp(cols.cpu[i], 0, 100).toFixed(2)},${clamp(cols.memory[i], 0, 100).toFixed(2)},${cols.disk_io[i].toFixed(2)},${cols.net_in[i].toFixed(1)},${cols.net_out[i].toFixed(1)}`);
  }
  return { csv: lines.join('\n') + '\n', labels, rows: n };
}
