import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { all } from '../../src/core/history/db.ts';
import { withHistory } from '../../src/node/historyDb.ts';

test('a crashed writer\'s stale lock found by many waiters at once is taken over by one at a time: no write is lost', async () => {
  // Each waiter finds the same stale lock; removing it as each found it let a later waiter remove the live lock
  // the first had taken since, so two wrote at once and one's row was lost (within 20 rounds, in each of our runs).
  for (let round = 0; round < 40; round++) {
    const db = join(mkdtempSync(join(tmpdir(), 'ah-stale-')), 'h.db');
    await withHistory(db, () => undefined);
    writeFileSync(`${db}.lock`, '4242 crashed');
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${db}.lock`, old, old);
    const write = (k: number) => withHistory(db, async (d) => {
      await new Promise((r) => setTimeout(r, 5));
      d.run('INSERT INTO meta (key, value) VALUES (?, ?)', [`writer-${k}`, 'x']);
    });
    await Promise.all(Array.from({ length: 8 }, (_, k) => write(k)));
    const rows = await withHistory(db, (d) => all(d, "SELECT key FROM meta WHERE key LIKE 'writer-%'"), { write: false });
    assert.equal(rows.length, 8, `round ${round}: ${rows.length} of 8 writes kept`);
    assert.ok(!existsSync(`${db}.lock`) && !existsSync(`${db}.lock.takeover`), 'the locks are released');
  }
});
