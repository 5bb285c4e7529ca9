import type * as vscode from 'vscode';
import { basename } from 'node:path';
import type { DataIssue, Frame } from '../core/csv/frame.ts';
import { runAnalysis } from '../core/analyze.ts';
import type { AnalysisResult, AnalyzeSettings } from '../core/analyze.ts';
import { loadCsvFile } from '../cli/loadCsv.ts';
import type { DashboardSettings, RuleSlider } from '../protocol.ts';

/** A loaded CSV and its latest analysis: the one analysis per file that the dashboard and the editor share. */
export interface FileSession {
  uri: vscode.Uri;
  name: string;
  frame: Frame;
  sha256: string;
  issues: DataIssue[];
  settings: DashboardSettings;
  result: AnalysisResult;
  rules: RuleSlider[];
  rulesFile: string | null;
  computeMs: number;
}

/** Dashboard settings → analysis settings. */
export function analyzeSettingsOf(s: DashboardSettings, seed: number): AnalyzeSettings {
  return { detectors: { iforest: s.detectors.iforest, forecast: s.detectors.forecast, rules: s.detectors.rules }, seed };
}

/** The default dashboard settings: every detector that applies, SPEC defaults. */
export function defaultDashboardSettings(): DashboardSettings {
  return { detectors: { iforest: true, forecast: true, rules: true }, contamination: 'auto', interval: 0.8, thresholds: {} };
}

/** Loads and analyses a CSV file. Resolves to a session, or to the first fatal problem as a message with a position. */
export async function openSession(
  uri: vscode.Uri,
  seed: number,
  onProgress?: (fraction: number) => void,
): Promise<{ session: FileSession } | { error: string }> {
  const loaded = await loadCsvFile(uri.fsPath, (read, total) => onProgress?.(total ? read / total : 0));
  const fatal = loaded.issues.find((i) => i.severity === 'error');
  if (fatal || !loaded.frame) {
    const pos = fatal?.line ? `:${fatal.line}${fatal.column ? `:${fatal.column}` : ''}` : '';
    return { error: `${basename(uri.fsPath)}${pos}: ${fatal?.message ?? 'cannot read the file'}` };
  }
  const settings = defaultDashboardSettings();
  const t0 = performance.now();
  const result = runAnalysis(loaded.frame, analyzeSettingsOf(settings, seed), { path: uri.fsPath, sha256: loaded.sha256 });
  return {
    session: {
      uri, name: basename(uri.fsPath), frame: loaded.frame, sha256: loaded.sha256, issues: loaded.issues,
      settings, result, rules: [], rulesFile: null, computeMs: performance.now() - t0,
    },
  };
}

/** Re-runs the analysis of a session with new settings. */
export function recompute(session: FileSession, settings: DashboardSettings, seed: number): void {
  const t0 = performance.now();
  session.settings = settings;
  session.result = runAnalysis(session.frame, analyzeSettingsOf(settings, seed), { path: session.uri.fsPath, sha256: session.sha256 });
  session.computeMs = performance.now() - t0;
}
