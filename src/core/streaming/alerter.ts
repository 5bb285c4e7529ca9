/**
 * Live alerting for a stream: incidents are queued as they open (incidentTracker.ts) and sent through the
 * alerting core (`sendIncidents`: min-severity, dedup by incident id, the per-metric throttle) one send at a
 * time, so a burst while a request is in flight goes out in the next send, throttled. The throttle state is
 * kept between sends. Side effects are passed in (fetch, clock).
 */
import type { Incident } from '../incidents/incidents.ts';
import { sendIncidents } from '../alerting/send.ts';
import type { SendOptions, SendOutcome } from '../alerting/send.ts';
import { emptyAlertState, incidentIdentity } from '../alerting/throttle.ts';
import { incidentFingerprint } from '../alerting/fingerprint.ts';
import { severityRank } from '../severity.ts';
import type { SendFacts } from '../history/deliveries.ts';

/**
 * How often an open incident is posted again to Alertmanager's API (Prometheus's `--rules.alert.resend-delay`,
 * 1m): its `endsAt` each time is now + 4 × this (Prometheus: 4 × max(resend delay, evaluation interval)), so
 * Alertmanager keeps it active past its resolve_timeout while the stream runs, and ends it within 4 minutes of
 * the stream stopping without an end.
 */
export const ALERTMANAGER_RESEND_MS = 60_000;

/** Most incidents waiting for a send; older ones are dropped (and counted) beyond it. */
export const MAX_QUEUED_ALERTS = 10_000;

/** What a send did, as `deliveryRecords` takes it (without the destination). */
export type SentFacts = Omit<SendFacts, 'channel' | 'destination' | 'destinationKey' | 'source'>;

/** What a pending delivery is for. */
export type PendingKind = 'opening' | 'escalation' | 'end' | 're-post';

/** Options of `createAlerter`: a send's options without its state, and where outcomes go. */
export interface AlerterOptions extends Omit<SendOptions, 'state'> {
  /** Called after each send that delivered something or failed (the summary never holds the URL unmasked). */
  onOutcome?(outcome: SendOutcome): void;
  /**
   * Called with the incidents of an opening send that the throttle held back (its leading metric was sent less than
   * `throttleMs` ago): never sent, unless they escalate. Critical incidents are never throttled.
   */
  onThrottled?(incidents: Incident[]): void;
  /**
   * Called after each opening or escalation send with its incidents and what the send did, for the history's
   * delivery records (core/history/deliveries.ts `deliveryRecords`, with the destination added).
   */
  onSent?(incidents: Incident[], facts: SentFacts): void;
  /** alertmanager-api: the wall-clock period of re-posting open incidents (tests shorten it). @default ALERTMANAGER_RESEND_MS */
  resendMs?: number;
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
  /**
   * Incidents that reached a higher severity. One whose opening was delivered is sent again at its new severity
   * (never throttled; the summary says "escalated from major to critical"). With Alertmanager's API that is an alert
   * of its own: the opening's labels (alertname, rule, metric, incident: fixed at the opening) with the new
   * `severity`, so a route on severity=critical fires; the opening's alert stays active (as Prometheus's warning and
   * critical rules both fire; an inhibit rule may mute it) and both end when the incident resolves. One not sent yet
   * goes out as an opening at its new severity.
   */
  escalate(incidents: readonly Incident[]): void;
  /** Resolves when everything queued so far was sent (or failed). */
  flush(): Promise<void>;
  /** Stops re-posting open incidents, then flushes: the stream is over (Alertmanager ends them at their endsAt). */
  close(): Promise<void>;
  /** What is still to deliver (the send in flight, then what waits), each incident with what it is for. */
  pending(): { kind: PendingKind; incident: Incident }[];
  /** Sends that failed so far. */
  readonly failures: number;
  /** Incidents dropped because the queue was full. */
  readonly dropped: number;
}

/** Creates an alerter; nothing is sent until `push`. */
export function createAlerter(options: AlerterOptions): Alerter {
  let state = emptyAlertState();
  let queue: Incident[] = [];
  let escalating: Incident[] = [];
  let inFlight: Promise<void> | null = null;
  let failures = 0;
  let dropped = 0;
  const ends = options.format === 'alertmanager-api';
  /**
   * The alerts delivered of each open incident, as delivered, by its first row (what a re-post and a resolve must
   * repeat): its opening, then one per escalation (alertmanager-api only).
   */
  const delivered = new Map<number, Incident[]>();
  let resolving: Incident[] = [];
  /** The incidents of the send in flight (an opening or an escalation), by first row. */
  let sending = new Set<number>();
  /**
   * How each open incident was first delivered, by first row (every format): its severity (what an escalation says)
   * and its id (its leading metric, in the id, can change later).
   */
  const opened = new Map<number, { severity: Incident['severity']; id: string }>();
  /** The send in flight: what it carries. */
  let flying: { kind: PendingKind; incident: Incident }[] = [];
  /** Ends that came while an alert of theirs was still queued or being sent: sent once that alert is delivered. */
  const endsWaiting = new Map<number, Incident>();
  const resendMs = options.resendMs ?? ALERTMANAGER_RESEND_MS;
  /** A re-post of the open incidents is due (the timer fired): sent when nothing else is waiting. */
  let refreshDue = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let closed = false;
  /** Alertmanager's endsAt of an incident still open, sent with every opening and re-post. */
  const activeSource = () => ({ ...options.source, activeUntil: (options.now ?? Date.now)() + 4 * resendMs });
  /** Runs the re-post timer while delivered incidents are open (alertmanager-api only); unref'd: it never holds the process. */
  const watch = (): void => {
    if (!ends || resendMs <= 0 || closed) return;
    if (delivered.size > 0 && !timer) {
      timer = setInterval(() => { refreshDue = true; kick(); }, resendMs);
      (timer as { unref?: () => void }).unref?.();
    } else if (delivered.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
  /** One alert per incident and severity: an escalation is an alert of its own, as are its re-posts and end. */
  const bySeverity = (suffix: string) => (i: Incident) => ({ ...incidentIdentity(i), fingerprint: incidentFingerprint({ id: `${i.id}#${i.severity}${suffix}` }) });
  const pending = (row: number): boolean => sending.has(row) || queue.some((q) => q.startRow === row) || escalating.some((q) => q.startRow === row);

  /** An escalation as sent: the opening as delivered (its labels) at the new severity, score and summary. */
  const escalation = (i: Incident): Incident => {
    const alert = delivered.get(i.startRow)?.[0];
    const first = opened.get(i.startRow);
    const from = alert?.severity ?? first?.severity;
    const summary = `escalated${from ? ` from ${from}` : ''} to ${i.severity}: ${i.summary}`;
    return alert ? { ...alert, severity: i.severity, score: i.score, summary, end: i.end, endRow: i.endRow } : { ...i, id: first?.id ?? i.id, summary };
  };

  const kick = (): void => {
    if (inFlight) return;
    if (queue.length) return send('open');
    if (escalating.length) return send('escalate');
    if (resolving.length) return send('end');
    if (refreshDue) { refreshDue = false; if (delivered.size) send('refresh'); }
  };

  /**
   * One send. Openings first, then escalations: an end is sent only after the alerts it ends were delivered (see
   * endsWaiting). An end repeats each delivered alert (its labels are the alert's identity) with the incident's end;
   * a re-post repeats it with endsAt in the future. Neither is throttled nor held below a severity (the opening
   * passed those already), nor counted by the throttle (a fresh state). An escalation is never throttled either.
   */
  const send = (kind: 'open' | 'escalate' | 'end' | 'refresh'): void => {
    const batch = kind === 'open' ? queue : kind === 'escalate' ? escalating.map(escalation) : kind === 'end' ? resolving : [...delivered.values()].flat();
    if (kind === 'open') queue = []; else if (kind === 'escalate') escalating = []; else if (kind === 'end') resolving = [];
    sending = kind === 'open' || kind === 'escalate' ? new Set(batch.map((i) => i.startRow)) : new Set();
    const kindName: PendingKind = kind === 'open' ? 'opening' : kind === 'escalate' ? 'escalation' : kind === 'end' ? 'end' : 're-post';
    flying = batch.map((incident) => ({ kind: kindName, incident }));
    const source = ends && kind !== 'end' ? activeSource() : options.source;
    const again = { throttleMs: 0, minSeverity: 'warning' as const, state: emptyAlertState() };
    const openOpts = { ...options, state, source, neverThrottle: 'critical' as const };
    const escalateOpts = { ...options, state, source, throttleMs: 0, identity: bySeverity('') };
    const out = kind === 'open'
      ? sendIncidents(batch, openOpts)
      : kind === 'escalate'
        ? sendIncidents(batch, escalateOpts)
        : kind === 'end'
          ? sendIncidents(batch, { ...options, ...again, identity: bySeverity('#over'), source: { ...options.source, rows: Number.POSITIVE_INFINITY } })
          : sendIncidents(batch, { ...options, ...again, identity: bySeverity(''), source });
    const before = state;
    inFlight = out.then((o) => {
      if (kind === 'open' || kind === 'escalate') {
        const used = kind === 'open' ? openOpts : escalateOpts;
        options.onSent?.(batch, {
          minSeverity: used.minSeverity, throttleMs: used.throttleMs, neverThrottle: kind === 'open' ? 'critical' : undefined, state: used.state, now: o.plannedAt,
          identity: kind === 'open' ? undefined : used.identity, planned: o.plannedFingerprints, delivered: o.messages.delivered, reason: o.reason,
        });
        state = o.state;
        if (kind === 'open') for (const i of batch) if (Object.hasOwn(state.sent, incidentFingerprint(i)) && !opened.has(i.startRow)) opened.set(i.startRow, { severity: i.severity, id: i.id });
      }
      if (kind === 'open' && o.ok && o.skipped.throttled > 0) {
        // Held back by the throttle: neither sent before nor now, at or above the min severity.
        const min = severityRank(options.minSeverity ?? 'warning');
        const held = batch.filter((i) => severityRank(i.severity) <= min && !Object.hasOwn(before.sent, incidentFingerprint(i)) && !Object.hasOwn(state.sent, incidentFingerprint(i)));
        if (held.length) options.onThrottled?.(held);
      }
      if (!o.ok) failures++;
      // A re-post that went through is no news: said only when it failed.
      if (!o.ok || (o.delivered > 0 && kind !== 'refresh')) options.onOutcome?.(o);
      if ((kind === 'open' || kind === 'escalate') && ends) {
        for (const i of batch) {
          const fp = kind === 'open' ? incidentFingerprint(i) : bySeverity('')(i).fingerprint;
          if (!Object.hasOwn(state.sent, fp)) continue;
          const end = endsWaiting.get(i.startRow);
          if (end) resolving.push({ ...i, end: end.end, endRow: end.endRow });
          else delivered.set(i.startRow, [...(delivered.get(i.startRow) ?? []), i]);
        }
        for (const i of batch) if (!pending(i.startRow)) endsWaiting.delete(i.startRow);
      }
      watch();
    }).finally(() => {
      inFlight = null;
      sending = new Set();
      flying = [];
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
    escalate(incidents) {
      for (const i of incidents) {
        const at = queue.findIndex((q) => q.startRow === i.startRow);
        // Its opening still queued: it goes out at the new severity. Never delivered (held below a severity,
        // throttled, failed): sent as an opening now. Delivered: an escalation, as opened but at the new severity.
        if (at >= 0) { queue[at] = i; continue; }
        // Delivered is known by the first row: the id names the leading metric, which can change as findings come.
        if (!sending.has(i.startRow) && !opened.has(i.startRow) && !Object.hasOwn(state.sent, incidentFingerprint(i))) { queue.push(i); continue; }
        escalating.push(i);
      }
      kick();
    },
    resolve(incidents) {
      for (const i of incidents) opened.delete(i.startRow);
      if (!ends) return;
      for (const i of incidents) {
        // Alerts still queued or being sent get the end once delivered.
        if (pending(i.startRow)) endsWaiting.set(i.startRow, i);
        const sent = delivered.get(i.startRow);
        if (!sent) continue;
        delivered.delete(i.startRow);
        for (const a of sent) resolving.push({ ...a, end: i.end, endRow: i.endRow });
      }
      watch();
      kick();
    },
    async flush() {
      while (inFlight || queue.length || escalating.length || resolving.length) {
        kick();
        await inFlight;
      }
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = null;
      delivered.clear();
      refreshDue = false;
      await this.flush();
    },
    pending() {
      return [
        ...flying,
        ...queue.map((incident) => ({ kind: 'opening' as const, incident })),
        ...escalating.map((incident) => ({ kind: 'escalation' as const, incident })),
        ...resolving.map((incident) => ({ kind: 'end' as const, incident })),
      ];
    },
    get failures() { return failures; },
    get dropped() { return dropped; },
  };
}
