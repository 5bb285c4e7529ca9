import * as vscode from 'vscode';
import { sampleData } from '../../sample-data/sample.ts';
import { addCommands } from './ctx.ts';
import type { Ctx } from './ctx.ts';
import { DASHBOARD_VIEW_TYPE } from './dashboard.ts';

/** Run by each rules-file quick fix after its edit: completes the walkthrough's quick-fix step. */
export const RULES_FIXED_COMMAND = 'anomalyHunter.rulesQuickFixApplied';
const PENDING_KEY = 'anomalyHunter.openSampleAfterReload';
const SAMPLE_CSV = 'sample-data/stream.csv';
const SAMPLE_RULES = 'rules/rules.yaml';

/** What a user has done in this window that completes a walkthrough step (package.json `completionEvents`). */
export type Milestone = 'findingsShown' | 'dashboardShown' | 'thresholdsSaved' | 'webhookSent';

/** Sets the context key `anomalyHunter.<milestone>`, which a walkthrough step's `onContext:` event waits for. */
export function reached(milestone: Milestone): void {
  void vscode.commands.executeCommand('setContext', `anomalyHunter.${milestone}`, true);
}

type Which = 'csv' | 'rules';

/**
 * The Get Started walkthrough's side: Open Sample Data (writes the seeded sample CSV and the bundled rules.yaml
 * into the workspace after asking, then opens one of them), and the milestones its steps complete on.
 */
export function registerWalkthrough(ctx: Ctx): vscode.Disposable[] {
  const findingsInView = (): void => {
    const visible = new Set(vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()));
    if (ctx.sessions.all().some((s) => visible.has(s.uri.toString()) && !s.pending.length && !s.failure && s.frame.metrics.length)) reached('findingsShown');
  };
  const dashboardInView = (): void => {
    const shown = vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(DASHBOARD_VIEW_TYPE)));
    if (shown) reached('dashboardShown');
  };
  void reopenAfterReload(ctx);
  addCommands(ctx, {
    'anomalyHunter.openSample': (which: unknown) => openSample(ctx, which === 'rules' ? 'rules' : 'csv'),
    [RULES_FIXED_COMMAND]: () => undefined,
  });
  return [
    ctx.sessions.onDidChange(findingsInView),
    vscode.window.onDidChangeVisibleTextEditors(findingsInView),
    vscode.window.tabGroups.onDidChangeTabs(dashboardInView),
  ];
}

/** Opens the sample CSV (or its rules file), writing the missing sample files into a workspace folder first, after asking. */
async function openSample(ctx: Ctx, which: Which): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const folder = folders.length > 1 ? await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder to put the sample data in' }) : folders[0];
  if (folders.length > 1 && !folder) return;
  if (!folder) {
    await sampleInNewFolder(ctx, which);
    return;
  }
  const missing: string[] = [];
  for (const rel of [SAMPLE_CSV, SAMPLE_RULES]) if (!await exists(vscode.Uri.joinPath(folder.uri, rel))) missing.push(rel);
  if (missing.length) {
    const create = 'Create Files';
    const pick = await vscode.window.showInformationMessage(`Add the sample data to ${folder.name}?`, {
      modal: true,
      detail: `Anomaly Hunter will create ${missing.join(' and ')} in ${folder.name}: ${describe(missing)}`,
    }, create);
    if (pick !== create) return;
    await writeSample(ctx, folder.uri, missing);
  }
  await show(ctx, vscode.Uri.joinPath(folder.uri, which === 'rules' ? SAMPLE_RULES : SAMPLE_CSV));
}

/** No folder open: the sample goes into a folder the user chooses, which then opens in this window. */
async function sampleInNewFolder(ctx: Ctx, which: Which): Promise<void> {
  const choose = 'Choose Folder…';
  const pick = await vscode.window.showInformationMessage('The sample data needs a folder to go in.', {
    modal: true,
    detail: `Choose (or create) a folder: Anomaly Hunter will create ${SAMPLE_CSV} and ${SAMPLE_RULES} in it (${describe([SAMPLE_CSV, SAMPLE_RULES])}) and open it.`,
  }, choose);
  if (pick !== choose) return;
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Put the Sample Here', title: 'Folder for the sample data' });
  const dir = picked?.[0];
  if (!dir) return;
  const missing: string[] = [];
  for (const rel of [SAMPLE_CSV, SAMPLE_RULES]) if (!await exists(vscode.Uri.joinPath(dir, rel))) missing.push(rel);
  await writeSample(ctx, dir, missing);
  await ctx.ext.globalState.update(PENDING_KEY, { folder: dir.toString(), which });
  await vscode.commands.executeCommand('vscode.openFolder', dir, { forceReuseWindow: true });
}

/** After Open Sample Data opened a folder: shows the file it was asked for. */
async function reopenAfterReload(ctx: Ctx): Promise<void> {
  const pending = ctx.ext.globalState.get<{ folder?: unknown; which?: unknown }>(PENDING_KEY);
  if (!pending || typeof pending.folder !== 'string') return;
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === pending.folder);
  if (!folder) return;
  await ctx.ext.globalState.update(PENDING_KEY, undefined);
  await show(ctx, vscode.Uri.joinPath(folder.uri, pending.which === 'rules' ? SAMPLE_RULES : SAMPLE_CSV));
}

function describe(files: string[]): string {
  const parts: Record<string, string> = {
    [SAMPLE_CSV]: '14 days of 1-minute CPU, memory, disk and network readings with six planted incidents (1 MB)',
    [SAMPLE_RULES]: 'alert rules for that data',
  };
  return files.map((f) => parts[f]).join('; ') + '.';
}

async function writeSample(ctx: Ctx, dir: vscode.Uri, files: string[]): Promise<void> {
  for (const rel of files) {
    const bytes = rel === SAMPLE_CSV
      ? new TextEncoder().encode(sampleData().csv)
      : await vscode.workspace.fs.readFile(vscode.Uri.joinPath(ctx.ext.extensionUri, SAMPLE_RULES));
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, rel), bytes);
    ctx.log.info(`sample: wrote ${vscode.Uri.joinPath(dir, rel).fsPath}`);
  }
  if (files.includes(SAMPLE_RULES)) ctx.rulesFiles.refresh();
}

/**
 * Opens a sample file. The CSV's first rows are ordinary: once its analysis on open is done, the cursor goes to
 * the first finding (unless the user has moved it meanwhile), so that the findings are in view.
 */
async function show(ctx: Ctx, uri: vscode.Uri): Promise<void> {
  const editor = await vscode.window.showTextDocument(uri, { preview: false });
  if (!uri.path.endsWith(SAMPLE_CSV)) return;
  const key = uri.toString();
  const done = (): boolean => ctx.sessions.all().some((s) => s.uri.toString() === key && !s.pending.length);
  const toFirst = (): void => {
    if (vscode.window.activeTextEditor === editor && editor.selection.active.line === 0) void vscode.commands.executeCommand('anomalyHunter.nextAnomaly');
  };
  if (done()) { toFirst(); return; }
  const sub = ctx.sessions.onDidChange(() => { if (done()) { sub.dispose(); clearTimeout(timer); toFirst(); } });
  const timer = setTimeout(() => sub.dispose(), 120_000);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
