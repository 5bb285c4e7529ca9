import type { RunIdentity } from '../core/history/record.ts';
import { recordDeliveries, recordRun, upsertIncident } from '../core/history/record.ts';
import type { DeliveryRecord } from '../core/history/record.ts';
import { transaction } from '../core/history/db.ts';
import type { IncidentEvent } from '../core/streaming/incidentTracker.ts';
import type { Database } from 'sql.js';

/** Runs `fn` on the history database and saves it (withHistory, with the caller's error handling). */
export type HistoryWriter = <T>(fn: (db: Database) => T) => Promise<T>;

/**
 * Records the incidents a stream reports (`stream --history FILE`, the editor's live streams), as they open,
 * escalate and resolve. Events that arrive while a write is in progress are written together by the next one
 * (a write exports the whole database). An incident keeps the id it opened with, though its leading metric may change as it grows.
 */
export class StreamHistory {
  private queue: IncidentEvent[] = [];
  private sent: DeliveryRecord[] = [];
  private writing: Promise<void> | null = null;
  private runId: number | null = null;
  private openId: string | null = null;
  /** The stream's sampling step as last told (its incidents' durations count it). */
  private stepMs: number | null = null;
  /** The first write error (the stream goes on; `stream` then exits 1, the editor logs it). */
  error: Error | null = null;
  recorded = 0;

  constructor(private readonly write: HistoryWriter, private readonly run: RunIdentity) {}

  /** The events of one row (none: nothing to do); `stepMs`: the stream's sampling step (the tracker's), for their durations. */
  push(events: readonly IncidentEvent[], stepMs: number | null = null): void {
    if (!events.length || this.error) return;
    if (stepMs !== null) this.stepMs = stepMs;
    this.queue.push(...events);
    this.writing ??= this.drain();
  }

  /** The outcomes of a webhook send (`stream --webhook`): recorded with the next write. */
  deliveries(records: readonly DeliveryRecord[]): void {
    if (!records.length || this.error) return;
    this.sent.push(...records);
    this.writing ??= this.drain();
  }

  /** Waits for every queued event to be written; resolves to the write error, if any. */
  async close(): Promise<Error | null> {
    if (!this.writing && this.runId === null && !this.error) this.writing = this.drain(); // record the run even without incidents
    while (this.writing) await this.writing;
    return this.error;
  }

  private async drain(): Promise<void> {
    try {
      do {
        const batch = this.queue;
        const sent = this.sent;
        this.queue = [];
        this.sent = [];
        await this.write((db) => {
          transaction(db, () => {
            const at = Date.now();
            this.runId ??= recordRun(db, this.run, at);
            for (const e of batch) {
              if (e.event === 'opened' || this.openId === null) this.openId = e.incident.id;
              upsertIncident(db, this.run.source, this.runId, e.incident, at, e.event === 'resolved' ? 'resolved' : 'open', this.openId, this.stepMs);
              if (e.event === 'opened') this.recorded++;
              if (e.event === 'resolved') this.openId = null;
            }
          });
          // The alert outcomes of the sends since (their own transaction).
          recordDeliveries(db, sent);
        });
      } while (this.queue.length || this.sent.length);
    } catch (e) {
      this.error = e as Error;
      this.queue = [];
      this.sent = [];
    } finally {
      this.writing = null;
    }
  }
}
