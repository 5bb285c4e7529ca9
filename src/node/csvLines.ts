/**
 * Incremental CSV record splitting for `stream`: text arrives in chunks of any size (a file that keeps
 * growing), complete records come out. The tokenizer is the one `analyze` reads with
 * (src/core/csv/tokenize.ts): the same quoting rules, the same errors at the same line and column, and
 * each character read once (an unfinished record is kept as state, never re-read). A UTF-8 BOM at the
 * very start is dropped.
 */

import { guessDelimiter } from '../core/csv/sniff.ts';
import { CsvTokenizer, splitRecord } from '../core/csv/tokenize.ts';
import type { CsvSyntaxError } from '../core/csv/tokenize.ts';

/** One complete record: its fields (quotes removed) and the 1-based line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Text read before the delimiter is guessed, unless the input pauses first (as the analyze reader). */
const HEAD_CHARS = 64 * 1024;

/** Splits text pushed in pieces into records; keeps only the state of the unfinished record between pushes. */
export class CsvRecordSplitter {
  private head = '';
  private started = false;
  private delimiter: string | null;
  private tokenizer: CsvTokenizer | null = null;

  constructor(delimiter?: string) {
    this.delimiter = delimiter ?? null;
    if (delimiter) this.tokenizer = new CsvTokenizer(delimiter);
  }

  /** The delimiter in use (guessed from the first text when not given), or null before it. */
  get delim(): string | null {
    return this.delimiter;
  }

  /** The syntax error that stopped the reading (unclosed or misplaced quote, line too long), or null. */
  get error(): CsvSyntaxError | null {
    return this.tokenizer?.error ?? null;
  }

  /** Where a quoted field that is still open began (its closing quote has not arrived yet), or null. */
  get openQuote(): { line: number; column: number } | null {
    return this.tokenizer?.openQuote ?? null;
  }

  /** Adds text and returns the records it completes (a record needs its line break to be complete). */
  push(text: string): CsvRecord[] {
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (!this.tokenizer) {
      this.head += text;
      return this.head.length >= HEAD_CHARS ? this.settle() : [];
    }
    const out: CsvRecord[] = [];
    this.tokenizer.push(text, (fields, line) => { if (!blank(fields)) out.push({ fields, line }); });
    return out;
  }

  /** The input paused: guess the delimiter from the text there is, so a slow stream is read live. */
  settle(): CsvRecord[] {
    if (this.tokenizer || !this.head) return [];
    const text = this.head;
    this.head = '';
    this.delimiter = guessDelimiter(text);
    this.tokenizer = new CsvTokenizer(this.delimiter);
    return this.push(text);
  }

  /** The unterminated last record, if any (for a file that ends without a line break), and resets. */
  flush(): CsvRecord[] {
    const out = this.settle();
    const t = this.tokenizer;
    if (!t) return out;
    t.end((fields, line) => { if (!blank(fields)) out.push({ fields, line }); });
    return out;
  }
}

function blank(fields: string[]): boolean {
  return fields.length === 1 && fields[0].trim() === '';
}

/** Splits one record into fields (RFC 4180 quoting: "a""b" is a"b); a record with broken quotes is split as text. */
export function splitFields(record: string, delimiter: string): string[] {
  return splitRecord(record, delimiter) ?? record.split(delimiter);
}
