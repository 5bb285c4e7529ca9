// The Isolation Forest's options, model and result (the method: src/core/detectors/isolationForest.ts).
import type { Anomaly } from '../anomaly.ts';

/** How the forest's threshold is chosen (see IsolationForestOptions.contamination). */
export type Contamination = 'calibrated' | 'auto' | number;

/** Options of the Isolation Forest; defaults are scikit-learn's, except the threshold (contamination). */
export interface IsolationForestOptions {
  /** Number of trees. @default 100 */
  trees?: number;
  /** Rows per tree: a count (≥ 1, capped at the row count), a fraction of the rows (< 1), or 'auto' = min(256, rows). @default 'auto' */
  maxSamples?: number | 'auto';
  /** Fraction (≤ 1) or count (> 1) of the metrics each tree may split on, drawn per tree. @default 1.0 */
  maxFeatures?: number;
  /** Draw each tree's rows with replacement. @default false */
  bootstrap?: boolean;
  /**
   * 'calibrated' flags the rows in the upper tail that src/core/incidents/calibrate.ts models (the top 2 %; their
   * calibrated scores decide what is reported); 'auto' flags score > 0.5 and a fraction in (0, 0.5] flags scores
   * above that upper quantile of the training scores, as scikit-learn does. @default 'calibrated'
   */
  contamination?: Contamination;
  /** Seed of the project's PRNG. @default 0 */
  seed?: number;
  /** Metrics to use, by name. @default every metric of the frame */
  metrics?: string[];
}

/**
 * A fitted forest, flat typed arrays only. Node k of the forest splits on metric `feature[k]` (an
 * index into `metrics`) at `threshold[k]`: a row goes to `left[k]` when its value ≤ the threshold,
 * else to `left[k] + 1`. A leaf has `left[k] === k`, feature 0 and threshold +Infinity, so a walk that
 * reaches it stays there: the scoring loop then takes a fixed number of steps (the tree's depth) with
 * no test for leaves. `pathLength[k]` is, for a leaf, depth + c(leaf size) (0 for other nodes);
 * `size[k]` is the number of training rows that reached node k. Tree t starts at `roots[t]` and is
 * `depths[t]` levels deep.
 */
export interface IsolationForestModel {
  metrics: string[];
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  pathLength: Float64Array;
  size: Int32Array;
  roots: Int32Array;
  depths: Int32Array;
  /** Per metric, the value that stands in for NaN (the metric's median; 0 when it has none). */
  fill: Float64Array;
  /** ψ, the rows per tree actually used. */
  maxSamples: number;
  maxDepth: number;
  /** c(ψ), the normaliser of the path lengths (1 when c(ψ) = 0, as scikit-learn does). */
  normalizer: number;
  /** Resolved contamination and the score threshold: a row is an anomaly when its score > scoreThreshold. */
  contamination: Contamination;
  scoreThreshold: number;
  /** The options as resolved, for JSON meta. */
  settings: Record<string, unknown>;
}

/** Which metrics isolated each flagged row: `shares` is row-major (rows.length × metrics.length), each row sums to 1. */
export interface IsolationForestAttribution {
  metrics: string[];
  /** The flagged rows (0-based data rows), ascending. */
  rows: Int32Array;
  shares: Float64Array;
}

/** What `detectIsolationForest` returns; every array is empty (and threshold NaN) when the detector could not run. */
export interface IsolationForestResult {
  /** Per-row score in [0, 1] (length frame.rows). */
  scores: Float64Array;
  threshold: number;
  /** 1 where score > threshold. */
  flagged: Uint8Array;
  anomalies: Anomaly[];
  attribution: IsolationForestAttribution;
  settings: Record<string, unknown>;
  warnings: string[];
  /** The fitted forest (absent when the detector could not run), so a caller can re-threshold without refitting. */
  model?: IsolationForestModel;
}

const EULER_GAMMA = 0.5772156649015329;

/** c(n), the average path length of an unsuccessful search in a binary search tree of n items: 0 for n ≤ 1, 1 for n = 2. */
export function averagePathLength(n: number): number {
  if (!(n > 1)) return 0;
  if (n <= 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** A message saying why the options are invalid, or null when they are valid. */
export function validateIsolationForestOptions(options: IsolationForestOptions = {}): string | null {
  const { trees, maxSamples, maxFeatures, contamination, seed } = options;
  if (trees !== undefined && !(Number.isInteger(trees) && trees >= 1)) return `trees must be a positive integer, got ${trees}`;
  if (maxSamples !== undefined && maxSamples !== 'auto' && !(Number.isFinite(maxSamples) && maxSamples > 0)) {
    return `maxSamples must be 'auto' or a positive number, got ${maxSamples}`;
  }
  if (maxFeatures !== undefined && !(Number.isFinite(maxFeatures) && maxFeatures > 0)) return `maxFeatures must be a positive number, got ${maxFeatures}`;
  if (contamination !== undefined && contamination !== 'auto' && contamination !== 'calibrated' && !(contamination > 0 && contamination <= 0.5)) {
    return `contamination must be 'calibrated', 'auto' or a number in (0, 0.5], got ${contamination}`;
  }
  if (seed !== undefined && !Number.isFinite(seed)) return `seed must be a finite number, got ${seed}`;
  return null;
}

/** The model's arrays the scoring loop reads (a worker thread gets only these). */
export type ForestArrays = Pick<IsolationForestModel, 'feature' | 'threshold' | 'left' | 'pathLength' | 'roots' | 'depths' | 'fill'>;
