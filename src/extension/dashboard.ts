import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { HostMessage, WebviewMessage } from '../protocol.ts';
import { isWebviewMessage } from '../protocol.ts';
import { plotlyPageHtml } from './webviewSecurity.ts';

export const DASHBOARD_VIEW_TYPE = 'anomalyHunter.dashboard';

/** What the webview keeps with vscode.setState, so a reload can bring the same file back. */
export interface DashboardState {
  path?: string;
  /** The toggles and sliders (untrusted: checked with isDashboardSettings before use). */
  settings?: unknown;
}

/**
 * The dashboard panel: one webview with a strict CSP and a per-load nonce, resources only from dist/webview,
 * messages queued until the webview says `ready`. The panel owns its disposables.
 */
export class DashboardPanel implements vscode.Disposable {
  private ready = false;
  private queue: HostMessage[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly listeners: ((m: WebviewMessage) => void)[] = [];
  private readonly disposeListeners: (() => void)[] = [];

  static create(extensionUri: vscode.Uri, column = vscode.ViewColumn.Active): DashboardPanel {
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Anomaly Hunter', column, DashboardPanel.options(extensionUri));
    return new DashboardPanel(panel, extensionUri);
  }

  static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    };
  }

  constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri) {
    panel.webview.options = DashboardPanel.options(extensionUri);
    panel.webview.html = this.html(panel.webview);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        if (!isWebviewMessage(raw)) return; // untrusted: ignore anything malformed
        if (raw.type === 'ready') {
          this.ready = true;
          const q = this.queue;
          this.queue = [];
          for (const m of q) void panel.webview.postMessage(m);
        }
        for (const l of this.listeners) l(raw);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** True once the webview said `ready` (a reload of the webview starts over). */
  get isReady(): boolean {
    return this.ready;
  }

  onMessage(listener: (m: WebviewMessage) => void): void {
    this.listeners.push(listener);
  }

  onDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  /** Posts now when the webview is ready, otherwise after its `ready`. A newer `model` replaces a queued one. */
  post(message: HostMessage): void {
    if (this.ready) {
      void this.panel.webview.postMessage(message);
      return;
    }
    if (message.type === 'model') this.queue = this.queue.filter((m) => m.type !== 'model');
    this.queue.push(message);
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(18).toString('base64');
    const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name)).toString();
    // The page's own script first: it says ready, and the model comes and the table is drawn, while Plotly (its
    // basic bundle, 1.2 MB) loads and compiles; the charts wait for it (webview/views/charts.ts).
    return plotlyPageHtml({
      cspSource: webview.cspSource, nonce, title: 'Anomaly Hunter', testid: 'dashboard',
      styles: [asset('dashboard.css')], scripts: [asset('main.js'), asset('plotly.min.js')],
    });
  }

  dispose(): void {
    for (const l of this.disposeListeners.splice(0)) l();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
