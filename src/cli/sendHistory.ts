import { identityOfGraphUrl } from './prometheusSource.ts';
import { resolve } from 'node:path';
import type { AlertState } from '../core/alerting/throttle.ts';
import { emptyAlertState } from '../core/alerting/throttle.ts';
import { deliveryRecords } from '../core/history/deliveries.ts';
import type { SendFacts } from '../core/history/deliveries.ts';
import { alertStateOf, recordDeliveries, sentLabelsOf } from '../core/history/record.ts';
import type { Incident } from '../core/incidents/incidents.ts';
import type { CommandContext } from './command.ts';
import { useHistory } from './historyFile.ts';

/** Where a send goes: the history's channel (the format), its masked destination and its key. */
export interface SendTarget {
  channel: string;
  destination: string;
  destinationKey: string;
  /** The data the incidents come from, when known. */
  source: string | null;
}

/** What a send did, for the history (SendFacts without what SendTarget says); null: nothing to record (dry run). */
export type SendDone = Omit<SendFacts, 'channel' | 'destination' | 'destinationKey' | 'source'> | null;

/** How long a send with --history waits for another one to finish with the database (it may be delivering). */
const SEND_LOCK_WAIT_MS = 120_000;

/**
 * Runs `send` with the dedup and throttle state of the destination's earlier sends (what was sent there is not
 * sent there again) and records what it did, with the history's lock held from the reading of that state to the
 * writing of the outcomes: a second send to the same destination at the same time waits, then sees the first one's
 * deliveries, so an incident is neither delivered twice nor has its record lost. Without --history: an empty state,
 * nothing recorded.
 */
export async function sendWithHistory<T>(
  ctx: CommandContext, file: string | undefined, incidents: readonly Incident[], target: SendTarget,
  send: (state: AlertState, now: number, sentLabels: Map<string, Record<string, string>>) => Promise<{ out: T; done: SendDone }>,
): Promise<T> {
  if (file === undefined) return (await send(emptyAlertState(), Date.now(), new Map())).out;
  let recorded = -1;
  const out = await useHistory(ctx, file, async (db) => {
    // The clock is read once the lock is held (its wait can be long): the state and the send's choices are of now.
    const now = Date.now();
    const r = await send(alertStateOf(db, target, now), now, sentLabelsOf(db, target));
    if (r.done) {
      const records = deliveryRecords(incidents, { ...r.done, ...target });
      recordDeliveries(db, records);
      recorded = records.length;
    }
    return r.out;
  }, { lockTimeoutMs: SEND_LOCK_WAIT_MS });
  if (recorded >= 0) ctx.stderr(`history: ${recorded} alert outcome${recorded === 1 ? '' : 's'} recorded in ${file}\n`);
  return out;
}

/**
 * The data path of a results file (its meta.input.path, resolved against the current folder as analyze
 * resolves it for the history), for linking deliveries to the incidents recorded.
 */
export function resultsSource(meta: Record<string, unknown> | null, cwd: string): string | null {
  const input = meta?.input;
  const path = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).path : undefined;
  if (typeof path !== 'string' || path === '') return null;
  return identityOfGraphUrl(path) ?? resolve(cwd, path);
}
