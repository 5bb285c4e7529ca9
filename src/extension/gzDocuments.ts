import * as vscode from 'vscode';
import { basename } from 'node:path';
import { readCsvText } from '../node/csvText.ts';
import { GZ_TEXT_SCHEME, dataOfText, textOf } from './csvFile.ts';

/**
 * The decompressed text of a gzip-compressed CSV as a read-only document (scheme GZ_TEXT_SCHEME, same path): what
 * Reveal in CSV, the Problems entries and Next / Previous Anomaly open for a `.csv.gz`, whose own bytes are no
 * text. Decompressed off the editor's way (zlib's asynchronous inflater, the same reading as the analysis), each
 * time the document is opened, and again when the `.gz` changes on disk (a workspace file), as a plain CSV's open
 * text follows its file; a damaged file opens as VS Code's error page with the reason.
 */
export function registerGzDocuments(): vscode.Disposable[] {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  // When each open text's file was last modified as it was read: a watcher's event can be lost (a busy machine, a
  // remote window), so a text shown again is checked against its file.
  const readAt = new Map<string, number>();
  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
      watch();
      const file = dataOfText(uri);
      const name = basename(uri.fsPath);
      if (!file) throw new Error(`${name}: not a .csv.gz or .tsv.gz file`);
      readAt.set(uri.toString(), await modified(file));
      const read = await readCsvText(file.fsPath);
      if (!read.ok) throw new Error(`${name}: ${read.message}`);
      return read.text;
    },
  };
  // The .gz files are watched from the first decompressed text shown on (nothing added to activation).
  const watching: vscode.Disposable[] = [];
  const reread = (file: vscode.Uri): void => {
    const uri = textOf(file);
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) changed.fire(uri);
  };
  function watch(): void {
    if (watching.length) return;
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{csv,tsv,CSV,TSV}.{gz,GZ}');
    watching.push(watcher, watcher.onDidChange(reread), watcher.onDidCreate(reread));
  }
  /** The shown texts whose file changed since they were read are read again. */
  const recheck = async (): Promise<void> => {
    for (const editor of vscode.window.visibleTextEditors) {
      const uri = editor.document.uri;
      const file = uri.scheme === GZ_TEXT_SCHEME ? dataOfText(uri) : undefined;
      const at = readAt.get(uri.toString());
      if (file && at !== undefined && (await modified(file)) !== at) changed.fire(uri);
    }
  };
  return [
    vscode.workspace.registerTextDocumentContentProvider(GZ_TEXT_SCHEME, provider),
    vscode.window.onDidChangeActiveTextEditor(() => void recheck()),
    vscode.window.onDidChangeWindowState((w) => { if (w.focused) void recheck(); }),
    vscode.workspace.onDidCloseTextDocument((d) => readAt.delete(d.uri.toString())),
    changed, { dispose: () => { for (const d of watching.splice(0)) d.dispose(); } },
  ];
}

/** A file's modification time (ms), or -1 when it cannot be read. */
async function modified(file: vscode.Uri): Promise<number> {
  try {
    return (await vscode.workspace.fs.stat(file)).mtime;
  } catch {
    return -1;
  }
}
