/**
 * The editor's history (issue 19): one database (src/node/historyDb.ts) that analyses, live streams and webhook
 * sends record into, and the analytics view reads. Writes go one at a time; analyses waiting while one is
 * written are coalesced (the latest of each file and settings wins), so dragging a slider does not queue a
 * write per step. Recording never throws: a failure is logged as one line (no secrets: the reasons are the
 * database's and the file system's) and the analysis goes on.
 */
import type { Database } from 'sql.js';
import type { DeliveryRecord, RecordCounts, RunIdentity } from '../core/history/record.ts';
import { recordAnalysis, recordDeliveries } from '../core/history/record.ts';
import type { HistoryReport } from '../core/history/report.ts';
import { historyReport } from '../core/history/report.ts';
import { canonicalJson } from '../core/history/record.ts';
import type { Incident } from '../core/incidents/incidents.ts';
import { HistoryError } from '../core/history/db.ts';
import { existsSync } from 'node:fs';
import { historyFsFailure, withHistory } from './historyDb.ts';
import { StreamHistory } from './streamHistory.ts';

/** Where the recorder says what went wrong (the extension's output channel). */
export interface RecorderLog {
  info(message: string): void;
  warn(message: string): void;
}

/** A short reason for a failed write: the database's own message, or the file system's error code. */
export function historyFailure(e: unknown): string {
  if (e instanceof HistoryError) return e.message;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code ? historyFsFailure(code, true) : (e as Error)?.message ?? String(e);
}

export class HistoryRecorder {
  private chain: Promise<unknown> = Promise.resolve();
  /** Analyses waiting to be written, by data and settings. */
  private analyses = new Map<string, { run: RunIdentity; incidents: readonly Incident[]; at: number }>();
  private flushing: Promise<void> | null = null;
  private readonly listeners: (() => void)[] = [];
  /** Writes that failed (for tests and the log). */
  failures = 0;

  constructor(readonly path: string, private readonly log: RecorderLog, private readonly now: () => number = Date.now) {}

  /** Called after every write that changed the history. */
  onDidRecord(listener: () => void): { dispose(): void } {
    this.listeners.push(listener);
    return { dispose: () => { const i = this.listeners.indexOf(listener); if (i >= 0) this.listeners.splice(i, 1); } };
  }

  /** Runs `fn` on the database after the writes before it, and saves it; rejects with the write's error. */
  write<T>(fn: (db: Database) => T): Promise<T> {
    const next = this.chain.then(() => withHistory(this.path, fn));
    this.chain = next.then(() => this.changed(), () => undefined);
    return next;
  }

  /** Records an analysis's incidents (its default view); resolves once written, or once the failure is logged. */
  recordAnalysis(run: RunIdentity, incidents: readonly Incident[]): Promise<void> {
    this.analyses.set(`${run.kind}\n${run.source}\n${run.sha256}\n${canonicalJson(run.settings)}`, { run, incidents, at: this.now() });
    this.flushing ??= this.flush();
    return this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.analyses.size) {
        const batch = [...this.analyses.values()];
        this.analyses.clear();
        try {
          const counts = await this.write((db) => batch.map((b) => recordAnalysis(db, b.run, b.incidents, b.at)));
          counts.forEach((c: RecordCounts, k) => this.log.info(`history: ${batch[k].run.source}: ${batch[k].incidents.length} incident${batch[k].incidents.length === 1 ? '' : 's'} recorded (${c.added} new, ${c.updated} updated)`));
        } catch (e) {
          this.failed('an analysis', e);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  /** Records the outcomes of one send. */
  async recordDeliveries(records: readonly DeliveryRecord[]): Promise<void> {
    if (!records.length) return;
    try {
      await this.write((db) => recordDeliveries(db, records));
      this.log.info(`history: ${records.length} alert outcome${records.length === 1 ? '' : 's'} recorded`);
    } catch (e) {
      this.failed('the alert outcomes', e);
    }
  }

  /** A live stream's recorder: push it the tracker's events; close it when the stream ends. */
  stream(run: RunIdentity): { push: StreamHistory['push']; close(): Promise<void> } {
    const s = new StreamHistory((fn) => this.write(fn), run);
    return {
      push: (events, stepMs) => s.push(events, stepMs),
      close: async () => {
        const error = await s.close();
        if (error) this.failed(`the stream of ${run.source}`, error);
      },
    };
  }

  /** The figures of everything recorded; null when nothing was recorded yet. Throws HistoryError on a bad database. */
  async report(since: number | null = null): Promise<HistoryReport | null> {
    await this.chain;
    if (!existsSync(this.path)) return null;
    return withHistory(this.path, (db) => historyReport(db, since), { write: false, create: false });
  }

  /** Waits for every queued write. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.chain;
  }

  private failed(what: string, e: unknown): void {
    this.failures++;
    this.log.warn(`history: could not record ${what} (${historyFailure(e)}); the analysis is not affected`);
  }

  private changed(): void {
    for (const l of this.listeners.slice()) {
      try { l(); } catch { /* a listener's failure is not the history's */ }
    }
  }
}
