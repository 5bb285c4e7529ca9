import type { AlertState } from '../core/alerting/throttle.ts';
import { alertStateFrom } from '../core/alerting/throttle.ts';
import { parseDuration } from '../core/rules/duration.ts';
import type { RulesFile } from '../core/rules/model.ts';
import type { Severity } from '../core/severity.ts';
import { severityRank } from '../core/severity.ts';
import type { Ctx } from './ctx.ts';
import type { Settings } from './settings.ts';

/** What every Send follows, to the webhook or by email: the rules file's `alerts.webhook`, else the settings. */
export interface AlertPolicy {
  /** The stricter of anomalyHunter.minSeverity and the alert minimum (the rules file's, else webhook.minSeverity). */
  minSeverity: Severity;
  /** The throttle window in ms (0: none; an unreadable duration reads as none). */
  throttleMs: number;
}

/** The alert policy of a send, from the rules file's `alerts.webhook` and the settings. */
export function alertPolicy(cfg: Settings, rules: RulesFile | null): AlertPolicy {
  const fromFile = rules?.alerts.webhook;
  const throttle = fromFile?.throttleMs ?? (fromFile?.throttle ? parseDuration(fromFile.throttle) : 0);
  const min: Severity = fromFile?.min_severity ?? cfg.webhookMinSeverity;
  return {
    minSeverity: severityRank(min) < severityRank(cfg.minSeverity) ? min : cfg.minSeverity,
    throttleMs: Number.isFinite(throttle) ? throttle : 0,
  };
}

/** Before destinations had keys, one state was kept for every webhook: it still holds what was sent then. */
const LEGACY_STATE_KEY = 'anomalyHunter.alertState';

/** Sends in progress per activation (its ExtensionContext), by destination key: a second send to one destination waits for the first. */
const inFlightOf = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Runs a send with the dedup and throttle state of its destination (core/alerting/destination.ts: a hash, never
 * the URL or the addresses) and keeps the state it returns. Sends to one destination take turns from the reading
 * of the state to the keeping of the new one, so a double click does not deliver twice. A send that delivered
 * nothing returns the state it was given: nothing is marked sent.
 */
export function withAlertState<T>(ctx: Ctx, destinationKey: string, send: (state: AlertState) => Promise<{ out: T; state: AlertState }>): Promise<T> {
  const key = `anomalyHunter.alertState.${destinationKey}`;
  const turns = inFlightOf.get(ctx.ext) ?? new Map<string, Promise<unknown>>();
  inFlightOf.set(ctx.ext, turns);
  const before = turns.get(key) ?? Promise.resolve();
  const run = before.catch(() => undefined).then(async () => {
    const stored = ctx.ext.globalState.get(key) ?? (destinationKey.startsWith('webhook-') ? ctx.ext.globalState.get(LEGACY_STATE_KEY) : undefined);
    const r = await send(alertStateFrom(stored));
    await ctx.ext.globalState.update(key, r.state);
    return r.out;
  });
  turns.set(key, run);
  void run.finally(() => { if (turns.get(key) === run) turns.delete(key); }).catch(() => undefined);
  return run;
}
