import { Worker } from 'node:worker_threads';
import type { WorkerCall, WorkerReply } from './workerProtocol.ts';
import { ANALYSIS_WORKER_LIMITS } from './workerProtocol.ts';

/** One worker thread per open file: it holds the parsed data and the detectors' cache. */
export class AnalysisWorker {
  private readonly worker: Worker;
  private nextId = 1;
  /** Ended (terminated, or exited): a request then fails at once instead of waiting for ever. */
  private ended = false;
  private readonly waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void; partial?: (r: WorkerReply) => void }>();

  constructor(script: string) {
    this.worker = new Worker(script, { resourceLimits: ANALYSIS_WORKER_LIMITS.resourceLimits });
    this.worker.on('message', (m: WorkerReply) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      if (m.type === 'partial') { w.partial?.(m); return; }
      this.waiting.delete(m.id);
      w.resolve(m);
    });
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', () => { this.ended = true; this.failAll(new Error('analysis cancelled')); });
  }

  request(req: WorkerCall, partial?: (r: WorkerReply) => void): Promise<WorkerReply> {
    const id = this.nextId++;
    if (this.ended) return Promise.reject(new Error('analysis cancelled'));
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, partial });
      this.worker.postMessage({ ...req, id });
    });
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  terminate(): void {
    this.ended = true;
    this.failAll(new Error('analysis cancelled'));
    void this.worker.terminate();
  }
}
