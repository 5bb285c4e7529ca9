/**
 * Incident alerts by email (issue 19): the SMTP URL's checks and one message per batch of incidents, with a
 * plain-text and an HTML part. Every value that comes from the data (metric and rule names, summaries, ids,
 * times, the file name) is HTML-escaped in the HTML part; the subject and the text part are plain text with
 * control characters removed. Pure: the sending is src/node/smtp.ts.
 */
import type { Incident } from '../incidents/incidents.ts';
import { SEVERITY_COLOR } from '../severity.ts';
import { shortTime, zoneLabel } from '../findings.ts';
import { incidentSummaryLine, whenOf } from './incidentPayloads.ts';
import { isLoopbackHost } from './url.ts';

/** The environment variable with the SMTP server: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (TLS). */
export const SMTP_URL_ENV = 'ANOMALY_HUNTER_SMTP_URL';
/** The sender address (default: the URL's user when it is an address, else anomaly-hunter@ the server's host). */
export const SMTP_FROM_ENV = 'ANOMALY_HUNTER_SMTP_FROM';

/** Where and how to connect: never printed (it holds the password); show maskUrl(raw) instead. */
export interface SmtpTarget {
  host: string;
  port: number;
  /** TLS from the first byte (smtps). */
  secure: boolean;
  /** smtp:// to another machine: STARTTLS is required, so credentials never cross the network in clear. */
  requireTLS: boolean;
  user: string;
  pass: string;
}

/** Checks an SMTP URL; the reason (about `name`: the variable, or the editor's setting) never repeats the URL (it holds the password). */
export function checkSmtpUrl(raw: string | undefined | null, name = SMTP_URL_ENV): { ok: true; target: SmtpTarget } | { ok: false; reason: string } {
  const text = (raw ?? '').trim();
  if (!text) return { ok: false, reason: `no SMTP server: set ${SMTP_URL_ENV} (smtp://user:pass@host:587 or smtps://user:pass@host:465)` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: `${name} is not a valid URL (smtp://user:pass@host:587 or smtps://user:pass@host:465)` };
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return { ok: false, reason: `${name} must be smtp:// (STARTTLS) or smtps:// (TLS), got ${url.protocol.replace(/:$/, '')}` };
  if (!url.hostname) return { ok: false, reason: `${name} has no host` };
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    ok: true,
    target: { host, port, secure, requireTLS: !secure && !isLoopbackHost(url.hostname), user: decode(url.username), pass: decode(url.password) },
  };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Checks a --to list (comma-separated addresses): the addresses, or a reason. No display names, no line breaks. */
export function checkRecipients(raw: string | undefined): { ok: true; to: string[] } | { ok: false; reason: string } {
  const to = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!to.length) return { ok: false, reason: '--format email needs --to ADDRESS (one or more, comma-separated)' };
  return checkAddressList(to, '--to');
}

/** Checks a list of addresses (bare name@host, as `what` names them in the reason): the list trimmed, or a reason. */
export function checkAddressList(list: readonly unknown[], what: string): { ok: true; to: string[] } | { ok: false; reason: string } {
  const to: string[] = [];
  for (const a of list) {
    const text = typeof a === 'string' ? a.trim() : '';
    if (!isAddress(text)) return { ok: false, reason: `${what}: '${withoutControls(typeof a === 'string' ? a : String(a)).slice(0, 200)}' is not an email address (name@example.com)` };
    to.push(text);
  }
  return { ok: true, to };
}

function isAddress(a: string): boolean {
  return /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9.-]+$/.test(a) || /^[^\s@<>()",;:\\[\]]+@\[[0-9.:a-fA-F]+\]$/.test(a);
}

/**
 * The sender: `fromSetting` (ANOMALY_HUNTER_SMTP_FROM) when given, else the login when it is an address, else
 * anomaly-hunter@ the server's host.
 */
export function senderAddress(target: SmtpTarget, fromSetting: string | undefined): { ok: true; from: string } | { ok: false; reason: string } {
  const from = fromSetting?.trim() || (target.user.includes('@') ? target.user : `anomaly-hunter@${senderDomain(target.host)}`);
  return checkRecipients(from).ok ? { ok: true, from } : { ok: false, reason: `${SMTP_FROM_ENV}: '${withoutControls(from)}' is not an email address` };
}

/** The server's host as the domain of an address: an IPv4 address as an address literal (RFC 5321 §4.1.3, `[127.0.0.1]`). */
function senderDomain(host: string): string {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return `[${host}]`;
  return host.includes(':') || host.startsWith('[') ? 'localhost' : host;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Plain text on one line: control characters (a CR/LF in a summary) become spaces. */
function withoutControls(s: string): string {
  return s.replace(CONTROL, ' ');
}

/** Runs of C0 controls, DEL and the Unicode line separators (built from code points: no control characters in the source). */
const CONTROL = new RegExp(`[${String.fromCharCode(0)}-${String.fromCharCode(0x1f)}${String.fromCharCode(0x7f)}\u2028\u2029]+`, 'g');

/**
 * When an incident happened, as the product writes times for people ("2024-01-01 03:20 UTC", "2024-01-01 03:20 →
 * 04:10 UTC", the file's offset for its wall clock): shortTime and zoneLabel. Rows without timestamps: whenOf's rows.
 */
export function readableWhen(i: Incident): string {
  const from = shortTime(i.start);
  if (from === null || i.start === null) return whenOf(i);
  const to = i.end && i.end !== i.start ? shortTime(i.end) : null;
  // The end on the start's day is written as its time only.
  const end = to === null ? '' : ` → ${to.slice(0, 10) === from.slice(0, 10) ? to.slice(11) : to}`;
  return `${from}${end} ${zoneLabel(i.start)}`;
}

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/** One message for a batch of incidents (in their order). `source`: the data's name, when known. */
export function incidentEmail(incidents: readonly Incident[], source: string | null): EmailMessage {
  const head = incidentSummaryLine(incidents);
  const from = source ? ` in ${withoutControls(source)}` : '';
  const subject = `Anomaly Hunter: ${head}${from}`;
  const text = [
    `${head}${from}`, '',
    ...incidents.flatMap((i) => [
      `[${i.severity}] score ${i.score} · ${withoutControls(readableWhen(i))}`,
      `  ${withoutControls(i.summary)}`,
      `  metrics: ${withoutControls(i.metrics.map((m) => m.metric).join(', ')) || '—'}; detectors: ${i.detectors.join(', ')}${i.rules.length ? `; rules: ${withoutControls(i.rules.join(', '))}` : ''}`,
      `  id: ${withoutControls(i.id)}`, '',
    ]),
    '— Data Anomaly Hunter',
  ].join('\n') + '\n';
  // Header and data cells share their padding, so each header stands over its column.
  const PAD = 'padding:4px 8px';
  const cell = (s: string): string => `<td style="${PAD};border-top:1px solid #ddd;vertical-align:top">${s}</td>`;
  const th = (s: string): string => `<th style="${PAD};text-align:left">${s}</th>`;
  const rows = incidents.map((i) => `<tr>${[
    `<span style="color:${SEVERITY_COLOR[i.severity]};font-weight:bold">${escapeHtml(i.severity)}</span>`,
    escapeHtml(String(i.score)),
    `<span style="white-space:nowrap">${escapeHtml(readableWhen(i))}</span>`,
    escapeHtml(i.summary),
    escapeHtml(i.metrics.map((m) => m.metric).join(', ')),
    escapeHtml([...i.detectors, ...i.rules.map((r) => `rule ${r}`)].join(', ')),
  ].map(cell).join('')}</tr>`).join('\n');
  const html = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="color-scheme" content="light"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:sans-serif;font-size:14px;background:#ffffff;color:#1f1f1f">
<p>${escapeHtml(head + from)}</p>
<table style="border-collapse:collapse">
<tr>${['Severity', 'Score', 'When', 'Summary', 'Metrics', 'Found by'].map(th).join('')}</tr>
${rows}
</table>
<p style="color:#777">Data Anomaly Hunter</p>
</body></html>
`;
  return { subject: withoutControls(subject), text, html };
}
