/**
 * Writing the history: runs and their incidents (upserted by their stable id), stream incident events, and
 * the outcome of every alert (sent, throttled, deduplicated, failed). Pure SQL on a sql.js database.
 */
import type { Database } from 'sql.js';
import type { Incident } from '../incidents/incidents.ts';
import { hash64 } from '../alerting/hash.ts';
import type { AlertState } from '../alerting/throttle.ts';
import { one, transaction } from './db.ts';

/** What identifies a run: its data, its settings and the tool. */
export interface RunIdentity {
  kind: 'analyze' | 'stream';
  /** The data's path (absolute) or query. */
  source: string;
  /** The data's SHA-256 ('' for a stream: its data grows while it runs). */
  sha256: string;
  /** The settings used (detectors, seed, metrics, minimum severity…): any JSON. */
  settings: unknown;
  toolVersion: string;
  rows?: number;
}

/** JSON with object keys sorted, so equal settings give equal text whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Records a run (or, for the same data and settings, updates the one recorded): its row id. */
export function recordRun(db: Database, run: RunIdentity, at: number): number {
  const settings = canonicalJson(run.settings);
  const settingsHash = hash64(settings);
  db.run(
    `INSERT INTO runs (kind, source, sha256, settings, settings_hash, tool_version, rows, first_at, last_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (kind, source, sha256, settings_hash) DO UPDATE SET
       last_at = excluded.last_at, count = count + 1, tool_version = excluded.tool_version, rows = coalesce(excluded.rows, rows)`,
    [run.kind, run.source, run.sha256, settings, settingsHash, run.toolVersion, run.rows ?? null, at, at],
  );
  return Number(one(db, 'SELECT id FROM runs WHERE kind = ? AND source = ? AND sha256 = ? AND settings_hash = ?', [run.kind, run.source, run.sha256, settingsHash])!.id);
}

/** How recording changed the history. */
export interface RecordCounts {
  added: number;
  updated: number;
}

/**
 * Upserts an incident of `source` seen by run `runId` at `at`: a new id adds it, a known one takes the newer
 * fields (a longer file extends the incident at its end). `id` overrides the incident's own id (a stream keeps
 * the id it opened with while its leading metric changes). Returns whether it was new.
 */
export function upsertIncident(db: Database, source: string, runId: number, incident: Incident, at: number, status: 'reported' | 'open' | 'resolved', id = incident.id): boolean {
  const known = one(db, 'SELECT id FROM incidents WHERE source = ? AND incident_id = ?', [source, id]);
  const startMs = incident.start === null ? null : Date.parse(incident.start);
  const endMs = incident.end === null ? null : Date.parse(incident.end);
  const fields = [
    runId, incident.start, incident.end, Number.isFinite(startMs) ? startMs : null, Number.isFinite(endMs) ? endMs : null,
    incident.startRow, incident.endRow, incident.severity, incident.score, incident.metrics[0]?.metric ?? null,
    JSON.stringify(incident.detectors), JSON.stringify(incident.rules ?? []), JSON.stringify(incident.metrics), incident.summary, status, at,
  ];
  let pk: number;
  if (known) {
    pk = Number(known.id);
    db.run(
      `UPDATE incidents SET last_run = ?, start = ?, "end" = ?, start_ms = ?, end_ms = ?, start_row = ?, end_row = ?, severity = ?, score = ?,
         lead_metric = ?, detectors = ?, rules = ?, metrics = ?, summary = ?, status = ?, last_seen = ? WHERE id = ?`,
      [...fields, pk],
    );
    db.run('DELETE FROM incident_metrics WHERE incident = ?', [pk]);
    db.run('DELETE FROM incident_rules WHERE incident = ?', [pk]);
  } else {
    db.run(
      `INSERT INTO incidents (first_run, last_run, start, "end", start_ms, end_ms, start_row, end_row, severity, score, lead_metric,
         detectors, rules, metrics, summary, status, first_seen, last_seen, source, incident_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [runId, ...fields, at, source, id],
    );
    pk = Number(one(db, 'SELECT last_insert_rowid() AS id')!.id);
  }
  for (const m of incident.metrics) db.run('INSERT OR REPLACE INTO incident_metrics (incident, metric, share) VALUES (?, ?, ?)', [pk, m.metric, m.share]);
  for (const r of new Set(incident.rules ?? [])) db.run('INSERT INTO incident_rules (incident, rule) VALUES (?, ?)', [pk, r]);
  return !known;
}

/** Records an analysis: its run, and its reported incidents (new ones added, known ones updated), in one transaction. */
export function recordAnalysis(db: Database, run: RunIdentity, incidents: readonly Incident[], at: number): RecordCounts & { runId: number } {
  return transaction(db, () => {
    const runId = recordRun(db, run, at);
    let added = 0;
    for (const i of incidents) if (upsertIncident(db, run.source, runId, i, at, 'reported')) added++;
    return { runId, added, updated: incidents.length - added };
  });
}

/** One outcome of an incident's alert. */
export interface DeliveryRecord {
  source: string | null;
  incidentId: string;
  fingerprint: string;
  alertKey: string;
  channel: string;
  /** Masked (maskUrl): never a secret. */
  destination: string;
  /** A hash of the whole destination (core/alerting/destination.ts): dedup and throttle are kept per key. */
  destinationKey: string;
  outcome: 'sent' | 'throttled' | 'deduplicated' | 'failed';
  reason?: string;
  at: number;
}

/** Records the outcomes of one send, in one transaction. */
export function recordDeliveries(db: Database, records: readonly DeliveryRecord[]): void {
  transaction(db, () => {
    for (const r of records) {
      db.run(
        'INSERT INTO deliveries (source, incident_id, fingerprint, alert_key, channel, destination, destination_key, outcome, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [r.source, r.incidentId, r.fingerprint, r.alertKey, r.channel, r.destination, r.destinationKey, r.outcome, r.reason ?? null, r.at],
      );
    }
  });
}

/**
 * The alerting state (dedup and throttle, src/core/alerting/throttle.ts) of the deliveries sent to one destination
 * (its key) within `retainMs` of `now`: what was sent there is not sent there again, across runs. Deliveries
 * recorded before destinations had keys (schema 1) count for every destination of their `channel`, so an upgrade
 * does not send again what went out before it.
 */
export function alertStateOf(db: Database, where: { destinationKey: string; channel: string }, now: number, retainMs = 7 * 24 * 3600_000): AlertState {
  const state: AlertState = { sent: {}, lastSent: {} };
  const stmt = db.prepare(`SELECT fingerprint, alert_key, at FROM deliveries
    WHERE outcome = 'sent' AND (destination_key = ? OR (destination_key IS NULL AND channel = ?)) AND at > ? ORDER BY at`);
  try {
    stmt.bind([where.destinationKey, where.channel, now - retainMs]);
    while (stmt.step()) {
      const [f, k, at] = stmt.get() as [string, string, number];
      state.sent[f] = at;
      state.lastSent[k] = at;
    }
  } finally {
    stmt.free();
  }
  return state;
}
