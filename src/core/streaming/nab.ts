import { createStreamDetector } from './streamDetector.ts';
import type { StreamDetectorOptions, StreamScore } from './streamDetector.ts';

/**
 * A row's NAB score: its stream score when it beats every row of the last `refractory` rows (`fresh`), else 0
 * — one alert per anomalous episode, the detector's de-duplication with a repeat factor of 0. NAB credits only
 * the first detection in a window and charges every detection outside one, so a repeat earns nothing there
 * (bench:nab 66.4 → 67.1; held out, the threshold chosen on the other four folders: every folder the same or
 * higher). `stream`'s findings keep the detector's damped repeats (`repeatFactor`, 0.25): an incident
 * resolves 10 rows after its last finding, so it needs the rows after the first alert (with a repeat factor
 * of 0 there, bench:stream-labelled's F1 fell from 0.522 to 0.509).
 */
export function nabScore(r: StreamScore): number {
  return r.fresh ? r.score : 0;
}

/**
 * A one-metric scorer for NAB output (`stream --format nab`, `bench:nab`): returns a function that takes
 * each row's epoch ms (or NaN) and value and gives its NAB score (`nabScore`) in [0, 1].
 */
export function createNabScorer(options: Partial<StreamDetectorOptions> = {}): (timestamp: number, value: number) => number {
  const detector = createStreamDetector({ ...options, metrics: ['value'] });
  const row = new Float64Array(1);
  return (timestamp, value) => {
    row[0] = value;
    return nabScore(detector.update(timestamp, row));
  };
}
