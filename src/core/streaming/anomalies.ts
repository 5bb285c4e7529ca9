/**
 * Streaming findings as SPEC §3 anomalies (detector 'stream'), so they share the dashboard, exports and
 * alerting with the batch detectors.
 *
 * Score mapping (SPEC §4, one 0–100 scale): the stream score s = S / (S + 5) in [0, 1) comes from the
 * surprise S = −log10 p of the row (streamDetector.ts). A row is an anomaly from s = 0.5 (p ≤ 1e-5), the
 * bottom of the "minor" band, and the rest of [0.5, 1) is spread linearly over [25, 100):
 * score = 150·s − 50. So p = 1e-5 is minor 25, p = 1e-10 (s = 2/3) major 50, p = 1e-25 (s = 5/6)
 * critical 75. Rows below 0.5 are not anomalies: the warning band (3–25) is left to the batch detectors,
 * whose scores are not probabilities.
 */
import { zoneName } from '../csv/zone.ts';
import type { Anomaly } from '../anomaly.ts';
import { isoOf } from '../anomaly.ts';
import { clampScore, severityOf } from '../severity.ts';
import type { StreamScore } from './streamDetector.ts';
import type { BaselineScore } from './retraining.ts';
import { binOf } from './baseline.ts';
import { formatNumber, roundSignificant } from '../format.ts';
import { formatDuration } from '../rules/duration.ts';

const sig3 = (x: number): string => formatNumber(roundSignificant(x, 3));

/** The stream score from which a row is an anomaly (surprise p ≤ 1e-5). */
export const STREAM_ALERT_SCORE = 0.5;

/** The SPEC §4 score (0–100, one decimal) of a stream score in [0, 1); 0 below the alert level, NaN gives 0. */
export function streamScore100(s: number): number {
  if (!(s >= STREAM_ALERT_SCORE)) return 0;
  return clampScore(150 * s - 50);
}

/**
 * The anomaly of one scored row, or null when its score is below the alert level. `values` are the row's
 * metric values (NaN = missing), in the detector's metric order; `row` is the 0-based data row.
 */
export function streamAnomaly(r: StreamScore, row: number, timestampMs: number, metrics: readonly string[], values: ArrayLike<number>, offsetMs = 0): Anomaly | null {
  if (!(r.score >= STREAM_ALERT_SCORE) || r.topMetric < 0) return null;
  const m = r.topMetric;
  const metric = metrics[m];
  const v = values[m];
  const score = streamScore100(r.score);
  const lv = r.level;
  const why = lv ? `the last ${formatDuration(lv.spanMs)} average ${sig3(lv.recent)}, against ${sig3(lv.usual)} ± ${sig3(lv.spread)} over the ${formatDuration(lv.referenceMs)} before`
    : r.topScale === 0 ? 'a level not seen in the recent history' : 'the last day does not look like any recent day';
  return {
    row, timestamp: isoOf(timestampMs, offsetMs), detector: 'stream', metric, value: Number.isFinite(v) ? v : null,
    score, severity: severityOf(score) ?? 'minor', message: `${metric} = ${Number.isFinite(v) ? v : 'no data'}: ${why}`,
  };
}

/**
 * The finding of the retrained baseline (retraining.ts) on one row, or null when its most surprising metric
 * is below the alert level: the same 0–100 scale, from the surprise of the value under the baseline, less
 * log10(#metrics) (the most surprising of k metrics is k times likelier to look surprising by chance).
 */
export function baselineAnomaly(b: BaselineScore, row: number, timestampMs: number, metrics: readonly string[], values: ArrayLike<number>, offsetMs = 0): Anomaly | null {
  let m = -1;
  for (let k = 0; k < metrics.length; k++) if (b.surprise[k] > 0 && (m < 0 || b.surprise[k] > b.surprise[m])) m = k;
  if (m < 0) return null;
  const surprise = Math.max(0, b.surprise[m] - Math.log10(Math.max(1, metrics.length)));
  const s = surprise / (surprise + 5);
  if (!(s >= STREAM_ALERT_SCORE)) return null;
  const score = streamScore100(s);
  const metric = metrics[m];
  const v = values[m];
  const z = b.z[m];
  // Times are the file's wall clock (a file written at an offset: offsetMs), else UTC.
  const hour = Number.isFinite(timestampMs) ? ` at ${String(binOf(timestampMs, 24)).padStart(2, '0')}:00 ${zoneName(offsetMs)}` : '';
  // The model version early in the message: a narrow table column still shows which model flagged the row.
  const why = `${formatNumber(Math.abs(z), 3)} sd ${z > 0 ? 'above' : 'below'} baseline model v${b.model.version}${hour} (${formatNumber(b.expected[m], 6)} ± ${formatNumber(b.scale[m], 3)})`;
  return {
    row, timestamp: isoOf(timestampMs, offsetMs), detector: 'stream', metric, value: Number.isFinite(v) ? v : null,
    score, severity: severityOf(score) ?? 'minor', message: `${metric} = ${Number.isFinite(v) ? v : 'no data'}: ${why}`,
  };
}
