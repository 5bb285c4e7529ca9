/**
 * Sends one email through an SMTP server with nodemailer (a well-kept, dependency-free mail library: STARTTLS,
 * TLS, AUTH, MIME multipart/alternative and header encoding are its job, not ours). Resolves, never rejects;
 * a failure's reason is one line that never holds the URL's user or password.
 */
import { oneLine } from '../core/format.ts';
import type { EmailMessage, SmtpTarget } from '../core/alerting/email.ts';
import { scrubUrl } from '../core/alerting/url.ts';

export interface SmtpOutcome {
  ok: boolean;
  /** Why it was not sent (scrubbed of the URL's secrets). */
  reason?: string;
}

/** Options of sendEmail. */
export interface SmtpOptions {
  /** Connect, greeting and socket-idle timeout, ms. @default 20000 */
  timeoutMs?: number;
  /** Extra trusted CA certificates (PEM), for a server with a private CA. */
  ca?: string;
}

export async function sendEmail(rawUrl: string, target: SmtpTarget, mail: { from: string; to: string[]; message: EmailMessage }, opts: SmtpOptions = {}): Promise<SmtpOutcome> {
  const timeout = opts.timeoutMs ?? 20_000;
  // Loaded when a mail is sent: a large library every other command would otherwise load (and the bundles
  // load it from its own file, dist/nodemailer.js: see esbuild.mjs).
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: target.host, port: target.port, secure: target.secure, requireTLS: target.requireTLS,
    auth: target.user ? { user: target.user, pass: target.pass } : undefined,
    connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout,
    tls: opts.ca ? { ca: opts.ca } : undefined,
    disableFileAccess: true, disableUrlAccess: true,
  });
  try {
    await transport.sendMail({ from: mail.from, to: mail.to, subject: mail.message.subject, text: mail.message.text, html: mail.message.html });
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: scrubUrl(describe(e as Error & { code?: string; responseCode?: number; response?: string; command?: string }, target), rawUrl) };
  } finally {
    transport.close();
  }
}

function describe(e: Error & { code?: string; responseCode?: number; response?: string; command?: string }, t: SmtpTarget): string {
  const where = `${t.host}:${t.port}`;
  const reply = e.response ? oneLine(e.response).slice(0, 300) : '';
  if (e.code === 'ECONNECTION' || /ECONNREFUSED/.test(e.message)) return `the SMTP server at ${where} refused the connection`;
  if (e.code === 'ETIMEDOUT') return `the SMTP server at ${where} did not answer in time`;
  if (e.code === 'EDNS') return `the SMTP server's host ${t.host} was not found`;
  if (e.code === 'EAUTH') return `the SMTP server at ${where} refused the login${reply ? `: ${reply}` : ''}`;
  if (e.code === 'ETLS') return `TLS with the SMTP server at ${where} failed: ${oneLine(e.message)}`;
  if (e.responseCode) return `the SMTP server at ${where} replied ${reply || e.responseCode}${e.command ? ` (to ${e.command})` : ''}`;
  return `sending through the SMTP server at ${where} failed: ${oneLine(e.message)}`;
}

