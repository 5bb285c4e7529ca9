/** Escapes text for Plotly labels, which read a few HTML-like tags: data must never become markup. */
export function escapeLabel(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An x value for display: a UTC date-time when the axis is time, else a row number. */
export function formatX(x: number, time: boolean): string {
  if (!time) return `row ${x + 1}`;
  return new Date(x).toISOString().replace('T', ' ').replace(/:00\.000Z$|\.000Z$/, '').replace(/Z$/, '');
}
