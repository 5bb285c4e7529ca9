import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../../src/cli/main.ts';

test('an unknown metric named on the command line is a usage error (exit 2) in analyze, forecast and stream alike', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-metric-'));
  try {
    const rows = Array.from({ length: 30 }, (_, i) => `2024-01-01T00:${String(i).padStart(2, '0')}:00Z,${i % 7},${i % 5}`);
    writeFileSync(join(dir, 'd.csv'), ['timestamp,cpu,mem', ...rows].join('\n') + '\n');
    const file = join(dir, 'd.csv');
    for (const argv of [['analyze', file, '--metrics', 'cpux'], ['forecast', file, '--metric', 'cpux'], ['stream', file, '--metrics', 'cpux'], ['stream', file, '--metrics', 'cpu,cpux', '--format', 'jsonl']]) {
      let out = '', err = '';
      const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd: dir });
      assert.equal(code, 2, `${argv.join(' ')}: ${err}`);
      assert.equal(out, '', argv.join(' '));
      assert.match(err, new RegExp(`^anomaly-hunter ${argv[0]}: error: .*no (numeric column|metric) 'cpux' in .*d\\.csv \\(metrics: cpu, mem\\)\\n`), argv.join(' '));
    }
    // A long file (time,name,value): its series are the metrics.
    const long = Array.from({ length: 30 }, (_, i) => [`2024-01-01T00:${String(i).padStart(2, '0')}:00Z,cpu,${i % 7}`, `2024-01-01T00:${String(i).padStart(2, '0')}:00Z,mem,${i % 5}`]).flat();
    writeFileSync(join(dir, 'l.csv'), ['time,name,value', ...long].join('\n') + '\n');
    let err = '';
    const code = await main(['stream', join(dir, 'l.csv'), '--metrics', 'cpux'], { stdout: () => {}, stderr: (s) => { err += s; }, env: {}, cwd: dir });
    assert.equal(code, 2, err);
    assert.match(err, /^anomaly-hunter stream: error: --metrics: no metric 'cpux' in .*l\.csv \(metrics: cpu, mem\)$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyze and stream say an unknown --metrics the same way: every name missing, the first 10 metrics and how many more', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-metric-'));
  try {
    const names = Array.from({ length: 12 }, (_, k) => `m${String(k + 1).padStart(2, '0')}`);
    const rows = Array.from({ length: 30 }, (_, i) => [`2024-01-01T00:${String(i).padStart(2, '0')}:00Z`, ...names.map((_, k) => (i * (k + 1)) % 7)].join(','));
    writeFileSync(join(dir, 'w.csv'), [['timestamp', ...names].join(','), ...rows].join('\n') + '\n');
    const file = join(dir, 'w.csv');
    // Each names the file as its other messages do: analyze by its base name, stream as given.
    const want = (where: string) => `--metrics: no numeric column 'nope', 'zz' in ${where} (metrics: m01, m02, m03, m04, m05, m06, m07, m08, m09, m10 … and 2 more)`;
    for (const [command, where] of [['analyze', 'w.csv'], ['stream', file]]) {
      let out = '', err = '';
      const code = await main([command, file, '--metrics', 'm01,nope,zz'], { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd: dir });
      assert.deepEqual({ code, out, first: err.split('\n')[0] }, { code: 2, out: '', first: `anomaly-hunter ${command}: error: ${want(where)}` }, command);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
