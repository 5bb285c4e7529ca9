// What an analysis produced, apart from the pipeline (src/core/analyze.ts) so that what reads a result (the
// default view, the exports) does not import the pipeline that builds it.
import type { Anomaly } from './anomaly.ts';
import type { Frame } from './csv/frame.ts';
import type { RuleFiring } from './rules/evaluate.ts';
import type { Tuning } from './tuning.ts';
import type { View } from './incidents/view.ts';

/** Everything one analysis produced: the input of the dashboard, the exports and the CLI output. */
export interface AnalysisResult {
  frame: Frame;
  input: { path: string; sha256: string };
  seed: number;
  /** The settings each detector ran with, keyed by detector id (for the export metadata). */
  detectors: Record<string, unknown>;
  scores: { iforest?: Float64Array };
  forecast?: Record<string, { yhat: Float64Array; lower: Float64Array; upper: Float64Array }>;
  anomalies: Anomaly[];
  warnings: string[];
  /** Which forecast fit ran, when the forecaster ran. */
  forecastMode?: 'standard' | 'robust';
  /** Per rule: where it fires (when rules ran). */
  rules?: Record<string, RuleFiring>;
  /** Per detector, the milliseconds it took (or 0 when served from the cache). */
  timings?: Record<string, number>;
  /** What a client needs to re-threshold contamination and interval itself (src/core/tuning.ts), when attached. */
  tuning?: Tuning;
  /** The calibrated findings, the incidents and the default view (SPEC §7); runAnalysis always sets it. */
  view?: View;
}
