import type { Frame } from '../core/csv/frame.ts';
import { loadCsvFile } from '../node/loadCsv.ts';
import type { LoadedCsv } from '../node/loadCsv.ts';
import { InputError, UsageError } from '../node/errors.ts';
import type { CommandContext } from './command.ts';
import type { LoadedRules } from './rulesFile.ts';
import { formatIssue } from './report.ts';

/**
 * loadCsvFile for a command (or what it read before): prints the reader's warnings to stderr as `path:line:col: warning: …` and turns a
 * fatal problem into the CLI's errors (a missing file is a usage error, exit 2; a bad CSV an input error, exit 1).
 */
export async function loadCsvForCommand(path: string, ctx: Pick<CommandContext, 'stderr'>, read?: LoadedCsv, metrics?: readonly string[]): Promise<LoadedCsv & { frame: Frame }> {
  // `read`: the file as already read (a rules file's data:), reported the same way. `metrics`: --metrics (cells are said in their columns only).
  const loaded = read ?? await loadCsvFile(path, undefined, { allowPipe: true, metrics });
  for (const issue of loaded.issues) if (issue.severity === 'warning') ctx.stderr(formatIssue(path, issue) + '\n');
  const fatal = loaded.issues.find((i) => i.severity === 'error');
  if (fatal || !loaded.frame) {
    if (fatal?.code === 'io') throw new UsageError(`${path}: ${fatal.message}`);
    throw new InputError(fatal?.message ?? 'unreadable CSV', path, fatal?.line, fatal?.column);
  }
  return { ...loaded, frame: loaded.frame };
}

/**
 * The CSV a rules file's `data:` names (`rules.dataPath`), read again (loadRulesFile could not read it): a file
 * that cannot be opened is a usage error that says the path came from `data:`, e.g.
 * `data: /x/y.csv (rules.yml line 3) not found`; other problems are loadCsvForCommand's.
 */
export async function loadDataOfRules(rules: Pick<LoadedRules, 'dataPath' | 'dataLine'>, rulesName: string): Promise<LoadedCsv> {
  const loaded = await loadCsvFile(rules.dataPath!);
  const io = loaded.issues.find((i) => i.severity === 'error' && i.code === 'io');
  if (io && rules.dataLine) {
    const where = `data: ${rules.dataPath} (${rulesName} line ${rules.dataLine})`;
    throw new UsageError(/^no such file/.test(io.message) ? `${where} not found` : `${where}: ${io.message}`);
  }
  return loaded;
}
