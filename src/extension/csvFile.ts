// Which files the extension reads as CSV: one test for the commands, the editor features and a restored dashboard.
// No vscode import (unit-tested).

const CSV_NAME = /\.(csv|tsv)$/i;
const GZ_CSV_NAME = /\.(csv|tsv)\.gz$/i;

/** The hover's document selector pattern for CSV files. */
export const CSV_GLOB = '**/*.{csv,tsv,CSV,TSV}';

/**
 * The scheme of the read-only text of a gzip-compressed CSV (gzDocuments.ts): the same path as the .gz file, so
 * the way back is the scheme alone. Its rows can be revealed, decorated and listed in Problems like a CSV's.
 */
export const GZ_TEXT_SCHEME = 'anomalyhunter-gunzip';

/** What csvFile needs of a URI (vscode.Uri has it): tests pass plain objects. */
export interface UriLike<U> {
  readonly scheme: string;
  readonly path: string;
  with(change: { scheme: string }): U;
}

/** Whether a path names a CSV file by its extension: .csv or .tsv, in any case. */
export function isCsvPath(path: string): boolean {
  return CSV_NAME.test(path);
}

/** Whether a path names a gzip-compressed CSV by its extension: .csv.gz or .tsv.gz, in any case. */
export function isGzCsvPath(path: string): boolean {
  return GZ_CSV_NAME.test(path);
}

/** Whether a path names a file the extension analyses: a CSV or TSV, plain or gzip-compressed. */
export function isDataPath(path: string): boolean {
  return isCsvPath(path) || isGzCsvPath(path);
}

/** Whether a URI is a CSV file on disk (scheme `file`) whose text an editor shows: .csv or .tsv, not compressed. */
export function isCsv(uri: { readonly scheme: string; readonly path: string }): boolean {
  return uri.scheme === 'file' && isCsvPath(uri.path);
}

/** Whether a URI is a file on disk the extension analyses: a CSV or TSV, plain or gzip-compressed. */
export function isDataFile(uri: { readonly scheme: string; readonly path: string }): boolean {
  return uri.scheme === 'file' && isDataPath(uri.path);
}

/**
 * The document that shows a data file's rows: the CSV itself, or for a .gz its decompressed text (a gzip file's
 * own text is binary: nothing in it lines up with a row).
 */
export function textOf<U extends UriLike<U>>(data: U): U {
  return data.scheme === 'file' && isGzCsvPath(data.path) ? data.with({ scheme: GZ_TEXT_SCHEME }) : data;
}

/**
 * The data file whose rows a text document shows: a CSV on disk, or the .gz behind a decompressed text; undefined
 * for anything else (a .gz opened as bytes included).
 */
export function dataOfText<U extends UriLike<U>>(doc: U): U | undefined {
  if (doc.scheme === GZ_TEXT_SCHEME) return isGzCsvPath(doc.path) ? doc.with({ scheme: 'file' }) : undefined;
  return isCsv(doc) ? doc : undefined;
}

/** The data file a tab or an editor stands for: a data file on disk (a .gz too), or the .gz behind a decompressed text. */
export function dataOf<U extends UriLike<U>>(uri: U): U | undefined {
  return isDataFile(uri) ? uri : dataOfText(uri);
}
