/** Escapes text for Plotly labels, which read a few HTML-like tags: data must never become markup. */
export function escapeLabel(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A number for display: up to 4 significant decimals, thousands kept readable. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1000) return v.toLocaleString('en', { maximumFractionDigits: 0 });
  if (a >= 10) return v.toFixed(1);
  return v.toPrecision(3).replace(/\.?0+$/, '');
}

/** An x value for display: a UTC date-time when the axis is time, else a row number. */
export function formatX(x: number, time: boolean): string {
  if (!time) return `row ${x + 1}`;
  return new Date(x).toISOString().replace('T', ' ').replace(/:00\.000Z$|\.000Z$/, '').replace(/Z$/, '');
}
