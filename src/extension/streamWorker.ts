// Follows one CSV off the extension host's thread: tails the file, scores each appended row with the stream
// detector and the rules (src/node/streamPipeline.ts), and posts the rows in batches (typed arrays, at most
// every BATCH_MS) so a large backlog never blocks the editor. No vscode import: bundled as dist/streamWorker.js.
import { parentPort } from 'node:worker_threads';
import { tailFile } from '../node/tailFile.ts';
import { StreamPipeline } from '../node/streamPipeline.ts';
import type { ScoredRow } from '../node/streamPipeline.ts';
import type { Anomaly } from '../core/anomaly.ts';
import type { StreamWorkerReply, StreamWorkerRequest } from './streamProtocol.ts';

const BATCH_MS = 100;
const BATCH_ROWS = 5000;

const port = parentPort!;
const stop = new AbortController();
let pending: ScoredRow[] = [];
let metrics: string[] = [];
let timed = false;
let utcOffsetMs = 0;
let restart = false;
let timer: ReturnType<typeof setTimeout> | undefined;

const send = (m: StreamWorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

function flush(): void {
  clearTimeout(timer);
  timer = undefined;
  if (!pending.length && !restart) return;
  const rows = pending;
  pending = [];
  const n = rows.length;
  const ts = new Float64Array(n);
  const lines = new Int32Array(n);
  const values = new Float64Array(n * metrics.length);
  const scores = new Float64Array(n);
  const anomalies: Anomaly[] = [];
  rows.forEach((r, i) => {
    ts[i] = r.ms;
    lines[i] = r.line;
    scores[i] = r.score.score;
    for (let m = 0; m < metrics.length; m++) values[i * metrics.length + m] = r.values[m];
    for (const a of r.anomalies) anomalies.push(a);
  });
  send({ type: 'rows', restart, metrics, timed, utcOffsetMs, firstRow: n ? rows[0].row : 0, ts, lines, values, scores, anomalies, model: n ? rows[n - 1].model : null }, [ts.buffer, lines.buffer, values.buffer, scores.buffer]);
  restart = false;
}

function onRow(r: ScoredRow): void {
  pending.push(r);
  if (pending.length >= BATCH_ROWS) flush();
  else if (!timer) timer = setTimeout(flush, BATCH_MS);
}

port.on('message', async (req: StreamWorkerRequest) => {
  if (req.type === 'stop') { stop.abort(); return; }
  const pipeline = new StreamPipeline({
    displayPath: req.name, rules: req.rules, thresholds: req.thresholds, live: true, baseline: req.baseline, retrainEveryMs: req.retrainEveryMs,
    onLayout: (l) => {
      flush();
      metrics = l.metrics;
      timed = l.timestampIndex >= 0;
      utcOffsetMs = l.utcOffsetMs;
      restart = true;
    },
    onRow,
    onNotice: (text) => send({ type: 'notice', text }),
  });
  try {
    await tailFile(req.path, {
      follow: true,
      signal: stop.signal,
      onText: (text) => pipeline.push(text),
      onCaughtUp: () => {
        pipeline.caughtUp();
        if (pipeline.failure) stop.abort();
      },
      onRestart: (event) => pipeline.restart(event),
      onGone: () => pipeline.gone(false),
      onBack: () => pipeline.gone(true),
      stopped: () => pipeline.failure !== null,
    });
    flush();
    if (pipeline.failure) send({ type: 'error', message: pipeline.failure.message });
    send({ type: 'ended' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    send({ type: 'error', message: code === 'ENOENT' ? `${req.name}: no such file` : `${req.name}: ${(e as Error).message}` });
  }
});
