// The workspace the e2e tests open: the repo's sample data and rules, as a user's repo would hold them.
import fs from 'node:fs';
import path from 'node:path';
import { REPO, CACHE } from './harness.mjs';

/** Builds (once per run) a folder with sample-data/ and rules/ copied from the repo. */
export function sampleWorkspace() {
  const dir = path.join(CACHE, 'workspace-src');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(REPO, 'sample-data'), path.join(dir, 'sample-data'), { recursive: true, filter: (p) => !p.endsWith('.ts') });
  if (fs.existsSync(path.join(REPO, 'rules'))) fs.cpSync(path.join(REPO, 'rules'), path.join(dir, 'rules'), { recursive: true });
  return dir;
}
