/**
 * The warnings of a stream's rows, said as `analyze` says them (core/csv/parse.ts): the first MAX_EXAMPLES of each
 * kind with the file's line and column, then — at the end of the input — how many more there were of it.
 */
import { clip, isMissing } from '../core/csv/infer.ts';

/** Examples of each kind said one by one (as analyze's parse.ts). */
const MAX_EXAMPLES = 3;

export class RowWarnings {
  private counts = new Map<string, { n: number; line: number }>();

  constructor(private readonly path: string, private readonly say: (text: string) => void) {}

  /** One warning of kind `code` at `line` (and 1-based `column`). */
  warn(code: string, message: string, line: number, column?: number): void {
    const c = this.counts.get(code) ?? { n: 0, line };
    c.n++;
    this.counts.set(code, c);
    if (c.n <= MAX_EXAMPLES) this.say(`${this.path}:${line}${column ? `:${column}` : ''}: warning: ${message}`);
  }

  /**
   * The cells of `columns` (0-based, `header` names them) read as NaN (`read(k)`, k-th of `columns`) that are no
   * missing-value marker: a value that is not a number, read as missing.
   */
  cells(fields: readonly string[], columns: readonly number[], read: (k: number) => number, header: readonly string[], line: number): void {
    for (let k = 0; k < columns.length; k++) {
      if (!Number.isNaN(read(k))) continue;
      const text = (fields[columns[k]] ?? '').trim();
      if (!isMissing(text)) this.warn('non-numeric', `'${clip(text)}' in column ${JSON.stringify(clip(header[columns[k]]))} is not a number: read as missing`, line, columns[k] + 1);
    }
  }

  /** The input ended: how many more of each kind said MAX_EXAMPLES times (at the line of its first). */
  finish(): void {
    for (const [code, c] of this.counts) if (c.n > MAX_EXAMPLES) this.say(`${this.path}:${c.line}: warning: ${c.n - MAX_EXAMPLES} more like this (${code})`);
    this.counts.clear();
  }
}
