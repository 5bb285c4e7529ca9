/**
 * Numbers with units, as formatted exports write them (Grafana's "Formatted data": `52.3%`, `1.20 GB`, `120 ms`,
 * `1,234 req/s`, `3.4 Mil`): each read in its family's base unit — bytes, bits, seconds, a plain count — so that
 * `980 MB` and `1.02 GB` in one column are 980,000,000 and 1,020,000,000. Units follow Grafana's formats (SI and IEC
 * byte prefixes, durations, the short scale's K / Mil / Bil / Tri); a unit it does not know is kept as it is (scale 1)
 * when a space sets it apart from the number and it reads as a unit (a rate, a degree, a short lower-case word).
 */

/** A unit's family (what its base unit is called in messages) and its factor to that base. */
interface Unit { family: string; factor: number }

const UNITS = new Map<string, Unit>();
const add = (family: string, entries: [string, number][]): void => { for (const [u, f] of entries) UNITS.set(u, { family, factor: f }); };
add('percent', [['%', 1]]);
add('bytes', [['B', 1], ['kB', 1e3], ['KB', 1e3], ['MB', 1e6], ['GB', 1e9], ['TB', 1e12], ['PB', 1e15],
  ['KiB', 1024], ['MiB', 1024 ** 2], ['GiB', 1024 ** 3], ['TiB', 1024 ** 4], ['PiB', 1024 ** 5]]);
add('bits', [['b', 1], ['kb', 1e3], ['Kb', 1e3], ['Mb', 1e6], ['Gb', 1e9], ['Tb', 1e12], ['Kib', 1024], ['Mib', 1024 ** 2], ['Gib', 1024 ** 3]]);
add('seconds', [['ns', 1e-9], ['µs', 1e-6], ['us', 1e-6], ['ms', 1e-3], ['s', 1], ['sec', 1], ['min', 60], ['mins', 60],
  ['h', 3600], ['hour', 3600], ['hours', 3600], ['d', 86400], ['day', 86400], ['days', 86400], ['w', 604800], ['week', 604800], ['weeks', 604800]]);
add('count', [['K', 1e3], ['k', 1e3], ['Mil', 1e6], ['Bil', 1e9], ['Tri', 1e12]]);
UNITS.set('year', { family: 'seconds', factor: 365 * 86400 });
UNITS.set('years', { family: 'seconds', factor: 365 * 86400 });
/** The families above, and their rates: the units a note says values are read "in". */
const FAMILIES = new Set([...UNITS.values()].flatMap((u) => [u.family, `${u.family}/s`]));

/** A number (thousands separated by commas or not), then optionally a unit. */
const QUANTITY = /^\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?)(\s*)([^\d\s,+-][^\s]*(?:\s?\/\s?\w+)?)?\s*$/;

/** A number with a decimal comma, its thousands grouped by dots or spaces or not: sign, integer part, fraction. */
export const COMMA_POINT = /^(\s*[-+]?)(\d{1,3}(?:[. \u00a0\u202f]\d{3})+|\d+),(\d+)/;
/** A number whose thousands are grouped by spaces (`3 704`), up to its point or its end. */
const SPACE_GROUPS = /^\s*[-+]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,])/;

/** What a cell with a unit holds: its value in the unit's base and the unit's family ('' for a bare number). */
export interface Quantity { value: number; unit: string; family: string }

/**
 * The quantity a cell holds, or null when it is not one: `52.3%`, `1.20 GB`, `1,234 ms`, `12.5 MB/s` (a rate:
 * family "bytes/s"), `1,234` (thousands separators, `decimalComma` false only). A unit Grafana does not write is
 * kept as its own family at scale 1 when a space separates it (`12 req/s`, `45 °C`); `2xx` is not a number.
 */
export function parseQuantity(text: string, decimalComma = false): Quantity | null {
  if (text.length > 40) return null;
  // With a decimal comma (`52,3 %`, `2.264,5`, `3 704,5`), the comma is the point and dots or spaces group thousands;
  // else spaces may group them (`3 704`, `1 234.5 ms`; also the no-break spaces of French locales).
  let grouped = false;
  let s = decimalComma
    ? text.replace(COMMA_POINT, (_, sign: string, int: string, frac: string) => { grouped = /\D/.test(int); return `${sign}${int.replace(/\D/g, '')}.${frac}`; })
    : text;
  // Spaces group thousands in either (`3 704`). A dot without a decimal comma after it (`1.234`) stays a point: a
  // column of seconds (`0.125`) in a file of decimal commas is common, and `1.234` alone does not tell.
  if (s === text) s = text.replace(SPACE_GROUPS, (g: string) => { grouped = true; return g.replace(/[ \u00a0\u202f]/g, ''); });
  const m = QUANTITY.exec(s);
  if (!m || !/\d/.test(m[1])) return null;
  if (decimalComma && m[1].includes(',')) return null;
  const n = Number(m[1].replace(/,/g, ''));
  if (!Number.isFinite(n)) return null;
  const unitText = m[3] ?? '';
  if (!unitText) return m[1].includes(',') || grouped ? { value: n, unit: '', family: '' } : null;
  // A rate: the unit per second (MB/s, Mbps for Mb/s).
  const per = /^(.+?)(\/\s?s|\/\s?sec|ps)$/.exec(unitText);
  const base = per && UNITS.has(per[1]) ? per[1] : unitText;
  const known = UNITS.get(base);
  if (known) return { value: n * known.factor, unit: unitText, family: base === unitText ? known.family : `${known.family}/s` };
  // Unknown: only apart from the number, and only what reads as a unit — a rate (`12 req/s`), a degree (`45 °C`), a
  // count's word (`12 ops`, `12 users`) — not a name, a status, a code or a clock (`200 OK`, `5xx`, `12 am`, `1 m`).
  if (!m[2] || unitText.length > 12 || !/\/|^°|^[a-z]{3,12}$/.test(unitText)) return null;
  return { value: n, unit: unitText, family: unitText };
}

/** How a family's values are read, for the note: "in bytes". */
function readAs(family: string): string {
  if (family === 'percent') return 'as the number before the % (52.3% is 52.3)';
  if (family === 'count') return 'as plain numbers (K = 1,000, Mil = 1,000,000, Bil = 1,000,000,000)';
  if (FAMILIES.has(family)) return `in ${family}`;
  return `without the unit`;
}

/** The units each metric column was read with, said once per column when the file is read. */
export class UnitNotes {
  private readonly byColumn = new Map<number, { families: Set<string>; units: Set<string>; line: number }>();

  /** Cells with units looked at per column: enough to name its units (each is read a second time here). */
  private static readonly LOOKED = 10_000;
  private readonly looked = new Map<number, number>();

  /** Notes the unit of a cell that parsed as a number (plain numbers cost one comparison). */
  note(column: number, text: string, decimalComma: boolean, line: number): void {
    const plain = +text;
    if (plain === plain) return;
    const n = this.looked.get(column) ?? 0;
    if (n >= UnitNotes.LOOKED) return;
    this.looked.set(column, n + 1);
    const q = parseQuantity(text, decimalComma);
    if (!q || !q.unit) return;
    let c = this.byColumn.get(column);
    if (!c) this.byColumn.set(column, (c = { families: new Set(), units: new Set(), line }));
    c.families.add(q.family);
    if (c.units.size < 6) c.units.add(q.unit);
  }

  /** One warning per column read with units: which, and as what. `names`: the column names by column index. */
  issues(names: readonly string[]): { severity: 'warning'; code: string; message: string; line: number; column: number }[] {
    return [...this.byColumn].sort((a, b) => a[0] - b[0]).map(([col, c]) => {
      const units = [...c.units].join(', ');
      const name = JSON.stringify(names[col].length > 40 ? `${names[col].slice(0, 37)}…` : names[col]);
      const message = c.families.size > 1
        ? `column ${name} mixes units (${units}): each value is read in its own unit's base; check the export`
        : `column ${name} has units (${units}): read ${readAs([...c.families][0])}`;
      return { severity: 'warning' as const, code: c.families.size > 1 ? 'mixed-units' : 'units', message, line: c.line, column: col + 1 };
    });
  }
}
