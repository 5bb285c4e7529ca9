/**
 * The shape statistic of the default view (./view.ts): an Isolation Forest (../detectors/isolationForest.ts, seeded)
 * over local features of one metric — its mean and spread over a short and a long centred window, its first
 * difference and its value less its short rolling median — so that a change of pattern (a metric that starts to
 * swing, or to swing less) scores even where no value is extreme.
 */
import type { Frame } from '../csv/frame.ts';
import { fitIsolationForest, scoreIsolationForest } from '../detectors/isolationForest.ts';
import { rollingTrimmedMean } from '../stats.ts';
import { centredMean } from './weekly.ts';
import type { Statistic } from './view.ts';

/** The long window is this many short ones. */
const LONG_WINDOWS = 12;
/** The statistic runs on files at least this many long windows long. */
const MIN_LONG_WINDOWS = 10;

/** The short window in rows at this frame's step, or 0 when the statistic does not run. */
export function shapeWindow(frame: Frame, spanMs: number): number {
  if (!(spanMs > 0)) return 0;
  const w = Math.max(3, Math.round(spanMs / (frame.stepMs ?? 60_000)));
  return w * LONG_WINDOWS * MIN_LONG_WINDOWS <= frame.rows ? w : 0;
}

/** Per row, the forest's score of the metric's local features (NaN where the metric has no value); null when it does not run. */
export function shapeScores(y: Float64Array, frame: Frame, spanMs: number): Float64Array | null {
  const w = shapeWindow(frame, spanMs);
  if (!w) return null;
  const n = y.length;
  const sq = y.map((v) => v * v);
  const spread = (win: number) => {
    const mean = centredMean(y, win);
    const meanSq = centredMean(sq, win);
    return { mean, sd: mean.map((v, i) => Math.sqrt(Math.max(0, meanSq[i] - v * v))) };
  };
  const short = spread(w);
  const long = spread(w * LONG_WINDOWS);
  const diff = new Float64Array(n).fill(NaN);
  for (let i = 1; i < n; i++) diff[i] = y[i] - y[i - 1];
  // The rolling median over the w rows from a row, moved to the row at the window's centre.
  const med = rollingTrimmedMean(y, w, 0.5);
  const fromMedian = new Float64Array(n).fill(NaN);
  for (let i = w >> 1; i < n; i++) fromMedian[i] = y[i] - med[i - (w >> 1)];
  const features: Frame = {
    timestamps: null, timestampColumn: null, rows: n, lines: new Int32Array(n), stepMs: frame.stepMs,
    metrics: ['mean', 'sd', 'longMean', 'longSd', 'diff', 'fromMedian'],
    values: [short.mean, short.sd, long.mean, long.sd, diff, fromMedian],
  };
  const model = fitIsolationForest(features, { seed: 0, contamination: 'auto' });
  const scores = scoreIsolationForest(model, features);
  // Near the ends the windows are not whole: not tested.
  for (let i = 0; i < n; i++) if (y[i] !== y[i] || long.mean[i] !== long.mean[i]) scores[i] = NaN;
  return scores;
}

/** The shape statistic of one metric, or null when it does not run. */
export function shapeStatistic(y: Float64Array, frame: Frame, metric: string, spanMs: number): Statistic | null {
  const values = shapeScores(y, frame, spanMs);
  return values && {
    key: `shape:${metric}`, detector: 'forecast', check: 'shape check', metric, values, vague: true,
    describe: (i) => ({ metric, value: y[i], message: `${metric}'s local pattern (its mean, spread and changes around here) is unlike the rest of the file`, phrase: `${metric}'s pattern changes` }),
  };
}
