import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { backtest } from '../../src/core/promrules/backtest.ts';
import { main } from '../../src/cli/main.ts';
import { needPromtool, promtool } from './promtool.ts';

const rulesText = readFileSync('rules/rules.yaml', 'utf8');
const { frame } = parseCsv(readFileSync('sample-data/stream.csv', 'utf8'));

async function run(argv: string[], cwd: string): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { out += s; }, env: {}, cwd });
  return { code, out };
}

test('a test written from a rule\'s firing passes in our runner and in the real promtool, and fails once the threshold moves', async (t) => {
  assert.ok(frame);
  const dir = mkdtempSync(join(tmpdir(), 'ah-backtest-'));
  try {
    copyFileSync('rules/rules.yaml', join(dir, 'rules.yaml'));
    const written: string[] = [];
    for (const rule of ['cpu-saturated', 'cpu-high', 'memory-pressure', 'disk-io-burst']) {
      const b = backtest(rulesText, 'rules.yaml', rule, frame, 'stream.csv');
      assert.ok(b.ok, `${rule}: ${b.ok ? '' : b.reason}`);
      if (!b.ok) continue;
      assert.ok(b.rows > 10 && b.rows <= 2000, `${rule}: ${b.rows} rows`);
      // Three cases, the middle one while the rule fires.
      assert.equal((b.text.match(/- eval_time: /g) ?? []).length, 3, b.text.slice(-800));
      assert.match(b.text, new RegExp(`exp_labels: \\{[^}]*"severity"`), `${rule}: an alert is expected while it fires`);
      const file = join(dir, `${rule}.test.yaml`);
      writeFileSync(file, b.text);
      written.push(file);
      const ours = await run(['test', file], dir);
      assert.equal(ours.code, 0, ours.out);
    }
    if (needPromtool(t)) {
      // promtool reads Prometheus rule files: the export of ours, under the name the tests give.
      const exported = await run(['export-rules', join(dir, 'rules.yaml'), '--format', 'prometheus', '--out', join(dir, 'prom.yml')], dir);
      assert.equal(exported.code, 0, exported.out);
      for (const f of written) {
        writeFileSync(f, readFileSync(f, 'utf8').replace('rule_files: ["rules.yaml"]', 'rule_files: ["prom.yml"]'));
        const r = promtool(['test', 'rules', f], dir);
        assert.equal(r.status, 0, `${f}\n${r.out}`);
        writeFileSync(f, readFileSync(f, 'utf8').replace('rule_files: ["prom.yml"]', 'rule_files: ["rules.yaml"]'));
      }
    }
    // A threshold that would have changed this history fails the test written before it.
    writeFileSync(join(dir, 'rules.yaml'), rulesText.replace(/(name: cpu-saturated[\s\S]*?threshold: )([\d.]+)/, (_m, a: string, v: string) => `${a}${Number(v) + 50}`));
    const after = await run(['test', join(dir, 'cpu-saturated.test.yaml')], dir);
    assert.equal(after.code, 1, after.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a rule with no firing, an unknown rule or data without timestamps is a reason, not a file', () => {
  assert.ok(frame);
  const never = rulesText.replace(/(name: net-in-down[\s\S]*?threshold: )([\d.]+)/, '$1-1000000');
  const r = backtest(never, 'rules.yaml', 'net-in-down', frame, 'stream.csv');
  assert.equal(r.ok, false);
  assert.equal(backtest(rulesText, 'rules.yaml', 'nope', frame, 'stream.csv').ok, false);
  const { frame: untimed } = parseCsv('cpu\n1\n99\n99\n99\n1\n');
  assert.ok(untimed);
  const u = backtest('version: 1\nrules:\n  - {name: hot, metric: cpu, op: ">", threshold: 50}\n', 'rules.yaml', 'hot', untimed, 'x.csv');
  assert.deepEqual(u.ok ? '' : u.reason, 'the data has no timestamps: a rule test needs the time between samples');
});
