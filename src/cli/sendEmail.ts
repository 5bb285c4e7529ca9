import { basename } from 'node:path';
import { checkRecipients, checkSmtpUrl, incidentEmail, senderAddress, SMTP_FROM_ENV, SMTP_URL_ENV } from '../core/alerting/email.ts';
import { emailDestinationKey } from '../core/alerting/destination.ts';
import type { SmtpTarget } from '../core/alerting/email.ts';
import { describeSkips } from '../core/alerting/send.ts';
import { incidentIdentity, selectBy } from '../core/alerting/throttle.ts';
import { maskUrl } from '../core/alerting/url.ts';
import type { Incident } from '../core/incidents/incidents.ts';
import type { Severity } from '../core/severity.ts';
import { sendEmail } from '../node/smtp.ts';
import type { CommandContext } from './command.ts';
import { UsageError } from '../node/errors.ts';
import { sendWithHistory } from './sendHistory.ts';
import type { SendDone } from './sendHistory.ts';

export interface EmailSendOptions {
  incidents: readonly Incident[];
  to: string | undefined;
  minSeverity: Severity;
  dryRun: boolean;
  /** --history FILE, if given. */
  history: string | undefined;
  /** The data's path (the results file's meta.input.path), when known. */
  source: string | null;
  /** SMTP timeouts, ms (tests). */
  timeoutMs?: number;
}

/**
 * `send --format email`: the incidents at or above the minimum severity that were not sent before (the same
 * dedup as webhooks: by incident id, across runs through --history) go out as ONE message with a plain-text and
 * an HTML part, through the server in ANOMALY_HUNTER_SMTP_URL. Resolves to the exit code: 0 delivered or
 * nothing to send, 1 not delivered (one error line; nothing recorded as sent).
 */
export async function sendIncidentsByEmail(ctx: CommandContext, o: EmailSendOptions): Promise<number> {
  const to = checkRecipients(o.to);
  if (!to.ok) throw new UsageError(to.reason);
  const rawUrl = ctx.env[SMTP_URL_ENV] ?? '';
  let target: SmtpTarget | null = null;
  if (!o.dryRun || rawUrl.trim()) {
    const check = checkSmtpUrl(rawUrl);
    if (!check.ok) throw new UsageError(check.reason);
    target = check.target;
  }
  const destination = rawUrl.trim() ? maskUrl(rawUrl) : 'smtp';
  const sendTarget = { channel: 'email', destination, destinationKey: emailDestinationKey(to.to), source: o.source };
  let from = '';
  if (!o.dryRun) {
    const sender = senderAddress(target!, ctx.env[SMTP_FROM_ENV]);
    if (!sender.ok) throw new UsageError(sender.reason);
    from = sender.from;
  }
  // Dry runs read no history and record nothing.
  return sendWithHistory(ctx, o.dryRun ? undefined : o.history, o.incidents, sendTarget, async (state, now) => {
    const sel = selectBy(o.incidents, incidentIdentity, { minSeverity: o.minSeverity, state, now });
    const skipped = describeSkips({ ...sel.skipped, 'over-limit': 0 });
    const selected = sel.send.map((s) => s.item);
    const done = (delivered: number, reason?: string): SendDone => (o.dryRun ? null : {
      minSeverity: o.minSeverity, state, now, planned: selected.length ? [sel.send.map((s) => s.fingerprint)] : [], delivered, reason,
    });
    if (!selected.length) {
      ctx.stdout(`nothing to send${skipped ? `: ${skipped}` : ''}\n`);
      return { out: 0, done: done(0) };
    }
    const message = incidentEmail(selected, o.source === null ? null : basename(o.source));
    if (o.dryRun) {
      ctx.stdout(`Subject: ${message.subject}\n\n${message.text}`);
      ctx.stderr(`dry run: ${selected.length} of ${o.incidents.length} incidents in 1 email to ${to.to.join(', ')}${skipped ? `; ${skipped}` : ''}; nothing sent${rawUrl.trim() ? ` through ${destination}` : ''}\n`);
      return { out: 0, done: null };
    }
    const outcome = await sendEmail(rawUrl, target!, { from, to: to.to, message }, { timeoutMs: o.timeoutMs });
    if (!outcome.ok) {
      ctx.stderr(`anomaly-hunter send: error: not delivered through ${destination}: ${outcome.reason}\n`);
      return { out: 1, done: done(0, outcome.reason) };
    }
    ctx.stdout(`delivered ${selected.length} incident${selected.length === 1 ? '' : 's'} in 1 email to ${to.to.join(', ')} through ${destination}${skipped ? `; ${skipped}` : ''}\n`);
    return { out: 0, done: done(1) };
  });
}
