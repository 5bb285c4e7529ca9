/**
 * Incremental CSV record splitting for `stream`: text arrives in chunks of any size (a file that keeps
 * growing), complete records come out. A quoted field may hold delimiters, doubled quotes and line
 * breaks; CRLF and LF both end a record; a UTF-8 BOM at the very start is dropped.
 */

import { guessDelimiter } from '../core/csv/parse.ts';

/** One complete record: its fields (quotes removed) and the 1-based line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Splits text pushed in pieces into records; keeps only the unfinished tail between pushes. */
export class CsvRecordSplitter {
  private pending = '';
  private line = 1;
  private started = false;
  private delimiter: string | null;

  constructor(delimiter?: string) {
    this.delimiter = delimiter ?? null;
  }

  /** The delimiter in use (detected from the first record when not given), or null before it. */
  get delim(): string | null {
    return this.delimiter;
  }

  /** Adds text and returns the records it completes (a record needs its line break to be complete). */
  push(text: string): CsvRecord[] {
    let s = this.pending + text;
    if (!this.started && s.length) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      this.started = true;
    }
    const out: CsvRecord[] = [];
    let start = 0;
    let inQuotes = false;
    let lineBreaks = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 34 /* " */) inQuotes = !inQuotes;
      else if (c === 10 /* \n */) {
        if (inQuotes) { lineBreaks++; continue; }
        const end = i > start && s.charCodeAt(i - 1) === 13 ? i - 1 : i;
        const rec = s.slice(start, end);
        const line = this.line;
        this.line += lineBreaks + 1;
        lineBreaks = 0;
        start = i + 1;
        if (rec.trim() === '') continue;
        if (this.delimiter === null) this.delimiter = guessDelimiter(rec);
        out.push({ fields: splitFields(rec, this.delimiter), line });
      }
    }
    this.pending = s.slice(start);
    return out;
  }

  /** The unterminated last record, if any (for a file that ends without a line break), and resets. */
  flush(): CsvRecord[] {
    const rest = this.pending;
    this.pending = '';
    if (rest.trim() === '') return [];
    return this.push(rest + '\n');
  }
}

/** Splits one record into fields (RFC 4180 quoting: "a""b" is a"b). */
export function splitFields(record: string, delimiter: string): string[] {
  if (record.indexOf('"') < 0) return record.split(delimiter);
  const fields: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i];
    if (inQuotes) {
      if (ch === '"') {
        if (record[i + 1] === '"') { cur += '"'; i++; } else inQuotes = false;
      } else cur += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === delimiter) { fields.push(cur); cur = ''; }
    else cur += ch;
  }
  fields.push(cur);
  return fields;
}
