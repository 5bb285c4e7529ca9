/**
 * The one CSV tokenizer of the project: `analyze` (src/core/csv/parse.ts) and `stream`
 * (src/node/csvLines.ts) both split text into records with it, so a file reads the same way, or fails at the
 * same line and column, whichever command reads it.
 *
 * RFC 4180 as spreadsheets write it: a field that starts with `"` is quoted and may hold delimiters, line
 * breaks and doubled quotes (`""` is `"`); spaces may follow its closing quote. A `"` inside an unquoted
 * field is an ordinary character. A record ends at LF or CRLF. Text arrives in pieces of any size: each
 * character is looked at once (the state of an unfinished record is kept, never re-read), and a record may
 * not grow past `maxRecordChars` nor past `maxFields` fields, so memory and time stay bounded whatever the input.
 *
 * Errors, each with the line and column to show (`file:line:col: error`), stop the tokenizer:
 * - unclosed-quote: a quoted field still open at the end of the input (or longer than the record limit);
 * - bad-quote: a closing quote followed by something other than a delimiter, a line break or spaces
 *   (`"ab"c`: a quote inside a quoted field must be doubled);
 * - line-too-long: a record over the limit;
 * - too-many-columns: a record with more fields than the limit (counted only when fields are built).
 */

/** A syntax error of the input, at a 1-based line and column. */
export interface CsvSyntaxError {
  code: 'unclosed-quote' | 'bad-quote' | 'line-too-long' | 'too-many-columns';
  message: string;
  line: number;
  column: number;
}

/** Longest record (in characters) read: larger is an error, not an unbounded buffer. */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;
/** Most fields in one record: wider files are refused (each column costs memory and detector time). */
export const MAX_FIELDS = 10_000;

export interface TokenizerOptions {
  /** Build the fields (false: only follow the quotes and find where records end; see `lastRecordEnd`). @default true */
  fields?: boolean;
  /** Line number of the first character. @default 1 */
  firstLine?: number;
  /** @default MAX_RECORD_CHARS */
  maxRecordChars?: number;
  /** @default MAX_FIELDS */
  maxFields?: number;
}

/** Called with each complete record: its fields (quotes removed) and the 1-based line it starts on. */
export type RecordSink = (fields: string[], line: number) => void;

const START = 0; // at the start of a field
const PLAIN = 1; // inside an unquoted field
const QUOTED = 2; // inside a quoted field
const QUOTE = 3; // just after a `"` inside a quoted field: a doubled quote or the closing one
const CLOSED = 4; // after a closing quote (and maybe spaces): a delimiter or a line break must follow

const NL = 10, CR = 13, DQ = 34, SP = 32, TAB = 9;

const MiB = (n: number): string => `${Math.round(n / (1024 * 1024))} MiB`;

export class CsvTokenizer {
  /** The first syntax error; once set, nothing more is read. */
  error: CsvSyntaxError | null = null;
  /** Absolute offset (in characters since the first push) just past the last complete record. */
  lastRecordEnd = 0;

  private readonly build: boolean;
  private readonly maxRecord: number;
  private readonly maxFields: number;
  private readonly delim: number;
  private readonly delimiter: string;
  private state = START;
  /** Absolute offset of the start of the text being scanned, and of the current line. */
  private base = 0;
  private lineStart = 0;
  private lineNo: number;
  /** The record in progress: where and on which line it starts, its fields, its field's text so far. */
  private recStart = 0;
  private recLine: number;
  private fields: string[] = [];
  private nFields = 0;
  private cur = '';
  /** Where the open quote of the current quoted field is (line, column), and the last closing quote seen. */
  private quoteLine = 0;
  private quoteCol = 0;
  private closeLine = 0;
  private closeCol = 0;

  constructor(delimiter: string, options: TokenizerOptions = {}) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') throw new RangeError(`unusable CSV delimiter ${JSON.stringify(delimiter)}`);
    this.delimiter = delimiter;
    this.delim = delimiter.charCodeAt(0);
    this.build = options.fields ?? true;
    this.maxRecord = options.maxRecordChars ?? MAX_RECORD_CHARS;
    this.maxFields = options.maxFields ?? MAX_FIELDS;
    this.lineNo = options.firstLine ?? 1;
    this.recLine = this.lineNo;
  }

  /** Line of the next character to be read. */
  get line(): number {
    return this.lineNo;
  }

  /** Where the quoted field being read opened, when the tokenizer is inside one (for "still open" notes). */
  get openQuote(): { line: number; column: number } | null {
    return this.state === QUOTED ? { line: this.quoteLine, column: this.quoteCol } : null;
  }

  /** Reads a piece of text; complete records go to `sink`. */
  push(text: string, sink?: RecordSink): void {
    if (this.error || text.length === 0) return;
    const s = text;
    const n = s.length;
    const d = this.delim;
    const build = this.build;
    let i = 0;
    // Positions of the next delimiter / line break / quote at or after i, found once and reused (never a rescan).
    let nextD = -2, nextNL = -2, nextQ = -2;
    while (i < n) {
      const st = this.state;
      if (st === START || st === PLAIN) {
        if (st === START) {
          if (s.charCodeAt(i) === DQ) {
            this.state = QUOTED;
            this.quoteLine = this.lineNo;
            this.quoteCol = this.base + i - this.lineStart + 1;
            i++;
            continue;
          }
          this.state = PLAIN;
        }
        if (!build) {
          // Only record ends and field starts matter: jump to the next quote, the text before it has none.
          if (nextQ < i && nextQ !== -1) nextQ = s.indexOf('"', i);
          const stop = nextQ < 0 ? n : nextQ;
          // Every line break in [i, stop) ends a record (no quoted field is open in plain text).
          let p = i;
          for (let e = s.indexOf('\n', p); e >= 0 && e < stop; e = s.indexOf('\n', p)) {
            this.lineNo++;
            this.lineStart = this.base + e + 1;
            this.endRecordAt(this.base + e + 1);
            if (this.error) return;
            p = e + 1;
          }
          if (stop === n) {
            // The text ends in plain text: at a field start when its last character is a delimiter.
            this.state = n > 0 && (s.charCodeAt(n - 1) === d || s.charCodeAt(n - 1) === NL) ? START : PLAIN;
            i = n;
            break;
          }
          // A quote at `stop` opens a field right after a delimiter or a line break; elsewhere it is a character.
          // (At stop === i the state is PLAIN: a field start was handled above.)
          const prev = stop > i ? s.charCodeAt(stop - 1) : -1;
          if (prev === d || prev === NL) { this.state = START; i = stop; continue; }
          this.state = PLAIN;
          i = stop + 1;
          continue;
        }
        if (nextD < i && nextD !== -1) nextD = s.indexOf(this.delimiter, i);
        if (nextNL < i && nextNL !== -1) nextNL = s.indexOf('\n', i);
        let stop: number;
        let atNL: boolean;
        if (nextD >= 0 && (nextNL < 0 || nextD < nextNL)) { stop = nextD; atNL = false; }
        else if (nextNL >= 0) { stop = nextNL; atNL = true; }
        else {
          this.cur += s.slice(i);
          i = n;
          break;
        }
        let piece = s.slice(i, stop);
        if (atNL) {
          const field = this.cur + piece;
          piece = field.charCodeAt(field.length - 1) === CR ? field.slice(0, -1) : field;
          this.cur = '';
          this.addField(piece);
          this.lineNo++;
          this.lineStart = this.base + stop + 1;
          this.emit(sink, this.base + stop + 1);
        } else {
          this.addField(this.cur + piece);
          this.cur = '';
          this.state = START;
        }
        if (this.error) return;
        i = stop + 1;
        continue;
      }
      if (st === QUOTED) {
        if (nextQ < i && nextQ !== -1) nextQ = s.indexOf('"', i);
        const stop = nextQ < 0 ? n : nextQ;
        for (let e = s.indexOf('\n', i); e >= 0 && e < stop; e = s.indexOf('\n', e + 1)) {
          this.lineNo++;
          this.lineStart = this.base + e + 1;
        }
        if (build) this.cur += s.slice(i, stop);
        if (stop === n) { i = n; break; }
        this.state = QUOTE;
        this.closeLine = this.lineNo;
        this.closeCol = this.base + stop - this.lineStart + 1;
        i = stop + 1;
        continue;
      }
      const c = s.charCodeAt(i);
      if (st === QUOTE && c === DQ) {
        if (build) this.cur += '"';
        this.state = QUOTED;
        i++;
        continue;
      }
      // QUOTE (the quote closed the field) or CLOSED.
      if (c === d) {
        this.addField(this.cur);
        this.cur = '';
        this.state = START;
        i++;
      } else if (c === NL) {
        this.addField(this.cur);
        this.cur = '';
        this.lineNo++;
        this.lineStart = this.base + i + 1;
        this.emit(sink, this.base + i + 1);
        i++;
      } else if (c === SP || c === TAB || c === CR) {
        this.state = CLOSED;
        i++;
      } else {
        const ch = c < 32 || c === 127 ? `\\u${c.toString(16).padStart(4, '0')}` : s[i];
        this.fail('bad-quote', `a quoted field ends at column ${this.closeCol} and is followed by '${ch}': a '"' inside a quoted field must be doubled ("")`, this.closeLine, this.closeCol);
      }
      if (this.error) return;
    }
    this.base += n;
    if (!this.error && this.base - this.recStart > this.maxRecord) this.tooLong();
  }

  /** The input ended: the last record needs no line break; a quoted field still open is an error. */
  end(sink?: RecordSink): void {
    if (this.error) return;
    if (this.state === QUOTED) {
      this.fail('unclosed-quote', 'unclosed quoted field: a \'"\' opens a field that never ends', this.quoteLine, this.quoteCol);
      return;
    }
    if (this.base > this.recStart || this.nFields > 0) {
      if (this.build) {
        let last = this.cur;
        if (this.state === PLAIN && last.charCodeAt(last.length - 1) === CR) last = last.slice(0, -1);
        this.addField(last);
        this.cur = '';
      }
      this.emit(sink, this.base);
    }
    this.state = START;
  }

  private addField(text: string): void {
    if (!this.build) return;
    // Past the limit the fields are counted, not kept; the record is refused at its end (unless too long).
    if (this.nFields < this.maxFields) this.fields.push(text);
    this.nFields++;
  }

  /** Scan mode: a record ends at absolute offset `end` (fields are not built, but their count is). */
  private endRecordAt(end: number): void {
    this.emit(undefined, end);
  }

  private emit(sink: RecordSink | undefined, end: number): void {
    if (this.error) return;
    if (end - this.recStart > this.maxRecord) { this.tooLong(); return; }
    if (this.nFields > this.maxFields) {
      this.fail('too-many-columns', `line ${this.recLine} has ${this.nFields.toLocaleString('en')} fields; at most ${this.maxFields.toLocaleString('en')} are read (files this wide are not supported)`, this.recLine, 1);
      return;
    }
    const fields = this.fields;
    const line = this.recLine;
    // Scan mode builds no fields: no new array per record.
    if (this.build) this.fields = [];
    this.nFields = 0;
    this.state = START;
    this.recStart = end;
    this.recLine = this.lineNo;
    this.lastRecordEnd = end;
    if (this.build && sink) sink(fields, line);
  }

  private tooLong(): void {
    if (this.state === QUOTED) {
      this.fail('unclosed-quote', `unclosed quoted field: a '"' opens a field that runs past ${MiB(this.maxRecord)} (is its closing quote missing?)`, this.quoteLine, this.quoteCol);
    } else {
      this.fail('line-too-long', `line ${this.recLine} is longer than ${MiB(this.maxRecord)}: a record this long is not read`, this.recLine, 1);
    }
  }

  private fail(code: CsvSyntaxError['code'], message: string, line: number, column: number): void {
    if (!this.error) this.error = { code, message, line, column };
  }
}

/** Splits one complete record (no line break outside quotes) into its fields; null when its quotes are wrong. */
export function splitRecord(record: string, delimiter: string): string[] | null {
  let out: string[] | null = null;
  const t = new CsvTokenizer(delimiter, { maxRecordChars: Infinity, maxFields: Infinity });
  t.push(record, (f) => { out = f; });
  t.end((f) => { out = f; });
  return t.error ? null : out;
}
