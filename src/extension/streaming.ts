import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import { basename } from 'node:path';
import { addCommands } from './ctx.ts';
import type { Ctx } from './ctx.ts';
import type { DashboardController } from './dashboardController.ts';
import { defaultDashboardSettings } from './sessionSettings.ts';
import { LiveWindow } from './liveWindow.ts';
import type { StreamWorkerReply, StreamWorkerRequest } from './streamProtocol.ts';
import type { DashboardSettings } from '../protocol.ts';
import { readSettings } from './settings.ts';
import { isGzCsvPath } from './csvFile.ts';
import { fileLabel } from './fileLabels.ts';
import { pollSnapshot } from './prometheus.ts';
import { sourceOf } from './historySource.ts';
import { VERSION } from '../core/version.ts';
import type { HistoryRecorder } from '../node/historyRecorder.ts';
import { describeModel } from '../core/streaming/retraining.ts';
import type { ModelInfo } from '../core/streaming/retraining.ts';

function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
}

/** Fewest ms between two dashboard redraws while streaming (at most two a second). */
const REDRAW_MS = 500;

/** One followed file: the worker that tails and scores it, the live window, the throttled redraws. */
class LiveStream implements vscode.Disposable {
  private readonly worker: Worker;
  private window: LiveWindow | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastDraw = 0;
  private revealed = false;
  private ended = false;
  private readonly settings: DashboardSettings;
  /** Records the stream's incidents in the workspace history (a new run when the file starts over). */
  private history: ReturnType<HistoryRecorder['stream']> | null = null;
  /** The baseline model that scored the last row (null without the baseline). */
  model: ModelInfo | null = null;

  constructor(
    private readonly ctx: Ctx,
    private readonly dashboard: DashboardController,
    readonly uri: vscode.Uri,
    start: StreamWorkerRequest,
    private readonly onCount: (counts: { incidents: number; anomalies: number; rows: number }) => void,
    private readonly onEnd: (error?: string) => void,
    private readonly rulesFile: string | null,
  ) {
    this.settings = defaultDashboardSettings();
    this.worker = new Worker(vscode.Uri.joinPath(ctx.ext.extensionUri, 'dist', 'streamWorker.js').fsPath);
    this.worker.on('message', (m: StreamWorkerReply) => this.onMessage(m));
    this.worker.on('error', (e) => this.finish(e.message));
    this.worker.postMessage(start);
  }

  get name(): string {
    return fileLabel(this.uri);
  }

  private onMessage(m: StreamWorkerReply): void {
    switch (m.type) {
      case 'rows':
        if (m.restart || !this.window) {
          const minSeverity = readSettings().minSeverity;
          this.window = new LiveWindow(m.metrics, m.timed, undefined, undefined, minSeverity, m.utcOffsetMs);
          void this.history?.close();
          this.history = this.ctx.history.stream({
            kind: 'stream', source: sourceOf(this.uri), sha256: '', toolVersion: VERSION,
            settings: { metrics: m.metrics, minSeverity, rules: this.rulesFile },
          });
        }
        this.history?.push(this.window.append(m), this.window.stepMs);
        this.model = m.model;
        this.onCount({ incidents: this.window.incidentCount, anomalies: this.window.anomalyCount, rows: this.window.total });
        this.schedule();
        return;
      case 'notice':
        this.ctx.log.info(m.text);
        return;
      case 'error':
        this.finish(m.message);
        return;
      case 'ended':
        return;
    }
  }

  /** Redraws now when the last redraw is old enough, else once when it is. */
  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastDraw + REDRAW_MS - Date.now());
    this.timer = setTimeout(() => { this.timer = undefined; this.draw(); }, wait);
  }

  private draw(): void {
    if (!this.window || this.ended) return;
    this.lastDraw = Date.now();
    const drawn = this.dashboard.showLive(this.uri, this.name, this.window.toResult(this.uri.fsPath), this.settings, { reveal: !this.revealed, rulesFile: this.rulesFile, model: this.modelText });
    this.revealed = true;
    if (!drawn) this.ctx.log.debug(`streaming ${this.name}: the dashboard shows another file; not redrawn`);
  }

  /** "baseline model v3 · retrained 14:05 UTC (drift)", or undefined without the baseline. */
  get modelText(): string | undefined {
    return this.model ? describeModel(this.model, this.window?.utcOffsetMs) : undefined;
  }

  private finish(error?: string): void {
    if (this.ended) return;
    this.dispose();
    this.onEnd(error);
  }

  dispose(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.worker.postMessage({ type: 'stop' } satisfies StreamWorkerRequest);
    void this.worker.terminate();
    void this.history?.close();
    if (this.window) this.dashboard.endLive(this.uri, this.name, this.window.toResult(this.uri.fsPath), this.settings, this.rulesFile, this.modelText);
  }
}

/**
 * Start / Stop Streaming: follows a CSV as it grows (a worker tails and scores it with the stream detector
 * and the file's rules), draws the last rows live in the dashboard (at most two redraws a second) and
 * shows the live incident count (at the default view's minimum severity) in the status bar. One stream at a time; closing the dashboard stops it.
 */
export function registerStreaming(ctx: Ctx, dashboard: DashboardController): vscode.Disposable[] {
  let current: LiveStream | undefined;
  /** The Prometheus poll that grows the streamed snapshot, when the file is one (./prometheus.ts). */
  let poller: vscode.Disposable | undefined;
  const status = vscode.window.createStatusBarItem('anomalyHunter.streaming', vscode.StatusBarAlignment.Left, 20);
  status.name = 'Anomaly Hunter: Streaming';
  status.command = 'anomalyHunter.stopStreaming';

  const setContext = (on: boolean): void => { void vscode.commands.executeCommand('setContext', 'anomalyHunter.streaming', on); };

  const stop = (): boolean => {
    const s = current;
    if (!s) return false;
    current = undefined;
    poller?.dispose();
    poller = undefined;
    s.dispose();
    status.hide();
    setContext(false);
    ctx.log.info(`streaming ${s.name}: stopped`);
    return true;
  };

  const start = async (arg: unknown): Promise<void> => {
    const uri = await ctx.csvTarget(arg, 'Start Streaming');
    if (!uri) return;
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage(`Anomaly Hunter: streaming needs a file on disk, not ${uri.scheme}:`);
      return;
    }
    if (isGzCsvPath(uri.path)) {
      // Following reads the text appended to a file, and what is appended to a .gz is compressed bytes, not rows:
      // said before anything starts (the worker would stop on the file's first bytes), with what can be done instead.
      const name = basename(uri.fsPath);
      const pick = await vscode.window.showWarningMessage(
        `Anomaly Hunter: ${name} is gzip-compressed, so it cannot be followed as it grows: streaming reads the rows appended to a plain-text CSV. Analyze it as a whole instead, or stream a decompressed copy (gunzip -k ${name}).`,
        'Analyze Instead');
      if (pick === 'Analyze Instead') await ctx.showDashboard(uri);
      return;
    }
    stop();
    const name = fileLabel(uri);
    // The rules that apply to this CSV (its rules file, validated against the data); none when it cannot be read yet.
    const session = await ctx.sessions.use(uri, (s) => s).catch((e: Error) => { ctx.log.info(`streaming ${name}: no rules (${e.message})`); return undefined; });
    const settings = readSettings();
    const stream: LiveStream = new LiveStream(ctx, dashboard, uri,
      { type: 'start', path: uri.fsPath, name: basename(uri.fsPath), rules: session?.rulesFile ?? null, thresholds: session?.settings.thresholds, baseline: settings.streamingBaseline, retrainEveryMs: settings.retrainEveryMs },
      ({ incidents, anomalies, rows }) => {
        if (current !== stream) return;
        status.text = `$(pulse) live: ${plural(incidents, 'incident')}`;
        const model = stream.modelText;
        status.tooltip = `Anomaly Hunter is streaming ${name}: ${rows.toLocaleString('en')} rows scored, ${plural(anomalies, 'finding')}, ${plural(incidents, 'incident')} (${readSettings().minSeverity} and above)${model ? `; ${model}` : ''}. Click to stop.`;
      },
      (error) => {
        if (current !== stream) return;
        stop();
        if (error) void vscode.window.showErrorMessage(`Anomaly Hunter: streaming stopped: ${error}`);
      },
      session?.rulesFile && session.rulesUri ? vscode.workspace.asRelativePath(session.rulesUri) : null);
    current = stream;
    const poll = await pollSnapshot(ctx, uri);
    if (current === stream) poller = poll;
    else poll?.dispose();
    status.text = '$(pulse) live: 0 incidents';
    status.tooltip = `Anomaly Hunter is streaming ${name}. Click to stop.`;
    status.show();
    setContext(true);
    ctx.log.info(`streaming ${name}${session?.rulesFile ? ` with ${session.rulesFile.rules.length} rules` : ''}`);
  };

  addCommands(ctx, {
    'anomalyHunter.startStreaming': start,
    'anomalyHunter.stopStreaming': () => {
      if (!stop()) void vscode.window.showInformationMessage('Anomaly Hunter: no file is being streamed.');
    },
  });
  return [
    status,
    dashboard.onDidClosePanel(() => { stop(); }),
    { dispose: () => { stop(); } },
  ];
}
