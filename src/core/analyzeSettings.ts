// The input of an analysis (src/core/analyze.ts) and what it keeps between runs; apart so that tuning.ts, which
// re-thresholds a cached analysis, does not import the pipeline that imports it.
import type { ForecastDetection, ForecastOptions } from './detectors/forecast.ts';
import type { IsolationForestModel, IsolationForestOptions, IsolationForestResult } from './detectors/isolationForestModel.ts';
import type { RulesFile } from './rules/model.ts';
import type { Severity } from './severity.ts';
import type { ViewConstants } from './incidents/view.ts';

/** Which detectors to run and with what settings; everything optional has the SPEC defaults. */
export interface AnalyzeSettings {
  detectors: { iforest: boolean; forecast: boolean; rules: boolean };
  seed: number;
  /** Restrict every detector to these metrics (default: all numeric columns). */
  metrics?: string[];
  iforest?: Omit<IsolationForestOptions, 'seed'>;
  forecast?: Omit<ForecastOptions, 'seed'> & { metrics?: string[]; trainFraction?: number };
  /** A validated rules file; the rules detector needs one. */
  rules?: RulesFile | null;
  /** Thresholds that replace the rules file's, by rule name. */
  thresholds?: Record<string, number>;
  /** The default view's minimum severity (SPEC §7). @default DEFAULT_MIN_SEVERITY */
  minSeverity?: Severity;
  /**
   * Internal: other values of the default view's cross-validated constants (`npm run bench:incidents-cv`). Never
   * set by settingsFor, a flag or a rules file. @default VIEW_CONSTANTS
   */
  viewConstants?: Partial<ViewConstants>;
}

/**
 * What the last analysis of a frame computed, so that a new analysis of the same frame only redoes what
 * changed: a contamination change re-thresholds the stored scores; an interval change refits the forecaster
 * only; a threshold change re-evaluates the rules only.
 */
export interface AnalysisCache {
  iforest?: { key: string; model: IsolationForestModel | null; result: IsolationForestResult };
  forecast?: { key: string; interval: number | undefined; detection: ForecastDetection };
}
