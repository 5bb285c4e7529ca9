import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';

const repo = join(__dirname, '../..');
const sample = join(repo, 'sample-data/stream.csv');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd: repo });
  return { code, out, err };
}

test('analyze --format json gives the SPEC §3 document with every detector that ran', async () => {
  const r = await run('analyze', sample, '--rules', 'rules/rules.yaml', '--format', 'json', '--all-rows');
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.deepEqual(Object.keys(doc), ['meta', 'rows', 'scores', 'forecast', 'anomalies', 'incidents']);
  assert.equal(doc.rows, 20160);
  assert.equal(doc.meta.tool, 'anomaly-hunter');
  assert.equal(doc.meta.timestampColumn, 'timestamp');
  assert.deepEqual(doc.meta.metrics, ['cpu', 'memory', 'disk_io', 'net_in', 'net_out']);
  assert.deepEqual(Object.keys(doc.meta.detectors).sort(), ['forecast', 'iforest', 'rules']);
  assert.equal(doc.scores.iforest.length, 20160);
  assert.ok(doc.scores.iforest.every((s: number) => s >= 0 && s <= 1));
  assert.deepEqual(Object.keys(doc.forecast.cpu), ['yhat', 'lower', 'upper']);
  const detectors = new Set(doc.anomalies.map((a: { detector: string }) => a.detector));
  assert.deepEqual([...detectors].sort(), ['forecast', 'iforest', 'rule']);
  for (const a of doc.anomalies.slice(0, 200)) {
    assert.deepEqual(Object.keys(a).filter((k) => k !== 'rule').sort(), ['detector', 'message', 'metric', 'row', 'score', 'severity', 'timestamp', 'value']);
    assert.ok(a.score >= 3 && a.score <= 100);
  }
});

test('analyze is deterministic: the same seed gives byte-identical JSON, another seed other scores', async () => {
  const a = await run('analyze', sample, '--detectors', 'iforest', '--format', 'json', '--seed', '7');
  const b = await run('analyze', sample, '--detectors', 'iforest', '--format', 'json', '--seed', '7');
  const c = await run('analyze', sample, '--detectors', 'iforest', '--format', 'json', '--seed', '8');
  assert.equal(a.out, b.out);
  assert.notDeepEqual(JSON.parse(a.out).scores.iforest, JSON.parse(c.out).scores.iforest);
});

test('analyze --detectors iforest flags the injected outage and names a metric that went to zero', async () => {
  const r = await run('analyze', sample, '--detectors', 'iforest', '--contamination', '0.01', '--format', 'json', '--only-anomalies', '--all-rows');
  const labels = JSON.parse(readFileSync(join(repo, 'sample-data/stream.labels.json'), 'utf8'));
  const outage = labels.anomalies.find((l: { kind: string }) => l.kind === 'outage');
  // The forest alone makes the outage a major incident.
  const view = JSON.parse((await run('analyze', sample, '--detectors', 'iforest', '--format', 'json', '--only-anomalies', '--min-severity', 'major')).out);
  assert.ok(view.incidents.some((i: { startRow: number; endRow: number }) => i.startRow <= outage.endRow && i.endRow >= outage.startRow), JSON.stringify(view.incidents));
  const hits = JSON.parse(r.out).anomalies.filter((a: { row: number }) => a.row >= outage.startRow && a.row <= outage.endRow);
  assert.ok(hits.length >= 20, `${hits.length} outage rows flagged`);
  assert.ok(hits.every((a: { metric: string }) => outage.metrics.includes(a.metric)));
});

test('exit codes: 2 for usage errors, 1 for invalid input with a path:line:col message, 0 for a one-row CSV', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-cli-'));
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'a,b\n1,2\n3,"4\n');
  const one = join(dir, 'one.csv');
  writeFileSync(one, 'timestamp,cpu\n2024-01-01T00:00:00Z,5\n');
  assert.equal((await run('analyze')).code, 2);
  assert.equal((await run('analyze', sample, '--bogus')).code, 2);
  assert.equal((await run('analyze', join(dir, 'missing.csv'))).code, 2);
  assert.equal((await run('analyze', sample, '--contamination', '0.9')).code, 2);
  assert.equal((await run('analyze', sample, '--metrics', 'nope')).code, 2);
  const r = await run('analyze', bad);
  assert.equal(r.code, 1);
  assert.equal(r.err, `${bad}:3:3: error: unclosed quoted field: a '"' opens a field that never ends\n`);
  const o = await run('analyze', one);
  assert.equal(o.code, 0);
  assert.match(o.out, /1 row, 1 metric/);
  assert.match(o.err, /iforest skipped/);
});

test('analyze --format csv --only-anomalies neutralises formula-like cells and keeps numbers as numbers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-cli-'));
  const f = join(dir, 'x.csv');
  writeFileSync(f, 'timestamp,=cmd|calc,v\n' + Array.from({ length: 60 }, (_, i) => `2024-01-01T00:${String(i).padStart(2, '0')}:00Z,${i === 30 ? -500 : -(i % 3)},${i % 4}`).join('\n') + '\n');
  const r = await run('analyze', f, '--detectors', 'iforest', '--format', 'csv');
  assert.equal(r.code, 0, r.err);
  const [header, first] = r.out.split('\r\n');
  assert.ok(header.startsWith(`timestamp,"'=cmd|calc",v,iforest_score`), header);
  assert.match(first, /^2024-01-01T00:00:00.000Z,0,0,/);
  assert.ok(r.out.includes(',-500,'));
});

test('analyze of a long CSV: --metrics cpu takes every cpu{…} series; JSON names the joined metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-long-'));
  const path = join(dir, 'long.csv');
  const lines = ['time,host,metric,value'];
  for (let i = 0; i < 300; i++) for (const h of ['a', 'b']) for (const m of ['cpu', 'mem']) lines.push(`${1_700_000_000 + i * 60},${h},${m},${(m === 'cpu' ? 40 : 60) + (i % 9)}`);
  writeFileSync(path, lines.join('\n') + '\n');
  const r = await run('analyze', path, '--metrics', 'cpu', '--format', 'json');
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.deepEqual(doc.meta.metrics, ['cpu{host="a"}', 'mem{host="a"}', 'cpu{host="b"}', 'mem{host="b"}']);
  assert.deepEqual(Object.keys(doc.forecast), ['cpu{host="a"}', 'cpu{host="b"}']);
  assert.match(r.err, /warning: long format: the rows of each time are joined into one/);
  assert.equal((await run('analyze', path, '--metrics', 'cp')).code, 2);
});

test('analyze --metrics with one series of a long CSV: a rule on its name fires on that series only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-long-rule-'));
  const path = join(dir, 'long.csv');
  const lines = ['time,host,cpu'];
  for (let i = 0; i < 200; i++) for (const h of ['h0', 'h1']) lines.push(`${1_700_000_000 + i * 60},${h},${h === 'h1' && i >= 100 && i < 110 ? 99 : 40 + (i % 5)}`);
  writeFileSync(path, lines.join('\n') + '\n');
  const rules = join(dir, 'r.yaml');
  writeFileSync(rules, 'version: 1\nrules:\n  - {name: cpu-high, metric: cpu, op: ">", threshold: 90, severity: critical}\n');
  const one = await run('analyze', path, '--rules', rules, '--detectors', 'rules', '--metrics', 'cpu{host="h0"}', '--format', 'json', '--all-rows');
  assert.equal(one.code, 0, one.err);
  assert.equal(JSON.parse(one.out).anomalies.length, 0);
  const all = await run('analyze', path, '--rules', rules, '--detectors', 'rules', '--format', 'json', '--all-rows');
  const found = JSON.parse(all.out).anomalies as { metric: string }[];
  assert.equal(found.length, 10);
  assert.ok(found.every((a) => a.metric === 'cpu{host="h1"}'));
});

test('a rules file\'s data: ~/ is the home directory; a data: file not found is said with the rules file\'s line', async () => {
  const home = mkdtempSync(join(tmpdir(), 'ah-home-'));
  const dir = mkdtempSync(join(tmpdir(), 'ah-cli-'));
  const before = process.env.HOME;
  try {
    writeFileSync(join(home, 'm.csv'), readFileSync(sample, 'utf8').split('\n').slice(0, 400).join('\n'));
    const rules = (data: string) => `version: 1\n# the data\ndata: ${data}\nrules:\n  - name: hot\n    metric: cpu\n    op: ">"\n    threshold: 1000\n`;
    writeFileSync(join(dir, 'home.yml'), rules('~/m.csv'));
    writeFileSync(join(dir, 'gone.yml'), rules('gone.csv'));
    process.env.HOME = home;
    const ok = await run('analyze', '--rules', join(dir, 'home.yml'), '--format', 'json');
    assert.equal(ok.code, 0, ok.err);
    assert.equal(JSON.parse(ok.out).rows, 399);
    const gone = await run('analyze', '--rules', join(dir, 'gone.yml'));
    assert.equal(gone.code, 2);
    assert.equal(gone.err.split('\n')[0], `anomaly-hunter analyze: error: data: ${join(dir, 'gone.csv')} (${join(dir, 'gone.yml')} line 3) not found`);
  } finally {
    process.env.HOME = before;
    rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
