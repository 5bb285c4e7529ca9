import { createRng } from '../random.ts';
import { hash64 } from './hash.ts';
import { scrubUrl } from './url.ts';

/** The part of a fetch Response that delivery reads (global fetch's Response satisfies it). */
export interface FetchResponseLike {
  status: number;
  statusText?: string;
  type?: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  /** The body as a stream (global fetch has it): read only up to MAX_BODY_BYTES, then cancelled. */
  body?: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } } | null;
}

/** Bytes of a receiver's reply read (for its status text in a failure): a reply of 200 MB is not read whole. */
export const MAX_BODY_BYTES = 4096;

/** The first MAX_BODY_BYTES of a response's body as text; the rest is never read (the stream is cancelled). */
async function boundedText(res: FetchResponseLike): Promise<string> {
  if (!res.body) return (await res.text()).slice(0, MAX_BODY_BYTES);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < MAX_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done || !value) break;
      parts.push(value);
      n += value.length;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(n, MAX_BODY_BYTES));
  let at = 0;
  for (const p of parts) { const take = Math.min(p.length, bytes.length - at); bytes.set(p.subarray(0, take), at); at += take; }
  return new TextDecoder().decode(bytes);
}

/** The part of fetch that delivery calls; pass globalThis.fetch in Node ≥ 20 and in browsers. */
export type FetchLike = (url: string, init: {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  redirect: 'manual';
  signal: AbortSignal;
}) => Promise<FetchResponseLike>;

/** Options of `deliver`; times in ms. */
export interface DeliverOptions {
  fetch: FetchLike;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
  /** Waits between attempts. @default a setTimeout promise */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform [0, 1) source for backoff jitter. @default createRng seeded from the idempotency key */
  random?: () => number;
  /** Per-attempt limit, from request to the end of the response body. @default 10000 */
  timeoutMs?: number;
  /** Limit on everything, waits included: no attempt starts or waits past it. @default 30000 */
  maxTotalMs?: number;
  /** Retries after the first attempt. @default 3 */
  retries?: number;
  /** First backoff ceiling; doubles per retry. @default 500 */
  baseDelayMs?: number;
  /** Backoff ceiling. @default 8000 */
  maxDelayMs?: number;
  /** Sent as `Idempotency-Key`, the same on every attempt. @default `ah-` + hash64(body) */
  idempotencyKey?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** What happened to one message: delivered (2xx) or failed with a reason that never contains the URL. */
export type DeliveryOutcome =
  | { ok: true; attempts: number; status: number }
  | { ok: false; attempts: number; reason: string; status?: number };

/** The header a receiver can use to drop a retried duplicate (IETF draft-ietf-httpapi-idempotency-key-header). */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/**
 * Parses Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as ms from `now`
 * (never negative). Missing or malformed gives undefined.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (!Number.isFinite(t) || !/[a-z]/i.test(v)) return undefined;
  return Math.max(0, t - now);
}

/**
 * Backoff before retry number `retry` (1-based): "full jitter" (AWS Architecture Blog, "Exponential
 * Backoff and Jitter", 2015), uniform in [0, min(maxMs, baseMs·2^(retry−1))), so a fleet of senders
 * retrying after the same outage spreads out instead of arriving together.
 */
export function backoffMs(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** (retry - 1)));
}

class AttemptTimeout extends Error {}

type Attempt =
  | { kind: 'response'; status: number; statusText: string; retryAfter: string | null; location: string | null; body: string; opaqueRedirect: boolean }
  | { kind: 'error'; reason: string };

/**
 * POSTs one JSON body to a webhook with retries: on network errors, timeouts, 5xx and 429 it backs
 * off (honouring Retry-After) and tries again, never on other 4xx, never follows redirects, never
 * past `maxTotalMs`. The same Idempotency-Key goes with every attempt. Resolves, never rejects.
 */
export async function deliver(url: string, body: string, opts: DeliverOptions): Promise<DeliveryOutcome> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const key = opts.idempotencyKey ?? `ah-${hash64(body)}`;
  const random = opts.random ?? (() => {
    const rng = createRng(parseInt(hash64(key).slice(0, 8), 16));
    return () => rng.next();
  })();
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxTotalMs = opts.maxTotalMs ?? 30_000;
  const retries = Math.max(0, Math.floor(opts.retries ?? 3));
  const baseDelayMs = opts.baseDelayMs ?? 500;
  const maxDelayMs = opts.maxDelayMs ?? 8000;
  const headers = { ...opts.headers, 'Content-Type': 'application/json; charset=utf-8', [IDEMPOTENCY_HEADER]: key };
  const start = now();
  const clean = (text: string) => scrubUrl(text, url);

  let attempts = 0;
  let last = '';
  let lastStatus: number | undefined;
  for (;;) {
    const remaining = maxTotalMs - (now() - start);
    if (remaining <= 0) return fail(`gave up: the ${seconds(maxTotalMs)} delivery budget ran out${last ? ` (last: ${last})` : ''}`);
    attempts++;
    const res = await attempt(opts.fetch, url, headers, body, Math.min(timeoutMs, remaining));
    let retryAfterMs: number | undefined;
    if (res.kind === 'error') {
      last = clean(res.reason);
      lastStatus = undefined;
    } else {
      const status = res.status;
      lastStatus = status;
      if (status >= 200 && status < 300) return { ok: true, attempts, status };
      if (res.opaqueRedirect || (status >= 300 && status < 400)) {
        const where = hostOf(res.location, url);
        return fail(`the receiver answered with a redirect (HTTP ${status || 'redirect'}${where ? ` to ${where}` : ''}); redirects are not followed, so the payload was not re-sent`);
      }
      last = clean(`HTTP ${status}${res.statusText ? ` ${res.statusText}` : ''}${snippet(res.body)}`);
      if (status !== 429 && status < 500) return fail(last);
      retryAfterMs = parseRetryAfter(res.retryAfter, now());
    }
    if (attempts > retries) return fail(`gave up after ${attempts} attempts (last: ${last})`);
    const wait = retryAfterMs ?? backoffMs(attempts, baseDelayMs, maxDelayMs, random);
    const left = maxTotalMs - (now() - start);
    if (wait >= left) {
      return fail(retryAfterMs !== undefined
        ? `gave up after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}: the receiver asked to retry after ${seconds(retryAfterMs)}, past the ${seconds(maxTotalMs)} delivery budget (last: ${last})`
        : `gave up after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}: the ${seconds(maxTotalMs)} delivery budget ran out (last: ${last})`);
    }
    await sleep(wait);
  }

  function fail(reason: string): DeliveryOutcome {
    const out: DeliveryOutcome = { ok: false, attempts, reason: clean(reason) };
    if (lastStatus !== undefined) out.status = lastStatus;
    return out;
  }
}

async function attempt(fetch: FetchLike, url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Attempt> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Racing a timer as well as aborting: a fetch that ignores its signal still cannot hang us.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new AttemptTimeout());
    }, timeoutMs);
  });
  try {
    const res = await Promise.race([fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: controller.signal }), timeout]);
    const text = await Promise.race([boundedText(res).catch(() => ''), timeout]);
    return {
      kind: 'response',
      status: res.status,
      statusText: res.statusText ?? '',
      retryAfter: res.headers.get('retry-after'),
      location: res.headers.get('location'),
      body: text,
      opaqueRedirect: res.type === 'opaqueredirect',
    };
  } catch (e) {
    if (e instanceof AttemptTimeout || controller.signal.aborted) return { kind: 'error', reason: `no answer within ${seconds(timeoutMs)} (timed out)` };
    return { kind: 'error', reason: networkReason(e) };
  } finally {
    clearTimeout(timer);
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the receiver',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'host lookup failed temporarily (DNS)',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
};

/** A short reason for a fetch rejection from its error code (undici puts it on `cause`), never its raw message. */
export function networkReason(e: unknown): string {
  const codes: string[] = [];
  let detail = '';
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    const message = (cur as { message?: unknown }).message;
    // The innermost message is the specific one ("bad port"); the caller scrubs the URL from it.
    if (depth > 0 && typeof message === 'string' && message) detail = message.slice(0, 120);
    // An AggregateError (happy eyeballs trying IPv4 and IPv6) carries the codes in `errors`.
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const x of errors) if (typeof (x as { code?: unknown }).code === 'string') codes.push((x as { code: string }).code);
    cur = (cur as { cause?: unknown }).cause;
  }
  for (const c of codes) if (NETWORK_CODES[c]) return NETWORK_CODES[c];
  if (codes.length) return `network error (${codes[0]})`;
  return detail ? `network error (${detail})` : 'network error';
}

function hostOf(location: string | null, base: string): string | null {
  if (!location) return null;
  try {
    return new URL(location, base).host;
  } catch {
    return null;
  }
}

function snippet(body: string): string {
  const s = body.replace(/\s+/g, ' ').trim();
  if (!s) return '';
  return `: ${s.length > 200 ? s.slice(0, 199) + '…' : s}`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
