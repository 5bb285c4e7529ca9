/**
 * A rules file whose `data:` names a Prometheus source (SPEC §8, issue 16), in the editor: the range is fetched off
 * the typing path (when the file is opened or saved as it is on disk, or on `Refresh Prometheus Data`), through the
 * same HTTP adapter as `Analyze Prometheus Query…`, and cached per rules file keyed by (server, queries, range,
 * step) in src/node/rulesSource.ts. The rules are checked against the fetched series (before that, against the
 * queries' names: src/core/rules), the lenses count each rule's firings on the fetched range, and `Open dashboard`
 * opens the dashboard on a snapshot of it in the extension's storage. Nothing is fetched in an untrusted
 * workspace. A failed fetch is one warning on `prometheus:` and one lens; the token never shows.
 */
import * as vscode from 'vscode';
import { hash64 } from '../core/alerting/hash.ts';
import { maskUrl } from '../core/alerting/url.ts';
import { frameCsvChunks } from '../core/prometheus/csvText.ts';
import { diagnosticAt } from '../core/rules/diagnostics.ts';
import { queryNamesContext } from '../core/rules/dataSource.ts';
import { ruleRanges } from '../core/rules/language.ts';
import { evaluateRules } from '../core/rules/evaluate.ts';
import type { RuleFiring } from '../core/rules/evaluate.ts';
import type { Diagnostic, PrometheusDataSource, RulesDataContext } from '../core/rules/model.ts';
import { analyzeRules } from '../core/rules/validate.ts';
import type { RulesAnalysis } from '../core/rules/validate.ts';
import type { RulesFetch } from '../node/rulesSource.ts';
import { RulesSourceCache, rulesSourceKey } from '../node/rulesSource.ts';
import { writeFileAtomic } from '../node/writeFileAtomic.ts';
import { addCommands } from './ctx.ts';
import type { Ctx } from './ctx.ts';
import { snapshotDir, tokenForRulesServer } from './prometheus.ts';
import { rulesSnapshotLabel, setFileLabel } from './fileLabels.ts';
import { EDITOR_TOKEN_HELP } from '../node/prometheusHttp.ts';
import { formatWhen, lensTitle } from './rulesEditorModel.ts';

const REFRESH_COMMAND = 'anomalyHunter.refreshRulesPrometheus';
const OPEN_DASHBOARD_COMMAND = 'anomalyHunter.openRulesPrometheusDashboard';

/** Where a rule's lens goes: its first key's offset, and the rule (null when it has errors). */
interface RuleLocation { startOffset: number; rule: { name: string; enabled: boolean } | null }

/** The Prometheus side of the rules editor; the editor asks, this fetches and caches. */
export class RulesPrometheus implements vscode.Disposable {
  private readonly cache: RulesSourceCache;
  private readonly firings = new Map<string, { version: number; frame: unknown; perRule: Record<string, RuleFiring> }>();
  private readonly subscriptions: vscode.Disposable[] = [];

  /** `changed` is told the document key whose fetch ended (or whose trust changed): its checks and lenses are redone. */
  constructor(private readonly ctx: Ctx, private readonly changed: (docKey: string | null) => void) {
    this.cache = new RulesSourceCache({
      tokenFor: (url) => tokenForRulesServer(ctx, url),
      tokenHelp: EDITOR_TOKEN_HELP,
      onSettled: (key, f) => {
        if (f.state === 'error') ctx.log.warn(`rules: ${f.server}: ${f.error}`);
        else ctx.log.info(`rules: fetched ${f.frame?.rows ?? 0} rows × ${f.frame?.metrics.length ?? 0} series from ${f.server} (last ${f.rangeText}) in ${f.requests ?? 0} requests`);
        for (const n of f.notes ?? []) ctx.log.warn(`rules: ${f.server}: ${n}`);
        this.changed(key);
      },
    });
    this.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed(null)));
    addCommands(ctx, {
      [REFRESH_COMMAND]: (arg: unknown) => this.refreshCommand(arg),
      [OPEN_DASHBOARD_COMMAND]: (uri: unknown, rule: unknown) => this.openDashboard(uri, typeof rule === 'string' ? rule : undefined),
    });
  }

  /** Fetched series when current for this source; starts the first fetch of a document as saved (never while typing). */
  dataFor(doc: vscode.TextDocument, source: PrometheusDataSource): RulesDataContext | undefined {
    const key = doc.uri.toString();
    const f = this.cache.get(key);
    if (!f && !doc.isDirty && vscode.workspace.isTrusted) this.cache.fetch(key, source);
    return this.cache.current(key, source)?.context;
  }

  /**
   * The editor's analysis of a rules file with a Prometheus source: redone against the fetched series when current
   * (else core checked it against the queries' names), the data hover and completion use, and a failed fetch as one
   * warning on the `prometheus:` value.
   */
  apply(doc: vscode.TextDocument, first: RulesAnalysis, reanalyse: (data: RulesDataContext) => RulesAnalysis): { analysis: RulesAnalysis; data: RulesDataContext | undefined; fetched: RulesDataContext | undefined; diagnostics: Diagnostic[] } {
    const source = first.file.source!;
    const fetched = this.dataFor(doc, source);
    const analysis = fetched ? reanalyse(fetched) : first;
    const f = this.cache.current(doc.uri.toString(), source);
    const span = analysis.dataSpan;
    const diagnostics = f?.state === 'error' && span
      ? [diagnosticAt(analysis.text, 'warning', 'data-unreadable', `cannot check the rules against ${f.server}: ${f.error}`, span.startOffset, span.endOffset)] : [];
    return { analysis, data: fetched ?? queryNamesContext(source) ?? undefined, fetched, diagnostics };
  }

  /** A document saved: its source is fetched again when it changed or failed (an unchanged one stays cached). */
  saved(doc: vscode.TextDocument, source: PrometheusDataSource | null | undefined): void {
    if (!source || !vscode.workspace.isTrusted) return;
    const f = this.cache.get(doc.uri.toString());
    if (f && f.key === rulesSourceKey(source) && f.state !== 'error') return;
    this.cache.fetch(doc.uri.toString(), source);
    this.changed(doc.uri.toString());
  }

  forget(uri: vscode.Uri): void {
    this.cache.forget(uri.toString());
    this.firings.delete(uri.toString());
  }

  /** The lenses of a rules file with a Prometheus source: the source's state on `data:`, each rule's firings. */
  lenses(doc: vscode.TextDocument, a: RulesAnalysis, source: PrometheusDataSource): vscode.CodeLens[] {
    let rules: RuleLocation[] = [];
    try {
      rules = ruleRanges(a.text).map((l) => ({ startOffset: l.startOffset, rule: a.sites.find((s) => s.node.pairs[0]?.key.start === l.startOffset)?.rule ?? null }));
    } catch (e) {
      this.ctx.log.error(`rules: ${(e as Error).stack ?? String(e)}`);
    }
    const at = (offset: number) => new vscode.Range(doc.positionAt(offset), doc.positionAt(offset));
    const head = at(a.dataSpan?.startOffset ?? rules[0]?.startOffset ?? 0);
    const refresh = (title: string) => new vscode.CodeLens(head, { title, command: REFRESH_COMMAND, arguments: [doc.uri], tooltip: `Fetch the queries of data: from ${maskUrl(source.prometheus)} again` });
    if (!vscode.workspace.isTrusted) return [new vscode.CodeLens(head, { title: 'Prometheus data is not fetched in an untrusted workspace', command: '' })];
    const key = doc.uri.toString();
    const last = this.cache.get(key);
    const f = this.cache.current(key, source);
    if (!f) return [refresh(last ? '$(refresh) data: changed since the last fetch: Refresh Prometheus data' : '$(refresh) Fetch Prometheus data')];
    if (f.state === 'loading') return rules.map((l) => new vscode.CodeLens(at(l.startOffset), { title: `fetching the last ${f.rangeText} from ${f.server}…`, command: '' }));
    if (f.state === 'error' || !f.frame) return [refresh(`$(warning) cannot fetch from ${f.server}: Refresh Prometheus data`)];
    const frame = f.frame;
    const dataName = `the last ${f.rangeText} from ${f.server.replace(/^https?:\/\//, '')}`;
    const out = [
      new vscode.CodeLens(head, { title: `${frame.rows.toLocaleString('en')} rows × ${frame.metrics.length} series, fetched at ${formatWhen(0, new Float64Array([f.at]))}`, command: '' }),
      refresh('$(refresh) Refresh Prometheus data'),
      new vscode.CodeLens(head, { title: '$(graph) Open dashboard', command: OPEN_DASHBOARD_COMMAND, arguments: [doc.uri], tooltip: `The dashboard on the fetched range, with these rules` }),
    ];
    const perRule = this.perRule(doc, a, f);
    for (const l of rules) {
      const firing = l.rule ? perRule[l.rule.name] ?? null : null;
      const title = lensTitle({ dataName, firing, disabled: l.rule?.enabled === false, broken: !l.rule, timestamps: frame.timestamps ?? null });
      const clickable = l.rule && firing && firing.episodes > 0;
      out.push(new vscode.CodeLens(at(l.startOffset), clickable
        ? { title, command: OPEN_DASHBOARD_COMMAND, arguments: [doc.uri, l.rule!.name], tooltip: `Open the dashboard on the fetched range, filtered to ${l.rule!.name}` }
        : { title, command: '' }));
    }
    return out;
  }

  /** Each rule's firings on the fetched frame, evaluated once per document version and fetch. */
  private perRule(doc: vscode.TextDocument, a: RulesAnalysis, f: RulesFetch): Record<string, RuleFiring> {
    const key = doc.uri.toString();
    const cached = this.firings.get(key);
    if (cached && cached.version === doc.version && cached.frame === f.frame) return cached.perRule;
    let perRule: Record<string, RuleFiring> = {};
    try {
      perRule = evaluateRules(a.file.rules, f.frame!, { anomalies: false }).perRule;
    } catch (e) {
      this.ctx.log.error(`rules: ${(e as Error).stack ?? String(e)}`);
    }
    this.firings.set(key, { version: doc.version, frame: f.frame, perRule });
    return perRule;
  }

  private async documentOf(arg: unknown): Promise<vscode.TextDocument | undefined> {
    const uri = arg instanceof vscode.Uri ? arg : typeof arg === 'string' ? vscode.Uri.parse(arg) : vscode.window.activeTextEditor?.document.uri;
    if (!uri) return undefined;
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? vscode.workspace.openTextDocument(uri);
  }

  /** `Refresh Prometheus Data`: fetches the source of the rules file (its text as it is now) again. */
  private async refreshCommand(arg: unknown): Promise<void> {
    const doc = await this.documentOf(arg);
    const source = doc ? analyzeRules(doc.getText()).file.source : null;
    if (!doc || !source) {
      void vscode.window.showInformationMessage('Anomaly Hunter: this is not a rules file whose data: names a Prometheus source (data: {prometheus: URL, queries: …}).');
      return;
    }
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Anomaly Hunter: Prometheus data is not fetched in an untrusted workspace (Workspace Trust).');
      return;
    }
    const f = this.cache.fetch(doc.uri.toString(), source);
    this.changed(doc.uri.toString());
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Fetching the last ${f.rangeText} from ${f.server}` }, () => f.done);
  }

  /** `Open dashboard`: the fetched range as a snapshot in the extension's storage, with this rules file bound to it. */
  private async openDashboard(arg: unknown, rule: string | undefined): Promise<void> {
    const doc = await this.documentOf(arg);
    const f = doc ? this.cache.get(doc.uri.toString()) : undefined;
    if (!doc || !f?.frame) {
      void vscode.window.showInformationMessage('Anomaly Hunter: the Prometheus data of this rules file is not fetched yet (Refresh Prometheus data).');
      return;
    }
    const name = doc.uri.path.split('/').pop()!.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/\.ya?ml$/i, '');
    const file = vscode.Uri.joinPath(snapshotDir(this.ctx), `${name}-prometheus-${hash64(`${doc.uri.toString()}\n${f.key}`).slice(0, 8)}.csv`);
    try {
      await vscode.workspace.fs.createDirectory(snapshotDir(this.ctx));
      await writeFileAtomic(file.fsPath, frameCsvChunks(f.frame));
    } catch (e) {
      void vscode.window.showErrorMessage(`Anomaly Hunter: cannot keep the fetched data: ${(e as Error).message}`);
      return;
    }
    // Titled by its queries and server, as a query's dashboard is, not by the snapshot's hashed file name.
    setFileLabel(file, rulesSnapshotLabel(f.queries, f.server));
    this.ctx.sessions.bindRules(file, doc.uri);
    // A new fetch replaces what an earlier snapshot of the same source showed.
    if (this.ctx.sessions.get(file)) this.ctx.sessions.close(file);
    await this.ctx.showDashboard(file, rule ? { rule } : undefined);
  }

  dispose(): void {
    this.cache.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
