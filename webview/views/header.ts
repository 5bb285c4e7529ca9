// The header (file name, size, warnings, the busy badge), the notice line and the footer (how long the
// computation took, or why it is incomplete).
import type { DashboardModel } from '../../src/protocol.ts';
import type { State } from '../state.ts';
import { footerText } from '../format.ts';
import { el, setText } from './dom.ts';

export interface HeaderView {
  header: HTMLElement;
  busy: HTMLElement;
  notice: HTMLElement;
  footer: HTMLElement;
  render(s: State): void;
}

export function createHeader(): HeaderView {
  // The busy badge sits in the header's row (at its right end): it pushes nothing down and covers nothing.
  const busy = el('span', { class: 'busy', role: 'status', hidden: '' }, 'Computing…');
  const header = el('header', { class: 'header' }, busy);
  const notice = el('div', { class: 'notice', role: 'status', 'data-testid': 'notice' });
  const footer = el('footer', { class: 'footer muted' });
  let shownKey = '';
  let seen: DashboardModel | null = null;
  let shownNotice = -1;
  const render = (s: State): void => {
    busy.hidden = !s.busy.shown;
    setText(busy, s.busy.text);
    if (s.notice) {
      if (s.notice.seq !== shownNotice) {
        shownNotice = s.notice.seq;
        notice.textContent = s.notice.text;
        notice.className = `notice ${s.notice.kind}`;
      }
      notice.hidden = s.notice.hidden;
    }
    const m = s.model;
    // A slider move makes a new model with the same header: redrawn only when what it says changes.
    if (!m || m === seen) return;
    seen = m;
    const key = keyOf(m);
    if (key === shownKey) return;
    shownKey = key;
    header.textContent = '';
    const meta = `${m.rows.toLocaleString('en')} row${m.rows === 1 ? '' : 's'} · ${m.metrics.length} metric${m.metrics.length === 1 ? '' : 's'}${m.forecastMode ? ` · forecast: ${m.forecastMode} fit` : ''}${m.live ? ' · live' : ''}`;
    header.append(el('h1', {}, m.file.name), el('span', { class: 'muted' }, meta));
    if (m.warnings.length) {
      const w = el('details', { class: 'warnings' }, el('summary', {}, `${m.warnings.length} warning${m.warnings.length > 1 ? 's' : ''}`));
      const ul = el('ul');
      for (const text of m.warnings.slice(0, 50)) ul.append(el('li', {}, text));
      w.append(ul);
      header.append(w);
    }
    header.append(busy);
    footer.textContent = footerText(m);
  };
  return { header, busy, notice, footer, render };
}

function keyOf(m: DashboardModel): string {
  return JSON.stringify([m.file.name, m.rows, m.metrics.length, m.forecastMode, m.live, m.liveStopped, m.liveModel, m.warnings, m.pending, m.failure, m.computeMs]);
}
