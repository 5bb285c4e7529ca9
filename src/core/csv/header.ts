/** A CSV's header row as column names. */

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
