import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Frame } from '../core/csv/frame.ts';
import type { Diagnostic, RulesFile } from '../core/rules/model.ts';
import { analyzeRules } from '../core/rules/validate.ts';
import { RULE_FILE_MAX_CHARS } from '../core/rules/yamlAst.ts';
import { diagnosticAt } from '../core/rules/diagnostics.ts';
import { dataContextOf } from '../core/rules/dataContext.ts';
import { InputError, UsageError } from '../node/errors.ts';
import { loadCsvFile } from '../node/loadCsv.ts';
import type { LoadedCsv } from '../node/loadCsv.ts';
import { notRegularFile } from '../node/tailFile.ts';
import { resolveDataPath } from '../node/rulesDataPath.ts';
import { lineStarts, positionAt } from '../core/textPosition.ts';
import { decodeUtf8 } from '../core/utf8Text.ts';
import { fetchRulesSource } from './prometheusSource.ts';
import type { LoadedPrometheus } from './prometheusSource.ts';

/** A rules file read from disk and validated against its data (when known). */
export interface LoadedRules {
  path: string;
  text: string;
  /** The valid file, or null when any diagnostic is an error. */
  rules: RulesFile | null;
  diagnostics: Diagnostic[];
  /** The CSV the rules were checked against (resolved path), or null. */
  dataPath: string | null;
  /** The line of the `data:` key's value when `dataPath` came from it (for messages: "rules.yml line 3"), else null. */
  dataLine?: number | null;
  frame: Frame | null;
  /** The CSV of `data:` as read (its issues, its hash), when `data:` named one and it could be read. */
  csv?: LoadedCsv & { frame: Frame };
  /** The Prometheus source of `data:`, fetched (SPEC §8), or why it could not be (then a warning is on `data:`). */
  prometheus?: LoadedPrometheus;
  prometheusError?: string;
}

/** Options of `loadRulesFile`. */
export interface LoadRulesOptions {
  /** Working directory for relative paths. */
  cwd: string;
  /** A CSV to check against (the CLI's --data); a missing file is a usage error. */
  dataPath?: string;
  /** Data already loaded (analyze's CSV): checked against it, no other file is read. */
  frame?: Frame;
  /** Display name of `frame`. */
  frameName?: string;
  /** The environment (ANOMALY_HUNTER_PROMETHEUS_TOKEN for a Prometheus `data:`). @default process.env */
  env?: Record<string, string | undefined>;
}

/** Bytes: at most as many characters (RULE_FILE_MAX_CHARS, the text's limit). */
const MAX_BYTES = RULE_FILE_MAX_CHARS;

/**
 * Reads and validates a rules file. The data comes from `frame`, else `dataPath`, else the file's
 * `data:` key (relative to the rules file; unreadable gives a warning on that key, not a failure).
 */
export async function loadRulesFile(path: string, options: LoadRulesOptions): Promise<LoadedRules> {
  const full = resolve(options.cwd, path);
  let text: string;
  try {
    const info = await stat(full);
    if (info.isDirectory()) throw new UsageError(`${path}: is a directory, not a rules file`);
    // A device or a pipe reports size 0 and may never end: only regular files are read.
    if (!info.isFile()) throw new UsageError(notRegularFile(path, info).message);
    if (info.size > MAX_BYTES) throw new InputError(`file is too large for a rules file (${info.size} bytes)`, path);
    const bytes = await readFile(full);
    if (bytes.length > MAX_BYTES) throw new InputError(`file is too large for a rules file (it grew while being read)`, path);
    // Without its BOM (line 1's columns as the editor's), and refused at a byte that is not UTF-8 (not read as U+FFFD).
    const decoded = decodeUtf8(bytes);
    if ('error' in decoded) throw new InputError(decoded.error, path, decoded.line, decoded.column);
    text = decoded.text;
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`}`);
  }
  if (options.frame) {
    const a = analyzeRules(text, { data: dataContextOf(options.frame, options.frameName ?? 'the data'), maxChars: MAX_BYTES });
    return finish(path, text, a.diagnostics, a.file, null, options.frame);
  }
  const first = analyzeRules(text, { maxChars: MAX_BYTES });
  let dataPath: string | null = null;
  let fromKey = false;
  if (options.dataPath !== undefined) dataPath = resolve(options.cwd, options.dataPath);
  else if (first.file.data) { dataPath = resolveDataPath(full, first.file.data); fromKey = true; }
  if (!dataPath && first.file.source && !first.diagnostics.some((d) => d.severity === 'error')) {
    // data: names a Prometheus source: the rules are checked against the series of its queries.
    const source = first.file.source;
    try {
      const got = await fetchRulesSource(source, options.env ?? process.env);
      const a = analyzeRules(text, { data: dataContextOf(got.frame, got.server), maxChars: MAX_BYTES });
      return { ...finish(path, text, a.diagnostics, a.file, null, got.frame), prometheus: got };
    } catch (e) {
      const why = (e as Error).message;
      const span = first.dataSpan ?? { startOffset: 0, endOffset: 0 };
      const warning = diagnosticAt(text, 'warning', 'data-unreadable', `cannot check the rules against ${source.prometheus}: ${why}`, span.startOffset, span.endOffset);
      return { ...finish(path, text, [...first.diagnostics, warning].sort((a, b) => a.startOffset - b.startOffset), first.file, null, null), prometheusError: why };
    }
  }
  if (!dataPath) return finish(path, text, first.diagnostics, first.file, null, null);
  const csv = await loadCsvFile(dataPath);
  const dataLine = fromKey && first.dataSpan ? positionAt(lineStarts(text), first.dataSpan.startOffset).line : null;
  if (!csv.frame) {
    const issue = csv.issues.find((i) => i.severity === 'error') ?? csv.issues[0];
    const why = issue?.message ?? 'no usable data';
    if (!fromKey) {
      if (issue?.code === 'io') throw new UsageError(`${options.dataPath}: ${why}`);
      throw new InputError(why, options.dataPath, issue?.line, issue?.column);
    }
    const span = first.dataSpan ?? { startOffset: 0, endOffset: 0 };
    const warning = diagnosticAt(text, 'warning', 'data-unreadable', `cannot check the rules against ${first.file.data}: ${why}`, span.startOffset, span.endOffset);
    const diagnostics = [...first.diagnostics, warning].sort((a, b) => a.startOffset - b.startOffset);
    return { ...finish(path, text, diagnostics, first.file, dataPath, null), dataLine };
  }
  const a = analyzeRules(text, { data: dataContextOf(csv.frame, basename(dataPath)), maxChars: MAX_BYTES });
  return { ...finish(path, text, a.diagnostics, a.file, dataPath, csv.frame), csv: { ...csv, frame: csv.frame }, dataLine };
}

function finish(path: string, text: string, diagnostics: Diagnostic[], file: RulesFile, dataPath: string | null, frame: Frame | null): LoadedRules {
  const ok = !diagnostics.some((d) => d.severity === 'error');
  return { path, text, rules: ok ? file : null, diagnostics, dataPath, frame };
}
