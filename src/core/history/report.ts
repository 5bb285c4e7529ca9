/**
 * What `anomaly-hunter history` prints and the analytics view draws: the records of the history database
 * (read-only queries), turned into figures by historyAnalytics (./analytics.ts), and the figures as text.
 */
import type { Database } from 'sql.js';
import type { Severity } from '../severity.ts';
import { SEVERITIES } from '../severity.ts';
import { formatDuration } from '../rules/duration.ts';
import { all, one } from './db.ts';
import type { DeliveryCount, HistoryIncident, HistoryRecords, HistoryReport, Outcome } from './analytics.ts';
import { historyAnalytics, OUTCOMES } from './analytics.ts';

export { OUTCOMES };
export type { DayCounts, HistoryReport, Outcome, RecentIncident } from './analytics.ts';

/** A JSON array of strings kept in a column, or [] when it is anything else. */
function strings(text: unknown): string[] {
  try {
    const v: unknown = JSON.parse(String(text));
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The metrics of an incident (its `metrics` column: [{ metric, share }], the leading one first). */
function metricsOf(text: unknown): string[] {
  try {
    const v: unknown = JSON.parse(String(text));
    return Array.isArray(v) ? v.map((m) => (m as { metric?: unknown })?.metric).filter((m): m is string => typeof m === 'string') : [];
  } catch {
    return [];
  }
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The records of everything recorded, or of the incidents starting (runs last made, deliveries made) at or after `since` (epoch ms). */
export function readHistory(db: Database, since: number | null = null): HistoryRecords {
  const lo = since ?? -8.64e15;
  const incidents: HistoryIncident[] = all(db, 'SELECT * FROM incidents WHERE coalesce(start_ms, first_seen) >= ? ORDER BY id', [lo]).map((r) => ({
    source: String(r.source), incidentId: String(r.incident_id), start: str(r.start), end: str(r.end), startMs: num(r.start_ms), endMs: num(r.end_ms), stepMs: num(r.step_ms),
    startRow: Number(r.start_row), endRow: Number(r.end_row), severity: (SEVERITIES.includes(r.severity as Severity) ? r.severity : 'warning') as Severity,
    score: Number(r.score), metrics: metricsOf(r.metrics), rules: strings(r.rules), detectors: strings(r.detectors), summary: String(r.summary),
    status: r.status as HistoryIncident['status'], firstSeen: Number(r.first_seen), lastSeen: Number(r.last_seen),
  }));
  const deliveries: DeliveryCount[] = all(db, 'SELECT channel, outcome, reason, count(*) AS n FROM deliveries WHERE at >= ? GROUP BY channel, outcome, reason', [lo])
    .map((r) => ({ channel: String(r.channel), outcome: r.outcome as Outcome, reason: str(r.reason), count: Number(r.n) }));
  return { since, runs: Number(one(db, 'SELECT count(*) AS n FROM runs WHERE last_at >= ?', [lo])!.n), incidents, deliveries };
}

/** The report of everything recorded, or of the incidents starting (and deliveries made) at or after `since` (epoch ms). */
export function historyReport(db: Database, since: number | null = null): HistoryReport {
  return historyAnalytics(readHistory(db, since));
}

const top3 = (counts: Record<string, number>): string => Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([m, n]) => `${m} ${n}`).join(', ');

/** The report as text for people. */
export function formatHistoryText(r: HistoryReport, top = 5): string {
  const sev = (c: Record<Severity, number>): string => SEVERITIES.filter((s) => c[s]).map((s) => `${c[s]} ${s}`).join(', ') || 'none';
  const lines = [
    `history${r.since === null ? '' : ` since ${new Date(r.since).toISOString()}`}: ${r.incidents} incident${r.incidents === 1 ? '' : 's'} (${sev(r.bySeverity)}) from ${r.runs} recorded run${r.runs === 1 ? '' : 's'}`,
  ];
  // The filter is on the data's time, not on when runs recorded it: say so (an old file analysed today has no incident "since 7d").
  if (r.since !== null) lines.push('  (since: incidents by when they started in their data, or were first recorded if it has no times; runs and alerts by when they were made)');
  if (r.over.buckets.length) {
    lines.push('', r.over.unit === 'week' ? 'per week (from Monday):' : 'per day:');
    for (const d of r.over.buckets) {
      const metrics = top3(d.metrics);
      const rules = top3(d.rules);
      lines.push(`  ${d.day}  ${String(d.total).padStart(4)}  ${sev(d.severity)}${metrics ? `; metrics: ${metrics}` : ''}${rules ? `; rules: ${rules}` : ''}`);
    }
  }
  if (r.byMetric.length) lines.push('', 'noisiest metrics:', ...r.byMetric.slice(0, top).map((m) => `  ${String(m.incidents).padStart(4)}  ${m.metric}`));
  if (r.byRule.length) lines.push('', 'noisiest rules:', ...r.byRule.slice(0, top).map((m) => `  ${String(m.incidents).padStart(4)}  ${m.rule}`));
  if (r.byDetector.length) lines.push('', 'by detector:', ...r.byDetector.slice(0, top).map((m) => `  ${String(m.incidents).padStart(4)}  ${m.detector}`));
  if (r.durations.count) {
    const d = r.durations;
    lines.push('', `incident durations (${d.count} with times): median ${formatDuration(d.medianMs!)}, 90% within ${formatDuration(d.p90Ms!)}, longest ${formatDuration(d.maxMs!)}`);
  }
  lines.push('', `alerts: ${r.alerts.total ? OUTCOMES.filter((o) => r.alerts.outcomes[o]).map((o) => `${r.alerts.outcomes[o]} ${o}`).join(', ') : 'none recorded'}`);
  for (const f of r.alerts.failures) lines.push(`  failed ${f.count}×: ${f.reason}`);
  return lines.join('\n') + '\n';
}
