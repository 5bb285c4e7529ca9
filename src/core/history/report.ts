/**
 * What `anomaly-hunter history` prints and the analytics view draws: incidents over time (per UTC day of their
 * start) by severity, by metric and by rule, the noisiest metrics and rules, how long incidents last, and what
 * happened to their alerts. Read-only queries on the history database.
 */
import type { Database } from 'sql.js';
import type { Severity } from '../severity.ts';
import { SEVERITIES } from '../severity.ts';
import { select, statsOf } from '../stats.ts';
import { formatDuration } from '../rules/duration.ts';
import { all, one } from './db.ts';

export const OUTCOMES = ['sent', 'throttled', 'deduplicated', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface DayCounts {
  /** YYYY-MM-DD (UTC) of the incidents' start (of when they were recorded, for data without timestamps). */
  day: string;
  total: number;
  severity: Record<Severity, number>;
  /** Incidents involving each metric (an incident on cpu and memory counts for both). */
  metrics: Record<string, number>;
  /** Incidents in which each rule fired. */
  rules: Record<string, number>;
}

export interface HistoryReport {
  /** Epoch ms of the lower bound, or null for everything. */
  since: number | null;
  runs: number;
  incidents: number;
  bySeverity: Record<Severity, number>;
  perDay: DayCounts[];
  /** Most incidents first (ties by name): the noisiest on top. */
  byMetric: { metric: string; incidents: number }[];
  byRule: { rule: string; incidents: number }[];
  byDetector: { detector: string; incidents: number }[];
  /** Over the incidents with a start and an end time: end − start. */
  durations: { count: number; medianMs: number | null; p90Ms: number | null; maxMs: number | null };
  alerts: { total: number; outcomes: Record<Outcome, number>; byChannel: Record<string, Record<Outcome, number>>; failures: { reason: string; count: number }[] };
}

/** The day of an incident: its start's UTC date, else that of when it was first recorded. */
const DAY = `strftime('%Y-%m-%d', coalesce(i.start_ms, i.first_seen) / 1000, 'unixepoch')`;
const WHEN = 'coalesce(i.start_ms, i.first_seen)';

const zeroSeverity = (): Record<Severity, number> => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
const zeroOutcomes = (): Record<Outcome, number> => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
const ranked = <K extends string>(rows: Record<string, unknown>[], key: K): ({ [P in K]: string } & { incidents: number })[] =>
  rows.map((r) => ({ [key]: String(r.name), incidents: Number(r.n) }) as { [P in K]: string } & { incidents: number })
    .sort((a, b) => b.incidents - a.incidents || (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0));

/** The report of everything recorded, or of the incidents starting (and deliveries made) at or after `since` (epoch ms). */
export function historyReport(db: Database, since: number | null = null): HistoryReport {
  const lo = since ?? -8.64e15;
  const inc = `FROM incidents i WHERE ${WHEN} >= ?`;
  const bySeverity = zeroSeverity();
  for (const r of all(db, `SELECT severity AS s, count(*) AS n ${inc} GROUP BY severity`, [lo])) bySeverity[r.s as Severity] = Number(r.n);

  const days = new Map<string, DayCounts>();
  const day = (d: string): DayCounts => {
    let c = days.get(d);
    if (!c) days.set(d, c = { day: d, total: 0, severity: zeroSeverity(), metrics: {}, rules: {} });
    return c;
  };
  for (const r of all(db, `SELECT ${DAY} AS d, severity AS s, count(*) AS n ${inc} GROUP BY d, s`, [lo])) {
    const c = day(String(r.d));
    c.severity[r.s as Severity] = Number(r.n);
    c.total += Number(r.n);
  }
  for (const r of all(db, `SELECT ${DAY} AS d, m.metric AS name, count(*) AS n FROM incidents i JOIN incident_metrics m ON m.incident = i.id WHERE ${WHEN} >= ? GROUP BY d, m.metric`, [lo])) {
    day(String(r.d)).metrics[String(r.name)] = Number(r.n);
  }
  for (const r of all(db, `SELECT ${DAY} AS d, x.rule AS name, count(*) AS n FROM incidents i JOIN incident_rules x ON x.incident = i.id WHERE ${WHEN} >= ? GROUP BY d, x.rule`, [lo])) {
    day(String(r.d)).rules[String(r.name)] = Number(r.n);
  }
  const byMetric = ranked(all(db, `SELECT m.metric AS name, count(*) AS n FROM incidents i JOIN incident_metrics m ON m.incident = i.id WHERE ${WHEN} >= ? GROUP BY m.metric`, [lo]), 'metric');
  const byRule = ranked(all(db, `SELECT x.rule AS name, count(*) AS n FROM incidents i JOIN incident_rules x ON x.incident = i.id WHERE ${WHEN} >= ? GROUP BY x.rule`, [lo]), 'rule');
  const byDetector = ranked(all(db, `SELECT d.value AS name, count(*) AS n FROM incidents i, json_each(i.detectors) d WHERE ${WHEN} >= ? GROUP BY d.value`, [lo]), 'detector');

  const spans = all(db, `SELECT end_ms - start_ms AS ms ${inc} AND start_ms IS NOT NULL AND end_ms IS NOT NULL`, [lo]).map((r) => Number(r.ms));
  const a = Float64Array.from(spans);
  const stats = statsOf(a);
  const p90 = spans.length ? select(Float64Array.from(spans), spans.length, Math.ceil(0.9 * spans.length) - 1) : null;

  const dlo = since ?? -8.64e15;
  const outcomes = zeroOutcomes();
  const byChannel: Record<string, Record<Outcome, number>> = {};
  for (const r of all(db, 'SELECT channel AS c, outcome AS o, count(*) AS n FROM deliveries WHERE at >= ? GROUP BY channel, outcome', [dlo])) {
    outcomes[r.o as Outcome] += Number(r.n);
    (byChannel[String(r.c)] ??= zeroOutcomes())[r.o as Outcome] = Number(r.n);
  }
  const failures = all(db, "SELECT coalesce(reason, '') AS reason, count(*) AS n FROM deliveries WHERE at >= ? AND outcome = 'failed' GROUP BY reason ORDER BY n DESC, reason LIMIT 10", [dlo])
    .map((r) => ({ reason: String(r.reason), count: Number(r.n) }));

  return {
    since,
    runs: Number(one(db, 'SELECT count(*) AS n FROM runs WHERE last_at >= ?', [lo])!.n),
    incidents: SEVERITIES.reduce((n, s) => n + bySeverity[s], 0),
    bySeverity,
    perDay: [...days.values()].sort((x, y) => (x.day < y.day ? -1 : 1)),
    byMetric, byRule, byDetector,
    durations: { count: stats.count, medianMs: stats.count ? stats.median : null, p90Ms: p90, maxMs: stats.count ? stats.max : null },
    alerts: { total: OUTCOMES.reduce((n, o) => n + outcomes[o], 0), outcomes, byChannel, failures },
  };
}

/** The report as text for people. */
export function formatHistoryText(r: HistoryReport, top = 5): string {
  const sev = (c: Record<Severity, number>): string => SEVERITIES.filter((s) => c[s]).map((s) => `${c[s]} ${s}`).join(', ') || 'none';
  const lines = [
    `history${r.since === null ? '' : ` since ${new Date(r.since).toISOString()}`}: ${r.incidents} incident${r.incidents === 1 ? '' : 's'} (${sev(r.bySeverity)}) from ${r.runs} recorded run${r.runs === 1 ? '' : 's'}`,
  ];
  if (r.perDay.length) {
    lines.push('', 'per day:');
    for (const d of r.perDay) {
      const metrics = Object.entries(d.metrics).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([m, n]) => `${m} ${n}`).join(', ');
      const rules = Object.entries(d.rules).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([m, n]) => `${m} ${n}`).join(', ');
      lines.push(`  ${d.day}  ${String(d.total).padStart(4)}  ${sev(d.severity)}${metrics ? `; metrics: ${metrics}` : ''}${rules ? `; rules: ${rules}` : ''}`);
    }
  }
  if (r.byMetric.length) lines.push('', 'noisiest metrics:', ...r.byMetric.slice(0, top).map((m) => `  ${String(m.incidents).padStart(4)}  ${m.metric}`));
  if (r.byRule.length) lines.push('', 'noisiest rules:', ...r.byRule.slice(0, top).map((m) => `  ${String(m.incidents).padStart(4)}  ${m.rule}`));
  if (r.durations.count) {
    const d = r.durations;
    lines.push('', `incident durations (${d.count} with times): median ${formatDuration(d.medianMs!)}, 90% within ${formatDuration(d.p90Ms!)}, longest ${formatDuration(d.maxMs!)}`);
  }
  lines.push('', `alerts: ${r.alerts.total ? OUTCOMES.filter((o) => r.alerts.outcomes[o]).map((o) => `${r.alerts.outcomes[o]} ${o}`).join(', ') : 'none recorded'}`);
  for (const f of r.alerts.failures) lines.push(`  failed ${f.count}×: ${f.reason}`);
  return lines.join('\n') + '\n';
}
