/**
 * The streaming detector's per-row score as one more statistic of the default view (issue 13): for each metric, the
 * causal detector of `stream` (../streaming/streamDetector.ts: novelty of the value and of the last day's shape
 * against the past, a level against the week before, each as a Gaussian tail probability of its recent distances)
 * run over the file on that metric alone, its score before de-duplication read as a statistic that grows with
 * strangeness and calibrated on the file like the others (./calibrate.ts). Batch statistics see the whole file; this
 * one sees only the past of each row, so a first occurrence of something the file later repeats is still news to it.
 */
import { createStreamDetector } from '../streaming/streamDetector.ts';

/**
 * Per row (NaN where the value is missing; 0 in the detector's warm-up): the one-metric stream detector's score in [0, 1)
 * before de-duplication, its surprise (−log10 of the tail probability, less log10 of its scales: score = S / (S + 5)),
 * the surprise as `stream` reports it (damped by the repeat factor unless it beats every row of the last half day), and
 * whether it beat them (`fresh`).
 */
export interface StreamEvidence {
  score: Float64Array;
  surprise: Float64Array;
  damped: Float64Array;
  fresh: Uint8Array;
}

/** The surprise of a stream score s = S / (S + HALF_SCORE) (the detector's default halfScore). */
const HALF_SCORE = 5;
const surpriseOf = (s: number) => (HALF_SCORE * s) / (1 - s);

/** The stream detector run over one metric `y` (NaN: missing) at the frame's timestamps and step. */
export function streamEvidence(y: Float64Array, timestamps: Float64Array | null, stepMs: number | null): StreamEvidence {
  const n = y.length;
  const detector = createStreamDetector({ metrics: ['value'], seed: 0, ...(stepMs && stepMs > 0 ? { stepMs } : {}) });
  const score = new Float64Array(n);
  const surprise = new Float64Array(n);
  const damped = new Float64Array(n);
  const fresh = new Uint8Array(n);
  const row = new Float64Array(1);
  for (let i = 0; i < n; i++) {
    row[0] = y[i];
    const r = detector.update(timestamps ? timestamps[i] : NaN, row);
    const has = y[i] === y[i];
    score[i] = has ? r.perMetric[0] : NaN;
    surprise[i] = has ? surpriseOf(r.perMetric[0]) : NaN;
    damped[i] = has ? surpriseOf(r.score) : NaN;
    fresh[i] = r.fresh ? 1 : 0;
  }
  return { score, surprise, damped, fresh };
}
