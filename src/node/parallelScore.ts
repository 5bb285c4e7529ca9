import { Worker } from 'node:worker_threads';
import type { Frame } from '../core/csv/frame.ts';
import { metricIndex } from '../core/csv/frame.ts';
import { iforestRunOf } from '../core/analyze.ts';
import type { AnalysisCache, AnalyzeSettings } from '../core/analyzeSettings.ts';
import {
  accumulatePathLengths, emptyIsolationForestResult, explainIsolationForest, pathLengthsToScores, prepareIsolationForest,
  withContaminationThreshold,
} from '../core/detectors/isolationForest.ts';
import type { ForestArrays, IsolationForestModel, IsolationForestOptions, IsolationForestResult } from '../core/detectors/isolationForestModel.ts';

/** Below this many rows a worker's start-up (tens of ms) costs more than it saves. */
const MIN_ROWS_FOR_WORKERS = 50_000;

/**
 * scoreIsolationForest on several threads: the main thread scores the first share of the rows while
 * worker threads score the others. Each row's path lengths are summed over the trees in the same order
 * as on one thread, so the scores are identical, bit for bit.
 *
 * The worker runs the source text of core's accumulatePathLengths (a self-contained function), so it
 * needs no separate entry file: the same code works under tsx and in the esbuild bundle.
 */
export async function scoreIsolationForestParallel(model: IsolationForestModel, frame: Frame, threads = 2): Promise<Float64Array> {
  const n = frame.rows;
  const columns = model.metrics.map((m) => {
    const i = metricIndex(frame, m);
    if (i < 0) throw new RangeError(`the frame has no metric '${m}'`);
    return frame.values[i];
  });
  const out = new Float64Array(n);
  const parts = Math.max(1, Math.min(Math.floor(threads), Math.floor(n / MIN_ROWS_FOR_WORKERS)));
  if (parts === 1) {
    accumulatePathLengths(model, columns, 0, n, out);
    return pathLengthsToScores(out, model);
  }
  const forest: ForestArrays = {
    feature: model.feature, threshold: model.threshold, left: model.left, pathLength: model.pathLength,
    roots: model.roots, depths: model.depths, fill: model.fill,
  };
  const bounds = Array.from({ length: parts + 1 }, (_, p) => Math.round((n * p) / parts));
  const source = `const { parentPort, workerData } = require('node:worker_threads');
const accumulate = (${accumulatePathLengths.toString()});
const { forest, columns, rows } = workerData;
const out = new Float64Array(rows);
accumulate(forest, columns, 0, rows, out);
parentPort.postMessage(out, [out.buffer]);`;
  const pending = [];
  const online = [];
  for (let p = 1; p < parts; p++) {
    const start = bounds[p], end = bounds[p + 1];
    const slices = columns.map((c) => c.slice(start, end));
    const worker = new Worker(source, {
      eval: true,
      workerData: { forest, columns: slices, rows: end - start },
      transferList: slices.map((s) => s.buffer),
    });
    online.push(new Promise<void>((resolve) => worker.once('online', () => resolve())));
    pending.push(new Promise<void>((resolve, reject) => {
      worker.once('message', (part: Float64Array) => { out.set(part, start); resolve(); });
      worker.once('error', reject);
      worker.once('exit', (code) => { if (code !== 0) reject(new Error(`scoring worker exited with code ${code}`)); });
    }));
  }
  // A worker does not start running while this thread is busy: let it start before scoring our share.
  await Promise.race([Promise.all(online), Promise.all(pending)]);
  accumulatePathLengths(model, columns, 0, bounds[1], out);
  await Promise.all(pending);
  return pathLengthsToScores(out, model);
}

/**
 * detectIsolationForest with the scoring on several threads (the fit and the explanations stay on this
 * thread): same result, field for field. Never throws on data; skips with a warning like the core.
 */
export async function detectIsolationForestParallel(frame: Frame, options: IsolationForestOptions = {}, threads = 2): Promise<IsolationForestResult> {
  const { model, warnings } = prepareIsolationForest(frame, options);
  if (!model) return emptyIsolationForestResult(warnings);
  const scores = await scoreIsolationForestParallel(model, frame, threads);
  return explainIsolationForest(withContaminationThreshold(model, scores), frame, scores, warnings);
}

/**
 * Fits and scores the Isolation Forest an analysis with `settings` runs, scoring on several threads, and puts
 * it in `cache` where runAnalysis finds it (same forest, same scores: runAnalysis then only explains them).
 * Does nothing when the detector is off or the cache holds that forest already.
 */
export async function primeIsolationForest(frame: Frame, settings: AnalyzeSettings, cache: AnalysisCache, threads = 2): Promise<void> {
  if (!settings.detectors.iforest) return;
  const { opts, key } = iforestRunOf(settings);
  if (cache.iforest?.key === key && cache.iforest.model) return;
  const r = await detectIsolationForestParallel(frame, opts, threads);
  if (r.model) cache.iforest = { key, model: r.model, result: r };
}
