import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type { EngineRule } from '../core/promrules/engine.ts';
import { engineRuleOf, loadPrometheusRuleFile, RuleFileError } from '../core/promrules/ruleFile.ts';
import { runTestFile } from '../core/promrules/run.ts';
import type { FileResult } from '../core/promrules/run.ts';
import { parseTestFile, TestFileError } from '../core/promrules/testFile.ts';
import type { Position, TestFile } from '../core/promrules/testFile.ts';
import { exportRulesText } from '../core/rules/prometheusExport.ts';
import { isPrometheusRuleFileText } from '../core/promrules/csvRules.ts';
import { RULE_FILE_MAX_CHARS } from '../core/rules/yamlAst.ts';
import { decodeUtf8 } from '../core/utf8Text.ts';

/** A problem of a test file or of a rule file it names: `path:line:col: message`. */
export interface LocatedError { path: string; line: number; column: number; message: string }

/** A test file read with its rule files, ready to run in our engine or to hand to promtool. */
export interface PreparedTests {
  path: string;
  file: TestFile | null;
  errors: LocatedError[];
  rules: EngineRule[];
  /** Rules our engine does not evaluate: the file needs promtool. */
  needsPromtool: LocatedError[];
  /** Rule files for promtool: the given path of each, or the exported text of our rules files. */
  ruleFiles: { path: string; exported: string | null }[];
}

const MAX_BYTES = RULE_FILE_MAX_CHARS;

/** A byte that is not UTF-8, at its place in the file. */
class NotUtf8 extends Error {
  constructor(message: string, readonly line: number, readonly column: number) { super(message); }
}

/** A file's text as `check` reads it: UTF-8 without its BOM, a byte that is not UTF-8 refused at its place (NotUtf8). */
async function readSmall(path: string): Promise<string> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error('not a regular file');
  if (info.size > MAX_BYTES) throw new Error(`too large (${info.size} bytes)`);
  const decoded = decodeUtf8(await readFile(path));
  if ('error' in decoded) throw new NotUtf8(decoded.error, decoded.line, decoded.column);
  return decoded.text;
}

function globRegExp(glob: string): RegExp {
  let re = '';
  for (const c of glob) re += c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`);
}

/** rule_files entries relative to the test file; `*` and `?` in the file name part, as promtool's globs. */
async function resolveRuleFiles(testPath: string, pattern: string): Promise<string[]> {
  const full = isAbsolute(pattern) ? pattern : resolve(dirname(testPath), pattern);
  if (!/[*?]/.test(basename(full))) return [full];
  const names = await readdir(dirname(full)).catch(() => [] as string[]);
  const re = globRegExp(basename(full));
  return names.filter((n) => re.test(n)).sort().map((n) => join(dirname(full), n));
}

/** Reads a test file and its rule files (ours are exported first, as export-rules does). Never throws. */
export async function prepareTests(path: string): Promise<PreparedTests> {
  const out: PreparedTests = { path, file: null, errors: [], rules: [], needsPromtool: [], ruleFiles: [] };
  const err = (p: string, at: Position | { line: number; column: number }, message: string): void => { out.errors.push({ path: p, line: at.line, column: at.column, message }); };
  let text: string;
  try { text = await readSmall(path); } catch (e) {
    if (e instanceof NotUtf8) { err(path, e, e.message); return out; }
    const code = (e as NodeJS.ErrnoException).code;
    err(path, { line: 0, column: 0 }, code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`);
    return out;
  }
  try { out.file = parseTestFile(text); } catch (e) {
    if (!(e instanceof TestFileError)) throw e;
    err(path, e.at, e.message);
    for (const o of e.others) err(path, o.at, o.message);
    return out;
  }
  if (out.file.tests.some((g) => g.promqlTests > 0)) out.needsPromtool.push({ path, line: 1, column: 1, message: 'promql_expr_test cases' });
  for (const rf of out.file.ruleFiles) {
    const paths = await resolveRuleFiles(path, rf.path);
    if (paths.length === 0) err(path, rf.at, `no rule file matches '${rf.path}'`);
    for (const p of paths) await addRuleFile(out, p, rf.path, rf.at);
  }
  return out;
}

async function addRuleFile(out: PreparedTests, p: string, given: string, at: Position): Promise<void> {
  let text: string;
  try { text = await readSmall(p); } catch (e) {
    if (e instanceof NotUtf8) { out.errors.push({ path: p, line: e.line, column: e.column, message: e.message }); return; }
    const code = (e as NodeJS.ErrnoException).code;
    out.errors.push({ path: out.path, line: at.line, column: at.column, message: `rule file ${given}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`}` });
    return;
  }
  if (isPrometheusRuleFileText(text, { maxChars: MAX_BYTES })) {
    try {
      const loaded = loadPrometheusRuleFile(text, { maxChars: MAX_BYTES });
      for (const e of loaded.problems) out.errors.push({ path: p, line: e.line, column: e.column, message: e.message });
      out.rules.push(...loaded.rules);
      for (const n of loaded.needsPromtool) out.needsPromtool.push({ path: p, line: n.line, column: n.column, message: n.reason });
      out.ruleFiles.push({ path: p, exported: null });
    } catch (e) {
      if (!(e instanceof RuleFileError)) throw e;
      out.errors.push({ path: p, line: e.line, column: e.column, message: e.message });
    }
    return;
  }
  const r = exportRulesText(text, basename(p, extname(p)));
  if (r.errors) {
    for (const d of r.errors) out.errors.push({ path: p, line: d.range.start.line, column: d.range.start.column, message: d.message });
    return;
  }
  const { export: exported, file } = r;
  for (const prob of exported.problems.filter((x) => x.dropped)) out.errors.push({ path: p, line: prob.line, column: 1, message: `rule '${prob.rule}' cannot be exported: ${prob.message}` });
  for (const r of exported.group.rules) {
    const rule = engineRuleOf(r);
    if (typeof rule === 'string') out.needsPromtool.push({ path: p, line: file.rules.find((x) => x.name === r.alert)?.line ?? 1, column: 1, message: `rule '${r.alert}': ${rule}` });
    else out.rules.push(rule);
  }
  out.ruleFiles.push({ path: p, exported: exported.text });
}

/** Runs a prepared test file in our engine (only when it has no errors and needs no promtool). */
export function runPrepared(p: PreparedTests): FileResult {
  if (!p.file) return { cases: [], errors: [] };
  return runTestFile(p.file, p.rules);
}

/** How long `test --promtool` waits for promtool. */
export const PROMTOOL_TIMEOUT_MS = 120_000;

/**
 * Hands a test file to `promtool test rules` (on the PATH, or `promtool`): our rules files are exported into a
 * temporary folder first and the test file is given to promtool with those paths. Resolves to its exit status
 * and output; status -1 when promtool cannot be started.
 */
export async function runWithPromtool(p: PreparedTests, promtool = 'promtool', timeoutMs = PROMTOOL_TIMEOUT_MS): Promise<{ status: number; output: string }> {
  if (!p.file) return { status: -1, output: 'the test file has errors' };
  const dir = await mkdtemp(join(tmpdir(), 'anomaly-hunter-promtool-'));
  try {
    const ruleFiles: string[] = [];
    for (const [i, rf] of p.ruleFiles.entries()) {
      if (rf.exported === null) { ruleFiles.push(resolve(rf.path)); continue; }
      const f = join(dir, `${i}-${basename(rf.path, extname(rf.path))}.yml`);
      await writeFile(f, rf.exported);
      ruleFiles.push(f);
    }
    const testPath = join(dir, basename(p.path).replace(/\.[^.]*$/, '') + '.json');
    // JSON is YAML: promtool reads it as its test format.
    await writeFile(testPath, JSON.stringify({ ...p.file.plain, rule_files: ruleFiles }, null, 2));
    return await new Promise((done) => {
      const child = spawn(promtool, ['test', 'rules', testPath], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      let timedOut = false;
      // A test file can ask promtool for years of evaluations: it is stopped, and says so, rather than waited for.
      const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
      timer.unref();
      child.stdout.on('data', (b: Buffer) => { output += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { output += b.toString(); });
      child.on('error', (e: NodeJS.ErrnoException) => done({ status: -1, output: e.code === 'ENOENT' ? `${promtool}: not found on the PATH` : e.message }));
      child.on('close', (code) => {
        clearTimeout(timer);
        if (timedOut) done({ status: -1, output: `${promtool} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped` });
        else done({ status: code ?? -1, output: output.split(testPath).join(p.path) });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
