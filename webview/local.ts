// Slider moves recomputed in the page, before the host answers: the host sends the file's data (localData) and
// the analysis's scores and fits (tuning); a slider then redoes its own detector's findings here with the same
// core functions the host runs, so the two agree. Pure: state in, state out.
import type { Anomaly } from '../src/core/anomaly.ts';
import { capAnomalies, sortAnomalies } from '../src/core/anomaly.ts';
import type { AnalysisResult } from '../src/core/analysisResult.ts';
import type { Frame } from '../src/core/csv/frame.ts';
import { analysisView } from '../src/core/incidents/analysisView.ts';
import { evaluateRules } from '../src/core/rules/evaluate.ts';
import { retuneForecast, retuneIforest } from '../src/core/tuning.ts';
import type { DashboardSettings, LocalData, TuningData } from '../src/protocol.ts';
import { DASHBOARD_MAX_PER_DETECTOR } from '../src/protocol.ts';
import { digestOf, listsIncidents } from './findings.ts';
import type { LocalFrame, State, Tuned } from './state.ts';

export type LocalDetector = 'rules' | 'iforest' | 'forecast';

/** The frame of the host's localData (line numbers are the data rows' plus the header: the page shows rows, not lines). */
export function frameOf(d: LocalData): LocalFrame {
  const rows = d.values[0]?.length ?? d.timestamps?.length ?? 0;
  const lines = new Int32Array(rows);
  for (let i = 0; i < rows; i++) lines[i] = i + 2;
  const frame: Frame = {
    timestamps: d.timestamps ? Float64Array.from(d.timestamps) : null,
    timestampColumn: d.timestamps ? 'timestamp' : null,
    metrics: d.metrics,
    values: d.values.map((v) => Float64Array.from(v, (x) => (x === null ? NaN : x))),
    rows,
    lines,
    stepMs: d.stepMs,
  };
  for (const [c, i, sign] of d.infinite) if (frame.values[c] && i < rows) frame.values[c][i] = sign * Infinity;
  return { path: d.path, frame, rules: d.rules };
}

/** The host's tuning data as typed arrays, with the forest's scores sorted once (every contamination move reads them). */
export function tunedOf(d: TuningData): Tuned {
  const f64 = (a: (number | null)[]): Float64Array => Float64Array.from(a, (x) => (x === null ? NaN : x));
  const t: Tuned = { path: d.path, key: d.key };
  if (d.iforest) {
    t.iforest = { metrics: d.iforest.metrics, scores: f64(d.iforest.scores), floor: d.iforest.floor, rows: Int32Array.from(d.iforest.rows), shares: f64(d.iforest.shares) };
    t.sorted = Float64Array.from(t.iforest.scores).sort();
  }
  if (d.forecast) {
    t.forecast = {};
    for (const [metric, f] of Object.entries(d.forecast)) t.forecast[metric] = { yhat: f64(f.yhat), sigma: f.sigma, yScale: f.yScale };
  }
  return t;
}

/** The page's tuning data when it is for the file shown. */
export function tunedFor(s: State): Tuned | null {
  return s.tuned && s.model && s.tuned.path === s.model.file.path ? s.tuned : null;
}

/**
 * Recomputes the findings of the detector a slider moved (for a rule slider, of that rule) into the model; `ok`
 * false when that cannot be done here (the host's answer then redraws). The rules' incidents follow.
 */
export function applyLocally(s: State, what: LocalDetector, rule?: string): { state: State; ok: boolean } {
  const m = s.model;
  const no = { state: s, ok: false };
  if (!m || !s.local || s.local.path !== m.file.path) return no;
  const set = m.settings;
  const t = tunedFor(s);
  const id = what === 'rules' ? 'rule' : what;
  // The host lists at most DASHBOARD_MAX_PER_DETECTOR per detector: the same cap here gives the same list. One
  // rule's findings cannot be redone here when the rules' list was cut (the other rules' are not all here).
  if (rule !== undefined && (m.totals?.[id] ?? 0) > DASHBOARD_MAX_PER_DETECTOR) return no;
  let next: Anomaly[] | null;
  if (what === 'rules') {
    if (!set.detectors.rules) return no;
    // Rules are evaluated one by one: a threshold moves only its own rule's findings.
    next = evaluateRules(s.local.rules.filter((r) => rule === undefined || r.name === rule), s.local.frame, { thresholds: set.thresholds }).anomalies;
  } else if (what === 'iforest') {
    if (!set.detectors.iforest || !t?.iforest || !t.sorted) return no;
    next = retuneIforest(s.local.frame, t.iforest, t.sorted, set.contamination);
  } else {
    if (!set.detectors.forecast || !t?.forecast || m.forecastMode !== 'standard') return no;
    next = retuneForecast(s.local.frame, t.forecast, set.interval).anomalies;
  }
  if (!next) return no;
  const replaced = (a: Anomaly): boolean => a.detector === id && (rule === undefined || a.rule === rule);
  const merged = m.anomalies.filter((a) => !replaced(a)).concat(next);
  const listed = capAnomalies(merged, DASHBOARD_MAX_PER_DETECTOR);
  const totals = listed.capped || m.totals ? { ...(m.totals ?? listed.totals), [id]: listed.totals[id] ?? 0 } : m.totals;
  const state: State = { ...s, model: { ...m, anomalies: listed.capped ? listed.list : sortAnomalies(merged), totals }, anomaliesVersion: s.anomaliesVersion + 1 };
  // The incidents follow the rules' findings: redone here (tens of ms: every detector's tail is fitted again).
  // Contamination and interval leave them as they are, but for which metric the forest names on a few rows:
  // the host's answer brings that. Listing all rows, nothing shows incidents: the host's next model brings them.
  if (what === 'rules' && listsIncidents(state.model!)) return recomputeView(state);
  return { state, ok: true };
}

/**
 * The incidents of what the page holds, into the model: the same core analysisView the host runs, on the same
 * data, scores and fits. `ok` false when the page does not hold all of it.
 */
export function recomputeView(s: State): { state: State; ok: boolean } {
  const m = s.model;
  const no = { state: s, ok: false };
  if (!m || !m.incidents || m.live || !s.local || s.local.path !== m.file.path) return no;
  const t = tunedFor(s);
  const set = m.settings;
  // The view is made of the forest's scores, the forecasts' yhat, the rules' findings and the forest's attribution
  // (read from its findings): all here only when the fits are known and no list was cut.
  if (set.detectors.iforest && !t?.iforest) return no;
  if (set.detectors.forecast && (!t?.forecast || m.forecastMode !== 'standard')) return no;
  if ((m.totals?.iforest ?? 0) > DASHBOARD_MAX_PER_DETECTOR || (m.totals?.rule ?? 0) > DASHBOARD_MAX_PER_DETECTOR) return no;
  const forecast = set.detectors.forecast && t?.forecast ? Object.fromEntries(Object.entries(t.forecast).map(([k, f]) => [k, { yhat: f.yhat }])) : undefined;
  // What analysisView reads of an analysis: the rest of AnalysisResult is the host's business.
  const result = { frame: s.local.frame, scores: { iforest: set.detectors.iforest ? t?.iforest?.scores : undefined }, forecast, anomalies: m.anomalies } as unknown as AnalysisResult;
  // A rule's threshold changes only the rules' findings: the statistics measured for the same file, data, fits
  // and other settings are taken from the last view (a rule slider then redoes the merge only).
  const key = viewKey(m);
  const last = s.lastView;
  const reuse = last && last.key === key && last.frame === s.local.frame && last.tuned === t ? last.view : undefined;
  const v = analysisView(result, m.view === 'all' ? 'warning' : m.view, reuse);
  const model = { ...m, incidents: m.view === 'all' ? v.incidents : v.shown.incidents, incidentFindings: m.view === 'all' ? v.findings : v.shown.anomalies };
  return { state: { ...s, model, lastView: { key, frame: s.local.frame, tuned: t, view: v }, viewValidFor: JSON.stringify(set) }, ok: true };
}

/**
 * Measures the view's statistics for the settings shown, ahead of a rule slider's first move (which then only
 * merges: a cold first move measured them all, ~3× a later one). Changes nothing the page shows.
 */
export function prepareView(s: State): State {
  if (!viewToPrepare(s)) return s;
  const r = recomputeView(s);
  return r.ok ? { ...s, lastView: r.state.lastView } : s;
}

/** True when prepareView has something to measure: the page lists incidents and its last view is of other settings or data. */
export function viewToPrepare(s: State): boolean {
  const m = s.model;
  const last = s.lastView;
  return !!m && listsIncidents(m) && !!s.local && !(last && last.frame === s.local.frame && last.tuned === tunedFor(s) && last.key === viewKey(m));
}

/** What the view's statistics depend on besides the data and fits: the file and every setting but the rules' thresholds. */
function viewKey(m: { file: { path: string }; settings: DashboardSettings }): string {
  const { thresholds: _t, ...rest } = m.settings;
  return JSON.stringify([m.file.path, rest]);
}

/**
 * A model computed with older settings than the page shows (the user kept dragging): redoes here what the newer
 * settings (the model's now) change from `host`'s, so the page does not step back while the next answer comes.
 */
export function reapplyLocally(s: State, host: DashboardSettings): { state: State; ok: boolean } {
  const want = s.model!.settings;
  let ok = JSON.stringify(host.detectors) === JSON.stringify(want.detectors);
  let state = s;
  const redo = (what: LocalDetector, rule?: string): void => {
    const r = applyLocally(state, what, rule);
    state = r.state;
    ok = r.ok && ok;
  };
  if (host.contamination !== want.contamination) redo('iforest');
  if (host.interval !== want.interval) redo('forecast');
  const names = new Set([...Object.keys(host.thresholds), ...Object.keys(want.thresholds)]);
  for (const name of names) if (host.thresholds[name] !== want.thresholds[name]) redo('rules', name);
  return { state, ok };
}

/**
 * Runs each slider's computation once and throws the result away: the first real move then runs compiled code
 * (a cold first move took ~2× longer). Changes nothing.
 */
export function warmUp(s: State): void {
  const m = s.model;
  if (!m || !s.local || s.local.path !== m.file.path) return;
  const set = m.settings;
  evaluateRules(s.local.rules, s.local.frame, { thresholds: set.thresholds });
  const t = tunedFor(s);
  if (t?.iforest && t.sorted) retuneIforest(s.local.frame, t.iforest, t.sorted, set.contamination);
  if (t?.forecast) retuneForecast(s.local.frame, t.forecast, set.interval);
  capAnomalies(m.anomalies, DASHBOARD_MAX_PER_DETECTOR);
  digestOf(m.anomalies);
}
