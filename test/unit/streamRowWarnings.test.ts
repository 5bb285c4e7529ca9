import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runStream } from '../../src/cli/commands/stream.ts';
import { main } from '../../src/cli/main.ts';

/** 61 5-minute rows; cells that are not numbers (and a NaN marker) after the first 20, and two rows swapped. */
function messy(): string {
  const lines = ['Timestamp,CPUUtilization'];
  for (let i = 0; i < 61; i++) lines.push(`${new Date(Date.UTC(2026, 0, 5, 8) + i * 300_000).toISOString()},${(20 + (i % 5)).toFixed(2)}`);
  for (const [i, v] of [[25, 'abc'], [29, 'x1'], [32, '--'], [34, 'oops'], [35, 'NaN']] as const) lines[i] = `${lines[i].split(',')[0]},${v}`;
  [lines[40], lines[41]] = [lines[41], lines[40]];
  return lines.join('\n') + '\n';
}

async function cli(runner: 'stream' | 'analyze', argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const ctx = { argv, stdout: (s: string) => { out += s; }, stderr: (s: string) => { err += s; }, env: {}, cwd };
  const code = runner === 'stream' ? await runStream(ctx) : await main(['analyze', ...argv], ctx);
  return { code, out, err };
}

test('stream warns of cells that are not numbers (as analyze, three then a count) and of a time that goes back, with file:line:col', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-rowwarn-'));
  try {
    writeFileSync(join(dir, 'm.csv'), messy());
    const nab = await cli('stream', ['m.csv', '--format', 'nab'], dir);
    assert.equal(nab.code, 0, nab.err);
    const warnings = nab.err.split('\n').filter((l) => !/warm-up/.test(l) && l);
    assert.deepEqual(warnings, [
      `m.csv:26:2: warning: 'abc' in column "CPUUtilization" is not a number: read as missing`,
      `m.csv:30:2: warning: 'x1' in column "CPUUtilization" is not a number: read as missing`,
      `m.csv:33:2: warning: '--' in column "CPUUtilization" is not a number: read as missing`,
      `m.csv:42:1: warning: timestamps are not in order: '2026-01-05T11:15:00.000Z' is before the row above; rows are scored in the order read (analyze sorts them)`,
      'm.csv:26: warning: 1 more like this (non-numeric)',
    ]);
    // analyze says the same of the same cells.
    const analyzed = await cli('analyze', [join(dir, 'm.csv')], dir);
    const cells = (text: string) => text.split('\n').filter((l) => /is not a number|more like this \(non-numeric\)/.test(l)).map((l) => l.replace(/^.*m\.csv/, 'm.csv'));
    assert.deepEqual(cells(analyzed.err), cells(nab.err));
    // The NAB output gives a value as read (a number), and one that is no number as missing: empty, never `abc`.
    const rows = nab.out.trim().split('\n').slice(1).map((l) => l.split(','));
    assert.deepEqual([24, 28, 31, 33, 34].map((r) => rows[r][1]), ['', '', '', '', '']);
    assert.equal(rows[23][1], '23');
    assert.doesNotMatch(nab.out, /abc|oops|x1/);
    const jsonl = (await cli('stream', ['m.csv'], dir)).out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(jsonl[24].metrics.CPUUtilization.value, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--metrics a: analyze and stream say the cells that are no number in column a only, not in the columns left out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-warn-'));
  try {
    const lines = ['time,a,b'];
    for (let i = 0; i < 60; i++) lines.push(`${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${i === 40 ? 'bad' : i % 3},${i === 30 ? 'oops' : i % 5}`);
    const file = join(dir, 'w.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const said = async (...argv: string[]) => {
      let err = '';
      assert.equal(await main(argv, { stdout: () => undefined, stderr: (s) => { err += s; }, env: {}, cwd: dir }), 0, err);
      return err.split('\n').filter((l) => l.includes('is not a number'));
    };
    const only = [`${file}:42:2: warning: 'bad' in column "a" is not a number: read as missing`];
    assert.deepEqual(await said('analyze', file, '--metrics', 'a'), only);
    assert.deepEqual(await said('stream', file, '--metrics', 'a'), only);
    assert.equal((await said('analyze', file)).length, 2, 'without --metrics both columns are read');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a row of another number of fields (a line cut short, a column added mid-file) is skipped by stream as by analyze, never read into the wrong metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-ragged-'));
  try {
    const lines = ['timestamp,cpu,mem'];
    for (let i = 0; i < 300; i++) lines.push(`${new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString()},${(50 + 5 * Math.sin(i / 30)).toFixed(2)},40`);
    const at = (i: number) => new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString();
    // A writer that crashed mid-line, a trailing empty field (kept, as analyze keeps it), a column added.
    lines.push(`${at(300)},5`, `${at(301)},51,40,`, 'timestamp,cpu,disk,mem', `${at(302)},53,900,40`, `${at(303)},51,40`);
    writeFileSync(join(dir, 'r.csv'), lines.join('\n') + '\n');
    const s = await cli('stream', ['r.csv', '--format', 'jsonl'], dir);
    assert.equal(s.code, 0, s.err);
    const skipped = (text: string) => text.split('\n').filter((l) => /row skipped/.test(l)).map((l) => l.replace(/^.*r\.csv/, 'r.csv'));
    assert.deepEqual(skipped(s.err), [
      'r.csv:302:1: warning: row skipped: 2 fields where the header has 3',
      'r.csv:304:1: warning: row skipped: 4 fields where the header has 3',
      'r.csv:305:1: warning: row skipped: 4 fields where the header has 3',
    ]);
    const rows = s.out.trim().split('\n').map((l) => JSON.parse(l) as { line: number; metrics: Record<string, { value: number | null }> });
    assert.deepEqual(rows.slice(-2).map((r) => [r.line, r.metrics.cpu.value, r.metrics.mem.value]), [[303, 51, 40], [306, 51, 40]]);
    assert.ok(rows.every((r) => r.metrics.mem.value === 40), 'no value of another column read as mem');
    const analyzed = await cli('analyze', [join(dir, 'r.csv')], dir);
    assert.deepEqual(skipped(analyzed.err), skipped(s.err));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an overflow written out (1e309, Infinity, -inf) is read as missing with a warning by analyze and stream alike, never an incident', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-inf-'));
  try {
    const lines = ['timestamp,cpu,mem'];
    for (let i = 0; i < 900; i++) lines.push(`${new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString()},${(50 + 5 * Math.sin(i / 30)).toFixed(2)},${40 + (i % 7)}`);
    for (const [i, v] of [[100, '1e309'], [200, 'Infinity'], [300, '-inf']] as const) lines[i] = lines[i].replace(/,[^,]+,/, `,${v},`);
    writeFileSync(join(dir, 'i.csv'), lines.join('\n') + '\n');
    const said = (text: string) => text.split('\n').filter((l) => /finite/.test(l)).map((l) => l.replace(/^.*i\.csv/, 'i.csv'));
    const expected = [
      `i.csv:101:2: warning: '1e309' in column "cpu" is not a finite number: read as missing`,
      `i.csv:201:2: warning: 'Infinity' in column "cpu" is not a finite number: read as missing`,
      `i.csv:301:2: warning: '-inf' in column "cpu" is not a finite number: read as missing`,
    ];
    const analyzed = await cli('analyze', [join(dir, 'i.csv'), '--format', 'json', '--all-rows'], dir);
    assert.equal(analyzed.code, 0, analyzed.err);
    assert.deepEqual(said(analyzed.err), expected);
    const result = JSON.parse(analyzed.out) as { incidents: { startRow: number }[] };
    assert.ok(!result.incidents.some((x) => [99, 199, 299].includes(x.startRow)), 'no incident at an overflow cell');
    const s = await cli('stream', ['i.csv', '--format', 'jsonl'], dir);
    assert.deepEqual(said(s.err), expected);
    const rows = s.out.trim().split('\n').map((l) => JSON.parse(l) as { metrics: { cpu: { value: number | null } } });
    assert.deepEqual([99, 199, 299].map((r) => rows[r].metrics.cpu.value), [null, null, null]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--format nab: a decimal-comma file\'s values are numbers (51.29, not the text "51,29"); the time as written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-nabcomma-'));
  try {
    const lines = ['Zeit;CPU Last'];
    for (let i = 0; i < 30; i++) lines.push(`${String(4 + Math.floor(i / 24)).padStart(2, '0')}.03.2024 ${String(i % 24).padStart(2, '0')}:00;${51 + i % 3},29`);
    writeFileSync(join(dir, 'semi.csv'), lines.join('\n') + '\n');
    const r = await cli('stream', ['semi.csv', '--format', 'nab'], dir);
    assert.equal(r.code, 0, r.err);
    const rows = r.out.trim().split('\n');
    assert.equal(rows[0], 'timestamp,value,anomaly_score');
    assert.deepEqual(rows[1].split(','), ['04.03.2024 00:00', '51.29', '0']);
    assert.ok(rows.slice(1).every((l) => /^[\d. :]+,5[123]\.29,[\d.]+$/.test(l)), rows.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
