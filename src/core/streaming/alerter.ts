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

  const kick = (): void => {
    if (inFlight || !queue.length) return;
    const batch = queue;
    queue = [];
    inFlight = sendIncidents(batch, { ...options, state }).then((o) => {
      state = o.state;
      if (!o.ok) failures++;
      if (!o.ok || o.delivered > 0) options.onOutcome?.(o);
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
    async flush() {
      while (inFlight || queue.length) {
        kick();
        await inFlight;
      }
    },
    get failures() { return failures; },
    get dropped() { return dropped; },
  };
}
