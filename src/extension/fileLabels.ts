/**
 * What a data file is called in the dashboard's title and header, the live view and the log: its base name, except a
 * Prometheus snapshot (a CSV the extension wrote into its own storage), which is called by the query it holds and
 * the server it came from ("cpu from localhost:9090"), not by its hashed file name. The one owner of that name.
 */
import type * as vscode from 'vscode';
import { basename } from 'node:path';

const labels = new Map<string, string>();

/** The name shown for a file. */
export function fileLabel(uri: vscode.Uri): string {
  return labels.get(uri.toString()) ?? basename(uri.path);
}

/** A snapshot's name in titles: its query's name and the server's host ("cpu from localhost:9090"). */
export function snapshotLabel(query: string, server: string): string {
  let host = server;
  try { host = new URL(server).host; } catch { /* the stored text as it is */ }
  return `${query.length > 60 ? `${query.slice(0, 59)}…` : query} from ${host}`;
}

/**
 * The name of a rules file's Prometheus data (what its "Open dashboard" shows): its queries' names and the server's
 * host, as a query's snapshot is named ("cpu, memory from localhost:9090").
 */
export function rulesSnapshotLabel(queries: readonly string[], server: string): string {
  return snapshotLabel(queries.join(', ') || 'Prometheus data', server);
}

/** Names a file for as long as the extension runs (Prometheus snapshots, when written and on activation). */
export function setFileLabel(uri: vscode.Uri, label: string): void {
  labels.set(uri.toString(), label);
}
