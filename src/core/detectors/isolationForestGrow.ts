// Growing the trees of an Isolation Forest (the method: src/core/detectors/isolationForest.ts).
import type { Frame } from '../csv/frame.ts';
import { metricIndex } from '../csv/frame.ts';
import { createRng } from '../random.ts';
import type { Rng } from '../random.ts';
import { finiteMedian } from '../stats.ts';
import { averagePathLength, validateIsolationForestOptions } from './isolationForestModel.ts';
import type { IsolationForestModel, IsolationForestOptions } from './isolationForestModel.ts';

/** The forest alone: the threshold is 0.5 whatever the contamination (see withContaminationThreshold). */
export function growForest(frame: Frame, options: IsolationForestOptions): IsolationForestModel {
  const invalid = validateIsolationForestOptions(options);
  if (invalid) throw new RangeError(invalid);
  const n = frame.rows;
  if (n < 1) throw new RangeError('isolation forest needs at least one row');
  const metrics = options.metrics ?? frame.metrics;
  const columns = metrics.map((m) => {
    const i = metricIndex(frame, m);
    if (i < 0) throw new RangeError(`unknown metric '${m}'`);
    return frame.values[i];
  });
  if (columns.length === 0) throw new RangeError('isolation forest needs at least one metric');
  const d = columns.length;
  const fill = Float64Array.from(columns, (c) => {
    const m = finiteMedian(c);
    return Number.isNaN(m) ? 0 : m;
  });

  const trees = options.trees ?? 100;
  const psi = resolveMaxSamples(options.maxSamples ?? 'auto', n);
  const featuresPerTree = resolveMaxFeatures(options.maxFeatures ?? 1, d);
  const bootstrap = options.bootstrap ?? false;
  const seed = options.seed ?? 0;
  // scikit-learn: max_depth = ceil(log2(max(max_samples, 2))).
  const maxDepth = Math.ceil(Math.log2(Math.max(psi, 2)));

  // A tree of ψ rows has at most 2ψ − 1 nodes.
  const capacity = trees * (2 * psi - 1);
  const feature = new Int32Array(capacity);
  const threshold = new Float64Array(capacity);
  const left = new Int32Array(capacity);
  const pathLength = new Float64Array(capacity);
  const size = new Int32Array(capacity);
  const roots = new Int32Array(trees);
  const depths = new Int32Array(trees);

  const rng = createRng(seed);
  const sample = new Float64Array(psi * d);
  const order = new Int32Array(psi);
  const allFeatures = new Int32Array(d);
  for (let f = 0; f < d; f++) allFeatures[f] = f;
  const candidates = new Int32Array(d);
  let nodes = 0;
  for (let t = 0; t < trees; t++) {
    const treeRng = rng.fork();
    const rows = bootstrap ? drawWithReplacement(treeRng, n, psi) : drawWithoutReplacement(treeRng, n, psi);
    // Per-tree feature subset (scikit-learn draws it per estimator, without replacement).
    const usable = featuresPerTree === d ? allFeatures : partialShuffle(treeRng, d, featuresPerTree);
    for (let r = 0; r < psi; r++) {
      const row = rows[r];
      for (let f = 0; f < d; f++) {
        const v = columns[f][row];
        sample[r * d + f] = v - v === 0 ? v : fill[f];
      }
      order[r] = r;
    }
    roots[t] = nodes;
    const grown = growTree({ sample, d, order, usable, candidates, rng: treeRng, maxDepth, feature, threshold, left, pathLength, size }, nodes);
    nodes = grown.next;
    depths[t] = grown.depth;
  }

  const normalizer = averagePathLength(psi) || 1;
  const contamination = options.contamination ?? 'calibrated';
  const model: IsolationForestModel = {
    metrics: [...metrics],
    feature: feature.slice(0, nodes),
    threshold: threshold.slice(0, nodes),
    left: left.slice(0, nodes),
    pathLength: pathLength.slice(0, nodes),
    size: size.slice(0, nodes),
    roots,
    depths,
    fill,
    maxSamples: psi,
    maxDepth,
    normalizer,
    contamination,
    scoreThreshold: 0.5,
    settings: {
      trees, maxSamples: psi, maxFeatures: options.maxFeatures ?? 1, bootstrap, maxDepth,
      contamination, threshold: 0.5, seed, metrics: [...metrics], missingValues: 'median',
    },
  };
  return model;
}

interface GrowState {
  sample: Float64Array;
  d: number;
  order: Int32Array;
  usable: Int32Array;
  candidates: Int32Array;
  rng: Rng;
  maxDepth: number;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  pathLength: Float64Array;
  size: Int32Array;
}

/** Grows one tree over order[0..ψ) from node `first`, children allocated in pairs; returns the next free node and the tree's depth. */
function growTree(s: GrowState, first: number): { next: number; depth: number } {
  const { sample, d, order, usable, candidates, rng, maxDepth, feature, threshold: thresholds, left, pathLength, size } = s;
  let next = first + 1;
  let treeDepth = 0;
  // Explicit stack of (node, lo, hi, depth): no recursion, no per-node objects.
  const stack: number[] = [first, 0, order.length, 0];
  while (stack.length) {
    const depth = stack.pop() as number;
    const hi = stack.pop() as number;
    const lo = stack.pop() as number;
    const node = stack.pop() as number;
    const count = hi - lo;
    size[node] = count;
    let k = 0;
    if (count > 1 && depth < maxDepth) {
      for (let u = 0; u < usable.length; u++) {
        const f = usable[u];
        const v0 = sample[order[lo] * d + f];
        for (let i = lo + 1; i < hi; i++) {
          if (sample[order[i] * d + f] !== v0) { candidates[k++] = f; break; }
        }
      }
    }
    if (k === 0) {
      feature[node] = 0;
      thresholds[node] = Infinity;
      left[node] = node;
      pathLength[node] = depth + averagePathLength(count);
      if (depth > treeDepth) treeDepth = depth;
      continue;
    }
    const f = candidates[rng.int(k)];
    let min = Infinity, max = -Infinity;
    for (let i = lo; i < hi; i++) {
      const v = sample[order[i] * d + f];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    let threshold = rng.uniform(min, max);
    // As scikit-learn: a draw that rounds up to max would leave the right child empty.
    if (threshold >= max) threshold = min;
    let i = lo, j = hi - 1;
    while (i <= j) {
      if (sample[order[i] * d + f] <= threshold) i++;
      else { const tmp = order[i]; order[i] = order[j]; order[j] = tmp; j--; }
    }
    feature[node] = f;
    thresholds[node] = threshold;
    left[node] = next;
    stack.push(next, lo, i, depth + 1, next + 1, i, hi, depth + 1);
    next += 2;
  }
  return { next, depth: treeDepth };
}

function resolveMaxSamples(maxSamples: number | 'auto', n: number): number {
  if (maxSamples === 'auto') return Math.min(256, n);
  if (maxSamples < 1) return Math.max(1, Math.floor(maxSamples * n));
  return Math.min(Math.floor(maxSamples), n);
}

function resolveMaxFeatures(maxFeatures: number, d: number): number {
  const k = maxFeatures <= 1 ? Math.floor(maxFeatures * d) : Math.floor(maxFeatures);
  return Math.max(1, Math.min(d, k));
}

/** ψ distinct rows of n (Floyd's algorithm: ψ draws whatever n is). */
function drawWithoutReplacement(rng: Rng, n: number, psi: number): Int32Array {
  const out = new Int32Array(psi);
  if (psi === n) {
    for (let i = 0; i < n; i++) out[i] = i;
    return out;
  }
  const seen = new Set<number>();
  let k = 0;
  for (let j = n - psi; j < n; j++) {
    const t = rng.int(j + 1);
    const pick = seen.has(t) ? j : t;
    seen.add(pick);
    out[k++] = pick;
  }
  return out;
}

function drawWithReplacement(rng: Rng, n: number, psi: number): Int32Array {
  const out = new Int32Array(psi);
  for (let i = 0; i < psi; i++) out[i] = rng.int(n);
  return out;
}

/** k distinct indices of 0..d−1, ascending. */
function partialShuffle(rng: Rng, d: number, k: number): Int32Array {
  const idx = new Int32Array(d);
  for (let i = 0; i < d; i++) idx[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(d - i);
    const tmp = idx[i]; idx[i] = idx[j]; idx[j] = tmp;
  }
  return idx.slice(0, k).sort();
}
