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
