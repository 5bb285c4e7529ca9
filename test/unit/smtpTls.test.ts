import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSmtpUrl } from '../../src/core/alerting/email.ts';
import { sendEmail } from '../../src/node/smtp.ts';
import { startSmtp } from './smtpServer.ts';

/** A self-signed certificate for 127.0.0.1 made with openssl (Debian package openssl), or null without it. */
function certificate(): { key: string; cert: string } | null {
  const dir = mkdtempSync(join(tmpdir(), 'ah-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}

const tls = certificate();
// CI must run these (apt package openssl); elsewhere they are skipped with the reason.
if (process.env.CI) assert.ok(tls, 'openssl is needed for the SMTP TLS tests (apt-get install openssl)');
const message = { subject: 's', text: 't', html: '<p>t</p>' };

test('checkSmtpUrl: smtps is TLS from the start, smtp:// requires STARTTLS except on this machine', () => {
  const remote = checkSmtpUrl('smtp://u:p%40ss@mail.example.com');
  assert.ok(remote.ok);
  assert.deepEqual(remote.target, { host: 'mail.example.com', port: 587, secure: false, requireTLS: true, user: 'u', pass: 'p@ss' });
  const tlsUrl = checkSmtpUrl('smtps://mail.example.com');
  assert.ok(tlsUrl.ok && tlsUrl.target.secure && tlsUrl.target.port === 465 && !tlsUrl.target.requireTLS);
  const local = checkSmtpUrl('smtp://localhost:2525');
  assert.ok(local.ok && !local.target.requireTLS && local.target.port === 2525);
});

test('smtps:// and STARTTLS: the message goes over TLS to a real server, credentials and all', { skip: tls ? false : 'openssl not installed' }, async () => {
  for (const secure of [true, false]) {
    const server = await startSmtp({ user: 'u', pass: 'pw', extra: { secure, key: tls!.key, cert: tls!.cert, disabledCommands: [], allowInsecureAuth: false } });
    try {
      const url = `${secure ? 'smtps' : 'smtp'}://u:pw@127.0.0.1:${server.port}`;
      const check = checkSmtpUrl(url);
      assert.ok(check.ok);
      // requireTLS as for a remote host: the login must not happen before STARTTLS.
      const r = await sendEmail(url, { ...check.target, requireTLS: !secure }, { from: 'a@example.com', to: ['b@example.com'], message }, { ca: tls!.cert, timeoutMs: 5000 });
      assert.deepEqual(r, { ok: true });
      assert.equal(server.received.length, 1);
      assert.equal(server.received[0].user, 'u');
      assert.equal(server.received[0].secure, true, `${secure ? 'smtps' : 'STARTTLS'}: the session was encrypted`);
    } finally {
      await server.close();
    }
  }
  // An untrusted certificate is refused: one line, nothing sent.
  const server = await startSmtp({ extra: { secure: true, key: tls!.key, cert: tls!.cert } });
  try {
    const url = `smtps://127.0.0.1:${server.port}`;
    const check = checkSmtpUrl(url);
    assert.ok(check.ok);
    const r = await sendEmail(url, check.target, { from: 'a@example.com', to: ['b@example.com'], message }, { timeoutMs: 5000 });
    assert.equal(r.ok, false);
    assert.match(r.reason!, /self[- ]signed|certificate/i);
    assert.equal(server.received.length, 0);
  } finally {
    await server.close();
  }
});
