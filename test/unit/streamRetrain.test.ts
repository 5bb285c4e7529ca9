import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStream } from '../../src/cli/commands/stream.ts';
import { createRng } from '../../src/core/random.ts';
import { UsageError } from '../../src/node/errors.ts';

/**
 * Issue 19's "done when": a stream whose level shifts for good stops reporting the new level within the
 * retraining period with retraining on, and keeps reporting it with retraining off. The baseline (--baseline)
 * is the fitted part of streaming; the novelty detector alone stops by itself (streamLevelShift.test.ts).
 */
/** The fields of a JSONL row these tests read (model and retrain: with --baseline; retrain on a refit's first row). */
interface Row {
  row: number;
  anomaly: { severity: string; message: string } | null;
  model: { version: number; trainedAt: string | null; reason: string | null };
  retrain: { version: number; reason: string; trainedAt: string | null; trainedRow: number; rows: number; metrics: string[] };
}

const STEP = 300_000, PER_DAY = 288, DAYS = 10, SHIFT_DAY = 5;
const SHIFT_ROW = SHIFT_DAY * PER_DAY + 100; // 08:20 UTC, not at a refit

function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ah-retrain-'));
  const rng = createRng(11);
  const lines = ['timestamp,x'];
  for (let r = 0; r < DAYS * PER_DAY; r++) {
    const v = 50 + 5 * Math.sin((2 * Math.PI * r) / PER_DAY) + rng.normal() * 1.5 + (r >= SHIFT_ROW ? 30 : 0);
    lines.push(`${new Date(Date.UTC(2026, 0, 1) + r * STEP).toISOString()},${v.toFixed(3)}`);
  }
  writeFileSync(join(dir, 'x.csv'), lines.join('\n') + '\n');
  return join(dir, 'x.csv');
}

async function run(path: string, ...argv: string[]): Promise<{ rows: Row[]; text: string }> {
  let out = '';
  const code = await runStream({ argv: [path, ...argv], stdout: (s) => { out += s; }, stderr: () => undefined, env: {}, cwd: tmpdir() });
  assert.equal(code, 0);
  return { rows: out.trim().split('\n').map((l) => JSON.parse(l) as Row), text: out };
}

const major = (row: Row): boolean => row.anomaly !== null && (row.anomaly.severity === 'critical' || row.anomaly.severity === 'major');

test('stream --baseline: a permanent level shift is reported, then no longer within the retraining period (1d); with --retrain-every off it is reported to the end', async () => {
  const path = file();
  const on = (await run(path, '--baseline', '--retrain-every', '1d')).rows;
  const off = (await run(path, '--baseline', '--retrain-every', 'off')).rows;
  assert.equal(on.length, DAYS * PER_DAY);

  // Both report the shift when it happens.
  assert.ok(major(on[SHIFT_ROW]) && major(off[SHIFT_ROW]), 'the shift is reported at once');
  // Retraining on: a drift refit follows within the period, and from the end of the period nothing is reported.
  const refits = on.filter((r) => r.retrain).map((r) => ({ row: r.row, ...r.retrain }));
  const drift = refits.find((e) => e.reason === 'drift' && e.row > SHIFT_ROW);
  assert.ok(drift && drift.row - SHIFT_ROW < PER_DAY, `a drift refit within a day of the shift: ${JSON.stringify(refits)}`);
  const lastOn = on.filter(major).at(-1)!.row;
  assert.ok(lastOn < SHIFT_ROW + PER_DAY, `last major finding ${lastOn - SHIFT_ROW} rows after the shift`);
  // The rows after the refit are scored by its version, and say so.
  assert.equal(on[drift.row].model.version, drift.version);
  assert.equal(on[drift.row].model.reason, 'drift');
  assert.equal(on[drift.row - 1].model.version, drift.version - 1);

  // Retraining off: one fit, and the new level is reported on every day to the end.
  assert.deepEqual(off.filter((r) => r.retrain).map((r) => r.retrain.reason), ['initial']);
  for (let day = SHIFT_DAY + 1; day < DAYS; day++) {
    const flagged = off.slice(day * PER_DAY, (day + 1) * PER_DAY).filter(major).length;
    assert.ok(flagged > PER_DAY * 0.9, `day ${day}: ${flagged} of ${PER_DAY} rows reported with retraining off`);
  }
  const lastOff = off.at(-1)!.anomaly!;
  assert.ok(lastOff.message.includes('model v1'), lastOff.message);
});

test('stream --baseline: the same input gives the same output; the model and retrain fields; no model without --baseline', async () => {
  const path = file();
  const a = await run(path, '--baseline');
  const b = await run(path, '--baseline');
  assert.equal(a.text, b.text);
  assert.deepEqual(a.rows[0].model, { version: 0, trainedAt: null, reason: null });
  const first = a.rows.find((r) => r.retrain)!;
  assert.equal(first.row, 2 * PER_DAY, 'first fit after two days');
  assert.deepEqual(first.retrain, { version: 1, reason: 'initial', trainedAt: '2026-01-02T23:55:00.000Z', trainedRow: 2 * PER_DAY - 1, rows: 2 * PER_DAY, metrics: ['x'] });
  const schedule = a.rows.filter((r) => r.retrain?.reason === 'schedule').map((r) => r.row);
  assert.ok(schedule.includes(3 * PER_DAY) && schedule.includes(4 * PER_DAY), `daily refits: ${schedule}`);
  const plain = await run(path);
  // Without --baseline the output is what it was: no model fields, the novelty detector's own findings only.
  assert.ok(plain.rows.every((r) => r.model === undefined && r.retrain === undefined));
  assert.ok(plain.rows.every((r) => r.anomaly === null || !r.anomaly.message.includes('baseline')));
});

test('stream: --retrain-every is checked', async () => {
  const path = file();
  const ctx = (argv: string[]) => ({ argv: [path, ...argv], stdout: () => undefined, stderr: () => undefined, env: {}, cwd: tmpdir() });
  await assert.rejects(runStream(ctx(['--baseline', '--retrain-every', 'daily'])), (e: Error) => e instanceof UsageError && /--retrain-every: expected a duration such as 6h or 1d, or off \(got 'daily'\)/.test(e.message));
  await assert.rejects(runStream(ctx(['--baseline', '--retrain-every', '0s'])), UsageError);
  await assert.rejects(runStream(ctx(['--retrain-every', '6h'])), (e: Error) => e instanceof UsageError && /add --baseline/.test(e.message));
});
