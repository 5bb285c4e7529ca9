// The toolbar: the model toggles, the threshold sliders (contamination, interval, one per rule) and the
// actions (export, webhook, save thresholds).
import { formatShort } from '../../src/core/format.ts';
import type { AlertDestination, DashboardModel, DetectorToggle } from '../../src/protocol.ts';
import { INTERVAL_MIN } from '../chartModel.ts';
import { INTERVAL_MAX } from '../../src/core/dashboard/pageView.ts';
import type { Message, State } from '../state.ts';
import { el } from './dom.ts';
import { CONTAMINATION_TIP, EXPORT_ONLY_TIP, INTERVAL_TIP, ruleTip } from '../controlTexts.ts';

/** The Send button's label and tooltip per destination (anomalyHunter.alertDestination). */
const SEND_LABEL: Record<AlertDestination, [string, string]> = {
  webhook: ['Send to webhook', 'Send the incidents to the webhook (anomalyHunter.alertDestination)'],
  email: ['Send by email', 'Email the incidents to anomalyHunter.email.to (anomalyHunter.alertDestination)'],
  both: ['Send alerts', 'Send the incidents to the webhook and by email (anomalyHunter.alertDestination)'],
};

type Toggle = HTMLElement & { checked: boolean; disabled: boolean };

export interface ControlsView {
  toolbar: HTMLElement;
  render(s: State): void;
}

function slider(opts: { id: string; label: string; title: string; min: number; max: number; step: number; value: number; format: (v: number) => string; onInput: (v: number) => void }): HTMLElement {
  const input = el('input', { type: 'range', min: String(opts.min), max: String(opts.max), step: String(opts.step), value: String(opts.value), 'data-testid': opts.id, 'aria-label': opts.label });
  const out = el('output', {}, opts.format(opts.value));
  input.addEventListener('input', () => {
    const v = Number(input.value);
    out.textContent = opts.format(v);
    opts.onInput(v);
  });
  input.addEventListener('sync', () => { out.textContent = opts.format(Number(input.value)); });
  // The tooltip says what the slider changes (and what it does not): on the whole label, the range included.
  return el('label', { class: 'slider', title: opts.title }, el('span', { class: 'slider-label' }, opts.label), input, out);
}

export function createControls(dispatch: (m: Message) => void, getState: () => State): ControlsView {
  const toggles = {} as Record<DetectorToggle, Toggle>;
  const toggleBox = el('div', { class: 'group' }, el('span', { class: 'group-title' }, 'Models'));
  for (const [id, label] of [['iforest', 'Isolation Forest'], ['forecast', 'Forecast'], ['rules', 'Rules']] as [DetectorToggle, string][]) {
    const cb = el('vscode-checkbox' as 'div', { 'data-testid': `toggle-${id}`, label }) as unknown as Toggle;
    cb.addEventListener('change', () => dispatch({ type: 'ui/settings', change: { kind: 'detector', detector: id, on: cb.checked } }));
    toggles[id] = cb;
    toggleBox.append(cb);
  }
  const sliders = el('div', { class: 'group sliders' });
  // Applies to the exports only (the table and charts have their own view select): labelled and grouped so.
  const onlyAnomalies = el('vscode-checkbox' as 'div', { 'data-testid': 'only-anomalies', label: 'Export only flagged rows', title: EXPORT_ONLY_TIP }) as unknown as HTMLElement & { checked: boolean };
  const exportCsv = el('vscode-button' as 'button', { 'data-testid': 'export-csv', secondary: '' }, 'Export CSV');
  const exportJson = el('vscode-button' as 'button', { 'data-testid': 'export-json', secondary: '' }, 'Export JSON');
  const send = el('vscode-button' as 'button', { 'data-testid': 'send-webhook' }, 'Send to webhook');
  exportCsv.addEventListener('click', () => dispatch({ type: 'ui/export', format: 'csv', onlyAnomalies: onlyAnomalies.checked }));
  exportJson.addEventListener('click', () => dispatch({ type: 'ui/export', format: 'json', onlyAnomalies: onlyAnomalies.checked }));
  send.addEventListener('click', () => dispatch({ type: 'ui/sendWebhook' }));
  const exports = el('div', { class: 'group export-group', role: 'group', 'aria-label': 'Export' }, onlyAnomalies, exportCsv, exportJson);
  const actions = el('div', { class: 'group actions' }, exports, send);
  const toolbar = el('section', { class: 'toolbar' }, toggleBox, sliders, actions);

  let seen: DashboardModel | null = null;
  let sliderKey = '';
  const build = (m: DashboardModel): void => {
    sliders.textContent = '';
    sliders.append(el('span', { class: 'group-title' }, 'Thresholds'));
    if (!m.live) {
      const contamination = m.settings.contamination;
      // Its left end is the default, the calibrated tail; a rules file may say 'auto' (scikit-learn's), shown until moved.
      sliders.append(slider({
        id: 'slider-contamination', label: 'Contamination', title: CONTAMINATION_TIP, min: 0, max: 0.1, step: 0.001, value: typeof contamination === 'number' ? contamination : 0,
        format: (v) => (v === 0 ? (getState().model?.settings.contamination === 'auto' ? 'auto' : 'calibrated') : `${(v * 100).toFixed(1)}%`),
        onInput: (v) => dispatch({ type: 'ui/settings', change: { kind: 'contamination', value: v } }),
      }));
      sliders.append(slider({
        id: 'slider-interval', label: 'Interval', title: INTERVAL_TIP, min: INTERVAL_MIN, max: INTERVAL_MAX, step: 0.01, value: m.settings.interval,
        format: (v) => `${Math.round(v * 100)}%`,
        onInput: (v) => dispatch({ type: 'ui/settings', change: { kind: 'interval', value: v } }),
      }));
    }
    for (const r of m.rules) {
      sliders.append(slider({
        id: `slider-${r.name}`, label: `${r.name} (${r.metric} ${r.op})`, title: ruleTip(r), min: r.min, max: r.max, step: r.step,
        value: m.settings.thresholds[r.name] ?? r.threshold, format: (v) => formatShort(v),
        onInput: (v) => dispatch({ type: 'ui/settings', change: { kind: 'threshold', rule: r.name, value: v } }),
      }));
    }
    if (m.rules.length && !m.live) {
      const saveBtn = el('vscode-button' as 'button', { secondary: '', 'data-testid': 'save-thresholds' }, 'Save to rules file');
      saveBtn.addEventListener('click', () => dispatch({ type: 'ui/saveThresholds' }));
      sliders.append(saveBtn);
    }
    // Live mode without rules has no slider: no empty "Thresholds" group.
    sliders.hidden = !sliders.querySelector('input');
  };
  /** Moves the sliders the user is not holding to the settings (a model from the host, a reload). */
  const sync = (m: DashboardModel): void => {
    for (const input of Array.from(sliders.querySelectorAll('input[type=range]')) as HTMLInputElement[]) {
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
  };
  const render = (s: State): void => {
    const [label, tip] = SEND_LABEL[s.sendTo];
    if (send.textContent !== label) { send.textContent = label; send.title = tip; }
    const m = s.model;
    if (!m || m === seen) return;
    seen = m;
    // Written only when they differ: a slider move makes a new model, and a write makes the element update.
    for (const id of ['iforest', 'forecast', 'rules'] as DetectorToggle[]) {
      if (toggles[id].checked !== m.settings.detectors[id]) toggles[id].checked = m.settings.detectors[id];
      // Live mode scores with the streaming detector: the batch models do not apply to the live window.
      const hidden = m.live && id !== 'rules';
      if (toggles[id].hidden !== hidden) toggles[id].hidden = hidden;
    }
    if (toggles.rules.disabled !== !m.rulesFile) toggles.rules.disabled = !m.rulesFile;
    const title = m.rulesFile ? `Rules from ${m.rulesFile}` : 'No rules file for this CSV';
    if (toggles.rules.title !== title) toggles.rules.title = title;
    // Rebuilt only when the set of rules changes: a model that arrives while the user drags a slider must not
    // replace the element under the pointer.
    const key = JSON.stringify([m.live, m.rulesFile, m.rules.map((r) => [r.name, r.min, r.max])]);
    if (key === sliderKey) sync(m);
    else { sliderKey = key; build(m); }
  };
  return { toolbar, render };
}
