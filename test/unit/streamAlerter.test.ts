import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createAlerter } from '../../src/core/streaming/alerter.ts';
import type { FetchLike } from '../../src/core/alerting/deliver.ts';
import type { Incident } from '../../src/core/incidents/incidents.ts';
import { startServer } from './alertingServer.ts';
import { skipUnless, startAlertmanager } from './realServers.ts';

const T0 = Date.UTC(2025, 2, 1, 12);
const MIN = 60_000;
const servers: { close(): Promise<void> }[] = [];
after(async () => { await Promise.all(servers.map((s) => s.close())); });

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: '2025-03-01T12:00:00.000Z/cpu', start: new Date(T0).toISOString(), end: new Date(T0).toISOString(), startRow: 0, endRow: 0, peakRow: 0,
    score: 88, severity: 'critical', detectors: ['stream'], metrics: [{ metric: 'cpu', share: 1 }],
    rules: [], summary: 'cpu 97, usually 41 ± 6', count: 1, ...over,
  };
}

test('stream alerter: an incident that resolves while its opening is still being sent gets its end, after the opening', async () => {
  // A real HTTP receiver that answers slowly: the resolve arrives while the opening is out.
  const server = await startServer((res) => { setTimeout(() => { res.writeHead(200); res.end(); }, 150); });
  servers.push(server);
  const alerter = createAlerter({ url: `${server.origin}/api/v2/alerts`, format: 'alertmanager-api', fetch: globalThis.fetch as unknown as FetchLike });
  const opened = incident();
  alerter.push([opened]);
  alerter.resolve([{ ...opened, end: new Date(T0 + 3 * MIN).toISOString(), endRow: 3 }]);
  // And one whose opening is still queued behind the first send when it resolves.
  const second = incident({ id: '2025-03-01T13:00:00.000Z/memory', start: new Date(T0 + 60 * MIN).toISOString(), startRow: 60, endRow: 60, metrics: [{ metric: 'memory', share: 1 }] });
  alerter.push([second]);
  alerter.resolve([{ ...second, end: new Date(T0 + 62 * MIN).toISOString(), endRow: 62 }]);
  await alerter.flush();
  assert.equal(alerter.failures, 0);
  const alerts = server.requests.flatMap((r) => JSON.parse(r.body) as { labels: Record<string, string>; endsAt?: string }[]);
  const ofMetric = (m: string) => alerts.filter((a) => a.labels.metric === m);
  for (const [metric, end] of [['cpu', T0 + 3 * MIN], ['memory', T0 + 62 * MIN]] as const) {
    const sent = ofMetric(metric);
    assert.equal(sent.length, 2, `${metric}: the opening and its end (${JSON.stringify(sent)})`);
    assert.ok(Date.parse(sent[0].endsAt ?? '') > Date.now() + 3 * MIN, `${metric}: the opening ends minutes ahead of the wall clock (re-posted until its end)`);
    assert.equal(Date.parse(sent[1].endsAt ?? ''), end, `${metric}: the end is sent`);
    assert.deepEqual(sent[1].labels, sent[0].labels, `${metric}: the same alert`);
  }
});

test('stream alerter: an end for an incident that was never pushed sends nothing', async () => {
  const server = await startServer((res) => { res.writeHead(200); res.end(); });
  servers.push(server);
  const alerter = createAlerter({ url: `${server.origin}/api/v2/alerts`, format: 'alertmanager-api', fetch: globalThis.fetch as unknown as FetchLike });
  alerter.resolve([incident()]);
  await alerter.flush();
  assert.equal(server.requests.length, 0);
});

interface ListedAlert { labels: Record<string, string>; annotations: Record<string, string>; endsAt: string; status: { state: string } }

test('stream alerter, alertmanager-api: an open incident is posted again with endsAt ahead, so a real Alertmanager keeps it active past its resolve_timeout; its end resolves it', { skip: skipUnless('alertmanager'), timeout: 60_000 }, async () => {
  // resolve_timeout 2 s, a re-post every second (the product's is a minute, endsAt 4 minutes ahead: the same ratio).
  const am = await startAlertmanager({ resolveTimeout: '2s' });
  const alerter = createAlerter({ url: am.origin, format: 'alertmanager-api', fetch: globalThis.fetch as unknown as FetchLike, resendMs: 1000 });
  try {
    const listed = async (): Promise<ListedAlert[]> => (await (await fetch(`${am.origin}/api/v2/alerts`)).json() as ListedAlert[]).filter((a) => a.labels.metric === 'cpu');
    const opened = incident();
    alerter.push([opened]);
    await alerter.flush();
    const first = await listed();
    assert.equal(first.length, 1);
    assert.ok(Date.parse(first[0].endsAt) - Date.now() > 2000, `endsAt ahead of the resolve timeout: ${first[0].endsAt}`);
    // Three times the resolve timeout later it is still active: the alerter posted it again meanwhile.
    await new Promise((r) => setTimeout(r, 6000));
    const later = await listed();
    assert.equal(later.length, 1, 'still listed');
    assert.equal(later[0].status.state, 'active');
    assert.ok(Date.parse(later[0].endsAt) > Date.parse(first[0].endsAt) + 3000, `endsAt moved on: ${first[0].endsAt} → ${later[0].endsAt}`);
    alerter.resolve([{ ...opened, end: new Date(T0 + 3 * MIN).toISOString(), endRow: 3 }]);
    await alerter.flush();
    assert.deepEqual(await listed(), [], 'resolved once its end is sent');
    assert.equal(alerter.failures, 0);
  } finally {
    await alerter.close();
    await am.stop();
  }
});

test('stream alerter: re-posts stop once the incident resolves and after close (a real receiver counts them)', async () => {
  const server = await startServer((res) => { res.writeHead(200); res.end(); });
  servers.push(server);
  const alerter = createAlerter({ url: `${server.origin}/api/v2/alerts`, format: 'alertmanager-api', fetch: globalThis.fetch as unknown as FetchLike, resendMs: 100 });
  const opened = incident();
  alerter.push([opened]);
  await new Promise((r) => setTimeout(r, 450));
  const bodies = server.requests.map((r) => JSON.parse(r.body) as { endsAt?: string }[]);
  assert.ok(bodies.length >= 4, `opening and re-posts: ${bodies.length}`);
  const ends = bodies.map((b) => Date.parse(b[0].endsAt ?? ''));
  assert.ok(ends.every((e, i) => Number.isFinite(e) && (i === 0 || e > ends[i - 1])), `each with an endsAt later than the one before: ${ends}`);
  assert.ok(ends.at(-1)! > Date.now(), 'the last one ahead');
  alerter.resolve([{ ...opened, end: new Date(T0 + 3 * MIN).toISOString(), endRow: 3 }]);
  await alerter.flush();
  const n = server.requests.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(server.requests.length, n, 'no re-post after the end');
  assert.equal(Date.parse((JSON.parse(server.requests[n - 1].body) as { endsAt: string }[])[0].endsAt), T0 + 3 * MIN);
  alerter.push([incident({ id: 'x/memory', startRow: 9, metrics: [{ metric: 'memory', share: 1 }] })]);
  await alerter.close();
  const m = server.requests.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(server.requests.length, m, 'no re-post after close');
});

test('stream alerter: a critical incident is never throttled; one the throttle holds back is reported by id and severity', async () => {
  const server = await startServer((res) => { res.writeHead(200); res.end(); });
  servers.push(server);
  const throttled: string[] = [];
  const alerter = createAlerter({ url: `${server.origin}/hook`, format: 'zapier', throttleMs: 5 * MIN, fetch: globalThis.fetch as unknown as FetchLike, onThrottled: (held) => { throttled.push(...held.map((i) => `${i.id} ${i.severity}`)); } });
  alerter.push([incident({ id: 'a/cpu', severity: 'major', score: 60 })]);
  await alerter.flush();
  // A catch-up: two more incidents on cpu within the throttle window, one of them critical.
  alerter.push([incident({ id: 'b/cpu', startRow: 20, severity: 'critical' }), incident({ id: 'c/cpu', startRow: 40, severity: 'major', score: 60 })]);
  await alerter.flush();
  const ids = server.requests.map((r) => (JSON.parse(r.body) as { id: string }).id);
  assert.deepEqual(ids, ['a/cpu', 'b/cpu'], 'the critical one goes out through the throttle');
  assert.deepEqual(throttled, ['c/cpu major'], 'the major one held back, said');
  // It escalates to critical: sent then.
  alerter.escalate([incident({ id: 'c/cpu', startRow: 40, severity: 'critical' })]);
  await alerter.flush();
  assert.equal((JSON.parse(server.requests.at(-1)!.body) as { id: string; severity: string }).severity, 'critical');
  assert.equal(server.requests.length, 3);
  // The one delivered as major escalates: sent again, saying from what.
  alerter.escalate([incident({ id: 'a/cpu', severity: 'critical', summary: 'cpu 99' })]);
  await alerter.flush();
  const last = JSON.parse(server.requests.at(-1)!.body) as { id: string; severity: string; summary: string };
  assert.deepEqual([last.id, last.severity, last.summary], ['a/cpu', 'critical', 'escalated from major to critical: cpu 99']);
  await alerter.close();
});

test('stream alerter: an escalation whose leading metric changed (another id) is sent as the escalation of the incident delivered, under its first id and labels', async () => {
  for (const format of ['zapier', 'alertmanager-api'] as const) {
    const server = await startServer((res) => { res.writeHead(200); res.end(); });
    servers.push(server);
    const alerter = createAlerter({ url: `${server.origin}/${format === 'zapier' ? 'hook' : 'api/v2/alerts'}`, format, fetch: globalThis.fetch as unknown as FetchLike });
    alerter.push([incident({ id: 't/cpu', severity: 'major', score: 60 })]);
    await alerter.flush();
    alerter.escalate([incident({ id: 't/memory', severity: 'critical', metrics: [{ metric: 'memory', share: 0.6 }, { metric: 'cpu', share: 0.4 }], summary: 'memory 99' })]);
    await alerter.flush();
    await alerter.close();
    const bodies = server.requests.map((r) => JSON.parse(r.body) as unknown);
    if (format === 'zapier') {
      const last = bodies.at(-1) as { id: string; severity: string; summary: string };
      assert.deepEqual([last.id, last.severity, last.summary], ['t/cpu', 'critical', 'escalated from major to critical: memory 99']);
    } else {
      const alerts = bodies.flat() as { labels: Record<string, string> }[];
      const critical = alerts.filter((a) => a.labels.severity === 'critical');
      assert.ok(critical.length > 0, 'the critical alert posted');
      const opening = alerts[0].labels;
      for (const a of critical) assert.deepEqual({ ...a.labels, severity: opening.severity }, opening, 'the opening\'s labels, only the severity changed');
    }
  }
});
