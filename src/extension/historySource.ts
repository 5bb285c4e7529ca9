// A file's identity in the history database, and back: the workspace-relative path the editor records.
import * as vscode from 'vscode';
import { isAbsolute, join } from 'node:path';
import { stat } from 'node:fs/promises';
import { isDataPath } from './csvFile.ts';

/**
 * A file's identity in the history: its path relative to the workspace ('/' separators; with the folder's name
 * first in a multi-root workspace), so the history survives moving the workspace; an absolute path outside it.
 */
export function sourceOf(uri: vscode.Uri): string {
  const multi = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  const rel = vscode.workspace.asRelativePath(uri, multi);
  return rel === uri.fsPath || isAbsolute(rel) ? uri.fsPath : rel.replace(/\\/g, '/');
}

/** The file a history source names (sourceOf's inverse): only an existing CSV or TSV file (plain or .gz), else undefined. */
export async function fileOfSource(source: string): Promise<vscode.Uri | undefined> {
  if (!isDataPath(source) || source.includes('\0')) return undefined;
  const folders = vscode.workspace.workspaceFolders ?? [];
  const candidates: string[] = [];
  if (isAbsolute(source)) candidates.push(source);
  else {
    const [first, ...rest] = source.split('/');
    const named = folders.length > 1 ? folders.find((f) => f.name === first) : undefined;
    // A source that names its folder is that folder's file, not a file of the same path in another folder.
    if (named && rest.length) candidates.push(join(named.uri.fsPath, ...rest));
    else for (const f of folders) candidates.push(join(f.uri.fsPath, ...source.split('/')));
  }
  // A relative source never leaves its folder ('..' is not something sourceOf writes).
  if (!isAbsolute(source) && source.split(/[\\/]/).includes('..')) return undefined;
  for (const c of candidates) {
    const info = await stat(c).catch(() => null);
    if (info?.isFile()) return vscode.Uri.file(c);
  }
  return undefined;
}
