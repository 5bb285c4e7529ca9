// What each chart shows besides Plotly's line: the markers (which findings, how big, what colour), the incident
// spans and the forecast band for the interval the slider says. Pure: no DOM; memoised per list or series.
import type { Anomaly } from '../src/core/anomaly.ts';
import { chartMarkers } from '../src/core/anomaly.ts';
import type { Incident } from '../src/core/incidents/incidents.ts';
import type { Severity } from '../src/core/severity.ts';
import { SEVERITY_COLOR } from '../src/core/severity.ts';
import { MAX_MARKERS } from '../src/core/dashboard/pageView.ts';
import type { DashboardModel, SeriesData } from '../src/protocol.ts';
import { anomalyX, incidentX, listsIncidents, markedList, SEVERITY_RANK } from './findings.ts';

/** The interval slider's range. */
export const INTERVAL_MIN = 0.5;
const MARKER_SIZE: Record<Severity, number> = { critical: 10, major: 8, minor: 6, warning: 5 };

/** The marked findings of each metric, per list (each chart asks for its own on every repaint). */
const byMetric = new WeakMap<Anomaly[], Map<string, { list: Anomaly[]; total: number }>>();

/** The findings drawn on a metric's chart (src/core/anomaly.ts's chartMarkers: the host keeps the same rows in the chart's data). */
export function markersOf(m: DashboardModel, metric: string): { list: Anomaly[]; total: number } {
  const marked = markedList(m);
  let groups = byMetric.get(marked);
  if (!groups) byMetric.set(marked, groups = new Map());
  let g = groups.get(metric);
  if (!g) groups.set(metric, g = chartMarkers(marked, metric, MAX_MARKERS));
  return g;
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

/** The band to draw: yhat ± the half-width the page computed for the interval shown (model.bands), else the host's. */
export function bandOf(m: DashboardModel, s: SeriesData): Band | null {
  if (!s.band) return null;
  const h = m.bands?.[s.metric]?.half;
  const key = h === undefined ? 'host' : `page:${h}`;
  const cached = bandCache.get(s);
  if (cached?.key === key) return cached;
  const yhat = s.band.yhat;
  const band: Band = h !== undefined
    ? { lower: yhat.map((v) => (v === null ? null : v - h)), upper: yhat.map((v) => (v === null ? null : v + h)), key }
    : { lower: s.band.lower, upper: s.band.upper, key };
  bandCache.set(s, band);
  return band;
}

/** The band's lowest and highest values at the widest interval the slider reaches, so y-autorange never clips it. */
export function bandExtent(m: DashboardModel, s: SeriesData): [number, number] | null {
  if (!s.band) return null;
  const h = m.bands?.[s.metric]?.widest;
  let lo = Infinity, hi = -Infinity;
  if (h !== undefined) {
    for (const v of s.band.yhat) if (v !== null) { if (v - h < lo) lo = v - h; if (v + h > hi) hi = v + h; }
  } else {
    for (const v of s.band.lower) if (v !== null && v < lo) lo = v;
    for (const v of s.band.upper) if (v !== null && v > hi) hi = v;
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : null;
}

/** Charts drawn at first when a file has more metrics (a long CSV's or a query's series): the others on request. */
export const MAX_OPEN_CHARTS = 12;

/** Which metrics the page charts, how many it leaves out, and whether findings chose some of them. */
export interface Charted { metrics: string[]; hidden: number; withFindings: boolean }

/**
 * The metrics charted: every one when there are at most MAX_OPEN_CHARTS or `all`; else MAX_OPEN_CHARTS — those with
 * the strongest findings the charts mark first, then the first others — and those of rows the user selected
 * (`pinned`), in the file's order.
 */
export function chartedMetrics(m: DashboardModel, all: boolean, pinned: ReadonlySet<string>): Charted {
  if (all || m.metrics.length <= MAX_OPEN_CHARTS) return { metrics: m.metrics, hidden: 0, withFindings: false };
  const best = new Map<string, number>();
  for (const a of markedList(m)) if (a.metric !== null && a.score > (best.get(a.metric) ?? -1)) best.set(a.metric, a.score);
  const order = new Map(m.metrics.map((x, i) => [x, i]));
  const strongest = [...best.keys()].filter((x) => order.has(x))
    .sort((a, b) => best.get(b)! - best.get(a)! || order.get(a)! - order.get(b)!).slice(0, MAX_OPEN_CHARTS);
  const shown = new Set(strongest);
  for (const x of m.metrics) { if (shown.size >= MAX_OPEN_CHARTS) break; shown.add(x); }
  for (const x of pinned) if (order.has(x)) shown.add(x);
  const metrics = m.metrics.filter((x) => shown.has(x));
  return { metrics, hidden: m.metrics.length - metrics.length, withFindings: strongest.length > 0 };
}
