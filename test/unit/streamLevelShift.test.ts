import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStream } from '../../src/cli/commands/stream.ts';
import { createRng } from '../../src/core/random.ts';

/**
 * Issue 19 asks for retraining while streaming so that a permanent level shift stops being reported. This
 * measures what the stream detector does without any retraining: its nearest-neighbour novelty compares each
 * value and each day's shape with the recent past, so once the new level is in that past it is no longer new.
 * If this ever fails (the shift reported for days), retraining is needed.
 */
test('stream: a permanent level shift (+20 sd) is reported when it happens and no longer a day later, without retraining', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-shift-'));
  const rng = createRng(3);
  const STEP = 300_000, PER_DAY = 288, DAYS = 16, SHIFT_DAY = 8;
  const lines = ['timestamp,x'];
  for (let r = 0; r < DAYS * PER_DAY; r++) {
    const v = 50 + 5 * Math.sin((2 * Math.PI * r) / PER_DAY) + rng.normal() * 1.5 + (r >= SHIFT_DAY * PER_DAY ? 30 : 0);
    lines.push(`${new Date(Date.UTC(2026, 0, 1) + r * STEP).toISOString()},${v.toFixed(3)}`);
  }
  writeFileSync(join(dir, 'x.csv'), lines.join('\n') + '\n');
  let out = '';
  const code = await runStream({ argv: [join(dir, 'x.csv')], stdout: (s) => { out += s; }, stderr: () => undefined, env: {}, cwd: dir });
  assert.equal(code, 0);
  const flaggedPerDay = Array(DAYS).fill(0);
  const openedPerDay = Array(DAYS).fill(0);
  for (const line of out.trim().split('\n')) {
    const row = JSON.parse(line);
    const day = Math.floor(row.row / PER_DAY);
    if (row.anomaly && (row.anomaly.severity === 'critical' || row.anomaly.severity === 'major')) flaggedPerDay[day]++;
    for (const e of row.incidents ?? []) if (e.event === 'opened') openedPerDay[day]++;
  }
  assert.ok(openedPerDay[SHIFT_DAY] >= 1, `the shift is reported: ${openedPerDay}`);
  assert.deepEqual(flaggedPerDay.slice(SHIFT_DAY + 1), Array(DAYS - SHIFT_DAY - 1).fill(0), `no major finding after the shift day: ${flaggedPerDay}`);
  assert.deepEqual(openedPerDay.slice(SHIFT_DAY + 1), Array(DAYS - SHIFT_DAY - 1).fill(0));
});
