// Where a data row is in its CSV, for a page that does not hold the frame's lines: the rows of a file in its own
// order (a file without time is never sorted) sit on row + 2 (the header is line 1) plus the blank or skipped lines
// above them, a constant offset between two such lines. The offsets are sent, not every row's line.

/** [first row, line − row] at each row from which the offset of frame.lines changes (the first at row 0); [] when none. */
export type LineShifts = [number, number][];

/** The offsets of `lines` (frame.lines: a data row's 1-based CSV line), one entry where it changes. */
export function lineShiftsOf(lines: ArrayLike<number>): LineShifts {
  const out: LineShifts = [];
  let last = NaN;
  for (let r = 0; r < lines.length; r++) {
    const d = lines[r] - r;
    if (d !== last) { out.push([r, d]); last = d; }
  }
  return out;
}

/** The 1-based CSV line of data row `row`: row + 2 where the shifts do not say otherwise. */
export function lineAt(shifts: LineShifts | undefined, row: number): number {
  if (!shifts?.length || row < shifts[0][0]) return row + 2;
  let lo = 0, hi = shifts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (shifts[mid][0] <= row) lo = mid; else hi = mid - 1;
  }
  return row + shifts[lo][1];
}
