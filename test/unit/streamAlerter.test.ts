import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createAlerter } from '../../src/core/streaming/alerter.ts';
import type { FetchLike } from '../../src/core/alerting/deliver.ts';
import type { Incident } from '../../src/core/incidents/incidents.ts';
import { startServer } from './alertingServer.ts';

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
    assert.equal(sent[0].endsAt, undefined, `${metric}: the opening has no end`);
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
