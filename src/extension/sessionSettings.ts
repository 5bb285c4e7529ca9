// A CSV's dashboard settings and rule sliders as its analysis starts: pure (no vscode), used by SessionStore.
import type { Frame } from '../core/csv/frame.ts';
import { seriesIndices } from '../core/csv/frame.ts';
import type { RulesFile } from '../core/rules/model.ts';
import type { DashboardSettings, RuleSlider } from '../protocol.ts';

/** The default dashboard settings: every detector that applies, SPEC defaults. */
export function defaultDashboardSettings(): DashboardSettings {
  return { detectors: { iforest: true, forecast: true, rules: true }, contamination: 'calibrated', interval: 0.8, thresholds: {} };
}

/** The first dashboard settings of a CSV: the defaults, with the rules file's detectors: block when it has one. */
export function settingsFromRules(rules: RulesFile | null): DashboardSettings {
  const s = defaultDashboardSettings();
  const fileIf = rules?.detectors.iforest;
  const fileFc = rules?.detectors.forecast;
  if (fileIf?.enabled === false) s.detectors.iforest = false;
  if (fileFc?.enabled === false) s.detectors.forecast = false;
  if (fileIf?.contamination !== undefined) s.contamination = fileIf.contamination;
  if (fileFc?.interval !== undefined) s.interval = fileFc.interval;
  return s;
}

/** The detectors an analysis with these settings runs, in the order the worker runs them. */
export function enabledDetectors(s: DashboardSettings, rules: RulesFile | null): string[] {
  return (['rules', 'iforest', 'forecast'] as const).filter((d) => s.detectors[d] && (d !== 'rules' || rules !== null));
}

/**
 * One slider per enabled rule whose metric is in the data, ranging over the metric's values (plus the threshold); a
 * Prometheus rule's only where its threshold can be saved (its expr's number rewritten in place: Rule.thresholdSpan).
 */
export function slidersOf(rules: RulesFile, frame: Frame): RuleSlider[] {
  const out: RuleSlider[] = [];
  for (const r of rules.rules) {
    if (r.promAlert !== undefined && !r.thresholdSpan) continue;
    // Over the metric's values, or every series' of it (cpu{host="a"}, …: the rule holds per series).
    const cols = seriesIndices(frame, r.metric);
    if (!cols.length || !r.enabled) continue;
    let lo = Infinity, hi = -Infinity;
    for (const c of cols) {
      const v = frame.values[c];
      for (let i = 0; i < v.length; i++) { const x = v[i]; if (x < lo) lo = x; if (x > hi) hi = x; }
    }
    if (!Number.isFinite(lo)) continue;
    lo = Math.min(lo, r.threshold);
    hi = Math.max(hi, r.threshold);
    const span = hi - lo || Math.abs(hi) || 1;
    const step = Math.pow(10, Math.floor(Math.log10(span / 200)));
    out.push({ name: r.name, metric: r.metric, op: r.op, threshold: r.threshold, min: Math.floor(lo / step) * step, max: Math.ceil(hi / step) * step, step });
  }
  return out;
}

/** What a file's `pending` lists while its rules file is being looked for (its data is shown meanwhile). */
export const RULES_PENDING = 'rules file';

/**
 * `onto` with what `to` changed from `from` (each detector toggle, the contamination, the interval, each rule's
 * threshold): a change made on settings shown before the rules file was known, applied to the rules file's.
 */
export function changedFrom(from: DashboardSettings, to: DashboardSettings, onto: DashboardSettings): DashboardSettings {
  const pick = <T>(a: T, b: T, c: T): T => (a !== b ? b : c);
  const thresholds = { ...onto.thresholds };
  for (const name of new Set([...Object.keys(from.thresholds), ...Object.keys(to.thresholds)])) {
    if (from.thresholds[name] === to.thresholds[name]) continue;
    if (to.thresholds[name] === undefined) delete thresholds[name];
    else thresholds[name] = to.thresholds[name];
  }
  return {
    detectors: {
      iforest: pick(from.detectors.iforest, to.detectors.iforest, onto.detectors.iforest),
      forecast: pick(from.detectors.forecast, to.detectors.forecast, onto.detectors.forecast),
      rules: pick(from.detectors.rules, to.detectors.rules, onto.detectors.rules),
    },
    contamination: pick(from.contamination, to.contamination, onto.contamination),
    interval: pick(from.interval, to.interval, onto.interval),
    thresholds,
  };
}
