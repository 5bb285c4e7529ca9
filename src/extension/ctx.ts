import type * as vscode from 'vscode';
import type { SessionStore } from './sessions.ts';
import type { RulesFileIndex } from './rulesFiles.ts';
import type { HistoryRecorder } from '../node/historyRecorder.ts';
import type { WebviewAssets } from './webviewSecurity.ts';

/**
 * What activation builds once and every feature receives: the log, the shared analyses (one per CSV,
 * used by the dashboard and the editor alike) and a way to show the dashboard. No module-level state.
 */
export interface Ctx {
  readonly ext: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly sessions: SessionStore;
  /** The workspace's rules files, kept up to date (rulesFiles.ts). */
  readonly rulesFiles: RulesFileIndex;
  /** The workspace's history database (analyses, live streams and webhook sends record into it). */
  readonly history: HistoryRecorder;
  /** The webview pages' scripts and styles, read once (webviewSecurity.ts). */
  readonly webviewAssets: WebviewAssets;
  /** Opens (or reveals) the dashboard on a CSV, analysing it first when needed; `rule` filters the table to that rule. */
  showDashboard(uri: vscode.Uri, opts?: { rule?: string; row?: number }): Promise<void>;
  /** The CSV a command applies to: its URI argument, the one in view, the last one in view, or one the user picks (csvTarget.ts). */
  csvTarget(arg: unknown, title: string): Promise<vscode.Uri | undefined>;
  /** Every command of the extension, by id: each feature adds its own (addCommands), activation registers them all (main.ts). */
  readonly commands: Map<string, CommandHandler>;
}

/** What a command runs with the arguments it was invoked with. */
export type CommandHandler = (...args: unknown[]) => unknown;

/** Adds a feature's commands to the one table; an id added twice is a programming error (throws). */
export function addCommands(ctx: Pick<Ctx, 'commands'>, table: Record<string, CommandHandler>): void {
  for (const [id, handler] of Object.entries(table)) {
    if (ctx.commands.has(id)) throw new Error(`command ${id} is added twice`);
    ctx.commands.set(id, handler);
  }
}
