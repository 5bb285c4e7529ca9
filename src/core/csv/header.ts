/** A CSV's header row as column names, and where it is. */
import { parseNumber, readsAsTime } from './infer.ts';
import { parseTimestamp } from './time.ts';

/** Column names as read: an empty name becomes column_N, a repeated one gets _2, _3… (`warn` says so). */
export function dedupeHeader(row: string[], warn: (code: string, m: string, l?: number, c?: number) => void = () => undefined): string[] {
  const seen = new Set<string>();
  // The next suffix to try per name: 10,000 columns with one name must not take 10,000² steps.
  const next = new Map<string, number>();
  return row.map((raw, i) => {
    let name = raw === '' ? `column_${i + 1}` : raw;
    if (seen.has(name)) {
      let k = next.get(name) ?? 2;
      while (seen.has(`${name}_${k}`)) k++;
      next.set(name, k + 1);
      warn('duplicate-column', `column name ${JSON.stringify(name)} appears twice: the second is read as ${JSON.stringify(`${name}_${k}`)}`, 1, i + 1);
      name = `${name}_${k}`;
    }
    seen.add(name);
    return name;
  });
}

/** A cell that is a number or a time: a row of them is data, not a header. */
export const looksLikeData = (f: string): boolean => {
  const t = f.trim();
  return t !== '' && (Number.isFinite(+t) || parseTimestamp(t) === parseTimestamp(t));
};

/**
 * A cell in any form a data row may write it: also a decimal comma (`52,3`), a unit (`52%`, `1.20 GB`), a date day
 * or month first (`04.03.2024 10:00`) or with its month named. A row of none of them is a row of names.
 */
export const looksLikeValue = (f: string): boolean => {
  const t = f.trim();
  return looksLikeData(t) || (t !== '' && (parseNumber(t, true) === parseNumber(t, true) || readsAsTime(t)));
};

/** A row's fields up to its last non-empty one: Excel writes a title as `CPU report,,`. */
const filledWidth = (r: readonly string[]): number => {
  let n = r.length;
  while (n > 0 && r[n - 1].trim() === '') n--;
  return n;
};

/** Rows read before the header is chosen: enough to see the table's width below a preamble. */
export const HEADER_LOOKAHEAD = 30;
/** Most rows above the header that may be a preamble. */
const MAX_PREAMBLE = 10;

/**
 * Which of a file's first rows (blank lines left out) is the header: the first that most rows after it match in
 * width (more fields only when they are empty), when every row above it has fewer fields — a title, or an export's
 * notes above its table (Azure Monitor's `Resource: …`, `Metric: …`). 0 otherwise: the first row, as always.
 */
export function headerRowIndex(rows: readonly (readonly string[])[]): number {
  for (let h = 0; h < Math.min(rows.length, MAX_PREAMBLE + 1); h++) {
    const w = rows[h].length;
    // A header below a preamble has names, not numbers or times (a data row wider than its header is no header).
    if (h > 0 && (rows.slice(0, h).some((r) => filledWidth(r) >= w) || rows[h].some(looksLikeData))) continue;
    // A row padded to the table's width (a title `CPU report,,`, notes `Host: web-1,,`, an empty `,,`) is no header
    // when a row of more names follows within the preamble's reach (its last may be empty: `time,cpu,`).
    const filled = filledWidth(rows[h]);
    if (w > 1 && filled < w && rows.slice(h + 1, MAX_PREAMBLE + 1).some((r) => r.length === w && filledWidth(r) > filled && !r.some(looksLikeValue))) continue;
    const after = rows.slice(h + 1);
    const fit = after.filter((r) => r.length === w || (r.length > w && r.slice(w).every((f) => f.trim() === ''))).length;
    if (after.length > 0 && fit >= 0.8 * after.length) return h;
  }
  return 0;
}

/** The warning of a preamble skipped above the header (lines `first`–`last`, the header on line `at`). */
export function preambleNote(first: number, last: number, at: number): string {
  const lines = first === last ? `line ${first}` : `lines ${first}–${last}`;
  return `${lines} above the header (line ${at}) skipped: fewer fields than the table below, a title or an export's notes`;
}
