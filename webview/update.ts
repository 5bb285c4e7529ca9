// The one place the page's state changes: update(state, message) for every message from the host and every
// thing the user does. Pure: returns the next state and the messages to post to the host; the DOM is the
// views' business (webview/views/), posting and timers main.ts's.
import type { DashboardModel, DashboardSettings, WebviewMessage } from '../src/protocol.ts';
import { assertNever, isViewChoice } from '../src/protocol.ts';
import { detectorName, digestOf, listsIncidents } from './findings.ts';
import type { LocalDetector } from './local.ts';
import { applyLocally, frameOf, prepareView, reapplyLocally, tunedOf } from './local.ts';
import { idleSync, modelArrived, settingsChanged } from './settingsSync.ts';
import type { Message, SettingsChange, State } from './state.ts';

export interface Step {
  state: State;
  out: WebviewMessage[];
  /** A settings change whose findings were recomputed here (the page shows them before the host answers). */
  recomputed?: boolean;
}

export function update(state: State, msg: Message): Step {
  const s = state;
  switch (msg.type) {
    case 'model':
      return modelStep(s, msg.model);
    case 'localData':
      return { state: { ...s, local: frameOf(msg.data), validFor: null }, out: [] };
    case 'tuning':
      return { state: { ...s, tuned: tunedOf(msg.data), validFor: null }, out: [] };
    case 'window':
      if (!s.model || !s.zoom || s.zoom[0] !== msg.x0 || s.zoom[1] !== msg.x1) return { state: s, out: [] };
      return { state: { ...s, windows: new Map(s.windows).set(msg.metric, msg.series) }, out: [] };
    case 'busy':
      return { state: { ...s, busy: { shown: msg.busy, text: msg.text ?? s.busy.text } }, out: [] };
    case 'notice':
      return { state: withNotice(s, msg.kind, msg.text), out: [] };
    case 'select':
      return { state: selected(s, msg.row, true), out: [] };
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
    case 'ui/view':
      if (!isViewChoice(msg.view)) return { state: s, out: [] };
      return { state: { ...s, chosenView: msg.view }, out: [{ type: 'view', view: msg.view }] };
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
      return { state: selected(s, msg.row, msg.fromTable), out: [] };
    case 'ui/zoom':
      if (!s.model) return { state: s, out: [] };
      return { state: { ...s, zoom: msg.range, windows: new Map() }, out: msg.range ? [{ type: 'zoom', x0: msg.range[0], x1: msg.range[1] }] : [] };
    case 'ui/export':
      return { state: s, out: [{ type: 'export', format: msg.format, onlyAnomalies: msg.onlyAnomalies }] };
    case 'ui/sendWebhook':
      return { state: s, out: [{ type: 'sendWebhook' }] };
    case 'ui/revealRow':
      return { state: s, out: [{ type: 'revealRow', row: msg.row }] };
    case 'ui/saveThresholds':
      return { state: s, out: s.model ? [{ type: 'saveThresholds', thresholds: s.model.settings.thresholds }] : [] };
    case 'ui/idle':
      return { state: prepareView(s), out: [] };
    default:
      return assertNever(msg);
  }
}

function selected(s: State, row: number, fromTable: boolean): State {
  return { ...s, selectedRow: row, reveal: { row, fromTable, seq: (s.reveal?.seq ?? 0) + 1 } };
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

/** The detector a settings change can be recomputed for here (a toggle needs the host's fits). */
function localDetector(c: SettingsChange): { what: LocalDetector; rule?: string } | null {
  return c.kind === 'contamination' ? { what: 'iforest' } : c.kind === 'interval' ? { what: 'forecast' } : c.kind === 'threshold' ? { what: 'rules', rule: c.rule } : null;
}

/**
 * A settings change: applied to the model at once, recomputed here when the slider's detector can be (the
 * host's model, computed the same way, follows quietly), and sent to the host — or queued while it computes.
 */
function settingsStep(s: State, change: SettingsChange): Step {
  const m = s.model;
  if (!m) return { state: s, out: [] };
  const before = JSON.stringify(m.settings);
  const settings = changed(m.settings, change);
  let next: State = { ...s, model: { ...m, settings }, validFor: null, settled: false };
  const local = localDetector(change);
  const done = local ? applyLocally(next, local.what, local.rule) : null;
  if (done) next = done.state;
  if (done?.ok) {
    // The list was the findings of the settings before this change, and the one setting changed was redone here.
    if (s.validFor === before) next = { ...next, validFor: JSON.stringify(settings) };
  } else {
    next = { ...next, busy: { shown: true, text: 'Computing…' } };
  }
  const sent = settingsChanged(next.sync, settings);
  next = { ...next, sync: sent.sync };
  return { state: next, out: sent.send ? [{ type: 'settings', settings: sent.send, path: m.file.path }] : [], recomputed: !!done?.ok };
}

/**
 * A model from the host. The page's own findings stay when they are those of the settings it shows and the
 * host's answer is for older settings (a drag goes on) or agrees with them; otherwise the host's are taken.
 */
function modelStep(state: State, incoming: DashboardModel): Step {
  let s = state;
  const out: WebviewMessage[] = [];
  if (!s.model && s.chosenView && s.chosenView !== incoming.view) out.push({ type: 'view', view: s.chosenView });
  if (s.model && s.model.file.path !== incoming.file.path) {
    // Another file: nothing the page asked for the previous one applies to it.
    s = { ...s, zoom: null, windows: new Map(), selectedRow: null, expanded: new Set(), sync: idleSync, validFor: null, notice: s.notice && { ...s.notice, hidden: true } };
  }
  const prev = s.model;
  let model: DashboardModel = incoming.seriesUnchanged && prev ? { ...incoming, series: prev.series } : incoming;
  // The host now shows the view chosen here (or the page never chose one).
  const chosenView = s.chosenView === model.view ? undefined : s.chosenView;
  const arrived = modelArrived(s.sync, model.settings);
  if (arrived.send && prev) out.push({ type: 'settings', settings: arrived.send, path: prev.file.path });
  const sync = arrived.send && !prev ? { ...arrived.sync, inFlight: false } : arrived.sync;
  const hostKey = JSON.stringify(model.settings);
  const shownKey = JSON.stringify(arrived.shown);
  let { validFor, viewValidFor, anomaliesVersion } = s;
  const keep = !!prev && prev.file.path === model.file.path && !model.pending.length && !model.failure && !model.live && !prev.live && s.validFor === shownKey
    && (hostKey !== shownKey || (prev.anomalies.length === model.anomalies.length && digestOf(prev.anomalies) === digestOf(model.anomalies)));
  if (keep) {
    model = { ...model, anomalies: prev!.anomalies, totals: prev!.totals };
    // The incidents the page made from those findings, when they are of the same view and settings; else the
    // host's (which the table then draws).
    if (prev!.view === model.view && listsIncidents(prev!) && model.incidents && s.viewValidFor === shownKey) {
      model = { ...model, incidents: prev!.incidents, incidentFindings: prev!.incidentFindings };
    } else {
      anomaliesVersion++;
      if (hostKey === shownKey) viewValidFor = hostKey;
    }
  } else {
    anomaliesVersion++;
    validFor = model.pending.length || model.failure || model.live ? null : hostKey;
    viewValidFor = validFor;
  }
  let next: State = { ...s, model, chosenView, sync, validFor, viewValidFor, anomaliesVersion };
  if (arrived.behind) {
    const host = model.settings;
    next = { ...next, model: { ...model, settings: arrived.shown } };
    if (!keep) {
      const r = reapplyLocally(next, host);
      next = { ...r.state, validFor: r.ok && validFor === hostKey ? shownKey : null };
    }
  }
  const pendingNow = !!next.sync.pending;
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
