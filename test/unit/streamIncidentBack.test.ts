import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Anomaly } from '../../src/core/anomaly.ts';
import { isoOf } from '../../src/core/anomaly.ts';
import { createIncidentTracker } from '../../src/core/streaming/incidentTracker.ts';
import type { IncidentEvent } from '../../src/core/streaming/incidentTracker.ts';
import { severityOf } from '../../src/core/severity.ts';
import { runStream } from '../../src/cli/commands/stream.ts';

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
