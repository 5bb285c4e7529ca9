import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { AnalysisResult } from '../core/analysisResult.ts';
import { settingsFor } from '../core/analyze.ts';
import type { DataIssue, Frame } from '../core/csv/frame.ts';
import type { RulesFile } from '../core/rules/model.ts';
import { validateRules } from '../core/rules/validate.ts';
import type { DashboardSettings, RuleSlider } from '../protocol.ts';
import { changedFrom, defaultDashboardSettings, enabledDetectors, RULES_PENDING, settingsFromRules, slidersOf } from './sessionSettings.ts';
import type { WorkerReply } from './workerProtocol.ts';
import { AnalysisWorker } from './analysisWorkerClient.ts';
import { fileLabel } from './fileLabels.ts';
import { readSettings } from './settings.ts';
import type { RulesFileIndex } from './rulesFiles.ts';
import type { FoundRules } from './rulesFiles.ts';
import { fileStamp, findRulesFile, rulesOfCsv } from './rulesFiles.ts';
import type { FileState, Holder } from '../core/fileStates.ts';
import { FileStates } from '../core/fileStates.ts';

/** A loaded CSV and its latest analysis: the one analysis per file that the dashboard and the editor share. */
export interface FileSession {
  uri: vscode.Uri;
  name: string;
  frame: Frame;
  sha256: string;
  issues: DataIssue[];
  settings: DashboardSettings;
  result: AnalysisResult;
  /** The rules file applied to this CSV (its `data:` names it, or the default rules file), if any. */
  rulesUri: vscode.Uri | null;
  rulesFile: RulesFile | null;
  rules: RuleSlider[];
  computeMs: number;
  /** Increases with every analysis of this file. */
  version: number;
  /** Detectors still running (the result so far is partial); empty when the analysis is complete. */
  pending: string[];
  /** Why the last analysis stopped, when it failed (the findings shown are those of the stages that finished). */
  failure?: string;
}

/** A CSV that cannot be analysed: the message says where and why (`file:line:col: message`). */
export class SessionError extends Error {
  /** True when the analysis was stopped on purpose (its file closed or read again): nothing to tell the user. */
  constructor(message: string, readonly cancelled = false) {
    super(message);
  }
}

interface Entry {
  worker: AnalysisWorker;
  session?: FileSession;
  /** Resolves once the data is read (the analysis may still be running). */
  loaded?: Promise<FileSession>;
  /** Resolves once the first analysis is complete. */
  loading?: Promise<FileSession>;
  /** Serialises analyses of one file; the latest settings win. */
  queue: Promise<unknown>;
  /** The file's modification time and size when it was read (`mtimeMs:size`), to tell whether it changed since. */
  stamp?: string;
  /** The same of the rules file applied (with its URI; empty when none), when it was read. */
  rulesStamp?: string;
  /** Settled once the rules file that applies is known (the data may be shown before: see load). */
  rulesApplied?: Promise<unknown>;
}

/**
 * Every analysed CSV, keyed by URI, and its lifecycle (fileStates.ts): too large, loading, failed or ready, who
 * holds it open, and unsaved edits since its analysis. Loading and detection run in a worker thread per file; a
 * file closed, let go by its last holder (or changed on disk) has its worker ended. `onDidChange` fires after every
 * (re)analysis, `onDidChangeState` after every change of a file's state, holders or edits.
 */
export class SessionStore implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly emitter = new vscode.EventEmitter<FileSession>();
  private readonly closedEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Rules files bound to a data file that no `data:` path names (a rules file's fetched Prometheus source). */
  private readonly boundRules = new Map<string, vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  readonly onDidClose = this.closedEmitter.event;
  private readonly stateEmitter = new vscode.EventEmitter<string>();
  /** A file's state, holders or staleness changed (its URI string). */
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly states = new FileStates<FileSession>((key) => this.stateEmitter.fire(key));
  private readonly subscriptions: vscode.Disposable[];
  /** Commands running on each file (`use`). */
  private readonly uses = new Map<string, number>();

  constructor(private readonly workerScript: string, private readonly log: vscode.LogOutputChannel, private readonly rulesFiles: RulesFileIndex) {
    // The rules validator's first call compiles its schema (~100 ms in a busy extension host): done now, off the
    // path of the first CSV opened.
    setTimeout(() => { try { validateRules('version: 1\nrules: []\n'); } catch { /* a warm-up only */ } }, 0);
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => this.states.edited(e.document.uri.toString(), e.document.isDirty, e.contentChanges.length > 0)),
      vscode.workspace.onWillSaveTextDocument((e) => this.states.willSave(e.document.uri.toString())),
    ];
  }

  /** Where a file stands: too large, loading, failed or ready (undefined: not asked for, or closed). */
  state(uri: vscode.Uri): FileState<FileSession> | undefined {
    return this.states.state(uri.toString());
  }

  /** Whether the file has unsaved edits since its analysis (its findings no longer line up with the text). */
  isStale(uri: vscode.Uri): boolean {
    return this.states.isStale(uri.toString());
  }

  holds(uri: vscode.Uri, holder: Holder): boolean {
    return this.states.holds(uri.toString(), holder);
  }

  /** The files `holder` holds open. */
  held(holder: Holder): vscode.Uri[] {
    return this.states.keys().filter((k) => this.states.holds(k, holder)).map((k) => vscode.Uri.parse(k));
  }

  /**
   * Holds a file open for `holder` and has it read and analysed, unless it is over `analyzeOnOpenMaxMB` (then
   * it is `tooLarge` until a `force`d request) or already read (`reload` reads it again). Resolves with its
   * state once the request is settled (undefined when the holder let go meanwhile); failures are in the state.
   */
  async want(uri: vscode.Uri, holder: Holder, opts: { force?: boolean; reload?: boolean } = {}): Promise<FileState<FileSession> | undefined> {
    const key = uri.toString();
    this.states.hold(key, holder);
    const now = this.states.state(key);
    if (!opts.reload && !opts.force && now?.kind === 'ready') return now;
    if (!opts.reload && !opts.force && now?.kind === 'loading') {
      // Being read for someone else: settled when that read is (never a request that resolves at once, which a
      // caller retrying on settle would turn into a loop).
      await this.open(uri).catch(() => undefined);
      return this.states.holds(key, holder) ? this.states.state(key) : undefined;
    }
    let bytes: number;
    try {
      bytes = (await vscode.workspace.fs.stat(uri)).size;
    } catch (e) {
      if (!this.states.holds(key, holder)) return undefined;
      const name = basename(uri.fsPath);
      this.states.failed(key, e instanceof vscode.FileSystemError && e.code === 'FileNotFound' ? `${name}: no such file` : `${name}: ${(e as Error).message}`);
      return this.states.state(key);
    }
    if (!this.states.holds(key, holder)) return undefined;
    if (!this.states.admit(key, bytes, readSettings().analyzeOnOpenMaxMB, opts.force)) return this.states.state(key);
    await this.open(uri, { reload: opts.reload }).catch(() => undefined);
    return this.states.holds(key, holder) ? this.states.state(key) : undefined;
  }

  /** Holds a file open without reading it (the dashboard, which opens it itself). */
  hold(uri: vscode.Uri, holder: Holder): void {
    this.states.hold(uri.toString(), holder);
  }

  /** Lets go of a file: when that was its last holder, its analysis ends (its worker is ended). */
  release(uri: vscode.Uri, holder: Holder): void {
    if (this.states.release(uri.toString(), holder)) this.close(uri);
  }

  /**
   * Runs a command on a file's analysis (read first when no one has): held as `command` meanwhile, so that a file
   * nothing else holds is let go (its worker ended) when the last command using it is done.
   */
  async use<T>(uri: vscode.Uri, fn: (s: FileSession) => T | Promise<T>): Promise<T> {
    const key = uri.toString();
    this.uses.set(key, (this.uses.get(key) ?? 0) + 1);
    this.hold(uri, 'command');
    try {
      // The analysis as it is once complete (read, rules file applied, every detector and any re-analysis done).
      await this.open(uri);
      await this.entries.get(key)?.queue;
      const s = this.get(uri);
      if (!s) throw new SessionError(`${basename(uri.fsPath)}: analysis cancelled`, true);
      return await fn(s);
    } finally {
      const n = (this.uses.get(key) ?? 1) - 1;
      if (n > 0) this.uses.set(key, n);
      else { this.uses.delete(key); this.release(uri, 'command'); }
    }
  }

  get(uri: vscode.Uri): FileSession | undefined {
    return this.entries.get(uri.toString())?.session;
  }

  /**
   * Whether an open file's analysis is of the file as it is on disk now (same modification time and size as when
   * it was read) and did not fail: then an explicit Analyze can show it instead of reading the file again.
   */
  async isCurrent(uri: vscode.Uri): Promise<boolean> {
    const entry = this.entries.get(uri.toString());
    await entry?.rulesApplied;
    if (!entry?.session || entry.session.failure || entry.stamp === undefined || uri.scheme !== 'file') return false;
    if ((await fileStamp(uri.fsPath)) !== entry.stamp) return false;
    // The rules file too: the same one applies (none created, moved or renamed since), unchanged on disk.
    const rules = await this.findRules(uri).catch(() => undefined);
    if (rules === undefined || (rules?.stamp ?? '') !== entry.rulesStamp) return false;
    return this.entries.get(uri.toString()) === entry;
  }

  all(): FileSession[] {
    return [...this.entries.values()].flatMap((e) => (e.session ? [e.session] : []));
  }

  /**
   * Loads and analyses a CSV (once: concurrent callers share the work). Resolves when the analysis is complete,
   * or, with `partial`, as soon as the data is read (then `pending` lists the detectors still running and
   * `onDidChange` fires as each one finishes). `reload` forgets what was loaded.
   */
  open(uri: vscode.Uri, opts: { reload?: boolean; partial?: boolean; settings?: DashboardSettings } = {}): Promise<FileSession> {
    const key = uri.toString();
    let entry = this.entries.get(key);
    if (entry && !opts.reload) {
      if (opts.partial && entry.session) return Promise.resolve(entry.session);
      if (opts.partial && entry.loaded) return entry.loaded;
      if (entry.loading) return entry.loading;
      if (entry.session) return Promise.resolve(entry.session);
    }
    const previous = entry?.session?.settings ?? opts.settings;
    if (entry) entry.worker.terminate();
    entry = { worker: new AnalysisWorker(this.workerScript), queue: Promise.resolve() };
    this.entries.set(key, entry);
    this.states.loading(key);
    const e = entry;
    let onLoaded!: (s: FileSession) => void;
    let onLoadFailed!: (err: Error) => void;
    e.loaded = new Promise<FileSession>((res, rej) => { onLoaded = res; onLoadFailed = rej; });
    e.loading = this.load(uri, e, previous, onLoaded).finally(() => { e.loading = undefined; });
    e.loading.catch((err: Error) => {
      onLoadFailed(err);
      if (this.entries.get(key) !== e) return;
      e.worker.terminate();
      this.entries.delete(key);
      const message = err instanceof SessionError ? err.message : `${basename(uri.fsPath)}: ${err.message}`;
      // Shown before its rules file was known: what shows it stops waiting, with why.
      if (e.session) { e.session.pending = []; e.session.failure = message; e.session.version++; this.emitter.fire(e.session); }
      // A file that cannot be read stays failed (with the reader's message) until it is asked for again.
      this.states.failed(key, message);
    });
    e.loaded.catch(() => undefined);
    return opts.partial ? e.loaded : e.loading;
  }

  private async load(uri: vscode.Uri, entry: Entry, previous: DashboardSettings | undefined, onLoaded: (s: FileSession) => void): Promise<FileSession> {
    const t0 = Date.now();
    // Look for the rules file while the worker reads the CSV.
    let rulesMs = NaN;
    let rulesFound = false;
    const rulesSource = this.findRules(uri).finally(() => { rulesMs = Date.now() - t0; rulesFound = true; });
    rulesSource.catch(() => undefined);
    // Settled once the rules file is applied and the first analysis queued (or the load failed).
    let applied!: () => void;
    entry.rulesApplied = new Promise<void>((res) => { applied = res; });
    try {
      // Taken before the read: a change during the read makes the next comparison fail (the file is read again).
      entry.stamp = await fileStamp(uri.fsPath);
      this.stillOpen(uri, entry);
      let reply: WorkerReply;
      try {
        reply = await entry.worker.request({ type: 'load', path: uri.fsPath });
      } catch (e) {
        // Closed on purpose (let go of, or read again) while it was read: nothing to tell the user.
        this.stillOpen(uri, entry);
        throw e;
      }
      const dataMs = Date.now() - t0;
      if (reply.type === 'error') throw new SessionError(`${basename(uri.fsPath)}: ${reply.message}`);
      if (reply.type !== 'loaded') throw new SessionError('unexpected reply from the analysis worker');
      const fatal = reply.issues.find((i) => i.severity === 'error');
      if (fatal || !reply.frame) {
        const pos = fatal?.line ? `:${fatal.line}${fatal.column ? `:${fatal.column}` : ''}` : '';
        throw new SessionError(`${basename(uri.fsPath)}${pos}: ${fatal?.message ?? 'cannot read the file'}`);
      }
      const frame = reply.frame;
      const name = fileLabel(uri);
      const session: FileSession = {
        uri, name, frame, sha256: reply.sha256, issues: reply.issues, settings: previous ?? defaultDashboardSettings(),
        result: { frame, input: { path: uri.fsPath, sha256: reply.sha256 }, seed: readSettings().seed, detectors: {}, scores: {}, anomalies: [], warnings: [] },
        rulesUri: null, rulesFile: null, rules: [], computeMs: 0, version: 0, pending: [RULES_PENDING],
      };
      // The data is shown before the rules file is known when the search for it is still running (the workspace's
      // first search, in a window just opened or a large workspace, can take longer than reading the file): the
      // first chart does not wait for it. Nothing is analysed before it is known (its detectors: block applies).
      const ready = (): void => {
        entry.session = session;
        // A new reading of the file: its findings match the saved text (stale while the editor has unsaved edits).
        const dirty = vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString() && d.isDirty);
        if (this.entries.get(uri.toString()) === entry) this.states.ready(uri.toString(), session, true, dirty);
        onLoaded(session);
        this.emitter.fire(session);
      };
      const early = !rulesFound;
      if (early) { this.log.info(`${name}: ${frame.rows} rows read in ${dataMs} ms, shown before the rules file is found`); ready(); }
      const found = await rulesSource;
      const { rulesUri, rulesFile, warning } = rulesOfCsv(uri, frame, found);
      this.stillOpen(uri, entry);
      entry.rulesStamp = found?.stamp ?? '';
      session.rulesUri = rulesUri;
      session.rulesFile = rulesFile;
      session.rules = rulesFile ? slidersOf(rulesFile, frame) : [];
      session.settings = previous ?? settingsFromRules(rulesFile);
      session.pending = enabledDetectors(session.settings, rulesFile);
      this.log.info(`${name}: ${early ? 'rules file found' : `${frame.rows} rows read`} in ${Date.now() - t0} ms (data ${dataMs} ms, rules file ${rulesMs} ms)`);
      if (early) { session.version++; this.emitter.fire(session); } else ready();
      const analysis = this.analyze(entry, session, session.settings, true);
      applied();
      try {
        await analysis;
      } catch (e) {
        // The data is read: the file stays open with what finished (session.failure says why the rest did not).
        if (e instanceof SessionError && session.failure) return session;
        throw e;
      }
      if (warning) session.result.warnings.unshift(warning);
      this.log.info(`${session.name}: ${session.result.anomalies.length} anomalies (load + analysis ${Date.now() - t0} ms)`);
      return session;
    } finally {
      applied();
    }
  }

  /** Throws a cancelled SessionError when the file was closed or read again since `entry` began reading it. */
  private stillOpen(uri: vscode.Uri, entry: Entry): void {
    if (this.entries.get(uri.toString()) !== entry) throw new SessionError(`${basename(uri.fsPath)}: analysis cancelled`, true);
  }

  /** Re-runs the analysis of an open file with new dashboard settings. */
  update(uri: vscode.Uri, settings: DashboardSettings): Promise<FileSession> {
    const entry = this.entries.get(uri.toString());
    return entry ? this.applyTo(uri, entry, settings) : this.open(uri, { settings });
  }

  /**
   * Applies settings to `entry`'s reading of the file once its data is shown and its rules file applied. A reading
   * replaced meanwhile (the file read again) passes them on to the new one; a file closed meanwhile stays closed
   * (a cancelled SessionError): only update() opens a file.
   */
  private async applyTo(uri: vscode.Uri, entry: Entry, settings: DashboardSettings): Promise<FileSession> {
    const key = uri.toString();
    const passOn = (s: DashboardSettings): Promise<FileSession> => {
      const now = this.entries.get(key);
      if (!now) throw new SessionError(`${basename(uri.fsPath)}: analysis cancelled`, true);
      return this.applyTo(uri, now, s);
    };
    if (!entry.session) {
      try {
        await entry.loaded;
      } catch (e) {
        if (this.entries.get(key) && this.entries.get(key) !== entry) return passOn(settings);
        throw e;
      }
    }
    const session = entry.session!;
    // Shown before its rules file was known: analysed once it is applied (its first analysis queued, then this), with
    // only what the user changed from the settings shown then (the rules file's detectors: block keeps the rest).
    const shown = session.pending.includes(RULES_PENDING) ? session.settings : null;
    await entry.rulesApplied;
    const wanted = shown ? changedFrom(shown, settings, session.settings) : settings;
    return this.entries.get(key) === entry ? this.analyze(entry, session, wanted) : passOn(wanted);
  }

  /** Re-reads the rules file that applies to an open CSV and re-runs the analysis. */
  async refreshRules(uri: vscode.Uri): Promise<FileSession | undefined> {
    const entry = this.entries.get(uri.toString());
    if (!entry?.session) return undefined;
    await entry.rulesApplied; // the first reading's rules applied first: this newer reading wins
    const s = entry.session;
    const found = await this.findRules(uri);
    const { rulesUri, rulesFile, warning } = rulesOfCsv(uri, s.frame, found);
    entry.rulesStamp = found?.stamp ?? '';
    s.rulesUri = rulesUri;
    s.rulesFile = rulesFile;
    s.rules = rulesFile ? slidersOf(rulesFile, s.frame) : [];
    const next = await this.analyze(entry, s, s.settings);
    if (warning) next.result.warnings.unshift(warning);
    return next;
  }

  /** `first`: the file's first analysis (each detector's findings are shown as it finishes). */
  private analyze(entry: Entry, session: FileSession, settings: DashboardSettings, first = false): Promise<FileSession> {
    const run = async (): Promise<FileSession> => {
      const cfg = readSettings();
      // The rules file's detectors: block applies as in the CLI; the dashboard's toggles and sliders win.
      const analyzeSettings = settingsFor(session.rulesFile, {
        detectors: settings.detectors,
        seed: session.rulesFile?.detectors.iforest?.seed ?? cfg.seed,
        contamination: settings.contamination,
        interval: settings.interval,
        robust: cfg.robustForecast,
        thresholds: settings.thresholds,
        minSeverity: cfg.minSeverity,
      });
      session.settings = settings;
      session.pending = enabledDetectors(settings, session.rulesFile);
      let reply: WorkerReply;
      try {
        reply = await entry.worker.request({ type: 'analyze', settings: analyzeSettings, progressive: first }, (partial) => {
          if (partial.type !== 'partial') return;
          session.result = { ...partial.result, frame: session.frame };
          session.pending = partial.pending;
          session.computeMs = partial.ms;
          session.version++;
          this.emitter.fire(session);
        });
      } catch (e) {
        const key = session.uri.toString();
        // Closed on purpose (the file was closed, or is being read again): nothing to report.
        if (this.entries.get(key) !== entry) throw new SessionError(`${session.name}: analysis cancelled`, true);
        // The worker itself is gone (a crash, out of memory): the file is read again on the next analysis.
        entry.worker.terminate();
        this.entries.delete(key);
        this.states.clear(key);
        reply = { id: 0, type: 'error', message: `the analysis worker stopped (${(e as Error).message})` };
      }
      if (reply.type !== 'analyzed') {
        // Nothing is running any more: say so (the dashboard stops waiting) and why.
        const why = reply.type === 'error' ? reply.message : 'unexpected reply from the analysis worker';
        session.pending = [];
        session.failure = `the analysis stopped: ${why}`;
        session.version++;
        this.log.error(`${session.name}: ${session.failure}`);
        this.emitter.fire(session);
        throw new SessionError(`${session.name}: ${session.failure}`);
      }
      session.failure = undefined;
      session.result = { ...reply.result, frame: session.frame };
      session.pending = [];
      session.computeMs = reply.ms;
      session.version++;
      entry.session = session;
      this.emitter.fire(session);
      return session;
    };
    const next = entry.queue.then(run, run);
    entry.queue = next.catch(() => undefined);
    return next;
  }

  /** The rules file that applies to a data file whatever the rules files' `data:` paths say (a snapshot of their source). */
  bindRules(data: vscode.Uri, rules: vscode.Uri): void {
    this.boundRules.set(data.toString(), rules);
  }

  /** Forgets a file's analysis and ends its worker (a running analysis is cancelled); its holders stay. */
  close(uri: vscode.Uri): void {
    const key = uri.toString();
    const entry = this.entries.get(key);
    this.states.clear(key);
    if (!entry) return;
    entry.worker.terminate();
    this.entries.delete(key);
    this.closedEmitter.fire(uri);
  }

  /** The rules file for a CSV (a rules file bound to it by the rules editor first) and its text. */
  private findRules(csv: vscode.Uri): Promise<FoundRules | null> {
    return findRulesFile(csv, this.rulesFiles, this.boundRules.get(csv.toString()));
  }

  dispose(): void {
    for (const e of this.entries.values()) e.worker.terminate();
    this.entries.clear();
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
    this.closedEmitter.dispose();
    this.stateEmitter.dispose();
  }
}
