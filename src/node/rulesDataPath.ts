/** Where a rules file's `data:` path points: the one reading of it for the CLI and the editor. */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * The file `data` (a rules file's `data:` value) names: a leading `~/` (or `~` alone) is the home directory, as a
 * shell reads it; another relative path is relative to the rules file's folder. Anything else (`~user/`, a
 * backslash) is taken as written.
 */
export function resolveDataPath(rulesPath: string, data: string, home: string = homedir()): string {
  if (data === '~') return home;
  if (data.startsWith('~/')) return join(home, data.slice(2));
  return resolve(dirname(rulesPath), data);
}
