import * as vscode from 'vscode';
import { listed } from '../core/incidents/analysisView.ts';
import type { RunIdentity } from '../core/history/record.ts';
import { VERSION } from '../core/version.ts';
import { HistoryRecorder } from '../node/historyRecorder.ts';
import { addCommands } from './ctx.ts';
import type { Ctx } from './ctx.ts';
import { sourceOf } from './historySource.ts';
import { HistoryPanel } from './historyPanel.ts';
import type { FileSession } from './sessions.ts';
import { settingsFromRules } from './sessionSettings.ts';
import { atOwnSettings } from './historyPolicy.ts';

/** The workspace's history database: in the extension's storage for this workspace, else its global storage. */
export function historyRecorder(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): HistoryRecorder {
  const dir = context.storageUri ?? context.globalStorageUri;
  return new HistoryRecorder(vscode.Uri.joinPath(dir, 'history.db').fsPath, log);
}

/** What an editor analysis records as its settings: what decides its incidents. */
function runOf(s: FileSession): RunIdentity {
  const r = s.result;
  return {
    kind: 'analyze', source: sourceOf(s.uri), sha256: s.sha256, toolVersion: VERSION, rows: s.frame.rows, stepMs: s.frame.stepMs,
    settings: {
      detectors: r.detectors, seed: r.seed, metrics: s.frame.metrics, minSeverity: r.view?.minSeverity ?? null,
      contamination: s.settings.contamination, interval: s.settings.interval,
      thresholds: s.settings.thresholds, rules: s.rulesUri ? vscode.workspace.asRelativePath(s.rulesUri) : null,
    },
  };
}

/**
 * Records every complete analysis of a CSV in the editor (the dashboard, Analyze, analyse-on-open: they all
 * go through the sessions) into the workspace's history, and adds the History & Analytics view.
 */
export function registerHistory(ctx: Ctx): vscode.Disposable[] {
  const recorded = new Map<string, number>();
  let panel: HistoryPanel | undefined;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  addCommands(ctx, {
    'anomalyHunter.showHistory': () => {
      if (panel) { panel.reveal(); void panel.refresh(); return; }
      panel = new HistoryPanel(ctx);
      panel.onDispose(() => { panel = undefined; });
    },
  });
  return [
    ctx.sessions.onDidChange((s) => {
      // A complete analysis at the file's own settings, once: not its partial stages, not one that failed, not a
      // what-if of the sliders, not one already recorded.
      if (s.version === 0 || s.pending.length || s.failure || s.uri.scheme !== 'file') return;
      const rules = new Map((s.rulesFile?.rules ?? []).map((r) => [r.name, r.threshold]));
      if (!atOwnSettings(s.settings, settingsFromRules(s.rulesFile), rules)) return;
      const key = s.uri.toString();
      if (recorded.get(key) === s.version) return;
      recorded.set(key, s.version);
      void ctx.history.recordAnalysis(runOf(s), listed(s.result).incidents);
    }),
    ctx.sessions.onDidClose((uri) => { recorded.delete(uri.toString()); }),
    // At most one refresh per 2 s: a live stream records an event per incident change.
    ctx.history.onDidRecord(() => {
      if (!panel || refreshTimer) return;
      refreshTimer = setTimeout(() => { refreshTimer = undefined; void panel?.refresh(); }, 2000);
    }),
    { dispose: () => clearTimeout(refreshTimer) },
    { dispose: () => panel?.dispose() },
  ];
}
