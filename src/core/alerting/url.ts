/** The result of checking a webhook URL: the parsed URL, or a reason that never repeats the URL. */
export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for hosts that never leave the machine, where plain http cannot leak the secret on the wire. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/**
 * Checks that a webhook URL is safe to send to: absolute, https (http only for localhost,
 * 127.0.0.1 and [::1]), no fragment. Empty or blank input is "no webhook URL configured".
 */
export function checkWebhookUrl(raw: string | undefined | null): UrlCheck {
  const text = (raw ?? '').trim();
  if (text === '') return { ok: false, reason: 'no webhook URL configured' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'the webhook URL is not a valid absolute URL' };
  }
  // fetch refuses a URL with credentials; it would fail only after every retry.
  if (url.username || url.password) return { ok: false, reason: 'the webhook URL must not hold a user name or password (user:pass@…): fetch refuses such URLs; receivers take their secret in the path or the query' };
  if (url.protocol === 'https:') return { ok: true, url };
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return { ok: true, url };
    return { ok: false, reason: `the webhook URL must use https (plain http is allowed only for localhost), got http to ${url.hostname}` };
  }
  return { ok: false, reason: `the webhook URL must use https, got ${url.protocol.replace(/:$/, '')}` };
}

/**
 * A webhook URL safe to show: scheme, host and port only, the path, query and credentials (where
 * Slack, Zapier and most receivers keep the secret) replaced by `***`. Unparsable input gives `***`.
 */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw.trim());
    const hidden = url.pathname.length > 1 || url.search !== '' || url.username !== '' || url.password !== '';
    return `${url.protocol}//${url.host}${hidden ? '/***' : ''}`;
  } catch {
    return '***';
  }
}

/**
 * Removes every occurrence of the URL, its path+query, each of its path segments and query names and values
 * (a receiver may echo only a part: "no such token SECRET"), raw and decoded, and its credentials from a text
 * (an error message, a server's reply), so no part of a secret URL can reach a log. Parts shorter than 4
 * characters are left (they would mangle every word). Empty `raw` returns `text`.
 */
export function scrubUrl(text: string, raw: string): string {
  const secrets = new Set<string>();
  const trimmed = raw.trim();
  if (trimmed === '') return text;
  secrets.add(trimmed);
  try {
    const url = new URL(trimmed);
    secrets.add(url.href);
    const tail = url.pathname + url.search;
    // A bare "/" path is not a secret and would mangle every slash in the text.
    if (tail.length > 1) {
      secrets.add(tail);
      secrets.add(decodeURIComponentSafe(tail));
    }
    // Credentials as written in the URL (%40 for @) and as a server would echo them (decoded).
    for (const part of [url.username, url.password]) if (part) { secrets.add(part); secrets.add(decodeURIComponentSafe(part)); }
    for (const part of url.pathname.split('/')) { secrets.add(part); secrets.add(decodeURIComponentSafe(part)); }
    for (const part of url.search.slice(1).split('&')) {
      secrets.add(part);
      for (const side of part.split('=')) { secrets.add(side); secrets.add(decodeURIComponentSafe(side.replace(/\+/g, ' '))); }
    }
  } catch {
    // Unparsable: the raw text itself is all we can scrub.
  }
  let out = text;
  for (const s of [...secrets].sort((x, y) => y.length - x.length)) {
    if (s.length >= 4) out = out.split(s).join('***');
  }
  return out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
