import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { HistoryHostMessage, HistoryWebviewMessage } from '../protocol.ts';
import { assertNever, isHistoryWebviewMessage } from '../protocol.ts';
import { historyFailure } from '../node/historyRecorder.ts';
import type { Ctx } from './ctx.ts';
import { fileOfSource } from './historySource.ts';
import { plotlyPageHtml, setPageOrDispose } from './webviewSecurity.ts';

export const HISTORY_VIEW_TYPE = 'anomalyHunter.history';
export const HISTORY_TITLE = 'Anomaly Hunter: History & Analytics';

/**
 * The History & Analytics panel: the workspace history's figures drawn by webview/analytics/ (Plotly, the
 * dashboard's CSP and theme), refreshed whenever something is recorded; a click on an incident opens its
 * file's dashboard at it.
 */
export class HistoryPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeListeners: (() => void)[] = [];
  private ready = false;
  /** The incidents the page was sent (it may only ask to open those). */
  private listed = new Set<string>();
  private refreshing: Promise<void> | null = null;
  private again = false;

  constructor(private readonly ctx: Ctx) {
    // The page's scripts and styles are written into its HTML (webviewSecurity.ts): it loads no file.
    this.panel = vscode.window.createWebviewPanel(HISTORY_VIEW_TYPE, HISTORY_TITLE, vscode.ViewColumn.Active, {
      enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [],
    });
    setPageOrDispose(this.panel, () => this.html());
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((raw: unknown) => { if (isHistoryWebviewMessage(raw)) void this.onMessage(raw); }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  onDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** Reads the history again and sends its figures (refreshes asked for meanwhile are done once, after). */
  refresh(): Promise<void> {
    if (!this.ready) return Promise.resolve();
    if (this.refreshing) { this.again = true; return this.refreshing; }
    this.refreshing = (async () => {
      do {
        this.again = false;
        await this.send();
      } while (this.again);
    })().finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  private async send(): Promise<void> {
    const where = `${this.ctx.ext.storageUri ? "this workspace's" : 'the global (no folder is open)'} storage: ${this.ctx.history.path}`;
    let message: HistoryHostMessage;
    try {
      const report = await this.ctx.history.report();
      this.listed = new Set(report?.recent.map((i) => `${i.source}\n${i.id}`) ?? []);
      message = { type: 'history', report, where };
    } catch (e) {
      const reason = historyFailure(e);
      this.ctx.log.warn(`history: cannot read ${this.ctx.history.path} (${reason})`);
      message = { type: 'history', report: null, where, error: `The history could not be read: ${reason}` };
    }
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(m: HistoryWebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.refresh();
        return;
      case 'refresh':
        await this.refresh();
        return;
      case 'openIncident': {
        if (!this.listed.has(`${m.source}\n${m.id}`)) return;
        const uri = await fileOfSource(m.source);
        if (!uri) {
          void vscode.window.showWarningMessage(`Anomaly Hunter: ${m.source} is no longer in this workspace.`);
          return;
        }
        // The dashboard selects an incident by its peak row: the analysis of the file as it is now knows it
        // (incident ids are stable across runs); else the recorded start row is selected.
        await this.ctx.showDashboard(uri);
        const now = await this.ctx.sessions.use(uri, (s) => s.result.view?.incidents.find((i) => i.id === m.id)).catch(() => undefined);
        await this.ctx.showDashboard(uri, { row: now?.peakRow ?? m.row });
        return;
      }
      default:
        assertNever(m);
    }
  }

  private html(): string {
    const nonce = randomBytes(18).toString('base64');
    const asset = (name: string): string => this.ctx.webviewAssets.text(name);
    return plotlyPageHtml({
      nonce, title: HISTORY_TITLE, testid: 'history-panel',
      styles: [asset('dashboard.css'), asset('analytics.css')], scripts: [asset('plotly.min.js'), asset('analytics.js')],
    });
  }

  dispose(): void {
    for (const l of this.disposeListeners.splice(0)) l();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
