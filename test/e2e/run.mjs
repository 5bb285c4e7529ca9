// Runs the tests in a real VS Code (after `npm run package` built the .vsix): installs code-server and
// Chromium when missing (test/e2e/setup.sh), then runs every test/e2e/*.e2e.mjs with node:test.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './harness.mjs';

const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: REPO, ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('bash', ['test/e2e/setup.sh']);
const only = process.argv.slice(2);
const files = fs.readdirSync(path.join(REPO, 'test/e2e')).filter((f) => f.endsWith('.e2e.mjs') && (!only.length || only.some((o) => f.includes(o)))).map((f) => path.join('test/e2e', f));
// A hard cap so a hung UI can never eat the CI budget.
run('timeout', ['-k', '10', '900', process.execPath, '--test', '--test-concurrency=1', '--test-timeout=600000', ...files]);
