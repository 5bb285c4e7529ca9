import type { DashboardModel } from '../src/protocol.ts';

/**
 * Escapes text for Plotly labels, which read a few HTML-like tags: data must never become markup. Plotly decodes
 * numeric entities and only a few named ones (`&amp;`, `&lt;`, `&gt;`, not `&quot;`), so a quote is `&#34;`: a
 * series name such as cpu{host="a"} showed as cpu{host=&quot;a&quot;}.
 */
export function escapeLabel(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;');
}

/** An x value for display: a UTC date-time when the axis is time, else a row number. */
export function formatX(x: number, time: boolean): string {
  if (!time) return `row ${x + 1}`;
  return new Date(x).toISOString().replace('T', ' ').replace(/:00\.000Z$|\.000Z$/, '').replace(/Z$/, '');
}

/** An elapsed time as people read it: ms under a second, then seconds to one decimal, then minutes and seconds. */
export function elapsedText(ms: number): string {
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** The dashboard's footer: how long the analysis took, or what the page shows instead (a live window, running, stopped). */
export function footerText(m: DashboardModel): string {
  const inWindow = `${m.rows.toLocaleString('en')} row${m.rows === 1 ? '' : 's'} in the window${m.liveModel ? ` · ${m.liveModel}` : ''}`;
  if (m.live) return `Live: ${inWindow}`;
  // Streaming stopped: the last live window stays drawn, and nothing was computed for it as a whole.
  if (m.liveStopped) return `Live results, stopped: ${inWindow}`;
  if (m.pending.length) return 'Computing…';
  if (m.failure) return `Incomplete: ${m.failure}`;
  return `Computed in ${elapsedText(m.computeMs)}`;
}
