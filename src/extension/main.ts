import * as vscode from 'vscode';
import { DASHBOARD_VIEW_TYPE } from './dashboard.ts';
import type { DashboardState } from './dashboard.ts';
import { CsvTargets } from './csvTarget.ts';
import { DashboardController } from './dashboardController.ts';
import { registerInlineFindings } from './inlineFindings.ts';
import { addCommands } from './ctx.ts';
import type { Ctx } from './ctx.ts';
import { registerRulesEditor } from './rulesEditor.ts';
import { registerRuleTests } from './ruleTests.ts';
import { SessionStore } from './sessions.ts';
import { RulesFileIndex } from './rulesFiles.ts';
import { registerStreaming } from './streaming.ts';
import { registerWalkthrough } from './walkthrough.ts';
import { clearWebhookUrl, setWebhookUrl } from './webhook.ts';
import { sendAlerts } from './alerts.ts';
import { clearSmtpUrl, setSmtpUrl } from './emailAlerts.ts';
import { analyzePrometheus, labelSnapshot, setPrometheusToken } from './prometheus.ts';
import { restorablePath, WebviewAssets } from './webviewSecurity.ts';
import { historyRecorder, registerHistory } from './history.ts';
import { registerGzDocuments } from './gzDocuments.ts';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Anomaly Hunter', { log: true });
  const rulesFiles = new RulesFileIndex(log);
  rulesFiles.warm();
  const sessions = new SessionStore(vscode.Uri.joinPath(context.extensionUri, 'dist', 'analysisWorker.js').fsPath, log, rulesFiles);
  const ctx: Ctx = {
    ext: context,
    log,
    sessions,
    rulesFiles,
    history: historyRecorder(context, log),
    webviewAssets: new WebviewAssets(context.extensionUri.fsPath),
    showDashboard: (uri, opts) => dashboard.show(uri, opts),
    csvTarget: (arg, title) => targets.resolve(arg, title),
    commands: new Map(),
  };
  const dashboard = new DashboardController(ctx);
  const targets = new CsvTargets(context.workspaceState, () => dashboard.file);
  context.subscriptions.push(log, rulesFiles, sessions, dashboard, targets);

  addCommands(ctx, {
    'anomalyHunter.analyzeCsv': async (arg) => {
      const uri = await targets.resolve(arg, 'Analyze CSV File');
      if (!uri) return;
      log.info(`analyze ${uri.fsPath}`);
      // An explicit Analyze re-reads a file that changed on disk since it was read (or whose analysis failed); an
      // analysis of the file as it is (one made on opening it, say) is shown at once.
      await dashboard.show(uri, { reread: true });
    },
    'anomalyHunter.openDashboard': async (arg) => {
      const uri = await targets.resolve(arg, 'Open Dashboard');
      if (uri) await dashboard.show(uri, typeof arg === 'object' && arg && !(arg instanceof vscode.Uri) ? arg as { rule?: string; row?: number } : {});
    },
    'anomalyHunter.exportResults': async (arg) => {
      const uri = await targets.resolve(arg, 'Export Results');
      if (!uri) return;
      await sessions.use(uri, async (session) => {
        const pick = await vscode.window.showQuickPick([
          { label: 'CSV — anomalous rows only', format: 'csv' as const, only: true },
          { label: 'CSV — all rows', format: 'csv' as const, only: false },
          { label: 'JSON — anomalies only', format: 'json' as const, only: true },
          { label: 'JSON — all rows (scores and forecast)', format: 'json' as const, only: false },
        ], { title: 'Export results', ignoreFocusOut: true });
        if (pick) await dashboard.exportTo(session, pick.format, pick.only);
      }).catch((e: Error) => { void vscode.window.showErrorMessage(`Anomaly Hunter: ${e.message}`); });
    },
    'anomalyHunter.sendWebhook': async (arg) => {
      const uri = await targets.resolve(arg, 'Send Incidents to Alert Destination');
      if (!uri) return;
      const r = await sessions.use(uri, (session) => sendAlerts(ctx, session.result, session.rulesFile))
        .catch((e: Error) => ({ ok: false, text: e.message }));
      if (r.ok) void vscode.window.showInformationMessage(`Anomaly Hunter: ${r.text}`);
      else void vscode.window.showErrorMessage(`Anomaly Hunter: ${r.text}`);
    },
    'anomalyHunter.setWebhookUrl': () => setWebhookUrl(ctx),
    'anomalyHunter.clearWebhookUrl': () => clearWebhookUrl(ctx),
    'anomalyHunter.setSmtpUrl': () => setSmtpUrl(ctx),
    'anomalyHunter.clearSmtpUrl': () => clearSmtpUrl(ctx),
    'anomalyHunter.analyzePrometheus': () => analyzePrometheus(ctx),
    'anomalyHunter.setPrometheusToken': () => setPrometheusToken(ctx),
  });

  // Features, each in its own file with one register function.
  context.subscriptions.push(...registerGzDocuments());
  context.subscriptions.push(...registerInlineFindings(ctx));
  context.subscriptions.push(...registerRulesEditor(ctx));
  context.subscriptions.push(...registerStreaming(ctx, dashboard));
  context.subscriptions.push(...registerWalkthrough(ctx));
  context.subscriptions.push(...registerRuleTests(ctx));
  context.subscriptions.push(...registerHistory(ctx));
  // Every command, from the one table the features filled.
  for (const [id, handler] of ctx.commands) context.subscriptions.push(vscode.commands.registerCommand(id, handler));

  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      const st = state as DashboardState | undefined;
      // The page's saved state is not trusted: only an absolute path to an existing CSV or TSV file (plain or .gz) is reopened.
      const path = await restorablePath(st?.path);
      // A Prometheus snapshot named by its query before the dashboard is titled.
      if (path) await labelSnapshot(ctx, vscode.Uri.file(path));
      dashboard.restore(panel, path, st?.settings);
    },
  }));
  log.info(`Anomaly Hunter ${context.extension.packageJSON.version as string} activated`);
}

export function deactivate(): void {}

