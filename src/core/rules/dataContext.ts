import type { Frame } from '../csv/frame.ts';
import { setOwn } from '../own.ts';
import { statsOf } from '../stats.ts';
import type { MetricStats } from '../stats.ts';
import type { RulesDataContext } from './model.ts';

/** The rules' view of a frame: metric names, step and min/median/max per metric (NaN skipped). */
export function dataContextOf(frame: Frame, name: string): RulesDataContext {
  const stats: Record<string, MetricStats> = {};
  frame.metrics.forEach((m, i) => { setOwn(stats, m, statsOf(frame.values[i])); });
  return { name, metrics: [...frame.metrics], timestampColumn: frame.timestampColumn, stepMs: frame.stepMs, stats, frame };
}
