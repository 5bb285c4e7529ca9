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

/** Names a file for as long as the extension runs (Prometheus snapshots, when written and on activation). */
export function setFileLabel(uri: vscode.Uri, label: string): void {
  labels.set(uri.toString(), label);
}
