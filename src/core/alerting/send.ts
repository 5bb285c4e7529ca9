import { incidentIsOver } from './alertmanagerApi.ts';
import type { Anomaly } from '../anomaly.ts';
import type { Incident } from '../incidents/incidents.ts';
import { incidentFingerprint } from './fingerprint.ts';
import { buildIncidentMessages } from './incidentPayloads.ts';
import type { Severity } from '../severity.ts';
import type { DeliverOptions, FetchLike } from './deliver.ts';
import { deliver } from './deliver.ts';
import type { WebhookFormat, WebhookMessage } from './payloads.ts';
import { buildMessages } from './payloads.ts';
import type { AlertIdentity, AlertState, SkipReason } from './throttle.ts';
import { emptyAlertState, incidentIdentity, recordDelivered, selectAnomalies, selectBy } from './throttle.ts';
import { checkWebhookUrl, maskUrl } from './url.ts';
import type { AlertSource } from './alertmanagerApi.ts';
import { alertmanagerAlertsUrl, checkAlertmanagerUrl } from './alertmanagerApi.ts';

/** Why anomalies were held back, with the count per reason ('over-limit': past `maxMessages`). */
export type SkipCounts = Record<SkipReason | 'over-limit', number>;

/** Options of `planAnomalies`. */
export interface PlanOptions {
  format: WebhookFormat;
  /** @default 'warning' */
  minSeverity?: Severity;
  /** Throttle window, ms (see `selectAnomalies`). @default 0 */
  throttleMs?: number;
  /** Fingerprint time bucket, ms. @default throttleMs */
  bucketMs?: number;
  /** @default empty */
  state?: AlertState;
  /** At or above this severity nothing is throttled (see selectBy). */
  neverThrottle?: Severity;
  /** The caller's clock, epoch ms. */
  now: number;
  /** Most HTTP requests one send may make; the rest wait for the next send. @default 50 */
  maxMessages?: number;
  /** Where the data came from (alertmanager-api labels, link and whether an incident is over). */
  source?: AlertSource;
  /** planIncidents: an incident's identity instead of `incidentAlertIdentity` (a stream's escalations and re-posts). */
  identity?: (i: Incident) => AlertIdentity;
}

/** A planned message: its body and the fingerprints and alert keys it carries. */
export interface PlannedMessage extends WebhookMessage {
  keys: string[];
}

/** What a send would do: the exact messages, and what was held back and why. */
export interface Plan {
  messages: PlannedMessage[];
  skipped: SkipCounts;
  /** Anomalies (or incidents) in `messages`. */
  count: number;
}

/** A plan from a selection and the messages built of what it keeps, capped at `maxMessages` requests. */
function planOf(sel: { send: { fingerprint: string; key: string }[]; skipped: Record<SkipReason, number> }, built: WebhookMessage[], maxMessages: number | undefined): Plan {
  const keyOf = new Map(sel.send.map((s) => [s.fingerprint, s.key]));
  const max = Math.max(1, Math.floor(maxMessages ?? 50));
  const messages = built.slice(0, max).map((m) => ({ ...m, keys: m.fingerprints.map((f) => keyOf.get(f) ?? '') }));
  const overLimit = built.slice(max).reduce((n, m) => n + m.fingerprints.length, 0);
  return {
    messages,
    skipped: { ...sel.skipped, 'over-limit': overLimit },
    count: messages.reduce((n, m) => n + m.fingerprints.length, 0),
  };
}

/**
 * Plans a send without sending: min-severity filter, dedup, throttle, payload building and splitting,
 * capped at `maxMessages` requests. What `--dry-run` prints. Empty input gives no messages.
 */
export function planAnomalies(anomalies: readonly Anomaly[], opts: PlanOptions): Plan {
  const sel = selectAnomalies(anomalies, opts);
  return planOf(sel, buildMessages(opts.format, sel.send, { now: opts.now, source: opts.source }), opts.maxMessages);
}

/**
 * An incident's alert identity for a format: Alertmanager is told when an incident is over, and that send is not a
 * duplicate of the one that opened it (its own fingerprint). The history's delivery records select with the same.
 */
export function incidentAlertIdentity(format: string, source: AlertSource | undefined): (i: Incident) => AlertIdentity {
  return (i) => format === 'alertmanager-api' && incidentIsOver(i, source ?? {})
    ? { ...incidentIdentity(i), fingerprint: incidentFingerprint({ id: `${i.id}#over` }) }
    : incidentIdentity(i);
}

/**
 * Plans a send of incidents (SPEC §7: one alert per incident, never one per row): min-severity filter, dedup by
 * incident id, throttle per leading metric, payload building and splitting. `bucketMs` does not apply.
 */
export function planIncidents(incidents: readonly Incident[], opts: PlanOptions): Plan {
  const sel = selectBy(incidents, opts.identity ?? incidentAlertIdentity(opts.format, opts.source), opts);
  return planOf(sel, buildIncidentMessages(opts.format, sel.send.map((s) => ({ incident: s.item, fingerprint: s.fingerprint })), { now: opts.now, source: opts.source }), opts.maxMessages);
}

/** Options of `sendAnomalies`: a plan's options, the secret URL, and delivery's (fetch, clock, limits). */
export interface SendOptions extends Omit<PlanOptions, 'now'>, Omit<DeliverOptions, 'fetch' | 'idempotencyKey'> {
  url: string;
  fetch: FetchLike;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
  /** False in an untrusted workspace (VS Code Workspace Trust): then nothing is sent. @default true */
  trusted?: boolean;
}

/** The outcome of a send; `reason` and `summary` never contain the URL, only its masked form. */
export interface SendOutcome {
  /** True when every planned message was delivered (also when there was nothing to send). */
  ok: boolean;
  /** Anomalies delivered. */
  delivered: number;
  /** Messages delivered and planned. */
  messages: { delivered: number; planned: number };
  /** The fingerprints each planned message carries, in sending order (a refused send's too: none of them went out). */
  plannedFingerprints: string[][];
  /** The clock reading (epoch ms) the selection was made at: what to record the send's choices against. */
  plannedAt: number;
  skipped: SkipCounts;
  /** HTTP attempts made in total. */
  attempts: number;
  /** Why the send failed, when it did. */
  reason?: string;
  /** The state to keep for the next send (unchanged when nothing was delivered). */
  state: AlertState;
  /** One line for people: "delivered 3 anomalies in 1 message to https://hooks.slack.com/***; skipped 2 (below min severity)". */
  summary: string;
}

/**
 * Filters, dedups, throttles, builds and delivers anomalies to a webhook, one message after the
 * other, stopping at the first message that fails (a broken receiver is not hammered). The whole send,
 * every message and wait, keeps within `maxTotalMs` (default 30 s): a slow receiver cannot hold it for
 * 50 messages × 30 s. Resolves, never rejects. The returned state records only what was delivered.
 */
export function sendAnomalies(anomalies: readonly Anomaly[], opts: SendOptions): Promise<SendOutcome> {
  return sendPlanned((now) => planAnomalies(anomalies, { ...opts, now }), opts, ['anomaly', 'anomalies']);
}

/** sendAnomalies for incidents (planIncidents): one alert per incident. */
export function sendIncidents(incidents: readonly Incident[], opts: SendOptions): Promise<SendOutcome> {
  return sendPlanned((now) => planIncidents(incidents, { ...opts, now }), opts, ['incident', 'incidents']);
}

async function sendPlanned(planAt: (now: number) => Plan, opts: SendOptions, noun: [string, string]): Promise<SendOutcome> {
  const now = opts.now ?? Date.now;
  const state = opts.state ?? emptyAlertState();
  const noSkips: SkipCounts = { 'below-min-severity': 0, duplicate: 0, throttled: 0, 'over-limit': 0 };
  // Planned first: a refused send's messages are the ones that failed (the history records them so).
  const plannedAt = now();
  const plan = planAt(plannedAt);
  const plannedFingerprints = plan.messages.map((m) => m.fingerprints);
  const refuse = (reason: string): SendOutcome => ({
    ok: false, delivered: 0, messages: { delivered: 0, planned: 0 }, plannedFingerprints, plannedAt, skipped: noSkips, attempts: 0, reason, state,
    summary: `not sent: ${reason}`,
  });
  if (opts.trusted === false) return refuse('this workspace is not trusted, and webhooks are never sent from an untrusted workspace');
  // Alertmanager's own API takes http on any host (its URL is no secret) and its alerts go to /api/v2/alerts.
  const check = opts.format === 'alertmanager-api' ? checkAlertmanagerUrl(opts.url) : checkWebhookUrl(opts.url);
  if (!check.ok) return refuse(check.reason);
  const masked = maskUrl(opts.url);
  const target = opts.format === 'alertmanager-api' ? alertmanagerAlertsUrl(opts.url) : opts.url;

  let delivered = 0;
  let messagesDelivered = 0;
  let attempts = 0;
  const done: { fingerprint: string; key: string }[] = [];
  let reason: string | undefined;
  const start = now();
  const budget = opts.maxTotalMs ?? 30_000;
  for (const m of plan.messages) {
    const left = budget - (now() - start);
    if (left <= 0) {
      reason = `the send's ${Math.round(budget / 1000)} s budget ran out after ${messagesDelivered} of ${plan.messages.length} messages`;
      break;
    }
    const res = await deliver(target, m.body, { ...opts, now, maxTotalMs: left });
    attempts += res.attempts;
    if (!res.ok) {
      reason = res.reason;
      break;
    }
    messagesDelivered++;
    delivered += m.fingerprints.length;
    m.fingerprints.forEach((f, i) => done.push({ fingerprint: f, key: m.keys[i] }));
  }
  const newState = done.length ? recordDelivered(state, done, now()) : state;
  const skippedText = describeSkips(plan.skipped);
  const planned = plan.messages.length;
  let summary: string;
  if (reason !== undefined) {
    summary = `not delivered to ${masked}: ${reason}` + (messagesDelivered ? ` (${delivered} ${plural(delivered, ...noun)} in ${messagesDelivered} of ${planned} messages went out before the failure)` : '');
  } else if (planned === 0) {
    summary = `nothing to send${skippedText ? `: ${skippedText}` : ''}`;
  } else {
    summary = `delivered ${delivered} ${plural(delivered, ...noun)} in ${planned} ${plural(planned, 'message', 'messages')} to ${masked}${skippedText ? `; ${skippedText}` : ''}`;
  }
  const out: SendOutcome = {
    ok: reason === undefined, delivered, messages: { delivered: messagesDelivered, planned }, plannedFingerprints, plannedAt,
    skipped: plan.skipped, attempts, state: newState, summary,
  };
  if (reason !== undefined) out.reason = reason;
  return out;
}

/** "skipped 2 (below min severity), 1 (duplicate)" for the non-zero counts; all zero gives ''. */
export function describeSkips(s: SkipCounts): string {
  const labels: Record<keyof SkipCounts, string> = {
    'below-min-severity': 'below min severity', duplicate: 'already sent', throttled: 'throttled', 'over-limit': 'over the per-send message limit',
  };
  const parts = (Object.keys(labels) as (keyof SkipCounts)[]).filter((k) => s[k] > 0).map((k) => `${s[k]} ${labels[k]}`);
  return parts.length ? `skipped ${parts.join(', ')}` : '';
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}
