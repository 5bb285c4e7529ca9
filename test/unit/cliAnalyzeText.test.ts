import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { runStream } from '../../src/cli/commands/stream.ts';

/** Which check of the forecaster made a JSON finding, as a reader of the JSON tells it: from its message (JSON's detector is "forecast" for all). */
function checkOf(a: { detector: string; metric: string | null; message: string }): string | null {
  if (a.detector !== 'forecast' || !a.metric || !a.message.startsWith(a.metric)) return null;
  const rest = a.message.slice(a.metric.length);
  if (rest.startsWith(' level rises by ') || rest.startsWith(' level drops by ')) return 'level check';
  if (rest.startsWith(' barely moves (')) return 'flatness check';
  if (rest.startsWith('\'s ') && rest.includes(' around here looks like no other ')) return 'discord check';
  return null;
}

async function run(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd });
  return { code, out, err };
}

/** 5 hours of 5-minute rows of a quiet metric with one spike at row 40 (the forest flags rows besides the spike's). */
function export5m(): string {
  let s = 'Timestamp,CPUUtilization\n';
  for (let i = 0; i < 61; i++) s += `${new Date(Date.UTC(2026, 0, 5, 8) + i * 300_000).toISOString()},${(i === 40 ? 97 : 20 + 5 * Math.sin(i / 5) + ((i * 7) % 3)).toFixed(2)}\n`;
  return s;
}

test('analyze --all-rows text lists the flagged rows and counts apart those in no incident, as its JSON lists them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-text-'));
  try {
    writeFileSync(join(dir, 'cw.csv'), export5m());
    const json = JSON.parse((await run(dir, 'analyze', join(dir, 'cw.csv'), '--all-rows', '--format', 'json')).out);
    const all: { row: number; timestamp: string; detector: 'forecast'; metric: string; score: number; message: string }[] = json.anomalies;
    const spans: [number, number][] = json.incidents.map((i: { startRow: number; endRow: number }) => [i.startRow, i.endRow]);
    const inThem = all.filter((a) => spans.some(([s, e]) => a.row >= s && a.row <= e)).length;
    assert.ok(all.length > inThem && inThem > 0, `${all.length} flagged, ${inThem} in incidents`);

    const r = await run(dir, 'analyze', join(dir, 'cw.csv'), '--all-rows');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`incidents \\(all\\): ${json.incidents.length} .*; every flagged row: ${all.length} findings, ${inThem} in these incidents, ${all.length - inThem} in none\\n`));
    assert.doesNotMatch(r.out, /in them/);
    const listed = r.out.split('\n').slice(r.out.split('\n').findIndex((l) => l.startsWith('  findings (')) + 1).filter(Boolean);
    assert.equal(listed.length, all.length);
    listed.forEach((l, k) => {
      const a = all[k];
      assert.deepEqual(l.trim().split(/\s+/), [a.timestamp, a.metric, ...(checkOf(a) ? ['forecast', ...checkOf(a)!.split(' ')] : [a.detector]), a.score.toFixed(1)]);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyze text counts findings and their rows as its JSON lists them, and says why the two lists differ', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-text-'));
  try {
    writeFileSync(join(dir, 'cw.csv'), export5m());
    const count = (list: { row: number }[]) => `${list.length} findings? on ${new Set(list.map((a) => a.row)).size} rows?`;
    const shown = JSON.parse((await run(dir, 'analyze', join(dir, 'cw.csv'), '--format', 'json')).out);
    const all = JSON.parse((await run(dir, 'analyze', join(dir, 'cw.csv'), '--all-rows', '--format', 'json')).out);
    const r = await run(dir, 'analyze', join(dir, 'cw.csv'));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`incidents \\(major and above\\): ${shown.incidents.length}.*; ${count(shown.anomalies)} in them\\n`));
    assert.match(r.out, new RegExp(`every flagged row: ${count(all.anomalies)} \\(--all-rows lists them\\)\\n`));
    assert.doesNotMatch(r.out, /anomalous row/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyze --all-rows lists every row of every incident, named by the statistic that flagged it (JSON and text)', async () => {
  const root = join(__dirname, '../..');
  const shown = JSON.parse((await run(root, 'analyze', 'sample-data/stream.csv', '--format', 'json')).out);
  const all = JSON.parse((await run(root, 'analyze', 'sample-data/stream.csv', '--all-rows', '--format', 'json')).out);
  type A = { row: number; detector: 'forecast'; metric: string; rule?: string; message: string; timestamp: string };
  const place = (a: A) => `${a.row} ${a.detector} ${a.metric} ${a.rule ?? ''} ${checkOf(a) ?? ''}`;
  const listed = new Set((all.anomalies as A[]).map(place));
  const missing = (shown.anomalies as A[]).filter((a) => !listed.has(place(a)));
  assert.deepEqual(missing.slice(0, 3), [], `${missing.length} findings of the default view's incidents are not in --all-rows`);
  // Each as the default view shows it: the same score and words (one row, one score on either list).
  const verbatim = new Set((all.anomalies as unknown[]).map((a) => JSON.stringify(a)));
  const differ = (shown.anomalies as unknown[]).filter((a) => !verbatim.has(JSON.stringify(a)));
  assert.deepEqual(differ.slice(0, 2), [], `${differ.length} of the default view's findings differ in --all-rows`);
  for (const i of all.incidents as { startRow: number; endRow: number }[]) {
    assert.ok((all.anomalies as A[]).some((a) => a.row >= i.startRow && a.row <= i.endRow), `incident at row ${i.startRow} has rows listed`);
  }
  const checks = (all.anomalies as A[]).filter((a) => checkOf(a) !== null);
  assert.ok(checks.length > 0 && new Set(checks.map((a) => checkOf(a))).size === 3, 'level, flatness and discord findings listed');
  // The text's rows name the check (its first 50; a small file's in the other test here).
  const r = await run(root, 'analyze', 'sample-data/stream.csv', '--all-rows');
  assert.match(r.out, new RegExp(`every flagged row: ${all.anomalies.length.toLocaleString('en')} findings`));
});

test('analyze --all-rows text lists at most 50 flagged rows, then how many more (JSON has them all)', async () => {
  const r = await run(join(__dirname, '../..'), 'analyze', 'sample-data/stream.csv', '--all-rows', '--detectors', 'iforest');
  assert.equal(r.code, 0, r.err);
  const total = Number(/findings \(([\d,]+)\)/.exec(r.out)![1].replace(/,/g, ''));
  assert.ok(total > 50);
  const tail = r.out.split('\n').slice(r.out.split('\n').findIndex((l) => l.startsWith('  findings (')) + 1).filter(Boolean);
  assert.equal(tail.length, 51);
  assert.equal(tail[50], `    … and ${(total - 50).toLocaleString('en')} more (--format json for all)`);
});

test('analyze --rules FILE without a CSV analyses the CSV its data: names, relative to the rules file, as check reads it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-rules-data-'));
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub/cw.csv'), export5m());
    const rules = 'version: 1\ndata: cw.csv\nrules:\n  - name: hot\n    metric: CPUUtilization\n    op: ">"\n    threshold: 90\n    severity: critical\n';
    writeFileSync(join(dir, 'sub/rules.yaml'), rules);
    const r = await run(dir, 'analyze', '--rules', 'sub/rules.yaml', '--format', 'json');
    assert.equal(r.code, 0, r.err);
    const got = JSON.parse(r.out);
    assert.equal(got.meta.input.path, join('sub', 'cw.csv'));
    assert.equal(got.rows, 61);
    const given = JSON.parse((await run(dir, 'analyze', join(dir, 'sub/cw.csv'), '--rules', 'sub/rules.yaml', '--format', 'json')).out);
    assert.deepEqual(got.anomalies, given.anomalies);
    assert.deepEqual(got.incidents, given.incidents);
    assert.equal(got.meta.input.sha256, given.meta.input.sha256);
    assert.ok(got.anomalies.some((a: { detector: string; rule?: string }) => a.detector === 'rule' && a.rule === 'hot'));
    // A data: CSV that is not there is a missing file (exit 2), said as the rules file's data: (its path, the key's line).
    writeFileSync(join(dir, 'sub/rules.yaml'), rules.replace('cw.csv', 'gone.csv'));
    const missing = await run(dir, 'analyze', '--rules', 'sub/rules.yaml');
    assert.equal(missing.code, 2);
    assert.ok(missing.err.startsWith(`anomaly-hunter analyze: error: data: ${join(dir, 'sub', 'gone.csv')} (sub/rules.yaml line `), missing.err);
    // A rules file whose data: names nothing still needs a CSV.
    writeFileSync(join(dir, 'sub/rules.yaml'), rules.replace('data: cw.csv\n', ''));
    const none = await run(dir, 'analyze', '--rules', 'sub/rules.yaml');
    assert.equal(none.code, 2);
    assert.match(none.err, /missing the CSV file to analyse \(the data: of sub\/rules\.yaml names neither a CSV nor a Prometheus source\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyze text says which detectors ran and which were skipped and why; JSON meta.detectors keeps its SPEC §3 shape', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-skip-'));
  try {
    // Three rows of one constant metric: neither the forest nor the forecaster can run.
    writeFileSync(join(dir, 'flat.csv'), 'timestamp,a\n2026-01-01T00:00:00Z,1\n2026-01-01T00:05:00Z,1\n2026-01-01T00:10:00Z,1\n');
    const r = await run(dir, 'analyze', join(dir, 'flat.csv'));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\n {2}detectors: none ran; skipped iforest — no metric varies \(every row has the same values\), forecast — a is constant \(1\.0\) in the fitted rows\n/);
    assert.deepEqual(Object.keys(JSON.parse((await run(dir, 'analyze', join(dir, 'flat.csv'), '--format', 'json')).out).meta.detectors), ['iforest', 'forecast']);
    // One that both run on says so without a skipped part.
    writeFileSync(join(dir, 'cw.csv'), export5m());
    assert.match((await run(dir, 'analyze', join(dir, 'cw.csv'))).out, /\n {2}detectors: iforest, forecast\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without a time column, analyze text names the CSV line of a row, as stream\'s "line" and the editor do; JSON keeps the 0-based row', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-lines-'));
  try {
    // The values of the 5-hour export without their times, and a blank line after the tenth row: line ≠ row + 2.
    const values = export5m().trim().split('\n').slice(1).map((l) => l.split(',')[1]);
    writeFileSync(join(dir, 'v.csv'), ['value', ...values.slice(0, 10), '', ...values.slice(10)].join('\n') + '\n');
    const json = JSON.parse((await run(dir, 'analyze', join(dir, 'v.csv'), '--format', 'json')).out);
    assert.equal(json.incidents.length, 1);
    assert.equal(json.incidents[0].startRow, 40);
    let out = '';
    await runStream({ argv: ['v.csv'], stdout: (s) => { out += s; }, stderr: () => {}, env: {}, cwd: dir });
    const line = JSON.parse(out.trim().split('\n')[40]).line;
    assert.equal(line, 43);
    const text = (await run(dir, 'analyze', join(dir, 'v.csv'), '--all-rows')).out;
    assert.match(text, /\n {2}incidents:\n {4}line 43 {2}critical/);
    assert.match(text, /findings \(\d+\): CSV line, metric, detector, score\n/);
    assert.match(text, /\n {4}line 43 +value +forecast/);
    assert.doesNotMatch(text, /\brow \d/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyze and forecast name at most 10 metrics in a line of text, then how many more', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-wide-'));
  try {
    const names = Array.from({ length: 25 }, (_, k) => `m${k}`);
    let csv = `timestamp,${names.join(',')}\n`;
    for (let i = 0; i < 60; i++) csv += `${new Date(Date.UTC(2026, 0, 5) + i * 60_000).toISOString()},${names.map((_, k) => ((i * (k + 3)) % 11) + k).join(',')}\n`;
    writeFileSync(join(dir, 'wide.csv'), csv);
    const a = await run(dir, 'analyze', join(dir, 'wide.csv'));
    assert.equal(a.code, 0, a.err);
    assert.match(a.out.split('\n')[0], /wide\.csv: 60 rows, 25 metrics \(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9 … and 15 more\)$/);
    const f = await run(dir, 'forecast', join(dir, 'wide.csv'));
    assert.match(f.err, /--metric is required: the CSV has 25 metrics \(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9 … and 15 more\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
