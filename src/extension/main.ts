import * as vscode from 'vscode';
import { DASHBOARD_VIEW_TYPE, DashboardPanel } from './dashboard.ts';
import type { DashboardState } from './dashboard.ts';
import { buildModel, rowsInWindow, seriesFor } from './dashboardModel.ts';
import { openSession, recompute } from './session.ts';
import type { FileSession } from './session.ts';
import type { WebviewMessage } from '../protocol.ts';
import { assertNever } from '../protocol.ts';

/**
 * Everything the extension owns, built once at activation: the log, the status bar item, the dashboard and the
 * sessions. Commands are small functions over this object (no module-level state).
 */
class Ctx implements vscode.Disposable {
  readonly log = vscode.window.createOutputChannel('Anomaly Hunter', { log: true });
  readonly status = vscode.window.createStatusBarItem('anomalyHunter.status', vscode.StatusBarAlignment.Left, 50);
  dashboard: DashboardPanel | undefined;
  session: FileSession | undefined;

  constructor(readonly ext: vscode.ExtensionContext) {
    this.status.name = 'Anomaly Hunter';
    this.status.command = 'anomalyHunter.openDashboard';
  }

  get seed(): number {
    return vscode.workspace.getConfiguration('anomalyHunter').get<number>('seed', 0);
  }

  setStatus(session: FileSession | undefined): void {
    if (!session) { this.status.hide(); return; }
    const n = session.result.anomalies.length;
    this.status.text = n ? `$(warning) ${n} anomal${n === 1 ? 'y' : 'ies'}` : '$(pass) no anomalies';
    this.status.tooltip = `Anomaly Hunter: ${session.name} — ${session.frame.rows.toLocaleString('en')} rows. Click to open the dashboard.`;
    this.status.show();
  }

  /** The dashboard, created (or adopted after a reload) on first use. */
  ensureDashboard(panel?: vscode.WebviewPanel): DashboardPanel {
    if (this.dashboard && !panel) return this.dashboard;
    const d = panel ? new DashboardPanel(panel, this.ext.extensionUri) : DashboardPanel.create(this.ext.extensionUri);
    d.onMessage((m) => this.onWebviewMessage(m));
    d.onDispose(() => { if (this.dashboard === d) this.dashboard = undefined; });
    this.dashboard = d;
    return d;
  }

  showSession(session: FileSession): void {
    this.session = session;
    const d = this.ensureDashboard();
    d.panel.title = `Anomalies: ${session.name}`;
    d.post({ type: 'model', model: this.model(session) });
    d.reveal();
    this.setStatus(session);
  }

  model(session: FileSession) {
    return buildModel(session.result, {
      name: session.name, settings: session.settings, rules: session.rules, rulesFile: session.rulesFile,
      forecastMode: null, live: false, computeMs: session.computeMs,
    });
  }

  onWebviewMessage(m: WebviewMessage): void {
    const s = this.session;
    switch (m.type) {
      case 'ready':
        if (s) this.dashboard?.post({ type: 'model', model: this.model(s) });
        return;
      case 'settings':
        if (!s) return;
        recompute(s, m.settings, this.seed);
        this.dashboard?.post({ type: 'model', model: this.model(s) });
        this.setStatus(s);
        return;
      case 'zoom': {
        if (!s) return;
        const [from, to] = rowsInWindow(s.result, m.x0, m.x1);
        s.frame.metrics.forEach((metric, i) => this.dashboard?.post({ type: 'window', metric, x0: m.x0, x1: m.x1, series: seriesFor(s.result, i, from, to) }));
        return;
      }
      case 'revealRow':
        if (s) void revealRow(s, m.row);
        return;
      case 'export':
      case 'sendWebhook':
      case 'saveThresholds':
        this.dashboard?.post({ type: 'notice', kind: 'error', text: 'Not available in this version yet.' });
        return;
      default:
        assertNever(m);
    }
  }

  dispose(): void {
    this.dashboard?.dispose();
    this.status.dispose();
    this.log.dispose();
  }
}

async function revealRow(session: FileSession, row: number): Promise<void> {
  const line = session.frame.lines[row];
  if (line === undefined) return;
  const doc = await vscode.workspace.openTextDocument(session.uri);
  const pos = new vscode.Position(line - 1, 0);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, selection: new vscode.Range(pos, pos) });
}

/** The CSV a command applies to: its argument (explorer, editor title), the active editor, or a file picker. */
async function pickCsv(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document;
  if (active && /\.(csv|tsv)$/i.test(active.uri.path)) return active.uri;
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'CSV files': ['csv', 'tsv', 'txt'] }, title: 'Analyze CSV File' });
  return picked?.[0];
}

async function analyzeCsv(ctx: Ctx, arg: unknown): Promise<void> {
  const uri = await pickCsv(arg);
  if (!uri) return;
  const name = uri.path.split('/').pop() ?? uri.path;
  ctx.log.info(`analyze ${uri.fsPath}`);
  const t0 = Date.now();
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Anomaly Hunter: analysing ${name}`, cancellable: false },
    async (progress) => {
      let last = 0;
      return openSession(uri, ctx.seed, (f) => {
        const pct = Math.floor(f * 100);
        if (pct > last) { progress.report({ increment: pct - last, message: `${pct}% read` }); last = pct; }
      });
    },
  );
  if ('error' in outcome) {
    ctx.log.warn(outcome.error);
    void vscode.window.showErrorMessage(`Anomaly Hunter: ${outcome.error}`);
    return;
  }
  const s = outcome.session;
  for (const issue of s.issues) ctx.log.warn(`${name}${issue.line ? `:${issue.line}` : ''}: ${issue.message}`);
  ctx.log.info(`${name}: ${s.frame.rows} rows, metrics ${s.frame.metrics.join(', ')}; ${s.result.anomalies.length} anomalies in ${Date.now() - t0} ms`);
  ctx.showSession(s);
}

export function activate(context: vscode.ExtensionContext): void {
  const ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'anomalyHunter.analyzeCsv': (arg) => analyzeCsv(ctx, arg),
    'anomalyHunter.openDashboard': () => {
      if (ctx.session) ctx.showSession(ctx.session);
      else return analyzeCsv(ctx, undefined);
    },
  };
  for (const [id, fn] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      const d = ctx.ensureDashboard(panel);
      const path = (state as DashboardState | undefined)?.path;
      if (!path) return;
      const outcome = await openSession(vscode.Uri.file(path), ctx.seed);
      if ('error' in outcome) {
        d.post({ type: 'notice', kind: 'error', text: outcome.error });
        return;
      }
      ctx.showSession(outcome.session);
    },
  }));
  ctx.log.info('Anomaly Hunter activated');
}

export function deactivate(): void {}
