/** What kind of text a CSV is, from its head: its delimiter, and whether it is text at all. */
import Papa from 'papaparse';

/**
 * The delimiter that splits the first lines into the same number of fields (more than one), quotes respected.
 * Papaparse's own guess counts delimiters inside quoted headers, so it is not used.
 */
export function guessDelimiter(block: string): string {
  const head = block.slice(0, 64 * 1024);
  let best = ',', bestScore = -1;
  for (const d of [',', '\t', ';', '|']) {
    const rows = Papa.parse<string[]>(head, { delimiter: d, preview: 20, skipEmptyLines: true }).data;
    if (rows.length === 0) continue;
    const counts = new Map<number, number>();
    for (const r of rows) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    let mode = 1, freq = 0;
    for (const [k, v] of counts) if (v > freq || (v === freq && k > mode)) { mode = k; freq = v; }
    if (mode < 2) continue;
    const score = (freq / rows.length) * 1000 + Math.min(mode, 999);
    if (score > bestScore) { best = d; bestScore = score; }
  }
  return best;
}

/** True when the text is binary (NUL bytes, or more than 5 % control or replacement characters). */
export function looksBinary(s: string): boolean {
  const n = Math.min(s.length, 8192);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 9 || (c > 13 && c < 32)) || c === 0xfffd) bad++;
  }
  return bad > n * 0.05;
}
