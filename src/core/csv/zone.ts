/**
 * A CSV's UTC offset: times written with one (`2024-03-04T10:00:00+01:00`, PostgreSQL's `… 10:00:00+01`, Kibana's
 * and Splunk's exports) are shown and split into days as the file writes them — its wall clock, not UTC. The frame's
 * timestamps are then the instants plus the offset (Frame.utcOffsetMs), and every time written out carries the offset
 * (isoOf), so the instant is kept. One offset per file: the first timed row's; a file whose rows change offset
 * (daylight saving time) is shown at that one, with a warning.
 */
import { ZONE_AFTER_CLOCK as ZONE, ZONE_NAMES, zoneMs } from './time.ts';
import type { ZoneNames } from './time.ts';

/**
 * The UTC offset (ms, east positive) a time text is written in, or null when it has no zone or one `zones` leaves
 * out (an ambiguous abbreviation its file does not settle).
 */
export function zoneOffsetOf(text: string, zones: ZoneNames = ZONE_NAMES): number | null {
  const m = ZONE.exec(text);
  const ms = m ? zoneMs(m[1], zones) : NaN;
  return ms === ms ? ms : null;
}

/** How people read an offset: `UTC`, or `+01:00` (a file's wall clock). */
export function zoneName(offsetMs: number): string {
  return offsetMs === 0 ? 'UTC' : offsetText(offsetMs);
}

/** `+01:00`, `-05:30`, `+00:00` for an offset in ms. */
export function offsetText(offsetMs: number): string {
  const m = Math.round(Math.abs(offsetMs) / 60_000);
  return `${offsetMs < 0 ? '-' : '+'}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * A file's offset (fileZone, from its first rows) and where a later row is written at another one (daylight saving
 * time past the first rows): `seen` is given each timed row's text, or its place in a block (the fast reader).
 */
export class ZoneWatch {
  offsetMs = 0;
  /** The first row's zone as written (`+01:00`), or '' when the file has none: what every row should end with. */
  private tail = '';
  /** The first line written at another offset, or 0. */
  movedAt = 0;
  /** The abbreviations the file's times are read by (Inference.zones). */
  private zones: ZoneNames = ZONE_NAMES;

  /**
   * Decides the offset from the first rows' time texts (`lines`: their lines); a change of offset among them is
   * noted as a later one is (movedAt, note), so every reader says it alike wherever its first rows end.
   */
  start(texts: readonly string[], lines: readonly number[], zones: ZoneNames = ZONE_NAMES): void {
    this.zones = zones;
    const z = fileZone(texts, zones);
    this.offsetMs = z.offsetMs;
    this.movedAt = z.changeAt >= 0 ? lines[z.changeAt] : 0;
    // The first text's zone as written, when each has one (at UTC too: `GMT` before a later `BST`).
    const timed = texts.filter((t) => t.trim() !== '');
    const zoned = !this.movedAt && timed.length > 0 && timed.every((t) => zoneOffsetOf(t, zones) !== null);
    this.tail = zoned ? ZONE.exec(timed[0])?.[1] ?? '' : '';
  }

  /**
   * A timed row's text s[from, to) at `line`: notes the first written at another offset — one that does not end in
   * the file's zone as the first rows write it, and whose zone (`cet` for `CET`, `CET 2024` of Unix `date`) is not
   * of the file's offset. A row without a zone in a file at UTC is read at its offset: no change.
   */
  seen(s: string, from: number, to: number, line: number): void {
    if (!this.tail || this.movedAt) return;
    while (to > from && s.charCodeAt(to - 1) === 32) to--;
    if (s.startsWith(this.tail, to - this.tail.length)) return;
    const o = zoneOffsetOf(s.slice(from, to), this.zones);
    if (o !== this.offsetMs && (o !== null || this.offsetMs !== 0)) this.movedAt = line;
  }

  /** The warning of a change of offset (the only wording of it: analyze, stream and the editor say this), or null. */
  note(): string | null {
    return this.movedAt ? `the times change UTC offset at line ${this.movedAt} (daylight saving time?): all are shown at ${offsetText(this.offsetMs)}, the first rows'` : null;
  }
}

/**
 * The offset of a file's times, from its first rows' time texts: the first zoned text's (0 when none has a zone),
 * and the index of the first text at another offset (-1 when none is: ZoneWatch says where).
 */
export function fileZone(texts: readonly string[], zones: ZoneNames = ZONE_NAMES): { offsetMs: number; changeAt: number } {
  let offsetMs: number | null = null;
  let changeAt = -1;
  let plain = false;
  for (let i = 0; i < texts.length; i++) {
    const o = zoneOffsetOf(texts[i], zones);
    if (o === null) { plain ||= texts[i].trim() !== ''; continue; }
    if (offsetMs === null) offsetMs = o;
    else if (o !== offsetMs && changeAt < 0) changeAt = i;
  }
  // Times with and without a zone: those without are read as UTC, as before — no wall clock to shift them to.
  if (offsetMs === null || plain || (offsetMs === 0 && changeAt < 0)) return { offsetMs: 0, changeAt: -1 };
  return { offsetMs, changeAt };
}
