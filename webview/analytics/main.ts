// The History & Analytics view: the workspace history's figures (src/core/history/analytics.ts) as Plotly
// charts and tables. DOM only; every string that came from a CSV or a rules file (metric, rule, file names,
// summaries) is put on the page as text (textContent) or escaped for Plotly's pseudo-HTML labels, never as
// markup. Talks to the host through src/protocol.ts (HistoryHostMessage / HistoryWebviewMessage).
import type { DayCounts, HistoryReport, RecentIncident } from '../../src/core/history/analytics.ts';
import { OUTCOMES } from '../../src/core/history/analytics.ts';
import { SEVERITIES, SEVERITY_COLOR } from '../../src/core/severity.ts';
import { formatDuration } from '../../src/core/rules/duration.ts';
import type { HistoryHostMessage, HistoryWebviewMessage } from '../../src/protocol.ts';
import { escapeLabel } from '../format.ts';
import { el } from '../views/dom.ts';
import { cssVar, watchTheme } from '../views/theme.ts';
import { filled } from './figures.ts';

interface VsCodeApi { postMessage(m: HistoryWebviewMessage): void }
declare function acquireVsCodeApi(): VsCodeApi;
declare const Plotly: {
  react(el: HTMLElement, data: unknown[], layout: unknown, config?: unknown): Promise<unknown>;
  purge(el: HTMLElement): void;
};

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
/** Series drawn per chart at most: the noisiest, the rest summed as "other". */
const TOP_SERIES = 7;

let last: HistoryHostMessage | null = null;
// A theme change (light/dark, or one dark theme for another) redraws with the new theme's colours.
const theme = watchTheme(() => { palette = null; if (last) render(last); });
let palette: string[] | null = null;

/** Series colours for metrics and rules: the theme's chart colours. */
function colors(): string[] {
  const v = cssVar;
  const light = theme.colors().light;
  return palette ??= [
    v('--vscode-charts-blue', '#3794ff'), v('--vscode-charts-green', '#89d185'), v('--vscode-charts-purple', '#b180d7'),
    v('--vscode-charts-orange', '#d18616'), v('--vscode-charts-yellow', '#cca700'), v('--vscode-charts-red', '#f14c4c'),
    light ? '#00838f' : '#4dd0e1', light ? '#6d4c41' : '#bcaaa4',
  ];
}

const plural = (n: number, noun: string): string => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function layout(yTitle: string, buckets: number, max: number): Record<string, unknown> {
  const t = theme.colors();
  return {
    barmode: 'stack', height: 250, margin: { l: 44, r: 12, t: 8, b: 36 },
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: t.font, color: t.fg, size: 12 },
    xaxis: { type: 'category', gridcolor: t.grid, linecolor: t.grid, tickcolor: t.grid, automargin: true },
    // Counts: whole ticks (one apart while the bars are short, else Plotly's own).
    yaxis: { title: { text: yTitle, font: { color: t.muted, size: 11 } }, gridcolor: t.grid, zerolinecolor: t.grid, rangemode: 'tozero', automargin: true, ...(max <= 10 ? { dtick: 1, tickformat: 'd' } : {}) },
    showlegend: true, // also for one series: its name is the legend
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom', font: { color: t.fg }, bgcolor: 'rgba(0,0,0,0)' },
    hoverlabel: { bgcolor: t.hoverBg, bordercolor: t.hoverBorder, font: { color: t.hoverFg } },
    // A few buckets are not drawn as slabs.
    bargap: buckets < 4 ? 0.6 : buckets < 12 ? 0.4 : 0.2,
  };
}

const CONFIG = { displaylogo: false, responsive: true, displayModeBar: false };

/** A chart card: its title, a note, and the element Plotly draws into (marked rendered once drawn). */
function chartCard(testid: string, title: string, note: string): { card: HTMLElement; plot: HTMLElement } {
  const plot = el('div', { class: 'history-plot', 'data-testid': testid });
  const card = el('section', { class: 'card chart-card' }, el('h2', {}, title), el('p', { class: 'muted note' }, note), plot);
  return { card, plot };
}

async function draw(plot: HTMLElement, traces: unknown[], yTitle: string, total: number): Promise<void> {
  // The tallest stack: the y axis's ticks depend on it.
  const ys = traces.map((t) => (t as { y: number[] }).y);
  const n = ys[0]?.length ?? 0;
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, ys.reduce((s, y) => s + y[i], 0));
  await Plotly.react(plot, traces, layout(yTitle, n, max), CONFIG);
  plot.dataset.total = String(total);
  plot.classList.add('rendered');
}

/** Stacked bars per bucket of the named series (the noisiest TOP_SERIES, the rest as "other"). */
function seriesTraces(buckets: DayCounts[], x: string[], pick: (b: DayCounts) => Record<string, number>, ranked: string[]): { traces: unknown[]; total: number } {
  const top = ranked.slice(0, TOP_SERIES);
  const traces: unknown[] = top.map((name, k) => ({
    type: 'bar', name: escapeLabel(name), x, y: buckets.map((b) => pick(b)[name] ?? 0),
    marker: { color: colors()[k % colors().length] },
    hovertemplate: '%{fullData.name}: %{y}<extra>%{x}</extra>',
  }));
  const rest = new Set(ranked.slice(TOP_SERIES));
  if (rest.size) {
    traces.push({
      type: 'bar', name: `other (${rest.size})`, x, marker: { color: theme.colors().muted },
      y: buckets.map((b) => Object.entries(pick(b)).reduce((n, [k, v]) => n + (rest.has(k) ? v : 0), 0)),
      hovertemplate: 'other: %{y}<extra>%{x}</extra>',
    });
  }
  const total = buckets.reduce((n, b) => n + Object.values(pick(b)).reduce((a, v) => a + v, 0), 0);
  return { traces, total };
}

function rankTable(testid: string, title: string, rows: { name: string; n: number }[], of: number, empty: string): HTMLElement {
  const card = el('section', { class: 'card' }, el('h2', {}, title));
  if (!rows.length) { card.append(el('p', { class: 'muted' }, empty)); return card; }
  const body = el('tbody');
  const max = Math.max(...rows.map((r) => r.n));
  for (const r of rows.slice(0, 10)) {
    const bar = el('span', { class: 'rank-bar' });
    bar.style.width = `${Math.max(2, Math.round((100 * r.n) / max))}%`;
    body.append(el('tr', { 'data-testid': `${testid}-row` },
      el('td', { class: 'name', title: r.name }, r.name),
      el('td', { class: 'num' }, r.n.toLocaleString('en')),
      el('td', { class: 'share' }, bar, el('span', { class: 'muted' }, of ? ` ${Math.round((100 * r.n) / of)}%` : ''))));
  }
  card.append(el('table', { class: 'rank', 'data-testid': testid }, el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', { class: 'num' }, 'Incidents'), el('th', {}, 'Share of incidents'))), body));
  return card;
}

function stat(label: string, value: string, testid: string): HTMLElement {
  return el('div', { class: 'stat', 'data-testid': testid }, el('div', { class: 'stat-value' }, value), el('div', { class: 'stat-label muted' }, label));
}

function durationsCard(r: HistoryReport): HTMLElement {
  const d = r.durations;
  const card = el('section', { class: 'card', 'data-testid': 'history-durations' }, el('h2', {}, 'How long incidents last'));
  if (!d.count) { card.append(el('p', { class: 'muted' }, 'No incident with start and end times (the data has no timestamps).')); return card; }
  const f = (ms: number | null): string => (ms === null ? '—' : formatDuration(ms) || '0s');
  card.append(el('div', { class: 'stats' }, stat('median', f(d.medianMs), 'history-duration-median'), stat('90% within', f(d.p90Ms), 'history-duration-p90'), stat('longest', f(d.maxMs), 'history-duration-max')),
    el('p', { class: 'muted note' }, `From the first to the last row of ${plural(d.count, 'incident')}, plus one sampling step, in data time (as their summaries and the dashboard say).`));
  return card;
}

const OUTCOME_NOTE: Record<(typeof OUTCOMES)[number], string> = {
  sent: 'delivered', throttled: 'held: sent too recently', deduplicated: 'held: already sent', failed: 'not delivered',
};

function alertsCard(r: HistoryReport): HTMLElement {
  const a = r.alerts;
  const card = el('section', { class: 'card', 'data-testid': 'history-alerts' }, el('h2', {}, 'Alert outcomes'));
  if (!a.total) {
    card.append(el('p', { class: 'muted' }, 'No alert sent yet: "Anomaly Hunter: Send Incidents to Alert Destination" (or the dashboard\'s Send button) records what happened to each incident\'s webhook alert.'));
    return card;
  }
  card.append(el('div', { class: 'stats' }, ...OUTCOMES.map((o) => {
    const s = stat(OUTCOME_NOTE[o], a.outcomes[o].toLocaleString('en'), `history-alerts-${o}`);
    s.prepend(el('div', { class: `stat-title outcome-${o}` }, capital(o)));
    return s;
  })));
  const channels = Object.entries(a.byChannel);
  if (channels.length) {
    card.append(el('p', { class: 'muted note' }, 'By channel: ' + channels.map(([c, n]) => `${c} ${OUTCOMES.filter((o) => n[o]).map((o) => `${n[o]} ${o}`).join(', ')}`).join('; ')));
  }
  if (a.failures.length) {
    const ul = el('ul', { class: 'failures' });
    for (const f of a.failures) ul.append(el('li', {}, `${f.count}× ${f.reason || 'no reason given'}`));
    card.append(el('h3', {}, 'Why alerts failed'), ul);
  }
  return card;
}

/** An incident's start in UTC, as the column says (a file written at an offset records its wall clock with it). */
function timeText(iso: string | null): string {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('T', ' ').replace(/(:00)?(\.000)?Z$/, '') : '';
}

function incidentsCard(r: HistoryReport): HTMLElement {
  const card = el('section', { class: 'card wide' }, el('h2', {}, 'Recent incidents'),
    el('p', { class: 'muted note' }, 'Latest first; the duration is from the first to the last flagged row plus one sampling step, as in the dashboard. Click one to open its file\'s dashboard at it.'));
  const body = el('tbody');
  for (const i of r.recent) {
    const sev = el('span', { class: `sev sev-${i.severity}` }, el('span', { class: 'dot' }), i.severity);
    const row = el('tr', { 'data-testid': 'history-incident-row', tabindex: '0', title: `Open ${i.source} at this incident` },
      el('td', { class: 'nowrap' }, timeText(i.start) || `row ${i.startRow + 1}`),
      el('td', { class: 'nowrap' }, i.durationMs === null ? '—' : formatDuration(i.durationMs) || '0s'),
      el('td', {}, sev),
      el('td', { class: 'num' }, String(Math.round(i.score))),
      el('td', { class: 'file', title: i.source }, i.source),
      el('td', { class: 'metrics', title: i.metrics.join(', ') }, i.metrics.join(', ')),
      el('td', { class: 'msg', title: i.summary }, i.summary));
    row.dataset.source = i.source;
    const open = (): void => openIncident(i);
    row.addEventListener('click', open);
    row.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } });
    body.append(row);
  }
  const head = el('tr', {}, ...['Start (UTC)', 'Duration', 'Severity', 'Score', 'File', 'Metrics', 'Summary'].map((h) => el('th', {}, h)));
  card.append(el('div', { class: 'table-wrap' }, el('table', { class: 'anomalies history-incidents', 'data-testid': 'history-incidents' }, el('thead', {}, head), body)));
  return card;
}

function openIncident(i: RecentIncident): void {
  vscode.postMessage({ type: 'openIncident', source: i.source, id: i.id, row: i.startRow });
}

function header(r: HistoryReport | null): HTMLElement {
  const refresh = el('button', { class: 'link', 'data-testid': 'history-refresh', title: 'Read the history again' }, 'Refresh');
  refresh.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  const sev = r ? SEVERITIES.filter((s) => r.bySeverity[s]).map((s) => `${r.bySeverity[s]} ${s}`).join(', ') : '';
  const summary = r ? `${plural(r.incidents, 'incident')}${sev ? ` (${sev})` : ''} from ${plural(r.runs, 'recorded run')}` : '';
  return el('div', { class: 'header' }, el('h1', {}, 'History & Analytics'), el('span', { class: 'muted', 'data-testid': 'history-summary' }, summary), el('span', { class: 'spacer' }), refresh);
}

function render(m: HistoryHostMessage): void {
  const scrolled = window.scrollY;
  for (const p of app.querySelectorAll<HTMLElement>('.history-plot')) Plotly.purge(p);
  app.replaceChildren();
  const r = m.report;
  app.append(header(r));
  if (m.error) app.append(el('div', { class: 'notice error', 'data-testid': 'history-error' }, m.error));
  if (!r || (r.incidents === 0 && r.alerts.total === 0)) {
    app.append(el('div', { class: 'empty', 'data-testid': 'history-empty' },
      el('h2', {}, 'No history yet'),
      el('p', {}, 'Analyse a CSV file (“Anomaly Hunter: Analyze CSV File…”, or open it with the dashboard) and its incidents are recorded here, one history for this workspace. Live streams and webhook sends are recorded too; analyse the file again as it grows and the new incidents are added.')));
  } else {
    const buckets = filled(r);
    const unit = r.over.unit;
    const x = buckets.map((b) => (unit === 'week' ? `wk ${b.day}` : b.day));
    const per = unit === 'week' ? 'week (from Monday, UTC)' : 'day (UTC)';
    const sevChart = chartCard('history-chart-severity', `Incidents per ${unit} by severity`, `By the ${per} each incident started in the data.`);
    const metricChart = chartCard('history-chart-metric', `Incidents per ${unit} by metric`, 'An incident on several metrics counts for each.');
    const ruleChart = chartCard('history-chart-rule', `Incidents per ${unit} by rule`, 'Incidents in which each rule fired.');
    sevChart.card.classList.add('span-all');
    app.append(el('div', { class: 'history-grid' }, sevChart.card, metricChart.card, ruleChart.card));
    const sevTraces = SEVERITIES.slice().reverse().map((s) => ({
      type: 'bar', name: s, x, y: buckets.map((b) => b.severity[s]), marker: { color: SEVERITY_COLOR[s] },
      hovertemplate: `${s}: %{y}<extra>%{x}</extra>`,
    }));
    void draw(sevChart.plot, sevTraces, 'incidents', buckets.reduce((n, b) => n + b.total, 0));
    const metricT = seriesTraces(buckets, x, (b) => b.metrics, r.byMetric.map((m2) => m2.metric));
    void draw(metricChart.plot, metricT.traces, 'incidents', metricT.total);
    if (r.byRule.length) {
      const ruleT = seriesTraces(buckets, x, (b) => b.rules, r.byRule.map((m2) => m2.rule));
      void draw(ruleChart.plot, ruleT.traces, 'incidents', ruleT.total);
    } else {
      ruleChart.plot.replaceWith(el('p', { class: 'muted no-chart', 'data-testid': 'history-chart-rule' }, 'No rule fired in any recorded incident (rules come from a rules file beside the CSV).'));
    }
    app.append(el('div', { class: 'history-grid three' },
      rankTable('history-noisy-metrics', 'Noisiest metrics', r.byMetric.map((v) => ({ name: v.metric, n: v.incidents })), r.incidents, 'No metric.'),
      rankTable('history-noisy-rules', 'Noisiest rules', r.byRule.map((v) => ({ name: v.rule, n: v.incidents })), r.incidents, 'No rule fired.'),
      rankTable('history-detectors', 'By detector', r.byDetector.map((v) => ({ name: v.detector, n: v.incidents })), r.incidents, 'No detector.')));
    app.append(el('div', { class: 'history-grid' }, durationsCard(r), alertsCard(r)));
    if (r.recent.length) app.append(incidentsCard(r));
  }
  app.append(el('p', { class: 'muted footer', 'data-testid': 'history-where' }, `Recorded in ${m.where}`));
  app.dataset.incidents = String(r?.incidents ?? 0);
  window.scrollTo(0, scrolled);
}

window.addEventListener('message', (ev: MessageEvent<HistoryHostMessage>) => {
  if (ev.data?.type !== 'history') return;
  last = ev.data;
  render(last);
});

vscode.postMessage({ type: 'ready' });
