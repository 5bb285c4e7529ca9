/**
 * The history database (issue 19): SQLite compiled to WebAssembly (sql.js), so the same code runs in the CLI and
 * in the extension host on every platform without a native module. This file holds the schema and small query
 * helpers; it never touches files (src/node/historyDb.ts loads and saves the database).
 */
import type { BindParams, Database, SqlValue } from 'sql.js';

/** Schema version, kept in `meta` (a later version migrates from it). */
export const HISTORY_SCHEMA_VERSION = 4;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- One row per analysed data identity: a rerun on the same data and settings updates it (last_at, count).
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('analyze', 'stream')),
  source TEXT NOT NULL,            -- the data's path (or query)
  sha256 TEXT NOT NULL,            -- '' for a stream (its data grows while it runs)
  settings TEXT NOT NULL,          -- the settings used, as JSON
  settings_hash TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  rows INTEGER,
  first_at INTEGER NOT NULL,       -- epoch ms of the first and the last run
  last_at INTEGER NOT NULL,
  count INTEGER NOT NULL DEFAULT 1,
  UNIQUE (kind, source, sha256, settings_hash)
);
-- One row per incident of a source: its id (start and leading metric) is stable across runs, so a rerun or a
-- longer version of the same file updates it and only new incidents add rows.
CREATE TABLE IF NOT EXISTS incidents (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  first_run INTEGER NOT NULL REFERENCES runs(id),
  last_run INTEGER NOT NULL REFERENCES runs(id),
  start TEXT, "end" TEXT,          -- ISO 8601 data time, null without timestamps
  start_ms INTEGER, end_ms INTEGER,
  start_row INTEGER NOT NULL, end_row INTEGER NOT NULL,
  severity TEXT NOT NULL, score REAL NOT NULL,
  lead_metric TEXT,
  detectors TEXT NOT NULL,         -- JSON arrays
  rules TEXT NOT NULL,
  metrics TEXT NOT NULL,
  summary TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('reported', 'open', 'resolved')),
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  step_ms INTEGER,                 -- its data's sampling step (its duration is end - start + step); null before schema 4 or unknown
  UNIQUE (source, incident_id)
);
CREATE TABLE IF NOT EXISTS incident_metrics (incident INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE, metric TEXT NOT NULL, share REAL NOT NULL, PRIMARY KEY (incident, metric));
CREATE TABLE IF NOT EXISTS incident_rules (incident INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE, rule TEXT NOT NULL, PRIMARY KEY (incident, rule));
-- One row per incident per send: what happened to its alert.
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY,
  source TEXT,
  incident_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  alert_key TEXT NOT NULL,
  channel TEXT NOT NULL,           -- the format: slack, zapier, alertmanager, email, …
  destination TEXT NOT NULL,       -- masked: never a secret
  destination_key TEXT,            -- a hash of the whole destination (destination.ts): what dedup is kept per; null before schema 2
  outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'throttled', 'deduplicated', 'failed')),
  reason TEXT,
  at INTEGER NOT NULL,
  labels TEXT                      -- alertmanager-api: the alert's labels as sent (JSON), kept for the incident's later sends; null before schema 3
);
CREATE INDEX IF NOT EXISTS incidents_start ON incidents (start_ms);
CREATE INDEX IF NOT EXISTS deliveries_fingerprint ON deliveries (fingerprint, outcome);
`;

const DELIVERIES_BY_DESTINATION = 'CREATE INDEX IF NOT EXISTS deliveries_destination ON deliveries (destination_key, outcome, at);';

/** An error of the history database that a person can act on (a newer schema, a file that is not ours). */
export class HistoryError extends Error {}

/** Creates the tables of an empty database, or checks the version of an existing one. */
export function ensureSchema(db: Database): void {
  db.run('PRAGMA foreign_keys = ON');
  const hasMeta = one(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  if (hasMeta) {
    const v = one(db, "SELECT value FROM meta WHERE key = 'schema'");
    const version = Number(v?.value);
    if (!(version >= 1)) throw new HistoryError('not an anomaly-hunter history database (no schema version)');
    if (version > HISTORY_SCHEMA_VERSION) throw new HistoryError(`written by a newer anomaly-hunter (schema ${version}; this one reads up to ${HISTORY_SCHEMA_VERSION})`);
    if (version < HISTORY_SCHEMA_VERSION) {
      // Schema 1 kept dedup per channel (the format); 2 keeps it per destination. Old rows keep a null key.
      // Schema 3 keeps the labels an alertmanager-api alert was sent with. Old rows keep null.
      // Schema 4 keeps each incident's sampling step (for its duration). Old rows keep null.
      const columns = new Set(all(db, 'PRAGMA table_info(deliveries)').map((r) => r.name));
      const incidentColumns = new Set(all(db, 'PRAGMA table_info(incidents)').map((r) => r.name));
      db.exec('BEGIN');
      if (!columns.has('destination_key')) db.exec('ALTER TABLE deliveries ADD COLUMN destination_key TEXT');
      if (!columns.has('labels')) db.exec('ALTER TABLE deliveries ADD COLUMN labels TEXT');
      if (!incidentColumns.has('step_ms')) db.exec('ALTER TABLE incidents ADD COLUMN step_ms INTEGER');
      db.exec(DELIVERIES_BY_DESTINATION);
      db.run("UPDATE meta SET value = ? WHERE key = 'schema'", [String(HISTORY_SCHEMA_VERSION)]);
      db.exec('COMMIT');
    }
    return;
  }
  const tables = one(db, "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'");
  if (Number(tables?.n) > 0) throw new HistoryError('not an anomaly-hunter history database (it has other tables)');
  db.exec('BEGIN');
  db.exec(SCHEMA);
  db.exec(DELIVERIES_BY_DESTINATION);
  db.run("INSERT INTO meta (key, value) VALUES ('schema', ?)", [String(HISTORY_SCHEMA_VERSION)]);
  db.exec('COMMIT');
}

export type Row = Record<string, SqlValue>;

/** Every row of a query, as objects. */
export function all(db: Database, sql: string, params: BindParams = []): Row[] {
  const stmt = db.prepare(sql);
  try {
    stmt.bind(params);
    const out: Row[] = [];
    while (stmt.step()) out.push(stmt.getAsObject());
    return out;
  } finally {
    stmt.free();
  }
}

/** The first row of a query, or null. */
export function one(db: Database, sql: string, params: BindParams = []): Row | null {
  return all(db, sql, params)[0] ?? null;
}

/** Runs `fn` in a transaction: all of it or none of it. */
export function transaction<T>(db: Database, fn: () => T): T {
  db.exec('BEGIN');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}
