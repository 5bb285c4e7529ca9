import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historyAnalytics, RECENT_INCIDENTS } from '../../src/core/history/analytics.ts';
import type { DeliveryCount, HistoryIncident } from '../../src/core/history/analytics.ts';
import { createRng } from '../../src/core/random.ts';
import type { Severity } from '../../src/core/severity.ts';

const SEV: Severity[] = ['critical', 'major', 'minor', 'warning'];
const METRICS = ['cpu', 'memory', 'disk_io', 'net_in', '<b>html</b>'];
const RULES = ['cpu-hot', 'mem-high', 'io-stall'];
const DETECTORS = ['iforest', 'forecast', 'rule', 'stream'];
const T0 = Date.UTC(2026, 0, 5, 0, 0); // a Monday

/** Seeded incidents over `days` days: random severities, metrics, rules, detectors, durations; some without timestamps. */
function incidents(seed: number, n: number, days: number): HistoryIncident[] {
  const rng = createRng(seed);
  const pick = <T>(xs: T[], k: number): T[] => xs.filter(() => rng.next() < k / xs.length).slice(0, Math.max(1, k));
  return Array.from({ length: n }, (_, k) => {
    const timed = rng.next() < 0.85;
    const startMs = T0 + Math.floor(rng.next() * days * 86_400_000);
    const dur = rng.int(6) * 10 * 60_000;
    const metrics = [METRICS[rng.int(METRICS.length)], ...pick(METRICS, 1)];
    return {
      source: `data/m${rng.int(3)}.csv`, incidentId: `i${k}`,
      start: timed ? new Date(startMs).toISOString() : null, end: timed ? new Date(startMs + dur).toISOString() : null,
      startMs: timed ? startMs : null, endMs: timed ? startMs + dur : null, stepMs: k % 3 ? (k % 3) * 5 * 60_000 : null,
      startRow: k * 10, endRow: k * 10 + 3, severity: SEV[rng.int(4)], score: rng.uniform(3, 100),
      metrics: [...new Set(metrics)], rules: rng.next() < 0.5 ? [RULES[rng.int(RULES.length)]] : [], detectors: [DETECTORS[rng.int(4)]],
      summary: `incident ${k}`, status: 'reported', firstSeen: T0 + rng.int(days) * 86_400_000 + 3_600_000, lastSeen: T0 + days * 86_400_000,
    } satisfies HistoryIncident;
  });
}

/** Counts by key, the plain way. */
function tally(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

const dayOf = (i: HistoryIncident): string => (i.start ?? new Date(i.firstSeen).toISOString()).slice(0, 10);

test('history analytics: per-day counts by severity, metric, rule and detector, the noisiest, durations and alerts, as counted independently', () => {
  const list = incidents(7, 300, 20);
  const deliveries: DeliveryCount[] = [
    { channel: 'slack', outcome: 'sent', reason: null, count: 12 },
    { channel: 'slack', outcome: 'deduplicated', reason: 'already sent', count: 5 },
    { channel: 'zapier', outcome: 'failed', reason: 'HTTP 500', count: 3 },
    { channel: 'zapier', outcome: 'failed', reason: 'connection refused', count: 4 },
    { channel: 'slack', outcome: 'throttled', reason: 'throttled', count: 2 },
  ];
  const r = historyAnalytics({ since: null, runs: 9, incidents: list, deliveries });
  assert.equal(r.incidents, 300);
  assert.equal(r.runs, 9);
  assert.deepEqual(r.bySeverity, { critical: 0, major: 0, minor: 0, warning: 0, ...tally(list.map((i) => i.severity)) });
  // Per day: the UTC date of the start (of when it was recorded without timestamps).
  assert.equal(r.over.unit, 'day');
  assert.deepEqual(r.over.buckets, r.perDay);
  assert.deepEqual(Object.fromEntries(r.perDay.map((d) => [d.day, d.total])), tally(list.map(dayOf)));
  const sevDay = tally(list.map((i) => `${dayOf(i)} ${i.severity}`));
  const metricDay = tally(list.flatMap((i) => i.metrics.map((m) => `${dayOf(i)} ${m}`)));
  const ruleDay = tally(list.flatMap((i) => i.rules.map((m) => `${dayOf(i)} ${m}`)));
  const detDay = tally(list.flatMap((i) => i.detectors.map((m) => `${dayOf(i)} ${m}`)));
  const got = { sev: {} as Record<string, number>, metric: {} as Record<string, number>, rule: {} as Record<string, number>, det: {} as Record<string, number> };
  for (const d of r.perDay) {
    for (const [s, n] of Object.entries(d.severity)) if (n) got.sev[`${d.day} ${s}`] = n;
    for (const [m, n] of Object.entries(d.metrics)) got.metric[`${d.day} ${m}`] = n;
    for (const [m, n] of Object.entries(d.rules)) got.rule[`${d.day} ${m}`] = n;
    for (const [m, n] of Object.entries(d.detectors)) got.det[`${d.day} ${m}`] = n;
  }
  assert.deepEqual(got, { sev: sevDay, metric: metricDay, rule: ruleDay, det: detDay });
  assert.deepEqual(r.perDay.map((d) => d.day), [...new Set(list.map(dayOf))].sort(), 'days in order');

  // The noisiest: every metric/rule with its count, most first.
  const metricCounts = tally(list.flatMap((i) => i.metrics));
  assert.deepEqual(Object.fromEntries(r.byMetric.map((m) => [m.metric, m.incidents])), metricCounts);
  assert.deepEqual(r.byMetric.map((m) => m.incidents), Object.values(metricCounts).sort((a, b) => b - a));
  assert.deepEqual(Object.fromEntries(r.byRule.map((m) => [m.rule, m.incidents])), tally(list.flatMap((i) => i.rules)));
  assert.deepEqual(Object.fromEntries(r.byDetector.map((m) => [m.detector, m.incidents])), tally(list.flatMap((i) => i.detectors)));

  // Durations over the timed incidents (first to last row plus one step, as the summaries and the dashboard say;
  // no step when it is unknown): median (mean of the middle two for an even count), nearest-rank p90, max.
  const lasts = (i: HistoryIncident): number => i.endMs! - i.startMs! + (i.stepMs ?? 0);
  const spans = list.filter((i) => i.startMs !== null).map(lasts).sort((a, b) => a - b);
  const mid = spans.length / 2;
  const median = spans.length % 2 ? spans[Math.floor(mid)] : (spans[mid - 1] + spans[mid]) / 2;
  assert.deepEqual(r.durations, { count: spans.length, medianMs: median, p90Ms: spans[Math.ceil(0.9 * spans.length) - 1], maxMs: spans[spans.length - 1] });

  assert.deepEqual(r.alerts.outcomes, { sent: 12, throttled: 2, deduplicated: 5, failed: 7 });
  assert.equal(r.alerts.total, 26);
  assert.deepEqual(r.alerts.byChannel.zapier, { sent: 0, throttled: 0, deduplicated: 0, failed: 7 });
  assert.deepEqual(r.alerts.failures, [{ reason: 'connection refused', count: 4 }, { reason: 'HTTP 500', count: 3 }]);

  // The most recent: latest first, capped, with what it takes to open them.
  assert.equal(r.recent.length, RECENT_INCIDENTS);
  const when = (x: { start: string | null; id: string }): number => { const i = list.find((y) => y.incidentId === x.id)!; return i.startMs ?? i.firstSeen; };
  for (let k = 1; k < r.recent.length; k++) assert.ok(when(r.recent[k - 1]) >= when(r.recent[k]));
  const newest = Math.max(...list.map((i) => i.startMs ?? i.firstSeen));
  assert.equal(when(r.recent[0]), newest);
  const first = list.find((i) => i.incidentId === r.recent[0].id)!;
  assert.equal(r.recent[0].source, first.source);
  assert.equal(r.recent[0].startRow, first.startRow);
  for (const x of r.recent) {
    const i = list.find((y) => y.incidentId === x.id)!;
    assert.equal(x.durationMs, i.startMs === null ? null : lasts(i), x.id);
  }
});

test('history analytics: --since keeps the incidents starting from it; a long history is counted per week, from Monday', () => {
  const list = incidents(11, 400, 200);
  const since = T0 + 150 * 86_400_000;
  const r = historyAnalytics({ since, runs: 1, incidents: list, deliveries: [] });
  const kept = list.filter((i) => (i.startMs ?? i.firstSeen) >= since);
  assert.equal(r.incidents, kept.length);
  assert.equal(r.over.unit, 'day', 'fifty days: per day');

  const all = historyAnalytics({ since: null, runs: 1, incidents: list, deliveries: [] });
  assert.equal(all.over.unit, 'week');
  const mondays = all.over.buckets.map((b) => b.day);
  for (const d of mondays) assert.equal(new Date(`${d}T00:00:00Z`).getUTCDay(), 1, `${d} is a Monday`);
  // Each incident in the week starting on the last Monday at or before its day.
  const weekOf = (i: HistoryIncident): string => {
    const t = i.startMs ?? i.firstSeen;
    const d = new Date(t);
    const back = (d.getUTCDay() + 6) % 7;
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - back)).toISOString().slice(0, 10);
  };
  assert.deepEqual(Object.fromEntries(all.over.buckets.map((b) => [b.day, b.total])), tally(list.map(weekOf)));
  assert.deepEqual(Object.fromEntries(all.over.buckets.map((b) => [b.day, b.severity.critical])), Object.fromEntries(Object.keys(tally(list.map(weekOf))).map((w) => [w, list.filter((i) => weekOf(i) === w && i.severity === 'critical').length])));
  // perDay stays per day (the JSON of earlier versions).
  assert.equal(all.perDay.reduce((n, d) => n + d.total, 0), 400);
  assert.ok(all.perDay.length > all.over.buckets.length);
});

test('history analytics: nothing recorded gives zeros, no buckets and null durations', () => {
  const r = historyAnalytics({ since: null, runs: 0, incidents: [], deliveries: [] });
  assert.equal(r.incidents, 0);
  assert.deepEqual(r.perDay, []);
  assert.deepEqual(r.over, { unit: 'day', buckets: [] });
  assert.deepEqual(r.durations, { count: 0, medianMs: null, p90Ms: null, maxMs: null });
  assert.equal(r.alerts.total, 0);
  assert.deepEqual(r.recent, []);
});
