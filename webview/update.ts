// The one place the page's state changes: update(state, message) for every message from the host and every
// thing the user does. Pure: returns the next state and the messages to post to the host; the DOM is the
// views' business (webview/views/), posting and timers main.ts's.
import type { DashboardModel, DashboardSettings, WebviewMessage } from '../src/protocol.ts';
import { assertNever, isViewChoice } from '../src/protocol.ts';
import { detectorName, markedList } from './findings.ts';
import { chartedMetrics } from './chartModel.ts';
import { computeShown, heldOf, outputsFor, withOutputs } from './local.ts';
import { idleSync, modelArrived, settingsChanged } from './settingsSync.ts';
import type { Message, SettingsChange, State } from './state.ts';

export interface Step {
  state: State;
  out: WebviewMessage[];
  /** A settings change the page computed what it shows for (before the host answers). */
  recomputed?: boolean;
}

export function update(state: State, msg: Message): Step {
  const s = state;
  switch (msg.type) {
    case 'model':
      return modelStep(s, msg.model);
    case 'localData':
      // New data: the outputs of the analysis of the old data do not apply to it (the host posts the new ones).
      return { state: { ...s, held: heldOf(msg.data), computed: null }, out: [] };
    case 'outputs': {
      if (!s.held || s.held.path !== msg.data.path) return { state: s, out: [] };
      // The outputs of a complete analysis: what the page shows is computed from them from now on (it replaces a
      // first model's findings: nothing is reconciled).
      const next: State = { ...s, held: withOutputs(s.held, msg.data) };
      return { state: computeShown(next) ?? next, out: [] };
    }
    case 'window':
      if (!s.model || !s.zoom || s.zoom[0] !== msg.x0 || s.zoom[1] !== msg.x1) return { state: s, out: [] };
      return { state: { ...s, windows: new Map(s.windows).set(msg.metric, msg.series) }, out: [] };
    case 'busy':
      return { state: { ...s, busy: { shown: msg.busy, text: msg.text ?? s.busy.text } }, out: [] };
    case 'notice':
      return { state: withNotice(s, msg.kind, msg.text), out: [] };
    case 'select':
      return withWindows(selected(s, msg.row, true));
    case 'alertDestination':
      return { state: { ...s, sendTo: msg.destination }, out: [] };
    case 'filterRule': {
      // May arrive before the first model: the filter is kept and applied when the table is drawn. A rule's
      // firings are rows (a minor rule may be in no incident of the default view): the table lists all rows.
      const next: State = { ...s, filters: { ...s.filters, detector: msg.rule ? 'rule' : 'all', rule: msg.rule } };
      if (msg.rule && (s.chosenView ?? s.model?.view) !== 'all') {
        return { state: { ...next, chosenView: 'all' }, out: s.model ? [{ type: 'view', view: 'all' }] : [] };
      }
      return { state: next, out: [] };
    }
    case 'ui/settings':
      return settingsStep(s, msg.change);
    case 'ui/view': {
      if (!isViewChoice(msg.view)) return { state: s, out: [] };
      const next: State = { ...s, chosenView: msg.view };
      return { state: computeShown(next) ?? next, out: [{ type: 'view', view: msg.view }] };
    }
    case 'ui/detectorFilter':
      return { state: { ...s, filters: { ...s.filters, detector: msg.detector, rule: null } }, out: [] };
    case 'ui/sort': {
      const key = msg.key;
      const dir = s.sort.key === key ? (s.sort.dir === 1 ? -1 : 1) : key === 'score' || key === 'severity' ? -1 : 1;
      return { state: { ...s, sort: { key, dir } }, out: [] };
    }
    case 'ui/toggleIncident': {
      const expanded = new Set(s.expanded);
      if (expanded.has(msg.id)) expanded.delete(msg.id);
      else expanded.add(msg.id);
      return { state: { ...s, expanded }, out: [] };
    }
    case 'ui/select':
      return withWindows(selected(s, msg.row, msg.fromTable, msg.metric));
    case 'ui/zoom':
      if (!s.model) return { state: s, out: [] };
      return withWindows({ ...s, zoom: msg.range, windows: new Map() });
    case 'ui/export':
      return { state: s, out: [{ type: 'export', format: msg.format, onlyAnomalies: msg.onlyAnomalies }] };
    case 'ui/sendWebhook':
      return { state: s, out: [{ type: 'sendWebhook' }] };
    case 'ui/revealRow':
      return { state: s, out: [{ type: 'revealRow', row: msg.row, ...(msg.metric !== undefined ? { metric: msg.metric } : {}) }] };
    case 'ui/saveThresholds':
      return { state: s, out: s.model ? [{ type: 'saveThresholds', thresholds: s.model.settings.thresholds }] : [] };
    case 'ui/chartsAll':
      return withWindows({ ...s, chartsAll: msg.on });
    default:
      return assertNever(msg);
  }
}

/**
 * The state, and the host's windows the zoom still needs: those of the charted metrics not received (a chart shown
 * while zoomed needs its own); the metrics named when not every one is charted.
 */
function withWindows(s: State): Step {
  if (!s.model || !s.zoom) return { state: s, out: [] };
  const charted = chartedMetrics(s.model, s.chartsAll, s.chartsPinned).metrics;
  const missing = charted.filter((x) => !s.windows.has(x));
  if (!missing.length) return { state: s, out: [] };
  const all = charted.length === s.model.metrics.length && missing.length === charted.length;
  return { state: s, out: [{ type: 'zoom', x0: s.zoom[0], x1: s.zoom[1], ...(all ? {} : { metrics: missing }) }] };
}

function selected(s: State, row: number, fromTable: boolean, chosen?: string | null): State {
  // A row of a metric whose chart is not drawn (a file of many metrics) gets its chart.
  const m = s.model;
  const metric = chosen !== undefined ? chosen : m && (markedList(m).find((a) => a.row === row) ?? m.anomalies.find((a) => a.row === row))?.metric;
  const pinned = metric && !s.chartsPinned.has(metric) ? new Set([...s.chartsPinned, metric]) : s.chartsPinned;
  return { ...s, selectedRow: row, chartsPinned: pinned, reveal: { row, fromTable, seq: (s.reveal?.seq ?? 0) + 1 } };
}

function withNotice(s: State, kind: 'info' | 'error', text: string): State {
  return { ...s, notice: { kind, text, hidden: false, seq: (s.notice?.seq ?? 0) + 1 } };
}

/** The settings after a change, as a new object. */
export function changed(settings: DashboardSettings, c: SettingsChange): DashboardSettings {
  const next: DashboardSettings = { ...settings, detectors: { ...settings.detectors }, thresholds: { ...settings.thresholds } };
  switch (c.kind) {
    case 'detector': next.detectors[c.detector] = c.on; break;
    case 'contamination': next.contamination = c.value === 0 ? 'calibrated' : c.value; break;
    case 'interval': next.interval = c.value; break;
    case 'threshold': next.thresholds[c.rule] = c.value; break;
    default: assertNever(c);
  }
  return next;
}

/**
 * A settings change: applied to the model at once, computed here when the page holds what it needs (the
 * host's model follows and carries nothing to compare), and sent to the host — or queued while it computes.
 */
function settingsStep(s: State, change: SettingsChange): Step {
  const m = s.model;
  if (!m) return { state: s, out: [] };
  const settings = changed(m.settings, change);
  let next: State = { ...s, model: { ...m, settings }, settled: false };
  const done = computeShown(next);
  if (done) next = done;
  else next = { ...next, busy: { shown: true, text: 'Computing…' } };
  const sent = settingsChanged(next.sync, settings);
  next = { ...next, sync: sent.sync };
  return { state: next, out: sent.send ? [{ type: 'settings', settings: sent.send, path: m.file.path }] : [], recomputed: !!done };
}

/**
 * A model from the host. With `byPage` the page computes what it shows from what it holds (for the settings it
 * shows: the user may have moved on since); else the host's findings are shown as they are, and the outputs the
 * page held (of an older analysis) are let go.
 */
function modelStep(state: State, incoming: DashboardModel): Step {
  let s = state;
  const out: WebviewMessage[] = [];
  if (!s.model && s.chosenView && s.chosenView !== incoming.view) out.push({ type: 'view', view: s.chosenView });
  if (s.model && s.model.file.path !== incoming.file.path) {
    // Another file: nothing the page asked for the previous one applies to it.
    s = { ...s, zoom: null, windows: new Map(), selectedRow: null, expanded: new Set(), chartsPinned: new Set(), chartsAll: false, sync: idleSync, notice: s.notice && { ...s.notice, hidden: true } };
  }
  const prev = s.model;
  // The host now shows the view chosen here (or the page never chose one).
  const chosenView = s.chosenView === incoming.view ? undefined : s.chosenView;
  const arrived = modelArrived(s.sync, incoming.settings);
  if (arrived.send && prev) out.push({ type: 'settings', settings: arrived.send, path: prev.file.path });
  const sync = arrived.send && !prev ? { ...arrived.sync, inFlight: false } : arrived.sync;
  const model: DashboardModel = { ...incoming, settings: arrived.shown, ...(incoming.seriesUnchanged && prev ? { series: prev.series } : {}) };
  let next: State = { ...s, model, chosenView, sync };
  let computing = false;
  if (model.byPage) {
    const done = computeShown(next);
    if (done) next = done;
    else if (prev && prev.file.path === model.file.path) {
      // Not computable for the settings shown yet (a fixed finding of older settings): what was shown stays until it is.
      const { anomalies, totals, incidents, incidentFindings, bands } = prev;
      next = { ...next, model: { ...model, view: prev.view, anomalies, totals, incidents, incidentFindings, bands } };
      computing = true;
    }
  } else {
    next = { ...next, held: next.held && outputsFor(next) ? { ...next.held, outputs: null } : next.held, computed: null, anomaliesVersion: s.anomaliesVersion + 1 };
  }
  const pendingNow = !!next.sync.pending || computing;
  const busy = { shown: model.pending.length > 0 || pendingNow, text: model.pending.length ? `Running ${model.pending.map(detectorName).join(', ')}…` : next.busy.text };
  next = { ...next, busy, settled: !pendingNow && !model.pending.length };
  return { state: failureNotice(next, model), out };
}
/** A failed analysis says why once; a complete one after it takes that notice away. */
function failureNotice(s: State, m: DashboardModel): State {
  let next = s;
  if (m.failure && m.failure !== s.shownFailure) next = withNotice(next, 'error', `Anomaly Hunter: ${m.failure}`);
  if (!m.failure && !m.pending.length && s.shownFailure && next.notice && !next.notice.hidden && next.notice.text.endsWith(s.shownFailure)) {
    next = { ...next, notice: { ...next.notice, hidden: true } };
  }
  if (!m.pending.length) next = { ...next, shownFailure: m.failure };
  return next;
}
