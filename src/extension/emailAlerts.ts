import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { AnalysisResult } from '../core/analysisResult.ts';
import { emailDestinationKey } from '../core/alerting/destination.ts';
import { checkAddressList, checkSmtpUrl, incidentEmail, senderAddress, SMTP_URL_ENV } from '../core/alerting/email.ts';
import type { SmtpTarget } from '../core/alerting/email.ts';
import { describeSkips } from '../core/alerting/send.ts';
import { incidentIdentity, recordDelivered, selectBy } from '../core/alerting/throttle.ts';
import { viewOf } from '../core/incidents/analysisView.ts';
import type { RulesFile } from '../core/rules/model.ts';
import { sendEmail } from '../node/smtp.ts';
import { alertPolicy, withAlertState } from './alertState.ts';
import type { Ctx } from './ctx.ts';
import { sourceOf } from './historySource.ts';
import { deliveryRecords } from '../core/history/deliveries.ts';
import { maskUrl } from '../core/alerting/url.ts';
import { readSettings } from './settings.ts';
import type { WebhookReport } from './webhook.ts';

const SECRET_KEY = 'anomalyHunter.smtpUrl';
/** How the input box and its errors name what is asked for. */
const NAME = 'the SMTP URL';

/** The SMTP server URL (with its password): VS Code's secret storage first, then the environment variable. Never logged. */
export async function smtpUrl(ctx: Ctx): Promise<string | undefined> {
  return (await ctx.ext.secrets.get(SECRET_KEY)) || process.env[SMTP_URL_ENV] || undefined;
}

/** The server as it may be shown: scheme, host and port, never the user or the password. */
export function serverName(t: SmtpTarget): string {
  return `${t.secure ? 'smtps' : 'smtp'}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

/** `anomalyHunter.setSmtpUrl`: asks for smtp(s)://user:password@host:port (password box), checks it, keeps it in SecretStorage. */
export async function setSmtpUrl(ctx: Ctx): Promise<void> {
  const raw = await vscode.window.showInputBox({
    title: 'Anomaly Hunter: SMTP Server',
    prompt: 'smtp://user:password@host:587 (STARTTLS, required unless the host is this machine) or smtps://user:password@host:465 (TLS). Stored in VS Code\'s secret storage, never in settings. Encode @ : / in the password as %40 %3A %2F.',
    placeHolder: 'smtps://alerts%40example.com:password@smtp.example.com:465',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => {
      if (!v.trim()) return 'Enter the server\'s URL (smtp:// or smtps://).';
      const c = checkSmtpUrl(v, NAME);
      return c.ok ? null : c.reason;
    },
  });
  if (raw === undefined) return;
  const check = checkSmtpUrl(raw, NAME);
  if (!check.ok) return;
  await ctx.ext.secrets.store(SECRET_KEY, raw.trim());
  const name = serverName(check.target);
  ctx.log.info(`SMTP server set (${name})`);
  void vscode.window.showInformationMessage(`Anomaly Hunter: SMTP server saved (${name}).`);
}

/** `anomalyHunter.clearSmtpUrl`. */
export async function clearSmtpUrl(ctx: Ctx): Promise<void> {
  await ctx.ext.secrets.delete(SECRET_KEY);
  ctx.log.info('SMTP server cleared');
  void vscode.window.showInformationMessage('Anomaly Hunter: SMTP server removed from secret storage.');
}

/**
 * Sends an analysis's incidents as ONE email (plain text and escaped HTML, core/alerting/email.ts) to
 * anomalyHunter.email.to through the SMTP server in secret storage, with the webhook's minimum severity and
 * throttle (the rules file's `alerts.webhook`, else the settings) and its own dedup: what was sent to these
 * recipients is not sent to them again. Nothing in an untrusted workspace; on a failure nothing is marked sent.
 */
export async function sendEmailAlert(ctx: Ctx, result: AnalysisResult, rules: RulesFile | null): Promise<WebhookReport> {
  if (!vscode.workspace.isTrusted) return { ok: false, text: 'Email is not sent from an untrusted workspace (Workspace Trust).' };
  const cfg = readSettings();
  if (!cfg.emailTo.length) return { ok: false, text: 'No recipients: set anomalyHunter.email.to (a list of addresses).' };
  const to = checkAddressList(cfg.emailTo, 'anomalyHunter.email.to');
  if (!to.ok) return { ok: false, text: to.reason };
  const url = await smtpUrl(ctx);
  if (!url) return { ok: false, text: `No SMTP server: run "Anomaly Hunter: Set SMTP Server…" or set ${SMTP_URL_ENV}.` };
  const check = checkSmtpUrl(url, NAME);
  if (!check.ok) return { ok: false, text: `SMTP server refused: ${check.reason}` };
  const target = check.target;
  const sender = senderAddress(target, cfg.emailFrom || undefined);
  if (!sender.ok) return { ok: false, text: sender.reason.replace(/^\S+:/, 'anomalyHunter.email.from:') };
  const policy = alertPolicy(cfg, rules);
  const { incidents } = viewOf(result);
  const name = serverName(target);
  return withAlertState<WebhookReport>(ctx, emailDestinationKey(to.to), async (state) => {
    const now = Date.now();
    const sel = selectBy(incidents, incidentIdentity, {
      minSeverity: policy.minSeverity,
      throttleMs: policy.throttleMs,
      state,
      now,
    });
    const skipped = describeSkips({ ...sel.skipped, 'over-limit': 0 });
    // The history keeps what happened to each incident's email (sent, throttled, deduplicated, failed and why).
    const record = (delivered: number, reason?: string): void => {
      void ctx.history.recordDeliveries(deliveryRecords(incidents, {
        minSeverity: policy.minSeverity, throttleMs: policy.throttleMs, state, now,
        planned: sel.send.length ? [sel.send.map((x) => x.fingerprint)] : [], delivered, reason,
        channel: 'email', destination: maskUrl(url), destinationKey: emailDestinationKey(to.to), source: sourceOf(vscode.Uri.file(result.input.path)),
      }));
    };
    if (!sel.send.length) {
      record(0);
      return { out: { ok: true, text: `Nothing to send${skipped ? `: ${skipped}` : ''}` }, state };
    }
    const message = incidentEmail(sel.send.map((s) => s.item), basename(result.input.path));
    const outcome = await sendEmail(url, target, { from: sender.from, to: to.to, message });
    record(outcome.ok ? 1 : 0, outcome.ok ? undefined : outcome.reason);
    if (!outcome.ok) {
      ctx.log.warn(`email through ${name} not delivered: ${outcome.reason ?? 'failed'}`);
      return { out: { ok: false, text: `Email not sent: ${outcome.reason ?? 'failed'}` }, state };
    }
    const n = sel.send.length;
    ctx.log.info(`email through ${name}: ${n} incident${n === 1 ? '' : 's'} to ${to.to.length} recipient${to.to.length === 1 ? '' : 's'}${skipped ? `; ${skipped}` : ''}`);
    return { out: { ok: true, text: `Email sent ✓ (${n} incident${n === 1 ? '' : 's'} to ${to.to.join(', ')})` }, state: recordDelivered(state, sel.send, now) };
  });
}
