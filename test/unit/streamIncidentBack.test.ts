import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Anomaly } from '../../src/core/anomaly.ts';
import { isoOf } from '../../src/core/anomaly.ts';
import { createIncidentTracker } from '../../src/core/streaming/incidentTracker.ts';
import type { IncidentEvent } from '../../src/core/streaming/incidentTracker.ts';
import { severityOf } from '../../src/core/severity.ts';
import { runStream } from '../../src/cli/commands/stream.ts';
import { main } from '../../src/cli/main.ts';
import type { Incident } from '../../src/core/incidents/incidents.ts';
import { createRng } from '../../src/core/random.ts';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

function finding(row: number, metric: string, score: number, value: number): Anomaly {
  return { row, timestamp: isoOf(T0 + row * MIN), detector: 'stream', metric, value, score, severity: severityOf(score) ?? 'warning', message: '' };
}

/** cpu at 50, an outage (cpu 2) from row 30 to 59 flagged only on its first rows 30–31, back at 50 from row 60. */
function outage(withValues: boolean): [number, IncidentEvent][] {
  const t = createIncidentTracker({ gapRows: 10 });
  const out: [number, IncidentEvent][] = [];
  for (let r = 0; r < 100; r++) {
    const cpu = r >= 30 && r < 60 ? 2 + (r % 3) * 0.2 : 50 + (r % 5);
    const findings = r === 30 || r === 31 ? [finding(r, 'cpu', 90, cpu)] : [];
    for (const e of t.push(r, T0 + r * MIN, findings, withValues ? { cpu, memory: 40 } : undefined)) out.push([r, e]);
  }
  return out;
}

test('an incident stays open while its metric is still out, and resolves gapRows rows after it is back', () => {
  const events = outage(true);
  assert.deepEqual(events.map(([r, e]) => [r, e.event]), [[30, 'opened'], [70, 'resolved']]);
  const resolved = events[1][1].incident;
  assert.equal(resolved.endRow, 59, 'its end is the last row still out');
  assert.equal(resolved.end, isoOf(T0 + 59 * MIN));
  assert.match(resolved.summary, /for 30m/);
});

test('without the rows\' values an incident resolves gapRows rows after its last finding (as before)', () => {
  assert.deepEqual(outage(false).map(([r, e]) => [r, e.event, e.incident.endRow]), [[30, 'opened', 30], [42, 'resolved', 31]]);
});

test('a spike is back at the next row: resolved gapRows rows after it; a value on the usual side of the midpoint does not hold it', () => {
  const t = createIncidentTracker({ gapRows: 5 });
  const at: [number, string][] = [];
  for (let r = 0; r < 40; r++) {
    // usual 10; the spike 100 at row 20; row 21 is 54 (below the midpoint 55), then 10 again
    const v = r === 20 ? 100 : r === 21 ? 54 : 10;
    for (const e of t.push(r, T0 + r * MIN, r === 20 ? [finding(r, 'cpu', 80, v)] : [], { cpu: v })) at.push([r, e.event]);
  }
  assert.deepEqual(at, [[20, 'opened'], [26, 'resolved']]);
});

test('a metric that drifts on leaves the level it was flagged at: a trend does not hold an incident open for ever', () => {
  const t = createIncidentTracker({ gapRows: 10 });
  const at: [number, string, number][] = [];
  for (let r = 0; r < 200; r++) {
    // usual 10; flagged at 20 on row 20; then a climb of 2 a row that no detector flags: held while within 5 of 20 (rows 21–22)
    const v = r < 20 ? 10 : 20 + (r - 20) * 2;
    for (const e of t.push(r, T0 + r * MIN, r === 20 ? [finding(r, 'cpu', 60, v)] : [], { cpu: v })) at.push([r, e.event, e.incident.endRow]);
  }
  assert.deepEqual(at, [[20, 'opened', 20], [33, 'resolved', 22]]);
});

test('stream sample-data/stream.csv: the outage of 2024-03-11 11:30–11:54 stays open until cpu is back', async () => {
  const out: string[] = [];
  const ctx = { argv: [join('sample-data', 'stream.csv')], stdout: (s: string) => { out.push(s); }, stderr: () => {}, env: {}, cwd: process.cwd() };
  assert.equal(await runStream(ctx), 0);
  const rows = out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const events = rows.flatMap((r) => (r.incidents ?? []).map((i: { event: string; start: string; end: string }) => ({ at: r.timestamp, ...i })))
    .filter((e) => e.start.startsWith('2024-03-11T11:'));
  // cpu about 2.5 from 11:30 to 11:54 (usually about 50); the detector flags 11:30 only: 11:31's 2.09 is no longer news to it.
  assert.deepEqual(events.map((e) => [e.event, e.at, e.start, e.end]), [
    ['opened', '2024-03-11T11:30:00.000Z', '2024-03-11T11:30:00.000Z', '2024-03-11T11:30:00.000Z'],
    ['resolved', '2024-03-11T12:05:00.000Z', '2024-03-11T11:30:00.000Z', '2024-03-11T11:54:00.000Z'],
  ]);
});

test('a level that moves and stays holds its incident at most 12 × gapRows rows; a later finding elsewhere is a new incident', () => {
  const t = createIncidentTracker({ gapRows: 10 });
  const at: [number, string, number, string][] = [];
  for (let r = 0; r < 3000; r++) {
    // cpu 40, then 70 from row 30 on for good (a deploy): flagged on rows 30–31 only; an unrelated memory finding at 2000
    const cpu = r < 30 ? 40 + (r % 3) : 70 + (r % 3);
    const findings = r === 30 || r === 31 ? [finding(r, 'cpu', 90, cpu)] : r === 2000 ? [finding(r, 'memory', 80, 95)] : [];
    for (const e of t.push(r, T0 + r * MIN, findings, { cpu, memory: r === 2000 ? 95 : 50 })) at.push([r, e.event, e.incident.endRow, e.incident.metrics.map((m) => m.metric).join()]);
  }
  // Held to row 151 (120 rows past the last finding at 31), resolved 10 rows later; memory's finding opens its own.
  assert.deepEqual(at, [[30, 'opened', 30, 'cpu'], [162, 'resolved', 151, 'cpu'], [2000, 'opened', 2000, 'memory'], [2011, 'resolved', 2000, 'memory']]);
});

/** cpu about 20 ± 1 (seeded), one row of 400 at row 100; the detector flags the spike, then (its own state recovering) 10 rows of usual values. */
function spikeThenRecovery(): { events: [number, IncidentEvent][]; cpu: number[] } {
  const random = createRng(3);
  const cpu = Array.from({ length: 300 }, (_, r) => (r === 100 ? 400 : 20 + random.normal()));
  const t = createIncidentTracker({ gapRows: 10 });
  const events: [number, IncidentEvent][] = [];
  for (let r = 0; r < cpu.length; r++) {
    const findings = r === 100 ? [finding(r, 'cpu', 100, 400)] : r > 100 && r <= 110 ? [finding(r, 'cpu', 35 - (r - 100), cpu[r])] : [];
    for (const e of t.push(r, T0 + r * MIN, findings, { cpu: cpu[r] })) events.push([r, e]);
  }
  return { events, cpu };
}

test('a spike\'s incident ends at the spike: findings at usual values after it (the detector recovering) neither stretch its end nor hold it', () => {
  const { events } = spikeThenRecovery();
  // Opened once, resolved once: the recovering findings keep it open until 10 rows after the last of them (no flapping).
  assert.deepEqual(events.map(([r, e]) => [r, e.event]), [[100, 'opened'], [121, 'resolved']]);
  const resolved = events[1][1].incident;
  assert.deepEqual([resolved.startRow, resolved.endRow, resolved.peakRow, resolved.count], [100, 100, 100, 11]);
  assert.match(resolved.summary, /^cpu 400 for 1m;/);
});

test('an outage flagged at its start and at its return (a usual value): its end is the last row still out, not the return', () => {
  const t = createIncidentTracker({ gapRows: 10 });
  const random = createRng(5);
  const at: [number, string, number][] = [];
  for (let r = 0; r < 200; r++) {
    // cpu 50 ± 1, an outage (cpu 2) on rows 40–69 flagged on rows 40–41; its return at row 70 flagged too (usual value)
    const cpu = r >= 40 && r < 70 ? 2 + random.next() * 0.2 : 50 + random.normal();
    const findings = r === 40 || r === 41 || r === 70 ? [finding(r, 'cpu', 90, cpu)] : [];
    for (const e of t.push(r, T0 + r * MIN, findings, { cpu })) at.push([r, e.event, e.incident.endRow]);
  }
  assert.deepEqual(at, [[40, 'opened', 40], [81, 'resolved', 69]]);
});

test('stream of a CSV with one row of cpu 400: "cpu 400 for 1m", as analyze says it (it said "for 2h24m")', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-stream-spike-'));
  try {
    // Six days of cpu 20 ± 1 and memory 60 ± 1 with a daily wave, one row of cpu 400 on day 6 at 10:00 (row 7800).
    const random = createRng(1);
    const spike = 5 * 1440 + 600;
    let csv = 'timestamp,cpu,memory\n';
    for (let i = 0; i < 6 * 1440; i++) {
      const day = Math.sin((2 * Math.PI * i) / 1440);
      const cpu = i === spike ? 400 : 20 + 2 * day + random.normal();
      csv += `${isoOf(T0 + i * MIN)},${cpu.toFixed(2)},${(60 + 5 * day + random.normal()).toFixed(2)}\n`;
    }
    writeFileSync(join(dir, 'spike.csv'), csv);
    const out: string[] = [];
    const ctx = { argv: ['spike.csv'], stdout: (s: string) => { out.push(s); }, stderr: () => {}, env: {}, cwd: dir };
    assert.equal(await runStream(ctx), 0);
    const events = out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l))
      .flatMap((r) => (r.incidents ?? []).map((i: Incident) => ({ at: r.row, ...i }))).filter((e) => e.startRow <= spike && e.endRow >= spike);
    assert.deepEqual(events.map((e) => [e.event, e.startRow, e.endRow, e.summary.split(';')[0]]), [['opened', spike, spike, 'cpu 400 for 1m'], ['resolved', spike, spike, 'cpu 400 for 1m']]);
    let json = '';
    assert.equal(await main(['analyze', join(dir, 'spike.csv'), '--format', 'json'], { stdout: (s) => { json += s; }, stderr: () => {}, env: {}, cwd: dir }), 0);
    const batch = (JSON.parse(json).incidents as Incident[]).filter((i) => i.startRow <= spike && i.endRow >= spike);
    assert.deepEqual(batch.map((i) => [i.startRow, i.endRow, i.summary.split(/[,;]/)[0]]), [[spike, spike, 'cpu 400 for 1m']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
