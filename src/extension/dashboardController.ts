import * as vscode from 'vscode';
import { writeFileAtomic } from '../node/writeFileAtomic.ts';
import { csvChunks } from '../core/export/csv.ts';
import { jsonChunks } from '../core/export/json.ts';
import { thresholdEdits } from '../core/rules/language.ts';
import { VERSION } from '../core/version.ts';
import { listed } from '../core/incidents/analysisView.ts';
import { shownAt } from '../core/incidents/shownAt.ts';
import { sameSettings } from '../core/dashboard/pageView.ts';
import { lineOfFinding } from '../core/csv/frame.ts';
import type { AnalysisResult } from '../core/analysisResult.ts';
import type { DashboardModel, DashboardSettings, HostMessage, ViewChoice, WebviewMessage } from '../protocol.ts';
import { assertNever, isDashboardSettings, LOCAL_DATA_MAX_VALUES } from '../protocol.ts';
import type { Ctx } from './ctx.ts';
import { DashboardPanel } from './dashboard.ts';
import { buildModel, hostView, localDataOf, outputsData, rowsInWindow, seriesFor } from './dashboardModel.ts';
import type { PageHolds, Shown } from './dashboardPosts.ts';
import { HOLDS_NOTHING, plan } from './dashboardPosts.ts';
import type { FileSession } from './sessions.ts';
import { SessionError } from './sessions.ts';
import { reached } from './walkthrough.ts';
import { readSettings } from './settings.ts';
import { fileLabel } from './fileLabels.ts';
import { sendAlerts } from './alerts.ts';
import { textOf } from './csvFile.ts';


/**
 * The dashboard's host side: which file it shows, the messages from the webview (settings, zoom, export,
 * webhook, reveal, save thresholds), and redraws when the file's analysis changes.
 */
export class DashboardController implements vscode.Disposable {
  private panel: DashboardPanel | undefined;
  private uri: vscode.Uri | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private live = false;
  /** Streaming (src/extension/streaming.ts): the followed file, its live window and the model last drawn. */
  private liveUri: string | undefined;
  private liveResult: AnalysisResult | undefined;
  private liveModel: DashboardModel | undefined;
  /** What the table lists, when the user chose it in the page (else anomalyHunter.minSeverity). */
  private viewChoice: ViewChoice | undefined;
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  /** The file whose analysis the page draws and the panel's title for it (what a failed show() goes back to). */
  private shown: { uri: vscode.Uri; title: string } | undefined;
  /** The number of the latest show() request (an older one still loading its file gives way to it). */
  private showRequest = 0;
  /** Fires when the dashboard panel is closed. */
  readonly onDidClosePanel = this.closeEmitter.event;

  constructor(private readonly ctx: Ctx) {
    this.subscriptions.push(ctx.sessions.onDidChange((s) => {
      if (this.liveModel && this.liveUri === s.uri.toString()) return; // the live window is drawn instead
      if (this.panel && this.uri?.toString() === s.uri.toString()) this.post(s);
    }), vscode.workspace.onDidChangeConfiguration((e) => {
      // The default view changed: a dashboard that shows the default (no choice made in the page) follows it.
      const s = this.current;
      if (e.affectsConfiguration('anomalyHunter.minSeverity') && this.viewChoice === undefined && s && !this.liveModel) this.post(s);
      if (e.affectsConfiguration('anomalyHunter.alertDestination')) this.panel?.post({ type: 'alertDestination', destination: readSettings().alertDestination });
    }));
  }

  /** The file the open panel shows (undefined when the panel is closed). */
  get file(): vscode.Uri | undefined {
    return this.panel ? this.uri : undefined;
  }

  get current(): FileSession | undefined {
    return this.uri ? this.ctx.sessions.get(this.uri) : undefined;
  }

  /** Adopts a panel restored after a window reload (its state names the file). */
  restore(panel: vscode.WebviewPanel, path: string | undefined, settings?: unknown): void {
    this.attach(new DashboardPanel(panel, this.ctx.webviewAssets));
    // The page kept its toggles and sliders in its state: the file is analysed with them again.
    if (path) void this.show(vscode.Uri.file(path), { settings: isDashboardSettings(settings) ? settings : undefined });
  }

  setLive(live: boolean): void {
    this.live = live;
    const s = this.current;
    if (s) this.post(s);
  }

  /**
   * Streaming: draws `result` (the live window of a followed file) with `live: true` in place of the file's
   * analysis. `reveal` opens the panel on it; otherwise it is drawn only while the dashboard still shows
   * that file. Returns whether it was drawn.
   */
  showLive(uri: vscode.Uri, name: string, result: AnalysisResult, settings: DashboardSettings, opts: { reveal?: boolean; live?: boolean; rulesFile?: string | null; model?: string } = {}): boolean {
    if (!opts.reveal && (!this.panel || this.liveUri !== uri.toString())) return false;
    if (!this.panel) this.attach(DashboardPanel.create(this.ctx.webviewAssets));
    this.uri = uri;
    this.liveUri = uri.toString();
    this.liveResult = result;
    this.liveModel = buildModel(result, { name, settings, view: this.view(), shown: hostView(result, this.view()), rules: [], rulesFile: opts.rulesFile ?? null, forecastMode: null, live: opts.live ?? true, liveStopped: opts.live === false, computeMs: 0, liveModel: opts.model });
    this.panel!.panel.title = `Anomalies: ${name}${opts.live === false ? '' : ' (live)'}`;
    this.shown = { uri, title: this.panel!.panel.title };
    this.postLiveModel();
    if (opts.reveal) this.panel!.reveal();
    return true;
  }

  /** Ends streaming's hold on the dashboard: the last live model stays drawn, without `live`, until another is shown. */
  endLive(uri: vscode.Uri, name: string, result: AnalysisResult, settings: DashboardSettings, rulesFile: string | null = null, model?: string): void {
    if (this.liveUri !== uri.toString()) return;
    this.showLive(uri, name, result, settings, { live: false, rulesFile, model });
    this.clearLive();
  }

  /** Posts the live window's model (the host's view of it: the page holds no live data; the series go every time). */
  private postLiveModel(): void {
    if (!this.liveModel) return;
    this.holds = { ...this.holds, series: null };
    this.panel?.post({ type: 'model', model: this.liveModel });
  }

  private clearLive(): void {
    this.liveUri = undefined;
    this.liveResult = undefined;
    this.liveModel = undefined;
  }

  /** Shows a CSV's analysis (analysing it first, with a progress notification, when needed). */
  async show(uri: vscode.Uri, opts: { rule?: string; row?: number; settings?: DashboardSettings; reread?: boolean } = {}): Promise<void> {
    if (this.liveUri !== undefined && this.liveUri !== uri.toString()) this.clearLive();
    const name = fileLabel(uri);
    // Held open for the dashboard from now on; the file shown before is let go once this one is shown.
    this.ctx.sessions.hold(uri, 'dashboard');
    // The latest request wins: one overtaken while its file loads (another file shown meanwhile, the panel closed)
    // stops quietly and lets go of its file unless that is the one shown.
    const request = ++this.showRequest;
    const overtaken = (): boolean => request !== this.showRequest || !this.panel || !this.ctx.sessions.holds(uri, 'dashboard');
    // The panel opens at once: the page and Plotly load while the file is checked or read, and the first model
    // is drawn as soon as the data is read (sessions' change events reach this.post).
    if (!this.panel) {
      this.attach(DashboardPanel.create(this.ctx.webviewAssets));
      this.panel!.panel.title = `Anomalies: ${name}`;
    }
    // `reread`: an analysis of the file as it was (changed on disk since, or failed) is forgotten and the file read again.
    if (opts.reread && this.ctx.sessions.get(uri) && !(await this.ctx.sessions.isCurrent(uri))) {
      if (overtaken()) { this.letGoUnlessShown(uri); return; }
      this.ctx.sessions.close(uri);
    }
    let session = this.ctx.sessions.get(uri);
    if (!session) {
      this.uri = uri;
      this.panel!.panel.title = `Anomalies: ${name}`;
      try {
        session = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Anomaly Hunter: analysing ${name}…` },
          async () => {
            for (;;) {
              try {
                return await this.ctx.sessions.open(uri, { partial: true, settings: opts.settings });
              } catch (e) {
                // Read again meanwhile (saved in the editor, say): this read was cancelled for the new one, which
                // is joined (each pass waits for a real read).
                if (!(e instanceof SessionError && e.cancelled) || overtaken() || this.ctx.sessions.state(uri)?.kind !== 'loading') throw e;
              }
            }
          },
        );
      } catch (e) {
        if (overtaken() || (e instanceof SessionError && e.cancelled)) {
          this.letGoUnlessShown(uri);
          return;
        }
        const message = e instanceof SessionError ? e.message : `${name}: ${(e as Error).message}`;
        this.ctx.log.warn(message);
        if (this.panel && this.uri?.toString() === uri.toString()) {
          // The panel goes back to the file it shows (if any), with the reason this one could not be shown.
          this.uri = this.shown?.uri;
          this.panel.panel.title = this.shown?.title ?? 'Anomaly Hunter';
          this.notice('error', `Cannot analyse ${message}`);
        }
        void vscode.window.showErrorMessage(`Anomaly Hunter: ${message}`);
        this.letGoUnlessShown(uri);
        return;
      }
      if (overtaken()) {
        this.letGoUnlessShown(uri);
        return;
      }
    }
    if (!this.panel) this.attach(DashboardPanel.create(this.ctx.webviewAssets));
    this.uri = uri;
    this.letGo((k) => k !== uri.toString());
    this.panel!.panel.title = `Anomalies: ${session.name}`;
    this.shown = { uri, title: this.panel!.panel.title };
    // Settings kept by the page across a reload, for a file something else had already opened: apply them.
    if (opts.settings && !sameSettings(opts.settings, session.settings)) {
      this.ctx.sessions.update(uri, opts.settings).catch((e: Error) => { if (!(e instanceof SessionError && e.cancelled)) this.notice('error', e.message); });
    }
    this.post(session);
    if (opts.rule !== undefined) this.panel!.post({ type: 'filterRule', rule: opts.rule });
    if (opts.row !== undefined) this.panel!.post({ type: 'select', row: opts.row });
    this.panel!.reveal();
  }

  private attach(panel: DashboardPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    this.shown = undefined;
    this.newPage();
    panel.onMessage((m) => void this.onMessage(m));
    panel.onDispose(() => { if (this.panel === panel) { this.panel = undefined; this.uri = undefined; this.letGo(() => true); this.clearLive(); this.closeEmitter.fire(); } });
  }

  /** A new page (a new panel, or the page loaded again) holds nothing yet: what it is sent starts over. */
  private newPage(): void {
    this.holds = HOLDS_NOTHING;
    this.panel?.post({ type: 'alertDestination', destination: readSettings().alertDestination });
  }

  /** Lets go of the files held for the dashboard (SessionStore's holder `dashboard`) that `which` picks (by URI string). */
  private letGo(which: (key: string) => boolean): void {
    for (const uri of this.ctx.sessions.held('dashboard')) if (which(uri.toString())) this.ctx.sessions.release(uri, 'dashboard');
  }

  /** Lets go of `uri` unless it is the file the panel shows (a request for it that gave way or failed). */
  private letGoUnlessShown(uri: vscode.Uri): void {
    this.letGo((k) => k === uri.toString() && k !== this.file?.toString());
  }

  /** The table's view: the page's choice, else the default view of the settings. */
  private view(): ViewChoice {
    return this.viewChoice ?? readSettings().minSeverity;
  }

  /** What the page was posted of the file it shows since it loaded (src/extension/dashboardPosts.ts). */
  private holds: PageHolds = HOLDS_NOTHING;

  /** What the post plan needs of a file's analysis. */
  private shownOf(s: FileSession): Shown {
    const complete = !s.pending.length && !s.failure;
    const fits = complete ? s.result.tuning : undefined;
    const data = JSON.stringify([s.uri.toString(), s.result.input.sha256, s.frame.rows]);
    return {
      loaded: !!this.panel?.loaded,
      small: !this.live && s.frame.rows * (s.frame.metrics.length + 1) <= LOCAL_DATA_MAX_VALUES,
      complete,
      data,
      fits: fits?.key ?? null,
      forecastFits: !!fits?.forecast,
      series: JSON.stringify([data, Object.keys(s.result.forecast ?? {}), s.settings.detectors.forecast, this.live]),
      interval: s.settings.interval,
    };
  }

  /** Posts what the page needs of `s`: its data and outputs when it is to hold them, and the model (`model` false: not). */
  private post(s: FileSession, model = true): void {
    if (!this.panel) return;
    const p = plan(this.holds, this.shownOf(s), model);
    this.holds = p.holds;
    for (const what of p.posts) {
      this.panel.post(this.message(s, what, p.byPage, p.withSeries, p.fitsHeld));
    }
  }

  private message(s: FileSession, what: 'data' | 'outputs' | 'model', byPage: boolean, withSeries: boolean, fitsHeld: boolean): HostMessage {
    if (what === 'outputs') return { type: 'outputs', data: outputsData(s.result, s.settings, s.rulesFile?.rules ?? [], fitsHeld) };
    if (what === 'data') return { type: 'localData', data: localDataOf(s.frame, s.uri.fsPath) };
    // Before the outputs reach a page (a page loading, an analysis not complete) the model carries the host's
    // findings: the page's own replace them when the outputs come (they are not reconciled).
    const model = buildModel(s.result, {
      withSeries, view: this.view(), shown: byPage ? null : hostView(s.result, this.view()),
      name: s.name, settings: s.settings, rules: s.rules,
      rulesFile: s.rulesUri ? vscode.workspace.asRelativePath(s.rulesUri) : null,
      forecastMode: s.result.forecastMode ?? null, live: this.live, computeMs: s.computeMs, pending: s.pending,
      failure: s.failure,
    });
    if (!withSeries) model.seriesUnchanged = true;
    return { type: 'model', model };
  }

  private notice(kind: 'info' | 'error', text: string): void {
    this.panel?.post({ type: 'notice', kind, text });
  }

  private async onMessage(m: WebviewMessage): Promise<void> {
    const s = this.current;
    switch (m.type) {
      case 'ready':
        // The page's first load with a model in hand has what was posted (and gets what follows, in order). A page
        // without one, or loaded again, holds nothing (or a model that assumed what the old page held): all again.
        if (m.hasModel && !this.panel?.reloaded) {
          if (s && !this.liveModel) this.post(s, false);
          return;
        }
        this.newPage();
        if (this.liveModel) this.postLiveModel();
        else if (s) this.post(s);
        return;
      case 'settings':
        if (!s || m.path !== s.uri.fsPath) return;
        try {
          await this.ctx.sessions.update(s.uri, m.settings);
        } catch (e) {
          if (!(e instanceof SessionError && e.cancelled)) this.notice('error', (e as Error).message);
        }
        return;
      case 'zoom': {
        const r = this.liveResult ?? s?.result;
        if (!r) return;
        const [from, to] = rowsInWindow(r, m.x0, m.x1);
        // The charted metrics' windows only (a file of many metrics charts 12 at first).
        const wanted = m.metrics ? new Set(m.metrics) : null;
        r.frame.metrics.forEach((metric, i) => { if (!wanted || wanted.has(metric)) this.panel?.post({ type: 'window', metric, x0: m.x0, x1: m.x1, series: seriesFor(r, i, from, to) }); });
        return;
      }
      case 'revealRow': {
        const failed = this.liveResult && this.liveUri ? await revealRow({ uri: vscode.Uri.parse(this.liveUri), frame: this.liveResult.frame }, m.row, m.metric)
          : s ? await revealRow(s, m.row, m.metric) : undefined;
        if (failed) this.notice('error', `Cannot open the file at this row: ${failed}`);
        return;
      }
      case 'export':
        if (s) await this.exportTo(s, m.format, m.onlyAnomalies);
        return;
      case 'sendWebhook': {
        // While streaming, what is sent is what the live dashboard shows.
        const result = this.liveResult ?? s?.result;
        if (!result) return;
        const r = await sendAlerts(this.ctx, result, s?.rulesFile ?? null);
        this.notice(r.ok ? 'info' : 'error', r.text);
        return;
      }
      case 'saveThresholds':
        if (s) await this.saveThresholds(s, m.thresholds);
        return;
      case 'view':
        if (m.view === this.view()) return;
        this.viewChoice = m.view;
        if (this.liveModel && this.liveResult) {
          this.liveModel = { ...this.liveModel, view: m.view, ...hostView(this.liveResult, m.view) };
          this.postLiveModel();
        } else if (s) this.post(s);
        return;
      default:
        assertNever(m);
    }
  }

  /** Export through a save dialog; the file is streamed, never built as one string. */
  async exportTo(s: FileSession, format: 'csv' | 'json', onlyAnomalies: boolean, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const base = (s.uri.path.split('/').pop() ?? 'data').replace(/\.gz$/i, '').replace(/\.[^.]+$/, '');
    const uri = target ?? await vscode.window.showSaveDialog({
      title: `Export ${onlyAnomalies ? 'anomalies' : 'all rows'} as ${format.toUpperCase()}`,
      defaultUri: vscode.Uri.joinPath(s.uri, '..', `${base}.anomalies${onlyAnomalies ? '' : '.all'}.${format}`),
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!uri) return undefined;
    // The export lists what the dashboard shows: the incidents at its severity, or every flagged row.
    const choice = this.view();
    const allRows = choice === 'all';
    const v = s.result.view;
    const result = v && !allRows && choice !== v.minSeverity ? { ...s.result, view: { ...v, minSeverity: choice, shown: shownAt(v, choice) } } : s.result;
    const chunks = format === 'csv'
      ? csvChunks(result, { onlyAnomalies, allRows })
      : jsonChunks(result, { version: VERSION, onlyAnomalies, allRows, warnings: s.issues.map((i) => `${s.uri.path.split('/').pop() ?? s.name}${i.line ? `:${i.line}` : ''}: ${i.severity}: ${i.message}`) });
    try {
      // Atomic (a temporary file renamed over the target: a failed export leaves the old file), never over the CSV.
      await writeFileAtomic(uri.fsPath, (function* () { yield* chunks; if (format === 'json') yield '\n'; })(), [s.uri.fsPath, s.rulesUri?.fsPath]);
    } catch (e) {
      this.notice('error', `Export failed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return undefined;
    }
    const n = onlyAnomalies ? listed(result, allRows).anomalies.length : s.frame.rows;
    this.notice('info', `Exported ${n.toLocaleString('en')} ${onlyAnomalies ? 'anomalies' : 'rows'} to ${vscode.workspace.asRelativePath(uri)}`);
    this.ctx.log.info(`export ${format}${onlyAnomalies ? ' (anomalies only)' : ''} → ${uri.fsPath}`);
    return uri;
  }

  /** Writes the sliders' thresholds into the rules file as one undoable edit that keeps comments and layout. */
  private async saveThresholds(s: FileSession, thresholds: Record<string, number>): Promise<void> {
    if (!s.rulesUri) { this.notice('error', 'No rules file for this CSV.'); return; }
    const doc = await vscode.workspace.openTextDocument(s.rulesUri);
    // Unsaved edits of the user's are never saved for them: then the thresholds are applied and left unsaved.
    const hadEdits = doc.isDirty;
    const edits = thresholdEdits(doc.getText(), thresholds);
    if (!edits.length) { this.notice('info', 'The rules file already has these thresholds.'); return; }
    const we = new vscode.WorkspaceEdit();
    for (const e of edits) we.replace(doc.uri, new vscode.Range(doc.positionAt(e.startOffset), doc.positionAt(e.endOffset)), e.newText);
    const ok = await vscode.workspace.applyEdit(we);
    if (ok && !hadEdits) await doc.save();
    if (ok) reached('thresholdsSaved');
    const n = `${edits.length} threshold${edits.length > 1 ? 's' : ''}`;
    this.notice(ok ? 'info' : 'error', !ok ? 'Could not edit the rules file.' : hadEdits
      ? `Wrote ${n} into ${vscode.workspace.asRelativePath(doc.uri)}, which has other unsaved edits: not saved (save it yourself)`
      : `Saved ${n} to ${vscode.workspace.asRelativePath(doc.uri)} (undo with Ctrl+Z in that file)`);
  }

  dispose(): void {
    this.closeEmitter.dispose();
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.panel?.dispose();
  }
}

/**
 * Opens the CSV beside the dashboard with the cursor on a data row's line (of `metric`'s series in a long file): a
 * .csv.gz opens as its decompressed text, read-only (gzDocuments.ts), since its own bytes have no lines. Resolves
 * with why it could not be opened (a .gz damaged since it was analysed), else undefined.
 */
export async function revealRow(session: Pick<FileSession, 'uri' | 'frame'>, row: number, metric?: string): Promise<string | undefined> {
  if (session.frame.lines[row] === undefined) return undefined;
  const line = lineOfFinding(session.frame, row, metric ?? null);
  const pos = new vscode.Position(line - 1, 0);
  try {
    const doc = await vscode.workspace.openTextDocument(textOf(session.uri));
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, selection: new vscode.Range(pos, pos), preserveFocus: false });
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}
