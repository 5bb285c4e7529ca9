// `npm start`: analyses the bundled sample with the CLI, then serves the extension in a real VS Code
// (code-server on 127.0.0.1) with the sample workspace open, and prints the URL. Ctrl+C stops it.
import { spawnSync } from 'node:child_process';
import { REPO, prepareRun, startCodeServer, stopCodeServer } from './harness.mjs';
import { sampleWorkspace } from './workspace.mjs';

const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: REPO });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step(process.execPath, ['dist/cli.js', 'analyze', 'sample-data/stream.csv', '--rules', 'rules/rules.yaml']);
step('bash', ['test/e2e/setup.sh']);
const dirs = prepareRun('serve', { workspace: sampleWorkspace() });
const cs = await startCodeServer(dirs);
console.log(`\nVS Code with Data Anomaly Hunter is running: ${cs.url}`);
console.log('Open sample-data/stream.csv and run "Anomaly Hunter: Analyze CSV File…" (or use the editor title button). Ctrl+C stops the server.');
const stop = async () => { await stopCodeServer(cs); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
