import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { all } from '../../src/core/history/db.ts';
import { withHistory } from '../../src/node/historyDb.ts';
import { startServer } from './alertingServer.ts';
import { incidentFingerprint, incidentKey } from '../../src/core/alerting/fingerprint.ts';
import type { Incident } from '../../src/core/incidents/incidents.ts';
import { mimeParts, startSmtp } from './smtpServer.ts';

const repo = join(__dirname, '../..');

async function run(cwd: string, env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env, cwd });
  return { code, out, err };
}

/** The sample's incidents as a results file in a fresh folder. */
async function results(): Promise<{ dir: string; ids: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'ah-dest-'));
  const a = await run(dir, {}, 'analyze', join(repo, 'sample-data/stream.csv'), '--format', 'json', '--out', 'results.json');
  assert.equal(a.code, 0, a.err);
  const ids = (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).incidents as { id: string }[]).map((i) => i.id);
  assert.ok(ids.length >= 3, `${ids.length} incidents`);
  return { dir, ids };
}

/** The incident ids a zapier message carries (one message per incident). */
function zapierIds(body: string): string[] {
  return [JSON.parse(body).id as string];
}

test('send --history dedups per destination: the same incidents reach two webhook URLs once each, and the raw URLs are never stored', async () => {
  const { dir, ids } = await results();
  const server = await startServer((res) => { res.writeHead(200); res.end('ok'); });
  try {
    const a = `${server.origin}/hooks/TOKEN-AAAA-1111`, b = `${server.origin}/hooks/TOKEN-BBBB-2222`;
    const send = (url: string) => run(dir, { ANOMALY_HUNTER_WEBHOOK_URL: url }, 'send', 'results.json', '--format', 'zapier', '--history', 'h.db');
    assert.equal((await send(a)).code, 0);
    assert.equal((await send(b)).code, 0, 'another URL of the same format is another destination');
    const again = await send(` ${a} `);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, new RegExp(`nothing to send: skipped ${ids.length} already sent`));
    const byPath = (p: string) => server.requests.filter((r) => r.url === p).flatMap((r) => zapierIds(r.body)).sort();
    assert.deepEqual(byPath('/hooks/TOKEN-AAAA-1111'), [...ids].sort());
    assert.deepEqual(byPath('/hooks/TOKEN-BBBB-2222'), [...ids].sort());
    assert.equal(server.requests.length, 2 * ids.length);

    const rows = await withHistory(join(dir, 'h.db'), (db) => all(db, 'SELECT outcome, destination, destination_key AS k FROM deliveries ORDER BY id'), { write: false });
    assert.deepEqual(rows.map((r) => r.outcome), [...Array(2 * ids.length).fill('sent'), ...Array(ids.length).fill('deduplicated')]);
    const keys = [...new Set(rows.map((r) => r.k))];
    assert.equal(keys.length, 2, 'one key per URL');
    assert.ok(keys.every((k) => typeof k === 'string' && /^webhook-[0-9a-f]{16}$/.test(k)));
    const bytes = readFileSync(join(dir, 'h.db'));
    assert.ok(!bytes.includes('TOKEN-AAAA') && !bytes.includes('TOKEN-BBBB'), 'no part of a secret URL in the database');
  } finally {
    await server.close();
  }
});

test('send --format email --history dedups per list of recipients: another list gets the incidents, the same list (any order or case) does not', async () => {
  const { dir, ids } = await results();
  const smtp = await startSmtp();
  try {
    const env = { ANOMALY_HUNTER_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` };
    const send = (to: string) => run(dir, env, 'send', 'results.json', '--format', 'email', '--to', to, '--history', 'h.db');
    const first = await send('ops@example.com,oncall@example.org');
    assert.equal(first.code, 0, first.err);
    const other = await send('security@example.net');
    assert.equal(other.code, 0, other.err);
    assert.match(other.out, new RegExp(`^delivered ${ids.length} incidents in 1 email to security@example.net`));
    const same = await send('ONCALL@example.org, ops@example.com, ops@example.com');
    assert.equal(same.code, 0, same.err);
    assert.match(same.out, /^nothing to send: skipped \d+ already sent/);
    assert.deepEqual(smtp.received.map((m) => m.to), [['ops@example.com', 'oncall@example.org'], ['security@example.net']]);
    for (const m of smtp.received) for (const id of ids) assert.ok(mimeParts(m.raw)['text/plain'].includes(id), `${id} in the message to ${m.to.join(',')}`);
  } finally {
    await smtp.close();
  }
});

test('two send --history processes at once to the same webhook: the incidents are delivered once, and both sends are recorded', async () => {
  const { dir, ids } = await results();
  // The receiver takes its time: both processes are started before either has delivered.
  const server = await startServer((res) => { setTimeout(() => { res.writeHead(200); res.end('ok'); }, 700); });
  try {
    const env = { ...process.env, ANOMALY_HUNTER_WEBHOOK_URL: `${server.origin}/hooks/TOKEN-RACE` };
    const cli = ['--import', 'tsx', join(repo, 'src/cli/main.ts'), 'send', join(dir, 'results.json'), '--format', 'slack', '--history', join(dir, 'h.db')];
    const runs = [0, 1].map(async () => {
      const child = spawn(process.execPath, cli, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      const [code] = await once(child, 'exit');
      return { code: code as number, out, err };
    });
    const done = await Promise.all(runs);
    for (const d of done) assert.equal(d.code, 0, d.err);
    assert.equal(server.requests.length, 1, `one slack message in all, got ${server.requests.length}`);
    const outs = done.map((d) => d.out).sort();
    assert.match(outs[0], new RegExp(`^delivered ${ids.length} incidents in 1 message`));
    assert.match(outs[1], new RegExp(`^nothing to send: skipped ${ids.length} already sent`));
    const rows = await withHistory(join(dir, 'h.db'), (db) => all(db, 'SELECT outcome, count(*) AS n FROM deliveries GROUP BY outcome ORDER BY outcome'), { write: false });
    assert.deepEqual(rows.map((r) => `${r.outcome} ${r.n}`), [`deduplicated ${ids.length}`, `sent ${ids.length}`], 'neither send\'s records lost');
  } finally {
    await server.close();
  }
});

test('a history written before destinations had keys (schema 1) is upgraded, and what it says was sent through a channel is not sent again', async () => {
  const { dir, ids } = await results();
  const db = join(dir, 'h.db');
  const incidents = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).incidents as Incident[];
  // A schema-1 database: no destination_key column (nor the incidents' step_ms of schema 4), the first incident recorded as sent through zapier.
  await withHistory(db, (d) => {
    d.exec("DROP INDEX deliveries_destination; ALTER TABLE deliveries DROP COLUMN destination_key; ALTER TABLE incidents DROP COLUMN step_ms; UPDATE meta SET value = '1' WHERE key = 'schema'");
    d.run("INSERT INTO deliveries (source, incident_id, fingerprint, alert_key, channel, destination, outcome, at) VALUES (NULL, ?, ?, ?, 'zapier', 'https://hooks.example/***', 'sent', ?)",
      [incidents[0].id, incidentFingerprint(incidents[0]), incidentKey(incidents[0]), Date.now()]);
  });
  const server = await startServer((res) => { res.writeHead(200); res.end('ok'); });
  try {
    const sent = await run(dir, { ANOMALY_HUNTER_WEBHOOK_URL: `${server.origin}/hooks/NEW` }, 'send', 'results.json', '--format', 'zapier', '--history', 'h.db');
    assert.equal(sent.code, 0, sent.err);
    assert.match(sent.out, new RegExp(`^delivered ${ids.length - 1} incidents .*skipped 1 already sent`));
    assert.deepEqual(server.requests.flatMap((r) => zapierIds(r.body)).sort(), ids.slice(1).sort(), 'all but the incident the old history says was sent');
    const after = await withHistory(db, (d) => ({
      schema: all(d, "SELECT value FROM meta WHERE key = 'schema'")[0].value,
      keys: all(d, 'SELECT destination_key AS k FROM deliveries ORDER BY id').map((r) => r.k),
      incidentColumns: all(d, 'PRAGMA table_info(incidents)').map((r) => r.name),
    }), { write: false });
    assert.equal(after.schema, '4');
    assert.ok(after.incidentColumns.includes('step_ms'), 'the incidents get their step column');
    assert.equal(after.keys[0], null, 'the old row keeps a null key');
    assert.ok(after.keys.slice(1).every((k) => typeof k === 'string'));
  } finally {
    await server.close();
  }
});
