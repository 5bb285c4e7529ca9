import * as vscode from 'vscode';
import { caseTitle, sideBySide } from '../core/promrules/report.ts';
import type { AlertOut } from '../core/promrules/engine.ts';
import { parseTestFile, TestFileError } from '../core/promrules/testFile.ts';
import { exportRulesText } from '../core/rules/prometheusExport.ts';
import { isPrometheusRuleFileText } from '../core/promrules/csvRules.ts';
import { writeFileAtomic } from '../node/writeFileAtomic.ts';
import { prepareTests, runPrepared } from '../node/promRuleTests.ts';
import { addCommands } from './ctx.ts';
import type { Ctx } from './ctx.ts';

/**
 * Rule unit tests (promtool's format, SPEC §8) in the Test Explorer: each test file matching
 * `anomalyHunter.ruleTestFiles` is a test item, each of its alert_rule_test cases a child at its eval_time
 * line; a run uses our engine and shows a failure's expected and got at that line. Also the command
 * Export as Prometheus Rules….
 */

export const EXPORT_PROMETHEUS_COMMAND = 'anomalyHunter.exportPrometheusRules';
const DEFAULT_GLOBS = ['**/*.test.yaml', '**/*.test.yml'];

function testGlobs(): string[] {
  const g = vscode.workspace.getConfiguration('anomalyHunter').get<unknown>('ruleTestFiles');
  return Array.isArray(g) && g.every((x) => typeof x === 'string') && g.length ? g : DEFAULT_GLOBS;
}

function matchesGlobs(uri: vscode.Uri): boolean {
  return testGlobs().some((g) => vscode.languages.match({ pattern: g }, { uri, languageId: 'yaml' } as vscode.TextDocument) > 0);
}

/** Text of one alert list, for the diff view: one alert a block, labels and annotations a line each. */
function alertsText(alerts: readonly AlertOut[]): string {
  if (alerts.length === 0) return '(no alerts)\n';
  return alerts.map((a, i) => {
    const lines = [`alert ${i + 1}`, '  labels:', ...Object.keys(a.labels).sort().map((k) => `    ${k}=${JSON.stringify(a.labels[k])}`)];
    const ann = Object.keys(a.annotations).sort();
    if (ann.length) lines.push('  annotations:', ...ann.map((k) => `    ${k}=${JSON.stringify(a.annotations[k])}`));
    return lines.join('\n') + '\n';
  }).join('');
}

/** Other tools' `*.test.yaml` files are left alone: a rule test file has `rule_files:` at the top level. */
function looksLikeRuleTests(text: string): boolean {
  return /^rule_files\s*:/m.test(text);
}

class RuleTestController implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController('anomalyHunter.ruleTests', 'Anomaly Hunter rule tests');
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('anomalyHunter.ruleTests');
  private readonly disposables: vscode.Disposable[] = [this.controller, this.diagnostics];
  private typing: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: Ctx) {
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
      else await this.refresh(item.uri!);
    };
    this.controller.refreshHandler = () => this.discover();
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (req, token) => this.run(req, token), true);
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((d) => { if (matchesGlobs(d.uri)) void this.refresh(d.uri); }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!matchesGlobs(e.document.uri)) return;
        clearTimeout(this.typing);
        this.typing = setTimeout(() => this.check(e.document.uri, e.document.getText()), 150);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => { if (matchesGlobs(d.uri)) void this.refresh(d.uri); }),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('anomalyHunter.ruleTestFiles')) void this.discover(); }),
    );
    for (const glob of testGlobs()) {
      const w = vscode.workspace.createFileSystemWatcher(glob);
      w.onDidCreate((u) => void this.refresh(u));
      w.onDidChange((u) => void this.refresh(u));
      w.onDidDelete((u) => { this.controller.items.delete(u.toString()); this.diagnostics.delete(u); });
      this.disposables.push(w);
    }
  }

  async discover(): Promise<void> {
    const found = new Map<string, vscode.Uri>();
    for (const glob of testGlobs()) {
      for (const u of await vscode.workspace.findFiles(glob, '**/node_modules/**', 500)) found.set(u.toString(), u);
    }
    this.controller.items.forEach((item) => { if (!found.has(item.id)) this.controller.items.delete(item.id); });
    await Promise.all([...found.values()].map((u) => this.refresh(u)));
  }

  /** Diagnostics of a test file's text (SPEC §2 style: the position where the file goes wrong). */
  private check(uri: vscode.Uri, text: string): void {
    if (!looksLikeRuleTests(text)) { this.diagnostics.delete(uri); return; }
    try {
      parseTestFile(text);
      this.diagnostics.delete(uri);
    } catch (e) {
      if (!(e instanceof TestFileError)) throw e;
      this.diagnostics.set(uri, [{ message: e.message, at: e.at }, ...e.others].map((p) => {
        const at = new vscode.Position(p.at.line - 1, p.at.column - 1);
        const d = new vscode.Diagnostic(new vscode.Range(at, at.translate(0, 1)), p.message, vscode.DiagnosticSeverity.Error);
        d.source = 'Anomaly Hunter';
        return d;
      }));
    }
  }

  /** (Re)reads a test file into its item and one child per alert_rule_test case. */
  async refresh(uri: vscode.Uri): Promise<vscode.TestItem | undefined> {
    let text: string;
    try { text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)); } catch { this.controller.items.delete(uri.toString()); this.diagnostics.delete(uri); return undefined; }
    this.check(uri, text);
    if (!looksLikeRuleTests(text)) { this.controller.items.delete(uri.toString()); return undefined; }
    let item = this.controller.items.get(uri.toString());
    if (!item) {
      item = this.controller.createTestItem(uri.toString(), vscode.workspace.asRelativePath(uri), uri);
      this.controller.items.add(item);
    }
    item.error = undefined;
    const children: vscode.TestItem[] = [];
    try {
      const file = parseTestFile(text);
      file.tests.forEach((g, gi) => g.alertTests.forEach((c, ci) => {
        const child = this.controller.createTestItem(`${uri.toString()}#${gi}.${ci}`, `${c.alertname} at ${c.evalTimeText}${g.name ? ` (${g.name})` : ''}`, uri);
        child.range = new vscode.Range(c.evalTimeAt.line - 1, 0, c.evalTimeAt.line - 1, 0);
        children.push(child);
      }));
    } catch (e) {
      if (!(e instanceof TestFileError)) throw e;
      item.error = new vscode.MarkdownString().appendText(`line ${e.at.line}, column ${e.at.column}: ${e.message}`);
    }
    item.children.replace(children);
    return item;
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    const files = new Map<string, Set<string> | null>();
    const wanted = request.include ?? [...this.itemsOf(this.controller.items)];
    for (const item of wanted) {
      const fileId = item.id.split('#')[0];
      if (item.id === fileId) files.set(fileId, null);
      else if (files.get(fileId) !== null) files.set(fileId, (files.get(fileId) ?? new Set<string>()).add(item.id));
    }
    try {
      for (const [fileId, only] of files) {
        if (token.isCancellationRequested) break;
        const uri = vscode.Uri.parse(fileId);
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === fileId);
        if (doc?.isDirty) await doc.save();
        const item = await this.refresh(uri);
        if (item) await this.runFile(run, item, only, request.exclude ?? []);
      }
    } finally {
      run.end();
    }
  }

  private *itemsOf(collection: vscode.TestItemCollection): Iterable<vscode.TestItem> {
    for (const [, item] of collection) yield item;
  }

  private async runFile(run: vscode.TestRun, item: vscode.TestItem, only: Set<string> | null, exclude: readonly vscode.TestItem[]): Promise<void> {
    const children = [...this.itemsOf(item.children)].filter((c) => (!only || only.has(c.id)) && !exclude.some((x) => x.id === c.id));
    for (const c of children) run.started(c);
    const started = Date.now();
    const p = await prepareTests(item.uri!.fsPath);
    const problems = [...p.errors, ...p.needsPromtool.map((e) => ({ ...e, message: `${e.message}: this needs promtool (anomaly-hunter test --promtool)` }))];
    if (problems.length) {
      const e = problems[0];
      const msg = new vscode.TestMessage(`${vscode.workspace.asRelativePath(e.path)}:${e.line}:${e.column}: ${e.message}`);
      if (e.line > 0) msg.location = new vscode.Location(vscode.Uri.file(e.path), new vscode.Position(e.line - 1, Math.max(0, e.column - 1)));
      run.errored(item, msg);
      for (const c of children) run.errored(c, msg);
      return;
    }
    const result = runPrepared(p);
    for (const err of result.errors) {
      const msg = new vscode.TestMessage(err.message);
      msg.location = new vscode.Location(item.uri!, new vscode.Position(err.at.line - 1, 0));
      for (const c of children.filter((x) => x.id.startsWith(`${item.id}#${err.groupIndex}.`))) run.errored(c, msg);
    }
    for (const r of result.cases) {
      const child = children.find((c) => c.id === `${item.id}#${r.groupIndex}.${r.caseIndex}`);
      if (!child) continue;
      if (r.pass) { run.passed(child, Date.now() - started); continue; }
      const msg = vscode.TestMessage.diff(`${caseTitle(r)}\n${sideBySide(r.exp, r.got, '')}`, alertsText(r.exp), alertsText(r.got));
      msg.location = new vscode.Location(item.uri!, new vscode.Position(r.test.evalTimeAt.line - 1, r.test.evalTimeAt.column - 1));
      run.failed(child, msg, Date.now() - started);
      this.ctx.log.info(`rule test failed: ${vscode.workspace.asRelativePath(item.uri!)}:${r.test.evalTimeAt.line} ${caseTitle(r)}`);
    }
  }

  dispose(): void {
    clearTimeout(this.typing);
    for (const d of this.disposables) d.dispose();
  }
}

/** Export as Prometheus Rules…: the rules file in the editor (or given) exported next to it, or where the user picks. */
async function exportPrometheusRules(ctx: Ctx, arg: unknown): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri) { void vscode.window.showErrorMessage('Anomaly Hunter: open a rules file to export it.'); return; }
  const doc = await vscode.workspace.openTextDocument(uri);
  const base = uri.path.replace(/^.*\//, '').replace(/\.(ya?ml)$/i, '');
  const header = `# Exported from ${uri.path.replace(/^.*\//, '')} by Anomaly Hunter; edit the rules file, not this one.\n`;
  if (isPrometheusRuleFileText(doc.getText())) {
    void vscode.window.showInformationMessage(`Anomaly Hunter: ${uri.path.replace(/^.*\//, '')} is already a Prometheus rule file: Prometheus and promtool read it as it is.`);
    return;
  }
  const r = exportRulesText(doc.getText(), base, header);
  if (r.errors) {
    void vscode.window.showErrorMessage(`Anomaly Hunter: fix the rules file first (line ${r.errors[0].range.start.line}: ${r.errors[0].message}).`);
    return;
  }
  const target = await vscode.window.showSaveDialog({
    title: 'Export as Prometheus Rules',
    defaultUri: uri.with({ path: uri.path.replace(/[^/]*$/, `${base.replace(/\.rules$/, '')}.prometheus.yml`) }),
    filters: { 'Prometheus rule file': ['yml', 'yaml'] },
  });
  if (!target) return;
  const out = r.export;
  try {
    await writeFileAtomic(target.fsPath, [out.text], [uri.fsPath]);
  } catch (e) {
    void vscode.window.showErrorMessage(`Anomaly Hunter: cannot write ${vscode.workspace.asRelativePath(target)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
    return;
  }
  ctx.log.info(`exported ${out.group.rules.length} rules to ${target.fsPath}`);
  const notes = [...out.problems.map((p) => `${p.rule}: ${p.message}${p.dropped ? ' (not exported)' : ''}`), ...(out.disabled.length ? [`not exported (enabled: false): ${out.disabled.join(', ')}`] : [])];
  const text = `Anomaly Hunter: exported ${out.group.rules.length} rule${out.group.rules.length === 1 ? '' : 's'} to ${vscode.workspace.asRelativePath(target)}.`;
  const open = 'Open';
  const choice = notes.length
    ? await vscode.window.showWarningMessage(`${text} ${notes.join('; ')}`, open)
    : await vscode.window.showInformationMessage(text, open);
  if (choice === open) await vscode.window.showTextDocument(target);
}

/** The Test Explorer integration and the export command. */
export function registerRuleTests(ctx: Ctx): vscode.Disposable[] {
  const controller = new RuleTestController(ctx);
  void controller.discover();
  addCommands(ctx, { [EXPORT_PROMETHEUS_COMMAND]: (arg: unknown) => exportPrometheusRules(ctx, arg) });
  return [controller];
}
