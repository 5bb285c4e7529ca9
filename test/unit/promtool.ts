import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/** Whether Debian's promtool (apt package `prometheus`) is on the PATH. */
export const havePromtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;

/**
 * Skips a test that needs promtool when it is missing, except on CI (CI=true), where a missing promtool is a
 * failure: the comparison with Prometheus must run there.
 */
export function needPromtool(t: TestContext): boolean {
  if (havePromtool) return true;
  if (process.env.CI === 'true') throw new Error('promtool is not installed (apt-get install prometheus)');
  t.skip('promtool is not installed (apt-get install prometheus)');
  return false;
}

/** Runs promtool with arguments; its exit status and output. */
export function promtool(args: string[], cwd?: string): { status: number; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', cwd });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
