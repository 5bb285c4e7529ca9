import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Frame } from '../core/csv/frame.ts';
import type { RulesFile } from '../core/rules/model.ts';
import { dataContextOf } from '../core/rules/dataContext.ts';
import { decodeUtf8 } from '../core/utf8Text.ts';
import { validateRules } from '../core/rules/validate.ts';
import { getPair, parseYamlAst } from '../core/rules/yamlAst.ts';
import { readSettings } from './settings.ts';

const IGNORED = /[\\/]node_modules[\\/]/;

/**
 * The workspace's rules files (the setting `anomalyHunter.rulesFiles`): searched once, then kept up to date by
 * file watchers, so that opening a CSV does not wait for a workspace search (one search is a round trip to the
 * file searcher: a few hundred milliseconds in a remote window). Searched again when the setting or the workspace
 * folders change, and after a folder is created, deleted or renamed in the editor (a folder renamed there moves the
 * files in it, which a watcher of file patterns does not report); a folder renamed outside the editor is seen at
 * the next of those.
 */
export class RulesFileIndex implements vscode.Disposable {
  private files: Promise<Map<string, vscode.Uri>> | undefined;
  private watchers: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly log?: vscode.LogOutputChannel) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('anomalyHunter.rulesFiles')) this.reset(); }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.reset()),
      // The watchers see rules files created or deleted one by one; a folder created, deleted or moved in the editor
      // may hold some that they do not report: the list is searched again then (not for every file created).
      vscode.workspace.onDidCreateFiles((e) => void this.resetForFolders(e.files)),
      vscode.workspace.onDidDeleteFiles((e) => void this.resetForFolders(e.files)),
      vscode.workspace.onDidRenameFiles((e) => void this.resetForFolders(e.files.flatMap((f) => [f.oldUri, f.newUri]))),
    ];
  }

  /** Searches again when one of `uris` is a folder (or was: a deleted or moved path some listed file is under). */
  private async resetForFolders(uris: readonly vscode.Uri[]): Promise<void> {
    const files = this.files;
    if (!files) return; // not searched yet: nothing to search again
    const listed = [...(await files.catch(() => new Map<string, vscode.Uri>())).values()].map((u) => u.toString());
    for (const u of uris) {
      const prefix = u.toString().replace(/\/?$/, '/');
      if (listed.some((f) => f.startsWith(prefix))) return this.resetIf(files);
      const type = await Promise.resolve(vscode.workspace.fs.stat(u)).then((st) => st.type, () => vscode.FileType.Unknown);
      if (type & vscode.FileType.Directory) return this.resetIf(files);
    }
  }

  /** Resets unless another search has replaced `files` meanwhile. */
  private resetIf(files: Promise<Map<string, vscode.Uri>> | undefined): void {
    if (this.files === files) this.reset();
  }

  /** Every rules file of the workspace outside node_modules, sorted by path (none when the search failed: logged). */
  async list(): Promise<vscode.Uri[]> {
    this.files ??= this.search();
    try {
      const files = await this.files;
      return [...files.values()].sort((x, y) => x.fsPath.localeCompare(y.fsPath));
    } catch (e) {
      this.log?.warn(`rules files: the workspace search failed (${(e as Error).message}); tried again on the next file`);
      return [];
    }
  }

  /**
   * Searches again, for rules files the extension has just written itself: their watcher events may come after a
   * CSV opened next has looked for its rules file (the walkthrough's sample then had none, now and then).
   */
  refresh(): void {
    this.reset();
  }

  /** Starts the search now (at activation), so that the first CSV opened finds the list ready. */
  warm(): void {
    void this.list();
  }

  private search(): Promise<Map<string, vscode.Uri>> {
    const globs = readSettings().rulesFiles;
    const found = new Map<string, vscode.Uri>();
    // The watchers start before the search, so that a file created or deleted meanwhile is not missed.
    const deleted = new Set<string>();
    for (const glob of globs) {
      const w = vscode.workspace.createFileSystemWatcher(glob, false, true, false);
      w.onDidCreate((u) => { if (!IGNORED.test(u.fsPath)) { found.set(u.toString(), u); deleted.delete(u.toString()); } });
      w.onDidDelete((u) => { found.delete(u.toString()); deleted.add(u.toString()); });
      this.watchers.push(w);
    }
    const pattern = globs.length === 1 ? globs[0] : `{${globs.join(',')}}`;
    const search = Promise.resolve(vscode.workspace.findFiles(pattern, '**/node_modules/**', 1000)).then((list) => {
      for (const u of list) if (!deleted.has(u.toString())) found.set(u.toString(), u);
      return found;
    });
    // A failed search is tried again on the next call.
    search.catch(() => { if (this.files === search) this.reset(); });
    return search;
  }

  private reset(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    this.files = undefined;
  }

  dispose(): void {
    this.reset();
    for (const s of this.subscriptions) s.dispose();
  }
}

/** Largest rules file read (as the CLI's): a file named rules.yaml may be anything. */
const MAX_RULES_BYTES = 4 << 20;

/**
 * A rules file's text and its stamp (URI, and for a local file its mtime and size, taken before the read, by the
 * same stat that checks it): only a regular file (a device never ends) of at most 4 MiB; else why it cannot be read.
 */
async function readRulesFile(uri: vscode.Uri): Promise<FoundRules> {
  // Stamped before any check can refuse the file: its reason is then kept with the same stamp (no second stat).
  let stamp = `${uri.toString()}|`;
  try {
    const st = await vscode.workspace.fs.stat(uri);
    if (uri.scheme === 'file') {
      const info = await stat(uri.fsPath);
      stamp += stampOf(info);
      if (!info.isFile()) throw new Error('not a regular file');
    }
    if ((st.type & vscode.FileType.File) === 0) throw new Error('not a regular file');
    if (st.size > MAX_RULES_BYTES) throw new Error(`too large for a rules file (${st.size} bytes)`);
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (bytes.length > MAX_RULES_BYTES) throw new Error(`too large for a rules file (${bytes.length} bytes)`);
    const decoded = decodeUtf8(bytes);
    if ('error' in decoded) throw new Error(`line ${decoded.line}, column ${decoded.column}: ${decoded.error}`);
    return { uri, stamp, text: decoded.text };
  } catch (e) {
    return { uri, stamp, error: (e as Error).message };
  }
}

/** The `data:` value of a rules file's text, read from its YAML without full validation; null when absent. */
export function dataKeyIn(text: string): string | null {
  try {
    const root = parseYamlAst(text).root;
    if (!root || root.kind !== 'map') return null;
    const pair = getPair(root, 'data');
    return pair?.value.kind === 'scalar' && !pair.value.empty ? pair.value.text : null;
  } catch {
    return null;
  }
}

/** The rules file that applies to a CSV: its text (or why it cannot be read) and its stamp (URI, mtime, size). */
export type FoundRules = { uri: vscode.Uri; stamp: string } & ({ text: string } | { error: string });

/** A stat's modification time and size (`mtimeMs:size`), to tell whether the file changed since. */
const stampOf = (st: { mtimeMs: number; size: number }): string => `${st.mtimeMs}:${st.size}`;

/** A file's stamp (stampOf); undefined when it is gone. */
export async function fileStamp(path: string): Promise<string | undefined> {
  try {
    return stampOf(await stat(path));
  } catch {
    return undefined;
  }
}

/**
 * The rules file for a CSV and its text: `bound` (the rules editor's choice) if given, else the first of the
 * workspace's rules files whose `data:` names the CSV (each read once: its text is the one applied), else the
 * `defaultRulesFile` setting's.
 */
export async function findRulesFile(csv: vscode.Uri, index: RulesFileIndex, bound: vscode.Uri | undefined): Promise<FoundRules | null> {
  // Each stamp is taken before its read: a change during the read makes the next comparison fail (sessions' isCurrent).
  if (bound) return readRulesFile(bound);
  for (const f of await index.list()) {
    const r = await readRulesFile(f);
    const data = 'text' in r ? dataKeyIn(r.text) : null;
    if (data && resolve(dirname(f.fsPath), data) === csv.fsPath) return r;
  }
  const cfg = readSettings();
  if (!cfg.defaultRulesFile) return null;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  return readRulesFile(vscode.Uri.file(isAbsolute(cfg.defaultRulesFile) ? cfg.defaultRulesFile : join(root, cfg.defaultRulesFile)));
}

/** The rules that apply to a CSV, validated against its data (a file with errors is not evaluated: a warning says so). */
export function rulesOfCsv(csv: vscode.Uri, frame: Frame, found: FoundRules | null): { rulesUri: vscode.Uri | null; rulesFile: RulesFile | null; warning?: string } {
  if (!found) return { rulesUri: null, rulesFile: null };
  if ('error' in found) return { rulesUri: null, rulesFile: null, warning: `cannot read ${found.uri.fsPath}: ${found.error}` };
  const v = validateRules(found.text, { data: dataContextOf(frame, basename(csv.fsPath)) });
  if (!v.rules) {
    const errors = v.diagnostics.filter((d) => d.severity === 'error').length;
    return { rulesUri: found.uri, rulesFile: null, warning: `${vscode.workspace.asRelativePath(found.uri)} has ${errors} error${errors === 1 ? '' : 's'}: rules not evaluated (see the Problems panel)` };
  }
  return { rulesUri: found.uri, rulesFile: v.rules };
}
