// The table of incidents (or flagged rows): its columns, a virtual list (only the rows in view are in the DOM,
// reused from one render to the next), sorting, filters, keyboard use and scrolling a row into view. What it
// lists comes from webview/tableRows.ts.
import { SEVERITIES } from '../../src/core/severity.ts';
import { FORECAST_CHECKS } from '../../src/core/anomaly.ts';
import { isViewChoice } from '../../src/protocol.ts';
import { awaitsIncidents, listsIncidents, markedList } from '../findings.ts';
import type { Message, SortKey, State } from '../state.ts';
import type { Item } from '../tableRows.ts';
import { durationText, emptyText, incidentSources, rowsOf, sourceName, tableItems, totalText, whenText } from '../tableRows.ts';
import { el, setText } from './dom.ts';

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

/** A table row's elements, one per column above. */
interface RowEls { tr: HTMLTableRowElement; caret: HTMLElement; timeText: Text; duration: HTMLElement; metric: HTMLElement; detector: HTMLElement; score: HTMLElement; sev: HTMLElement; sevText: Text; msg: HTMLElement }

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
  return { tr, caret, timeText, duration, metric, detector, score, sev, sevText, msg };
}

/** The metric a row's "Reveal in CSV" opens at (a long CSV's series each have their own line); kept off the DOM's attributes. */
const rowMetric = new WeakMap<HTMLElement, string | null>();
function setMetric(tr: HTMLElement, metric: string | null): void {
  rowMetric.set(tr, metric);
}

function fillRow(r: RowEls, item: Item, s: State): void {
  const m = s.model!;
  if (item.kind === 'incident') {
    const i = item.inc;
    const open = s.expanded.has(i.id);
    r.tr.dataset.row = String(i.peakRow);
    r.tr.dataset.incident = i.id;
    r.tr.dataset.kind = 'incident';
    setMetric(r.tr, i.metrics[0]?.metric ?? null);
    r.tr.setAttribute('aria-expanded', String(open));
    // Selected: its peak row, or (folded) any row of it, as "Open in dashboard" from a row of the CSV asks.
    const sel = s.selectedRow;
    r.tr.className = `incident${sel === i.peakRow || (!open && sel !== null && sel >= i.startRow && sel <= i.endRow) ? ' selected' : ''}`;
    r.caret.textContent = open ? '▾' : '▸';
    r.timeText.data = whenText(m, i.start, i.startRow);
    setText(r.duration, durationText(m, i));
    const metrics = i.metrics.map((x) => x.metric);
    setText(r.metric, metrics.length > 2 ? `${metrics.slice(0, 2).join(', ')} +${metrics.length - 2}` : metrics.join(', ') || '—');
    r.metric.title = i.metrics.map((x) => `${x.metric} ${Math.round(x.share * 100)} %`).join(', ');
    // The rules that fired are named in the tooltip (and the summary): the cell stays short.
    // The forecaster's checks by their names, as the summary and the CLI say them (JSON's detector is "forecast").
    setText(r.detector, incidentSources(i.detectors, listsIncidents(m) ? rowsOf(m, i) : []).join(', '));
    r.detector.title = i.rules.length ? `rules: ${i.rules.join(', ')}` : '';
    setText(r.score, i.score.toFixed(1));
    r.sev.className = `sev sev-${i.severity}`;
    if (r.sevText.data !== i.severity) r.sevText.data = i.severity;
    setText(r.msg, i.summary);
    r.msg.title = `${i.summary} (${i.count} finding${i.count === 1 ? '' : 's'})`;
    return;
  }
  if (item.kind === 'note') {
    r.tr.dataset.row = String(item.row);
    delete r.tr.dataset.incident;
    r.tr.dataset.kind = 'note';
    setMetric(r.tr, null);
    r.tr.removeAttribute('aria-expanded');
    r.tr.className = 'child note muted';
    r.caret.textContent = '';
    r.timeText.data = '';
    for (const cell of [r.duration, r.metric, r.detector, r.score]) setText(cell, '');
    r.sev.className = '';
    r.sevText.data = '';
    r.metric.title = r.detector.title = '';
    setText(r.msg, item.text);
    r.msg.title = item.text;
    return;
  }
  const a = item.a;
  r.tr.dataset.row = String(a.row);
  delete r.tr.dataset.incident;
  r.tr.dataset.kind = item.child ? 'finding' : 'row';
  setMetric(r.tr, a.metric ?? null);
  r.tr.removeAttribute('aria-expanded');
  r.tr.className = `${item.child ? 'child' : ''}${a.row === s.selectedRow ? ' selected' : ''}`.trim();
  r.caret.textContent = '';
  r.timeText.data = whenText(m, a.timestamp, a.row);
  setText(r.duration, '');
  setText(r.metric, a.metric ?? '—');
  r.metric.title = '';
  setText(r.detector, sourceName(a));
  r.detector.title = a.detector === 'forecast' && sourceName(a) !== 'forecast' ? `a check of the forecaster (detector "forecast" in exports)` : '';
  setText(r.score, a.score.toFixed(1));
  r.sev.className = `sev sev-${a.severity}`;
  if (r.sevText.data !== a.severity) r.sevText.data = a.severity;
  setText(r.msg, a.message);
  r.msg.title = a.message;
}

/** Rows drawn above and below the visible ones, so a scroll rarely shows blank space. */
const OVERSCAN = 10;

export interface TableView {
  section: HTMLElement;
  render(s: State): void;
  /** Brings a row into view: from the table, its chart; from a chart, its line in the table. */
  reveal(row: number, fromTable: boolean): void;
}

export function createTable(dispatch: (m: Message) => void, getState: () => State): TableView {
  const detectorFilter = el('select', { 'aria-label': 'Filter by detector', 'data-testid': 'filter-detector' });
  // The forecaster's checks under it (Forecast keeps them all; a check alone narrows to its findings).
  for (const [v, t] of [['all', 'All detectors'], ['iforest', 'Isolation Forest'], ['forecast', 'Forecast'], ...FORECAST_CHECKS.map((c) => [`check:${c}`, `\u2003${c[0].toUpperCase()}${c.slice(1)}`]), ['rule', 'Rules'], ['stream', 'Streaming']]) detectorFilter.append(el('option', { value: v }, t));
  // What the table lists: the incidents at or above a severity (the default view, SPEC §7), or every flagged row.
  const viewSelect = el('select', { 'aria-label': 'Show', 'data-testid': 'view-select', title: 'Incidents at or above a severity (the default view), or every row a detector flagged' });
  for (const sev of SEVERITIES) viewSelect.append(el('option', { value: sev }, `${sev[0].toUpperCase()}${sev.slice(1)} incidents${sev === 'critical' ? '' : ' and above'}`));
  viewSelect.append(el('option', { value: 'all' }, 'All flagged rows'));
  detectorFilter.value = getState().filters.detector;
  detectorFilter.addEventListener('change', () => dispatch({ type: 'ui/detectorFilter', detector: detectorFilter.value }));
  viewSelect.addEventListener('change', () => { if (isViewChoice(viewSelect.value)) dispatch({ type: 'ui/view', view: viewSelect.value }); });

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
      const activate = (): void => dispatch({ type: 'ui/sort', key });
      th.addEventListener('click', activate);
      th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); activate(); } });
    }
    tableHead.append(th);
  }
  tableHead.setAttribute('aria-rowindex', '1');
  const body = el('tbody');
  const cols = el('colgroup');
  for (const c of COLUMNS) cols.append(el('col', { class: `col-${c.col}` }));
  const thead = el('thead', {}, tableHead);
  const table = el('table', { 'data-testid': 'anomaly-table', class: 'anomalies', 'aria-rowcount': '1' }, cols, thead, body);
  const wrap = el('div', { class: 'table-wrap' }, table);
  const heading = el('h2', {}, 'Incidents');
  const section = el('section', { class: 'table-section' },
    // The two filters in one group: in a narrow pane they wrap to the next line together, not one by one.
    el('div', { class: 'table-bar' }, heading, count, total, el('div', { class: 'table-filters', role: 'group', 'aria-label': 'Filters' }, viewSelect, detectorFilter)),
    wrap);
  const spacerTop = el('tr', { class: 'spacer', 'aria-hidden': 'true' }, el('td', { colspan: String(COLUMNS.length) }));
  const spacerBottom = el('tr', { class: 'spacer', 'aria-hidden': 'true' }, el('td', { colspan: String(COLUMNS.length) }));

  const rowPool: RowEls[] = [];
  /** What the table lists (filtered and sorted); only the rows in view are in the DOM. */
  let list: Item[] = [];
  let tableKey = '';
  let shownExpanded: ReadonlySet<string> | null = null;
  /** Goes up when the list or the selection changes: renderRows then rewrites the rows in view. */
  let version = 0;
  let drawnRows = '';
  /** A row's height in px (rows do not wrap: see dashboard.css), measured from the first row drawn. */
  let rowHeight = 0;
  let wrapHeight = 0;
  let scrollFrame = 0;

  /**
   * The list index of the table row that has the keyboard focus, or null. A row stays the page's activeElement when
   * the focus has left the page (the command palette, an editor): then it is not focused, and a redraw must not
   * focus it again, which would pull the focus back into the page (a live window redraws every second).
   */
  const focusedIndex = (): number | null => {
    if (!document.hasFocus()) return null;
    const f = document.activeElement as HTMLElement | null;
    if (!f || f.tagName !== 'TR' || !f.dataset.row || !body.contains(f)) return null;
    const i = Number(f.getAttribute('aria-rowindex')) - 2;
    return Number.isInteger(i) && i >= 0 ? i : null;
  };

  /**
   * Puts the rows around the scroll position in the table, with spacers for the others: a page of thousands
   * lays out as fast as one of fifty. The row that has the keyboard focus keeps it.
   */
  const renderRows = (): void => {
    const s = getState();
    if (!s.model) return;
    const rh = rowHeight || 24;
    const visible = Math.ceil((wrapHeight || 420) / rh);
    const first = Math.max(0, Math.min(list.length - 1, Math.floor(wrap.scrollTop / rh)) - OVERSCAN);
    const end = Math.min(list.length, first + visible + 2 * OVERSCAN);
    const drawn = `${version}|${first}|${end}`;
    if (drawn === drawnRows) return;
    drawnRows = drawn;
    const focused = focusedIndex();
    // An empty list shows its message alone: no spacer rows (each would draw a blank bordered strip).
    const rows: HTMLElement[] = list.length ? [spacerTop] : [el('tr', {}, el('td', { colspan: String(COLUMNS.length), class: 'empty muted' }, emptyText(s.model)))];
    for (let i = first; i < end; i++) {
      const r = rowPool[i - first] ??= makeRow();
      fillRow(r, list[i], s);
      r.tr.setAttribute('aria-rowindex', String(i + 2));
      rows.push(r.tr);
    }
    if (list.length) rows.push(spacerBottom);
    spacerTop.style.height = `${first * rh}px`;
    spacerBottom.style.height = `${(list.length - end) * rh}px`;
    body.replaceChildren(...rows);
    if (focused !== null && focused >= first && focused < end) rowPool[focused - first].tr.focus({ preventScroll: true });
    if (!rowHeight && end > first) {
      // Measured once, after this frame's layout: later renders place their spacers with it.
      requestAnimationFrame(() => {
        const tr = rowPool[0]?.tr;
        const height = tr?.isConnected ? tr.getBoundingClientRect().height : 0;
        if (!rowHeight && height > 0) { rowHeight = height; drawnRows = ''; renderRows(); }
      });
    }
  };

  /** Scrolls the table so that the line at `index` of the list is in view (below the sticky header). */
  const scrollTo = (index: number): void => {
    if (index < 0) return;
    const rh = rowHeight || 24;
    const head = thead.offsetHeight || 28;
    const top = index * rh + head;
    if (top < wrap.scrollTop + head || top + rh > wrap.scrollTop + wrap.clientHeight) wrap.scrollTop = Math.max(0, top - head - (wrap.clientHeight - head) / 2);
    renderRows();
  };

  /** Moves the keyboard focus to the line at list index i (scrolling it into view). */
  const focusRow = (i: number): void => {
    if (i < 0 || i >= list.length) return;
    scrollTo(i);
    const tr = rowPool.find((r) => r.tr.isConnected && Number(r.tr.getAttribute('aria-rowindex')) - 2 === i)?.tr;
    tr?.focus({ preventScroll: true });
    tr?.scrollIntoView({ block: 'nearest' });
  };

  // One listener for every row: a click on an incident opens it (and selects its peak), on a row selects the
  // point; "Reveal in CSV" opens the file there; Enter selects, Space or ←/→ open and close an incident.
  body.addEventListener('click', (ev) => {
    const target = ev.target as HTMLElement;
    const tr = target.closest('tr[data-row]') as HTMLElement | null;
    if (!tr) return;
    const row = Number(tr.dataset.row);
    const inc = tr.dataset.incident;
    const startRow = inc ? getState().model?.incidents?.find((i) => i.id === inc)?.startRow : undefined;
    if (target.closest('button.reveal')) {
      const metric = rowMetric.get(tr);
      dispatch({ type: 'ui/revealRow', row: startRow ?? row, ...(metric ? { metric } : {}) });
    }
    else {
      if (inc !== undefined) dispatch({ type: 'ui/toggleIncident', id: inc });
      dispatch({ type: 'ui/select', row, fromTable: true, metric: rowMetric.get(tr) ?? null });
    }
  });
  body.addEventListener('keydown', (ev) => {
    const tr = (ev.target as HTMLElement).closest('tr[data-row]') as HTMLElement | null;
    if (!tr || (ev.target as HTMLElement).tagName !== 'TR') return;
    const i = Number(tr.getAttribute('aria-rowindex')) - 2;
    const inc = tr.dataset.incident;
    const open = inc !== undefined && getState().expanded.has(inc);
    const step = ev.key === 'ArrowDown' ? 1 : ev.key === 'ArrowUp' ? -1 : ev.key === 'PageDown' ? 10 : ev.key === 'PageUp' ? -10 : 0;
    if (ev.key === 'Enter') dispatch({ type: 'ui/select', row: Number(tr.dataset.row), fromTable: true, metric: rowMetric.get(tr) ?? null });
    else if (inc !== undefined && (ev.key === ' ' || (ev.key === 'ArrowRight' && !open) || (ev.key === 'ArrowLeft' && open))) { ev.preventDefault(); dispatch({ type: 'ui/toggleIncident', id: inc }); focusRow(i); }
    else if (ev.key === 'Home' || ev.key === 'End') { ev.preventDefault(); focusRow(ev.key === 'Home' ? 0 : list.length - 1); }
    else if (step) { ev.preventDefault(); focusRow(Math.max(0, Math.min(list.length - 1, i + step))); }
  });
  wrap.addEventListener('scroll', () => {
    if (scrollFrame) return;
    scrollFrame = requestAnimationFrame(() => { scrollFrame = 0; renderRows(); });
  }, { passive: true });
  new ResizeObserver(() => { wrapHeight = wrap.clientHeight; }).observe(wrap);

  const render = (s: State): void => {
    if (detectorFilter.value !== s.filters.detector) detectorFilter.value = s.filters.detector;
    const m = s.model;
    if (!m) return;
    const incidents = listsIncidents(m);
    // While the detectors run, a severity view has no incidents yet: its heading and columns stay those of incidents.
    const incidentsMode = incidents || awaitsIncidents(m);
    for (const th of headCells) {
      if (!th.dataset.key) continue;
      const sorted = th.dataset.key === s.sort.key ? (s.sort.dir === 1 ? 'ascending' : 'descending') : 'none';
      if (th.getAttribute('aria-sort') !== sorted) th.setAttribute('aria-sort', sorted);
    }
    // Nothing to do when the findings, the view, the filters, the order and the selection are what the table shows.
    const key = [s.anomaliesVersion, m.view, incidents, m.pending.join(), s.filters.detector, s.filters.rule ?? '', s.sort.key, s.sort.dir, s.selectedRow ?? ''].join('|');
    if (key === tableKey && shownExpanded === s.expanded) return;
    tableKey = key;
    shownExpanded = s.expanded;
    table.classList.toggle('rows-mode', !incidentsMode);
    // A live window's incident still open says so in its Duration cell ("1h30m, ongoing"): the column widens for it.
    table.classList.toggle('ongoing', incidentsMode && !!m.incidents?.some((i) => i.ongoing));
    COLUMNS.forEach((c, i) => {
      const label = incidentsMode ? c.incident : c.row;
      if (headCells[i].firstChild?.textContent !== label) headCells[i].textContent = label;
    });
    // The heading is the count's unit: a row flagged by two detectors is two findings, two lines.
    heading.textContent = incidentsMode ? 'Incidents' : 'Findings';
    viewSelect.value = s.chosenView ?? m.view;
    // A live window has no incidents: its rows are all there is to list.
    viewSelect.disabled = !m.incidents;
    list = tableItems(m, s.filters, s.sort, s.expanded);
    version++;
    renderRows();
    // anomaly-count: the incidents (or rows) listed with the current filters; an incident's open rows do not count.
    const listed = incidents ? list.filter((x) => x.kind === 'incident').length : list.length;
    count.textContent = listed.toLocaleString('en');
    // No count while the incidents are still being computed: the table says so instead of "0".
    count.hidden = incidentsMode && !incidents;
    const all = incidents ? m.incidents!.length : incidentsMode ? 0 : m.anomalies.length;
    total.textContent = incidentsMode && !incidents ? '' : totalText(m, listed, all, s.filters.rule);
    table.setAttribute('aria-rowcount', String(list.length + 1));
  };

  const reveal = (row: number, fromTable: boolean): void => {
    const m = getState().model;
    if (!m) return;
    const a = markedList(m).find((x) => x.row === row) ?? m.anomalies.find((x) => x.row === row);
    if (fromTable && a?.metric) document.querySelector(`[data-metric="${CSS.escape(a.metric)}"]`)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    if (!fromTable) {
      // A marker clicked on a chart: its line in the table comes into view, and the table into the page's view.
      scrollTo(list.findIndex((x) => (x.kind === 'incident' ? row >= x.inc.startRow && row <= x.inc.endRow : x.kind === 'row' && x.a.row === row)));
      document.querySelector(`tr[data-row="${row}"]`)?.scrollIntoView({ block: 'nearest' });
    }
  };
  return { section, render, reveal };
}
