/**
 * Times and steps of a Prometheus range query (SPEC §8): T is RFC 3339, unix seconds, `now`, or relative to now
 * (`-7d`, `now-1h30m`); a step is a Prometheus duration (`1m`) or seconds (`60`, `0.5`).
 */
import { formatDuration, parseDuration } from '../rules/duration.ts';

/** Prometheus refuses a range query with more than this many points per series ("exceeded maximum resolution"). */
export const MAX_POINTS_PER_SERIES = 11_000;

/** The default range when no start is given: 7 days before the end (SPEC §8). */
export const DEFAULT_RANGE_MS = 7 * 86_400_000;

/** A parsed value or a message that says what was expected. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const UNIX = /^\d+(\.\d+)?$/;
const RELATIVE = /^(?:now)?-(.+)$/;

/**
 * Epoch ms of a time argument. `now` is the caller's clock. A date without a zone is refused (which zone it
 * means is a guess); a date alone (`2025-03-01`) is midnight UTC.
 */
export function parseTime(text: string, now: number): Parsed<number> {
  const t = text.trim();
  if (t === 'now') return { ok: true, value: now };
  const rel = RELATIVE.exec(t);
  if (rel) {
    const ms = parseDuration(rel[1]);
    if (Number.isFinite(ms)) return { ok: true, value: now - ms };
    return { ok: false, message: `'${text}' is not a relative time: expected a duration after '-' such as -7d, -1h30m or now-15m` };
  }
  if (UNIX.test(t)) {
    const v = Math.round(Number(t) * 1000);
    if (Number.isFinite(v)) return { ok: true, value: v };
  }
  if (RFC3339.test(t) || DATE_ONLY.test(t)) {
    const v = Date.parse(DATE_ONLY.test(t) ? `${t}T00:00:00Z` : t.replace(' ', 'T'));
    if (Number.isFinite(v)) return { ok: true, value: v };
  }
  return { ok: false, message: `'${text}' is not a time: expected RFC 3339 (2025-03-01T12:00:00Z), unix seconds, now, or relative such as -7d` };
}

/** Milliseconds of a step: a Prometheus duration (`30s`, `1m`) or seconds (`15`, `0.5`); positive. */
export function parseStep(text: string): Parsed<number> {
  const t = text.trim();
  const ms = UNIX.test(t) ? Math.round(Number(t) * 1000) : parseDuration(t);
  if (Number.isFinite(ms) && ms >= 1) return { ok: true, value: ms };
  return { ok: false, message: `'${text}' is not a step: expected a positive duration such as 15s, 1m, 1h or seconds such as 60` };
}

/**
 * The smallest default step: a step under the data's own sampling interval repeats each sample (PromQL takes the
 * last sample within 5 minutes), and repeated values read as a stuck metric. One minute is the common scrape
 * interval of host metrics; --step goes finer.
 */
export const MIN_DEFAULT_STEP_MS = 60_000;

/** The steps a default is chosen from: round values a person reads at a glance. */
const NICE_STEPS_MS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400].map((s) => s * 1000).filter((s) => s >= MIN_DEFAULT_STEP_MS);

/**
 * The default step of a range: the smallest round step of at least MIN_DEFAULT_STEP_MS that keeps it to at most
 * MAX_POINTS_PER_SERIES points (one request per query); past a day per point, whole days.
 */
export function defaultStep(rangeMs: number): number {
  const need = Math.max(0, rangeMs) / (MAX_POINTS_PER_SERIES - 1);
  for (const s of NICE_STEPS_MS) if (s >= need) return s;
  return Math.ceil(need / 86_400_000) * 86_400_000;
}

/**
 * What a summary says of a step defaultStep chose coarser than MIN_DEFAULT_STEP_MS (a long range), else null: why,
 * and that --step keeps the finer step (planPieces then cuts the range into requests of at most
 * MAX_POINTS_PER_SERIES points).
 */
export function chosenStepNote(stepMs: number): string | null {
  if (!(stepMs > MIN_DEFAULT_STEP_MS)) return null;
  return `chosen to stay under ${MAX_POINTS_PER_SERIES.toLocaleString('en')} points per series; --step ${formatDuration(MIN_DEFAULT_STEP_MS)} fetches in pieces`;
}
