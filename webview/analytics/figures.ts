// The analytics view's figures as the charts draw them: DOM-free (the page's main.ts draws them).
import type { DayCounts, HistoryReport } from '../../src/core/history/analytics.ts';

/** Buckets drawn at most (the latest). */
export const MAX_BUCKETS = 400;
const DAY_MS = 86_400_000;

/** Every bucket from the first to the last (days or Mondays), the empty ones as zeros, at most MAX_BUCKETS. */
export function filled(r: HistoryReport): DayCounts[] {
  const have = new Map(r.over.buckets.map((b) => [b.day, b]));
  if (!r.over.buckets.length) return [];
  const step = (r.over.unit === 'week' ? 7 : 1) * DAY_MS;
  const first = Date.parse(r.over.buckets[0].day);
  const lastDay = Date.parse(r.over.buckets[r.over.buckets.length - 1].day);
  const out: DayCounts[] = [];
  for (let t = Math.max(first, lastDay - (MAX_BUCKETS - 1) * step); t <= lastDay; t += step) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(have.get(day) ?? { day, total: 0, severity: { critical: 0, major: 0, minor: 0, warning: 0 }, metrics: {}, rules: {}, detectors: {} });
  }
  return out;
}
