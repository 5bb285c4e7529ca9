/**
 * Polling a Prometheus source through an outage (`stream --prometheus`, the editor's Start Streaming on a snapshot).
 * A failed poll is said once per outage (again only when the failure changes), and the first answer after it says
 * the server is back. While Prometheus is down nothing is scraped, yet once it answers again its lookback fills
 * the grid points after its last sample before the outage with that sample (up to 5 minutes): those points are no
 * reading. They are made missing by the owner of that rule, `dropLookbackCopies`, on the points up to the last
 * failed poll that found the server not serving (the series is known to have stopped there), and counted.
 */
import type { Frame } from '../csv/frame.ts';
import { formatDuration } from '../rules/duration.ts';
import { LOOKBACK_DELTA_MS } from '../rules/evaluate.ts';
import { dropLookbackCopies } from './source.ts';

/**
 * Failures that show the server was not serving, so not scraping: its host refused the connection (nothing listens:
 * Prometheus stopped or restarting), or a gateway's or a starting Prometheus's 502–504 (Prometheus's own errors come
 * in its JSON envelope, never as these bare statuses). A poll that got no answer, or could not reach the host (this
 * machine's network, DNS), shows nothing of the server: the points after it are readings, kept.
 */
const NOT_SERVING = /cannot reach the server: connection refused|(^|: )HTTP 50[234] /;

export class PollOutage {
  /** When the first failed poll of the current outage was, or null while polls succeed. */
  private failingSince: number | null = null;
  /** The current outage had a poll the server did not answer (else only errors it answered with). */
  private unreachable = false;
  /** The warning given in the current outage (a repeat of it is not given again). */
  private said = '';
  /** The last failed poll of an outage whose points have not all been fetched yet (0: none pending). */
  private downUntil = 0;
  /** The last grid point fed, and each column's value there (absent or NaN: none). */
  private lastMs = NaN;
  private last = new Map<string, number>();

  constructor(private readonly server: string) {}

  /** A poll failed with `message`: true when it is to be said (this outage has not said it yet). */
  failed(message: string, nowMs: number): boolean {
    this.failingSince ??= nowMs;
    // A server that answered with an error of its own is up and scraping: its points are readings.
    if (NOT_SERVING.test(message)) this.downUntil = nowMs;
    if (NOT_SERVING.test(message) || /cannot reach the server|no answer within/.test(message)) this.unreachable = true;
    if (message === this.said) return false;
    this.said = message;
    return true;
  }

  /** The server answered a poll: after an outage, what to say (once), else null. */
  answered(nowMs: number): string | null {
    if (this.failingSince === null) return null;
    const secs = Math.max(1, Math.round((nowMs - this.failingSince) / 1000));
    this.failingSince = null;
    this.said = '';
    const unreachable = this.unreachable;
    this.unreachable = false;
    return `${this.server}: ${unreachable ? 'reachable again' : 'polls answered again'} after ${formatDuration(secs * 1000)} ${unreachable ? 'without an answer' : 'of errors'}`;
  }

  /**
   * The points of a fetched range (`startMs` its first grid point) with the lookback copies over the last outage
   * made missing (rows left without a value dropped), and how many were; then remembers the range as fed.
   */
  clean(frame: Frame, startMs: number, endMs: number, stepMs: number): { frame: Frame; dropped: number } {
    let dropped = 0;
    if (this.downUntil > startMs - stepMs && frame.timestamps) {
      // The grid from the point before the range (the last one fed: a copy's first of run is kept) to the last
      // failed poll, then one point with no sample: the series stopped before it.
      const from = startMs - stepMs;
      const n = Math.max(1, Math.ceil((this.downUntil - from) / stepMs)) + 1;
      const rowAt = new Map<number, number>();
      for (let r = 0; r < frame.rows; r++) rowAt.set(frame.timestamps[r], r);
      for (let c = 0; c < frame.metrics.length; c++) {
        const grid = new Float64Array(n).fill(NaN);
        grid[0] = this.lastMs === from ? this.last.get(frame.metrics[c]) ?? NaN : NaN;
        for (let i = 1; i < n - 1; i++) {
          const r = rowAt.get(from + i * stepMs);
          if (r !== undefined) grid[i] = frame.values[c][r];
        }
        if (!dropLookbackCopies(grid, stepMs)) continue;
        for (let i = 1; i < n - 1; i++) {
          const r = rowAt.get(from + i * stepMs);
          if (r !== undefined && Number.isNaN(grid[i]) && !Number.isNaN(frame.values[c][r])) { frame.values[c][r] = NaN; dropped++; }
        }
      }
      if (dropped) frame = withoutEmptyRows(frame);
    }
    // Points up to the last failed poll not fetched yet (the range ended before it) are cleaned by the next range.
    if (this.downUntil && endMs >= this.downUntil) this.downUntil = 0;
    this.fed(frame, endMs);
    return { frame, dropped };
  }

  /** The range up to `endMs` was fed (or skipped, `frame` null): its last point's values anchor the next range. */
  fed(frame: Frame | null, endMs: number): void {
    this.lastMs = endMs;
    this.last.clear();
    const r = frame && frame.rows > 0 && frame.timestamps?.[frame.rows - 1] === endMs ? frame.rows - 1 : -1;
    if (r >= 0) frame!.metrics.forEach((m, c) => this.last.set(m, frame!.values[c][r]));
  }

  /** What to say about the points left out by `clean`. */
  droppedNote(dropped: number): string {
    return `${this.server}: note: ${dropped.toLocaleString('en')} point${dropped === 1 ? '' : 's'} over the outage left out (Prometheus's lookback repeats the last sample before it for up to ${formatDuration(LOOKBACK_DELTA_MS)})`;
  }
}

function withoutEmptyRows(frame: Frame): Frame {
  const keep: number[] = [];
  for (let r = 0; r < frame.rows; r++) if (frame.values.some((v) => !Number.isNaN(v[r]))) keep.push(r);
  const pick = <T extends Float64Array | Int32Array>(a: T): T => { const out = new (a.constructor as new (n: number) => T)(keep.length); keep.forEach((r, i) => { out[i] = a[r]; }); return out; };
  return { ...frame, rows: keep.length, timestamps: frame.timestamps && pick(frame.timestamps), values: frame.values.map(pick), lines: pick(frame.lines) };
}
