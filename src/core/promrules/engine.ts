import type { RuleOp } from '../rules/model.ts';
import { holds } from '../rules/evaluate.ts';
import type { AlertTemplateData } from './goTemplate.ts';
import type { AlertExpr } from './selector.ts';
import { matches } from './selector.ts';

/**
 * Prometheus's alerting-rule evaluation for rules whose expr is `selector op number`, over in-memory series.
 * Semantics as Prometheus 2.x documents and implements them ("Alerting rules", "Querying basics: staleness"):
 * an instant selector sees a series' latest sample at most 5 minutes old (inclusive) unless that sample is a
 * staleness marker; an alert is pending from the first evaluation its labels appear, fires once it has been
 * active `for` long, and when its labels disappear it stops (pending) or keeps firing for `keep_firing_for`
 * from the first evaluation it was missing.
 */

/** Prometheus's default lookback delta. */
export const LOOKBACK_MS = 5 * 60_000;

/** One sample; `stale` marks Prometheus's staleness marker. */
export interface Sample { t: number; v: number; stale: boolean }

/** A series: its labels (with `__name__`) and samples sorted by time. */
export interface Series { labels: Record<string, string>; samples: Sample[] }

/** An alerting rule our engine can evaluate; templates compiled. */
export interface EngineRule {
  name: string;
  expr: AlertExpr;
  forMs: number;
  keepFiringForMs: number;
  labels: ReadonlyArray<[string, (d: AlertTemplateData) => string]>;
  annotations: ReadonlyArray<[string, (d: AlertTemplateData) => string]>;
}

/** An alert as a test sees it. */
export interface AlertOut {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface ActiveAlert extends AlertOut {
  state: 'pending' | 'firing' | 'inactive';
  activeAt: number;
  keepFiringSince: number | null;
  resolvedAt: number | null;
}

/** Prometheus keeps a resolved alert this long (to tell Alertmanager), then forgets it. */
const RESOLVED_RETENTION_MS = 15 * 60_000;

/** A comparison as Go evaluates it on float64: NaN is a value here (a sample), so `NaN != x` holds. */
export function promHolds(op: RuleOp, v: number, t: number): boolean {
  // The rules engine's comparison, but for `!=`, where our CSV rules treat NaN as no data.
  return op === '!=' ? v !== t : holds(op, v, t);
}

/** A canonical key of a label set. */
export function labelsKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function put(map: Record<string, string>, k: string, v: string): void {
  Object.defineProperty(map, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** The value an instant selector sees for a series at `ts`, or null (no sample in the lookback, or stale). */
export function instantValue(s: Series, ts: number): number | null {
  const xs = s.samples;
  let lo = 0;
  let hi = xs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid].t <= ts) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (found < 0) return null;
  const smp = xs[found];
  if (smp.t < ts - LOOKBACK_MS || smp.stale) return null;
  return smp.v;
}

/** One alerting rule's state across evaluations. */
export class AlertRuleState {
  private readonly active = new Map<string, ActiveAlert>();
  constructor(readonly rule: EngineRule, private readonly external: { labels: Record<string, string>; url: string }) {}

  /** Evaluates the rule at `ts` over `series`; throws when two results get the same labels (as Prometheus does). */
  eval(ts: number, series: readonly Series[]): void {
    const r = this.rule;
    const now = new Map<string, ActiveAlert>();
    for (const s of series) {
      if (!matches(s.labels, r.expr.matchers)) continue;
      const v = instantValue(s, ts);
      if (v === null || !promHolds(r.expr.op, v, r.expr.threshold)) continue;
      const data: AlertTemplateData = { labels: s.labels, value: v, externalLabels: this.external.labels, externalURL: this.external.url, evalTimeMs: ts };
      const labels: Record<string, string> = {};
      for (const [k, val] of Object.entries(s.labels)) if (k !== '__name__') put(labels, k, val);
      for (const [k, tpl] of r.labels) {
        const val = tpl(data);
        if (val === '') delete labels[k];
        else put(labels, k, val);
      }
      labels.alertname = r.name;
      const annotations: Record<string, string> = {};
      for (const [k, tpl] of r.annotations) put(annotations, k, tpl(data));
      const key = labelsKey(labels);
      if (now.has(key)) throw new Error(`rule ${r.name}: vector contains metrics with the same labelset after applying alert labels`);
      now.set(key, { labels, annotations, state: 'pending', activeAt: ts, keepFiringSince: null, resolvedAt: null });
    }
    for (const [key, a] of now) {
      const old = this.active.get(key);
      if (old && old.state !== 'inactive') { old.annotations = a.annotations; continue; }
      this.active.set(key, a);
    }
    for (const [key, a] of this.active) {
      if (!now.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && r.keepFiringForMs > 0) {
          if (a.keepFiringSince === null) a.keepFiringSince = ts;
          if (ts - a.keepFiringSince < r.keepFiringForMs) keepFiring = true;
        }
        if (a.state === 'pending' || (a.resolvedAt !== null && ts - a.resolvedAt > RESOLVED_RETENTION_MS)) this.active.delete(key);
        if (a.state !== 'inactive' && !keepFiring) { a.state = 'inactive'; a.resolvedAt = ts; }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSince = null;
      }
      if (a.state === 'pending' && ts - a.activeAt >= r.forMs) a.state = 'firing';
    }
  }

  /** The firing alerts now. */
  firing(): AlertOut[] {
    const out: AlertOut[] = [];
    for (const a of this.active.values()) if (a.state === 'firing') out.push({ labels: { ...a.labels }, annotations: { ...a.annotations } });
    return out;
  }
}
