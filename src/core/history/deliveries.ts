/**
 * What happened to each incident's alert in one send, for the history: sent, deduplicated (already sent, or
 * twice in the batch), throttled (its key sent too recently, or past the per-send message limit) or failed
 * (its message was not delivered, with the reason). Incidents below the minimum severity were never alerts
 * and are not recorded. The selection is the one the send made (selectBy is pure: same input, same decision).
 */
import type { Incident } from '../incidents/incidents.ts';
import type { AlertIdentity, AlertState } from '../alerting/throttle.ts';
import { incidentIdentity, selectBy } from '../alerting/throttle.ts';
import type { Severity } from '../severity.ts';
import type { DeliveryRecord } from './record.ts';

export interface SendFacts {
  /** The send's selection options (as given to planIncidents / sendIncidents). */
  minSeverity?: Severity;
  throttleMs?: number;
  /** At or above this severity nothing was throttled. */
  neverThrottle?: Severity;
  state?: AlertState;
  now: number;
  /** How the send identified each incident (send.ts incidentAlertIdentity); incidentIdentity when not given. */
  identity?: (i: Incident) => AlertIdentity;
  /** alertmanager-api: the labels an incident's alert is sent with (recorded with each one sent). */
  labels?: (i: Incident) => Record<string, string>;
  /** The fingerprints of each planned message, in sending order. */
  planned: readonly (readonly string[])[];
  /** Messages delivered: the first `delivered` of `planned` (a send stops at the first failure). */
  delivered: number;
  /** Why the first undelivered message failed (already free of secrets). */
  reason?: string;
  channel: string;
  /** Masked destination. */
  destination: string;
  /** Its key (core/alerting/destination.ts). */
  destinationKey: string;
  /** The data the incidents come from (results file's meta.input.path), when known. */
  source: string | null;
}

/** One record per incident at or above the minimum severity. */
export function deliveryRecords(incidents: readonly Incident[], f: SendFacts): DeliveryRecord[] {
  const sel = selectBy(incidents, f.identity ?? incidentIdentity, f);
  const messageOf = new Map<string, number>();
  f.planned.forEach((m, k) => { for (const fp of m) messageOf.set(fp, k); });
  const base = (i: Incident, fingerprint: string, key: string): Omit<DeliveryRecord, 'outcome'> => ({
    source: f.source, incidentId: i.id, fingerprint, alertKey: key, channel: f.channel, destination: f.destination, destinationKey: f.destinationKey, at: f.now,
  });
  const out: DeliveryRecord[] = [];
  for (const s of sel.send) {
    const k = messageOf.get(s.fingerprint);
    if (k === undefined) out.push({ ...base(s.item, s.fingerprint, s.key), outcome: 'throttled', reason: 'over the per-send message limit' });
    else if (k < f.delivered) out.push({ ...base(s.item, s.fingerprint, s.key), outcome: 'sent', ...(f.labels ? { labels: f.labels(s.item) } : {}) });
    else out.push({ ...base(s.item, s.fingerprint, s.key), outcome: 'failed', reason: k === f.delivered ? (f.reason ?? 'not delivered') : 'not sent: an earlier message of the send failed' });
  }
  for (const h of sel.held) {
    if (h.reason === 'below-min-severity') continue;
    out.push({ ...base(h.item, h.fingerprint, h.key), outcome: h.reason === 'duplicate' ? 'deduplicated' : 'throttled', reason: h.reason === 'duplicate' ? 'already sent' : 'throttled' });
  }
  return out;
}
