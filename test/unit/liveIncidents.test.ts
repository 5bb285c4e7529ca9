import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStream } from '../../src/cli/commands/stream.ts';
import { StreamPipeline } from '../../src/node/streamPipeline.ts';
import type { ScoredRow } from '../../src/node/streamPipeline.ts';
import { LiveWindow } from '../../src/extension/liveWindow.ts';
import type { Incident } from '../../src/core/incidents/incidents.ts';

const FILE = join('sample-data', 'stream.csv');

/** `anomaly-hunter stream FILE`: the incidents it resolved, and the id of the one still open at the end. */
async function cliIncidents(): Promise<{ resolved: Incident[]; open: string | null }> {
  const out: string[] = [];
  assert.equal(await runStream({ argv: [FILE], stdout: (s: string) => { out.push(s); }, stderr: () => {}, env: {}, cwd: process.cwd() }), 0);
  const resolved: Incident[] = [];
  let open: string | null = null;
  for (const line of out.join('').split('\n').filter(Boolean)) {
    for (const { event, ...incident } of (JSON.parse(line).incidents ?? []) as (Incident & { event: string })[]) {
      if (event === 'resolved') { resolved.push(incident); open = null; } else open = incident.id;
    }
  }
  return { resolved, open };
}

/** The editor's path: the pipeline the streaming worker runs, its rows posted in batches to the live window. */
function liveWindow(capacity: number): LiveWindow {
  let w: LiveWindow | null = null;
  let rows: ScoredRow[] = [];
  const post = (): void => {
    const m = p.columns!.metrics.length, n = rows.length;
    const values = new Float64Array(n * m);
    rows.forEach((r, i) => values.set(r.values, i * m));
    w ??= new LiveWindow(p.columns!.metrics, true, capacity, undefined, 'major', p.columns!.utcOffsetMs);
    w.append({ ts: Float64Array.from(rows, (r) => r.ms), lines: Int32Array.from(rows, (r) => r.line), values, anomalies: rows.flatMap((r) => r.anomalies) });
    rows = [];
  };
  const p = new StreamPipeline({ displayPath: FILE, live: true, onRow: (r) => { rows.push(r); if (rows.length === 5000) post(); } });
  p.push(readFileSync(FILE, 'utf8'));
  p.finish();
  if (rows.length) post();
  return w!;
}

test('the live dashboard lists the incidents anomaly-hunter stream resolves on the same file, held ends included', async () => {
  const cli = await cliIncidents();
  const w = liveWindow(50_000);
  const shown = w.toResult('/x.csv').view!.shown.incidents;
  // The outage of 2024-03-11 11:30–11:54 flagged at 11:30 only: stream holds it to 11:54, and so does the table.
  const outage = shown.find((i) => i.start === '2024-03-11T11:30:00.000Z');
  assert.equal(outage?.end, '2024-03-11T11:54:00.000Z');
  assert.ok(cli.resolved.length >= 3, `${cli.resolved.length} incidents`);
  assert.deepEqual(shown.filter((i) => !i.ongoing), cli.resolved);
  assert.deepEqual(shown.filter((i) => i.ongoing).map((i) => i.id), cli.open ? [cli.open] : []);
  assert.equal(w.incidentCount, cli.resolved.length + (cli.open ? 1 : 0));
});

test('a live window shorter than the file lists the stream\'s incidents that reach into it, rows from its first', async () => {
  const cli = await cliIncidents();
  const w = liveWindow(5_000);
  const first = w.total - w.rows;
  const shown = w.toResult('/x.csv').view!.shown.incidents.filter((i) => !i.ongoing);
  const expected = cli.resolved.filter((i) => i.endRow >= first)
    .map((i) => ({ ...i, startRow: Math.max(0, i.startRow - first), endRow: i.endRow - first, peakRow: Math.max(0, i.peakRow - first) }));
  assert.ok(expected.length >= 1 && expected.length < cli.resolved.length, `${expected.length} of ${cli.resolved.length}`);
  assert.deepEqual(shown, expected);
});
