/**
 * The figures of the history (issue 19), from plain records: what `anomaly-hunter history` prints and the
 * editor's analytics view draws. Incidents over time (per UTC day of their data start, or per week when the
 * history spans more than WEEKLY_AFTER_DAYS) by severity, metric, rule and detector; the noisiest metrics,
 * rules and detectors; how long incidents last; what happened to their alerts; the most recent incidents.
 * Pure: no database, no clock (src/core/history/report.ts reads the records from the database).
 */
import type { Severity } from '../severity.ts';
import { SEVERITIES } from '../severity.ts';
import { select, statsOf } from '../stats.ts';
import { incidentDurationMs } from '../incidents/incidents.ts';

export const OUTCOMES = ['sent', 'throttled', 'deduplicated', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** A history longer than this many days is counted per week (Monday to Sunday, UTC) instead of per day. */
export const WEEKLY_AFTER_DAYS = 92;
/** How many of the most recent incidents the report lists. */
export const RECENT_INCIDENTS = 50;

/** One recorded incident, as the history keeps it. */
export interface HistoryIncident {
  /** The data it comes from: a path (the CLI's absolute one, the editor's workspace-relative one) or a query. */
  source: string;
  incidentId: string;
  /** ISO 8601 data time of its first and last row, null without timestamps. */
  start: string | null;
  end: string | null;
  /** Epoch ms of start/end, null without timestamps. */
  startMs: number | null;
  endMs: number | null;
  /** Its data's sampling step, ms (null: unknown, as in incidents recorded before schema 4). */
  stepMs: number | null;
  startRow: number;
  endRow: number;
  severity: Severity;
  score: number;
  /** Metrics involved, the leading one first. */
  metrics: string[];
  rules: string[];
  detectors: string[];
  summary: string;
  status: 'reported' | 'open' | 'resolved';
  /** Epoch ms when it was first recorded (its day when it has no timestamps). */
  firstSeen: number;
  lastSeen: number;
}

/** Alerts of one channel with one outcome and reason, counted. */
export interface DeliveryCount {
  channel: string;
  outcome: Outcome;
  reason: string | null;
  count: number;
}

/** Everything the figures are computed from. */
export interface HistoryRecords {
  /** Epoch ms of the lower bound the records were chosen with, or null for everything. */
  since: number | null;
  runs: number;
  incidents: readonly HistoryIncident[];
  deliveries: readonly DeliveryCount[];
}

export interface DayCounts {
  /** YYYY-MM-DD (UTC): the day, or the Monday of the week, of the incidents' start (of when they were recorded, for data without timestamps). */
  day: string;
  total: number;
  severity: Record<Severity, number>;
  /** Incidents involving each metric (an incident on cpu and memory counts for both). */
  metrics: Record<string, number>;
  /** Incidents in which each rule fired. */
  rules: Record<string, number>;
  /** Incidents each detector took part in. */
  detectors: Record<string, number>;
}

/** One of the most recent incidents, with what it takes to open it in its file. */
export type RecentIncident = Pick<HistoryIncident, 'source' | 'start' | 'end' | 'startRow' | 'endRow' | 'severity' | 'score'
  | 'metrics' | 'rules' | 'detectors' | 'summary' | 'status' | 'lastSeen'> & {
  id: string;
  /** How long it lasts (incidentDurationMs: end − start plus one step, as its summary and the dashboard say), ms, when both times are known. */
  durationMs: number | null;
};

export interface HistoryReport {
  /** Epoch ms of the lower bound, or null for everything. */
  since: number | null;
  runs: number;
  incidents: number;
  bySeverity: Record<Severity, number>;
  perDay: DayCounts[];
  /** The buckets of `over`: `perDay` itself, or the weeks when the history is long (each `day` is then a Monday). */
  over: { unit: 'day' | 'week'; buckets: DayCounts[] };
  /** Most incidents first (ties by name): the noisiest on top. */
  byMetric: { metric: string; incidents: number }[];
  byRule: { rule: string; incidents: number }[];
  byDetector: { detector: string; incidents: number }[];
  /** Over the incidents with a start and an end time: their durations (incidentDurationMs). */
  durations: { count: number; medianMs: number | null; p90Ms: number | null; maxMs: number | null };
  alerts: { total: number; outcomes: Record<Outcome, number>; byChannel: Record<string, Record<Outcome, number>>; failures: { reason: string; count: number }[] };
  /** The most recent incidents (latest start first), at most RECENT_INCIDENTS. */
  recent: RecentIncident[];
}

const DAY_MS = 86_400_000;

export const zeroSeverity = (): Record<Severity, number> => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
const zeroOutcomes = (): Record<Outcome, number> => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** When an incident happened, for the time buckets and --since: its data start, else when it was first recorded. */
export function incidentTime(i: Pick<HistoryIncident, 'startMs' | 'firstSeen'>): number {
  return i.startMs ?? i.firstSeen;
}

/** YYYY-MM-DD (UTC) of an epoch ms. */
function dayOf(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** YYYY-MM-DD (UTC) of the Monday starting the week of an epoch ms. */
function weekOf(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  const weekday = (day + 3) % 7; // 1970-01-01 was a Thursday: 0 = Monday
  return dayOf((day - ((weekday + 7) % 7)) * DAY_MS);
}

/** Counts per key, ranked: most first, ties by name. */
function ranked<K extends string>(counts: Map<string, number>, key: K): ({ [P in K]: string } & { incidents: number })[] {
  return [...counts].sort((a, b) => b[1] - a[1] || byName(a[0], b[0]))
    .map(([name, n]) => ({ [key]: name, incidents: n }) as { [P in K]: string } & { incidents: number });
}

function bump(m: Map<string, number> | Record<string, number>, k: string): void {
  if (m instanceof Map) m.set(k, (m.get(k) ?? 0) + 1);
  else m[k] = (m[k] ?? 0) + 1;
}

/** Incidents counted per bucket (`keyOf` gives each incident's bucket), in bucket order. */
function buckets(incidents: readonly HistoryIncident[], keyOf: (ms: number) => string): DayCounts[] {
  const out = new Map<string, DayCounts>();
  for (const i of incidents) {
    const k = keyOf(incidentTime(i));
    let c = out.get(k);
    if (!c) out.set(k, c = { day: k, total: 0, severity: zeroSeverity(), metrics: {}, rules: {}, detectors: {} });
    c.total++;
    c.severity[i.severity]++;
    for (const m of new Set(i.metrics)) bump(c.metrics, m);
    for (const r of new Set(i.rules)) bump(c.rules, r);
    for (const d of new Set(i.detectors)) bump(c.detectors, d);
  }
  return [...out.values()].sort((a, b) => byName(a.day, b.day));
}

/** The figures of the history: incidents starting at or after `records.since` (the caller chose the deliveries). */
export function historyAnalytics(records: HistoryRecords, recentCount = RECENT_INCIDENTS): HistoryReport {
  const lo = records.since ?? -Infinity;
  const incidents = records.incidents.filter((i) => incidentTime(i) >= lo);
  const bySeverity = zeroSeverity();
  const metrics = new Map<string, number>();
  const rules = new Map<string, number>();
  const detectors = new Map<string, number>();
  const spans: number[] = [];
  let first = Infinity, last = -Infinity;
  for (const i of incidents) {
    bySeverity[i.severity]++;
    for (const m of new Set(i.metrics)) bump(metrics, m);
    for (const r of new Set(i.rules)) bump(rules, r);
    for (const d of new Set(i.detectors)) bump(detectors, d);
    const span = incidentDurationMs(i.startMs, i.endMs, i.stepMs);
    if (span !== null) spans.push(span);
    const t = incidentTime(i);
    if (t < first) first = t;
    if (t > last) last = t;
  }
  const perDay = buckets(incidents, dayOf);
  const weekly = incidents.length > 0 && (last - first) / DAY_MS > WEEKLY_AFTER_DAYS;

  const stats = statsOf(Float64Array.from(spans));
  const p90 = spans.length ? select(Float64Array.from(spans), spans.length, Math.ceil(0.9 * spans.length) - 1) : null;

  const outcomes = zeroOutcomes();
  const byChannel: Record<string, Record<Outcome, number>> = {};
  const failed = new Map<string, number>();
  for (const d of records.deliveries) {
    outcomes[d.outcome] += d.count;
    (byChannel[d.channel] ??= zeroOutcomes())[d.outcome] += d.count;
    if (d.outcome === 'failed') failed.set(d.reason ?? '', (failed.get(d.reason ?? '') ?? 0) + d.count);
  }
  const failures = [...failed].sort((a, b) => b[1] - a[1] || byName(a[0], b[0])).slice(0, 10).map(([reason, count]) => ({ reason, count }));

  const recent = incidents.slice()
    .sort((a, b) => incidentTime(b) - incidentTime(a) || b.score - a.score || byName(a.source, b.source) || byName(a.incidentId, b.incidentId))
    .slice(0, recentCount)
    .map((i): RecentIncident => ({
      source: i.source, id: i.incidentId, start: i.start, end: i.end,
      durationMs: incidentDurationMs(i.startMs, i.endMs, i.stepMs),
      startRow: i.startRow, endRow: i.endRow, severity: i.severity, score: i.score,
      metrics: i.metrics, rules: i.rules, detectors: i.detectors, summary: i.summary, status: i.status, lastSeen: i.lastSeen,
    }));

  return {
    since: records.since,
    runs: records.runs,
    incidents: incidents.length,
    bySeverity,
    perDay,
    over: weekly ? { unit: 'week', buckets: buckets(incidents, weekOf) } : { unit: 'day', buckets: perDay },
    byMetric: ranked(metrics, 'metric'),
    byRule: ranked(rules, 'rule'),
    byDetector: ranked(detectors, 'detector'),
    durations: { count: stats.count, medianMs: stats.count ? stats.median : null, p90Ms: p90, maxMs: stats.count ? stats.max : null },
    alerts: { total: OUTCOMES.reduce((n, o) => n + outcomes[o], 0), outcomes, byChannel, failures },
    recent,
  };
}
