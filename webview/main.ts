// The dashboard page: wires the state (webview/state.ts), update() (webview/update.ts) and the views
// (webview/views/) together. Every message — from the host or from the user — goes through dispatch: update
// gives the next state and what to post; the views then draw that state. Every value that came from the CSV is
// put on the page as text (textContent, or escaped for Plotly's pseudo-HTML labels), never as markup.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { HostMessage, WebviewMessage } from '../src/protocol.ts';
import type { Message, PersistedState, State } from './state.ts';
import { initialState, persistedOf } from './state.ts';
import { update } from './update.ts';
import type { Layout } from './views/layout.ts';
import { buildLayout } from './views/layout.ts';

interface VsCodeApi {
  postMessage(m: WebviewMessage): void;
  getState(): PersistedState | undefined;
  setState(s: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
// When the page's script started and its first model arrived, in ms from the page's start (the e2e tests read
// them beside the charts' firstPlotMs to say where the wait for the first chart goes).
app.dataset.scriptMs = performance.now().toFixed(0);
let state: State = initialState(vscode.getState() ?? {});
let saved = '';
let layout: Layout | null = null;
let zoomTimer: ReturnType<typeof setTimeout> | undefined;
let redrawFrame = 0;

/** Posts to the host; a zoom waits 150 ms for the next (a drag sends one). */
function send(m: WebviewMessage): void {
  if (m.type === 'zoom') {
    clearTimeout(zoomTimer);
    zoomTimer = setTimeout(() => vscode.postMessage(m), 150);
  } else vscode.postMessage(m);
}

function dispatch(msg: Message): void {
  const t0 = performance.now();
  if (msg.type === 'model' && !app.dataset.firstModelMs) app.dataset.firstModelMs = t0.toFixed(0);
  const prev = state;
  // A zoom reset within 150 ms of a zoom: the window asked for is no longer wanted.
  if (msg.type === 'ui/zoom') clearTimeout(zoomTimer);
  const step = update(state, msg);
  state = step.state;
  for (const m of step.out) send(m);
  const persisted = JSON.stringify(persistedOf(state));
  if (persisted !== saved) { saved = persisted; vscode.setState(JSON.parse(persisted) as PersistedState); }
  render(prev, msg, step.recomputed === true, t0);
}

/** Stamps on #app how long the last redraw took, once the frame that shows it has been painted. */
function stampRedraw(t0: number): void {
  requestAnimationFrame(() => setTimeout(() => { app.dataset.redrawMs = (performance.now() - t0).toFixed(0); }, 0));
}

function render(prev: State, msg: Message, recomputed: boolean, t0: number): void {
  if (!layout && (state.model || state.notice)) layout = buildLayout(app, dispatch, () => state);
  if (!layout) return;
  const s = state;
  layout.header.render(s);
  layout.controls.render(s);
  layout.table.render(s);
  if (s.model) {
    // view: what the host's model lists (the e2e tests wait for it after choosing a view).
    app.dataset.view = s.model.view;
    // settled: the host has answered the last settings sent (its findings are the ones shown).
    app.dataset.settled = String(s.settled);
  }
  if (msg.type === 'model') {
    // The table (and its count) paints in this frame; a Plotly redraw (tens of ms per chart) runs in a task after it.
    cancelAnimationFrame(redrawFrame);
    redrawFrame = requestAnimationFrame(() => setTimeout(() => { void layout!.charts.render(state).then(() => stampRedraw(t0)); }, 0));
  } else {
    void layout.charts.render(s);
    if (recomputed) stampRedraw(t0);
  }
  if (s.reveal && s.reveal !== prev.reveal) layout.table.reveal(s.reveal.row, s.reveal.fromTable);
}

// What reached the page before this script ran (kept by the inline script of the page's <head>), then the rest,
// in order, each as it comes: the table draws while Plotly loads. The page says ready once it has loaded: the
// messages VS Code held for the loading page have been handed over by then, so that the host does not post again
// what is on its way (it does when no model came).
const early = window as unknown as { __earlyMessages?: HostMessage[]; __earlyListener?: (ev: MessageEvent) => void };
if (early.__earlyListener) window.removeEventListener('message', early.__earlyListener);
const kept = early.__earlyMessages ?? [];
early.__earlyMessages = [];
window.addEventListener('message', (ev: MessageEvent<HostMessage>) => dispatch(ev.data));
for (const m of kept) dispatch(m);
const sayReady = (): void => { setTimeout(() => vscode.postMessage({ type: 'ready', hasModel: state.model !== null }), 50); };
if (document.readyState === 'complete') sayReady();
else window.addEventListener('load', sayReady, { once: true });
