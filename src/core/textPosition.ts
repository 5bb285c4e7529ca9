// Offsets in a text to 1-based lines and columns: one owner for the rules files, the results files and the
// Prometheus files (no parser imported: the CLI's analyze uses it without loading js-yaml).

/** Sorted offsets at which each line starts, for offset → line/column. */
export function lineStarts(text: string): Int32Array {
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  const starts = new Int32Array(n);
  let k = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts[k++] = i + 1;
  return starts;
}

/** 1-based line and column (UTF-16 units) of an offset, given `lineStarts(text)`. */
export function positionAt(starts: Int32Array, offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

/** A 1-based line and column in a text, with the 0-based offset it came from. */
export interface TextPosition {
  offset: number;
  line: number;
  column: number;
}

/** The TextPosition of an offset in `text` (offsets past the end clamp to the end): for a single lookup. */
export function textPositionAt(text: string, offset: number): TextPosition {
  const end = Math.max(0, Math.min(offset, text.length));
  return { offset: end, ...positionAt(lineStarts(text), end) };
}
