// The dashboard webview's security settings: its CSP and what a restored panel may reopen. No vscode import (unit-tested).
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { isCsvPath } from './csvFile.ts';

/** `path` when it is an absolute path of an existing regular .csv or .tsv file, else undefined. */
export async function restorablePath(path: unknown): Promise<string | undefined> {
  if (typeof path !== 'string' || !isAbsolute(path) || !isCsvPath(path) || path.includes('\0')) return undefined;
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The dashboard's Content-Security-Policy: nothing by default; scripts only with the page's nonce; styles,
 * fonts and images from the extension; no <base> (relative URLs cannot be redirected) and no form posts.
 */
export function dashboardCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
