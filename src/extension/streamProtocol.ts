// Messages between the extension host and its streaming worker (structured clone; the typed arrays are transferred).
import type { Anomaly } from '../core/anomaly.ts';
import type { RulesFile } from '../core/rules/model.ts';
import type { ModelInfo } from '../core/streaming/retraining.ts';

export type StreamWorkerRequest =
  | { type: 'start'; path: string; name: string; rules: RulesFile | null; thresholds?: Record<string, number>; baseline: boolean; retrainEveryMs: number | null }
  | { type: 'stop' };

export type StreamWorkerReply =
  /**
   * Scored rows `firstRow`… (0-based since the file's (re)start). `restart`: the columns were (re)decided, the
   * rows before are another file's. `values` is row-major, `metrics.length` per row. `model`: the baseline
   * model that scored the last row (null without the baseline).
   */
  | { type: 'rows'; restart: boolean; metrics: string[]; timed: boolean; utcOffsetMs: number; firstRow: number; ts: Float64Array; lines: Int32Array; values: Float64Array; scores: Float64Array; anomalies: Anomaly[]; model: ModelInfo | null }
  | { type: 'notice'; text: string }
  | { type: 'error'; message: string }
  | { type: 'ended' };
