import { stat } from 'node:fs/promises';
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

/** Rows per piece of work: threads take pieces until none is left, so a slower thread (a busy core) takes fewer. */
const CHUNK_ROWS = 4096;

/**
 * What a scoring worker runs: it waits for the work (the forest's arrays, the columns and the sums in shared
 * memory, and the shared counter of pieces taken), sums the path lengths of the pieces it takes with the source
 * text of core's accumulatePathLengths (a self-contained function, so no separate entry file is needed: the
 * same code works under tsx and in the esbuild bundle), says so and ends.
 */
const workerSource = (): string => `const { parentPort } = require('node:worker_threads');
const accumulate = (${accumulatePathLengths.toString()});
const takePieces = (${takePieces.toString()});
parentPort.once('message', (work) => {
  takePieces(work, accumulate);
  parentPort.postMessage(0);
});`;

/** A scoring worker: started, possibly not yet running; `failed` holds its error once it has one. */
interface ScoringWorker {
  worker: Worker;
  online: Promise<void>;
  failed: Error | null;
}

/**
 * Scoring threads started ahead of the work (see startScoringThreads): a worker takes tens of ms to start,
 * time better spent while this thread still reads the CSV and fits the forest.
 */
export interface ScoringThreads {
  /** Workers not yet used. */
  readonly workers: ScoringWorker[];
  /** Stops the workers not used (scoring used none, or fewer: a small frame). Safe to call more than once. */
  close(): void;
}

function startWorker(): ScoringWorker {
  const worker = new Worker(workerSource(), { eval: true });
  const w: ScoringWorker = { worker, online: new Promise((resolve) => worker.once('online', () => resolve())), failed: null };
  // Listened to at once: an 'error' with no listener would be thrown on this thread.
  worker.once('error', (e) => { w.failed = e; });
  // An idle worker never keeps the process alive; it is ref'd while it scores.
  worker.unref();
  return w;
}

/**
 * Starts `threads − 1` scoring workers now (the calling thread is the other scorer), to be given to
 * scoreIsolationForestParallel or primeIsolationForest later. Close them when they end up unused.
 */
export function startScoringThreads(threads = 2): ScoringThreads {
  const workers = Array.from({ length: Math.max(0, Math.floor(threads) - 1) }, startWorker);
  return {
    workers,
    close() {
      for (const w of workers.splice(0)) void w.worker.terminate();
    },
  };
}

/** Below this size a CSV file is unlikely to hold MIN_ROWS_FOR_WORKERS rows: no worker is started ahead. */
const MIN_BYTES_FOR_WORKERS = 1 << 20;

/**
 * startScoringThreads for a CSV file about to be read, when it is large enough to be scored on several
 * threads (else null). The workers start while the file is read and the forest fitted.
 */
export async function startScoringThreadsFor(path: string, threads = 2): Promise<ScoringThreads | null> {
  const info = await stat(path).catch(() => null);
  return info?.isFile() && info.size >= MIN_BYTES_FOR_WORKERS ? startScoringThreads(threads) : null;
}

/** The shared work: columns, sums, the counter of pieces taken. */
interface SharedWork {
  forest: ForestArrays;
  columns: Float64Array[];
  out: Float64Array;
  next: Int32Array;
  rows: number;
  chunk: number;
}

/**
 * Takes pieces of the shared work until none is left. Self-contained (`accumulate` comes as an argument): the
 * scoring workers run its source text too.
 */
function takePieces(work: SharedWork, accumulate: typeof accumulatePathLengths): void {
  const { forest, columns, out, next, rows, chunk } = work;
  for (let s = Atomics.add(next, 0, 1) * chunk; s < rows; s = Atomics.add(next, 0, 1) * chunk) {
    const e = Math.min(rows, s + chunk);
    accumulate(forest, columns, s, e, out.subarray(s, e));
  }
}

/** Gives a worker the shared work; resolves once it has taken its last piece. */
function workOnWorker(w: ScoringWorker, work: SharedWork): Promise<void> {
  const { worker } = w;
  worker.ref();
  return new Promise<void>((resolve, reject) => {
    if (w.failed) { reject(w.failed); return; }
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(w.failed ?? new Error(`scoring worker exited with code ${code}`)); });
    worker.postMessage(work);
  });
}

const shared = (a: Float64Array): Float64Array => {
  const s = new Float64Array(new SharedArrayBuffer(a.length * 8));
  s.set(a);
  return s;
};

/**
 * scoreIsolationForest on several threads: this thread and worker threads take pieces of rows from a shared
 * counter until none is left (the columns and the sums in shared memory). Each row's path lengths are summed
 * over the trees in the same order as on one thread, so the scores are identical, bit for bit.
 * `started`: workers started earlier (startScoringThreads; `threads` is then their number + 1); those not
 * needed are closed.
 */
export async function scoreIsolationForestParallel(model: IsolationForestModel, frame: Frame, threads = 2, started?: ScoringThreads): Promise<Float64Array> {
  const n = frame.rows;
  const columns = model.metrics.map((m) => {
    const i = metricIndex(frame, m);
    if (i < 0) throw new RangeError(`the frame has no metric '${m}'`);
    return frame.values[i];
  });
  const wanted = started ? started.workers.length + 1 : Math.floor(threads);
  const parts = Math.max(1, Math.min(wanted, Math.floor(n / MIN_ROWS_FOR_WORKERS)));
  const workers = started ? started.workers.splice(0, parts - 1) : Array.from({ length: parts - 1 }, startWorker);
  started?.close();
  if (parts === 1) {
    const out = new Float64Array(n);
    accumulatePathLengths(model, columns, 0, n, out);
    return pathLengthsToScores(out, model);
  }
  const work: SharedWork = {
    forest: {
      feature: model.feature, threshold: model.threshold, left: model.left, pathLength: model.pathLength,
      roots: model.roots, depths: model.depths, fill: model.fill,
    },
    columns: columns.map(shared), out: new Float64Array(new SharedArrayBuffer(n * 8)), next: new Int32Array(new SharedArrayBuffer(4)),
    rows: n, chunk: CHUNK_ROWS,
  };
  const pending = workers.map((w) => workOnWorker(w, work));
  takePieces(work, accumulatePathLengths);
  await Promise.all(pending);
  return pathLengthsToScores(Float64Array.from(work.out), model);
}

/**
 * detectIsolationForest with the scoring on several threads (the fit and the explanations stay on this
 * thread): same result, field for field. Never throws on data; skips with a warning like the core.
 */
export async function detectIsolationForestParallel(frame: Frame, options: IsolationForestOptions = {}, threads = 2, started?: ScoringThreads): Promise<IsolationForestResult> {
  const { model, warnings } = prepareIsolationForest(frame, options);
  if (!model) {
    started?.close();
    return emptyIsolationForestResult(warnings);
  }
  const scores = await scoreIsolationForestParallel(model, frame, threads, started);
  return explainIsolationForest(withContaminationThreshold(model, scores), frame, scores, warnings);
}

/**
 * Fits and scores the Isolation Forest an analysis with `settings` runs, scoring on several threads, and puts
 * it in `cache` where runAnalysis finds it (same forest, same scores: runAnalysis then only explains them).
 * Does nothing when the detector is off or the cache holds that forest already. `started`: workers started
 * earlier (startScoringThreads), used or closed.
 */
export async function primeIsolationForest(frame: Frame, settings: AnalyzeSettings, cache: AnalysisCache, threads = 2, started?: ScoringThreads): Promise<void> {
  const run = settings.detectors.iforest ? iforestRunOf(settings) : null;
  if (!run || (cache.iforest?.key === run.key && cache.iforest.model)) {
    started?.close();
    return;
  }
  const { opts, key } = run;
  const r = await detectIsolationForestParallel(frame, opts, threads, started);
  if (r.model) cache.iforest = { key, model: r.model, result: r };
}
