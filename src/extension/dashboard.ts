import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { HostMessage, WebviewMessage } from '../protocol.ts';
import { isWebviewMessage } from '../protocol.ts';
import { plotlyPageHtml, setPageOrDispose } from './webviewSecurity.ts';
import type { WebviewAssets } from './webviewSecurity.ts';

export const DASHBOARD_VIEW_TYPE = 'anomalyHunter.dashboard';

/** What the webview keeps with vscode.setState, so a reload can bring the same file back. */
export interface DashboardState {
  path?: string;
  /** The toggles and sliders (untrusted: checked with isDashboardSettings before use). */
  settings?: unknown;
}

/**
 * The dashboard panel: one webview with a strict CSP and a per-load nonce; its scripts and styles are in its HTML.
 * Messages are posted at once, also while the page is loading: VS Code holds them for a page that is loading,
 * and the page keeps what arrives before its script runs (an inline listener in its <head>, see
 * webviewSecurity.ts), so that the first model does not wait for a round trip of the page's `ready`. The page
 * says in its `ready` whether a model reached it; a page that says no, or a page loaded again, is sent
 * everything again by the controller. The panel owns its disposables.
 */
export class DashboardPanel implements vscode.Disposable {
  private loads = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly listeners: ((m: WebviewMessage) => void)[] = [];
  private readonly disposeListeners: (() => void)[] = [];

  static create(assets: WebviewAssets, column = vscode.ViewColumn.Active): DashboardPanel {
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Anomaly Hunter', column, DashboardPanel.options());
    return new DashboardPanel(panel, assets);
  }

  static options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: true,
      // The page's scripts and styles are written into its HTML (webviewSecurity.ts): it loads no file.
      localResourceRoots: [],
    };
  }

  constructor(readonly panel: vscode.WebviewPanel, private readonly assets: WebviewAssets) {
    panel.webview.options = DashboardPanel.options();
    setPageOrDispose(panel, () => this.html());
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        if (!isWebviewMessage(raw)) return; // untrusted: ignore anything malformed
        if (raw.type === 'ready') this.loads++;
        for (const l of this.listeners) l(raw);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Whether the page has loaded (said `ready`): the page's data and fits may then be sent. */
  get loaded(): boolean {
    return this.loads > 0;
  }

  /** Whether the page has loaded more than once (a reloaded page holds nothing of what was posted before). */
  get reloaded(): boolean {
    return this.loads > 1;
  }

  onMessage(listener: (m: WebviewMessage) => void): void {
    this.listeners.push(listener);
  }

  onDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  private html(): string {
    const nonce = randomBytes(18).toString('base64');
    const asset = (name: string): string => this.assets.text(name);
    // The page's own script first: a model posted before it runs (kept by the early listener) and its table are drawn
    // before Plotly (its basic bundle, 1.2 MB) compiles; one arriving later waits for Plotly's script to have run.
    return plotlyPageHtml({
      nonce, title: 'Anomaly Hunter', testid: 'dashboard',
      styles: [asset('dashboard.css')], scripts: [asset('main.js'), asset('plotly.min.js')], keepEarlyMessages: true,
    });
  }

  dispose(): void {
    for (const l of this.disposeListeners.splice(0)) l();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
