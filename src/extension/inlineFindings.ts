import * as vscode from 'vscode';
import type { Anomaly } from '../core/anomaly.ts';
import { lineOfFinding } from '../core/csv/frame.ts';
import type { LineIndex, RuleInfo } from '../core/findings.ts';
import { adjacentLine, escapeMarkdown, findingsAt, hoverOf, indexByLine, lowerBound, noteOf, statusCounts } from '../core/findings.ts';
import type { Incident } from '../core/incidents/incidents.ts';
import { listed, viewOf } from '../core/incidents/analysisView.ts';
import type { IncidentProblem } from '../core/incidents/problems.ts';
import { incidentProblems } from '../core/incidents/problems.ts';
import { shownAt } from '../core/incidents/shownAt.ts';
import type { Severity } from '../core/severity.ts';
import { SEVERITIES } from '../core/severity.ts';
import { addCommands } from './ctx.ts';
import type { Ctx } from './ctx.ts';
import type { FileSession } from './sessions.ts';
import { readSettings } from './settings.ts';
import { CSV_GLOB, dataOfText, GZ_TEXT_SCHEME, isCsv, isDataFile, textOf } from './csvFile.ts';

/** Problems entries per file at most: the most severe incidents; a note says how many more there are. */
const MAX_PROBLEMS = 200;
/** Lines decorated above and below the visible ranges, so that a small scroll shows decorations at once. */
const MARGIN_LINES = 80;
const SAVE_DEBOUNCE_MS = 400;
const SHOW_ROW_COMMAND = 'anomalyHunter.showRowInDashboard';
const ANALYZE_ANYWAY_COMMAND = 'anomalyHunter.analyzeOnOpenAnyway';

/** What the editor shows of one file's analysis (its default view, SPEC §7): built once per analysis, looked up by line. */
interface FileView {
  session: FileSession;
  version: number;
  /** The minimum severity it was built for (anomalyHunter.minSeverity). */
  minSeverity: Severity;
  /** The findings of the shown incidents, by line. */
  index: LineIndex;
  incidents: Incident[];
  problems: IncidentProblem[];
  rules: Record<string, RuleInfo>;
  /** The status bar tooltip's count line, made on first use: every flagged row is listed to count them, not at each editor switch. */
  counts?: string;
  /** What its Problems entries are now: listed, or none (stale, or the setting off); a state change that leaves it so publishes nothing. */
  published?: 'listed' | 'none';
}

const nameOf = (uri: vscode.Uri): string => uri.path.split('/').pop() ?? uri.path;
/** The key of the data file whose rows a document shows (a .csv.gz's, for its decompressed text): views and analyses are the data file's. */
const dataKeyOf = (doc: vscode.Uri): string => (dataOfText(doc) ?? doc).toString();
const pendingOf = (s: FileSession): readonly string[] => (s as { pending?: readonly string[] }).pending ?? [];

/**
 * Analyses CSV files when they are opened and shows the default view (SPEC §7) where the data is, like a
 * linter: gutter marks, a faint line background and an end-of-line note per row of a shown incident, a hover
 * that explains every finding, one Problems entry per incident, a status bar count of the incidents and
 * next/previous navigation through their rows.
 */
export function registerInlineFindings(ctx: Ctx): vscode.Disposable[] {
  const feature = new InlineFindings(ctx);
  return [feature];
}

class InlineFindings implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly views = new Map<string, FileView>();
  /** When each file was opened, until its findings were first on screen (the measured latency). */
  private readonly openedAt = new Map<string, number>();
  private readonly firstShown = new Set<string>();
  private readonly saveTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('anomalyHunter.findings');
  private readonly status = vscode.window.createStatusBarItem('anomalyHunter.findings', vscode.StatusBarAlignment.Left, 50);
  private readonly types: Record<Severity, vscode.TextEditorDecorationType>;

  constructor(private readonly ctx: Ctx) {
    this.status.name = 'Anomaly Hunter: findings';
    this.types = Object.fromEntries(SEVERITIES.map((s) => [s, vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor(`anomalyHunter.${s}Background`),
      gutterIconPath: vscode.Uri.joinPath(ctx.ext.extensionUri, 'media', `gutter-${s}.svg`),
      gutterIconSize: '75%',
    })])) as Record<Severity, vscode.TextEditorDecorationType>;

    this.disposables.push(
      this.diagnostics, this.status, ...Object.values(this.types),
      vscode.workspace.onDidOpenTextDocument((d) => this.consider(d.uri)),
      vscode.workspace.onDidSaveTextDocument((d) => this.saved(d.uri)),
      vscode.workspace.onDidCloseTextDocument(() => this.scheduleSweep()),
      vscode.window.tabGroups.onDidChangeTabs(() => this.scheduleSweep()),
      vscode.window.onDidChangeVisibleTextEditors((eds) => { for (const e of eds) this.consider(e.document.uri); this.decorateAll(); }),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => this.decorate(e.textEditor)),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateStatus()),
      vscode.workspace.onDidChangeConfiguration((e) => this.configChanged(e)),
      ctx.sessions.onDidChange((s) => this.changed(s)),
      ctx.sessions.onDidClose((uri) => this.forgetView(uri.toString())),
      ctx.sessions.onDidChangeState((key) => this.stateChanged(key)),
      vscode.languages.registerHoverProvider([{ scheme: 'file', pattern: CSV_GLOB }, { scheme: GZ_TEXT_SCHEME }], { provideHover: (d, p) => this.hover(d, p) }),
    );
    addCommands(ctx, {
      'anomalyHunter.nextAnomaly': () => this.jump(1),
      'anomalyHunter.previousAnomaly': () => this.jump(-1),
      [SHOW_ROW_COMMAND]: (uri: unknown, row: unknown) => {
        // Only the CSV files whose findings are shown (the hover's link is trusted: no other file may be opened through it).
        if (typeof uri === 'string' && Number.isInteger(row) && this.views.has(uri)) return ctx.showDashboard(vscode.Uri.parse(uri), { row: row as number });
        return undefined;
      },
      [ANALYZE_ANYWAY_COMMAND]: (uri: unknown) => {
        const doc = vscode.window.activeTextEditor?.document.uri;
        const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : doc && dataOfText(doc);
        if (target && isDataFile(target)) this.start(target, { force: true });
      },
    });
    for (const d of vscode.workspace.textDocuments) this.consider(d.uri);
    this.updateStatus();
  }

  // ---------- lifecycle: open, save, close, settings (the files' states are SessionStore's) ----------

  /** A CSV shown in an editor (a .csv.gz's decompressed text: its .gz): held open for the editor and analysed (SessionStore checks its size). */
  private consider(doc: vscode.Uri): void {
    const uri = dataOfText(doc);
    if (!uri || !readSettings().analyzeOnOpen || this.ctx.sessions.holds(uri, 'editor')) return;
    this.start(uri);
  }

  /** Analyses a file in the background (SessionStore's worker): the editor never waits for it. */
  private start(uri: vscode.Uri, opts: { reload?: boolean; force?: boolean } = {}): void {
    const key = uri.toString();
    if (!this.openedAt.has(key)) { this.openedAt.set(key, Date.now()); this.firstShown.delete(key); }
    void this.ctx.sessions.want(uri, 'editor', opts).then((st) => {
      if (st?.kind === 'tooLarge') void this.offerAnyway(uri, st.bytes);
      if (st?.kind !== 'ready') return;
      if (!st.session.frame.metrics.length) {
        // No numeric column: nothing to analyse, nothing to show; free the worker.
        this.ctx.log.info(`${st.session.name}: no numeric columns; nothing to show`);
        this.release(uri);
        return;
      }
      this.changed(st.session);
    });
  }

  /** A file over `analyzeOnOpenMaxMB`: the user may analyse it anyway or change the limit. */
  private async offerAnyway(uri: vscode.Uri, size: number): Promise<void> {
    const limitMB = readSettings().analyzeOnOpenMaxMB;
    const mb = (size / 1024 / 1024).toFixed(1);
    this.ctx.log.info(`${nameOf(uri)}: ${mb} MB is over anomalyHunter.analyzeOnOpenMaxMB (${limitMB}); not analysed on open`);
    const pick = await vscode.window.showInformationMessage(
      `Anomaly Hunter: ${nameOf(uri)} is ${mb} MB, over the ${limitMB} MB limit for analysis on open.`, 'Analyze anyway', 'Change limit');
    if (pick === 'Analyze anyway') this.start(uri, { force: true });
    else if (pick === 'Change limit') void vscode.commands.executeCommand('workbench.action.openSettings', 'anomalyHunter.analyzeOnOpenMaxMB');
  }

  /** A file's state changed (SessionStore): its failure, its unsaved edits (findings hidden) and the status bar follow. */
  private stateChanged(key: string): void {
    const uri = vscode.Uri.parse(key);
    const st = this.ctx.sessions.state(uri);
    if (st?.kind === 'failed' && this.ctx.sessions.holds(uri, 'editor')) this.showFailure(uri, st.message);
    const view = this.views.get(key);
    if (view) {
      this.publishProblems(view);
      for (const ed of vscode.window.visibleTextEditors) if (dataKeyOf(ed.document.uri) === key) this.decorate(ed);
    }
    this.updateStatus();
  }

  /** A CSV that cannot be read gets one Problems entry at the position the reader gave (`name:line:col: message`). */
  private showFailure(uri: vscode.Uri, message: string): void {
    const m = /^[^:]*?:(\d+)(?::(\d+))?: (.*)$/s.exec(message);
    const line = m ? Math.max(0, Number(m[1]) - 1) : 0;
    const col = m?.[2] ? Math.max(0, Number(m[2]) - 1) : 0;
    const d = new vscode.Diagnostic(new vscode.Range(line, col, line, col + 1), `Cannot analyse this file: ${m ? m[3] : message}`, vscode.DiagnosticSeverity.Warning);
    d.source = 'Anomaly Hunter';
    d.code = 'unreadable-csv';
    const doc = textOf(uri);
    const shown = this.diagnostics.get(doc);
    if (shown?.length === 1 && shown[0].message === d.message && shown[0].range.isEqual(d.range)) return;
    this.ctx.log.warn(`analysis on open: ${message}`);
    this.diagnostics.set(doc, [d]);
  }

  /** A saved file the editor holds is read again (a failed one too); one over the size limit waits for the user. */
  private saved(uri: vscode.Uri): void {
    const key = uri.toString();
    if (!isCsv(uri) || !this.ctx.sessions.holds(uri, 'editor') || this.ctx.sessions.state(uri)?.kind === 'tooLarge') return;
    clearTimeout(this.saveTimers.get(key));
    this.saveTimers.set(key, setTimeout(() => {
      this.saveTimers.delete(key);
      if (this.ctx.sessions.holds(uri, 'editor')) this.start(uri, { reload: true, force: true });
    }, SAVE_DEBOUNCE_MS));
  }

  private scheduleSweep(): void {
    clearTimeout(this.sweepTimer);
    this.sweepTimer = setTimeout(() => this.sweep(), 250);
  }

  /** Files no longer open in any editor: the editor lets go of them (their analysis ends unless another holder keeps it). */
  private sweep(): void {
    const open = new Set<string>();
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      const input = tab.input;
      if (input instanceof vscode.TabInputText) open.add(dataKeyOf(input.uri));
      else if (input instanceof vscode.TabInputTextDiff) { open.add(dataKeyOf(input.original)); open.add(dataKeyOf(input.modified)); }
    }
    for (const uri of this.ctx.sessions.held('editor')) if (!open.has(uri.toString())) this.release(uri);
    for (const key of [...this.views.keys()]) if (!open.has(key)) this.forgetView(key);
    this.updateStatus();
  }

  /** Stops showing a file and lets go of it (SessionStore ends its analysis when no one else holds it). */
  private release(uri: vscode.Uri): void {
    const key = uri.toString();
    this.openedAt.delete(key);
    this.forgetView(key);
    this.ctx.sessions.release(uri, 'editor');
  }

  private forgetView(key: string): void {
    const had = this.views.delete(key);
    this.diagnostics.delete(textOf(vscode.Uri.parse(key)));
    if (had) for (const e of vscode.window.visibleTextEditors) if (dataKeyOf(e.document.uri) === key) this.clearDecorations(e);
    this.updateStatus();
  }

  private configChanged(e: vscode.ConfigurationChangeEvent): void {
    if (e.affectsConfiguration('anomalyHunter.analyzeOnOpen') || e.affectsConfiguration('anomalyHunter.analyzeOnOpenMaxMB')) {
      if (!readSettings().analyzeOnOpen) {
        for (const uri of this.ctx.sessions.held('editor')) this.release(uri);
        for (const key of [...this.views.keys()]) this.forgetView(key);
        this.diagnostics.clear();
      } else {
        // A new limit: the files over the old one are looked at again.
        for (const uri of this.ctx.sessions.held('editor')) if (this.ctx.sessions.state(uri)?.kind === 'tooLarge') this.start(uri);
        for (const d of vscode.workspace.textDocuments) this.consider(d.uri);
      }
      this.updateStatus();
    }
    if (e.affectsConfiguration('anomalyHunter.problems')) for (const v of this.views.values()) this.publishProblems(v);
    if (e.affectsConfiguration('anomalyHunter.minSeverity')) for (const v of [...this.views.values()]) this.changed(v.session);
  }

  // ---------- rendering ----------

  /** A (re)analysis finished (on open, on save, or a dashboard setting): rebuild the view of that file. */
  private changed(s: FileSession): void {
    const key = s.uri.toString();
    if (!this.ctx.sessions.holds(s.uri, 'editor') || !s.frame.metrics.length) return;
    const view = this.views.get(key);
    const minSeverity = readSettings().minSeverity;
    if (view && view.session === s && view.version === s.version && view.minSeverity === minSeverity) return;
    const t0 = performance.now();
    const rules: Record<string, RuleInfo> = {};
    for (const r of s.rulesFile?.rules ?? []) {
      rules[r.name] = { metric: r.metric, op: r.op, threshold: s.settings.thresholds[r.name] ?? r.threshold, forMs: r.forMs, keepFiringForMs: r.keepFiringForMs };
    }
    const shown = shownAt(viewOf(s.result, minSeverity), minSeverity);
    const next: FileView = {
      session: s, version: s.version, minSeverity, rules,
      index: indexByLine(shown.anomalies, s.frame.lines, s.frame.seriesLines ? (a) => lineOfFinding(s.frame, a.row, a.metric) : undefined),
      incidents: shown.incidents,
      problems: incidentProblems(shown.incidents, s.frame),
    };
    this.views.set(key, next);
    this.publishProblems(next);
    for (const e of vscode.window.visibleTextEditors) if (dataKeyOf(e.document.uri) === key) this.decorate(e);
    this.updateStatus();
    const ms = performance.now() - t0;
    if (ms > 50) this.ctx.log.info(`${s.name}: findings indexed in ${ms.toFixed(0)} ms (${shown.incidents.length} incidents, ${shown.anomalies.length} findings)`);
  }

  private publishProblems(v: FileView): void {
    const data = v.session.uri;
    // Entries of a .csv.gz point into its decompressed text, where the lines are: its own bytes have none.
    const uri = textOf(data);
    const now = !readSettings().problems || this.ctx.sessions.isStale(data) ? 'none' : 'listed';
    if (v.published === now) return;
    v.published = now;
    if (now === 'none') { this.diagnostics.delete(uri); return; }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const lineEnd = (line: number): number => (doc && line < doc.lineCount ? doc.lineAt(line).range.end.character : 0);
    // The most severe incidents when there are too many (a minimum severity of `warning` on a long file).
    const kept = v.problems.length > MAX_PROBLEMS
      ? [...v.problems].sort((x, y) => y.incident.score - x.incident.score || x.startLine - y.startLine).slice(0, MAX_PROBLEMS).sort((x, y) => x.startLine - y.startLine)
      : v.problems;
    const dropped = v.problems.length - kept.length;
    const out = kept.map((p) => {
      // Information, whatever the incident's severity: an incident is a finding about the data, not a defect
      // to fix in this file. As errors or warnings they would outrank, and in the status bar's problem counts
      // drown, the errors of a rules file in the same workspace — the problems a user must fix.
      // On the incident's first line only: its rows already carry the tint and the gutter mark, and a squiggle under
      // every one of them was noise (Problems still opens the incident at its start).
      const d = new vscode.Diagnostic(new vscode.Range(p.startLine - 1, 0, p.startLine - 1, lineEnd(p.startLine - 1)), p.message, vscode.DiagnosticSeverity.Information);
      d.source = 'Anomaly Hunter';
      d.code = p.incident.severity;
      return d;
    });
    // How the file was read (day/month order assumed, duplicate times, units stripped…): said in the dashboard's header
    // and by the CLI; here too, for a user who only opens the file. Information for the same reason as the incidents;
    // at most a few per kind (the reader keeps three of each and counts the rest).
    for (const i of v.session.issues) {
      if (i.severity !== 'warning') continue;
      const line = Math.max(0, (i.line ?? 1) - 1);
      const col = Math.max(0, (i.column ?? 1) - 1);
      const d = new vscode.Diagnostic(new vscode.Range(line, i.column ? col : 0, line, i.column ? col + 1 : lineEnd(line)), `Read with a warning: ${i.message}`, vscode.DiagnosticSeverity.Information);
      d.source = 'Anomaly Hunter';
      d.code = i.code;
      out.push(d);
    }
    if (dropped > 0) {
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, lineEnd(0)),
        `${dropped} less severe incidents are not listed here (the ${MAX_PROBLEMS} most severe are); the editor and the dashboard show them all`,
        vscode.DiagnosticSeverity.Information);
      d.source = 'Anomaly Hunter';
      d.code = 'more';
      out.unshift(d);
    }
    this.diagnostics.set(uri, out);
  }

  private decorateAll(): void {
    for (const e of vscode.window.visibleTextEditors) this.decorate(e);
  }

  private clearDecorations(editor: vscode.TextEditor): void {
    for (const s of SEVERITIES) editor.setDecorations(this.types[s], []);
  }

  /** Decorates the anomalous rows in (and near) the visible ranges only: cost follows the screen, not the file. */
  private decorate(editor: vscode.TextEditor): void {
    const key = dataKeyOf(editor.document.uri);
    const v = this.views.get(key);
    if (!v) return;
    if (this.ctx.sessions.isStale(v.session.uri)) { this.clearDecorations(editor); return; }
    const doc = editor.document;
    const buckets: Record<Severity, vscode.DecorationOptions[]> = { critical: [], major: [], minor: [], warning: [] };
    let last = -1;
    for (const r of editor.visibleRanges) {
      const from = Math.max(r.start.line + 1 - MARGIN_LINES, last + 1);
      const to = Math.min(r.end.line + 1 + MARGIN_LINES, doc.lineCount);
      for (let i = lowerBound(v.index, from); i < v.index.lines.length && v.index.lines[i] <= to; i++) {
        const line = v.index.lines[i] - 1;
        const items = v.index.items.slice(v.index.offsets[i], v.index.offsets[i + 1]);
        const severity = SEVERITIES[v.index.worst[i]];
        const end = doc.lineAt(line).range.end;
        buckets[severity].push({
          range: new vscode.Range(end, end),
          renderOptions: { after: { contentText: noteOf(items), color: new vscode.ThemeColor(`anomalyHunter.${severity}Foreground`), margin: '0 0 0 2.5em', fontStyle: 'italic' } },
        });
      }
      last = Math.max(last, to);
    }
    for (const s of SEVERITIES) editor.setDecorations(this.types[s], buckets[s]);
    const opened = this.openedAt.get(key);
    if (opened !== undefined && v.index.lines.length) {
      // Measured from the open event to the decorations of the first (possibly partial) and of the complete analysis.
      const pending = pendingOf(v.session);
      if (!this.firstShown.has(key)) {
        this.firstShown.add(key);
        this.ctx.log.info(`${v.session.name}: first findings shown ${Date.now() - opened} ms after the file was opened${pending.length ? ` (still running: ${pending.join(', ')})` : ''}`);
      }
      if (!pending.length) {
        this.openedAt.delete(key);
        this.ctx.log.info(`${v.session.name}: all findings shown ${Date.now() - opened} ms after the file was opened (${v.session.frame.rows} rows, ${v.incidents.length} incidents, analysis ${Math.round(v.session.computeMs)} ms)`);
      }
    }
  }

  private hover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const v = this.views.get(dataKeyOf(doc.uri));
    if (!v || this.ctx.sessions.isStale(v.session.uri)) return undefined;
    const findings: Anomaly[] = findingsAt(v.index, pos.line + 1);
    if (!findings.length) return undefined;
    const row = findings[0].row;
    const md = new vscode.MarkdownString(hoverOf(findings, {
      row, line: pos.line + 1, timestamp: findings[0].timestamp, forecast: v.session.result.forecast, rules: v.rules, interval: v.session.settings.interval,
    }));
    const args = encodeURIComponent(JSON.stringify([v.session.uri.toString(), row]));
    md.appendMarkdown(`\n\n[Open in dashboard](command:${SHOW_ROW_COMMAND}?${args} "Show this row in the Anomaly Hunter dashboard")`);
    md.isTrusted = { enabledCommands: [SHOW_ROW_COMMAND] };
    return new vscode.Hover(md, doc.lineAt(pos.line).range);
  }

  private updateStatus(): void {
    const doc = vscode.window.activeTextEditor?.document.uri;
    const uri = doc && dataOfText(doc);
    const key = uri?.toString();
    if (!uri || !key) { this.status.hide(); return; }
    const v = this.views.get(key);
    const bar = this.status;
    bar.backgroundColor = undefined;
    const st = this.ctx.sessions.holds(uri, 'editor') ? this.ctx.sessions.state(uri) : undefined;
    if (v && this.ctx.sessions.isStale(uri)) {
      bar.text = '$(edit) Findings paused';
      bar.tooltip = `${nameOf(uri)} has unsaved edits: its findings no longer line up with the text and are hidden. Save to analyse it again.`;
      bar.command = 'workbench.action.files.save';
    } else if (v) {
      const n = v.incidents.length;
      const pending = pendingOf(v.session);
      const c = Object.fromEntries(SEVERITIES.map((sev) => [sev, v.incidents.filter((i) => i.severity === sev).length])) as Record<Severity, number>;
      bar.text = `${pending.length ? '$(loading~spin)' : n ? '$(warning)' : '$(pass)'} ${n.toLocaleString('en')} ${n === 1 ? 'incident' : 'incidents'}${pending.length ? '…' : ''}`;
      const tip = new vscode.MarkdownString();
      tip.appendMarkdown(`**Anomaly Hunter** · ${escapeMarkdown(v.session.name)}\n\n`);
      tip.appendMarkdown(`Incidents at or above ${v.minSeverity}: ` + SEVERITIES.filter((sev) => SEVERITIES.indexOf(sev) <= SEVERITIES.indexOf(v.minSeverity)).map((sev) => `${sev} ${c[sev].toLocaleString('en')}`).join(' · ') + '\n\n');
      tip.appendMarkdown(`${v.counts ??= statusCounts(v.index.lines.length, listed(v.session.result, true).anomalies)}${pending.length ? ` · still running: ${pending.join(', ')}` : ''}\n\n`);
      tip.appendMarkdown('Click to open the dashboard · Alt+F8 / Shift+Alt+F8 to step through the rows · setting anomalyHunter.minSeverity');
      bar.tooltip = tip;
      bar.command = { command: 'anomalyHunter.openDashboard', title: 'Open Dashboard', arguments: [uri] };
    } else if (st?.kind === 'loading') {
      bar.text = '$(loading~spin) Anomaly Hunter';
      bar.tooltip = `Analysing ${nameOf(uri)}…`;
      bar.command = undefined;
    } else if (st?.kind === 'tooLarge') {
      bar.text = '$(circle-slash) Not analysed';
      bar.tooltip = `${nameOf(uri)} is ${(st.bytes / 1024 / 1024).toFixed(1)} MB, over anomalyHunter.analyzeOnOpenMaxMB. Click to analyse it anyway.`;
      bar.command = { command: ANALYZE_ANYWAY_COMMAND, title: 'Analyze anyway', arguments: [key] };
    } else if (st?.kind === 'failed') {
      bar.text = '$(error) Anomaly Hunter';
      bar.tooltip = st.message;
      bar.command = 'workbench.actions.view.problems';
    } else {
      bar.hide();
      return;
    }
    bar.show();
  }

  private async jump(direction: 1 | -1): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const v = this.views.get(dataKeyOf(editor.document.uri));
    if (v && this.ctx.sessions.isStale(v.session.uri)) {
      void vscode.window.setStatusBarMessage('Anomaly Hunter: unsaved edits — save the file to update its findings', 3000);
      return;
    }
    const line = v ? adjacentLine(v.index, editor.selection.active.line + 1, direction) : null;
    if (line === null) {
      void vscode.window.setStatusBarMessage(v ? `Anomaly Hunter: no incidents at or above ${v.minSeverity} in this file` : 'Anomaly Hunter: this file has not been analysed', 3000);
      return;
    }
    const pos = new vscode.Position(line - 1, 0);
    editor.selection = new vscode.Selection(pos, pos);
    editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
  }

  dispose(): void {
    clearTimeout(this.sweepTimer);
    for (const t of this.saveTimers.values()) clearTimeout(t);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
