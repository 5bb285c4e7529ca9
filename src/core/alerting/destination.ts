/**
 * What alert dedup and throttle are kept per: the destination, not the format. The same incident sent to two
 * webhook URLs (or to two lists of recipients) reaches both; sent twice to the same one, it goes once. The key is
 * a hash, so a secret URL (a Slack or Zapier URL holds its token in its path) is never stored, only its hash; the
 * tokens of such URLs are long random strings, so the 64-bit hash gives nothing to guess them from. An SMTP
 * server's password is not part of an email destination: the recipients are.
 */
import { hash64 } from './hash.ts';

/** The key of a webhook URL (surrounding blanks ignored; the rest as given: two spellings are two URLs). */
export function webhookDestinationKey(url: string): string {
  return `webhook-${hash64(`webhook\n${url.trim()}`)}`;
}

/** The key of a list of recipients: the same addresses in any order or case, repeated or not, are one destination. */
export function emailDestinationKey(to: readonly string[]): string {
  const list = [...new Set(to.map((a) => a.trim().toLowerCase()).filter(Boolean))].sort();
  return `email-${hash64(`email\n${list.join(',')}`)}`;
}
