import type { Anomaly } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';

/** A forecast's three series for one metric, each `frame.rows` long (NaN where there is none). */
export interface ForecastSeries {
  yhat: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

/**
 * Everything one analysis produced: what the CLI's `analyze`, the dashboard and the exports share.
 * Arrays are per data row (length `frame.rows`).
 */
export interface AnalysisResult {
  frame: Frame;
  /** The input file as given, and the sha256 (hex) of its bytes. */
  input: { path: string; sha256: string };
  seed: number;
  /** The settings each detector ran with, by detector id (SPEC §3 `meta.detectors`). */
  detectors: Record<string, unknown>;
  scores?: { iforest?: Float64Array };
  /** Per metric that was forecast. */
  forecast?: Record<string, ForecastSeries>;
  anomalies: Anomaly[];
  warnings: string[];
}
