import type { Anomaly } from '../anomaly.ts';
import type { Incident } from '../incidents/incidents.ts';
import { hash64 } from './hash.ts';

/**
 * What an alert is about, without its time: the rule (for rule findings) or the detector, and the
 * metric. Throttling counts messages per key; `rule:high-cpu|cpu`, `iforest|*` (no metric).
 */
export function alertKey(a: Pick<Anomaly, 'detector' | 'rule' | 'metric'>): string {
  const who = a.detector === 'rule' ? `rule:${a.rule ?? ''}` : a.detector;
  return `${who}|${a.metric ?? '*'}`;
}

/** Data time of an anomaly in epoch ms, or null when it has no (parsable) timestamp. */
export function anomalyTimeMs(a: Pick<Anomaly, 'timestamp'>): number | null {
  if (a.timestamp === null) return null;
  const t = Date.parse(a.timestamp);
  return Number.isFinite(t) ? t : null;
}

/**
 * The identity of an anomaly for deduplication, as 16 hex digits: hash of the alert key and the
 * data-time bucket `floor(time / bucketMs)`. bucketMs ≤ 0 or NaN means no bucketing (exact time).
 * Without a timestamp the row number identifies it (a row has no duration to bucket by).
 * Two findings of the same rule on the same metric in the same bucket are "the same anomaly".
 */
export function fingerprint(a: Pick<Anomaly, 'detector' | 'rule' | 'metric' | 'timestamp' | 'row'>, bucketMs = 0): string {
  const t = anomalyTimeMs(a);
  const when = t === null ? `row ${a.row}` : String(bucketMs > 0 ? Math.floor(t / bucketMs) : t);
  return hash64(`${alertKey(a)}|${when}`);
}

/**
 * The identity of an incident for deduplication: its id (its start and leading metric, stable across runs on
 * the same data), as 16 hex digits. An incident that grows keeps its id: it is not sent again.
 */
export function incidentFingerprint(i: Pick<Incident, 'id'>): string {
  return hash64(`incident|${i.id}`);
}

/** What an incident alert is about, for throttling: its leading metric (`incident|cpu`; `incident|*` without one). */
export function incidentKey(i: Pick<Incident, 'metrics'>): string {
  return `incident|${i.metrics[0]?.metric ?? '*'}`;
}
