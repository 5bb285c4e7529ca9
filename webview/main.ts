// The dashboard: DOM only. Every value that came from the CSV is put on the page as text (textContent, or
// escaped for Plotly's pseudo-HTML labels), never as markup. Talks to the host through src/protocol.ts.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { Anomaly } from '../src/core/anomaly.ts';
import { sortAnomalies } from '../src/core/anomaly.ts';
import { SEVERITIES, SEVERITY_COLOR } from '../src/core/severity.ts';
import type { Severity } from '../src/core/severity.ts';
import type { DashboardModel, DashboardSettings, DetectorToggle, HostMessage, LocalData, SeriesData, WebviewMessage } from '../src/protocol.ts';
import { escapeLabel, formatValue, formatX } from './format.ts';
import { evaluateRules } from '../src/core/rules/evaluate.ts';
import type { Frame } from '../src/core/csv/frame.ts';
import type { Rule } from '../src/core/rules/model.ts';

interface VsCodeApi {
  postMessage(m: WebviewMessage): void;
  getState(): PersistedState | undefined;
  setState(s: PersistedState): void;
}
interface PersistedState {
  path?: string;
  zoom?: [number, number] | null;
  filters?: { detector: string; severity: string; rule?: string | null };
  sort?: { key: SortKey; dir: 1 | -1 };
}
declare function acquireVsCodeApi(): VsCodeApi;
// Plotly is loaded by its own script tag (dist/webview/plotly.min.js).
declare const Plotly: {
  react(el: HTMLElement, data: unknown[], layout: unknown, config?: unknown): Promise<unknown>;
  relayout(el: HTMLElement, update: unknown): Promise<unknown>;
  restyle(el: HTMLElement, update: unknown, traces?: number[]): Promise<unknown>;
  purge(el: HTMLElement): void;
};
type PlotEl = HTMLElement & { on(event: string, cb: (e: Record<string, unknown>) => void): void; _ahBound?: boolean };

type SortKey = 'time' | 'metric' | 'detector' | 'score' | 'severity';
const vscode = acquireVsCodeApi();
const persisted: PersistedState = vscode.getState() ?? {};
let model: DashboardModel | null = null;
let zoom: [number, number] | null = persisted.zoom ?? null;
let filters: { detector: string; severity: string; rule?: string | null } = persisted.filters ?? { detector: 'all', severity: 'all' };
let sort = persisted.sort ?? { key: 'score' as SortKey, dir: -1 as 1 | -1 };
let selectedRow: number | null = null;
let syncingZoom = false;
const windows = new Map<string, SeriesData>();
/** Table rows rendered at first and per "Show more": the DOM stays small however many anomalies there are. */
const TABLE_PAGE = 200;
/** Markers drawn per chart at most. */
const MAX_MARKERS = 1500;
let tableLimit = TABLE_PAGE;
const MARKER_SIZE: Record<Severity, number> = { critical: 10, major: 8, minor: 6, warning: 5 };

const app = document.getElementById('app')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function save(): void {
  vscode.setState({ path: model?.file.path, zoom, filters, sort });
}

function post(m: WebviewMessage): void {
  vscode.postMessage(m);
}

// ---------- theme ----------
function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}
function theme() {
  const fg = cssVar('--vscode-editor-foreground', '#333');
  return {
    fg,
    muted: cssVar('--vscode-descriptionForeground', '#777'),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#8884')),
    line: document.body.classList.contains('vscode-light') || document.body.classList.contains('vscode-high-contrast-light') ? '#5b6b7d' : '#9aa7b4',
    band: cssVar('--vscode-charts-purple', '#b180d7'),
    bg: cssVar('--vscode-editor-background', '#fff'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    hc: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
  };
}

// ---------- layout ----------
let els: {
  header: HTMLElement; notice: HTMLElement; charts: HTMLElement; tableBody: HTMLElement; count: HTMLElement; total: HTMLElement;
  sliders: HTMLElement; toggles: Record<DetectorToggle, HTMLElement & { checked: boolean; disabled: boolean }>; onlyAnomalies: HTMLElement & { checked: boolean };
  footer: HTMLElement; busy: HTMLElement; detectorFilter: HTMLSelectElement; severityFilter: HTMLSelectElement;
} | null = null;

function buildLayout(): void {
  app.textContent = '';
  const header = el('header', { class: 'header' });
  const busy = el('div', { class: 'busy', hidden: '' }, 'Computing…');
  const notice = el('div', { class: 'notice', role: 'status', 'data-testid': 'notice' });

  const toggles = {} as Record<DetectorToggle, HTMLElement & { checked: boolean; disabled: boolean }>;
  const toggleBox = el('div', { class: 'group' }, el('span', { class: 'group-title' }, 'Models'));
  for (const [id, label] of [['iforest', 'Isolation Forest'], ['forecast', 'Forecast'], ['rules', 'Rules']] as [DetectorToggle, string][]) {
    const cb = el('vscode-checkbox' as 'div', { 'data-testid': `toggle-${id}`, label }) as unknown as HTMLElement & { checked: boolean; disabled: boolean };
    cb.addEventListener('change', () => sendSettings((s) => { s.detectors[id] = cb.checked; }));
    toggles[id] = cb;
    toggleBox.append(cb);
  }
  const sliders = el('div', { class: 'group sliders' });

  const onlyAnomalies = el('vscode-checkbox' as 'div', { 'data-testid': 'only-anomalies', label: 'Only anomalies' }) as unknown as HTMLElement & { checked: boolean };
  const exportCsv = el('vscode-button' as 'button', { 'data-testid': 'export-csv', secondary: '' }, 'Export CSV');
  const exportJson = el('vscode-button' as 'button', { 'data-testid': 'export-json', secondary: '' }, 'Export JSON');
  const send = el('vscode-button' as 'button', { 'data-testid': 'send-webhook' }, 'Send to webhook');
  exportCsv.addEventListener('click', () => post({ type: 'export', format: 'csv', onlyAnomalies: onlyAnomalies.checked }));
  exportJson.addEventListener('click', () => post({ type: 'export', format: 'json', onlyAnomalies: onlyAnomalies.checked }));
  send.addEventListener('click', () => post({ type: 'sendWebhook' }));
  const actions = el('div', { class: 'group actions' }, onlyAnomalies, exportCsv, exportJson, send);

  const toolbar = el('section', { class: 'toolbar' }, toggleBox, sliders, actions);
  const charts = el('section', { class: 'charts' });

  const detectorFilter = el('select', { 'aria-label': 'Filter by detector', 'data-testid': 'filter-detector' });
  for (const [v, t] of [['all', 'All detectors'], ['iforest', 'Isolation Forest'], ['forecast', 'Forecast'], ['rule', 'Rules'], ['stream', 'Streaming']]) detectorFilter.append(el('option', { value: v }, t));
  const severityFilter = el('select', { 'aria-label': 'Filter by severity', 'data-testid': 'filter-severity' });
  severityFilter.append(el('option', { value: 'all' }, 'All severities'));
  for (const s of SEVERITIES) severityFilter.append(el('option', { value: s }, `${s} and above`));
  detectorFilter.value = filters.detector;
  severityFilter.value = filters.severity;
  detectorFilter.addEventListener('change', () => { filters = { ...filters, detector: detectorFilter.value, rule: null }; tableLimit = TABLE_PAGE; save(); renderTable(); });
  severityFilter.addEventListener('change', () => { filters = { ...filters, severity: severityFilter.value }; tableLimit = TABLE_PAGE; save(); renderTable(); });

  const count = el('span', { 'data-testid': 'anomaly-count', class: 'count' }, '0');
  const total = el('span', { class: 'muted' });
  const tableHead = el('tr');
  for (const [key, label] of [['time', 'Time'], ['metric', 'Metric'], ['detector', 'Detector'], ['score', 'Score'], ['severity', 'Severity'], [null, 'Message'], [null, '']] as [SortKey | null, string][]) {
    const th = el('th', { scope: 'col' }, label);
    if (key) {
      th.classList.add('sortable');
      th.tabIndex = 0;
      th.dataset.key = key;
      const activate = (): void => { sort = { key, dir: sort.key === key ? (sort.dir === 1 ? -1 : 1) : key === 'score' || key === 'severity' ? -1 : 1 }; save(); renderTable(); };
      th.addEventListener('click', activate);
      th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); activate(); } });
    }
    tableHead.append(th);
  }
  const tableBody = el('tbody');
  const table = el('table', { 'data-testid': 'anomaly-table', class: 'anomalies' }, el('thead', {}, tableHead), tableBody);
  const tableSection = el('section', { class: 'table-section' },
    el('div', { class: 'table-bar' }, el('h2', {}, 'Anomalies '), count, total, el('span', { class: 'spacer' }), detectorFilter, severityFilter),
    el('div', { class: 'table-wrap' }, table));
  const footer = el('footer', { class: 'footer muted' });
  app.append(header, busy, notice, toolbar, charts, tableSection, footer);
  els = { header, notice, charts, tableBody, count, total, sliders, toggles, onlyAnomalies, footer, busy, detectorFilter, severityFilter };
}

// ---------- settings ----------
/** The settings last sent to the host, until a model computed with them arrives (older models must not undo them). */
let pendingSettings: DashboardSettings | null = null;
/** Settings waiting to be sent because a computation is in flight: only the latest is sent (no fixed delay). */
let queuedSettings: DashboardSettings | null = null;
let inFlight = false;

function sendSettings(change: (s: DashboardSettings) => void): void {
  if (!model) return;
  const s: DashboardSettings = JSON.parse(JSON.stringify(model.settings));
  change(s);
  model.settings = s;
  pendingSettings = s;
  els!.busy.hidden = false;
  els!.busy.textContent = 'Computing…';
  if (inFlight) { queuedSettings = s; return; }
  inFlight = true;
  post({ type: 'settings', settings: s });
}

/** Called for every model: sends the settings that were queued while the host was computing. */
function settingsAnswered(): void {
  inFlight = false;
  if (queuedSettings) {
    const s = queuedSettings;
    queuedSettings = null;
    inFlight = true;
    post({ type: 'settings', settings: s });
  }
}

function slider(opts: { id: string; label: string; min: number; max: number; step: number; value: number; format: (v: number) => string; onInput: (v: number) => void }): HTMLElement {
  const input = el('input', { type: 'range', min: String(opts.min), max: String(opts.max), step: String(opts.step), value: String(opts.value), 'data-testid': opts.id, 'aria-label': opts.label });
  const out = el('output', {}, opts.format(opts.value));
  input.addEventListener('input', () => {
    const v = Number(input.value);
    out.textContent = opts.format(v);
    opts.onInput(v);
  });
  input.addEventListener('sync', () => { out.textContent = opts.format(Number(input.value)); });
  return el('label', { class: 'slider' }, el('span', { class: 'slider-label' }, opts.label), input, out);
}

let sliderKey = '';
function renderControls(m: DashboardModel): void {
  const e = els!;
  for (const id of ['iforest', 'forecast', 'rules'] as DetectorToggle[]) {
    e.toggles[id].checked = m.settings.detectors[id];
    // Live mode scores with the streaming detector: the batch models do not apply to the live window.
    e.toggles[id].hidden = m.live && id !== 'rules';
  }
  e.toggles.rules.disabled = !m.rulesFile;
  e.toggles.rules.title = m.rulesFile ? `Rules from ${m.rulesFile}` : 'No rules file for this CSV';
  // Rebuild the sliders only when the set of rules changes: a model that arrives while the user drags a
  // slider must not replace the element under the pointer.
  const key = JSON.stringify([m.live, m.rulesFile, m.rules.map((r) => [r.name, r.min, r.max])]);
  if (key === sliderKey) {
    for (const input of Array.from(e.sliders.querySelectorAll('input[type=range]')) as HTMLInputElement[]) {
      if (document.activeElement === input) continue;
      const id = input.dataset.testid ?? '';
      const v = id === 'slider-contamination' ? (m.settings.contamination === 'auto' ? 0 : m.settings.contamination)
        : id === 'slider-interval' ? m.settings.interval
        : m.settings.thresholds[id.slice('slider-'.length)] ?? m.rules.find((r) => `slider-${r.name}` === id)?.threshold;
      if (v !== undefined && Number(input.value) !== v) {
        input.value = String(v);
        input.dispatchEvent(new Event('sync'));
      }
    }
    return;
  }
  sliderKey = key;
  e.sliders.textContent = '';
  e.sliders.append(el('span', { class: 'group-title' }, 'Thresholds'));
  if (!m.live) {
    const contamination = m.settings.contamination;
    e.sliders.append(slider({
      id: 'slider-contamination', label: 'Contamination', min: 0, max: 0.1, step: 0.001, value: contamination === 'auto' ? 0 : contamination,
      format: (v) => (v === 0 ? 'auto' : `${(v * 100).toFixed(1)}%`),
      onInput: (v) => sendSettings((s) => { s.contamination = v === 0 ? 'auto' : v; }),
    }));
    e.sliders.append(slider({
      id: 'slider-interval', label: 'Interval', min: 0.5, max: 0.99, step: 0.01, value: m.settings.interval,
      format: (v) => `${Math.round(v * 100)}%`,
      onInput: (v) => sendSettings((s) => { s.interval = v; }),
    }));
  }
  for (const r of m.rules) {
    e.sliders.append(slider({
      id: `slider-${r.name}`, label: `${r.name} (${r.metric} ${r.op})`, min: r.min, max: r.max, step: r.step,
      value: m.settings.thresholds[r.name] ?? r.threshold, format: (v) => formatValue(v),
      onInput: (v) => { sendSettings((s) => { s.thresholds[r.name] = v; }); evaluateLocally(); },
    }));
  }
  if (m.rules.length && !m.live) {
    const saveBtn = el('vscode-button' as 'button', { secondary: '', 'data-testid': 'save-thresholds' }, 'Save to rules file');
    saveBtn.addEventListener('click', () => post({ type: 'saveThresholds', thresholds: model!.settings.thresholds }));
    e.sliders.append(saveBtn);
  }
}

function renderHeader(m: DashboardModel): void {
  const e = els!;
  e.header.textContent = '';
  const title = el('h1', {}, m.file.name);
  const meta = el('span', { class: 'muted' }, `${m.rows.toLocaleString('en')} rows · ${m.metrics.length} metrics${m.forecastMode ? ` · forecast: ${m.forecastMode} fit` : ''}${m.live ? ' · live' : ''}`);
  e.header.append(title, meta);
  if (m.warnings.length) {
    const w = el('details', { class: 'warnings' }, el('summary', {}, `${m.warnings.length} warning${m.warnings.length > 1 ? 's' : ''}`));
    const ul = el('ul');
    for (const text of m.warnings.slice(0, 50)) ul.append(el('li', {}, text));
    w.append(ul);
    e.header.append(w);
  }
  e.footer.textContent = m.live ? `Live: ${m.rows.toLocaleString('en')} rows in the window` : m.pending.length ? 'Computing…' : `Computed in ${m.computeMs.toFixed(0)} ms`;
}

// ---------- charts ----------
function anomalyX(a: Anomaly): number {
  return model!.timeAxis && a.timestamp ? Date.parse(a.timestamp) : a.row;
}

function chartData(m: DashboardModel, s: SeriesData): unknown[] {
  const t = theme();
  const traces: unknown[] = [];
  // Plotly reads numbers on a date axis as epoch milliseconds: no Date objects needed.
  const x = s.x;
  if (s.band) {
    traces.push({ x, y: s.band.upper, type: 'scatter', mode: 'lines', line: { width: 0 }, hoverinfo: 'skip', showlegend: false, name: 'upper' });
    traces.push({ x, y: s.band.lower, type: 'scatter', mode: 'lines', line: { width: 0 }, fill: 'tonexty', fillcolor: hexAlpha(t.band, 0.28), hoverinfo: 'skip', showlegend: false, name: 'interval' });
    traces.push({ x, y: s.band.yhat, type: 'scatter', mode: 'lines', line: { width: 1, color: t.band, dash: 'dot' }, name: 'forecast', hoverinfo: 'skip' });
  }
  traces.push({ x, y: s.y, type: 'scatter', mode: 'lines', line: { width: t.hc ? 1.6 : 1.1, color: t.line }, name: escapeLabel(s.metric), hovertemplate: '%{y}<extra></extra>' });
  const mine = markersOf(m, s.metric);
  for (const sev of SEVERITIES) {
    const list = mine.filter((a) => a.severity === sev);
    if (!list.length) continue;
    traces.push({
      x: list.map((a) => anomalyX(a)),
      y: list.map((a) => a.value),
      type: 'scatter', mode: 'markers', name: sev,
      marker: { color: SEVERITY_COLOR[sev], size: MARKER_SIZE[sev], line: { width: 0.5, color: t.bg } },
      text: list.map((a) => `<b>${escapeLabel(a.detector === 'rule' ? `rule ${a.rule ?? ''}` : a.detector)}</b> · ${sev} · score ${a.score}<br>${escapeLabel(a.message)}`),
      hovertemplate: '%{text}<extra></extra>',
      customdata: list.map((a) => a.row),
    });
  }
  if (selectedRow !== null) {
    const hit = mine.find((a) => a.row === selectedRow);
    if (hit) traces.push({ x: [m.timeAxis ? new Date(anomalyX(hit)) : anomalyX(hit)], y: [hit.value], type: 'scatter', mode: 'markers', marker: { size: 16, color: 'rgba(0,0,0,0)', line: { width: 2.5, color: t.fg } }, hoverinfo: 'skip', showlegend: false });
  }
  return traces;
}

/**
 * The anomalies drawn on a metric's chart: all of them up to MAX_MARKERS, else the highest scores (each SVG
 * marker costs Plotly time on every redraw, and thousands hide the data anyway; the table lists them all).
 */
function markersOf(m: DashboardModel, metric: string): Anomaly[] {
  const mine = m.anomalies.filter((a) => a.metric === metric);
  if (mine.length <= MAX_MARKERS) return mine;
  return mine.sort((a, b) => b.score - a.score || a.row - b.row).slice(0, MAX_MARKERS);
}

function chartLayout(m: DashboardModel, metric: string): unknown {
  const t = theme();
  const total = m.anomalies.reduce((n, a) => n + (a.metric === metric ? 1 : 0), 0);
  const capped = total > MAX_MARKERS ? ` · top ${MAX_MARKERS.toLocaleString('en')} of ${total.toLocaleString('en')} anomalies marked` : '';
  const axis = { color: t.muted, gridcolor: t.grid, zerolinecolor: t.grid, linecolor: t.grid, tickfont: { size: 10 } };
  const shapes = selectedRow !== null && m.anomalies.some((a) => a.row === selectedRow)
    ? [{ type: 'line', xref: 'x', yref: 'paper', y0: 0, y1: 1, x0: xOfRow(selectedRow), x1: xOfRow(selectedRow), line: { color: t.fg, width: 1, dash: 'dot' } }]
    : [];
  return {
    title: { text: escapeLabel(metric) + capped, font: { size: 13, color: t.fg }, x: 0.01, xanchor: 'left', y: 0.97 },
    margin: { l: 52, r: 12, t: 28, b: 28 },
    height: 210,
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: t.font, color: t.fg, size: 11 },
    xaxis: { ...axis, type: m.timeAxis ? 'date' : 'linear', range: zoom ? zoom.map((v) => (m.timeAxis ? new Date(v) : v)) : undefined, autorange: zoom ? false : true },
    yaxis: { ...axis, automargin: true, fixedrange: true },
    showlegend: false,
    hovermode: 'closest',
    hoverlabel: { bgcolor: cssVar('--vscode-editorHoverWidget-background', t.bg), bordercolor: cssVar('--vscode-editorHoverWidget-border', t.grid), font: { color: cssVar('--vscode-editorHoverWidget-foreground', t.fg) } },
    shapes,
    uirevision: metric,
  };
}

function xOfRow(row: number): number | Date {
  const a = model!.anomalies.find((x) => x.row === row);
  const v = a ? anomalyX(a) : row;
  return model!.timeAxis ? new Date(v) : v;
}

function renderCharts(m: DashboardModel): Promise<unknown> {
  const done: Promise<unknown>[] = [];
  const box = els!.charts;
  const existing = new Map<string, HTMLElement>();
  for (const c of Array.from(box.children) as HTMLElement[]) existing.set(c.dataset.metric ?? '', c);
  for (const [metric, node] of existing) if (!m.metrics.includes(metric)) { Plotly.purge(node); node.remove(); }
  for (const s of m.series) {
    let node = existing.get(s.metric) as PlotEl | undefined;
    if (!node) {
      node = el('div', { class: 'chart', 'data-testid': `chart-${s.metric}` }) as unknown as PlotEl;
      node.dataset.metric = s.metric;
      box.append(node);
    }
    const series = (zoom && windows.get(s.metric)) || s;
    // Plotly redraws a whole chart on any change: skip the charts whose data, markers and view did not change
    // (a rule threshold moves only its metric's markers).
    const sig = chartSignature(m, s.metric, series);
    if (node.dataset.sig === sig) continue;
    node.dataset.sig = sig;
    done.push(Plotly.react(node, chartData(m, series), chartLayout(m, s.metric), { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d'], displayModeBar: 'hover' }).then(() => {
      node!.dataset.points = String(series.x.length);
      node!.classList.add('rendered');
    }));
    if (!node._ahBound) {
      node._ahBound = true;
      const target = node;
      target.on('plotly_relayout', (e) => onRelayout(target, e));
      target.on('plotly_click', (e) => {
        const pt = (e.points as { customdata?: number }[] | undefined)?.[0];
        if (pt && typeof pt.customdata === 'number') select(pt.customdata, false);
      });
    }
  }
  return Promise.all(done);
}

const seriesIds = new WeakMap<SeriesData, number>();
let nextSeriesId = 1;

/** What a chart shows, as a short string: its series, its anomalies (rows, severities, scores, messages) and the view. */
function chartSignature(m: DashboardModel, metric: string, series: SeriesData): string {
  let id = seriesIds.get(series);
  if (!id) { id = nextSeriesId++; seriesIds.set(series, id); }
  let h = 0, n = 0;
  for (const a of m.anomalies) {
    if (a.metric !== metric) continue;
    n++;
    h = (Math.imul(h, 31) + a.row * 7 + SEVERITIES.indexOf(a.severity) * 3 + Math.round(a.score * 10) + a.message.length) | 0;
  }
  return [id, n, h, zoom ? zoom.join(',') : '', selectedRow ?? '', document.body.className, m.timeAxis].join('|');
}

/** The file's data and rules, when the host sent them: rule sliders then recompute here, before the host answers. */
let local: { path: string; frame: Frame; rules: Rule[] } | null = null;

function acceptLocalData(d: LocalData): void {
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
  local = { path: d.path, frame, rules: d.rules };
}

/** Re-evaluates the rules with the sliders' thresholds on the local data and redraws at once (the host's model follows). */
function evaluateLocally(): void {
  if (!model || !local || local.path !== model.file.path || !model.settings.detectors.rules) return;
  const ev = evaluateRules(local.rules, local.frame, { thresholds: model.settings.thresholds });
  model.anomalies = sortAnomalies(model.anomalies.filter((a) => a.detector !== 'rule').concat(ev.anomalies));
  renderTable();
  redraw(model);
}

let redrawFrame = 0;
/** Redraws the charts in the next animation frame (coalesced); stamps how long the last redraw took. */
function redraw(m: DashboardModel): void {
  cancelAnimationFrame(redrawFrame);
  const t0 = performance.now();
  // Let the table paint in this frame; Plotly's redraw (tens of ms per chart) runs in a task after it.
  redrawFrame = requestAnimationFrame(() => {
    setTimeout(() => {
      void renderCharts(m).then(() => { app.dataset.redrawMs = (performance.now() - t0).toFixed(0); });
    }, 0);
  });
}

let zoomTimer: ReturnType<typeof setTimeout> | undefined;
function onRelayout(source: HTMLElement, e: Record<string, unknown>): void {
  if (syncingZoom || !model) return;
  let next: [number, number] | null | undefined;
  if (e['xaxis.autorange'] === true) next = null;
  else if (e['xaxis.range[0]'] !== undefined) next = [toX(e['xaxis.range[0]']), toX(e['xaxis.range[1]'])];
  else if (Array.isArray(e['xaxis.range'])) next = [toX((e['xaxis.range'] as unknown[])[0]), toX((e['xaxis.range'] as unknown[])[1])];
  if (next === undefined) return;
  zoom = next;
  save();
  windows.clear();
  syncingZoom = true;
  const update = zoom ? { 'xaxis.range': zoom.map((v) => (model!.timeAxis ? new Date(v) : v)) } : { 'xaxis.autorange': true };
  const others = (Array.from(els!.charts.children) as HTMLElement[]).filter((c) => c !== source);
  void Promise.all(others.map((c) => Plotly.relayout(c, update))).finally(() => { syncingZoom = false; });
  clearTimeout(zoomTimer);
  if (zoom) {
    const [x0, x1] = zoom;
    zoomTimer = setTimeout(() => post({ type: 'zoom', x0, x1 }), 150);
  } else {
    void renderCharts(model);
  }
}

function toX(v: unknown): number {
  if (typeof v === 'number') return v;
  // Plotly gives date axis ranges as 'YYYY-MM-DD HH:MM:SS.sss' in UTC-less form: read as UTC like the data.
  const s = String(v);
  return Date.parse(s.includes('T') || s.endsWith('Z') ? s : s.replace(' ', 'T') + 'Z');
}

// ---------- table ----------
function filtered(m: DashboardModel): Anomaly[] {
  const minRank = filters.severity === 'all' ? SEVERITIES.length : SEVERITIES.indexOf(filters.severity as Severity);
  const list = m.anomalies.filter((a) => (filters.detector === 'all' || a.detector === filters.detector)
    && (!filters.rule || a.rule === filters.rule) && SEVERITIES.indexOf(a.severity) <= minRank);
  const key = sort.key;
  const dir = sort.dir;
  const val = (a: Anomaly): number | string => key === 'time' ? a.row : key === 'metric' ? (a.metric ?? '') : key === 'detector' ? a.detector : key === 'score' ? a.score : -SEVERITIES.indexOf(a.severity);
  return list.sort((a, b) => {
    const va = val(a), vb = val(b);
    return (va < vb ? -1 : va > vb ? 1 : a.row - b.row) * dir;
  });
}

function renderTable(): void {
  if (!model || !els) return;
  const m = model;
  const list = filtered(m);
  const shown = list.slice(0, tableLimit);
  const body = els.tableBody;
  body.textContent = '';
  const frag = document.createDocumentFragment();
  for (const a of shown) {
    const sevCell = el('td', { class: `sev sev-${a.severity}` }, el('span', { class: 'dot', 'aria-hidden': 'true' }), a.severity);
    const reveal = el('button', { class: 'link', title: 'Open the CSV at this row' }, 'Reveal in CSV');
    reveal.addEventListener('click', (ev) => { ev.stopPropagation(); post({ type: 'revealRow', row: a.row }); });
    const tr = el('tr', { 'data-testid': 'anomaly-row', tabindex: '0', class: a.row === selectedRow ? 'selected' : '' },
      el('td', { class: 'nowrap' }, a.timestamp ? formatX(Date.parse(a.timestamp), true) : `row ${a.row + 1}`),
      el('td', {}, a.metric ?? '—'),
      el('td', {}, a.detector === 'rule' ? `rule: ${a.rule ?? ''}` : a.detector),
      el('td', { class: 'num' }, a.score.toFixed(1)),
      sevCell,
      el('td', { class: 'msg' }, a.message),
      el('td', {}, reveal));
    tr.dataset.row = String(a.row);
    tr.addEventListener('click', () => select(a.row, true));
    tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') select(a.row, true); });
    frag.append(tr);
  }
  body.append(frag);
  if (!shown.length) body.append(el('tr', {}, el('td', { colspan: '7', class: 'empty muted' }, m.anomalies.length ? 'No anomaly matches the filters.' : 'No anomalies found with these settings.')));
  if (list.length > shown.length) {
    const more = el('button', { class: 'link', 'data-testid': 'show-more' }, `Show ${Math.min(TABLE_PAGE, list.length - shown.length)} more (${(list.length - shown.length).toLocaleString('en')} not shown)`);
    more.addEventListener('click', () => { tableLimit += TABLE_PAGE; renderTable(); });
    body.append(el('tr', {}, el('td', { colspan: '7', class: 'more' }, more)));
  }
  // anomaly-count: the anomalies the table lists with the current filters (the rows rendered may be fewer).
  els.count.textContent = String(list.length);
  els.total.textContent = (list.length !== m.anomalies.length ? ` of ${m.anomalies.length}` : '') + (filters.rule ? ` · rule ${filters.rule}` : '');
  for (const th of Array.from(document.querySelectorAll('th.sortable')) as HTMLElement[]) {
    th.setAttribute('aria-sort', th.dataset.key === sort.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none');
  }
}

function select(row: number, fromTable: boolean): void {
  selectedRow = row;
  if (!model) return;
  void renderCharts(model);
  renderTable();
  const a = model.anomalies.find((x) => x.row === row);
  if (fromTable && a?.metric) document.querySelector(`[data-metric="${CSS.escape(a.metric)}"]`)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  if (!fromTable) document.querySelector(`tr[data-row="${row}"]`)?.scrollIntoView({ block: 'nearest' });
}

// ---------- messages ----------
function notice(kind: 'info' | 'error', text: string): void {
  const n = els!.notice;
  n.textContent = text;
  n.className = `notice ${kind}`;
  n.hidden = false;
}

window.addEventListener('message', (ev: MessageEvent<HostMessage>) => {
  const m = ev.data;
  switch (m.type) {
    case 'model':
      if (!els) buildLayout();
      if (model && model.file.path !== m.model.file.path) { zoom = null; windows.clear(); selectedRow = null; }
      if (m.model.seriesUnchanged && model) m.model.series = model.series;
      settingsAnswered();
      model = m.model;
      if (pendingSettings) {
        if (JSON.stringify(model.settings) === JSON.stringify(pendingSettings)) pendingSettings = null;
        else model.settings = pendingSettings;
      }
      els!.busy.hidden = model.pending.length === 0 && !pendingSettings;
      if (model.pending.length) els!.busy.textContent = `Running ${model.pending.map(detectorName).join(', ')}…`;
      save();
      renderHeader(model);
      renderControls(model);
      // The table (and its count) first, then the charts in the next frame: the numbers show at once.
      renderTable();
      redraw(model);
      break;
    case 'localData':
      acceptLocalData(m.data);
      break;
    case 'window':
      if (!model || !zoom || zoom[0] !== m.x0 || zoom[1] !== m.x1) return;
      windows.set(m.metric, m.series);
      void renderCharts(model);
      break;
    case 'busy':
      if (els) { els.busy.hidden = !m.busy; if (m.text) els.busy.textContent = m.text; }
      break;
    case 'notice':
      if (!els) buildLayout();
      notice(m.kind, m.text);
      break;
    case 'select':
      select(m.row, true);
      break;
    case 'filterRule':
      // May arrive before the first model: the filter is kept and applied when the table is drawn.
      filters = { ...filters, detector: m.rule ? 'rule' : 'all', rule: m.rule };
      tableLimit = TABLE_PAGE;
      save();
      if (els) { els.detectorFilter.value = filters.detector; renderTable(); }
      break;
  }
});

new MutationObserver(() => { if (model) void renderCharts(model); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });

function detectorName(id: string): string {
  return id === 'iforest' ? 'Isolation Forest' : id === 'forecast' ? 'forecast' : id === 'rules' ? 'rules' : id;
}

function hexAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${alpha})`;
}

post({ type: 'ready' });
