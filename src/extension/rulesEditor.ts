import * as vscode from 'vscode';
import type { Frame } from '../core/csv/frame.ts';
import { evaluateRules } from '../core/rules/evaluate.ts';
import type { RuleFiring } from '../core/rules/evaluate.ts';
import { completionsAt, ruleRanges } from '../core/rules/language.ts';
import { hoverAt } from '../core/rules/hover.ts';
import type { Diagnostic, RulesDataContext } from '../core/rules/model.ts';
import { analyzeRules } from '../core/rules/validate.ts';
import { diagnosticAt } from '../core/rules/diagnostics.ts';
import type { RulesAnalysis } from '../core/rules/validate.ts';
import { lineStarts } from '../core/textPosition.ts';
import { addCommands } from './ctx.ts';
import { WRITE_RULE_TEST_COMMAND, writeRuleTest } from './ruleBacktest.ts';
import type { Ctx } from './ctx.ts';
import type { DataState, Target } from './rulesData.ts';
import { RulesData } from './rulesData.ts';
import { readSettings } from './settings.ts';
import {
  HOST_EVALUATION_BUDGET, dataName, fixableAt, lensTitle, pickCsvBeside, problemSummary, resolveDataPath, shownDiagnostics,
} from './rulesEditorModel.ts';
import { RULES_FIXED_COMMAND } from './walkthrough.ts';
import { WORD, toCompletionItem, toVscodeDiagnostic } from './rulesEditorItems.ts';
import { RulesPrometheus } from './rulesPrometheus.ts';

const DEBOUNCE_MS = 150;
const SHOW_RULE_COMMAND = 'anomalyHunter.showRuleInDashboard';
const LOAD_DATA_COMMAND = 'anomalyHunter.loadRulesData';
const YAML_EXTENSION = 'redhat.vscode-yaml';

/** One reading of a rules document, reused by diagnostics, hover, completion, quick fixes and lenses. */
interface DocAnalysis {
  version: number;
  text: string;
  analysis: RulesAnalysis;
  /** Every diagnostic, before the Red Hat YAML filter (quick fixes use all of them). */
  diagnostics: Diagnostic[];
  target: Target | null;
  data: RulesDataContext | undefined;
  firings?: { frame: Frame; perRule: Record<string, RuleFiring> };
  /** The fetched series of a Prometheus `data:` (rulesPrometheus.ts), when current. */
  fetched?: RulesDataContext;
}

/** Diagnostics, hover, completion, quick fixes and CodeLens for rules files (SPEC §1–§2, §6); one object owns it all. */
class RulesEditor implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('anomalyHunter.rules');
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly analyses = new Map<string, DocAnalysis>();
  private readonly data: RulesData;
  private readonly subscriptions: vscode.Disposable[] = [];
  private providers: vscode.Disposable[] = [];
  private selector: vscode.DocumentFilter[] = [];
  private disposed = false;
  private readonly prom: RulesPrometheus;

  constructor(private readonly ctx: Ctx) {
    // A new frame changes the checks; a re-analysis of the same frame only changes the worker's firings (lenses).
    this.data = new RulesData(ctx, (key, checks) => {
      if (checks && !this.disposed) this.revalidate((a) => a.target?.key === key);
      else this.lensesChanged.fire();
    });
    this.prom = new RulesPrometheus(ctx, () => this.revalidate((a) => !!a.analysis.file.source));
    this.subscriptions.push(this.prom, this.data,
      this.collection,
      this.lensesChanged,
      vscode.workspace.onDidOpenTextDocument((doc) => this.validateNow(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.contentChanges.length) this.schedule(e.document); }),
      vscode.workspace.onDidSaveTextDocument((doc) => this.saved(doc)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc.uri)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.revalidate((a) => !a.target?.fromKey)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('anomalyHunter.rulesFiles')) this.registerProviders();
        if (e.affectsConfiguration('yaml.validate')) this.revalidate(() => true);
      }),
      vscode.extensions.onDidChange(() => this.revalidate(() => true)),
    );
    addCommands(ctx, {
      [SHOW_RULE_COMMAND]: (uri: unknown, rule: unknown) => {
        const csv = uri instanceof vscode.Uri ? uri : typeof uri === 'string' ? vscode.Uri.parse(uri) : undefined;
        if (csv && typeof rule === 'string') return ctx.showDashboard(csv, { rule });
        return undefined;
      },
      [LOAD_DATA_COMMAND]: (key: unknown) => {
        const st = typeof key === 'string' ? this.data.get(key) : undefined;
        if (st && !st.request) { this.data.load(st, key as string, true); this.lensesChanged.fire(); }
      },
      'anomalyHunter.validateRules': (arg: unknown) => this.validateCommand(arg),
      [WRITE_RULE_TEST_COMMAND]: (uri: unknown, rule: unknown, key: unknown) => {
        const st = typeof key === 'string' ? this.data.get(key) : undefined;
        if (uri instanceof vscode.Uri && typeof rule === 'string' && st?.frame) return writeRuleTest(uri, rule, st.frame, st.name);
        return undefined;
      },
    });
    this.registerProviders();
  }

  // ------------------------------------------------------------------ which documents

  private registerProviders(): void {
    for (const p of this.providers) p.dispose();
    this.selector = readSettings().rulesFiles.map((pattern) => ({ scheme: 'file', pattern }));
    const selector = this.selector;
    this.providers = [
      vscode.languages.registerHoverProvider(selector, { provideHover: (doc, pos) => this.hover(doc, pos) }),
      vscode.languages.registerCompletionItemProvider(selector, { provideCompletionItems: (doc, pos) => this.complete(doc, pos) }, ':', ' ', '-'),
      vscode.languages.registerCodeActionsProvider(selector, { provideCodeActions: (doc, range, context) => this.codeActions(doc, range, context) },
        { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.languages.registerCodeLensProvider(selector, { onDidChangeCodeLenses: this.lensesChanged.event, provideCodeLenses: (doc) => this.lenses(doc) }),
    ];
    // The set of rules files may have changed: drop what no longer matches, validate what now does.
    for (const key of [...this.analyses.keys()]) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      if (!doc || !this.isRulesFile(doc)) this.forget(vscode.Uri.parse(key));
    }
    for (const doc of vscode.workspace.textDocuments) this.validateNow(doc);
  }

  private isRulesFile(doc: vscode.TextDocument): boolean {
    return this.selector.length > 0 && vscode.languages.match(this.selector, doc) > 0;
  }

  /** Red Hat's YAML extension validates rules files with our contributed schema (`yamlValidation`) unless told not to. */
  private yamlExtensionValidates(): boolean {
    if (!vscode.extensions.getExtension(YAML_EXTENSION)) return false;
    return vscode.workspace.getConfiguration('yaml').get<boolean>('validate', true) !== false;
  }

  // ------------------------------------------------------------------ the data

  private targetFor(doc: vscode.TextDocument, dataKey: string | null): Target | null {
    if (dataKey) {
      const uri = vscode.Uri.file(resolveDataPath(doc.uri.fsPath, dataKey));
      return { uri, key: uri.toString(), name: dataName(uri.fsPath), fromKey: true };
    }
    const open = vscode.window.visibleTextEditors.map((e) => e.document.uri).filter((u) => u.scheme === 'file');
    const path = pickCsvBeside(doc.uri.fsPath, open.map((u) => u.fsPath));
    if (!path) return null;
    const uri = open.find((u) => u.fsPath === path) as vscode.Uri;
    return { uri, key: uri.toString(), name: dataName(path), fromKey: false };
  }

  // ------------------------------------------------------------------ analysis and diagnostics

  private analysisOf(doc: vscode.TextDocument): DocAnalysis {
    const key = doc.uri.toString();
    const prev = this.analyses.get(key);
    const fetched = prev?.analysis.file.source ? this.prom.dataFor(doc, prev.analysis.file.source) : undefined;
    if (prev?.version === doc.version && prev.data === (prev.target ? this.data.dataFor(prev.target).ctx : prev.data) && prev.fetched === fetched) return prev;
    const t0 = performance.now();
    const text = doc.getText();
    let target = prev?.target ?? null;
    let data = target ? this.data.dataFor(target).ctx : undefined;
    let analysis = this.safeAnalyze(text, data);
    // A Prometheus source (SPEC §8) is not a CSV beside the file: the editor does not fetch it, nor guess another.
    const next = analysis.file.source ? null : this.targetFor(doc, analysis.file.data);
    if (next?.key !== target?.key) {
      target = next;
      data = target ? this.data.dataFor(target).ctx : undefined;
      analysis = this.safeAnalyze(text, data);
    }
    const prom = analysis.file.source ? this.prom.apply(doc, analysis, (d) => this.safeAnalyze(text, d)) : undefined;
    if (prom) ({ analysis, data } = prom);
    const diagnostics = [...analysis.diagnostics, ...prom?.diagnostics ?? []];
    const state = target ? this.ctx.sessions.state(target.uri) : undefined;
    if (state?.kind === 'failed' && target?.fromKey && analysis.dataSpan) {
      const { startOffset, endOffset } = analysis.dataSpan;
      diagnostics.push(diagnosticAt(text, 'warning', 'data-unreadable', `cannot check the rules against the data: ${state.message}`, startOffset, endOffset));
    }
    const result: DocAnalysis = { version: doc.version, text, analysis, diagnostics, target, data, fetched: prom?.fetched };
    this.analyses.set(key, result);
    if (prev?.target?.key !== target?.key) this.releaseUnused();
    const ms = performance.now() - t0;
    if (ms > 50) this.ctx.log.debug(`rules: ${vscode.workspace.asRelativePath(doc.uri)} analysed in ${ms.toFixed(0)} ms`);
    return result;
  }

  /** The engine never throws on bad input; this guard keeps an engine bug from reaching the extension host. */
  private safeAnalyze(text: string, data: RulesDataContext | undefined): RulesAnalysis {
    try {
      return analyzeRules(text, { data });
    } catch (e) {
      this.ctx.log.error(`rules: validation failed: ${(e as Error).stack ?? String(e)}`);
      return {
        text, root: null, sites: [], lines: lineStarts(text), dataSpan: null,
        file: { version: 1, data: null, defaults: { severity: 'warning', forMs: 0, keepFiringForMs: 0 }, rules: [], detectors: {}, alerts: {} },
        diagnostics: [diagnosticAt(text, 'error', 'internal-error', `the rules could not be checked: ${(e as Error).message} (see the Anomaly Hunter output)`, 0, 0)],
      };
    }
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!this.isRulesFile(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); this.validateNow(doc); }, DEBOUNCE_MS));
  }

  private validateNow(doc: vscode.TextDocument): DocAnalysis | undefined {
    if (this.disposed || doc.isClosed || !this.isRulesFile(doc)) return undefined;
    const a = this.analysisOf(doc);
    this.publish(doc, a);
    return a;
  }

  private publish(doc: vscode.TextDocument, a: DocAnalysis): void {
    const shown = shownDiagnostics(a.diagnostics, this.yamlExtensionValidates());
    this.collection.set(doc.uri, shown.map((d) => toVscodeDiagnostic(doc, d)));
    this.lensesChanged.fire();
  }

  /** Re-validates the open rules documents whose analysis matches (the data arrived, the open CSVs changed…). */
  private revalidate(which: (a: DocAnalysis) => boolean): void {
    for (const doc of vscode.workspace.textDocuments) {
      const a = this.analyses.get(doc.uri.toString());
      if (!a || !which(a)) continue;
      this.analyses.set(doc.uri.toString(), { ...a, version: -1 });
      this.validateNow(doc);
    }
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.analyses.delete(key);
    this.collection.delete(uri);
    this.prom.forget(uri);
    this.releaseUnused();
  }

  /** Lets go of the data files no open rules file is checked against any more. */
  private releaseUnused(): void {
    this.data.releaseExcept(new Set([...this.analyses.values()].flatMap((a) => (a.target ? [a.target.key] : []))));
  }

  private saved(doc: vscode.TextDocument): void {
    if (!this.isRulesFile(doc)) return;
    clearTimeout(this.timers.get(doc.uri.toString()));
    const prev = this.analyses.get(doc.uri.toString());
    // A save is a natural moment to retry a data file that could not be read.
    const st = prev?.target ? this.data.get(prev.target.key) : undefined;
    if (st && !st.request && this.ctx.sessions.state(st.uri)?.kind === 'failed') this.data.load(st, prev!.target!.key);
    const a = this.validateNow(doc);
    this.prom.saved(doc, a?.analysis.file.source);
    // The dashboard re-evaluates the CSV this file names, and any CSV that already uses this file.
    const csvs = new Map<string, vscode.Uri>();
    if (a?.target?.fromKey) csvs.set(a.target.key, a.target.uri);
    for (const s of this.ctx.sessions.all()) if (s.rulesUri?.toString() === doc.uri.toString()) csvs.set(s.uri.toString(), s.uri);
    for (const uri of csvs.values()) {
      this.ctx.sessions.refreshRules(uri).catch((e: Error) => this.ctx.log.warn(`rules: re-evaluating ${uri.fsPath}: ${e.message}`));
    }
  }

  // ------------------------------------------------------------------ language features

  private hover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const a = this.analysisOf(doc);
    const md = safely(this.ctx, () => hoverAt(a.text, doc.offsetAt(pos), a.data));
    if (!md) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(md), doc.getWordRangeAtPosition(pos, WORD));
  }

  private complete(doc: vscode.TextDocument, pos: vscode.Position): vscode.CompletionItem[] {
    const a = this.analysisOf(doc);
    const items = safely(this.ctx, () => completionsAt(a.text, doc.offsetAt(pos), a.data)) ?? [];
    const word = doc.getWordRangeAtPosition(pos, WORD);
    const range = word ? { inserting: new vscode.Range(word.start, pos), replacing: word } : undefined;
    const indent = /^ */.exec(doc.lineAt(pos.line).text)?.[0].length ?? 0;
    return items.map((it, i) => toCompletionItem(it, i, range, indent));
  }

  private codeActions(doc: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (context.only && !context.only.contains(vscode.CodeActionKind.QuickFix) && !vscode.CodeActionKind.QuickFix.contains(context.only)) return [];
    const a = this.analysisOf(doc);
    const fixable = fixableAt(a.diagnostics, doc.offsetAt(range.start), doc.offsetAt(range.end));
    const published = this.collection.get(doc.uri) ?? [];
    const seen = new Set<string>();
    const out: vscode.CodeAction[] = [];
    for (const d of fixable) {
      const fix = d.fix!;
      const id = `${fix.title}@${d.startOffset}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      for (const e of fix.edits) action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.startOffset), doc.positionAt(e.endOffset)), e.newText);
      const where = new vscode.Range(doc.positionAt(d.startOffset), doc.positionAt(d.endOffset));
      // Ours when shown; otherwise the YAML extension's report of the same problem, so the fix attaches to it.
      const ours = published.filter((p) => p.code === d.code && p.range.isEqual(where));
      action.diagnostics = ours.length ? [...ours] : context.diagnostics.filter((p) => p.range.intersection(where) !== undefined);
      // Each problem carries a single fix, so it is the obvious one (Ctrl+. / "Auto Fix" applies it).
      action.isPreferred = true;
      action.command = { command: RULES_FIXED_COMMAND, title: fix.title };
      out.push(action);
    }
    return out;
  }

  private lenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const a = this.analysisOf(doc);
    if (a.analysis.file.source) return this.prom.lenses(doc, a.analysis, a.analysis.file.source);
    if (!a.target) return [];
    const st = this.data.dataFor(a.target);
    const locations = safely(this.ctx, () => ruleRanges(a.text)) ?? [];
    if (!locations.length) return [];
    const at = (offset: number) => new vscode.Range(doc.positionAt(offset), doc.positionAt(offset));
    if (!st.frame) {
      const state = this.ctx.sessions.state(st.uri);
      if (state?.kind === 'tooLarge') {
        const mb = (state.bytes / 1024 / 1024).toFixed(1);
        return [new vscode.CodeLens(at(locations[0].startOffset), {
          title: `${st.name} is ${mb} MB, over anomalyHunter.analyzeOnOpenMaxMB: click to analyse it and see where the rules fire`,
          command: LOAD_DATA_COMMAND, arguments: [a.target.key],
        })];
      }
      // An unreadable file is one warning on the `data:` key, not a lens on every rule.
      if (!st.request && state?.kind !== 'loading') return [];
      return locations.map((l) => new vscode.CodeLens(at(l.startOffset), { title: `evaluating on ${st.name}…`, command: '' }));
    }
    const { perRule, asSaved } = this.firings(doc, a, st);
    return locations.flatMap((l) => {
      const site = a.analysis.sites.find((s) => s.node.pairs[0]?.key.start === l.startOffset);
      const rule = site?.rule ?? null;
      const firing = rule ? perRule?.[rule.name] ?? null : null;
      const title = lensTitle({ dataName: st.name, firing, disabled: rule?.enabled === false, broken: !rule, timestamps: st.frame?.timestamps ?? null, utcOffsetMs: st.frame?.utcOffsetMs, asSaved });
      const clickable = rule && firing && firing.episodes > 0;
      if (!clickable) return [new vscode.CodeLens(at(l.startOffset), { title, command: '' })];
      const lenses = [new vscode.CodeLens(at(l.startOffset), { title, command: SHOW_RULE_COMMAND, arguments: [st.uri, rule.name], tooltip: `Open the dashboard on ${st.name}, filtered to ${rule.name}` })];
      if (st.frame?.timestamps) lenses.push(new vscode.CodeLens(at(l.startOffset), { title: 'Write a test from this data', command: WRITE_RULE_TEST_COMMAND, arguments: [doc.uri, rule.name, a.target!.key], tooltip: `A rule unit test (promtool's format) of ${rule.name}'s first firing in ${st.name}` }));
      return lenses;
    });
  }

  /** Where each rule of the edited text fires: evaluated here when small, else the worker's evaluation of the saved file. */
  private firings(doc: vscode.TextDocument, a: DocAnalysis, st: DataState): { perRule: Record<string, RuleFiring> | undefined; asSaved: boolean } {
    const frame = st.frame!;
    const rules = a.analysis.file.rules;
    if (rules.length * frame.rows <= HOST_EVALUATION_BUDGET) {
      if (a.firings?.frame !== frame) {
        const perRule = safely(this.ctx, () => evaluateRules(rules, frame, { anomalies: false }).perRule) ?? {};
        a.firings = { frame, perRule };
      }
      return { perRule: a.firings.perRule, asSaved: false };
    }
    const s = st.session;
    const ownsSession = s?.rulesUri?.toString() === doc.uri.toString();
    return { perRule: ownsSession ? s?.result.rules : undefined, asSaved: doc.isDirty };
  }

  // ------------------------------------------------------------------ the command

  private async validateCommand(arg: unknown): Promise<void> {
    const doc = await this.pickRulesDocument(arg);
    if (!doc) return;
    const a = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Validating rules' }, async () => {
      let result = this.validateNow(doc) ?? this.analysisOf(doc);
      const st = result.target ? this.data.dataFor(result.target) : undefined;
      if (st?.request) {
        await st.request;
        result = this.validateNow(doc) ?? this.analysisOf(doc);
      }
      if (!this.isRulesFile(doc)) this.publish(doc, result);
      return result;
    });
    const name = vscode.workspace.asRelativePath(doc.uri);
    const summary = problemSummary(name, a.diagnostics);
    const against = a.target && a.data ? ` (checked against ${a.target.name})` : '';
    if (!a.diagnostics.length) {
      void vscode.window.showInformationMessage(`${summary}${against}`);
      return;
    }
    const show = 'Show Problems';
    const errors = a.diagnostics.some((d) => d.severity === 'error');
    const pick = await (errors ? vscode.window.showErrorMessage : vscode.window.showWarningMessage)(`${summary}${against}`, show);
    if (pick === show) await vscode.commands.executeCommand('workbench.actions.view.problems');
  }

  /** The command's argument, the active rules file, the only rules file of the workspace, or the user's pick. */
  private async pickRulesDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
    if (arg instanceof vscode.Uri) return this.show(arg);
    const active = vscode.window.activeTextEditor?.document;
    if (active && this.isRulesFile(active)) return active;
    const list = await this.ctx.rulesFiles.list();
    if (!list.length) {
      void vscode.window.showInformationMessage('No rules file in this workspace (files matching the setting anomalyHunter.rulesFiles, e.g. rules.yaml).');
      return undefined;
    }
    const picked = list.length === 1 ? { uri: list[0] } : await vscode.window.showQuickPick(
      list.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })), { title: 'Validate Rules File', placeHolder: 'Which rules file?', ignoreFocusOut: true });
    return picked ? this.show(picked.uri) : undefined;
  }

  private async show(uri: vscode.Uri): Promise<vscode.TextDocument> {
    // Shown in an editor, so its diagnostics stay until the user closes it.
    return (await vscode.window.showTextDocument(uri, { preview: true, preserveFocus: false })).document;
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const p of this.providers) p.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.analyses.clear();
  }
}

function safely<T>(ctx: Ctx, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    ctx.log.error(`rules: ${(e as Error).stack ?? String(e)}`);
    return undefined;
  }
}

/** Registers the rules-file editing features; the returned disposables end them. */
export function registerRulesEditor(ctx: Ctx): vscode.Disposable[] {
  return [new RulesEditor(ctx)];
}
