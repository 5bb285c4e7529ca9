// The dashboard: DOM only. Every value that came from the CSV is put on the page as text (textContent, or
// escaped for Plotly's pseudo-HTML labels), never as markup. Talks to the host through src/protocol.ts.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { Anomaly } from '../src/core/anomaly.ts';
import { byScore, capAnomalies, sortAnomalies } from '../src/core/anomaly.ts';
import { SEVERITIES, SEVERITY_COLOR } from '../src/core/severity.ts';
import type { Severity } from '../src/core/severity.ts';
import { DASHBOARD_MAX_PER_DETECTOR, MAX_MARKERS } from '../src/protocol.ts';
import type { DashboardModel, DashboardSettings, DetectorToggle, HostMessage, LocalData, SeriesData, TuningData, ViewChoice, WebviewMessage } from '../src/protocol.ts';
import { isViewChoice } from '../src/protocol.ts';
import type { AnalysisResult } from '../src/core/analysisResult.ts';
import { analysisView } from '../src/core/incidents/analysisView.ts';
import type { View } from '../src/core/incidents/view.ts';
import type { Incident } from '../src/core/incidents/incidents.ts';
import { escapeLabel, formatX } from './format.ts';
import { formatShort } from '../src/core/format.ts';
import { evaluateRules } from '../src/core/rules/evaluate.ts';
import { historyHalfWidth } from '../src/core/detectors/forecast.ts';
import { formatDuration } from '../src/core/rules/duration.ts';
import { retuneForecast, retuneIforest } from '../src/core/tuning.ts';
import type { ForecastTuning, IforestTuning } from '../src/core/tuning.ts';
import { drawBand, drawMarks, drawSelection, drawSpans, prepareCanvas } from './overlay.ts';
import { nearestMark, placeMarks, toPx, toPy, usable } from './geometry.ts';
import type { Geometry, Mark } from './geometry.ts';
import type { Frame } from '../src/core/csv/frame.ts';
import type { Rule } from '../src/core/rules/model.ts';

interface VsCodeApi {
  postMessage(m: WebviewMessage): void;
  getState(): PersistedState | undefined;
  setState(s: PersistedState): void;
}
interface PersistedState {
  path?: string;
  /** The toggles and sliders, so a window reload analyses the file with them again. */
  settings?: DashboardSettings;
  zoom?: [number, number] | null;
  filters?: { detector: string; rule?: string | null };
  sort?: { key: SortKey; dir: 1 | -1 };
  /** What the table lists (sent to the host after a reload, like the settings). */
  view?: ViewChoice;
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

type SortKey = 'time' | 'duration' | 'metric' | 'detector' | 'score' | 'severity';
const vscode = acquireVsCodeApi();
const persisted: PersistedState = vscode.getState() ?? {};
let model: DashboardModel | null = null;
let zoom: [number, number] | null = persisted.zoom ?? null;
let filters: { detector: string; rule?: string | null } = persisted.filters ?? { detector: 'all' };
let sort = persisted.sort ?? { key: 'score' as SortKey, dir: -1 as 1 | -1 };
/** The view the user chose in this page, until the host's model shows it (then model.view says it). */
let chosenView: ViewChoice | undefined = isViewChoice(persisted.view) ? persisted.view : undefined;
/** Incidents whose rows the table shows, by id. */
const expanded = new Set<string>();
let selectedRow: number | null = null;
let syncingZoom = false;
const windows = new Map<string, SeriesData>();
/** The interval slider's range. */
const INTERVAL_MIN = 0.5;
const INTERVAL_MAX = 0.99;
const MARKER_SIZE: Record<Severity, number> = { critical: 10, major: 8, minor: 6, warning: 5 };

const app = document.getElementById('app')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function save(): void {
  vscode.setState({ path: model?.file.path, settings: model && !model.live ? model.settings : undefined, zoom, filters, sort, view: chosenView ?? model?.view });
}

function post(m: WebviewMessage): void {
  vscode.postMessage(m);
}

// ---------- theme ----------
function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}
let themeCache: ReturnType<typeof readTheme> | null = null;
/** Goes up whenever VS Code changes the theme (the body's class or theme attributes, the root's variables). */
let themeVersion = 0;
/** The colours of the current VS Code theme (read once per theme: reading styles forces a style recalculation). */
function theme(): ReturnType<typeof readTheme> {
  return themeCache ??= readTheme();
}
function readTheme() {
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
    light: document.body.classList.contains('vscode-light') || document.body.classList.contains('vscode-high-contrast-light'),
  };
}

// ---------- layout ----------
let els: {
  header: HTMLElement; notice: HTMLElement; charts: HTMLElement; table: HTMLElement; tableWrap: HTMLElement; tableBody: HTMLElement; count: HTMLElement; total: HTMLElement;
  sliders: HTMLElement; toggles: Record<DetectorToggle, HTMLElement & { checked: boolean; disabled: boolean }>; onlyAnomalies: HTMLElement & { checked: boolean };
  footer: HTMLElement; busy: HTMLElement; detectorFilter: HTMLSelectElement; viewSelect: HTMLSelectElement; heading: HTMLElement; headCells: HTMLElement[];
} | null = null;

/** The table's columns: an incident's, and a row's in the same places (an expanded incident's rows line up under it). */
const COLUMNS: { key: SortKey | null; incident: string; row: string; col: string }[] = [
  { key: 'time', incident: 'Start', row: 'Time', col: 'time' },
  { key: 'duration', incident: 'Duration', row: '', col: 'duration' },
  { key: 'severity', incident: 'Severity', row: 'Severity', col: 'severity' },
  { key: 'score', incident: 'Score', row: 'Score', col: 'score' },
  { key: 'metric', incident: 'Metrics', row: 'Metric', col: 'metric' },
  { key: 'detector', incident: 'Detectors', row: 'Detector', col: 'detector' },
  { key: null, incident: 'Summary', row: 'Message', col: 'message' },
  { key: null, incident: '', row: '', col: 'reveal' },
];

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
  // What the table lists: the incidents at or above a severity (the default view, SPEC §7), or every flagged row.
  const viewSelect = el('select', { 'aria-label': 'Show', 'data-testid': 'view-select', title: 'Incidents at or above a severity (the default view), or every row a detector flagged' });
  for (const s of SEVERITIES) viewSelect.append(el('option', { value: s }, `${s[0].toUpperCase()}${s.slice(1)} incidents${s === 'critical' ? '' : ' and above'}`));
  viewSelect.append(el('option', { value: 'all' }, 'All flagged rows'));
  detectorFilter.value = filters.detector;
  detectorFilter.addEventListener('change', () => { filters = { ...filters, detector: detectorFilter.value, rule: null }; save(); renderTable(); });
  viewSelect.addEventListener('change', () => {
    if (!isViewChoice(viewSelect.value)) return;
    chosenView = viewSelect.value;
    save();
    post({ type: 'view', view: chosenView });
  });

  const count = el('span', { 'data-testid': 'anomaly-count', class: 'count' }, '0');
  const total = el('span', { class: 'muted' });
  const tableHead = el('tr');
  const headCells: HTMLElement[] = [];
  for (const { key, incident: label } of COLUMNS) {
    const th = el('th', { scope: 'col' }, label);
    headCells.push(th);
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
  tableHead.setAttribute('aria-rowindex', '1');
  const tableBody = el('tbody');
  bindTable(tableBody);
  const cols = el('colgroup');
  for (const c of COLUMNS) cols.append(el('col', { class: `col-${c.col}` }));
  const table = el('table', { 'data-testid': 'anomaly-table', class: 'anomalies', 'aria-rowcount': '1' }, cols, el('thead', {}, tableHead), tableBody);
  const tableWrap = el('div', { class: 'table-wrap' }, table);
  bindScroll(tableWrap);
  const heading = el('h2', {}, 'Incidents');
  const tableSection = el('section', { class: 'table-section' },
    el('div', { class: 'table-bar' }, heading, count, total, el('span', { class: 'spacer' }), viewSelect, detectorFilter),
    tableWrap);
  const footer = el('footer', { class: 'footer muted' });
  app.append(header, busy, notice, toolbar, charts, tableSection, footer);
  els = { header, notice, charts, table, tableWrap, tableBody, count, total, sliders, toggles, onlyAnomalies, footer, busy, detectorFilter, viewSelect, heading, headCells };
}

// ---------- settings ----------
/** The settings last sent to the host, until a model computed with them arrives (older models must not undo them). */
let pendingSettings: DashboardSettings | null = null;
/** Settings waiting to be sent because a computation is in flight: only the latest is sent (no fixed delay). */
let queuedSettings: DashboardSettings | null = null;
let inFlight = false;

/**
 * Applies a settings change and sends it to the host. A slider names the detector it moves: when its findings
 * can be recomputed here they are drawn at once, and the host's model, computed the same way, follows quietly.
 */
function sendSettings(change: (s: DashboardSettings) => void, local?: 'rules' | 'iforest' | 'forecast', rule?: string): void {
  if (!model) return;
  const s: DashboardSettings = JSON.parse(JSON.stringify(model.settings));
  const before = JSON.stringify(model.settings);
  change(s);
  model.settings = s;
  pendingSettings = s;
  const basis = validFor;
  validFor = null;
  save();
  app.dataset.settled = 'false';
  if (local && recomputeLocally(local, rule)) {
    // The list was the findings of the settings before this change, and the one setting changed was redone here.
    if (basis === before) validFor = JSON.stringify(s);
  } else {
    els!.busy.hidden = false;
    els!.busy.textContent = 'Computing…';
  }
  if (inFlight) { queuedSettings = s; return; }
  inFlight = true;
  post({ type: 'settings', settings: s, path: model.file.path });
}

/** Called for every model: sends the settings that were queued while the host was computing. */
function settingsAnswered(): void {
  inFlight = false;
  if (queuedSettings) {
    const s = queuedSettings;
    queuedSettings = null;
    inFlight = true;
    if (model) post({ type: 'settings', settings: s, path: model.file.path });
    else inFlight = false;
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
      const v = id === 'slider-contamination' ? (typeof m.settings.contamination === 'number' ? m.settings.contamination : 0)
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
    // Its left end is the default, the calibrated tail; a rules file may say 'auto' (scikit-learn's), shown until moved.
    e.sliders.append(slider({
      id: 'slider-contamination', label: 'Contamination', min: 0, max: 0.1, step: 0.001, value: typeof contamination === 'number' ? contamination : 0,
      format: (v) => (v === 0 ? (model?.settings.contamination === 'auto' ? 'auto' : 'calibrated') : `${(v * 100).toFixed(1)}%`),
      onInput: (v) => sendSettings((s) => { s.contamination = v === 0 ? 'calibrated' : v; }, 'iforest'),
    }));
    e.sliders.append(slider({
      id: 'slider-interval', label: 'Interval', min: INTERVAL_MIN, max: INTERVAL_MAX, step: 0.01, value: m.settings.interval,
      format: (v) => `${Math.round(v * 100)}%`,
      onInput: (v) => sendSettings((s) => { s.interval = v; }, 'forecast'),
    }));
  }
  for (const r of m.rules) {
    e.sliders.append(slider({
      id: `slider-${r.name}`, label: `${r.name} (${r.metric} ${r.op})`, min: r.min, max: r.max, step: r.step,
      value: m.settings.thresholds[r.name] ?? r.threshold, format: (v) => formatShort(v),
      onInput: (v) => sendSettings((s) => { s.thresholds[r.name] = v; }, 'rules', r.name),
    }));
  }
  if (m.rules.length && !m.live) {
    const saveBtn = el('vscode-button' as 'button', { secondary: '', 'data-testid': 'save-thresholds' }, 'Save to rules file');
    saveBtn.addEventListener('click', () => post({ type: 'saveThresholds', thresholds: model!.settings.thresholds }));
    e.sliders.append(saveBtn);
  }
  // Live mode without rules has no slider: no empty "Thresholds" group.
  e.sliders.hidden = !e.sliders.querySelector('input');
}

/** The failure last reported in a notice (each is said once). */
let shownFailure: string | undefined;

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
  e.footer.textContent = m.live ? `Live: ${m.rows.toLocaleString('en')} rows in the window${m.liveModel ? ` · ${m.liveModel}` : ''}` : m.pending.length ? 'Computing…' : m.failure ? `Incomplete: ${m.failure}` : `Computed in ${m.computeMs.toFixed(0)} ms`;
  if (m.failure && m.failure !== shownFailure) notice('error', `Anomaly Hunter: ${m.failure}`);
  // A complete analysis after a failure: its notice goes.
  if (!m.failure && !m.pending.length && shownFailure && e.notice.textContent?.endsWith(shownFailure)) e.notice.hidden = true;
  if (!m.pending.length) shownFailure = m.failure;
}

// ---------- charts ----------
// Plotly draws the values (and the forecast's yhat): they change only with the data and the zoom. The band,
// the markers and the selection change with every slider move: they are drawn on two canvases around Plotly's
// SVG (webview/overlay.ts), which repaint in a few ms.
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
}

const resizes = new ResizeObserver((entries) => {
  for (const e of entries) {
    const c = [...charts.values()].find((x) => x.plot === e.target);
    if (!c) continue;
    c.size = { width: (e.target as HTMLElement).clientWidth, height: (e.target as HTMLElement).clientHeight };
    overlaySoon(c);
  }
});
const charts = new Map<string, Chart>();

function anomalyX(a: Anomaly): number {
  return model!.timeAxis && a.timestamp ? Date.parse(a.timestamp) : a.row;
}

function chartData(s: SeriesData, extent: [number, number] | null): unknown[] {
  const t = theme();
  const traces: unknown[] = [];

  // Plotly reads numbers on a date axis as epoch milliseconds: no Date objects needed.
  if (s.band) traces.push({ x: s.x, y: s.band.yhat, type: 'scatter', mode: 'lines', line: { width: 1, color: t.band, dash: 'dot' }, name: 'forecast', hoverinfo: 'skip' });
  traces.push({ x: s.x, y: s.y, type: 'scatter', mode: 'lines', line: { width: t.hc ? 1.6 : 1.1, color: t.line }, name: escapeLabel(s.metric), hovertemplate: '%{y}<extra></extra>' });
  // Invisible: makes y-autorange cover the band (drawn on a canvas, which Plotly does not see). A line of
  // width 0, not markers: markers would pad the x-range.
  if (extent && s.x.length) traces.push({ x: [s.x[0], s.x[s.x.length - 1]], y: extent, type: 'scatter', mode: 'lines', line: { width: 0 }, hoverinfo: 'skip', showlegend: false });
  return traces;
}

/**
 * A numeric digest of findings (rows, detectors, scores, severities, message lengths): cheap enough to run on
 * every repaint. Messages follow from these and the settings; `anomaliesVersion` covers the rest.
 */
function digestOf(list: readonly Anomaly[]): number {
  let h = 0x811c9dc5;
  for (const a of list) {
    h = Math.imul(h ^ a.row, 16777619);
    h = Math.imul(h ^ Math.round(a.score * 1e3), 16777619);
    h = Math.imul(h ^ (SEVERITY_RANK[a.severity] * 8 + DETECTOR_RANK[a.detector]), 16777619);
    h = Math.imul(h ^ a.message.length, 16777619);
    h = Math.imul(h ^ nameHash(a.metric ?? ''), 16777619);
    h = Math.imul(h ^ nameHash(a.rule ?? ''), 16777619);
    h = Math.imul(h ^ (a.value === null ? 0x5bd1e995 : Math.round(a.value * 1e3) | 0), 16777619);
  }
  return h;
}

/** Hashes of metric and rule names, memoised: there are few of them and they repeat on every finding. */
const nameHashes = new Map<string, number>();
function nameHash(name: string): number {
  let h = nameHashes.get(name);
  if (h === undefined) {
    h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
    if (nameHashes.size > 10_000) nameHashes.clear();
    nameHashes.set(name, h);
  }
  return h;
}
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, major: 1, minor: 2, warning: 3 };
const DETECTOR_RANK: Record<Anomaly['detector'], number> = { iforest: 0, forecast: 1, rule: 2, stream: 3 };

/**
 * Goes up whenever model.anomalies may show something else (a new list from the host, or one computed here):
 * the table and the overlays redraw for a new version.
 */
let anomaliesVersion = 0;
/**
 * The settings (as JSON) model.anomalies is known to be the findings of: the host's, or — after moves recomputed
 * here one by one from the host's list — the page's; null when unknown (a change the page could not redo, or
 * new data or fits from the host).
 */
let validFor: string | null = null;

/** The marked findings (markedList) grouped by metric, once per list (each chart asks for its own on every repaint). */
let byMetric: { list: Anomaly[]; groups: Map<string, Anomaly[]> } | null = null;

/**
 * The anomalies drawn on a metric's chart, lowest severity first (drawn under the others): all of them up to
 * MAX_MARKERS, else the highest scores (thousands hide the data anyway; the table lists them all).
 */
function markersOf(m: DashboardModel, metric: string): { list: Anomaly[]; total: number } {
  const marked = markedList(m);
  if (byMetric?.list !== marked) {
    const groups = new Map<string, Anomaly[]>();
    for (const a of marked) {
      if (a.metric === null) continue;
      let g = groups.get(a.metric);
      if (!g) groups.set(a.metric, g = []);
      g.push(a);
    }
    for (const [key, g] of groups) {
      let mine = g;
      // The same cut as the host's markedRows (whose rows it keeps in the chart's data), drawn lowest first.
      if (mine.length > MAX_MARKERS) mine = mine.slice().sort(byScore).slice(0, MAX_MARKERS);
      const marked = mine.sort((a, b) => byScore(b, a));
      (marked as Anomaly[] & { total?: number }).total = g.length;
      groups.set(key, marked);
    }
    byMetric = { list: marked, groups };
  }
  const list = byMetric.groups.get(metric) ?? [];
  return { list, total: (list as Anomaly[] & { total?: number }).total ?? list.length };
}

function chartLayout(m: DashboardModel, metric: string): unknown {
  const t = theme();
  const axis = { color: t.muted, gridcolor: t.grid, zerolinecolor: t.grid, linecolor: t.grid, tickfont: { size: 10 } };
  return {
    title: { text: escapeLabel(metric), font: { size: 13, color: t.fg }, x: 0.01, xanchor: 'left', y: 0.97 },
    margin: { l: 52, r: 12, t: 28, b: 28 },
    height: 210,
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: t.font, color: t.fg, size: 11 },
    xaxis: { ...axis, type: m.timeAxis ? 'date' : 'linear', range: zoom ? zoom.map((v) => (m.timeAxis ? new Date(v) : v)) : undefined, autorange: zoom ? false : true },
    yaxis: { ...axis, automargin: true, fixedrange: true },
    showlegend: false,
    hovermode: 'closest',
    hoverlabel: { bgcolor: cssVar('--vscode-editorHoverWidget-background', t.bg), bordercolor: cssVar('--vscode-editorHoverWidget-border', t.grid), font: { color: cssVar('--vscode-editorHoverWidget-foreground', t.fg) } },
    uirevision: metric,
  };
}

function makeChart(metric: string): Chart {
  const root = el('div', { class: 'chart', 'data-testid': `chart-${metric}` });
  root.dataset.metric = metric;
  const band = el('canvas', { class: 'chart-band', 'aria-hidden': 'true' });
  const plot = el('div', { class: 'chart-plot' }) as unknown as PlotEl;
  const marks = el('canvas', { class: 'chart-marks', 'aria-hidden': 'true' });
  const note = el('div', { class: 'chart-note' });
  const tip = el('div', { class: 'chart-tip', role: 'tooltip', hidden: '' });
  root.append(band, plot, marks, note, tip);
  const c: Chart = { root, plot, band, marks, note, tip, drawn: [], metric };
  resizes.observe(plot);
  root.addEventListener('mousemove', (ev) => hover(c, ev));
  root.addEventListener('mouseleave', () => hideTip(c));
  // A click on a marker selects it. Plotly may lay a cover over the page while the button is down, so the
  // press and the release are watched on the window: a release within a few px of the press is a click.
  root.addEventListener('pointerdown', (ev) => { pressed = { chart: c, x: ev.clientX, y: ev.clientY }; }, true);
  return c;
}

/** Plotly's events exist once it has drawn into the element: bound after the first Plotly.react. */
function bindPlotEvents(c: Chart): void {
  if (c.plot._ahBound) return;
  c.plot._ahBound = true;
  c.plot.on('plotly_relayout', (e) => { onRelayout(c, e); overlaySoon(c); });
  c.plot.on('plotly_relayouting', (e) => drawOverlay(c, rangeOf(e) ?? undefined));
  c.plot.on('plotly_afterplot', () => overlaySoon(c));
}

let pressed: { chart: Chart; x: number; y: number } | null = null;
window.addEventListener('pointerup', (ev) => {
  const p = pressed;
  pressed = null;
  if (!p || Math.hypot(ev.clientX - p.x, ev.clientY - p.y) > 4) return;
  const hit = markAt(p.chart, ev.clientX, ev.clientY);
  if (hit) select(hit.item.row, false);
}, true);

function markAt(c: Chart, clientX: number, clientY: number): Mark<Anomaly> | null {
  const r = c.root.getBoundingClientRect();
  return nearestMark(c.drawn, clientX - r.left - c.root.clientLeft, clientY - r.top - c.root.clientTop);
}

function hover(c: Chart, ev: MouseEvent): void {
  const hit = markAt(c, ev.clientX, ev.clientY);
  if (!hit) { hideTip(c); return; }
  const a = hit.item;
  c.tip.textContent = '';
  c.tip.append(
    el('strong', {}, `${a.detector === 'rule' ? `rule ${a.rule ?? ''}` : a.detector} · ${a.severity} · score ${a.score.toFixed(1)}`),
    el('div', {}, a.message),
    el('div', { class: 'muted' }, `${a.timestamp ? formatX(Date.parse(a.timestamp), true) : `row ${a.row + 1}`} · ${a.value === null ? 'missing' : formatShort(a.value)}`),
  );
  c.tip.hidden = false;
  const width = c.root.clientWidth;
  const left = hit.px + 14 + c.tip.offsetWidth > width ? Math.max(4, hit.px - 14 - c.tip.offsetWidth) : hit.px + 14;
  c.tip.style.left = `${left}px`;
  c.tip.style.top = `${Math.max(4, hit.py - c.tip.offsetHeight - 8)}px`;
  c.root.classList.add('marker-hover');
  c.root.style.cursor = 'pointer';
}

function hideTip(c: Chart): void {
  if (c.tip.hidden) return;
  c.tip.hidden = true;
  c.root.classList.remove('marker-hover');
  c.root.style.cursor = '';
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

interface Band { lower: (number | null)[]; upper: (number | null)[]; key: string }
const bandCache = new WeakMap<SeriesData, Band>();

/** The band to draw: the host's, or — where the forecaster's fit is known here — the one for the current interval. */
function bandOf(m: DashboardModel, s: SeriesData): Band | null {
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
function bandExtent(m: DashboardModel, s: SeriesData): [number, number] | null {
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

/**
 * Repaints a chart's band, markers and selection from the current model (a few ms; no Plotly work); skipped
 * when none of what it draws changed.
 */
function drawOverlay(c: Chart, xRange?: [number, number]): void {
  const m = model;
  const s = m && ((zoom && windows.get(c.metric)) || m.series.find((x) => x.metric === c.metric));
  // The size comes from a ResizeObserver: reading it here would force a layout of the page mid-update.
  const { width, height } = c.size ?? { width: c.plot.clientWidth, height: c.plot.clientHeight };
  const g = geometryOf(c, xRange);
  const { list, total } = m ? markersOf(m, c.metric) : { list: [], total: 0 };
  const band = m && s ? bandOf(m, s) : null;
  const sig = overlaySignature(list, band, s, g, width, height) + `|${m ? spanKey(m) : ''}`;
  if (sig === c.overlaySig) {
    // Same marks; the findings behind them may be new objects (another message): the tooltips take those.
    if (c.drawnList !== list && g) { c.drawn = placeMarks(g, list, markOf); c.drawnList = list; }
    return;
  }
  c.overlaySig = sig;
  c.drawnList = list;
  const bctx = prepareCanvas(c.band, width, height);
  const mctx = prepareCanvas(c.marks, width, height);
  c.drawn = [];
  if (!m || !s || !g || !bctx || !mctx) return;
  const t = theme();
  const spans = spansOf(m, c.metric);
  if (spans.length) drawSpans(bctx, g, spans.map((sp) => ({ ...sp, color: hexAlpha(sp.color, t.light ? 0.13 : 0.2) })));
  if (band) drawBand(bctx, g, s.x, band.lower, band.upper, hexAlpha(t.band, t.light ? 0.28 : 0.42));
  c.drawn = placeMarks(g, list, markOf);
  drawMarks(mctx, c.drawn, t.bg);
  if (selectedRow !== null) {
    const own = list.find((a) => a.row === selectedRow);
    const any = own ?? markedList(m).find((a) => a.row === selectedRow) ?? m.anomalies.find((a) => a.row === selectedRow);
    if (any) drawSelection(mctx, g, toPx(g, anomalyX(any)), own && own.value !== null ? toPy(g, own.value) : null, t.fg);
  }
  c.root.dataset.markers = String(c.drawn.length);
  c.note.textContent = total > MAX_MARKERS ? `top ${MAX_MARKERS.toLocaleString('en')} of ${total.toLocaleString('en')} anomalies marked` : '';
}

/** The listed incidents that involve a metric, as spans of x (time or rows) in their severity's colour. */
function spansOf(m: DashboardModel, metric: string): { x0: number; x1: number; color: string }[] {
  if (!listsIncidents(m)) return [];
  const step = m.timeAxis ? (m.stepMs ?? 0) : 1;
  return m.incidents.filter((i) => !i.metrics.length || i.metrics.some((x) => x.metric === metric))
    .map((i) => ({ x0: incidentX(m, i, false), x1: incidentX(m, i, true) + step, color: SEVERITY_COLOR[i.severity] }));
}

/** What the spans depend on, for the overlay's signature: the listed incidents (their rows and severities). */
const spanKeys = new WeakMap<Incident[], string>();
function spanKey(m: DashboardModel): string {
  if (!listsIncidents(m)) return '';
  let k = spanKeys.get(m.incidents);
  if (k === undefined) {
    let h = 0x811c9dc5;
    for (const i of m.incidents) h = Math.imul(h ^ (i.startRow * 31 + i.endRow * 7 + SEVERITY_RANK[i.severity]), 16777619);
    spanKeys.set(m.incidents, k = `${m.incidents.length}:${h}`);
  }
  return k;
}

function markOf(a: Anomaly): { x: number; y: number | null; r: number; color: string } {
  return { x: anomalyX(a), y: a.value, r: MARKER_SIZE[a.severity] / 2 + 0.5, color: SEVERITY_COLOR[a.severity] };
}

/** What an overlay draws, as a short string: the markers, the band, the selection, the view and the theme. */
function overlaySignature(list: Anomaly[], band: Band | null, s: SeriesData | null | undefined, g: Geometry | null, width: number, height: number): string {
  const h = digestOf(list);
  const view = g ? [g.l, g.t, g.w, g.h, g.x0, g.x1, g.y0, g.y1].join(',') : '';
  return [list.length, h, band ? band.key : '', s ? seriesId(s) : -1, view, width, height, selectedRow ?? '', themeVersion].join('|');
}

const seriesIds = new WeakMap<SeriesData, number>();
let nextSeriesId = 1;
function seriesId(s: SeriesData): number {
  let id = seriesIds.get(s);
  if (!id) seriesIds.set(s, id = nextSeriesId++);
  return id;
}

const overlayPending = new Set<Chart>();
let overlayFrame = 0;
/** Repaints a chart's overlay in the next frame (after Plotly has settled its axes). */
function overlaySoon(c: Chart): void {
  overlayPending.add(c);
  if (overlayFrame) return;
  overlayFrame = requestAnimationFrame(() => {
    overlayFrame = 0;
    for (const x of overlayPending) drawOverlay(x);
    overlayPending.clear();
  });
}

function repaintOverlays(): void {
  for (const c of charts.values()) drawOverlay(c);
}

let renderGeneration = 0;

/**
 * Brings every chart up to date with the model: Plotly redraws the charts whose values, view or theme changed,
 * one per task (the first chart is on screen before the others are drawn; a newer call takes over), the
 * others only repaint their overlays.
 */
async function renderCharts(m: DashboardModel): Promise<void> {
  const generation = ++renderGeneration;
  const box = els!.charts;
  for (const [metric, c] of charts) if (!m.metrics.includes(metric)) { resizes.unobserve(c.plot); Plotly.purge(c.plot); c.root.remove(); charts.delete(metric); }
  const jobs: { chart: Chart; series: SeriesData; extent: [number, number] | null; sig: string }[] = [];
  for (const s of m.series) {
    let c = charts.get(s.metric);
    if (!c) {
      c = makeChart(s.metric);
      charts.set(s.metric, c);
      box.append(c.root);
    }
    const series = (zoom && windows.get(s.metric)) || s;
    const extent = bandExtent(m, series);
    const sig = plotSignature(m, series) + `|${extent?.join(',') ?? ''}`;
    if (c.root.dataset.sig === sig) drawOverlay(c);
    else jobs.push({ chart: c, series, extent, sig });
  }
  for (let i = 0; i < jobs.length; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    if (generation !== renderGeneration) return;
    const { chart, series, extent, sig } = jobs[i];
    await Plotly.react(chart.plot, chartData(series, extent), chartLayout(m, chart.metric), { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d'], displayModeBar: 'hover' });
    chart.root.dataset.sig = sig;
    bindPlotEvents(chart);
    drawOverlay(chart);
    chart.root.dataset.points = String(series.x.length);
    chart.root.classList.add('rendered');
  }
}

/** What Plotly draws of a chart, as a short string: the values and yhat (hashed), the view and the theme. */
function plotSignature(m: DashboardModel, series: SeriesData): string {
  let h = 0;
  const mix = (v: number | null): void => { h = (Math.imul(h, 31) + (v === null ? 7 : Math.round(v * 1000))) | 0; };
  for (let i = 0; i < series.x.length; i++) { mix(series.x[i]); mix(series.y[i]); if (series.band) mix(series.band.yhat[i]); }
  return [series.metric, series.x.length, h, zoom ? zoom.join(',') : '', themeVersion, m.timeAxis].join('|');
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
  for (const [c, i, sign] of d.infinite) if (frame.values[c] && i < rows) frame.values[c][i] = sign * Infinity;
  local = { path: d.path, frame, rules: d.rules };
  validFor = null;
  warmUpSoon();
}

/** The scores and forecast fits of the analysis (src/core/tuning.ts): contamination and interval recompute here. */
let tuned: { path: string; key: string; iforest?: IforestTuning; sorted?: Float64Array; forecast?: Record<string, ForecastTuning> } | null = null;

function acceptTuning(d: TuningData): void {
  const f64 = (a: (number | null)[]): Float64Array => Float64Array.from(a, (x) => (x === null ? NaN : x));
  const t: NonNullable<typeof tuned> = { path: d.path, key: d.key };
  if (d.iforest) {
    t.iforest = { metrics: d.iforest.metrics, scores: f64(d.iforest.scores), floor: d.iforest.floor, rows: Int32Array.from(d.iforest.rows), shares: f64(d.iforest.shares) };
    t.sorted = Float64Array.from(t.iforest.scores).sort();
  }
  if (d.forecast) {
    t.forecast = {};
    for (const [metric, f] of Object.entries(d.forecast)) t.forecast[metric] = { yhat: f64(f.yhat), sigma: f.sigma, yScale: f.yScale };
  }
  tuned = t;
  validFor = null;
  warmUpSoon();
}

let warmTimer: ReturnType<typeof setTimeout> | undefined;
/**
 * Once the page holds data and fits, and nothing else is going on, runs each slider's computation once and
 * throws the result away: the first real move then runs compiled code (a cold first move took ~2× longer).
 */
function warmUpSoon(): void {
  clearTimeout(warmTimer);
  warmTimer = setTimeout(() => {
    const idle = (window as unknown as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => void }).requestIdleCallback;
    const run = (): void => {
      if (!model || !local || local.path !== model.file.path) return;
      const s = model.settings;
      evaluateRules(local.rules, local.frame, { thresholds: s.thresholds });
      const t = tuned && tuned.path === model.file.path ? tuned : null;
      if (t?.iforest && t.sorted) retuneIforest(local.frame, t.iforest, t.sorted, s.contamination);
      if (t?.forecast) retuneForecast(local.frame, t.forecast, s.interval);
      capAnomalies(model.anomalies, DASHBOARD_MAX_PER_DETECTOR);
      digestOf(model.anomalies);
    };
    if (idle) idle(run, { timeout: 2000 });
    else run();
  }, 500);
}

/**
 * Recomputes the findings of the detector a slider moved (for a rule slider, of that rule), from the data held
 * here, into model.anomalies; returns false when that cannot be done here (the host's answer then redraws).
 * The host computes the same with the same functions and its model follows.
 */
function applyLocally(what: 'rules' | 'iforest' | 'forecast', rule?: string): boolean {
  if (!model || !local || local.path !== model.file.path) return false;
  const s = model.settings;
  let next: Anomaly[] | null = null;
  const t = tuned && tuned.path === model.file.path ? tuned : null;
  const id = what === 'rules' ? 'rule' : what;
  // The host lists at most DASHBOARD_MAX_PER_DETECTOR per detector: the same cap here gives the same list. One
  // rule's findings cannot be redone here when the rules' list was cut (the other rules' are not all here).
  if (rule !== undefined && (model.totals?.[id] ?? 0) > DASHBOARD_MAX_PER_DETECTOR) return false;
  if (what === 'rules') {
    if (!s.detectors.rules) return false;
    // Rules are evaluated one by one: a threshold moves only its own rule's findings.
    next = evaluateRules(local.rules.filter((r) => rule === undefined || r.name === rule), local.frame, { thresholds: s.thresholds }).anomalies;
  } else if (what === 'iforest') {
    if (!s.detectors.iforest || !t?.iforest || !t.sorted) return false;
    next = retuneIforest(local.frame, t.iforest, t.sorted, s.contamination);
  } else {
    if (!s.detectors.forecast || !t?.forecast || model.forecastMode !== 'standard') return false;
    next = retuneForecast(local.frame, t.forecast, s.interval).anomalies;
  }
  if (!next) return false;
  const replaced = (a: Anomaly): boolean => a.detector === id && (rule === undefined || a.rule === rule);
  const merged = model.anomalies.filter((a) => !replaced(a)).concat(next);
  const listed = capAnomalies(merged, DASHBOARD_MAX_PER_DETECTOR);
  if (listed.capped || model.totals) model.totals = { ...(model.totals ?? listed.totals), [id]: listed.totals[id] ?? 0 };
  model.anomalies = listed.capped ? listed.list : sortAnomalies(merged);
  anomaliesVersion++;
  // The incidents follow the rules' findings: redone here (tens of ms: every detector's tail is fitted again).
  // Contamination and interval leave them as they are, but for which metric the forest names on a few rows:
  // the host's answer brings that. Listing all rows, nothing shows incidents: the host's next model brings them.
  if (what === 'rules' && listsIncidents(model) && !recomputeView()) return false;
  return true;
}

/**
 * The incidents of what the page holds, into model.incidents: the same core analysisView the host runs, on the
 * same data, scores and fits, so the two agree. False when the page does not hold all of it.
 */
function recomputeView(): boolean {
  const m = model;
  if (!m || !m.incidents || m.live || !local || local.path !== m.file.path) return false;
  const t = tuned && tuned.path === m.file.path ? tuned : null;
  const s = m.settings;
  // The view is made of the forest's scores, the forecasts' yhat, the rules' findings and the forest's attribution
  // (read from its findings): all here only when the fits are known and no list was cut.
  if (s.detectors.iforest && !t?.iforest) return false;
  if (s.detectors.forecast && (!t?.forecast || m.forecastMode !== 'standard')) return false;
  if ((m.totals?.iforest ?? 0) > DASHBOARD_MAX_PER_DETECTOR || (m.totals?.rule ?? 0) > DASHBOARD_MAX_PER_DETECTOR) return false;
  const forecast = s.detectors.forecast && t?.forecast ? Object.fromEntries(Object.entries(t.forecast).map(([k, f]) => [k, { yhat: f.yhat }])) : undefined;
  // What analysisView reads of an analysis: the rest of AnalysisResult is the host's business.
  const result = { frame: local.frame, scores: { iforest: s.detectors.iforest ? t?.iforest?.scores : undefined }, forecast, anomalies: m.anomalies } as unknown as AnalysisResult;
  // A rule's threshold changes only the rules' findings: the statistics measured for the same file, data, fits
  // and other settings are taken from the last view (a rule slider then redoes the merge only).
  const { thresholds: _t, ...rest } = s;
  const key = JSON.stringify([m.file.path, rest]);
  const reuse = lastView && lastView.key === key && lastView.frame === local.frame && lastView.tuned === t ? lastView.view : undefined;
  const v = analysisView(result, m.view === 'all' ? 'warning' : m.view, reuse);
  lastView = { key, frame: local.frame, tuned: t, view: v };
  m.incidents = m.view === 'all' ? v.incidents : v.shown.incidents;
  m.incidentFindings = m.view === 'all' ? v.findings : v.shown.anomalies;
  viewValidFor = JSON.stringify(s);
  return true;
}

/** The settings (as JSON) model.incidents is known to be the incidents of (see validFor). */
let viewValidFor: string | null = null;

/** The last view the page computed and what it was computed from (see recomputeView). */
let lastView: { key: string; frame: unknown; tuned: unknown; view: View } | null = null;

/** applyLocally, then the table and the charts' overlays repainted at once. */
function recomputeLocally(what: 'rules' | 'iforest' | 'forecast', rule?: string): boolean {
  if (!applyLocally(what, rule)) return false;
  const t0 = performance.now();
  renderTable();
  repaintOverlays();
  stampRedraw(t0);
  return true;
}

/**
 * A model computed with older settings than the page shows (the user kept dragging): redoes here what the
 * newer settings change, so the page does not step back to the older findings while the next answer comes.
 */
function reapplyLocally(host: DashboardSettings, want: DashboardSettings): boolean {
  const same = (a: DashboardSettings, b: DashboardSettings): boolean => JSON.stringify(a.detectors) === JSON.stringify(b.detectors);
  let ok = same(host, want);
  if (host.contamination !== want.contamination) ok = applyLocally('iforest') && ok;
  if (host.interval !== want.interval) ok = applyLocally('forecast') && ok;
  const names = new Set([...Object.keys(host.thresholds), ...Object.keys(want.thresholds)]);
  for (const name of names) if (host.thresholds[name] !== want.thresholds[name]) ok = applyLocally('rules', name) && ok;
  return ok;
}

/** Stamps on #app how long the last redraw took, once the frame that shows it has been painted. */
function stampRedraw(t0: number): void {
  requestAnimationFrame(() => setTimeout(() => { app.dataset.redrawMs = (performance.now() - t0).toFixed(0); }, 0));
}

let redrawFrame = 0;
/** Redraws the charts in the next animation frame (coalesced); stamps how long the last redraw took. */
function redraw(m: DashboardModel): void {
  cancelAnimationFrame(redrawFrame);
  const t0 = performance.now();
  // Let the table paint in this frame; a Plotly redraw (tens of ms per chart) runs in a task after it.
  redrawFrame = requestAnimationFrame(() => {
    setTimeout(() => {
      void renderCharts(m).then(() => stampRedraw(t0));
    }, 0);
  });
}

let zoomTimer: ReturnType<typeof setTimeout> | undefined;
function onRelayout(source: Chart, e: Record<string, unknown>): void {
  if (syncingZoom || !model) return;
  let next: [number, number] | null;
  if (e['xaxis.autorange'] === true) next = null;
  else {
    const r = rangeOf(e);
    if (!r) return;
    next = r;
  }
  zoom = next;
  save();
  windows.clear();
  syncingZoom = true;
  const update = zoom ? { 'xaxis.range': zoom.map((v) => (model!.timeAxis ? new Date(v) : v)) } : { 'xaxis.autorange': true };
  const others = [...charts.values()].filter((c) => c !== source);
  void Promise.all(others.map((c) => Plotly.relayout(c.plot, update))).finally(() => { syncingZoom = false; });
  clearTimeout(zoomTimer);
  if (zoom) {
    const [x0, x1] = zoom;
    zoomTimer = setTimeout(() => post({ type: 'zoom', x0, x1 }), 150);
  } else {
    void renderCharts(model);
  }
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

// ---------- table ----------
/** A table line: an incident (expandable to its rows), or a flagged row (on its own, or under its incident). */
type Item = { kind: 'incident'; inc: Incident } | { kind: 'row'; a: Anomaly; child: boolean };

/** Whether the table lists incidents (the default view) or rows (all flagged rows, or a live window without incidents). */
function listsIncidents(m: DashboardModel): m is DashboardModel & { incidents: Incident[]; incidentFindings: Anomaly[] } {
  return m.view !== 'all' && !!m.incidents && !!m.incidentFindings;
}

/** The findings the charts mark: those of the listed incidents, or every flagged row. */
function markedList(m: DashboardModel): Anomaly[] {
  return listsIncidents(m) ? m.incidentFindings : m.anomalies;
}

function incidentX(m: DashboardModel, i: Incident, end: boolean): number {
  const t = end ? i.end : i.start;
  return m.timeAxis && t ? Date.parse(t) : end ? i.endRow : i.startRow;
}

/** An incident's length as its summary says it ("6m", "1h30m"): first to last row plus one step; rows without time. */
function durationText(m: DashboardModel, i: Incident): string {
  if (!m.timeAxis || !i.start || !i.end) return `${i.endRow - i.startRow + 1} row${i.endRow > i.startRow ? 's' : ''}`;
  return formatDuration(Date.parse(i.end) - Date.parse(i.start) + (m.stepMs ?? 0)) || '—';
}

function incidentValue(i: Incident, key: SortKey): number | string {
  return key === 'time' ? i.startRow : key === 'duration' ? i.endRow - i.startRow : key === 'metric' ? (i.metrics[0]?.metric ?? '') : key === 'detector' ? i.detectors.join(',') : key === 'score' ? i.score : -SEVERITIES.indexOf(i.severity);
}

function rowValue(a: Anomaly, key: SortKey): number | string {
  return key === 'time' || key === 'duration' ? a.row : key === 'metric' ? (a.metric ?? '') : key === 'detector' ? a.detector : key === 'score' ? a.score : -SEVERITIES.indexOf(a.severity);
}

/** The findings of each listed incident, in row order (computed once per list). */
let rowsOfIncidents: { list: Anomaly[]; byId: Map<string, Anomaly[]> } | null = null;
function rowsOf(m: DashboardModel & { incidents: Incident[]; incidentFindings: Anomaly[] }, inc: Incident): Anomaly[] {
  if (rowsOfIncidents?.list !== m.incidentFindings) {
    const byId = new Map<string, Anomaly[]>();
    const spans = m.incidents.map((i) => ({ i, from: i.startRow, to: i.endRow })).sort((x, y) => x.from - y.from);
    let k = 0;
    for (const a of [...m.incidentFindings].sort((x, y) => x.row - y.row)) {
      while (k < spans.length && spans[k].to < a.row) k++;
      if (k < spans.length && spans[k].from <= a.row) {
        const id = spans[k].i.id;
        let g = byId.get(id);
        if (!g) byId.set(id, g = []);
        g.push(a);
      }
    }
    rowsOfIncidents = { list: m.incidentFindings, byId };
  }
  return rowsOfIncidents.byId.get(inc.id) ?? [];
}

/** What the table lists with the current filters and order: incidents (with the rows of the expanded ones), or rows. */
function filtered(m: DashboardModel): Item[] {
  const key = sort.key;
  const dir = sort.dir;
  const cmp = (va: number | string, vb: number | string, tie: number): number => (va < vb ? -1 : va > vb ? 1 : tie) * dir;
  if (listsIncidents(m)) {
    const list = m.incidents.filter((i) => (filters.detector === 'all' || i.detectors.includes(filters.detector as Anomaly['detector']))
      && (!filters.rule || i.rules.includes(filters.rule)));
    list.sort((a, b) => cmp(incidentValue(a, key), incidentValue(b, key), a.startRow - b.startRow));
    const out: Item[] = [];
    for (const inc of list) {
      out.push({ kind: 'incident', inc });
      if (expanded.has(inc.id)) for (const a of rowsOf(m, inc)) out.push({ kind: 'row', a, child: true });
    }
    return out;
  }
  const list = m.anomalies.filter((a) => (filters.detector === 'all' || a.detector === filters.detector) && (!filters.rule || a.rule === filters.rule));
  return list.sort((a, b) => cmp(rowValue(a, key), rowValue(b, key), a.row - b.row)).map((a) => ({ kind: 'row', a, child: false }));
}

/** A table row's elements, reused from one render to the next (a slider move rewrites text, not DOM). */
interface RowEls { tr: HTMLTableRowElement; time: HTMLElement; caret: HTMLElement; timeText: Text; duration: HTMLElement; metric: HTMLElement; detector: HTMLElement; score: HTMLElement; sev: HTMLElement; sevText: Text; msg: HTMLElement }
const rowPool: RowEls[] = [];
let tableKey = '';

function makeRow(): RowEls {
  const sevText = document.createTextNode('');
  const sev = el('td', {}, el('span', { class: 'dot', 'aria-hidden': 'true' }), sevText);
  const reveal = el('button', { class: 'link reveal', title: 'Open the CSV at this row' }, 'Reveal in CSV');
  const caret = el('span', { class: 'caret', 'aria-hidden': 'true' });
  const timeText = document.createTextNode('');
  const time = el('td', { class: 'nowrap' }, caret, timeText);
  const duration = el('td', { class: 'nowrap' });
  const metric = el('td');
  const detector = el('td');
  const score = el('td', { class: 'num' });
  const msg = el('td', { class: 'msg' });
  const tr = el('tr', { 'data-testid': 'anomaly-row', tabindex: '0' }, time, duration, sev, score, metric, detector, msg, el('td', {}, reveal));
  return { tr, time, caret, timeText, duration, metric, detector, score, sev, sevText, msg };
}

function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

function whenText(timestamp: string | null, row: number): string {
  return timestamp ? formatX(Date.parse(timestamp), true) : `row ${row + 1}`;
}

function fillRow(r: RowEls, item: Item): void {
  const m = model!;
  if (item.kind === 'incident') {
    const i = item.inc;
    const open = expanded.has(i.id);
    r.tr.dataset.row = String(i.peakRow);
    r.tr.dataset.incident = i.id;
    r.tr.dataset.kind = 'incident';
    r.tr.setAttribute('aria-expanded', String(open));
    r.tr.className = `incident${i.peakRow === selectedRow ? ' selected' : ''}`;
    r.caret.textContent = open ? '▾' : '▸';
    r.timeText.data = whenText(i.start, i.startRow);
    setText(r.duration, durationText(m, i));
    const metrics = i.metrics.map((x) => x.metric);
    setText(r.metric, metrics.length > 2 ? `${metrics.slice(0, 2).join(', ')} +${metrics.length - 2}` : metrics.join(', ') || '—');
    r.metric.title = i.metrics.map((x) => `${x.metric} ${Math.round(x.share * 100)} %`).join(', ');
    // The rules that fired are named in the tooltip (and the summary): the cell stays short.
    setText(r.detector, i.detectors.join(', '));
    r.detector.title = i.rules.length ? `rules: ${i.rules.join(', ')}` : '';
    setText(r.score, i.score.toFixed(1));
    r.sev.className = `sev sev-${i.severity}`;
    if (r.sevText.data !== i.severity) r.sevText.data = i.severity;
    setText(r.msg, i.summary);
    r.msg.title = `${i.summary} (${i.count} finding${i.count === 1 ? '' : 's'})`;
    return;
  }
  const a = item.a;
  r.tr.dataset.row = String(a.row);
  delete r.tr.dataset.incident;
  r.tr.dataset.kind = item.child ? 'finding' : 'row';
  r.tr.removeAttribute('aria-expanded');
  r.tr.className = `${item.child ? 'child' : ''}${a.row === selectedRow ? ' selected' : ''}`.trim();
  r.caret.textContent = '';
  r.timeText.data = whenText(a.timestamp, a.row);
  setText(r.duration, '');
  setText(r.metric, a.metric ?? '—');
  r.metric.title = '';
  setText(r.detector, a.detector === 'rule' ? `rule: ${a.rule ?? ''}` : a.detector);
  r.detector.title = '';
  setText(r.score, a.score.toFixed(1));
  r.sev.className = `sev sev-${a.severity}`;
  if (r.sevText.data !== a.severity) r.sevText.data = a.severity;
  setText(r.msg, a.message);
  r.msg.title = a.message;
}

/** Opens or closes an incident's rows. */
function toggleIncident(id: string): void {
  if (expanded.has(id)) expanded.delete(id);
  else expanded.add(id);
  tableKey = '';
  renderTable();
}

/**
 * One listener for every row: a click on an incident opens it (and selects its peak), on a row selects the
 * point; "Reveal in CSV" opens the file there; Enter selects, Space or ←/→ open and close an incident.
 */
function bindTable(body: HTMLElement): void {
  body.addEventListener('click', (ev) => {
    const target = ev.target as HTMLElement;
    const tr = target.closest('tr[data-row]') as HTMLElement | null;
    if (!tr) return;
    const row = Number(tr.dataset.row);
    const inc = tr.dataset.incident;
    const startRow = inc ? model?.incidents?.find((i) => i.id === inc)?.startRow : undefined;
    if (target.closest('button.reveal')) post({ type: 'revealRow', row: startRow ?? row });
    else {
      if (inc !== undefined) toggleIncident(inc);
      select(row, true);
    }
  });
  body.addEventListener('keydown', (ev) => {
    const tr = (ev.target as HTMLElement).closest('tr[data-row]') as HTMLElement | null;
    if (!tr || (ev.target as HTMLElement).tagName !== 'TR') return;
    const i = Number(tr.getAttribute('aria-rowindex')) - 2;
    const inc = tr.dataset.incident;
    const step = ev.key === 'ArrowDown' ? 1 : ev.key === 'ArrowUp' ? -1 : ev.key === 'PageDown' ? 10 : ev.key === 'PageUp' ? -10 : 0;
    if (ev.key === 'Enter') select(Number(tr.dataset.row), true);
    else if (inc !== undefined && (ev.key === ' ' || (ev.key === 'ArrowRight' && !expanded.has(inc)) || (ev.key === 'ArrowLeft' && expanded.has(inc)))) { ev.preventDefault(); toggleIncident(inc); focusRow(i); }
    else if (ev.key === 'Home' || ev.key === 'End') { ev.preventDefault(); focusRow(ev.key === 'Home' ? 0 : tableList.length - 1); }
    else if (step) { ev.preventDefault(); focusRow(Math.max(0, Math.min(tableList.length - 1, i + step))); }
  });
}

/** What the table lists (filtered and sorted); only the rows in view are in the DOM. */
let tableList: Item[] = [];
/** A row's height in px (rows do not wrap: see dashboard.css), measured from the first row drawn. */
let rowHeight = 0;
/** Rows drawn above and below the visible ones, so a scroll rarely shows blank space. */
const OVERSCAN = 10;
const spacerTop = el('tr', { class: 'spacer', 'aria-hidden': 'true' }, el('td', { colspan: String(COLUMNS.length) }));
const spacerBottom = el('tr', { class: 'spacer', 'aria-hidden': 'true' }, el('td', { colspan: String(COLUMNS.length) }));

function renderTable(): void {
  if (!model || !els) return;
  const m = model;
  const incidents = listsIncidents(m);
  for (const th of Array.from(document.querySelectorAll('th.sortable')) as HTMLElement[]) {
    th.setAttribute('aria-sort', th.dataset.key === sort.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none');
  }
  // Nothing to do when the findings, the view, the filters, the order and the selection are what the table shows.
  const key = [anomaliesVersion, m.view, incidents, filters.detector, filters.rule ?? '', sort.key, sort.dir, selectedRow ?? ''].join('|');
  if (key === tableKey) return;
  tableKey = key;
  els.table.classList.toggle('rows-mode', !incidents);
  COLUMNS.forEach((c, i) => {
    const th = els!.headCells[i];
    const label = incidents ? c.incident : c.row;
    if (th.firstChild?.textContent !== label) th.textContent = label;
  });
  els.heading.textContent = incidents ? 'Incidents' : 'Flagged rows';
  els.viewSelect.value = chosenView ?? m.view;
  // A live window has no incidents: its rows are all there is to list.
  els.viewSelect.disabled = !m.incidents;
  const list = filtered(m);
  tableList = list;
  tableVersion++;
  renderRows();
  // anomaly-count: the incidents (or rows) the table lists with the current filters; an incident's open rows do not count.
  const listed = incidents ? list.filter((x) => x.kind === 'incident').length : list.length;
  els.count.textContent = String(listed);
  const all = incidents ? m.incidents!.length : m.anomalies.length;
  els.total.textContent = (listed !== all ? ` of ${all}` : '') + (filters.rule ? ` · rule ${filters.rule}` : '')
    + (incidents ? ` · ${m.incidentFindings!.length.toLocaleString('en')} flagged rows in them` : cappedNote(m));
  els.table.setAttribute('aria-rowcount', String(list.length + 1));
}

/** When the host listed only the highest-scored findings of some detector: how many there are in all. */
function cappedNote(m: DashboardModel): string {
  if (!m.totals) return '';
  const cut = Object.entries(m.totals).filter(([, n]) => (n ?? 0) > DASHBOARD_MAX_PER_DETECTOR);
  if (!cut.length) return '';
  const all = Object.values(m.totals).reduce((a: number, n) => a + (n ?? 0), 0);
  return ` · ${all.toLocaleString('en')} found; the top ${DASHBOARD_MAX_PER_DETECTOR.toLocaleString('en')} of ${cut.map(([d, n]) => `${(n ?? 0).toLocaleString('en')} ${d}`).join(', ')} are listed (Export has all)`;
}

/** Goes up when the table's list or selection changes: renderRows then rewrites the rows in view. */
let tableVersion = 0;
let drawnRows = '';

/**
 * Puts the rows around the scroll position in the table, with spacers for the others: a page of thousands of
 * anomalies lays out as fast as one of fifty (a slider move re-lays the table out on every step). The row
 * that has the keyboard focus keeps it.
 */
function renderRows(): void {
  if (!model || !els) return;
  const list = tableList;
  const wrap = els.tableWrap;
  const rh = rowHeight || 24;
  const visible = Math.ceil((wrapHeight || 420) / rh);
  const first = Math.max(0, Math.min(list.length - 1, Math.floor(wrap.scrollTop / rh)) - OVERSCAN);
  const end = Math.min(list.length, first + visible + 2 * OVERSCAN);
  const drawn = `${tableVersion}|${first}|${end}`;
  if (drawn === drawnRows) return;
  drawnRows = drawn;
  const focused = focusedIndex();
  const rows: HTMLElement[] = [spacerTop];
  for (let i = first; i < end; i++) {
    const r = rowPool[i - first] ??= makeRow();
    fillRow(r, list[i]);
    r.tr.setAttribute('aria-rowindex', String(i + 2));
    rows.push(r.tr);
  }
  rows.push(spacerBottom);
  spacerTop.style.height = `${first * rh}px`;
  spacerBottom.style.height = `${(list.length - end) * rh}px`;
  if (!list.length) rows.push(el('tr', {}, el('td', { colspan: String(COLUMNS.length), class: 'empty muted' }, emptyText(model))));
  els.tableBody.replaceChildren(...rows);
  if (focused !== null && focused >= first && focused < end) rowPool[focused - first].tr.focus({ preventScroll: true });
  if (!rowHeight && end > first) {
    // Measured once, after this frame's layout: later renders place their spacers with it.
    requestAnimationFrame(() => {
      const tr = rowPool[0]?.tr;
      const height = tr?.isConnected ? tr.getBoundingClientRect().height : 0;
      if (!rowHeight && height > 0) { rowHeight = height; drawnRows = ''; renderRows(); }
    });
  }
}

/** What an empty table says: why nothing is listed, and where more is. */
function emptyText(m: DashboardModel): string {
  if (listsIncidents(m)) {
    if (m.incidents.length) return 'No incident matches the filters.';
    return m.view === 'warning' ? 'No incidents: nothing rarer than once an hour of this data\'s normal behaviour.' : `No ${m.view} incidents or worse. Lower the severity or show all flagged rows to see more.`;
  }
  return m.anomalies.length ? 'No flagged row matches the filters.' : 'No rows flagged with these settings.';
}

/** The list index of the table row that has the keyboard focus, or null. */
function focusedIndex(): number | null {
  const f = document.activeElement as HTMLElement | null;
  if (!f || f.tagName !== 'TR' || !f.dataset.row || !els?.tableBody.contains(f)) return null;
  const i = Number(f.getAttribute('aria-rowindex')) - 2;
  return Number.isInteger(i) && i >= 0 ? i : null;
}

/** Moves the keyboard focus to the row at list index i (scrolling it into view). */
function focusRow(i: number): void {
  if (!els || i < 0 || i >= tableList.length) return;
  scrollTableTo(i);
  const tr = rowPool.find((r) => r.tr.isConnected && Number(r.tr.getAttribute('aria-rowindex')) - 2 === i)?.tr;
  tr?.focus({ preventScroll: true });
  tr?.scrollIntoView({ block: 'nearest' });
}

let wrapHeight = 0;
let scrollFrame = 0;
function bindScroll(wrap: HTMLElement): void {
  wrap.addEventListener('scroll', () => {
    if (scrollFrame) return;
    scrollFrame = requestAnimationFrame(() => { scrollFrame = 0; renderRows(); });
  }, { passive: true });
  new ResizeObserver(() => { wrapHeight = wrap.clientHeight; }).observe(wrap);
}

/** Scrolls the table so that the anomaly at `index` of the list is in view (below the sticky header). */
function scrollTableTo(index: number): void {
  if (!els || index < 0) return;
  const rh = rowHeight || 24;
  const wrap = els.tableWrap;
  const head = (els.table.querySelector('thead') as HTMLElement | null)?.offsetHeight ?? 28;
  const top = index * rh + head;
  if (top < wrap.scrollTop + head || top + rh > wrap.scrollTop + wrap.clientHeight) wrap.scrollTop = Math.max(0, top - head - (wrap.clientHeight - head) / 2);
  renderRows();
}

function select(row: number, fromTable: boolean): void {
  selectedRow = row;
  if (!model) return;
  repaintOverlays();
  renderTable();
  const a = markedList(model).find((x) => x.row === row) ?? model.anomalies.find((x) => x.row === row);
  if (fromTable && a?.metric) document.querySelector(`[data-metric="${CSS.escape(a.metric)}"]`)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  if (!fromTable) {
    // A marker clicked on a chart: its row in the table comes into view, and the table into the page's view.
    const i = tableList.findIndex((x) => (x.kind === 'incident' ? row >= x.inc.startRow && row <= x.inc.endRow : x.a.row === row));
    scrollTableTo(i);
    document.querySelector(`tr[data-row="${row}"]`)?.scrollIntoView({ block: 'nearest' });
  }
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
    case 'model': {
      if (!els) buildLayout();
      if (!model && chosenView && chosenView !== m.model.view) post({ type: 'view', view: chosenView });
      if (model && model.file.path !== m.model.file.path) {
        // Another file: nothing the page asked for the previous one applies to it.
        zoom = null; windows.clear(); selectedRow = null; expanded.clear();
        pendingSettings = null; queuedSettings = null; inFlight = false; validFor = null;
        if (els) els.notice.hidden = true;
      }
      if (m.model.seriesUnchanged && model) m.model.series = model.series;
      // The host now shows the view chosen here (or the page never chose one).
      if (chosenView === m.model.view) chosenView = undefined;
      settingsAnswered();
      const prev = model;
      model = m.model;
      const hostKey = JSON.stringify(model.settings);
      const shownKey = pendingSettings ? JSON.stringify(pendingSettings) : hostKey;
      // The page's own findings stay when they are those of the settings it shows and the host's answer is for
      // older settings (a drag goes on) or agrees with them; otherwise the host's are taken.
      const keep = !!prev && prev.file.path === model.file.path && !model.pending.length && !model.failure && !model.live && !prev.live && validFor === shownKey
        && (hostKey !== shownKey || (prev.anomalies.length === model.anomalies.length && digestOf(prev.anomalies) === digestOf(model.anomalies)));
      if (keep) {
        model.anomalies = prev!.anomalies;
        model.totals = prev!.totals;
        // The incidents the page made from those findings, when they are of the same view and settings; else
        // the host's (which the table then draws).
        if (prev!.view === model.view && listsIncidents(prev!) && model.incidents && viewValidFor === shownKey) {
          model.incidents = prev!.incidents;
          model.incidentFindings = prev!.incidentFindings;
        } else {
          anomaliesVersion++;
          if (hostKey === shownKey) viewValidFor = hostKey;
        }
      } else {
        anomaliesVersion++;
        validFor = model.pending.length || model.failure || model.live ? null : hostKey;
        viewValidFor = validFor;
      }
      if (pendingSettings) {
        if (hostKey === shownKey) pendingSettings = null;
        else {
          const host = model.settings;
          model.settings = pendingSettings;
          if (!keep) validFor = reapplyLocally(host, pendingSettings) && validFor === hostKey ? shownKey : null;
        }
      }
      // view: what the host's model lists (the e2e tests wait for it after choosing a view).
      app.dataset.view = model.view;
      // settled: the host has answered the last settings sent (its findings are the ones shown).
      app.dataset.settled = String(!pendingSettings && !model.pending.length);
      els!.busy.hidden = model.pending.length === 0 && !pendingSettings;
      if (model.pending.length) els!.busy.textContent = `Running ${model.pending.map(detectorName).join(', ')}…`;
      save();
      renderHeader(model);
      renderControls(model);
      // The table (and its count) first, then the charts in the next frame: the numbers show at once.
      renderTable();
      redraw(model);
      break;
    }
    case 'localData':
      acceptLocalData(m.data);
      break;
    case 'tuning':
      acceptTuning(m.data);
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
      // May arrive before the first model: the filter is kept and applied when the table is drawn. A rule's
      // firings are rows (a minor rule may be in no incident of the default view): the table lists all rows.
      filters = { ...filters, detector: m.rule ? 'rule' : 'all', rule: m.rule };
      if (m.rule && (chosenView ?? model?.view) !== 'all') {
        chosenView = 'all';
        if (model) post({ type: 'view', view: 'all' });
      }
      save();
      if (els) { els.detectorFilter.value = filters.detector; renderTable(); }
      break;
  }
});

// A theme change (light/dark, or one dark theme for another: same class, other colours) redraws the charts.
const onTheme = new MutationObserver(() => {
  themeCache = null;
  themeVersion++;
  if (model) void renderCharts(model);
});
onTheme.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id', 'data-vscode-theme-name', 'data-vscode-theme-kind'] });
onTheme.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });

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
