import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Anomaly } from '../../src/core/anomaly.ts';
import { isoOf } from '../../src/core/anomaly.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { incidentsAtLeast } from '../../src/core/incidents/incidents.ts';
import { mergeFindings } from '../../src/core/incidents/merge.ts';
import type { Incident } from '../../src/core/incidents/incidents.ts';
import { createIncidentTracker, STREAM_MIN_FINDINGS } from '../../src/core/streaming/incidentTracker.ts';
import type { IncidentEvent } from '../../src/core/streaming/incidentTracker.ts';
import { createRng } from '../../src/core/random.ts';
import { severityOf } from '../../src/core/severity.ts';
import { runStream } from '../../src/cli/commands/stream.ts';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

function finding(row: number, metric: string, score: number, value: number): Anomaly {
  return { row, timestamp: isoOf(T0 + row * MIN), detector: 'stream', metric, value, score, severity: severityOf(score) ?? 'warning', message: '' };
}

test('the tracker opens an incident when it reaches the minimum severity, escalates it, and resolves it after the gap', () => {
  const t = createIncidentTracker({ minSeverity: 'major', gapRows: 3 });
  const ev: [number, IncidentEvent[]][] = [];
  const rows: Anomaly[][] = Array.from({ length: 20 }, () => []);
  rows[2] = [finding(2, 'cpu', 30, 90)]; // minor: merged, not reported
  rows[4] = [finding(4, 'cpu', 60, 95)]; // major: reported now
  rows[5] = [finding(5, 'memory', 80, 7)]; // critical: escalated
  rows[6] = [finding(6, 'cpu', 55, 93)];
  for (let r = 0; r < 20; r++) ev.push([r, t.push(r, T0 + r * MIN, rows[r])]);
  const happened = ev.filter(([, e]) => e.length).map(([r, e]) => [r, e.map((x) => x.event)]);
  assert.deepEqual(happened, [[4, ['opened']], [5, ['escalated']], [10, ['resolved']]]);
  const opened = ev[4][1][0].incident, resolved = ev[10][1][0].incident;
  assert.equal(opened.severity, 'major');
  assert.equal(opened.startRow, 2, 'the minor finding before it belongs to the incident');
  assert.equal(opened.id, resolved.id, 'the incident keeps its id as it grows');
  assert.deepEqual([resolved.startRow, resolved.endRow, resolved.peakRow, resolved.severity, resolved.count], [2, 6, 5, 'critical', 4]);
  assert.deepEqual(resolved.metrics.map((m) => m.metric), ['cpu', 'memory']);
  assert.match(resolved.summary, /^memory 7 for 5m; cpu too; streaming detector only$/);
  assert.equal(t.reported, 1);
  assert.equal(t.resolved, 1);
  assert.equal(t.open, null);
});

test('an incident that never reaches the minimum severity is never reported; warnings are not merged', () => {
  const t = createIncidentTracker({ minSeverity: 'major' });
  let events = 0;
  for (let r = 0; r < 200; r++) {
    const f = r % 7 === 0 ? [finding(r, 'cpu', 40, 1)] : r % 5 === 0 ? [finding(r, 'cpu', 10, 1)] : [];
    events += t.push(r, T0 + r * MIN, f).length;
  }
  assert.equal(events, 0);
  assert.equal(t.reported, 0);
});

test('a lone finding while streaming: kept as it is by default (measured), at most minor until a second joins it with minFindings 2', () => {
  const run = (min: 'major' | 'minor', rows: Record<number, Anomaly[]>, minFindings?: number) => {
    const t = createIncidentTracker({ minSeverity: min, gapRows: 3, minFindings });
    const out: [number, string, string, number][] = [];
    for (let r = 0; r < 30; r++) for (const e of t.push(r, T0 + r * MIN, rows[r] ?? [])) out.push([r, e.event, e.incident.severity, e.incident.score]);
    return out;
  };
  const alone = { 2: [finding(2, 'cpu', 60, 90)] };
  // The shipped tracker (STREAM_MIN_FINDINGS 1, bench:stream-labelled): a score-60 finding alone opens a major incident.
  assert.equal(STREAM_MIN_FINDINGS, 1);
  assert.deepEqual(run('major', alone), [[2, 'opened', 'major', 60], [6, 'resolved', 'major', 60]]);
  // Batch's rule applied causally: never opened at major; minor 49.9 at minor.
  assert.deepEqual(run('major', alone, 2), []);
  assert.deepEqual(run('minor', alone, 2), [[2, 'opened', 'minor', 49.9], [6, 'resolved', 'minor', 49.9]]);
  // A second finding joins it: opened (or escalated) major at that row.
  const two = { 2: [finding(2, 'cpu', 60, 90)], 4: [finding(4, 'cpu', 30, 80)] };
  assert.deepEqual(run('major', two, 2), [[4, 'opened', 'major', 60], [8, 'resolved', 'major', 60]]);
  assert.deepEqual(run('minor', two, 2), [[2, 'opened', 'minor', 49.9], [4, 'escalated', 'major', 60], [8, 'resolved', 'major', 60]]);
  // Two metrics in one row are two findings.
  assert.deepEqual(run('major', { 2: [finding(2, 'cpu', 60, 90), finding(2, 'disk', 40, 1)] }, 2).map((e) => e.slice(0, 3)), [[2, 'opened', 'major'], [6, 'resolved', 'major']]);
  // A critical finding, or a rule's, is kept as it is.
  assert.deepEqual(run('major', { 2: [finding(2, 'cpu', 80, 90)] }, 2).map((e) => e.slice(0, 3)), [[2, 'opened', 'critical'], [6, 'resolved', 'critical']]);
  const rule: Anomaly = { ...finding(2, 'cpu', 60, 90), detector: 'rule', rule: 'cpu-high' };
  assert.deepEqual(run('major', { 2: [rule] }, 2).map((e) => e.slice(0, 3)), [[2, 'opened', 'major'], [6, 'resolved', 'major']]);
});

test('streamed incidents are the batch incidents of the same findings, row for row', () => {
  const random = createRng(7);
  const rng = (): number => random.next();
  const n = 3000;
  const perRow: Anomaly[][] = [];
  for (let r = 0; r < n; r++) {
    const list: Anomaly[] = [];
    // Bursts of findings of mixed severity on two metrics, and scattered single ones.
    const inBurst = (r % 400) < 25 && r % 400 > 5;
    for (const metric of ['cpu', 'disk']) {
      if ((inBurst && rng() < 0.5) || rng() < 0.004) list.push(finding(r, metric, Math.round(rng() * 1000) / 10, Math.round(rng() * 100)));
    }
    perRow.push(list);
  }
  for (const [min, minFindings] of [['critical', STREAM_MIN_FINDINGS], ['major', STREAM_MIN_FINDINGS], ['minor', STREAM_MIN_FINDINGS], ['major', 2], ['minor', 2]] as const) {
    const t = createIncidentTracker({ minSeverity: min, minFindings });
    const resolved: Incident[] = [];
    for (let r = 0; r < n; r++) for (const e of t.push(r, T0 + r * MIN, perRow[r])) if (e.event === 'resolved') resolved.push(e.incident);
    if (t.open) resolved.push(t.open);
    const values = { cpu: new Float64Array(n).fill(NaN), disk: new Float64Array(n).fill(NaN) };
    for (const a of perRow.flat()) values[a.metric as 'cpu' | 'disk'][a.row] = a.value!;
    const frame = frameOf(values, Float64Array.from({ length: n }, (_, r) => T0 + r * MIN));
    const batch = incidentsAtLeast(mergeFindings(perRow.flat(), frame, { minFindings }).incidents, min);
    assert.ok(batch.length >= 3, `${min}: ${batch.length} incidents`);
    // The scattered single findings make lone incidents, at most minor in both with batch's rule.
    if (min === 'minor' && minFindings === 2) assert.ok(batch.some((i) => i.count === 1 && i.score === 49.9), 'a lone capped incident is compared');
    assert.deepEqual(resolved, batch, `${min}, ${minFindings}`);
  }
});

test('a day-long incident keeps the tracker small and reads as one incident', () => {
  const t = createIncidentTracker();
  let opened = 0;
  for (let r = 0; r < 1440; r++) opened += t.push(r, T0 + r * MIN, [finding(r, 'cpu', 60, 100)]).filter((e) => e.event === 'opened').length;
  assert.equal(opened, 1);
  assert.equal(t.open?.count, 1440);
  assert.match(t.open!.summary, /^cpu 100 for 1d/);
});

test('stream --format jsonl reports incidents on the rows where they open and end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-stream-inc-'));
  try {
    // A quiet daily pattern for 5 days, then cpu jumps to 400 for 20 minutes on day 5.
    let csv = 'timestamp,cpu\n';
    const n = 5 * 1440 + 300;
    const jump = 5 * 1440 + 100;
    for (let i = 0; i < n; i++) {
      const v = 50 + 10 * Math.sin((2 * Math.PI * i) / 1440) + ((i * 7919) % 13) / 13;
      csv += `${isoOf(T0 + i * MIN)},${(i >= jump && i < jump + 20 ? 400 : v).toFixed(3)}\n`;
    }
    writeFileSync(join(dir, 'm.csv'), csv);
    const out: string[] = [];
    const ctx = { argv: ['m.csv'], stdout: (s: string) => { out.push(s); }, stderr: () => {}, env: {}, cwd: dir };
    assert.equal(await runStream(ctx), 0);
    const rows = out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const events = rows.flatMap((r) => (r.incidents ?? []).map((i: { event: string; startRow: number; endRow: number }) => ({ row: r.row, ...i })));
    const opened = events.filter((e) => e.event === 'opened');
    assert.ok(opened.some((e) => e.row >= jump && e.row < jump + 5), JSON.stringify(opened.map((e) => e.row)));
    const end = events.find((e) => e.event === 'resolved' && e.startRow <= jump + 5 && e.endRow >= jump);
    assert.ok(end, 'the jump is resolved after it ends');
    assert.ok(rows.every((r) => !r.incidents || r.incidents.every((i: { summary: string }) => typeof i.summary === 'string' && i.summary.length > 0)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('while streaming, a warning rule\'s finding is merged into an incident (as in batch); a measured warning is not', () => {
  const t = createIncidentTracker({ minSeverity: 'warning', gapRows: 3 });
  const rule: Anomaly = { ...finding(2, 'mem', 15, 4e9), detector: 'rule', rule: 'HighMem', severity: 'warning' };
  const events: [number, string, string][] = [];
  const rows: Record<number, Anomaly[]> = { 2: [rule], 12: [finding(12, 'cpu', 10, 1)] };
  for (let r = 0; r < 20; r++) for (const e of t.push(r, T0 + r * MIN, rows[r] ?? [])) events.push([r, e.event, e.incident.severity]);
  assert.deepEqual(events, [[2, 'opened', 'warning'], [6, 'resolved', 'warning']]);
});
