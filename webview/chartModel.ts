// What each chart shows besides Plotly's line: the markers (which findings, how big, what colour), the incident
// spans and the forecast band for the interval the slider says. Pure: no DOM; memoised per list or series.
import type { Anomaly } from '../src/core/anomaly.ts';
import { byScore } from '../src/core/anomaly.ts';
import { historyHalfWidth } from '../src/core/detectors/forecast.ts';
import type { Incident } from '../src/core/incidents/incidents.ts';
import type { Severity } from '../src/core/severity.ts';
import { SEVERITY_COLOR } from '../src/core/severity.ts';
import type { DashboardModel, SeriesData } from '../src/protocol.ts';
import { MAX_MARKERS } from '../src/protocol.ts';
import { anomalyX, incidentX, listsIncidents, markedList, SEVERITY_RANK } from './findings.ts';
import type { Tuned } from './state.ts';

/** The interval slider's range. */
export const INTERVAL_MIN = 0.5;
export const INTERVAL_MAX = 0.99;
const MARKER_SIZE: Record<Severity, number> = { critical: 10, major: 8, minor: 6, warning: 5 };

/** The marked findings grouped by metric, per list (each chart asks for its own on every repaint). */
const byMetric = new WeakMap<Anomaly[], Map<string, { list: Anomaly[]; total: number }>>();

/**
 * The findings drawn on a metric's chart, lowest score first (drawn under the others): all of them up to
 * MAX_MARKERS, else the highest scores (thousands hide the data anyway; the table lists them all).
 */
export function markersOf(m: DashboardModel, metric: string): { list: Anomaly[]; total: number } {
  const marked = markedList(m);
  let groups = byMetric.get(marked);
  if (!groups) {
    const all = new Map<string, Anomaly[]>();
    for (const a of marked) {
      if (a.metric === null) continue;
      let g = all.get(a.metric);
      if (!g) all.set(a.metric, g = []);
      g.push(a);
    }
    groups = new Map();
    for (const [key, g] of all) {
      // The host keeps the rows of the same highest scores in the chart's data.
      const mine = g.length > MAX_MARKERS ? g.slice().sort(byScore).slice(0, MAX_MARKERS) : g;
      groups.set(key, { list: mine.sort((a, b) => byScore(b, a)), total: g.length });
    }
    byMetric.set(marked, groups);
  }
  return groups.get(metric) ?? { list: [], total: 0 };
}

/** Where a finding's marker goes and how it looks. */
export function markOf(m: DashboardModel, a: Anomaly): { x: number; y: number | null; r: number; color: string } {
  return { x: anomalyX(m, a), y: a.value, r: MARKER_SIZE[a.severity] / 2 + 0.5, color: SEVERITY_COLOR[a.severity] };
}

/** The listed incidents that involve a metric, as spans of x (time or rows) in their severity's colour. */
export function spansOf(m: DashboardModel, metric: string): { x0: number; x1: number; color: string }[] {
  if (!listsIncidents(m)) return [];
  const step = m.timeAxis ? (m.stepMs ?? 0) : 1;
  return m.incidents.filter((i) => !i.metrics.length || i.metrics.some((x) => x.metric === metric))
    .map((i) => ({ x0: incidentX(m, i, false), x1: incidentX(m, i, true) + step, color: SEVERITY_COLOR[i.severity] }));
}

const spanKeys = new WeakMap<Incident[], string>();
/** What the spans depend on, as a short string: the listed incidents' rows and severities. */
export function spanKey(m: DashboardModel): string {
  if (!listsIncidents(m)) return '';
  let k = spanKeys.get(m.incidents);
  if (k === undefined) {
    let h = 0x811c9dc5;
    for (const i of m.incidents) h = Math.imul(h ^ (i.startRow * 31 + i.endRow * 7 + SEVERITY_RANK[i.severity]), 16777619);
    spanKeys.set(m.incidents, k = `${m.incidents.length}:${h}`);
  }
  return k;
}

export interface Band { lower: (number | null)[]; upper: (number | null)[]; key: string }
const bandCache = new WeakMap<SeriesData, Band>();

/** The band to draw: the host's, or — where the forecaster's fit is known here — the one for the current interval. */
export function bandOf(m: DashboardModel, tuned: Tuned | null, s: SeriesData): Band | null {
  if (!s.band) return null;
  const f = tuned?.path === m.file.path ? tuned.forecast?.[s.metric] : undefined;
  const h = f ? historyHalfWidth(f.sigma, f.yScale, m.settings.interval) : NaN;
  const key = f ? `tuned:${tuned!.key}:${h}` : 'host';
  const cached = bandCache.get(s);
  if (cached?.key === key) return cached;
  const yhat = s.band.yhat;
  const band: Band = f
    ? { lower: yhat.map((v) => (v === null ? null : v - h)), upper: yhat.map((v) => (v === null ? null : v + h)), key }
    : { lower: s.band.lower, upper: s.band.upper, key };
  bandCache.set(s, band);
  return band;
}

/** The band's lowest and highest values at the widest interval the slider reaches, so y-autorange never clips it. */
export function bandExtent(m: DashboardModel, tuned: Tuned | null, s: SeriesData): [number, number] | null {
  if (!s.band) return null;
  const f = tuned?.path === m.file.path ? tuned.forecast?.[s.metric] : undefined;
  let lo = Infinity, hi = -Infinity;
  if (f) {
    const h = historyHalfWidth(f.sigma, f.yScale, INTERVAL_MAX);
    for (const v of s.band.yhat) if (v !== null) { if (v - h < lo) lo = v - h; if (v + h > hi) hi = v + h; }
  } else {
    for (const v of s.band.lower) if (v !== null && v < lo) lo = v;
    for (const v of s.band.upper) if (v !== null && v > hi) hi = v;
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : null;
}
