/**
 * Live alerting for a stream: incidents are queued as they open (incidentTracker.ts) and sent through the
 * alerting core (`sendIncidents`: min-severity, dedup by incident id, the per-metric throttle) one send at a
 * time, so a burst while a request is in flight goes out in the next send, throttled. The throttle state is
 * kept between sends. Side effects are passed in (fetch, clock).
 */
import type { Incident } from '../incidents/incidents.ts';
import { sendIncidents } from '../alerting/send.ts';
import type { SendOptions, SendOutcome } from '../alerting/send.ts';
import { emptyAlertState } from '../alerting/throttle.ts';
import { incidentFingerprint } from '../alerting/fingerprint.ts';

/** Most incidents waiting for a send; older ones are dropped (and counted) beyond it. */
export const MAX_QUEUED_ALERTS = 10_000;

/** Options of `createAlerter`: a send's options without its state, and where outcomes go. */
export interface AlerterOptions extends Omit<SendOptions, 'state'> {
  /** Called after each send that delivered something or failed (the summary never holds the URL unmasked). */
  onOutcome?(outcome: SendOutcome): void;
}

/** Queues incidents and sends them in the background. */
export interface Alerter {
  push(incidents: readonly Incident[]): void;
  /**
   * Incidents that resolved. For Alertmanager's API (the one format with an end), each one whose opening was
   * delivered is sent again as it was delivered (the same labels: the same alert) with `endsAt` set to its end,
   * so Alertmanager resolves it. Other formats have no end to send: ignored.
   */
  resolve(incidents: readonly Incident[]): void;
  /** Resolves when everything queued so far was sent (or failed). */
  flush(): Promise<void>;
  /** Sends that failed so far. */
  readonly failures: number;
  /** Incidents dropped because the queue was full. */
  readonly dropped: number;
}

/** Creates an alerter; nothing is sent until `push`. */
export function createAlerter(options: AlerterOptions): Alerter {
  let state = emptyAlertState();
  let queue: Incident[] = [];
  let inFlight: Promise<void> | null = null;
  let failures = 0;
  let dropped = 0;
  const ends = options.format === 'alertmanager-api';
  /** The incidents delivered as opened, as delivered, by their first row (what a resolve must repeat). */
  const delivered = new Map<number, Incident>();
  let resolving: Incident[] = [];

  const kick = (): void => {
    if (inFlight || (!queue.length && !resolving.length)) return;
    // Openings first: a resolve queued behind its own opening finds it delivered.
    const opening = queue.length > 0;
    const batch = opening ? queue : resolving;
    if (opening) queue = []; else resolving = [];
    // A resolve repeats the delivered alert (its labels are the alert's identity) with the incident's end;
    // an end is never throttled nor held below a severity: the opening passed those already.
    const send = opening
      ? sendIncidents(batch, { ...options, state })
      : sendIncidents(batch, { ...options, state, throttleMs: 0, minSeverity: 'warning', source: { ...options.source, rows: Number.POSITIVE_INFINITY } });
    inFlight = send.then((o) => {
      state = o.state;
      if (!o.ok) failures++;
      if (!o.ok || o.delivered > 0) options.onOutcome?.(o);
      if (opening && ends) for (const i of batch) if (Object.hasOwn(state.sent, incidentFingerprint(i))) delivered.set(i.startRow, i);
    }).finally(() => {
      inFlight = null;
      kick();
    });
  };

  return {
    push(incidents) {
      if (!incidents.length) return;
      for (const i of incidents) queue.push(i);
      if (queue.length > MAX_QUEUED_ALERTS) {
        dropped += queue.length - MAX_QUEUED_ALERTS;
        queue = queue.slice(queue.length - MAX_QUEUED_ALERTS);
      }
      kick();
    },
    resolve(incidents) {
      if (!ends) return;
      for (const i of incidents) {
        const sent = delivered.get(i.startRow);
        if (!sent) continue;
        delivered.delete(i.startRow);
        resolving.push({ ...sent, end: i.end, endRow: i.endRow });
      }
      kick();
    },
    async flush() {
      while (inFlight || queue.length || resolving.length) {
        kick();
        await inFlight;
      }
    },
    get failures() { return failures; },
    get dropped() { return dropped; },
  };
}
