import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FetchLike } from '../../src/core/alerting/deliver.ts';
import { backoffMs, deliver, parseRetryAfter } from '../../src/core/alerting/deliver.ts';
import { hash64 } from '../../src/core/alerting/hash.ts';
import { startServer } from './alertingServer.ts';

const realFetch = globalThis.fetch as unknown as FetchLike;
const SECRET = 'T0001/B0002/s3cr3tT0k3n';
const body = JSON.stringify({ text: 'cpu 97 > 90' });

/** Instant sleeps that remember what was asked, so retries cost no wall time. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => { waits.push(ms); } };
}

const servers: { close(): Promise<void> }[] = [];
after(async () => { await Promise.all(servers.map((s) => s.close())); });
async function server(reply: Parameters<typeof startServer>[0]) {
  const s = await startServer(reply);
  servers.push(s);
  return s;
}

describe('deliver against a real local HTTP server', () => {
  test('a 200 is delivered in one attempt with the JSON body, content type and an idempotency key', async () => {
    const s = await server((res) => res.end('ok'));
    const out = await deliver(`${s.origin}/services/${SECRET}`, body, { fetch: realFetch });
    assert.deepEqual(out, { ok: true, attempts: 1, status: 200 });
    assert.equal(s.requests.length, 1);
    const r = s.requests[0];
    assert.deepEqual({ method: r.method, url: r.url, body: r.body, type: r.headers['content-type'], key: r.headers['idempotency-key'] },
      { method: 'POST', url: `/services/${SECRET}`, body, type: 'application/json; charset=utf-8', key: `ah-${hash64(body)}` });
  });

  test('500 twice then 200 is delivered once, after 3 attempts, with the same idempotency key and body each time', async () => {
    const s = await server((res, n) => {
      res.statusCode = n < 2 ? 500 : 200;
      res.end(n < 2 ? 'boom' : 'ok');
    });
    const { waits, sleep } = recordingSleep();
    const out = await deliver(`${s.origin}/hook`, body, { fetch: realFetch, sleep, random: () => 0.5 });
    assert.deepEqual(out, { ok: true, attempts: 3, status: 200 });
    assert.equal(s.requests.length, 3);
    assert.equal(new Set(s.requests.map((r) => r.headers['idempotency-key'])).size, 1);
    assert.deepEqual(s.requests.map((r) => r.body), [body, body, body]);
    // Full jitter with random() = 0.5: half of 500 ms, then half of 1000 ms.
    assert.deepEqual(waits, [250, 500]);
  });

  test('429 with Retry-After in seconds waits exactly that long before the retry', async () => {
    const s = await server((res, n) => {
      if (n === 0) {
        res.writeHead(429, { 'Retry-After': '2' });
        res.end('slow down');
      } else res.end('ok');
    });
    const { waits, sleep } = recordingSleep();
    const out = await deliver(`${s.origin}/hook`, body, { fetch: realFetch, sleep });
    assert.deepEqual(out, { ok: true, attempts: 2, status: 200 });
    assert.deepEqual(waits, [2000]);
  });

  test('429 asking for a wait past the total budget fails at once and says why', async () => {
    const s = await server((res) => {
      res.writeHead(429, { 'Retry-After': '120' });
      res.end();
    });
    const { waits, sleep } = recordingSleep();
    const out = await deliver(`${s.origin}/hook/${SECRET}`, body, { fetch: realFetch, sleep, maxTotalMs: 30_000 });
    assert.deepEqual(out, {
      ok: false, attempts: 1, status: 429,
      reason: 'gave up after 1 attempt: the receiver asked to retry after 120 s, past the 30 s delivery budget (last: HTTP 429 Too Many Requests)',
    });
    assert.deepEqual(waits, []);
  });

  test('400 is not retried and the failure carries the status and the receiver\'s words', async () => {
    const s = await server((res) => {
      res.statusCode = 400;
      res.end('invalid_payload');
    });
    const { waits, sleep } = recordingSleep();
    const out = await deliver(`${s.origin}/hook`, body, { fetch: realFetch, sleep });
    assert.deepEqual(out, { ok: false, attempts: 1, status: 400, reason: 'HTTP 400 Bad Request: invalid_payload' });
    assert.equal(s.requests.length, 1);
    assert.deepEqual(waits, []);
  });

  test('a receiver that echoes the secret URL back cannot leak it through the reason', async () => {
    const s = await server((res, _n, req) => {
      res.statusCode = 404;
      res.end(`no_service for ${s.origin}${req.url} (path ${req.url})`);
    });
    const out = await deliver(`${s.origin}/services/${SECRET}`, body, { fetch: realFetch });
    assert.equal(out.ok, false);
    assert.ok(!out.ok && !out.reason.includes(SECRET) && !out.reason.includes('s3cr3t'), !out.ok ? out.reason : '');
    assert.ok(!out.ok && out.reason.startsWith('HTTP 404 Not Found: no_service for ***'), !out.ok ? out.reason : '');
  });

  test('a server that never answers times out per attempt and gives up within the total budget', async () => {
    // Accepts the request and never replies.
    const s = await server(() => {});
    const started = Date.now();
    const out = await deliver(`${s.origin}/hook/${SECRET}`, body, { fetch: realFetch, timeoutMs: 150, maxTotalMs: 600, retries: 10, baseDelayMs: 10, maxDelayMs: 20 });
    const elapsed = Date.now() - started;
    assert.equal(out.ok, false);
    assert.ok(!out.ok && /timed out/.test(out.reason) && !out.reason.includes(SECRET), !out.ok ? out.reason : '');
    // At most ceil(600 / 150) + 1 attempts fit, whatever the machine's speed; far fewer than the 11 allowed.
    assert.ok(out.attempts >= 2 && out.attempts <= 5, `attempts ${out.attempts}`);
    assert.equal(s.requests.length, out.attempts);
    // Not a performance assertion: a generous bound that only a hang (no budget) would break.
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
  });

  test('connection refused is retried, then reported as such', async () => {
    const s = await startServer((res) => res.end());
    const url = `${s.origin}/hook/${SECRET}`;
    await s.close();
    const { waits, sleep } = recordingSleep();
    const out = await deliver(url, body, { fetch: realFetch, sleep, retries: 2, random: () => 0 });
    assert.deepEqual(out, { ok: false, attempts: 3, reason: 'gave up after 3 attempts (last: connection refused)' });
    assert.deepEqual(waits, [0, 0]);
  });

  test('a redirect to another host is a failure and the payload is not re-sent there', async () => {
    const other = await server((res) => res.end('stolen'));
    const s = await server((res) => {
      res.writeHead(307, { Location: `http://localhost:${other.port}/collect` });
      res.end();
    });
    const { sleep } = recordingSleep();
    const out = await deliver(`${s.origin}/hook/${SECRET}`, body, { fetch: realFetch, sleep });
    assert.deepEqual(out, {
      ok: false, attempts: 1, status: 307,
      reason: `the receiver answered with a redirect (HTTP 307 to localhost:${other.port}); redirects are not followed, so the payload was not re-sent`,
    });
    assert.equal(s.requests.length, 1);
    assert.equal(other.requests.length, 0);
  });
});

describe('delivery policy', () => {
  test('parseRetryAfter reads delay-seconds and HTTP-dates, and ignores garbage', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.deepEqual(
      ['3', ' 0 ', 'Wed, 01 Jan 2025 00:00:10 GMT', 'Tue, 31 Dec 2024 23:59:00 GMT', 'soon', '-1', '1.5', '', null].map((v) => parseRetryAfter(v, now)),
      [3000, 0, 10_000, 0, undefined, undefined, undefined, undefined, undefined],
    );
  });

  test('backoff is full jitter under a doubling ceiling capped at maxMs', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((k) => backoffMs(k, 500, 8000, () => 0.999999)), [499, 999, 1999, 3999, 7999, 7999]);
    assert.deepEqual([1, 2, 3].map((k) => backoffMs(k, 500, 8000, () => 0)), [0, 0, 0]);
  });

  test('the total budget bounds retries even when each attempt fails fast', async () => {
    let t = 0;
    const calls: number[] = [];
    const fetch: FetchLike = async () => {
      calls.push(t);
      return { status: 503, headers: { get: () => null }, text: async () => '' };
    };
    const out = await deliver('https://hooks.example.com/x', '{}', {
      fetch, now: () => t, sleep: async (ms) => { t += ms; }, random: () => 0.99, retries: 100, maxTotalMs: 5000,
    });
    assert.equal(out.ok, false);
    assert.ok(t < 5000, `simulated time ${t}`);
    // Backoffs 495, 990, 1980 fit in 5 s (3465 ms); the next (3960) would not.
    assert.deepEqual(calls, [0, 495, 1485, 3465]);
    assert.deepEqual(out, { ok: false, attempts: 4, status: 503, reason: 'gave up after 4 attempts: the 5 s delivery budget ran out (last: HTTP 503)' });
  });
});
