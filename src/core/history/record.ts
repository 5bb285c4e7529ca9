/**
 * Writing the history: runs and their incidents (upserted by their stable id), stream incident events, and
 * the outcome of every alert (sent, throttled, deduplicated, failed). Pure SQL on a sql.js database.
 */
import type { Database } from 'sql.js';
import type { Incident } from '../incidents/incidents.ts';
import { hash64 } from '../alerting/hash.ts';
import type { AlertState } from '../alerting/throttle.ts';
import { all, one, transaction } from './db.ts';

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
  /** The data's sampling step (ms; null: unknown), kept with its incidents for their duration (incidentDurationMs). */
  stepMs?: number | null;
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
 * The recorded incident that `incident` of `source` is: the one with its id, else (`overlap`) one that is not in
 * `taken`, overlaps it in data time and shares a metric with it (incidents without timestamps: the id only). A longer version
 * of a file can move an incident's first flagged row (the detectors see more data), and with it the id: it is
 * still the same event, and is updated rather than added again.
 */
export function findIncident(db: Database, source: string, incident: Incident, id = incident.id, taken: ReadonlySet<number> = new Set(), overlap = true): number | null {
  const exact = one(db, 'SELECT id FROM incidents WHERE source = ? AND incident_id = ?', [source, id]);
  if (exact) return Number(exact.id);
  if (!overlap) return null;
  const startMs = incident.start === null ? NaN : Date.parse(incident.start);
  const endMs = incident.end === null ? NaN : Date.parse(incident.end);
  const metrics = [...new Set(incident.metrics.map((m) => m.metric))];
  // Without timestamps rows are all there is, and row 10 of today's export is not row 10 of yesterday's: only the
  // id (which names the rows' content) says it is the same incident.
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) return null;
  const when = 'i.start_ms IS NOT NULL AND i.end_ms IS NOT NULL AND i.start_ms <= ? AND i.end_ms >= ?';
  const shares = metrics.length ? ` AND EXISTS (SELECT 1 FROM incident_metrics m WHERE m.incident = i.id AND m.metric IN (${metrics.map(() => '?').join(', ')}))` : '';
  const candidates = all(db, `SELECT i.id AS id FROM incidents i WHERE i.source = ? AND ${when}${shares} ORDER BY abs(i.start_ms - ?), i.id`,
    [source, endMs, startMs, ...metrics, startMs]);
  const free = candidates.map((r) => Number(r.id)).find((pk) => !taken.has(pk));
  return free ?? null;
}

/**
 * Writes an incident of `source` seen by run `runId` at `at`: into recorded incident `pk` (taking the newer
 * fields and the id; a longer file extends the incident at its end), or as a new one when `pk` is null. `id`
 * overrides the incident's own id (a stream keeps the id it opened with while its leading metric changes).
 * `stepMs`: its data's sampling step (its duration is incidentDurationMs). Returns the incident's row id.
 */
export function writeIncident(db: Database, pk: number | null, source: string, runId: number, incident: Incident, at: number, status: 'reported' | 'open' | 'resolved', id = incident.id, stepMs: number | null = null): number {
  const startMs = incident.start === null ? null : Date.parse(incident.start);
  const endMs = incident.end === null ? null : Date.parse(incident.end);
  const fields = [
    runId, incident.start, incident.end, Number.isFinite(startMs) ? startMs : null, Number.isFinite(endMs) ? endMs : null,
    incident.startRow, incident.endRow, incident.severity, incident.score, incident.metrics[0]?.metric ?? null,
    JSON.stringify(incident.detectors), JSON.stringify(incident.rules ?? []), JSON.stringify(incident.metrics), incident.summary, status, at,
    stepMs !== null && Number.isFinite(stepMs) ? stepMs : null,
  ];
  if (pk !== null) {
    db.run(
      `UPDATE incidents SET last_run = ?, start = ?, "end" = ?, start_ms = ?, end_ms = ?, start_row = ?, end_row = ?, severity = ?, score = ?,
         lead_metric = ?, detectors = ?, rules = ?, metrics = ?, summary = ?, status = ?, last_seen = ?, step_ms = ?, incident_id = ? WHERE id = ?`,
      [...fields, id, pk],
    );
    db.run('DELETE FROM incident_metrics WHERE incident = ?', [pk]);
    db.run('DELETE FROM incident_rules WHERE incident = ?', [pk]);
  } else {
    db.run(
      `INSERT INTO incidents (first_run, last_run, start, "end", start_ms, end_ms, start_row, end_row, severity, score, lead_metric,
         detectors, rules, metrics, summary, status, last_seen, step_ms, first_seen, source, incident_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [runId, ...fields, at, source, id],
    );
    pk = Number(one(db, 'SELECT last_insert_rowid() AS id')!.id);
  }
  for (const m of incident.metrics) db.run('INSERT OR REPLACE INTO incident_metrics (incident, metric, share) VALUES (?, ?, ?)', [pk, m.metric, m.share]);
  for (const r of new Set(incident.rules ?? [])) db.run('INSERT INTO incident_rules (incident, rule) VALUES (?, ?)', [pk, r]);
  return pk;
}

/**
 * Upserts one incident of `source` (findIncident by id, then writeIncident): a stream's, as it opens, escalates and
 * resolves. Returns whether it was new.
 */
export function upsertIncident(db: Database, source: string, runId: number, incident: Incident, at: number, status: 'reported' | 'open' | 'resolved', id = incident.id, stepMs: number | null = null): boolean {
  // By id only: a stream's incident keeps its id from opening to resolving, and must not take over an analysis's
  // incident of the same source that it happens to overlap.
  const pk = findIncident(db, source, incident, id, new Set(), false);
  writeIncident(db, pk, source, runId, incident, at, status, id, stepMs);
  return pk === null;
}

/**
 * Records an analysis: its run, and its reported incidents, in one transaction. Known ones are updated: first
 * those whose id was recorded, then those that overlap a recorded one (each recorded incident stands for one of
 * this analysis at most); the others are added.
 */
export function recordAnalysis(db: Database, run: RunIdentity, incidents: readonly Incident[], at: number): RecordCounts & { runId: number } {
  return transaction(db, () => {
    const runId = recordRun(db, run, at);
    const taken = new Set<number>();
    const rest: Incident[] = [];
    for (const i of incidents) {
      const pk = findIncident(db, run.source, i, i.id, taken, false);
      if (pk === null || taken.has(pk)) { rest.push(i); continue; }
      taken.add(writeIncident(db, pk, run.source, runId, i, at, 'reported', i.id, run.stepMs ?? null));
    }
    let added = 0;
    for (const i of rest) {
      const pk = findIncident(db, run.source, i, i.id, taken);
      if (pk === null) added++;
      taken.add(writeIncident(db, pk, run.source, runId, i, at, 'reported', i.id, run.stepMs ?? null));
    }
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
  /** alertmanager-api, when sent: the alert's labels (what its later sends must repeat to be the same alert). */
  labels?: Record<string, string>;
}

/** Records the outcomes of one send, in one transaction. */
export function recordDeliveries(db: Database, records: readonly DeliveryRecord[]): void {
  transaction(db, () => {
    for (const r of records) {
      db.run(
        'INSERT INTO deliveries (source, incident_id, fingerprint, alert_key, channel, destination, destination_key, outcome, reason, at, labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [r.source, r.incidentId, r.fingerprint, r.alertKey, r.channel, r.destination, r.destinationKey, r.outcome, r.reason ?? null, r.at, r.labels ? JSON.stringify(r.labels) : null],
      );
    }
  });
}

/**
 * The labels each incident's alert was first sent with to one destination (alertmanager-api), by incident id: a later
 * send of the incident (its end, once the data has grown and its rules or severity changed) repeats them, so it
 * updates the same alert. Malformed rows are skipped.
 */
export function sentLabelsOf(db: Database, where: { destinationKey: string }): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const stmt = db.prepare("SELECT incident_id, labels FROM deliveries WHERE outcome = 'sent' AND labels IS NOT NULL AND destination_key = ? ORDER BY at, id");
  try {
    stmt.bind([where.destinationKey]);
    while (stmt.step()) {
      const [id, text] = stmt.get() as [string, string];
      if (out.has(id)) continue;
      try {
        const v = JSON.parse(text) as unknown;
        if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')) out.set(id, v as Record<string, string>);
      } catch {
        // not JSON: skipped
      }
    }
  } finally {
    stmt.free();
  }
  return out;
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
