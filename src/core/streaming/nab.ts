import { createStreamDetector } from './streamDetector.ts';
import type { StreamDetectorOptions } from './streamDetector.ts';

/**
 * A one-metric scorer for NAB output (`stream --format nab`, `bench:nab`): returns a function that takes
 * each row's epoch ms (or NaN) and value and gives its anomaly score in [0, 1].
 */
export function createNabScorer(options: Partial<StreamDetectorOptions> = {}): (timestamp: number, value: number) => number {
  const detector = createStreamDetector({ ...options, metrics: ['value'] });
  const row = new Float64Array(1);
  return (timestamp, value) => {
    row[0] = value;
    return detector.update(timestamp, row).score;
  };
}
