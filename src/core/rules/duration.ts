/** Milliseconds per Prometheus duration unit (a year is 365 days, as in Prometheus). */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000,
};

const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
const PART = /([0-9]+)(ms|s|m|h|d|w|y)/g;

/** Milliseconds of a Prometheus duration such as `90s` or `1h30m`; NaN when the text is not one. */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) return NaN;
  let ms = 0;
  for (const m of text.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
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
