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
  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
      watch();
      const file = dataOfText(uri);
      const name = basename(uri.fsPath);
      if (!file) throw new Error(`${name}: not a .csv.gz or .tsv.gz file`);
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
  return [
    vscode.workspace.registerTextDocumentContentProvider(GZ_TEXT_SCHEME, provider),
    changed, { dispose: () => { for (const d of watching.splice(0)) d.dispose(); } },
  ];
}
