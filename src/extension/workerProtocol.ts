// Messages between the extension host and its analysis worker (structured clone: typed arrays are copied).
import type { AnalysisResult, AnalyzeSettings } from '../core/analyze.ts';
import type { DataIssue, Frame } from '../core/csv/frame.ts';

export type WorkerCall =
  | { type: 'load'; path: string }
  | { type: 'analyze'; settings: AnalyzeSettings; progressive: boolean };

export type WorkerRequest = WorkerCall & { id: number };

export type WorkerReply =
  | { id: number; type: 'loaded'; frame: Frame | null; issues: DataIssue[]; sha256: string }
  | { id: number; type: 'partial'; result: Omit<AnalysisResult, 'frame'>; ms: number; pending: string[] }
  | { id: number; type: 'analyzed'; result: Omit<AnalysisResult, 'frame'>; ms: number }
  | { id: number; type: 'error'; message: string };
