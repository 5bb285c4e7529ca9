import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';

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
    const all: { row: number; timestamp: string; detector: string; metric: string; score: number }[] = json.anomalies;
    const spans: [number, number][] = json.incidents.map((i: { startRow: number; endRow: number }) => [i.startRow, i.endRow]);
    const inThem = all.filter((a) => spans.some(([s, e]) => a.row >= s && a.row <= e)).length;
    assert.ok(all.length > inThem && inThem > 0, `${all.length} flagged, ${inThem} in incidents`);

    const r = await run(dir, 'analyze', join(dir, 'cw.csv'), '--all-rows');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`incidents \\(all\\): ${json.incidents.length} .*; every flagged row: ${all.length} findings, ${inThem} in these incidents, ${all.length - inThem} in none\\n`));
    assert.doesNotMatch(r.out, /in them/);
    const listed = r.out.split('\n').slice(r.out.split('\n').findIndex((l) => l.startsWith('  flagged rows')) + 1).filter(Boolean);
    assert.equal(listed.length, all.length);
    listed.forEach((l, k) => {
      const a = all[k];
      assert.deepEqual(l.trim().split(/\s+/), [a.timestamp, a.metric, a.detector, a.score.toFixed(1)]);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyze --all-rows text lists at most 50 flagged rows, then how many more (JSON has them all)', async () => {
  const r = await run(join(__dirname, '../..'), 'analyze', 'sample-data/stream.csv', '--all-rows', '--detectors', 'iforest');
  assert.equal(r.code, 0, r.err);
  const total = Number(/flagged rows \(([\d,]+)\)/.exec(r.out)![1].replace(/,/g, ''));
  assert.ok(total > 50);
  const tail = r.out.split('\n').slice(r.out.split('\n').findIndex((l) => l.startsWith('  flagged rows')) + 1).filter(Boolean);
  assert.equal(tail.length, 51);
  assert.equal(tail[50], `    … and ${(total - 50).toLocaleString('en')} more (--format json for all)`);
});
