import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { all } from '../../src/core/history/db.ts';
import { withHistory } from '../../src/node/historyDb.ts';
import { startServer } from './alertingServer.ts';

const repo = join(__dirname, '../..');

async function run(cwd: string, env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env, cwd });
  return { code, out, err };
}

test('send --history records each incident\'s outcome, and a second send of the same incidents is deduplicated through the history', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-hsend-'));
  const a = await run(dir, {}, 'analyze', join(repo, 'sample-data/stream.csv'), '--format', 'json', '--out', 'results.json', '--history', 'h.db');
  assert.equal(a.code, 0, a.err);
  const incidents = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).incidents as { id: string }[];
  assert.ok(incidents.length >= 3);
  const ok = await startServer((res) => { res.writeHead(200); res.end('ok'); });
  const refuse = await startServer((res) => { res.writeHead(403); res.end('forbidden'); });
  try {
    const env = { ANOMALY_HUNTER_WEBHOOK_URL: `${ok.origin}/hooks/SECRET-TOKEN-4711` };
    const first = await run(dir, env, 'send', 'results.json', '--format', 'slack', '--history', 'h.db');
    assert.equal(first.code, 0, first.err);
    assert.equal(ok.requests.length, 1, 'slack: one message for the batch');
    assert.match(first.err, new RegExp(`history: ${incidents.length} alert outcomes recorded in h\\.db`));
    const second = await run(dir, env, 'send', 'results.json', '--format', 'slack', '--history', 'h.db');
    assert.equal(second.code, 0, second.err);
    assert.equal(ok.requests.length, 1, 'nothing sent again');
    assert.match(second.out, /nothing to send: skipped \d+ already sent/);

    const failing = await run(dir, { ANOMALY_HUNTER_WEBHOOK_URL: `${refuse.origin}/hooks/SECRET-TOKEN-4711` }, 'send', 'results.json', '--format', 'zapier', '--history', 'h.db');
    assert.equal(failing.code, 1);
    assert.equal(refuse.requests.length, 1, 'a broken receiver is not hammered');

    const rows = await withHistory(join(dir, 'h.db'), (db) => all(db, 'SELECT d.channel, d.outcome, d.reason, d.destination, i.id AS known FROM deliveries d LEFT JOIN incidents i ON i.incident_id = d.incident_id AND i.source = d.source ORDER BY d.id'), { write: false });
    const n = incidents.length;
    assert.deepEqual(rows.map((r) => `${r.channel} ${r.outcome}`), [
      ...Array(n).fill('slack sent'), ...Array(n).fill('slack deduplicated'), ...Array(n).fill('zapier failed'),
    ]);
    assert.ok(rows.every((r) => r.known !== null), 'each delivery links to its recorded incident');
    assert.match(String(rows[2 * n].reason), /403/);
    assert.match(String(rows[2 * n + 1].reason), /an earlier message of the send failed/);
    assert.ok(rows.every((r) => String(r.destination) === `${ok.origin}/***` || String(r.destination) === `${refuse.origin}/***`));
    assert.ok(!readFileSync(join(dir, 'h.db')).includes('SECRET-TOKEN'), 'the secret URL is not in the database');

    const h = JSON.parse((await run(dir, {}, 'history', '--db', 'h.db', '--format', 'json')).out);
    assert.deepEqual(h.alerts.outcomes, { sent: n, throttled: 0, deduplicated: n, failed: n });
    assert.deepEqual(h.alerts.byChannel.zapier, { sent: 0, throttled: 0, deduplicated: 0, failed: n });
  } finally {
    await ok.close();
    await refuse.close();
  }
});
