import type { Anomaly } from '../anomaly.ts';
import { hash64 } from './hash.ts';

/**
 * What an alert is about, without its time: the rule (for rule findings) or the detector, and the
 * metric. Throttling counts messages per key; `rule:high-cpu|cpu`, `iforest|*` (no metric).
 */
export function alertKey(a: Pick<Anomaly, 'detector' | 'rule' | 'metric'>): string {
  const who = a.detector === 'rule' ? `rule:${a.rule ?? ''}` : a.detector;
  return `${who}|${a.metric ?? '*'}`;
}

/**
 * Data time of an anomaly in ms for bucketing: its timestamp, or its row number when the data has
 * no time column (rows then stand in for milliseconds). An unparsable timestamp falls back to the row.
 */
export function anomalyTimeMs(a: Pick<Anomaly, 'timestamp' | 'row'>): number {
  if (a.timestamp !== null) {
    const t = Date.parse(a.timestamp);
    if (Number.isFinite(t)) return t;
  }
  return a.row;
}

/**
 * The identity of an anomaly for deduplication, as 16 hex digits: hash of the alert key and the
 * data-time bucket `floor(time / bucketMs)`. bucketMs ≤ 0 or NaN means no bucketing (exact time).
 * Two findings of the same rule on the same metric in the same bucket are "the same anomaly".
 */
export function fingerprint(a: Pick<Anomaly, 'detector' | 'rule' | 'metric' | 'timestamp' | 'row'>, bucketMs = 0): string {
  const t = anomalyTimeMs(a);
  const bucket = bucketMs > 0 ? Math.floor(t / bucketMs) : t;
  return hash64(`${alertKey(a)}|${bucket}`);
}
