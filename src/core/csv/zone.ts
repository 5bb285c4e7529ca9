/**
 * A CSV's UTC offset: times written with one (`2024-03-04T10:00:00+01:00`, PostgreSQL's `… 10:00:00+01`, Kibana's
 * and Splunk's exports) are shown and split into days as the file writes them — its wall clock, not UTC. The frame's
 * timestamps are then the instants plus the offset (Frame.utcOffsetMs), and every time written out carries the offset
 * (isoOf), so the instant is kept. One offset per file: the first timed row's; a file whose rows change offset
 * (daylight saving time) is shown at that one, with a warning.
 */
import { clip } from './infer.ts';

/** A zone after a clock time at the end of a text: `Z`, `UTC`, `GMT`, `+01:00`, `-0530`, `+01`. */
const ZONE = /\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?\s*(?:(Z|UTC|GMT)|([+-])(\d{2})(?::?(\d{2}))?)\s*$/i;

/** The UTC offset (ms, east positive) a time text is written in, or null when it has no zone. */
export function zoneOffsetOf(text: string): number | null {
  const m = ZONE.exec(text);
  if (!m) return null;
  if (m[1]) return 0;
  const ms = (+m[3] * 60 + (m[4] === undefined ? 0 : +m[4])) * 60_000;
  return m[2] === '-' ? -ms : ms;
}

/** `+01:00`, `-05:30`, `+00:00` for an offset in ms. */
export function offsetText(offsetMs: number): string {
  const m = Math.round(Math.abs(offsetMs) / 60_000);
  return `${offsetMs < 0 ? '-' : '+'}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * The offset of a file's times, from its first rows' time texts: the first zoned text's (0 when none has a zone),
 * and a warning when they do not all have it.
 */
export function fileZone(texts: readonly string[]): { offsetMs: number; note: string | null } {
  let offsetMs: number | null = null;
  let other: string | null = null;
  for (const t of texts) {
    const o = zoneOffsetOf(t);
    if (o === null) continue;
    if (offsetMs === null) offsetMs = o;
    else if (o !== offsetMs && other === null) other = t;
  }
  if (offsetMs === null || (offsetMs === 0 && other === null)) return { offsetMs: 0, note: null };
  const note = other === null ? null : `times are written with more than one UTC offset (${offsetText(offsetMs)}, then e.g. '${clip(other)}': daylight saving time?): all are shown at ${offsetText(offsetMs)}, the first row's`;
  return { offsetMs, note };
}
