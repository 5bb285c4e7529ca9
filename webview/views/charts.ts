// The charts, one per metric. Plotly draws the values (and the forecast's yhat): they change only with the
// data, the zoom and the theme. The band, the markers, the incident spans and the selection change with every
// slider move: they are drawn on two canvases around Plotly's SVG (webview/overlay.ts), in a few ms.
import type { Anomaly } from '../../src/core/anomaly.ts';
import { formatShort } from '../../src/core/format.ts';
import { breakAtGaps } from '../../src/core/csv/gaps.ts';
import type { DashboardModel, SeriesData } from '../../src/protocol.ts';
import { MAX_MARKERS } from '../../src/core/dashboard/pageView.ts';
import type { Band, Charted } from '../chartModel.ts';
import { bandExtent, bandOf, chartedMetrics, MAX_OPEN_CHARTS, markersOf, markOf, spanKey, spansOf } from '../chartModel.ts';
import { anomalyX, digestOf, markedList } from '../findings.ts';
import { escapeLabel } from '../format.ts';
import { whenText } from '../tableRows.ts';
import type { Geometry, Mark } from '../geometry.ts';
import { nearestMark, placeMarks, toPx, toPy, usable } from '../geometry.ts';
import { drawBand, drawMarks, drawSelection, drawSpans, prepareCanvas } from '../overlay.ts';
import type { Message, State } from '../state.ts';
import { el } from './dom.ts';
import type { Theme } from './theme.ts';
import { hexAlpha } from './theme.ts';

// Plotly is its own inline script of the page, after the page's (dist/webview/plotly.min.js, src/extension/dashboard.ts).
declare const Plotly: {
  react(el: HTMLElement, data: unknown[], layout: unknown, config?: unknown): Promise<unknown>;
  relayout(el: HTMLElement, update: unknown): Promise<unknown>;
  purge(el: HTMLElement): void;
};
/**
 * Resolves once Plotly's script has run: it runs after the page's own script (see src/extension/dashboard.ts), so
 * that a model already posted and its table need not wait for it.
 */
function plotlyLoaded(): Promise<void> {
  if (typeof Plotly !== 'undefined') return Promise.resolve();
  return new Promise((resolve) => window.addEventListener('load', () => resolve(), { once: true }));
}

type PlotEl = HTMLElement & { on(event: string, cb: (e: Record<string, unknown>) => void): void; _ahBound?: boolean };

interface Chart {
  root: HTMLElement;
  plot: PlotEl;
  band: HTMLCanvasElement;
  marks: HTMLCanvasElement;
  note: HTMLElement;
  tip: HTMLElement;
  drawn: Mark<Anomaly>[];
  metric: string;
  /** What the overlay last drew (see overlaySignature), and from which list. */
  overlaySig?: string;
  drawnList?: Anomaly[];
  /** The plot's size in CSS px, as the ResizeObserver last reported it. */
  size?: { width: number; height: number };
  /** What Plotly last drew (see plotSignature). */
  plotSig?: string;
}

export interface ChartsView {
  section: HTMLElement;
  /**
   * Brings the charts up to the state: Plotly redraws (in later tasks, one chart per task) when the series, the
   * zoom's windows or the theme changed; otherwise only the overlays repaint, now. Resolves when all is drawn.
   */
  render(s: State): Promise<void>;
  /** Plotly redraws every chart (the theme changed). */
  redrawAll(): void;
}

/** The x range a relayout event names, in linear units (epoch ms or rows); null when it names none. */
function rangeOf(e: Record<string, unknown>): [number, number] | null {
  if (e['xaxis.range[0]'] !== undefined) return [toX(e['xaxis.range[0]']), toX(e['xaxis.range[1]'])];
  if (Array.isArray(e['xaxis.range'])) return [toX((e['xaxis.range'] as unknown[])[0]), toX((e['xaxis.range'] as unknown[])[1])];
  return null;
}

function toX(v: unknown): number {
  if (typeof v === 'number') return v;
  // Plotly gives date axis ranges as 'YYYY-MM-DD HH:MM:SS.sss' in UTC-less form: read as UTC like the data.
  const s = String(v);
  return Date.parse(s.includes('T') || s.endsWith('Z') ? s : s.replace(' ', 'T') + 'Z');
}

/** The plot area and the ranges Plotly shows now (or the x range of a zoom or pan in progress). */
function geometryOf(c: Chart, xRange?: [number, number]): Geometry | null {
  type Axis = { range?: unknown[]; r2l(v: unknown): number };
  const fl = (c.plot as unknown as { _fullLayout?: { xaxis?: Axis; yaxis?: Axis; _size?: { l: number; t: number; w: number; h: number } } })._fullLayout;
  const xa = fl?.xaxis, ya = fl?.yaxis, sz = fl?._size;
  if (!xa?.range || !ya?.range || !sz) return null;
  const g: Geometry = {
    l: sz.l, t: sz.t, w: sz.w, h: sz.h,
    x0: xRange ? xRange[0] : xa.r2l(xa.range[0]), x1: xRange ? xRange[1] : xa.r2l(xa.range[1]),
    y0: ya.r2l(ya.range[0]), y1: ya.r2l(ya.range[1]),
  };
  return usable(g) ? g : null;
}

/** What Plotly draws of a chart, as a short string: the values and yhat (hashed), the view and the theme. */
function plotSignature(m: DashboardModel, series: SeriesData, zoom: [number, number] | null, themeVersion: number): string {
  let h = 0;
  const mix = (v: number | null): void => { h = (Math.imul(h, 31) + (v === null ? 7 : Math.round(v * 1000))) | 0; };
  for (let i = 0; i < series.x.length; i++) { mix(series.x[i]); mix(series.y[i]); if (series.band) mix(series.band.yhat[i]); }
  return [series.metric, series.x.length, h, zoom ? zoom.join(',') : '', themeVersion, m.timeAxis, m.gaps?.length ?? 0].join('|');
}

/** A chart's height in CSS px (Plotly's layout and the element it draws into). */
const CHART_HEIGHT = 210;
/** How far past its newest point a live chart's x range reaches, as a share of the window's span (room for its marker). */
const LIVE_X_PAD = 0.03;

export function createCharts(dispatch: (m: Message) => void, getState: () => State, theme: Theme): ChartsView {
  const section = el('section', { class: 'charts' });
  const charts = new Map<string, Chart>();
  // A file of many metrics charts those with the strongest findings; this line says so and shows the others.
  const moreText = el('span', {});
  const moreButton = el('button', { class: 'link', 'data-testid': 'charts-more-button' });
  const more = el('div', { class: 'charts-more', 'data-testid': 'charts-more', hidden: '' }, moreText, moreButton);
  moreButton.addEventListener('click', () => dispatch({ type: 'ui/chartsAll', on: !getState().chartsAll }));
  const seriesIds = new WeakMap<SeriesData, number>();
  let nextSeriesId = 1;
  const seriesId = (s: SeriesData): number => {
    let id = seriesIds.get(s);
    if (!id) seriesIds.set(s, id = nextSeriesId++);
    return id;
  };
  let syncingZoom = false;
  let pressed: { chart: Chart; x: number; y: number } | null = null;
  let generation = 0;
  /** What the last full render drew from: Plotly is called again only when one of these changes. */
  let drawnFrom: { series: SeriesData[]; windows: ReadonlyMap<string, SeriesData>; zoomed: boolean; theme: number; widest: string; charted: string } | null = null;

  const seriesOf = (s: State, metric: string): SeriesData | undefined => (s.zoom && s.windows.get(metric)) || s.model?.series.find((x) => x.metric === metric);

  const chartData = (s: SeriesData, extent: [number, number] | null, gaps: readonly [number, number][], live: boolean): unknown[] => {
    const t = theme.colors();
    const traces: unknown[] = [];
    // Across a stretch without rows (src/core/csv/gaps.ts, the rule analyze warns by) the lines break, not join.
    const cut = breakAtGaps(s.x, s.band ? [s.y, s.band.yhat] : [s.y], gaps);
    // Plotly reads numbers on a date axis as epoch milliseconds: no Date objects needed.
    if (s.band) traces.push({ x: cut.x, y: cut.ys[1], type: 'scatter', mode: 'lines', connectgaps: false, line: { width: 1, color: t.band, dash: 'dot' }, name: 'forecast', hoverinfo: 'skip' });
    traces.push({ x: cut.x, y: cut.ys[0], type: 'scatter', mode: 'lines', connectgaps: false, line: { width: t.hc ? 1.6 : 1.1, color: t.line }, name: escapeLabel(s.metric), hovertemplate: '%{y}<extra></extra>' });
    // Invisible: makes y-autorange cover the band (drawn on a canvas, which Plotly does not see). A line of
    // width 0, not markers: markers would pad the x-range.
    if (extent && s.x.length) traces.push({ x: [s.x[0], s.x[s.x.length - 1]], y: extent, type: 'scatter', mode: 'lines', line: { width: 0 }, hoverinfo: 'skip', showlegend: false });
    // A live window's newest point (and its marker) would sit on the right edge, half clipped: another invisible
    // line takes x-autorange a little past it.
    if (live && s.x.length > 1) {
      const last = s.x[s.x.length - 1];
      const pad = (last - s.x[0]) * LIVE_X_PAD;
      let y: number | null = null;
      for (let i = s.y.length - 1; i >= 0 && y === null; i--) y = s.y[i];
      if (pad > 0 && y !== null) traces.push({ x: [last, last + pad], y: [y, y], type: 'scatter', mode: 'lines', line: { width: 0 }, hoverinfo: 'skip', showlegend: false });
    }
    return traces;
  };

  const chartLayout = (m: DashboardModel, metric: string, zoom: [number, number] | null): unknown => {
    const t = theme.colors();
    const axis = { color: t.muted, gridcolor: t.grid, zerolinecolor: t.grid, linecolor: t.grid, tickfont: { size: 10 } };
    return {
      title: { text: escapeLabel(metric), font: { size: 13, color: t.fg }, x: 0.01, xanchor: 'left', y: 0.97 },
      margin: { l: 52, r: 12, t: 28, b: 28 },
      height: CHART_HEIGHT,
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
      font: { family: t.font, color: t.fg, size: 11 },
      xaxis: { ...axis, type: m.timeAxis ? 'date' : 'linear', range: zoom ? zoom.map((v) => (m.timeAxis ? new Date(v) : v)) : undefined, autorange: zoom ? false : true },
      yaxis: { ...axis, automargin: true, fixedrange: true },
      showlegend: false,
      hovermode: 'closest',
      hoverlabel: { bgcolor: t.hoverBg, bordercolor: t.hoverBorder, font: { color: t.hoverFg } },
      uirevision: metric,
    };
  };

  /** What an overlay draws, as a short string: the markers, the band, the selection, the view and the theme. */
  const overlaySignature = (s: State, list: Anomaly[], band: Band | null, series: SeriesData | undefined, g: Geometry | null, width: number, height: number): string => {
    const view = g ? [g.l, g.t, g.w, g.h, g.x0, g.x1, g.y0, g.y1].join(',') : '';
    return [list.length, digestOf(list), band ? band.key : '', series ? seriesId(series) : -1, view, width, height, s.selectedRow ?? '', theme.version(), s.model ? spanKey(s.model) : ''].join('|');
  };

  /** Repaints a chart's band, markers and selection from the state (a few ms; no Plotly work); skipped when none of it changed. */
  const drawOverlay = (c: Chart, xRange?: [number, number]): void => {
    const s = getState();
    const m = s.model;
    const series = m ? seriesOf(s, c.metric) : undefined;
    // The size comes from a ResizeObserver: reading it here would force a layout of the page mid-update.
    const { width, height } = c.size ?? { width: c.plot.clientWidth, height: c.plot.clientHeight };
    const g = geometryOf(c, xRange);
    const { list, total } = m ? markersOf(m, c.metric) : { list: [], total: 0 };
    const band = m && series ? bandOf(m, series) : null;
    const at = (a: Anomaly): ReturnType<typeof markOf> => markOf(m!, a);
    const sig = overlaySignature(s, list, band, series, g, width, height);
    if (sig === c.overlaySig) {
      // Same marks; the findings behind them may be new objects (another message): the tooltips take those.
      if (c.drawnList !== list && g) { c.drawn = placeMarks(g, list, at); c.drawnList = list; }
      return;
    }
    c.overlaySig = sig;
    c.drawnList = list;
    const bctx = prepareCanvas(c.band, width, height);
    const mctx = prepareCanvas(c.marks, width, height);
    c.drawn = [];
    if (!m || !series || !g || !bctx || !mctx) return;
    const t = theme.colors();
    const spans = spansOf(m, c.metric);
    if (spans.length) drawSpans(bctx, g, spans.map((sp) => ({ ...sp, color: hexAlpha(sp.color, t.light ? 0.13 : 0.2) })));
    if (band) {
      const cut = breakAtGaps(series.x, [band.lower, band.upper], m.gaps ?? []);
      drawBand(bctx, g, cut.x, cut.ys[0], cut.ys[1], hexAlpha(t.band, t.light ? 0.28 : 0.42));
    }
    c.drawn = placeMarks(g, list, at);
    drawMarks(mctx, c.drawn, t.bg);
    const sel = s.selectedRow;
    if (sel !== null) {
      const own = list.find((a) => a.row === sel);
      const any = own ?? markedList(m).find((a) => a.row === sel) ?? m.anomalies.find((a) => a.row === sel);
      if (any) drawSelection(mctx, g, toPx(g, anomalyX(m, any)), own && own.value !== null ? toPy(g, own.value) : null, t.fg);
    }
    c.root.dataset.markers = String(c.drawn.length);
    c.note.textContent = total > MAX_MARKERS ? `top ${MAX_MARKERS.toLocaleString('en')} of ${total.toLocaleString('en')} anomalies marked` : '';
  };

  const overlayPending = new Set<Chart>();
  let overlayFrame = 0;
  /** Repaints a chart's overlay in the next frame (after Plotly has settled its axes). */
  const overlaySoon = (c: Chart): void => {
    overlayPending.add(c);
    if (overlayFrame) return;
    overlayFrame = requestAnimationFrame(() => {
      overlayFrame = 0;
      for (const x of overlayPending) drawOverlay(x);
      overlayPending.clear();
    });
  };

  const resizes = new ResizeObserver((entries) => {
    for (const e of entries) {
      const c = [...charts.values()].find((x) => x.plot === e.target);
      if (!c) continue;
      c.size = { width: (e.target as HTMLElement).clientWidth, height: (e.target as HTMLElement).clientHeight };
      overlaySoon(c);
    }
  });

  const markAt = (c: Chart, clientX: number, clientY: number): Mark<Anomaly> | null => {
    const r = c.root.getBoundingClientRect();
    return nearestMark(c.drawn, clientX - r.left - c.root.clientLeft, clientY - r.top - c.root.clientTop);
  };

  const hideTip = (c: Chart): void => {
    if (c.tip.hidden) return;
    c.tip.hidden = true;
    c.root.classList.remove('marker-hover');
    c.root.style.cursor = '';
  };

  const hover = (c: Chart, ev: MouseEvent): void => {
    const hit = markAt(c, ev.clientX, ev.clientY);
    if (!hit) { hideTip(c); return; }
    const a = hit.item;
    c.tip.textContent = '';
    c.tip.append(
      el('strong', {}, `${a.detector === 'rule' ? `rule ${a.rule ?? ''}` : a.detector} · ${a.severity} · score ${a.score.toFixed(1)}`),
      el('div', {}, a.message),
      el('div', { class: 'muted' }, `${whenText(getState().model ?? {}, a.timestamp, a.row)} · ${a.value === null ? 'missing' : formatShort(a.value)}`),
    );
    c.tip.hidden = false;
    const width = c.root.clientWidth;
    const left = hit.px + 14 + c.tip.offsetWidth > width ? Math.max(4, hit.px - 14 - c.tip.offsetWidth) : hit.px + 14;
    c.tip.style.left = `${left}px`;
    c.tip.style.top = `${Math.max(4, hit.py - c.tip.offsetHeight - 8)}px`;
    c.root.classList.add('marker-hover');
    c.root.style.cursor = 'pointer';
  };

  // A click on a marker selects it. Plotly may lay a cover over the page while the button is down, so the press
  // and the release are watched on the window: a release within a few px of the press is a click.
  window.addEventListener('pointerup', (ev) => {
    const p = pressed;
    pressed = null;
    if (!p || Math.hypot(ev.clientX - p.x, ev.clientY - p.y) > 4) return;
    const hit = markAt(p.chart, ev.clientX, ev.clientY);
    if (hit) dispatch({ type: 'ui/select', row: hit.item.row, fromTable: false, metric: hit.item.metric });
  }, true);

  /** A zoom or pan on one chart: the others follow, and the state (and the host) hear of it. */
  const onRelayout = (source: Chart, e: Record<string, unknown>): void => {
    const m = getState().model;
    if (syncingZoom || !m) return;
    const next = e['xaxis.autorange'] === true ? null : rangeOf(e);
    if (!next && e['xaxis.autorange'] !== true) return;
    syncingZoom = true;
    const update = next ? { 'xaxis.range': next.map((v) => (m.timeAxis ? new Date(v) : v)) } : { 'xaxis.autorange': true };
    const others = [...charts.values()].filter((c) => c !== source);
    void Promise.all(others.map((c) => Plotly.relayout(c.plot, update))).finally(() => { syncingZoom = false; });
    dispatch({ type: 'ui/zoom', range: next });
  };

  const makeChart = (metric: string): Chart => {
    const root = el('div', { class: 'chart', 'data-testid': `chart-${metric}` });
    root.dataset.metric = metric;
    const band = el('canvas', { class: 'chart-band', 'aria-hidden': 'true' });
    const plot = el('div', { class: 'chart-plot' }) as unknown as PlotEl;
    // Plotly's responsive mode sizes its containers at 100 % of this element after a window resize: without a height
    // of its own the element then measures 0 px tall and the overlay (band, markers, spans) is drawn 0 px tall.
    plot.style.height = `${CHART_HEIGHT}px`;
    const marks = el('canvas', { class: 'chart-marks', 'aria-hidden': 'true' });
    const note = el('div', { class: 'chart-note' });
    const tip = el('div', { class: 'chart-tip', role: 'tooltip', hidden: '' });
    root.append(band, plot, marks, note, tip);
    const c: Chart = { root, plot, band, marks, note, tip, drawn: [], metric };
    resizes.observe(plot);
    root.addEventListener('mousemove', (ev) => hover(c, ev));
    root.addEventListener('mouseleave', () => hideTip(c));
    root.addEventListener('pointerdown', (ev) => { pressed = { chart: c, x: ev.clientX, y: ev.clientY }; }, true);
    return c;
  };

  /**
   * Resolves after the next frame was painted (so a chart just drawn is on screen before the next is drawn), or
   * after 50 ms when no frame comes (a hidden panel paints none).
   */
  const nextFrame = (): Promise<void> => new Promise((resolve) => {
    const fallback = setTimeout(resolve, 50);
    requestAnimationFrame(() => { clearTimeout(fallback); setTimeout(resolve, 0); });
  });

  /** Plotly's events exist once it has drawn into the element: bound after the first Plotly.react. */
  const bindPlotEvents = (c: Chart): void => {
    if (c.plot._ahBound) return;
    c.plot._ahBound = true;
    c.plot.on('plotly_relayout', (e) => { onRelayout(c, e); overlaySoon(c); });
    c.plot.on('plotly_relayouting', (e) => drawOverlay(c, rangeOf(e) ?? undefined));
    c.plot.on('plotly_afterplot', () => overlaySoon(c));
  };

  /**
   * Plotly redraws the charts whose values, view or theme changed, one per task (the first chart is on screen
   * before the others are drawn; a newer call takes over); the others only repaint their overlays.
   */
  const renderPlots = async (s: State, charted: Charted): Promise<void> => {
    const mine = ++generation;
    const m = s.model!;
    const shown = new Set(charted.metrics);
    for (const [metric, c] of charts) if (!shown.has(metric)) { resizes.unobserve(c.plot); if (c.plotSig !== undefined) Plotly.purge(c.plot); c.root.remove(); charts.delete(metric); }
    const jobs: { chart: Chart; series: SeriesData; extent: [number, number] | null; sig: string }[] = [];
    let prevRoot: HTMLElement | null = null;
    for (const sd of m.series) {
      if (!shown.has(sd.metric)) continue;
      let c = charts.get(sd.metric);
      if (!c) {
        c = makeChart(sd.metric);
        charts.set(sd.metric, c);
      }
      // In the file's order, whichever were drawn before.
      if (c.root.previousElementSibling !== prevRoot || c.root.parentElement !== section) {
        if (prevRoot) prevRoot.after(c.root);
        else section.prepend(c.root);
      }
      prevRoot = c.root;
      const series = (s.zoom && s.windows.get(sd.metric)) || sd;
      const extent = bandExtent(m, series);
      const sig = plotSignature(m, series, s.zoom, theme.version()) + `|${extent?.join(',') ?? ''}`;
      if (c.plotSig === sig) drawOverlay(c);
      else jobs.push({ chart: c, series, extent, sig });
    }
    more.hidden = m.metrics.length <= MAX_OPEN_CHARTS;
    if (!more.hidden) {
      const n = m.metrics.length.toLocaleString('en');
      moreText.textContent = s.chartsAll
        ? `All ${n} metrics charted. `
        : `${charted.metrics.length} of ${n} metrics charted${charted.withFindings ? ', those with the strongest findings among them' : ''}. `;
      moreButton.textContent = s.chartsAll ? `Chart ${MAX_OPEN_CHARTS}` : `Chart all ${n}`;
      // Moved only when it is not last already: moving the focused button would take the keyboard's focus away.
      if (section.lastElementChild !== more) section.append(more);
    }
    if (jobs.length) await plotlyLoaded();
    for (let i = 0; i < jobs.length; i++) {
      if (i > 0) await nextFrame();
      if (mine !== generation) return;
      const { chart, series, extent, sig } = jobs[i];
      await Plotly.react(chart.plot, chartData(series, extent, m.gaps ?? [], m.live), chartLayout(m, chart.metric, s.zoom), { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d'], displayModeBar: 'hover' });
      chart.plotSig = sig;
      bindPlotEvents(chart);
      drawOverlay(chart);
      chart.root.dataset.points = String(series.x.length);
      chart.root.classList.add('rendered');
      if (section.dataset.firstPlotMs === undefined) {
        section.dataset.firstPlotMs = performance.now().toFixed(0);
        // The frame that shows it: what a person waits for (the e2e tests and bench:first-chart read it).
        requestAnimationFrame(() => setTimeout(() => { section.dataset.firstPaintMs = performance.now().toFixed(0); }, 0));
      }
    }
  };

  const render = async (s: State): Promise<void> => {
    const m = s.model;
    if (!m) return;
    // A zoom in needs no Plotly call of its own (Plotly drew it): the host's windows for it do, and a zoom out.
    const charted = chartedMetrics(m, s.chartsAll, s.chartsPinned);
    const from = { series: m.series, windows: s.windows, zoomed: !!s.zoom, theme: theme.version(), widest: widestOf(m), charted: charted.metrics.join('\u0000') };
    const d = drawnFrom;
    const same = !!d && d.series === from.series && (d.windows === from.windows || !from.windows.size) && !(d.zoomed && !from.zoomed)
      && d.theme === from.theme && d.widest === from.widest && d.charted === from.charted;
    if (same) {
      drawnFrom = { ...d!, zoomed: from.zoomed };
      for (const c of charts.values()) drawOverlay(c);
      return;
    }
    drawnFrom = from;
    await renderPlots(s, charted);
  };

  return { section, render, redrawAll: () => { drawnFrom = null; void render(getState()); } };
}

/** The band's widest half-widths the page computed (the y range covers them): a change redraws the plots. */
function widestOf(m: DashboardModel): string {
  return m.bands ? Object.entries(m.bands).map(([k, b]) => `${k}:${b.widest}`).join('|') : '';
}
