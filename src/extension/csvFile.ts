// Which files the extension reads as CSV: one test for the commands, the editor features and a restored dashboard.
// No vscode import (unit-tested).

const CSV_NAME = /\.(csv|tsv)$/i;

/** The hover's document selector pattern for CSV files. */
export const CSV_GLOB = '**/*.{csv,tsv,CSV,TSV}';

/** Whether a path names a CSV file by its extension: .csv or .tsv, in any case. */
export function isCsvPath(path: string): boolean {
  return CSV_NAME.test(path);
}

/** Whether a URI is a CSV file on disk (scheme `file`), the only kind the extension reads. */
export function isCsv(uri: { readonly scheme: string; readonly path: string }): boolean {
  return uri.scheme === 'file' && isCsvPath(uri.path);
}
