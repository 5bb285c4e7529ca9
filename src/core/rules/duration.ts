/** Milliseconds per Prometheus duration unit (a year is 365 days, as in Prometheus). */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000,
};

const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
const PART = /([0-9]+)(ms|s|m|h|d|w|y)/g;
/** Prometheus's own form (model.ParseDuration): each unit at most once, largest first. */
const PROM_DURATION = /^(?:[0-9]+y)?(?:[0-9]+w)?(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?(?:[0-9]+ms)?$/;

/**
 * The longest duration Prometheus holds: its model.Duration is an int64 of nanoseconds, so 2^63-1 ns, about
 * 292.47 years (`106751d` is accepted by promtool 2.42, `106752d` is "duration out of range").
 */
export const MAX_DURATION_MS = 9_223_372_036_854;

/** Milliseconds of a Prometheus duration such as `90s` or `1h30m`; NaN when the text is not one or is past MAX_DURATION_MS. */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) return NaN;
  let ms = 0;
  for (const m of text.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms <= MAX_DURATION_MS ? ms : NaN;
}

/**
 * Why Prometheus refuses a duration, in its words (model.ParseDuration, checked against promtool 2.42): `empty
 * duration string`, `not a valid duration string: "1m1h"` (units out of order or repeated), `duration out of range`;
 * null when it reads it. `strict` false: any order of units is ours (the rules file's own durations), only the range
 * is Prometheus's.
 */
export function durationError(text: string, strict = true): string | null {
  if (text === '') return 'empty duration string';
  if (text === '0') return null;
  if (!(strict ? PROM_DURATION : DURATION).test(text)) return `not a valid duration string: "${text}"`;
  return Number.isNaN(parseDuration(text)) ? 'duration out of range' : null;
}

/** Shortest Prometheus duration text of a millisecond count (`0s` for 0; NaN or negative give ''). */
export function formatDuration(ms: number): string {
  if (!(ms >= 0) || !Number.isFinite(ms)) return '';
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['y', 'w', 'd', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) { out += `${n}${unit}`; rest -= n * size; }
  }
  return out;
}
