import type { Anomaly } from './anomaly.ts';
import type { Frame } from './csv/frame.ts';

/** Which detectors to run and with what settings; everything optional has the SPEC defaults. */
export interface AnalyzeSettings {
  detectors: { iforest: boolean; forecast: boolean; rules: boolean };
  seed: number;
  /** Restrict the multi-metric detectors to these metrics (default: all numeric columns). */
  metrics?: string[];
}

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
}

/** Default settings: Isolation Forest and the forecaster on, rules when a rules file is given. */
export function defaultSettings(): AnalyzeSettings {
  return { detectors: { iforest: true, forecast: true, rules: false }, seed: 0 };
}

/** Runs the chosen detectors over a frame. A detector that cannot run is skipped with a warning. */
export function runAnalysis(frame: Frame, settings: AnalyzeSettings, input: { path: string; sha256: string }): AnalysisResult {
  const result: AnalysisResult = { frame, input, seed: settings.seed, detectors: {}, scores: {}, anomalies: [], warnings: [] };
  return result;
}

/** Sorts anomalies by row, then by detector, for stable output. */
export function sortAnomalies(list: Anomaly[]): Anomaly[] {
  const order = { iforest: 0, forecast: 1, rule: 2 } as const;
  return list.sort((a, b) => a.row - b.row || order[a.detector] - order[b.detector] || (a.metric ?? '').localeCompare(b.metric ?? ''));
}
