// Incident alerts by email in a real VS Code, through a real SMTP server (smtp-server, from the nodemailer
// project) on loopback with a login: the SMTP URL is typed into "Set SMTP Server…", the recipients are a setting,
// and the dashboard's Send button (anomalyHunter.alertDestination: email) sends. Screenshots go to
// .vscode-test/runs/email/shots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { findFiles, notification, openFile, openWorkbench, prepareRun, runCommand, webview } from './harness.mjs';
import { sampleWorkspace } from './workspace.mjs';

const USER = 'alerts@example.com';
const PASS = 'Sm7p-s3cret:p@ss';
const METRIC = '<img src=x onerror=alert(1)>&cpu';
const received = [];
/** The next DATA is refused with this reply (a full mailbox, a policy), then the server accepts again. */
let refuseNext = null;
let smtp, port, dirs, page, close, view;

before(async () => {
  smtp = new SMTPServer({
    logger: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === USER && auth.password === PASS) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        if (refuseNext) {
          const reply = refuseNext;
          refuseNext = null;
          cb(Object.assign(new Error(reply.text), { responseCode: reply.code }));
          return;
        }
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), user: session.user, raw: Buffer.concat(chunks).toString('utf8') });
        cb();
      });
    },
  });
  await new Promise((r) => smtp.listen(0, '127.0.0.1', r));
  port = smtp.server.address().port;

  const ws = sampleWorkspace();
  // A CSV whose metric name is HTML: the email's HTML part must show it as text.
  fs.writeFileSync(path.join(ws, 'sample-data/hostile.csv'), `timestamp,"${METRIC}",memory\n`
    + Array.from({ length: 400 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1) + i * 60000).toISOString()},${(i % 17) + (i === 200 ? 400 : 0)},${50 + (i % 5)}`).join('\n') + '\n');
  dirs = prepareRun('email', {
    workspace: ws,
    settings: {
      'workbench.colorTheme': 'Default Dark Modern',
      'anomalyHunter.alertDestination': 'email',
      'anomalyHunter.email.to': ['ops@example.com', 'oncall@example.org'],
    },
  });
  ({ page, close } = await openWorkbench(dirs, 'sample-data'));
  view = webview(page);
});

after(async () => {
  await close?.();
  await new Promise((r) => (smtp ? smtp.close(r) : r()));
});

/** The decoded parts of a multipart message by content type. */
function mimeParts(raw) {
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)?.[1];
  assert.ok(boundary, 'a multipart message');
  const out = {};
  for (const part of raw.split(`--${boundary}`).slice(1, -1)) {
    const split = part.indexOf('\r\n\r\n');
    const head = part.slice(0, split), body = part.slice(split + 4).replace(/\r\n$/, '');
    const type = /content-type:\s*([^;\r\n]+)/i.exec(head)?.[1].trim().toLowerCase() ?? '';
    const enc = /content-transfer-encoding:\s*(\S+)/i.exec(head)?.[1].toLowerCase() ?? '7bit';
    let text = body;
    if (enc === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    else if (enc === 'quoted-printable') {
      text = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
    }
    out[type] = text.replace(/\r\n/g, '\n');
  }
  return out;
}

/** Runs a command that opens an input box at once (runCommand waits for the quick input to close). */
async function startCommand(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill('>' + title);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first().click();
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'SMTP Server' }).waitFor({ timeout: 30_000 });
  return input;
}

async function analyzed() {
  await view.locator('.busy[hidden]').waitFor({ state: 'attached', timeout: 120_000 });
  await view.locator('[data-testid="anomaly-row"]').first().waitFor({ timeout: 60_000 });
  await view.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 60_000 });
}

/** Every text the workbench and the extension's log show, to look for the password in. */
function shownEverywhere() {
  const logs = findFiles(dirs.ud, /\.log$/).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  const settings = findFiles(dirs.ud, /settings\.json$/).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  return { logs, settings };
}

test('Set SMTP Server… refuses a bad URL in the input box, stores a good one and shows only the server', async () => {
  const input = await startCommand('Anomaly Hunter: Set SMTP Server…');
  assert.equal(await input.getAttribute('type'), 'password', 'the URL holds a password: typed hidden');
  await input.fill(`https://${USER}:x@mail.example.com`);
  await page.locator('.quick-input-widget .quick-input-message', { hasText: 'must be smtp:// (STARTTLS) or smtps:// (TLS)' }).waitFor({ timeout: 15_000 });
  await page.screenshot({ path: path.join(dirs.shots, '01-smtp-url-refused.png') });
  await input.fill(`smtp://${encodeURIComponent(USER)}:${encodeURIComponent(PASS)}@127.0.0.1:${port}`);
  await page.keyboard.press('Enter');
  const saved = notification(page, 'SMTP server saved');
  await saved.waitFor({ timeout: 30_000 });
  assert.equal(await saved.textContent(), `Anomaly Hunter: SMTP server saved (smtp://127.0.0.1:${port}).`);
  await page.screenshot({ path: path.join(dirs.shots, '02-smtp-url-saved.png') });
});

test('the dashboard\'s Send button emails the sample\'s incidents: one message, the incidents of the table, logged in, sent once', async () => {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'sample-data' }).first().click();
  await openFile(page, 'stream.csv');
  await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  await analyzed();
  const send = view.locator('[data-testid="send-webhook"]');
  assert.equal((await send.textContent()).trim(), 'Send by email', 'the button says where it sends');
  const ids = await view.locator('[data-testid="anomaly-row"][data-kind="incident"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-incident')));
  assert.ok(ids.length >= 2, `${ids.length} incidents in the table`);

  await send.click();
  const notice = view.locator('[data-testid="notice"]', { hasText: 'Email sent ✓' });
  await notice.waitFor({ timeout: 60_000 });
  assert.equal(await notice.textContent(), `Email sent ✓ (${ids.length} incidents to ops@example.com, oncall@example.org)`);
  await page.screenshot({ path: path.join(dirs.shots, '03-email-sent.png') });
  assert.equal(received.length, 1, 'one message for the batch');
  const m = received[0];
  assert.equal(m.user, USER, 'logged in with the stored credentials');
  assert.deepEqual(m.to, ['ops@example.com', 'oncall@example.org']);
  assert.match(m.raw, new RegExp(`^Subject: Anomaly Hunter: ${ids.length} incidents`, 'm'));
  const parts = mimeParts(m.raw);
  assert.deepEqual(Object.keys(parts).sort(), ['text/html', 'text/plain']);
  for (const id of ids) assert.ok(parts['text/plain'].includes(`id: ${id}`), `${id} in the text part`);
  assert.ok(!m.raw.includes(PASS) && !m.raw.includes(encodeURIComponent(PASS)));

  // The same incidents to the same recipients: nothing goes out again.
  await send.click();
  await view.locator('[data-testid="notice"]', { hasText: 'Nothing to send' }).waitFor({ timeout: 30_000 });
  assert.match(await view.locator('[data-testid="notice"]').textContent(), new RegExp(`^Nothing to send: skipped .*\\b${ids.length} already sent$`));
  assert.equal(received.length, 1);
});

test('a refused message gives one clear error without the password, nothing is marked sent, and the next send delivers; the HTML part escapes the data', async () => {
  await openFile(page, 'hostile.csv');
  await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  await view.locator('.header h1', { hasText: 'hostile.csv' }).waitFor({ timeout: 60_000 });
  await analyzed();
  refuseNext = { code: 552, text: 'Mailbox full' };
  await runCommand(page, 'Notifications: Clear All Notifications');
  // From the command palette this time: the error is a notification.
  await runCommand(page, 'Anomaly Hunter: Send Incidents to Alert Destination');
  const error = notification(page, 'Email not sent');
  await error.waitFor({ timeout: 60_000 });
  const text = await error.textContent();
  assert.match(text, new RegExp(`^Anomaly Hunter: Email not sent: the SMTP server at 127\\.0\\.0\\.1:${port} replied 552 Mailbox full`));
  assert.ok(!text.includes(PASS) && !text.includes('Sm7p') && !text.includes(USER.split('@')[0] + ':'), text);
  await page.waitForTimeout(800); // the toast's fade-in
  await page.screenshot({ path: path.join(dirs.shots, '04-email-refused.png') });
  assert.equal(received.length, 1, 'nothing arrived');

  await view.locator('[data-testid="send-webhook"]').click();
  await view.locator('[data-testid="notice"]', { hasText: 'Email sent ✓' }).waitFor({ timeout: 60_000 });
  assert.equal(received.length, 2, 'what failed was not marked sent: it goes now');
  const parts = mimeParts(received[1].raw);
  assert.ok(parts['text/plain'].includes(METRIC), 'the text part keeps the name as it is');
  assert.ok(parts['text/html'].includes('&lt;img src=x onerror=alert(1)&gt;&amp;cpu'), 'the HTML part escapes it');
  assert.ok(!parts['text/html'].includes('<img'), 'no markup from the data');
  assert.match(received[1].raw, /^Subject: Anomaly Hunter: .* in hostile\.csv/m);
  // The email as a mail reader shows it: the data's markup is text, no element of it exists.
  const mail = await page.context().newPage();
  try {
    await mail.setViewportSize({ width: 900, height: 300 });
    await mail.setContent(parts['text/html']);
    assert.equal(await mail.locator('img').count(), 0);
    assert.match(await mail.locator('table').innerText(), /<img src=x onerror=alert\(1\)>&cpu/);
    await mail.screenshot({ path: path.join(dirs.shots, '05-email-html.png') });
  } finally {
    await mail.close();
  }
});

test('the password is nowhere: not in settings, not in the logs', async () => {
  const { logs, settings } = shownEverywhere();
  for (const secret of [PASS, encodeURIComponent(PASS)]) {
    assert.ok(!settings.includes(secret), 'not in settings');
    assert.ok(!logs.includes(secret), 'not in the logs');
  }
  assert.match(logs, new RegExp(`SMTP server set \\(smtp://127\\.0\\.0\\.1:${port}\\)`), 'the log names the server only');
});
