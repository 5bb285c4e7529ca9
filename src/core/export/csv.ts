import type { Anomaly } from '../anomaly.ts';
import { isoOf } from '../anomaly.ts';
import type { Severity } from '../severity.ts';
import { severityRank } from '../severity.ts';
import { looksLikeFormula } from './formula.ts';
import type { AnalysisResult } from '../analysisResult.ts';
import { listed } from '../incidents/analysisView.ts';

/** CSV line end: RFC 4180 §2 says CRLF. */
export const CRLF = '\r\n';


/**
 * One CSV cell: numbers as JavaScript's shortest round-trip text (NaN, ±Infinity, null and undefined
 * are an empty cell); strings that a spreadsheet would run as a formula get a leading `'` (OWASP CSV
 * injection guidance) unless they are a plain number such as "-3.5"; quoted per RFC 4180 when
 * needed (comma, quote, CR, LF, or neutralised).
 */
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  // OWASP also asks for the neutralised cell to be quoted, so no reader strips the `'` as noise.
  const formula = looksLikeFormula(v);
  const s = formula ? `'${v}` : v;
  return formula ? quoted(s) : csvField(s);
}

/** A text cell quoted per RFC 4180 when it needs it (comma, quote, CR, LF); no formula neutralising. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? quoted(text) : text;
}

function quoted(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** One CSV record (cells joined by commas, CRLF-terminated). */
export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return cells.map(csvCell).join(',') + CRLF;
}

/** Options of the CSV export. */
export interface CsvExportOptions {
  /** Only the rows with at least one anomaly. @default false */
  onlyAnomalies?: boolean;
  /** Every row a detector flagged instead of the default view (SPEC §7). @default false */
  allRows?: boolean;
  /** Rows per yielded chunk; bounds memory, not output. @default 2000 */
  chunkRows?: number;
}

/**
 * The export's header: the timestamp column (or `row` when the data has none), the input metrics,
 * then `iforest_score`, `forecast_<metric>_yhat/_lower/_upper` for what ran, `anomaly`,
 * `max_severity`, `detectors`, `messages`.
 */
export function csvColumns(result: AnalysisResult): string[] {
  const f = result.frame;
  const cols = [f.timestamps ? (f.timestampColumn ?? 'timestamp') : 'row', ...f.metrics];
  if (result.scores?.iforest) cols.push('iforest_score');
  for (const m of Object.keys(result.forecast ?? {})) cols.push(`forecast_${m}_yhat`, `forecast_${m}_lower`, `forecast_${m}_upper`);
  cols.push('anomaly', 'max_severity', 'detectors', 'messages');
  return cols;
}

/** Anomalies grouped by data row, in input order within a row. */
export function anomaliesByRow(anomalies: readonly Anomaly[]): Map<number, Anomaly[]> {
  const byRow = new Map<number, Anomaly[]>();
  for (const a of anomalies) {
    const list = byRow.get(a.row);
    if (list) list.push(a);
    else byRow.set(a.row, [a]);
  }
  return byRow;
}

function detectorLabel(a: Anomaly): string {
  return a.detector === 'rule' ? `rule:${a.rule ?? ''}` : a.detector;
}

/**
 * The CSV export as a sequence of chunks (header first, then `chunkRows` rows per chunk), so a
 * million-row result is written piece by piece and never held as one string. CRLF line ends.
 * A result with no rows yields only the header.
 */
export function* csvChunks(result: AnalysisResult, opts: CsvExportOptions = {}): Generator<string> {
  const f = result.frame;
  const chunkRows = Math.max(1, Math.floor(opts.chunkRows ?? 2000));
  const byRow = anomaliesByRow(listed(result, opts.allRows).anomalies);
  const iforest = result.scores?.iforest;
  const forecasts = Object.values(result.forecast ?? {});
  yield csvLine(csvColumns(result));

  const rows = opts.onlyAnomalies ? [...byRow.keys()].filter((r) => r >= 0 && r < f.rows).sort((a, b) => a - b) : null;
  const n = rows ? rows.length : f.rows;
  // Numeric cells are written inline (they never need quoting): this loop runs once per row.
  const num = (x: number) => (Number.isFinite(x) ? String(x) : '');
  let chunk = '';
  for (let k = 0; k < n; k++) {
    const i = rows ? rows[k] : k;
    let line = f.timestamps ? csvCell(isoOf(f.timestamps[i], f.utcOffsetMs)) : String(i);
    for (const v of f.values) line += ',' + num(v[i]);
    if (iforest) line += ',' + num(iforest[i]);
    for (const s of forecasts) line += ',' + num(s.yhat[i]) + ',' + num(s.lower[i]) + ',' + num(s.upper[i]);
    const found = byRow.get(i);
    if (found) {
      let worst: Severity = found[0].severity;
      for (const a of found) if (severityRank(a.severity) < severityRank(worst)) worst = a.severity;
      line += ',1,' + worst + ',' + csvCell([...new Set(found.map(detectorLabel))].join(';')) + ',' + csvCell(found.map((a) => a.message).join(' | '));
    } else {
      line += ',0,,,';
    }
    chunk += line + CRLF;
    if ((k + 1) % chunkRows === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Writes the CSV export to a sink chunk by chunk (see `csvChunks`). */
export function writeCsv(result: AnalysisResult, write: (chunk: string) => void, opts: CsvExportOptions = {}): void {
  for (const chunk of csvChunks(result, opts)) write(chunk);
}
