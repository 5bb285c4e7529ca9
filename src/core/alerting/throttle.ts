import type { Anomaly } from '../anomaly.ts';
import type { Severity } from '../severity.ts';
import { severityRank } from '../severity.ts';
import type { Incident } from '../incidents/incidents.ts';
import { alertKey, fingerprint, incidentFingerprint, incidentKey } from './fingerprint.ts';

/**
 * What the alerting remembers between sends, as plain JSON the caller may persist (extension
 * globalState, a file): when each fingerprint was delivered and when each alert key last sent.
 * Times are the caller's clock in epoch ms.
 */
export interface AlertState {
  /** fingerprint → epoch ms of its delivery. */
  sent: Record<string, number>;
  /** alert key (rule or detector + metric) → epoch ms of its last delivered message. */
  lastSent: Record<string, number>;
}

/** An empty state: nothing sent yet. */
export function emptyAlertState(): AlertState {
  return { sent: {}, lastSent: {} };
}

/** Why an anomaly was held back. */
export type SkipReason = 'below-min-severity' | 'duplicate' | 'throttled';

/** The decision of `selectAnomalies`: what to send (with fingerprints) and what was held back, by reason. */
export interface Selection {
  send: { anomaly: Anomaly; fingerprint: string; key: string }[];
  skipped: Record<SkipReason, number>;
}

/** Options of `selectAnomalies`. */
export interface SelectOptions {
  /** Lowest severity sent. @default 'warning' (everything) */
  minSeverity?: Severity;
  /** Throttle window in ms: at most one delivery per alert key per window of the caller's clock. @default 0 (off) */
  throttleMs?: number;
  /**
   * Data-time bucket of the fingerprint, ms. @default throttleMs, so that, within one send, one
   * anomaly per rule/detector and metric per throttle window of data time goes out.
   */
  bucketMs?: number;
  /** The state of earlier sends. @default empty */
  state?: AlertState;
  /** Items at or above this severity are never throttled (a stream's critical incidents). @default none */
  neverThrottle?: Severity;
  /** The caller's clock, epoch ms. */
  now: number;
}

/** What selection needs of an item: its severity and score (which copy to keep), its identity and its throttle key. */
export interface AlertIdentity {
  severity: Severity;
  score: number;
  fingerprint: string;
  key: string;
}

/** An incident's alert identity: its severity and score, its fingerprint (its id) and throttle key (its leading metric). */
export function incidentIdentity(i: Incident): AlertIdentity {
  return { severity: i.severity, score: i.score, fingerprint: incidentFingerprint(i), key: incidentKey(i) };
}

/**
 * Filters items for sending: drops those below `minSeverity`, those whose fingerprint was already
 * delivered or appears earlier in the same batch (keeping the most severe, then the earliest), and
 * those whose alert key was delivered less than `throttleMs` ago. Pure: reads `state`, never changes
 * it. Kept items stay in input order. Empty input gives an empty selection.
 */
export function selectBy<T>(items: readonly T[], identify: (item: T) => AlertIdentity, opts: Omit<SelectOptions, 'bucketMs'>): { send: { item: T; fingerprint: string; key: string }[]; skipped: Record<SkipReason, number>; held: { item: T; fingerprint: string; key: string; reason: SkipReason }[] } {
  const minRank = severityRank(opts.minSeverity ?? 'warning');
  const throttleMs = opts.throttleMs && opts.throttleMs > 0 ? opts.throttleMs : 0;
  const state = opts.state ?? emptyAlertState();
  const skipped: Record<SkipReason, number> = { 'below-min-severity': 0, duplicate: 0, throttled: 0 };
  /** What was held back and why, item by item (what the history records). */
  const held: { item: T; fingerprint: string; key: string; reason: SkipReason }[] = [];

  // Most severe first so the copy kept for a fingerprint is the one worth waking someone for;
  // the sort is stable, so ties keep input (time) order.
  const order = items
    .map((item, i) => ({ item, id: identify(item), i }))
    .sort((x, y) => severityRank(x.id.severity) - severityRank(y.id.severity) || y.id.score - x.id.score || x.i - y.i);
  const chosen = new Map<string, { item: T; fingerprint: string; key: string; i: number }>();
  for (const { item, id, i } of order) {
    const fp = id.fingerprint;
    const hold = (reason: SkipReason): void => { skipped[reason]++; held.push({ item, fingerprint: fp, key: id.key, reason }); };
    if (severityRank(id.severity) > minRank) {
      hold('below-min-severity');
      continue;
    }
    if (Object.hasOwn(state.sent, fp) || chosen.has(fp)) {
      hold('duplicate');
      continue;
    }
    const last = state.lastSent[id.key];
    const exempt = opts.neverThrottle !== undefined && severityRank(id.severity) <= severityRank(opts.neverThrottle);
    if (throttleMs > 0 && !exempt && last !== undefined && opts.now - last < throttleMs) {
      hold('throttled');
      continue;
    }
    chosen.set(fp, { item, fingerprint: fp, key: id.key, i });
  }
  const send = [...chosen.values()].sort((x, y) => x.i - y.i).map(({ item, fingerprint: f, key }) => ({ item, fingerprint: f, key }));
  return { send, skipped, held };
}

/** selectBy for anomalies: the fingerprint is the alert key and the data-time bucket (see `fingerprint`). */
export function selectAnomalies(anomalies: readonly Anomaly[], opts: SelectOptions): Selection {
  const throttleMs = opts.throttleMs && opts.throttleMs > 0 ? opts.throttleMs : 0;
  const bucketMs = opts.bucketMs ?? throttleMs;
  const r = selectBy(anomalies, (a) => ({ severity: a.severity, score: a.score, fingerprint: fingerprint(a, bucketMs), key: alertKey(a) }), opts);
  return { send: r.send.map((s) => ({ anomaly: s.item, fingerprint: s.fingerprint, key: s.key })), skipped: r.skipped };
}

/**
 * The state after delivering `delivered` at `now`: their fingerprints and keys recorded, and
 * entries older than `retainMs` (default 7 days) dropped so a persisted state stays small.
 */
export function recordDelivered(state: AlertState, delivered: readonly { fingerprint: string; key: string }[], now: number, retainMs = 7 * 24 * 3600_000): AlertState {
  const sent: Record<string, number> = {};
  const lastSent: Record<string, number> = {};
  for (const [k, t] of Object.entries(state.sent)) if (now - t < retainMs) sent[k] = t;
  for (const [k, t] of Object.entries(state.lastSent)) if (now - t < retainMs) lastSent[k] = t;
  for (const d of delivered) {
    sent[d.fingerprint] = now;
    lastSent[d.key] = now;
  }
  return { sent, lastSent };
}

/** A state read from untrusted JSON (a persisted file): malformed parts are dropped, never thrown. */
export function alertStateFrom(raw: unknown): AlertState {
  const out = emptyAlertState();
  if (typeof raw !== 'object' || raw === null) return out;
  for (const field of ['sent', 'lastSent'] as const) {
    const m = (raw as Record<string, unknown>)[field];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) continue;
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (typeof v === 'number' && Number.isFinite(v)) out[field][k] = v;
    }
  }
  return out;
}
