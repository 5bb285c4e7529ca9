/**
 * The warnings of a stream's rows, said as `analyze` says them (core/csv/parse.ts): the first MAX_EXAMPLES of each
 * kind with the file's line and column, then — at the end of the input — how many more there were of it; and the
 * gaps in the rows' times (core/csv/gaps.ts).
 */
import { isMissing, unreadCellNote } from '../core/csv/infer.ts';
import { IssueLog } from '../core/csv/issueLog.ts';
import { GapWatch, gapNote } from '../core/csv/gaps.ts';
import type { DataIssue } from '../core/csv/frame.ts';

export class RowWarnings {
  private log: IssueLog;
  /** Stretches without rows, said as analyze says them (core/csv/gaps.ts: one rule). */
  private readonly gaps = new GapWatch((g) => this.warn('time-gap', gapNote(g), g.line));

  constructor(private readonly path: string, private readonly say: (text: string) => void) {
    this.log = this.fresh();
  }

  /** analyze's log of warnings (three of a kind, then counted), each example said as it comes. */
  private fresh(): IssueLog {
    return new IssueLog((issue) => this.say(this.text(issue)));
  }

  private text(i: DataIssue): string {
    return `${this.path}:${i.line}${i.column ? `:${i.column}` : ''}: warning: ${i.message}`;
  }

  /** One warning of kind `code` at `line` (and 1-based `column`). */
  warn(code: string, message: string, line: number, column?: number): void {
    this.log.warn(code, message, line, column);
  }

  /** A row's time (the file's wall clock, ms; NaN: none) and its line, in the order scored: a gap before it is said. */
  time(ms: number, line: number): void {
    this.gaps.add(ms, line);
  }

  /**
   * The cells of `columns` (0-based, `header` names them) read as NaN (`read(k)`, k-th of `columns`) that are no
   * missing-value marker: a value that is not a number, read as missing.
   */
  cells(fields: readonly string[], columns: readonly number[], read: (k: number) => number, header: readonly string[], line: number): void {
    for (let k = 0; k < columns.length; k++) {
      if (!Number.isNaN(read(k))) continue;
      const text = (fields[columns[k]] ?? '').trim();
      if (!isMissing(text)) this.warn('non-numeric', unreadCellNote(text, header[columns[k]]), line, columns[k] + 1);
    }
  }

  /** The input ended: how many more of each kind said three times (at the line of its first). */
  finish(): void {
    this.gaps.end();
    for (const i of this.log.counted()) this.say(this.text(i));
    this.log = this.fresh();
  }
}
