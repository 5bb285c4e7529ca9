/** The warnings of one CSV read: counted per code, the first few of each kept as they were said, the rest as a count. */
import type { DataIssue } from './frame.ts';

/** Distinct messages kept per issue code; the rest are counted. */
const MAX_EXAMPLES = 3;

export class IssueLog {
  private readonly counts = new Map<string, { n: number; first: DataIssue }>();
  private readonly examples: DataIssue[] = [];

  /** `say`: each warning kept, as it is said (a stream's stderr); a read's are taken at the end (issues). */
  constructor(private readonly say?: (issue: DataIssue) => void) {}

  /** Says a warning (`at`: its line, `column`: its 1-based column); past MAX_EXAMPLES of its code it is only counted. */
  readonly warn = (code: string, message: string, at?: number, column?: number): void => {
    const c = this.counts.get(code);
    if (c && ++c.n > MAX_EXAMPLES) return;
    const issue: DataIssue = { severity: 'warning', code, message, line: at, column };
    if (!c) this.counts.set(code, { n: 1, first: issue });
    this.examples.push(issue);
    this.say?.(issue);
  };

  /** Whether a warning of `code` was said. */
  has(code: string): boolean {
    return this.counts.has(code);
  }

  /** The warnings kept, in the order said, then for each code said more than MAX_EXAMPLES times how many more. */
  issues(): DataIssue[] {
    return [...this.examples, ...this.counted()];
  }

  /** For each code said more than MAX_EXAMPLES times, how many more (at its first's line). */
  counted(): DataIssue[] {
    const out: DataIssue[] = [];
    for (const [code, c] of this.counts) {
      if (c.n > MAX_EXAMPLES) out.push({ severity: 'warning', code, message: `${c.n - MAX_EXAMPLES} more like this (${code})`, line: c.first.line });
    }
    return out;
  }
}
