// The settings send queue: one computation at a time on the host, only the newest settings sent next (no fixed
// delay), and the settings the page shows kept until a model computed with them arrives. Pure.
import { sameSettings } from '../src/core/dashboard/pageView.ts';
import type { DashboardSettings } from '../src/protocol.ts';

export interface SettingsSync {
  /** The settings last changed here, until a model computed with them arrives (older models must not undo them). */
  pending: DashboardSettings | null;
  /** Settings waiting to be sent because a computation is in flight: only the latest is kept. */
  queued: DashboardSettings | null;
  /** True from a send until the next model. */
  inFlight: boolean;
}

export const idleSync: SettingsSync = { pending: null, queued: null, inFlight: false };

/** The user changed the settings to `s`: `send` is `s` when nothing is in flight, else null (`s` waits in the queue). */
export function settingsChanged(sync: SettingsSync, s: DashboardSettings): { sync: SettingsSync; send: DashboardSettings | null } {
  if (sync.inFlight) return { sync: { pending: s, queued: s, inFlight: true }, send: null };
  return { sync: { pending: s, queued: null, inFlight: true }, send: s };
}

/**
 * A model arrived (each model answers the computation in flight) computed with `host`: `send` is the queued
 * settings, if any; `shown` the settings the page shows (the pending ones while the host is behind), and
 * `behind` whether the host's are older than those.
 */
export function modelArrived(sync: SettingsSync, host: DashboardSettings): { sync: SettingsSync; send: DashboardSettings | null; shown: DashboardSettings; behind: boolean } {
  const behind = !!sync.pending && !sameSettings(sync.pending, host);
  const pending = behind ? sync.pending : null;
  const shown = pending ?? host;
  if (sync.queued) return { sync: { pending, queued: null, inFlight: true }, send: sync.queued, shown, behind };
  return { sync: { pending, queued: null, inFlight: false }, send: null, shown, behind };
}
