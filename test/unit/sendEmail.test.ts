import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { all } from '../../src/core/history/db.ts';
import { withHistory } from '../../src/node/historyDb.ts';
import { mimeParts, startSmtp } from './smtpServer.ts';
import { escapeHtml, incidentEmail } from '../../src/core/alerting/email.ts';
import type { Incident } from '../../src/core/incidents/incidents.ts';

async function run(cwd: string, env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env, cwd });
  return { code, out, err };
}

const PASS = 's3cret:p@ss/word';
const METRIC = '<img src=x onerror=alert(1)>&cpu';

/** A results file (analyze --format json) whose metric name is HTML, with a few incidents. */
async function results(dir: string): Promise<{ id: string; summary: string; severity: string }[]> {
  const t0 = Date.UTC(2026, 0, 1);
  const lines = [`timestamp,"${METRIC}",memory`];
  for (let k = 0; k < 600; k++) {
    const cpu = [150, 400].includes(k) ? 500 : 40 + (k % 7);
    lines.push(`${new Date(t0 + k * 300_000).toISOString()},${cpu},${k >= 300 && k < 306 ? 99 : 50 + (k % 5)}`);
  }
  writeFileSync(join(dir, 'data.csv'), lines.join('\n') + '\n');
  const a = await run(dir, {}, 'analyze', join(dir, 'data.csv'), '--format', 'json', '--out', 'results.json');
  assert.equal(a.code, 0, a.err);
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).incidents;
}

test('send --format email: one message with every incident, text and HTML parts, data escaped, credentials used and never shown; --history dedups the next send', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-email-'));
  const incidents = await results(dir);
  assert.ok(incidents.length >= 2, `${incidents.length} incidents`);
  const smtp = await startSmtp({ user: 'alerts@example.com', pass: PASS });
  try {
    const env = { ANOMALY_HUNTER_SMTP_URL: `smtp://alerts%40example.com:${encodeURIComponent(PASS)}@127.0.0.1:${smtp.port}` };
    const r = await run(dir, env, 'send', 'results.json', '--format', 'email', '--to', 'ops@example.com,oncall@example.org', '--history', 'h.db');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `delivered ${incidents.length} incidents in 1 email to ops@example.com, oncall@example.org through smtp://127.0.0.1:${smtp.port}/***\n`);
    assert.equal(smtp.received.length, 1);
    const m = smtp.received[0];
    assert.equal(m.user, 'alerts@example.com', 'logged in with the URL\'s credentials');
    assert.equal(m.from, 'alerts@example.com');
    assert.deepEqual(m.to, ['ops@example.com', 'oncall@example.org']);
    assert.match(m.raw, new RegExp(`^Subject: Anomaly Hunter: ${incidents.length} incidents`, 'm'));
    const parts = mimeParts(m.raw);
    assert.deepEqual(Object.keys(parts).sort(), ['text/html', 'text/plain']);
    for (const i of incidents) {
      assert.ok(parts['text/plain'].includes(i.summary), `text has "${i.summary}"`);
      assert.ok(parts['text/plain'].includes(i.id));
    }
    assert.ok(parts['text/plain'].includes(METRIC), 'the text part keeps the name as it is');
    assert.ok(parts['text/html'].includes('&lt;img src=x onerror=alert(1)&gt;&amp;cpu'), 'the HTML part escapes it');
    assert.ok(!parts['text/html'].includes('<img'), 'no markup from the data');
    for (const secret of [PASS, encodeURIComponent(PASS)]) {
      assert.ok(!m.raw.includes(secret) && !r.out.includes(secret) && !r.err.includes(secret));
    }

    // The same recipients (in another order and case) are the same destination.
    const again = await run(dir, env, 'send', 'results.json', '--format', 'email', '--to', 'Oncall@example.org,ops@example.com', '--history', 'h.db');
    assert.equal(again.code, 0, again.err);
    assert.equal(again.out, `nothing to send: skipped ${incidents.length} already sent\n`);
    assert.equal(smtp.received.length, 1);
    const rows = await withHistory(join(dir, 'h.db'), (db) => all(db, 'SELECT outcome, channel, destination FROM deliveries ORDER BY id'), { write: false });
    assert.deepEqual(rows.map((x) => x.outcome), [...Array(incidents.length).fill('sent'), ...Array(incidents.length).fill('deduplicated')]);
    assert.ok(rows.every((x) => x.channel === 'email' && x.destination === `smtp://127.0.0.1:${smtp.port}/***`));
    assert.ok(!readFileSync(join(dir, 'h.db')).includes(PASS.slice(0, 6)));
  } finally {
    await smtp.close();
  }
});

test('send --format email: a refused connection, a 5xx and a 4xx reply give one error line, exit 1, and nothing recorded as sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-email-'));
  const incidents = await results(dir);
  const closed = await startSmtp();
  const port = closed.port;
  await closed.close();
  const reject = await startSmtp({ extra: { onRcptTo: (_a, _s, cb) => cb(Object.assign(new Error('5.1.1 <ops@example.com>: mailbox unavailable'), { responseCode: 550 })) } });
  const busy = await startSmtp({ extra: { onData: (stream, _s, cb) => { stream.resume(); stream.on('end', () => cb(Object.assign(new Error('4.3.2 try again later'), { responseCode: 451 }))); } } });
  try {
    const cases: [number, RegExp][] = [
      [port, new RegExp(`^anomaly-hunter send: error: not delivered through smtp://127\\.0\\.0\\.1:${port}: the SMTP server at 127\\.0\\.0\\.1:${port} refused the connection$`, 'm')],
      [reject.port, /^anomaly-hunter send: error: not delivered through .*: the SMTP server at 127\.0\.0\.1:\d+ replied 550 5\.1\.1 <ops@example\.com>: mailbox unavailable/m],
      [busy.port, /^anomaly-hunter send: error: not delivered through .*: the SMTP server at 127\.0\.0\.1:\d+ replied 451 4\.3\.2 try again later/m],
    ];
    for (const [p, expected] of cases) {
      const r = await run(dir, { ANOMALY_HUNTER_SMTP_URL: `smtp://127.0.0.1:${p}` }, 'send', 'results.json', '--format', 'email', '--to', 'ops@example.com', '--history', 'h.db');
      assert.equal(r.code, 1, r.out);
      assert.match(r.err, expected);
      assert.equal(r.err.split('\n').filter((l) => l.includes('error')).length, 1, r.err);
      assert.equal(r.out, '');
    }
    const rows = await withHistory(join(dir, 'h.db'), (db) => all(db, 'SELECT outcome, reason FROM deliveries ORDER BY id'), { write: false });
    assert.equal(rows.length, 3 * incidents.length);
    assert.ok(rows.every((x) => x.outcome === 'failed'), 'nothing marked sent');
    assert.match(String(rows[0].reason), /refused the connection/);
    assert.match(String(rows[incidents.length].reason), /550/);
    // A failed send leaves nothing to dedup: the next send tries again.
    assert.equal(reject.received.length + busy.received.length, 0);
  } finally {
    await reject.close();
    await busy.close();
  }
});

test('send --format email: usage errors for a missing or bad --to and SMTP URL, without repeating the password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-email-'));
  await results(dir);
  const url = { ANOMALY_HUNTER_SMTP_URL: `smtp://u:${encodeURIComponent(PASS)}@127.0.0.1:1` };
  const noTo = await run(dir, url, 'send', 'results.json', '--format', 'email');
  assert.equal(noTo.code, 2);
  assert.match(noTo.err, /--format email needs --to ADDRESS/);
  const badTo = await run(dir, url, 'send', 'results.json', '--format', 'email', '--to', 'ops@example.com\r\nBcc: x@evil.example');
  assert.equal(badTo.code, 2);
  assert.match(badTo.err, /is not an email address/);
  const noUrl = await run(dir, {}, 'send', 'results.json', '--format', 'email', '--to', 'ops@example.com');
  assert.equal(noUrl.code, 2);
  assert.match(noUrl.err, /no SMTP server: set ANOMALY_HUNTER_SMTP_URL/);
  const http = await run(dir, { ANOMALY_HUNTER_SMTP_URL: `https://u:${PASS}@mail.example.com` }, 'send', 'results.json', '--format', 'email', '--to', 'ops@example.com');
  assert.equal(http.code, 2);
  assert.match(http.err, /must be smtp:\/\/ \(STARTTLS\) or smtps:\/\/ \(TLS\), got https/);
  assert.ok(!http.err.includes('p@ss'));
  const toWebhook = await run(dir, url, 'send', 'results.json', '--format', 'slack', '--to', 'ops@example.com');
  assert.equal(toWebhook.code, 2);
  const dry = await run(dir, url, 'send', 'results.json', '--format', 'email', '--to', 'ops@example.com', '--dry-run');
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /^Subject: Anomaly Hunter: \d+ incidents/);
  assert.match(dry.err, /nothing sent through smtp:\/\/127\.0\.0\.1:1\/\*\*\*/);
});

test('send --format email: a refused login is one error line naming the server, never the credentials, and nothing is recorded as sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-email-'));
  await results(dir);
  const smtp = await startSmtp({ user: 'alerts@example.com', pass: PASS });
  try {
    const wrong = 'not-the-Passw0rd';
    const env = { ANOMALY_HUNTER_SMTP_URL: `smtp://alerts%40example.com:${wrong}@127.0.0.1:${smtp.port}` };
    const r = await run(dir, env, 'send', 'results.json', '--format', 'email', '--to', 'ops@example.com', '--history', 'h.db');
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`error: not delivered through smtp://127\\.0\\.0\\.1:${smtp.port}/\\*\\*\\*: the SMTP server at 127\\.0\\.0\\.1:${smtp.port} refused the login: 535`));
    assert.ok(!r.err.includes(wrong) && !r.out.includes(wrong));
    assert.equal(smtp.received.length, 0);
    const rows = await withHistory(join(dir, 'h.db'), (db) => all(db, 'SELECT DISTINCT outcome FROM deliveries'), { write: false });
    assert.deepEqual(rows.map((x) => x.outcome), ['failed']);
  } finally {
    await smtp.close();
  }
});

test('the default sender: the login when it is an address, else anomaly-hunter@ the server, an IPv4 server as an address literal', async () => {
  const { checkSmtpUrl, senderAddress } = await import('../../src/core/alerting/email.ts');
  const from = (url: string, setting?: string) => {
    const c = checkSmtpUrl(url);
    assert.ok(c.ok);
    const s = senderAddress(c.target, setting);
    return s.ok ? s.from : s.reason;
  };
  assert.equal(from('smtp://127.0.0.1:2525'), 'anomaly-hunter@[127.0.0.1]');
  assert.equal(from('smtps://alerts:pw@mail.example.com'), 'anomaly-hunter@mail.example.com');
  assert.equal(from('smtps://ops%40example.com:pw@mail.example.com'), 'ops@example.com');
  assert.equal(from('smtp://127.0.0.1:2525', 'noc@example.org'), 'noc@example.org');
});

test('the email\'s HTML: headers padded as their cells, times as the product writes them, the score under its header, every value escaped', () => {
  const hostile = '<b onclick=x>"q"&\'';
  const incident = (start: string | null, end: string | null, score: number): Incident => ({
    id: `${start ?? 'row3'}/${hostile}`, start, end, startRow: 3, endRow: start !== null && start === end ? 3 : 9, peakRow: 3, score, severity: 'critical',
    detectors: ['iforest', 'rule'], metrics: [{ metric: hostile, share: 1 }], rules: [hostile], summary: `${hostile} 413 for 1m`, count: 2,
  });
  const m = incidentEmail([
    incident('2024-01-01T03:20:00.000Z', '2024-01-01T03:20:00.000Z', 100),
    incident('2024-01-01T23:50:00.000+02:00', '2024-01-02T00:30:00.000+02:00', 97.7),
    incident(null, null, 91),
  ], `${hostile}.csv`);
  const heads = [...m.html.matchAll(/<th style="([^"]*)">([^<]*)<\/th>/g)];
  assert.deepEqual(heads.map((h) => h[2]), ['Severity', 'Score', 'When', 'Summary', 'Metrics', 'Found by']);
  const cellPad = /<td style="(padding:[^;"]*)/.exec(m.html)![1];
  for (const h of heads) assert.ok(h[1].includes(cellPad), `header ${h[2]} padded as its cells (${cellPad}): ${h[1]}`);
  const rows = m.html.split('\n').filter((l) => l.startsWith('<tr><td'));
  const cells = rows.map((r) => [...r.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1].replace(/<[^>]*>/g, '')));
  assert.deepEqual(cells.map((c) => c.slice(0, 3)), [
    ['critical', '100', '2024-01-01 03:20 UTC'],
    ['critical', '97.7', '2024-01-01 23:50 → 2024-01-02 00:30 +02:00'],
    ['critical', '91', 'rows 3–9'],
  ]);
  assert.ok(!/\d{2}:\d{2}:\d{2}\.\d{3}/.test(m.html), 'no ISO time with milliseconds');
  assert.ok(m.text.includes('[critical] score 100 · 2024-01-01 03:20 UTC'), m.text);
  // The data stays text: every value escaped, in the title, the cells and the heading line.
  assert.ok(!m.html.includes('<b '), 'no markup from the data');
  assert.equal(m.html.split(escapeHtml(hostile)).length - 1, 1 + 1 + 3 * 3, 'the source in the title and the heading, each row\'s summary, metrics and rule');
});
