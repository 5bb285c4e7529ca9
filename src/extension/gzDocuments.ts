import * as vscode from 'vscode';
import { basename } from 'node:path';
import { readCsvText } from '../node/csvText.ts';
import { GZ_TEXT_SCHEME, isGzCsvPath, textOf } from './csvFile.ts';

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
      const file = uri.with({ scheme: 'file' });
      const name = basename(file.fsPath);
      if (!isGzCsvPath(file.path)) throw new Error(`${name}: not a .csv.gz or .tsv.gz file`);
      const read = await readCsvText(file.fsPath);
      if (!read.ok) throw new Error(`${name}: ${read.message}`);
      return read.text;
    },
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.{csv,tsv,CSV,TSV}.{gz,GZ}');
  const reread = (file: vscode.Uri): void => {
    const uri = textOf(file);
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) changed.fire(uri);
  };
  return [
    vscode.workspace.registerTextDocumentContentProvider(GZ_TEXT_SCHEME, provider),
    changed, watcher, watcher.onDidChange(reread), watcher.onDidCreate(reread),
  ];
}
