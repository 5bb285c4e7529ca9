/**
 * Isolation Forest: Liu, Ting & Zhou, "Isolation Forest", ICDM 2008 (doi:10.1109/ICDM.2008.17),
 * behaving like scikit-learn's `IsolationForest` (SPEC §5; scikit-learn 1.2 `sklearn/ensemble/_iforest.py`).
 *
 * Method. Each of `trees` trees is grown on ψ = `maxSamples` rows drawn without replacement (with
 * replacement when `bootstrap`). A node splits on a feature drawn uniformly among the features that are
 * not constant in that node, at a threshold drawn uniformly in [min, max) of that feature in the node
 * (rows with x ≤ threshold go left), until the node holds one row, all its rows are identical, or it
 * reaches depth ceil(log2 ψ). The path length of a row in a tree is the depth of the leaf it lands in
 * plus c(size of that leaf), the expected depth still needed to separate the rows the leaf holds. The
 * score is s(x) = 2^(−E[h(x)] / c(ψ)), in (0, 1]: 0.5 for a row as hard to isolate as an average one,
 * towards 1 for a row isolated near the root. It is the negation of scikit-learn's `score_samples`.
 *
 * Splits compare one feature with a threshold, so the model is invariant to any increasing rescaling of
 * a metric: bytes and percent need no normalisation, and none is done.
 *
 * Missing values (NaN, and ±Infinity) are replaced by the metric's median over the frame, at fit and at score time:
 * a missing value is never evidence of an anomaly, and such a value never gets the blame for one.
 * (scikit-learn rejects NaN; this is the documented extension.)
 *
 * Randomness comes only from `createRng(seed)`: one fork per tree, so same data + same seed gives the
 * same scores, byte for byte; scoring runs in a fixed tree order, so splitting the rows among threads
 * (see `accumulatePathLengths`) gives identical results.
 */
import type { Frame } from '../csv/frame.ts';
import { metricIndex } from '../csv/frame.ts';
import type { Anomaly } from '../anomaly.ts';
import { isoOf } from '../anomaly.ts';
import { clampScore, severityOf } from '../severity.ts';
import { tailThresholdIndex, tailThresholdSorted } from '../incidents/calibrate.ts';
import { formatNumber } from '../format.ts';
import { quantileSorted, sortedAt } from '../stats.ts';
import { growForest } from './isolationForestGrow.ts';
import { validateIsolationForestOptions } from './isolationForestModel.ts';
import type {
  Contamination, ForestArrays, IsolationForestAttribution, IsolationForestModel, IsolationForestOptions, IsolationForestResult,
} from './isolationForestModel.ts';

/**
 * Fits a forest to the frame's metrics (see the file comment); NaN values are replaced by medians.
 * With a contamination fraction it also scores the frame to set the threshold.
 * Throws RangeError on invalid options or a frame with no rows or no usable metric (detectIsolationForest never throws).
 */
export function fitIsolationForest(frame: Frame, options: IsolationForestOptions = {}): IsolationForestModel {
  const model = growForest(frame, options);
  return model.contamination === 'auto' ? model : withContaminationThreshold(model, scoreIsolationForest(model, frame));
}

/**
 * The model with its threshold set from the scores of its training rows: 0.5 for contamination 'auto',
 * else scikit-learn's offset_ = percentile(score_samples(X), 100·contamination) (linear interpolation), negated.
 */
export function withContaminationThreshold(model: IsolationForestModel, trainingScores: Float64Array): IsolationForestModel {
  const c = model.contamination;
  const scoreThreshold = c === 'auto' ? 0.5 : contaminationThreshold(sortedAt(trainingScores, contaminationThresholdAt(trainingScores.length, c)), c);
  return { ...model, scoreThreshold, settings: { ...model.settings, threshold: scoreThreshold } };
}

/** Per-row score in [0, 1] = 2^(−E[h(x)]/c(ψ)) of every row of the frame (NaN values read as the metric's median); empty frame gives an empty array. */
export function scoreIsolationForest(model: IsolationForestModel, frame: Frame): Float64Array {
  const columns = model.metrics.map((m) => {
    const i = metricIndex(frame, m);
    if (i < 0) throw new RangeError(`the frame has no metric '${m}'`);
    return frame.values[i];
  });
  const out = new Float64Array(frame.rows);
  accumulatePathLengths(model, columns, 0, frame.rows, out);
  return pathLengthsToScores(out, model);
}

/** Turns the sums over trees of the path lengths (as filled by accumulatePathLengths) into scores, in place. */
export function pathLengthsToScores(sums: Float64Array, model: IsolationForestModel): Float64Array {
  const denominator = model.roots.length * model.normalizer;
  for (let i = 0; i < sums.length; i++) sums[i] = Math.pow(2, -sums[i] / denominator);
  return sums;
}

/**
 * The hot loop: adds, for rows start..end−1, the sum over trees of the path lengths to out[row − start].
 * Self-contained (no closures, no imports) so that a worker thread can run its source text. Rows are
 * copied in blocks of 512, one metric after the other, with non-finite values filled; each node's metric
 * is turned into its offset in the block once. Each tree walks eight rows at once for a fixed number of
 * steps (its depth; leaves absorb, see IsolationForestModel): the eight walks are independent, so the CPU
 * overlaps them, and `+(x > t)` picks the child without a branch to mispredict. Per row the trees are
 * added in order, so any split of the rows gives the same sums, bit for bit.
 */
export function accumulatePathLengths(forest: ForestArrays, columns: Float64Array[], start: number, end: number, out: Float64Array): void {
  const { feature, threshold, left, pathLength, roots, depths, fill } = forest;
  const d = columns.length;
  const blockRows = 512;
  const offset = new Int32Array(feature.length);
  for (let k = 0; k < offset.length; k++) offset[k] = feature[k] * blockRows;
  const block = new Float64Array(blockRows * d);
  const trees = roots.length;
  for (let b0 = start; b0 < end; b0 += blockRows) {
    const count = Math.min(end, b0 + blockRows) - b0;
    for (let f = 0; f < d; f++) {
      const col = columns[f];
      const fv = fill[f];
      const base = f * blockRows;
      for (let r = 0; r < count; r++) {
        const v = col[b0 + r];
        // v − v is 0 only for finite v: NaN and ±Infinity read as the fill value.
        block[base + r] = v - v === 0 ? v : fv;
      }
    }
    const o = b0 - start;
    for (let t = 0; t < trees; t++) {
      const root = roots[t];
      const depth = depths[t];
      let r = 0;
      for (; r + 8 <= count; r += 8) {
        let n0 = root, n1 = root, n2 = root, n3 = root, n4 = root, n5 = root, n6 = root, n7 = root;
        for (let level = depth; level > 0; level--) {
          n0 = left[n0] + +(block[r + offset[n0]] > threshold[n0]);
          n1 = left[n1] + +(block[r + 1 + offset[n1]] > threshold[n1]);
          n2 = left[n2] + +(block[r + 2 + offset[n2]] > threshold[n2]);
          n3 = left[n3] + +(block[r + 3 + offset[n3]] > threshold[n3]);
          n4 = left[n4] + +(block[r + 4 + offset[n4]] > threshold[n4]);
          n5 = left[n5] + +(block[r + 5 + offset[n5]] > threshold[n5]);
          n6 = left[n6] + +(block[r + 6 + offset[n6]] > threshold[n6]);
          n7 = left[n7] + +(block[r + 7 + offset[n7]] > threshold[n7]);
        }
        const i = o + r;
        out[i] += pathLength[n0];
        out[i + 1] += pathLength[n1];
        out[i + 2] += pathLength[n2];
        out[i + 3] += pathLength[n3];
        out[i + 4] += pathLength[n4];
        out[i + 5] += pathLength[n5];
        out[i + 6] += pathLength[n6];
        out[i + 7] += pathLength[n7];
      }
      for (; r < count; r++) {
        let n0 = root;
        for (let level = depth; level > 0; level--) n0 = left[n0] + +(block[r + offset[n0]] > threshold[n0]);
        out[o + r] += pathLength[n0];
      }
    }
  }
}

/**
 * Per-metric shares of the isolation of the given rows (each row's shares sum to 1; NaN values read
 * as the median). In each tree, a split on metric m that sends the row from a node of n training rows
 * into a child of n′ rows removes log2(n / n′) bits of "company". A row drawn from that node's own
 * training rows removes on average the split's entropy H = Σ (n_c / n) log2(n / n_c), so the split's
 * surprise for this row is log2(n / n′) − H: positive when the row is cut off into the small side,
 * negative when it stays with the crowd, zero on average for a typical row. A metric's share is its
 * surprise summed over all trees and clipped at 0, over the total. An outlier in one metric is cut off
 * early by splits on that metric and takes most of the share; a metric the row is typical in gets
 * about none. Rows with no positive surprise fall back to the raw bits; rows whose path removes
 * nothing (all rows identical) get equal shares.
 */
export function attributeIsolationForest(model: IsolationForestModel, frame: Frame, rows: ArrayLike<number>): IsolationForestAttribution {
  const d = model.metrics.length;
  const columns = model.metrics.map((m) => frame.values[metricIndex(frame, m)]);
  const shares = new Float64Array(rows.length * d);
  const { feature, threshold, left, size, roots, fill } = model;
  // bits[k]: removed by the split leading into node k; surprise[k]: that minus the split's entropy (both 0 at roots).
  const bits = new Float64Array(size.length);
  const surprise = new Float64Array(size.length);
  for (let k = 0; k < size.length; k++) {
    if (left[k] === k) continue;
    const l = left[k], r = l + 1;
    bits[l] = Math.log2(size[k] / size[l]);
    bits[r] = Math.log2(size[k] / size[r]);
    const entropy = (size[l] * bits[l] + size[r] * bits[r]) / size[k];
    surprise[l] = bits[l] - entropy;
    surprise[r] = bits[r] - entropy;
  }
  const x = new Float64Array(d);
  const raw = new Float64Array(d);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    for (let f = 0; f < d; f++) {
      const v = columns[f][row];
      x[f] = v - v === 0 ? v : fill[f];
    }
    const o = i * d;
    raw.fill(0);
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t];
      while (left[node] !== node) {
        const f = feature[node];
        // x ≤ threshold goes left; `+(x > t)` picks the child without a branch to mispredict.
        node = left[node] + +(x[f] > threshold[node]);
        shares[o + f] += surprise[node];
        raw[f] += bits[node];
      }
    }
    let total = 0;
    for (let f = 0; f < d; f++) total += Math.max(0, shares[o + f]);
    if (total > 0) {
      for (let f = 0; f < d; f++) shares[o + f] = Math.max(0, shares[o + f]) / total;
      continue;
    }
    let rawTotal = 0;
    for (let f = 0; f < d; f++) rawTotal += raw[f];
    for (let f = 0; f < d; f++) shares[o + f] = rawTotal > 0 ? raw[f] / rawTotal : 1 / d;
  }
  return { metrics: [...model.metrics], rows: Int32Array.from(rows), shares };
}

/**
 * The 0–100 severity score of an Isolation Forest score s given the threshold τ (SPEC §4).
 * With r = E[h]/c(ψ) = −log2 s the relative path length and r_τ = −log2 τ that of the threshold,
 * severity = 3 + 97·(1 − r/r_τ): the threshold sits at the bottom of the warning band (3), a row
 * isolated in half the threshold's path length scores 51.5 (major), one isolated at once scores 100.
 * Scores at or below the threshold give 0; NaN gives 0.
 */
export function severityScore(score: number, threshold: number): number {
  if (!(score > threshold)) return 0;
  const rTau = -Math.log2(threshold);
  if (!(rTau > 0)) return 100;
  const r = -Math.log2(score);
  return clampScore(3 + 97 * (1 - r / rTau));
}

/**
 * Fits the forest on the frame, scores every row, flags rows above the contamination threshold and
 * explains each flagged row by its top metric. Never throws: with no rows, no usable metric or no
 * metric with variation, or invalid options, it returns empty arrays and a warning.
 */
export function detectIsolationForest(frame: Frame, options: IsolationForestOptions = {}): IsolationForestResult {
  const { model, warnings } = prepareIsolationForest(frame, options);
  if (!model) return emptyIsolationForestResult(warnings);
  const scores = scoreIsolationForest(model, frame);
  return explainIsolationForest(withContaminationThreshold(model, scores), frame, scores, warnings);
}

/**
 * The checks and the fit of detectIsolationForest, without the scoring (so that a caller may score on
 * several threads): the grown forest (threshold not yet set: see withContaminationThreshold) and the
 * warnings, or a null model when the detector cannot run. Never throws.
 */
export function prepareIsolationForest(frame: Frame, options: IsolationForestOptions = {}): { model: IsolationForestModel | null; warnings: string[] } {
  const warnings: string[] = [];
  const skip = (why: string) => {
    warnings.push(`iforest skipped: ${why}`);
    return { model: null, warnings };
  };
  const invalid = validateIsolationForestOptions(options);
  if (invalid) return skip(invalid);
  if (frame.rows === 0) return skip('the data has no rows');
  const requested = options.metrics ?? frame.metrics;
  const unknown = requested.filter((m) => metricIndex(frame, m) < 0);
  if (unknown.length) warnings.push(`iforest: no metric named ${unknown.map((m) => `'${m}'`).join(', ')} in the data; ignored`);
  const known = requested.filter((m) => metricIndex(frame, m) >= 0);
  const noValues = known.filter((m) => !hasFinite(frame.values[metricIndex(frame, m)]));
  if (noValues.length) warnings.push(`iforest: ${noValues.map((m) => `'${m}'`).join(', ')} ${noValues.length > 1 ? 'have' : 'has'} no values; ignored`);
  const skipped = new Set(noValues);
  const metrics = known.filter((m) => !skipped.has(m));
  if (metrics.length === 0) return skip('no numeric metric to analyse');
  if (!metrics.some((m) => varies(frame.values[metricIndex(frame, m)]))) return skip('no metric varies (every row has the same values)');
  if (typeof options.maxSamples === 'number' && options.maxSamples >= 1 && Math.floor(options.maxSamples) > frame.rows) {
    warnings.push(`iforest: maxSamples ${options.maxSamples} is more than the ${frame.rows} rows; using ${frame.rows}`);
  }
  const missingRows = countRowsWithMissing(frame, metrics);
  if (missingRows > 0) {
    warnings.push(`iforest: ${missingRows} row${missingRows > 1 ? 's have' : ' has'} missing values; each missing value was read as its metric's median`);
  }
  return { model: growForest(frame, { ...options, metrics }), warnings };
}

/** The result of a detector that did not run: empty arrays, NaN threshold, the warnings. */
export function emptyIsolationForestResult(warnings: string[]): IsolationForestResult {
  return {
    scores: new Float64Array(0), threshold: NaN, flagged: new Uint8Array(0), anomalies: [],
    attribution: { metrics: [], rows: new Int32Array(0), shares: new Float64Array(0) }, settings: {}, warnings,
  };
}

/**
 * The flagged rows, their attribution and anomalies, from scores already computed for this frame by
 * this model (so that a caller may compute them on several threads). `warnings` is passed through.
 */
export function explainIsolationForest(model: IsolationForestModel, frame: Frame, scores: Float64Array, warnings: string[] = []): IsolationForestResult {
  const threshold = model.scoreThreshold;
  const flagged = new Uint8Array(scores.length);
  const flaggedRows: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] > threshold) {
      flagged[i] = 1;
      flaggedRows.push(i);
    }
  }
  const attribution = attributeIsolationForest(model, frame, flaggedRows);
  const anomalies = iforestAnomalies(model.metrics, frame, attribution.rows, attribution.shares, scores, threshold);
  return { scores, threshold, flagged, anomalies, attribution, settings: model.settings, warnings, model };
}

/**
 * The anomalies of the flagged `rows` (ascending), each explained by `shares` (row-major, rows.length ×
 * metrics.length, as attributeIsolationForest gives them): the top metric with a value, the score against
 * `threshold`. Shared by the detector and by clients that re-threshold stored scores (src/core/tuning.ts).
 */
export function iforestAnomalies(metrics: string[], frame: Frame, rows: ArrayLike<number>, shares: Float64Array, scores: Float64Array, threshold: number): Anomaly[] {
  const d = metrics.length;
  const columns = metrics.map((m) => frame.values[metricIndex(frame, m)]);
  const anomalies: Anomaly[] = [];
  const order = new Int32Array(d);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const rowShares = shares.subarray(i * d, (i + 1) * d);
    for (let f = 0; f < d; f++) order[f] = f;
    order.sort((a, b) => rowShares[b] - rowShares[a] || a - b);
    // The top metric with a value in this row (a missing value was read as the median: it is not the cause).
    let top = order[0];
    for (let k = 0; k < d; k++) {
      if (Number.isFinite(columns[order[k]][row])) { top = order[k]; break; }
    }
    const raw = columns[top][row];
    const value = Number.isFinite(raw) ? raw : null;
    const score = severityScore(scores[row], threshold);
    const severity = severityOf(score) ?? 'warning';
    const parts: string[] = [];
    for (let k = 0; k < Math.min(d, 3); k++) {
      const pct = Math.round(rowShares[order[k]] * 100);
      if (pct > 0) parts.push(`${metrics[order[k]]} ${pct}%`);
    }
    const more = d > 3 ? ', …' : '';
    anomalies.push({
      row,
      timestamp: frame.timestamps ? isoOf(frame.timestamps[row], frame.utcOffsetMs) : null,
      detector: 'iforest',
      metric: metrics[top],
      value,
      score,
      severity,
      message: `${metrics[top]} ${value === null ? 'missing' : formatNumber(value, 4, 1000)} is unusual`
        + ` (iforest score ${scores[row].toFixed(2)} > ${threshold.toFixed(2)}; isolated by ${parts.join(', ')}${more})`,
    });
  }
  return anomalies;
}

/**
 * The score threshold of a contamination: scikit-learn's 0.5 for 'auto' and the (1 − c) quantile of the scores
 * (ascending) for a fraction; for 'calibrated', where the calibrated tail starts (tailThresholdSorted).
 */
export function contaminationThreshold(sortedScores: Float64Array, contamination: Contamination): number {
  if (contamination === 'auto' || sortedScores.length === 0) return 0.5;
  if (contamination === 'calibrated') return tailThresholdSorted(sortedScores);
  return quantileSorted(sortedScores, 1 - contamination);
}

/** The positions of n ascending scores that contaminationThreshold reads (so that only they need sorting). */
function contaminationThresholdAt(n: number, contamination: Contamination): number[] {
  if (contamination === 'auto' || n === 0) return [];
  if (contamination === 'calibrated') return [tailThresholdIndex(n)];
  const i = Math.floor((n - 1) * (1 - contamination));
  return [i, i + 1];
}

function hasFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) return true;
  return false;
}

function varies(values: Float64Array): boolean {
  let first = NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (first !== first) first = v;
    else if (v !== first) return true;
  }
  return false;
}

function countRowsWithMissing(frame: Frame, metrics: string[]): number {
  const columns = metrics.map((m) => frame.values[metricIndex(frame, m)]);
  let count = 0;
  for (let i = 0; i < frame.rows; i++) {
    for (const c of columns) if (!Number.isFinite(c[i])) { count++; break; }
  }
  return count;
}
