// Messages between the extension host and its analysis worker (structured clone: typed arrays are copied).
import type { AnalysisResult } from '../core/analysisResult.ts';
import type { AnalyzeSettings } from '../core/analyzeSettings.ts';
import type { DataIssue, Frame } from '../core/csv/frame.ts';

/**
 * Limits of the analysis worker, so that no file takes the extension host down (issue 15): a JS heap the
 * worker may not grow past (it then ends with ERR_WORKER_OUT_OF_MEMORY, reported as a failed analysis), and
 * the most values (rows × metrics) it reads. The detectors' typed arrays live outside the JS heap: the value
 * limit is what bounds them. Measured peak RSS of worker and host together (dist/analysisWorker.js, every
 * detector, the incidents view, the host's copies): about 240 bytes per value plus 150 MiB — 3,500,000 values
 * of one metric 917 MiB, 700,000 rows of 5 metrics 947 MiB; 2,000,000 values 549 MiB. A 50 MB file is thus
 * analysed in under 1 GB or refused with a message that says why (the command line has no such limit).
 */
export const ANALYSIS_WORKER_LIMITS = {
  resourceLimits: { maxOldGenerationSizeMb: 1536 },
  maxValues: 3_500_000,
} as const;

export type WorkerCall =
  | { type: 'load'; path: string }
  | { type: 'analyze'; settings: AnalyzeSettings; progressive: boolean };

export type WorkerRequest = WorkerCall & { id: number };

export type WorkerReply =
  | { id: number; type: 'loaded'; frame: Frame | null; issues: DataIssue[]; sha256: string }
  | { id: number; type: 'partial'; result: Omit<AnalysisResult, 'frame'>; ms: number; pending: string[] }
  | { id: number; type: 'analyzed'; result: Omit<AnalysisResult, 'frame'>; ms: number }
  | { id: number; type: 'error'; message: string };
