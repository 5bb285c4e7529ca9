/**
 * A fetched frame as CSV text (`timestamp,<series>…`, RFC 4180 quoting, ISO times, '' where a series has no
 * value): what `stream --prometheus` feeds its CSV pipeline and the editor's snapshot of a query. Reading it back
 * gives the same frame.
 */
import type { Frame } from '../csv/frame.ts';
import { isoOf } from '../anomaly.ts';
import { csvField } from '../export/csv.ts';

/** The header line of the columns. */
export function csvHeader(columns: readonly string[]): string {
  return ['timestamp', ...columns].map(csvField).join(',') + '\n';
}

/** The rows of a frame as CSV lines in the given column order ('' where a series has no value or is absent). */
export function* csvRows(frame: Frame, columns: readonly string[] = frame.metrics, rowsPerChunk = 2000): Generator<string> {
  const index = columns.map((c) => frame.metrics.indexOf(c));
  let out = '';
  for (let r = 0; r < frame.rows; r++) {
    out += isoOf(frame.timestamps ? frame.timestamps[r] : r, frame.utcOffsetMs);
    for (const i of index) {
      const v = i < 0 ? NaN : frame.values[i][r];
      out += ',' + (Number.isNaN(v) ? '' : String(v));
    }
    out += '\n';
    if ((r + 1) % rowsPerChunk === 0) { yield out; out = ''; }
  }
  if (out) yield out;
}

/** The whole frame as CSV chunks, header first. */
export function* frameCsvChunks(frame: Frame): Generator<string> {
  yield csvHeader(frame.metrics);
  yield* csvRows(frame);
}
