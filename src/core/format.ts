// The number formatters: every number a person reads (messages, hovers, alerts, the dashboard) goes through one
// of these, so the same value reads the same way everywhere it appears.

/** `x` rounded to `digits` significant digits; NaN and ±Infinity as they are. */
export function roundSignificant(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}

/**
 * A number as people read it in a message or an alert: integers as they are, values of `wholeFrom` or more in size
 * as whole numbers, others to `digits` significant digits; NaN gives 'NaN'. @default digits 6, wholeFrom Infinity
 */
export function formatNumber(x: number, digits = 6, wholeFrom = Infinity): string {
  if (Number.isInteger(x)) return String(x);
  if (Math.abs(x) >= wholeFrom) return String(Math.round(x));
  return String(roundSignificant(x, digits));
}

/** SI prefixes from a million up, for formatReadable. */
const LARGE = ['M', 'G', 'T', 'P', 'E'];

/**
 * A number in a one-line summary: from a million up in size, 3 significant digits and an SI prefix (`1.2G`, `450M`:
 * byte and packet counts read at a glance), else formatNumber's (6 significant digits, integers as they are).
 */
export function formatReadable(x: number, digits = 6): string {
  if (!(Number.isFinite(x) && Math.abs(x) >= 1e6)) return formatNumber(x, digits);
  // Groups of three digits: 2 is millions (M), 3 billions (G), … 6 (E) at most.
  let g = Math.min(LARGE.length + 1, Math.floor(Math.log10(Math.abs(x)) / 3));
  let m = roundSignificant(x / 1000 ** g, 3);
  // 999.96M rounds to 1000M: one prefix up.
  if (Math.abs(m) >= 1000 && g < LARGE.length + 1) m = roundSignificant(x / 1000 ** ++g, 3);
  return `${m}${LARGE[g - 2]}`;
}

/** A number for a narrow place (a slider, a tooltip): '—' for NaN, thousands separated, else 3–4 significant digits. */
export function formatShort(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1000) return v.toLocaleString('en', { maximumFractionDigits: 0 });
  if (a >= 10) return v.toFixed(1);
  return v.toPrecision(3).replace(/\.?0+$/, '');
}

/** A value next to a forecast band: one decimal from 1 up (and 0), else 3 significant digits. */
export function formatBandValue(v: number): string {
  return Math.abs(v) >= 1 || v === 0 ? v.toFixed(1) : v.toPrecision(3);
}

/** Text (a server's or a library's message) on one line, cut to `max` characters with an ellipsis. */
export function oneLine(text: string, max = Infinity): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** Names for a line of text: the first `max`, then "… and N more" (10,000 series would make a 150 KB line). */
export function shortNameList(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} … and ${(names.length - max).toLocaleString('en')} more` : shown;
}
