import * as vscode from 'vscode';
import { DASHBOARD_VIEW_TYPE } from './dashboard.ts';
import { dataOf } from './csvFile.ts';

const RECENT_KEY = 'anomalyHunter.recentCsv';

/**
 * Which CSV a command applies to when none is given: the one in view (the focused dashboard's file, else the
 * active CSV editor), else the CSV last in view (kept per workspace across reloads), else a file picker.
 */
export class CsvTargets implements vscode.Disposable {
  private recent: vscode.Uri | undefined;
  private readonly disposables: vscode.Disposable[];

  /** `dashboardFile`: the file the dashboard panel shows, if it is open. */
  constructor(private readonly state: vscode.Memento, private readonly dashboardFile: () => vscode.Uri | undefined) {
    const saved = state.get<string>(RECENT_KEY);
    if (saved) this.recent = vscode.Uri.parse(saved);
    const note = (): void => this.remember(this.inView());
    this.disposables = [
      vscode.window.onDidChangeActiveTextEditor(note),
      vscode.window.tabGroups.onDidChangeTabs(note),
      vscode.window.tabGroups.onDidChangeTabGroups(note),
    ];
  }

  /**
   * The CSV for a command: its argument when it is a URI (explorer, editor title), else the CSV in view, else
   * the last one in view (if it still exists), else the one the user picks (`title` names the dialog).
   */
  async resolve(arg: unknown, title: string): Promise<vscode.Uri | undefined> {
    // A .csv.gz's decompressed text (its editor title, its context menu) stands for the .gz: one analysis per file.
    const uri = arg instanceof vscode.Uri ? dataOf(arg) ?? arg
      : this.inView() ?? await this.existing(this.recent)
      ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'CSV files': ['csv', 'tsv', 'gz', 'txt'] }, title, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri }))?.[0];
    this.remember(uri);
    return uri;
  }

  /**
   * The focused dashboard's file, else the active editor's CSV (a file too large for a text editor, or a .csv.gz
   * shown as bytes, has only a tab; the decompressed text of a .csv.gz stands for the .gz).
   */
  private inView(): vscode.Uri | undefined {
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    if (tab?.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(DASHBOARD_VIEW_TYPE)) return this.dashboardFile();
    const doc = vscode.window.activeTextEditor?.document.uri;
    const data = doc && dataOf(doc);
    if (data) return data;
    if (tab?.input instanceof vscode.TabInputText) return dataOf(tab.input.uri);
    return undefined;
  }

  private async existing(uri: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
    if (!uri) return undefined;
    try {
      await vscode.workspace.fs.stat(uri);
      return uri;
    } catch {
      this.recent = undefined;
      return undefined;
    }
  }

  private remember(uri: vscode.Uri | undefined): void {
    if (!uri || uri.toString() === this.recent?.toString()) return;
    this.recent = uri;
    void this.state.update(RECENT_KEY, uri.toString());
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
