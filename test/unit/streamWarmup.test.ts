import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runStream } from '../../src/cli/commands/stream.ts';
import { main } from '../../src/cli/main.ts';

const T0 = Date.UTC(2026, 0, 5, 8);
const STEP = 5 * 60_000;

/** A CloudWatch-style export: `rows` 5-minute rows of a quiet metric with one clear spike at row `spike`. */
function export5m(rows: number, spike: number): string {
  let s = 'Timestamp,CPUUtilization\n';
  for (let i = 0; i < rows; i++) s += `${new Date(T0 + i * STEP).toISOString()},${(i === spike ? 97 : 20 + 5 * Math.sin(i / 5) + ((i * 7) % 3)).toFixed(2)}\n`;
  return s;
}

async function stream(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await runStream({ argv, stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd });
  return { code, out, err };
}

test('stream says on stderr, not in its output, when the input ends inside the warm-up (a 5-hour export scores all 0)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-warm-'));
  try {
    writeFileSync(join(dir, 'cw.csv'), export5m(61, 40));
    for (const format of ['nab', 'jsonl']) {
      const r = await stream(['cw.csv', '--format', format], dir);
      assert.equal(r.code, 0, r.err);
      // Every score is 0: the warm-up is what the note explains.
      const scores = format === 'nab' ? r.out.trim().split('\n').slice(1).map((l) => Number(l.split(',')[2])) : r.out.trim().split('\n').map((l) => JSON.parse(l).score);
      assert.equal(scores.length, 61);
      assert.ok(scores.every((s) => s === 0));
      assert.equal(r.err, 'cw.csv: warning: stream scores nothing in its warm-up, the first 12h30m of data (151 rows at its 5m step); this input ends after 5h (61 rows), so every score is 0: use analyze for data this short\n', format);
      assert.doesNotMatch(r.out, /warm-up/);
    }
    // Without timestamps the warm-up is a number of rows.
    writeFileSync(join(dir, 'plain.csv'), 'value\n' + export5m(61, 40).split('\n').slice(1, -1).map((l) => l.split(',')[1]).join('\n') + '\n');
    const plain = await stream(['plain.csv'], dir);
    assert.match(plain.err, /^plain\.csv: warning: stream scores nothing in its warm-up, the first 151 rows \(without timestamps, rows are taken as 5m apart\); this input ends after 61 rows/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream gives no warm-up note once a row was scored (a day of 5-minute rows finds the spike)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-warm-'));
  try {
    writeFileSync(join(dir, 'day.csv'), export5m(288, 250));
    const r = await stream(['day.csv', '--format', 'nab'], dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const scores = r.out.trim().split('\n').slice(1).map((l) => Number(l.split(',')[2]));
    assert.ok(scores[250] > 0.5, `spike scored ${scores[250]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream --prometheus with a fixed 5-hour range gives the same warm-up note', async () => {
  // A one-series query_range answer: 5 hours of 5-minute points.
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const start = Number(u.searchParams.get('start')), end = Number(u.searchParams.get('end')), step = Number(u.searchParams.get('step'));
    const values: [number, string][] = [];
    for (let t = start; t <= end; t += step) values.push([t, String(20 + (t / step) % 3)]);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { __name__: 'cpu' }, values }] } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let out = '', err = '';
    const code = await main(['stream', '--prometheus', origin, '--query', 'cpu=cpu', `--start=${T0 / 1000}`, `--end=${(T0 + 5 * 3_600_000) / 1000}`, '--step=5m', '--format', 'nab'],
      { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd: process.cwd() });
    assert.equal(code, 0, err);
    assert.equal(out.trim().split('\n').length, 62);
    assert.match(err, /: warning: stream scores nothing in its warm-up, the first 12h30m of data \(151 rows at its 5m step\); this input ends after 5h \(61 rows\)/);
  } finally {
    server.close();
  }
});

test('stream --follow inside the warm-up says once, when it has read the file through, that scores start later', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-warm-'));
  const ac = new AbortController();
  try {
    writeFileSync(join(dir, 'live.csv'), export5m(30, -1));
    let out = '', err = '';
    const done = runStream({ argv: ['live.csv', '--follow'], stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd: dir }, { signal: ac.signal, pollMs: 20 });
    for (let i = 0; i < 400 && !err; i++) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    assert.equal(await done, 0);
    assert.equal(out.trim().split('\n').length, 30);
    assert.equal(err, 'live.csv: warning: stream scores nothing in its warm-up, the first 12h30m of data (151 rows at its 5m step); 2h25m (30 rows) so far, so the scores are 0 until more rows come\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
