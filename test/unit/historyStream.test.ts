import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStream } from '../../src/cli/commands/stream.ts';
import { main } from '../../src/cli/main.ts';
import { all } from '../../src/core/history/db.ts';
import { createRng } from '../../src/core/random.ts';
import { formatDuration } from '../../src/core/rules/duration.ts';
import { withHistory } from '../../src/node/historyDb.ts';

const T0 = Date.UTC(2024, 0, 1);

function csv(): string {
  const rng = createRng(5);
  const lines = ['timestamp,cpu,memory'];
  for (let r = 0; r < 1500; r++) {
    let cpu = 40 + 5 * Math.sin(r / 12) + rng.normal();
    let mem = 50 + rng.normal();
    if (r >= 300 && r < 306) cpu = 95; // every 5 minutes: past the detector's 12.5 h warm-up, half a day apart
    if (r >= 700 && r < 710) mem = 90;
    if (r >= 1100 && r < 1104) cpu = 5;
    if (r >= 1490) mem = 150; // still open when the file ends
    lines.push(`${new Date(T0 + r * 300_000).toISOString()},${cpu.toFixed(2)},${mem.toFixed(2)}`);
  }
  return lines.join('\n') + '\n';
}

interface Ev { event: string; id: string; end: string; severity: string }

test('stream --history records each reported incident once, open or resolved as the stream last said; a rerun adds nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-hstream-'));
  const file = join(dir, 'live.csv');
  writeFileSync(file, csv());
  const runOnce = async (): Promise<Ev[]> => {
    let out = '', err = '';
    const code = await runStream({ argv: [file, '--history', 'h.db'], stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd: dir });
    assert.equal(code, 0, err);
    return out.trim().split('\n').map((l) => JSON.parse(l)).flatMap((row) => (row.incidents ?? []) as Ev[]);
  };
  const events = await runOnce();
  const opened = events.filter((e) => e.event === 'opened');
  assert.ok(opened.length >= 3, `${opened.length} incidents opened`);
  const last = new Map<string, Ev>();
  for (const e of events) last.set(e.id, e);
  const rows = await withHistory(join(dir, 'h.db'), (db) => all(db, 'SELECT incident_id, status, "end", severity FROM incidents ORDER BY start_ms'), { write: false });
  assert.deepEqual(rows.map((r) => r.incident_id), opened.map((e) => e.id));
  for (const r of rows) {
    const e = last.get(String(r.incident_id))!;
    assert.equal(r.status, e.event === 'resolved' ? 'resolved' : 'open', String(r.incident_id));
    assert.equal(r.end, e.end);
    assert.equal(r.severity, e.severity);
  }
  assert.ok(rows.some((r) => r.status === 'open') && rows.some((r) => r.status === 'resolved'), 'the last incident is still open at the end of the file');

  await runOnce();
  let out = '';
  await main(['history', '--db', 'h.db', '--format', 'json'], { stdout: (s) => { out += s; }, stderr: () => undefined, env: {}, cwd: dir });
  const report = JSON.parse(out);
  assert.equal(report.incidents, opened.length);
  // Each lasts what its summary says: first to last row plus the stream's 5-minute step, as the live dashboard says.
  for (const i of report.recent as { summary: string; durationMs: number; end: string; start: string }[]) {
    assert.equal(i.durationMs, Date.parse(i.end) - Date.parse(i.start) + 300_000, i.summary);
    const said = / for (\w+)[,;]/.exec(i.summary)?.[1];
    if (said) assert.equal(formatDuration(i.durationMs), said, i.summary);
  }
  assert.equal(report.runs, 1);
});
