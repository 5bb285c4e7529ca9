// The analysis of one CSV runs here, off the extension host's thread, so a large file never blocks typing.
// No vscode import: this file is bundled on its own (dist/analysisWorker.js) and started with worker_threads.
import { parentPort } from 'node:worker_threads';
import { loadCsvFile } from '../node/loadCsv.ts';
import { runAnalysis } from '../core/analyze.ts';
import type { AnalysisCache, AnalyzeSettings } from '../core/analyzeSettings.ts';
import type { Frame } from '../core/csv/frame.ts';
import { tuningOf } from '../core/tuning.ts';
import { primeIsolationForest } from '../node/parallelScore.ts';
import type { Tuning } from '../core/tuning.ts';
import { LOCAL_DATA_MAX_VALUES } from '../protocol.ts';
import type { WorkerReply, WorkerRequest } from './workerProtocol.ts';
import { ANALYSIS_WORKER_LIMITS } from './workerProtocol.ts';

let frame: Frame | null = null;
let input = { path: '', sha256: '' };
let cache: AnalysisCache = {};
let tuning: Tuning | undefined;

parentPort!.on('message', async (req: WorkerRequest) => {
  const reply = (m: WorkerReply): void => parentPort!.postMessage(m);
  try {
    if (req.type === 'load') {
      const loaded = await loadCsvFile(req.path, undefined, { maxValues: ANALYSIS_WORKER_LIMITS.maxValues });
      frame = loaded.frame;
      input = { path: req.path, sha256: loaded.sha256 };
      cache = {};
      tuning = undefined;
      reply({ id: req.id, type: 'loaded', frame: loaded.frame, issues: loaded.issues, sha256: loaded.sha256 });
    } else if (req.type === 'analyze') {
      if (!frame) throw new Error('no data loaded');
      const t0 = performance.now();
      const settings = req.settings as AnalyzeSettings;
      // Fast detectors first: each stage's cumulative result is posted as soon as it exists (the cache makes
      // the earlier stages free), so the dashboard fills in while the forecaster still runs on a big file.
      // Re-analyses after a settings change are fast (cached fits): they answer once.
      const order = (['rules', 'iforest', 'forecast'] as const).filter((d) => settings.detectors[d]);
      const on = { iforest: false, forecast: false, rules: false };
      for (let i = 0; req.progressive && i < order.length - 1; i++) {
        on[order[i]] = true;
        if (order[i] === 'iforest') await primeIsolationForest(frame, settings, cache);
        const { frame: _p, ...partial } = runAnalysis(frame, { ...settings, detectors: { ...on } }, input, cache);
        reply({ id: req.id, type: 'partial', result: partial, ms: performance.now() - t0, pending: order.slice(i + 1) });
      }
      // The forest of a new fit is scored on two threads (bit-identical); runAnalysis finds it in the cache.
      await primeIsolationForest(frame, settings, cache);
      const { frame: _f, ...rest } = runAnalysis(frame, settings, input, cache);
      // For files the dashboard holds in full, what it needs to move the contamination and interval sliders itself.
      if (frame.rows * (frame.metrics.length + 1) <= LOCAL_DATA_MAX_VALUES) {
        tuning = tuningOf(frame, cache, settings, tuning);
        rest.tuning = tuning;
      }
      reply({ id: req.id, type: 'analyzed', result: rest, ms: performance.now() - t0 });
    }
  } catch (e) {
    reply({ id: req.id, type: 'error', message: (e as Error).message });
  }
});
