import { resolve } from 'node:path';
import type { AlertState } from '../core/alerting/throttle.ts';
import { emptyAlertState } from '../core/alerting/throttle.ts';
import { deliveryRecords } from '../core/history/deliveries.ts';
import type { SendFacts } from '../core/history/deliveries.ts';
import { alertStateOf, recordDeliveries } from '../core/history/record.ts';
import type { Incident } from '../core/incidents/incidents.ts';
import type { CommandContext } from './command.ts';
import { useHistory } from './historyFile.ts';

/**
 * `send --history FILE`: the dedup and throttle state of earlier sends through `channel` (what was sent is not
 * sent again), read from the history; an empty state when there is none yet or no --history.
 */
export async function historyAlertState(ctx: CommandContext, file: string | undefined, channel: string, now: number): Promise<AlertState> {
  if (file === undefined) return emptyAlertState();
  return useHistory(ctx, file, (db) => alertStateOf(db, channel, now), { write: false });
}

/** Records the outcome of each incident's alert in one send (one stderr line says how many). */
export async function recordSendHistory(ctx: CommandContext, file: string | undefined, incidents: readonly Incident[], facts: SendFacts): Promise<void> {
  if (file === undefined) return;
  const records = deliveryRecords(incidents, facts);
  await useHistory(ctx, file, (db) => recordDeliveries(db, records));
  ctx.stderr(`history: ${records.length} alert outcome${records.length === 1 ? '' : 's'} recorded in ${file}\n`);
}

/**
 * The data path of a results file (its meta.input.path, resolved against the current folder as analyze
 * resolves it for the history), for linking deliveries to the incidents recorded.
 */
export function resultsSource(meta: Record<string, unknown> | null, cwd: string): string | null {
  const input = meta?.input;
  const path = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).path : undefined;
  return typeof path === 'string' && path !== '' ? resolve(cwd, path) : null;
}
