// Which editor analyses the history records (src/extension/history.ts); no vscode here, so it is unit-tested.
import type { DashboardSettings } from '../protocol.ts';

/**
 * Whether the session's analysis is at the file's own settings (the defaults and its rules file), not at a
 * what-if of the dashboard's toggles and sliders: only those are history (a drag would record a run per step).
 */
export function atOwnSettings(settings: DashboardSettings, own: DashboardSettings, ruleThresholds: ReadonlyMap<string, number>): boolean {
  const thresholdsOwn = Object.entries(settings.thresholds).every(([rule, v]) => ruleThresholds.get(rule) === v);
  return thresholdsOwn && settings.contamination === own.contamination && settings.interval === own.interval
    && (['iforest', 'forecast', 'rules'] as const).every((d) => settings.detectors[d] === own.detectors[d]);
}
