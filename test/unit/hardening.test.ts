// Hostile and unlucky inputs (issue 15): every case here crashed, hung, lost data silently or leaked before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, createCsvReader } from '../../src/core/csv/parse.ts';
import { CsvRecordSplitter } from '../../src/node/csvLines.ts';
import { indexIn } from '../../src/core/csv/frame.ts';
import { runAnalysis, settingsFor } from '../../src/core/analyze.ts';
import { main } from '../../src/cli/main.ts';
import { runStream } from '../../src/cli/commands/stream.ts';
import { InputError } from '../../src/node/errors.ts';
import { writeFileAtomic, SameFileError } from '../../src/node/writeFileAtomic.ts';
import { evaluateRules } from '../../src/core/rules/evaluate.ts';
import { validateRules } from '../../src/core/rules/validate.ts';
import { dataContextOf } from '../../src/core/rules/dataContext.ts';
import { codeSpan, hoverOf } from '../../src/core/findings.ts';
import { hoverAt } from '../../src/core/rules/hover.ts';
import { deliver } from '../../src/core/alerting/deliver.ts';
import type { FetchLike } from '../../src/core/alerting/deliver.ts';
import { sendAnomalies } from '../../src/core/alerting/send.ts';
import { checkWebhookUrl } from '../../src/core/alerting/url.ts';
import { startServer } from './alertingServer.ts';
import { incidentsOfFindings } from '../../src/core/alerting/incidentsOf.ts';
import { getOwn } from '../../src/core/own.ts';
import { ANALYSIS_WORKER_LIMITS } from '../../src/extension/workerProtocol.ts';
import { dashboardCsp, plotlyPageHtml, restorablePath, setPageOrDispose } from '../../src/extension/webviewSecurity.ts';
import { isWebviewMessage } from '../../src/protocol.ts';
import { SETTINGS_SCHEMA } from '../../src/extension/settingsSchema.ts';
import { overOpenLimit } from '../../src/core/fileStates.ts';

const repo = join(__dirname, '../..');
const cliArgs = ['--import', 'tsx', join(repo, 'src/cli/main.ts')];

async function run(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd });
  return { code, out, err };
}

function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `ah-${name}-`));
}

function wideCsv(cols: number, rows: number): string {
  let s = Array.from({ length: cols }, (_, i) => `c${i}`).join(',') + '\n';
  for (let r = 0; r < rows; r++) s += Array.from({ length: cols }, (_, i) => (i * 7 + r * 13) % 97).join(',') + '\n';
  return s;
}

function minuteRows(from: number, to: number, value: (i: number) => string = (i) => String(i % 10)): string {
  let s = '';
  for (let i = from; i < to; i++) s += `${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${value(i)}\n`;
  return s;
}

/** Splits text with the stream's splitter in pieces of `size`; its records and error. */
function splitAll(text: string, size: number) {
  const sp = new CsvRecordSplitter();
  const records = [];
  for (let p = 0; p < text.length; p += size) records.push(...sp.push(text.slice(p, p + size)));
  records.push(...sp.flush());
  return { records, error: sp.error };
}

// ── 1. Very wide CSVs ────────────────────────────────────────────────────────────────────────────────

test('a CSV with 250,000 columns is refused at once, with its line, by the analyze reader and the stream alike', { timeout: 20_000 }, () => {
  const text = wideCsv(250_000, 3);
  const t0 = performance.now();
  const r = parseCsv(text);
  assert.equal(r.frame, null);
  assert.deepEqual(r.issues.map((i) => [i.code, i.line, i.column]), [['too-many-columns', 1, 1]]);
  assert.match(r.issues[0].message, /250,000 fields; at most 10,000/);
  const s = splitAll(text, 65536);
  assert.deepEqual(s.records, []);
  assert.deepEqual([s.error?.code, s.error?.line], ['too-many-columns', 1]);
  assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
});

test('a 10,000-column file loads and is analysed by every detector in seconds', { timeout: 60_000 }, () => {
  const t0 = performance.now();
  const r = parseCsv(wideCsv(10_000, 8));
  assert.ok(r.frame, JSON.stringify(r.issues[0]));
  assert.equal(r.frame.metrics.length, 10_000);
  const result = runAnalysis(r.frame, settingsFor(null), { path: 'wide.csv', sha256: '' });
  assert.ok(result.detectors.iforest && result.detectors.forecast);
  const ms = performance.now() - t0;
  // Linear lookups of metric names inside loops over the metrics took minutes here.
  assert.ok(ms < 30_000, `took ${ms} ms`);
});

test('indexIn is indexOf in constant time: the first of repeated names, -1 when absent', () => {
  const list = ['a', 'b', 'a', '__proto__', 'constructor'];
  for (const n of ['a', 'b', '__proto__', 'constructor', 'toString', 'c']) assert.equal(indexIn(list, n), list.indexOf(n), n);
});

test('a header of 10,000 identical names is de-duplicated quickly, and a message lists only some columns', { timeout: 20_000 }, () => {
  const t0 = performance.now();
  const r = parseCsv(Array(10_000).fill('x').join(',') + '\n' + Array(10_000).fill('a').join(',') + '\n');
  assert.equal(r.issues[0].code, 'no-numeric-column');
  assert.ok(r.issues[0].message.length < 600, `${r.issues[0].message.length} characters`);
  assert.match(r.issues[0].message, /and 9,980 more/);
  assert.ok(performance.now() - t0 < 5000);
});

test('a reader with a value limit refuses a larger file as soon as it passes it (the analysis worker reads with one)', () => {
  let text = 'timestamp,a,b\n';
  for (let i = 0; i < 4000; i++) text += `${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${i % 7},${i % 5}\n`;
  const r = createCsvReader({ maxValues: 1000 });
  r.push(text.slice(0, 80_000));
  assert.equal(r.failed, true, 'stops before the end of the text');
  const issue = r.end().issues[0];
  assert.deepEqual([issue.code, issue.line], ['too-large', 502]);
  assert.match(issue.message, /more than 1,000 values \(500 rows of 2 metrics\)/);
  assert.ok(parseCsv(text, { maxValues: 8000 }).frame);
  assert.ok(ANALYSIS_WORKER_LIMITS.maxValues >= 1_000_000 && ANALYSIS_WORKER_LIMITS.maxValues <= 5_000_000);
  assert.ok(ANALYSIS_WORKER_LIMITS.resourceLimits.maxOldGenerationSizeMb <= 2048);
});

// ── 2. One CSV reader for stream and analyze ─────────────────────────────────────────────────────────

test('a stray quote stops stream with an error at its line and column (exit 1), where analyze reports it', async () => {
  const dir = tempDir('quote');
  try {
    const lines = ('timestamp,value\n' + minuteRows(0, 400)).split('\n');
    lines[10] = lines[10].replace(',', ',"');
    writeFileSync(join(dir, 'q.csv'), lines.join('\n'));
    const a = await run(dir, 'analyze', join(dir, 'q.csv'));
    assert.equal(a.code, 1);
    assert.match(a.err, /q\.csv:11:26: error: unclosed quoted field/);
    const s = await run(dir, 'stream', 'q.csv');
    assert.equal(s.code, 1, 'stream used to print 9 rows and exit 0');
    assert.match(s.err, /^q\.csv:11:26: error: unclosed quoted field/m);
    assert.equal(s.out.trim().split('\n').length, 9, 'the rows before the quote');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream and analyze find the same syntax errors at the same line and column, whatever the chunk sizes', () => {
  const cases: [string, string, number, number][] = [
    ['t,v\n1,2\n3,"4\n5,6\n', 'unclosed-quote', 3, 3],
    ['t,v\n1,2\n3,"4"x\n5,6\n', 'bad-quote', 3, 5],
    ['t,v\n1,"2"\r\n"3" ,4\n5,"6""7"z\n', 'bad-quote', 4, 8],
    ['t,v\n' + '9,'.repeat(12_000) + '1\n', 'too-many-columns', 2, 1],
  ];
  for (const [text, code, line, column] of cases) {
    const a = parseCsv(text).issues.find((i) => i.severity === 'error');
    assert.deepEqual([a?.code, a?.line, a?.column], [code, line, column], `analyze: ${JSON.stringify(text.slice(0, 30))}`);
    for (const size of [1, 3, 4096]) {
      const reader = createCsvReader();
      for (let p = 0; p < text.length; p += size) reader.push(text.slice(p, p + size));
      const c = reader.end().issues.find((i) => i.severity === 'error');
      assert.deepEqual([c?.code, c?.line, c?.column], [code, line, column], `analyze in pieces of ${size}`);
      const s = splitAll(text, size).error;
      assert.deepEqual([s?.code, s?.line, s?.column], [code, line, column], `stream in pieces of ${size}: ${JSON.stringify(text.slice(0, 30))}`);
    }
  }
  // A quote inside an unquoted field is an ordinary character for both.
  const ok = 't,v\n1,2"\n3,4\n5,6\n7,8\n9,10\n';
  assert.deepEqual(parseCsv(ok).issues.map((i) => [i.code, i.line, i.column]), [['non-numeric', 2, 2]]);
  assert.deepEqual(splitAll(ok, 2).records.map((r) => r.fields).slice(0, 3), [['t', 'v'], ['1', '2"'], ['3', '4']]);
});

test('an unfinished record is never re-read: 17 MB of one line in 64 KB pieces is refused in well under a second per MB', { timeout: 30_000 }, () => {
  const piece = 'x'.repeat(65536);
  for (const make of [() => new CsvRecordSplitter(), () => createCsvReader()]) {
    const r = make();
    const t0 = performance.now();
    r.push('a,b\n');
    for (let i = 0; i < 17 * 16; i++) r.push(piece);
    const error = r instanceof CsvRecordSplitter ? r.error : r.end().issues[0];
    const ms = performance.now() - t0;
    assert.deepEqual([error?.code, error?.line], ['line-too-long', 2]);
    assert.ok(ms < 3000, `${ms} ms`);
  }
  // A line over 16 MB without quotes is not an unclosed quote (it used to be reported as one).
  const r = createCsvReader();
  r.push('a\n' + 'y'.repeat(17 << 20));
  assert.equal(r.end().issues[0].code, 'line-too-long');
});

test('SIGTERM stops stream promptly, in the middle of a large file', { timeout: 60_000 }, async () => {
  const dir = tempDir('term');
  try {
    const file = join(dir, 'big.csv');
    const out = createWriteStream(file);
    out.write('timestamp,value\n');
    const block = minuteRows(0, 20_000);
    for (let k = 0; k < 60; k++) if (!out.write(block)) await once(out, 'drain');
    out.end();
    await once(out, 'close');
    const child = spawn(process.execPath, [...cliArgs, 'stream', file], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    await once(child.stdout, 'data');
    const t0 = performance.now();
    child.kill('SIGTERM');
    child.stdout.resume();
    const [code] = await once(child, 'exit');
    const ms = performance.now() - t0;
    assert.ok(ms < 3000, `stopped ${ms} ms after SIGTERM`);
    assert.equal(code, 1, err);
    assert.match(err, /stopped before the end of/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ── 5. Atomic writes ──────────────────────────────────────────────────────────────────────────────────

test('writeFileAtomic: a write that fails leaves the old file whole and no temporary file behind', async () => {
  const dir = tempDir('atomic');
  try {
    const file = join(dir, 'prev.json');
    writeFileSync(file, '{"good":true}\n');
    function* failing() { yield '{"partial":'; throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }); }
    await assert.rejects(writeFileAtomic(file, failing()), (e: NodeJS.ErrnoException) => e.code === 'ENOSPC');
    assert.equal(readFileSync(file, 'utf8'), '{"good":true}\n');
    assert.deepEqual(readdirSync(dir), ['prev.json']);
    await writeFileAtomic(file, ['{"new":', 'true}\n']);
    assert.equal(readFileSync(file, 'utf8'), '{"new":true}\n');
    assert.deepEqual(readdirSync(dir), ['prev.json']);
    await assert.rejects(writeFileAtomic(file, ['x'], [file]), SameFileError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyze refuses an --out that is its input (exit 2, input untouched) and exits 1 when the output cannot be written', async () => {
  const dir = tempDir('out');
  try {
    const csv = 'timestamp,value\n' + minuteRows(0, 50);
    writeFileSync(join(dir, 'x.csv'), csv);
    const x = join(dir, 'x.csv');
    const same = await run(dir, 'analyze', x, '--out', 'x.csv', '--detectors', 'iforest');
    assert.equal(same.code, 2, same.err);
    assert.match(same.err, /input file/);
    assert.equal(readFileSync(join(dir, 'x.csv'), 'utf8'), csv);
    const bad = await run(dir, 'analyze', x, '--out', 'no/such/dir/out.json', '--format', 'json', '--detectors', 'iforest');
    assert.equal(bad.code, 1, bad.err);
    assert.match(bad.err, /cannot write the output \(ENOENT\)/);
    assert.doesNotMatch(bad.err, /--help/);
    const ok = await run(dir, 'analyze', x, '--out', 'r.json', '--format', 'json', '--detectors', 'iforest');
    assert.equal(ok.code, 0, ok.err);
    assert.equal(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).rows, 50);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ── 6. Columns and rules named like Object's properties ───────────────────────────────────────────────

const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

function protoCsv(): string {
  let s = `timestamp,${PROTO_NAMES.join(',')}\n`;
  for (let i = 0; i < 300; i++) {
    s += new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString() + ',' + PROTO_NAMES.map((_, k) => (10 * (k + 1) + 5 * Math.sin(i / (k + 3)) + (i === 150 ? 50 : 0)).toFixed(3)).join(',') + '\n';
  }
  return s;
}

test('columns named __proto__, constructor, toString… are analysed, forecast and streamed like any other', async () => {
  const dir = tempDir('proto');
  try {
    writeFileSync(join(dir, 'p.csv'), protoCsv());
    const a = await run(dir, 'analyze', join(dir, 'p.csv'), '--format', 'json');
    assert.equal(a.code, 0, a.err);
    const doc = JSON.parse(a.out);
    assert.deepEqual(Object.keys(doc.forecast), PROTO_NAMES);
    const f = await run(dir, 'forecast', join(dir, 'p.csv'), '--metric', 'constructor');
    assert.equal(f.code, 0, f.err);
    const s = await run(dir, 'stream', 'p.csv');
    assert.equal(s.code, 0, s.err);
    assert.deepEqual(Object.keys(JSON.parse(s.out.split('\n')[0]).metrics), PROTO_NAMES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rules named __proto__ and constructor are evaluated and reported; a threshold map never yields Object\'s members', () => {
  const frame = parseCsv(protoCsv()).frame!;
  const v = validateRules(`version: 1
rules:
  - {name: __proto__, metric: constructor, op: ">", threshold: 30}
  - {name: constructor, metric: __proto__, op: ">", threshold: 30}
  - {name: toString, metric: valueOf, op: ">", threshold: 1000}
`);
  assert.ok(v.rules, JSON.stringify(v.diagnostics));
  const ev = evaluateRules(v.rules, frame, { thresholds: {} });
  assert.deepEqual(Object.keys(ev.perRule), ['__proto__', 'constructor', 'toString']);
  assert.equal(getOwn(ev.perRule, '__proto__')?.fires, 1);
  assert.equal(getOwn(ev.perRule, 'constructor')?.fires, 1);
  assert.equal(getOwn(ev.perRule, 'toString')?.fires, 0);
  const r = runAnalysis(frame, settingsFor(v.rules, { detectors: { iforest: false, forecast: false, rules: true }, thresholds: {} }), { path: 'p.csv', sha256: '' });
  const listed = (r.detectors.rules as { rules: { name: string; threshold: unknown }[] }).rules;
  assert.deepEqual(listed.map((x) => [x.name, x.threshold]), [['__proto__', 30], ['constructor', 30], ['toString', 1000]]);
});

// ── 7. Device files and other non-regular files ───────────────────────────────────────────────────────

test('device files are refused at once by analyze, forecast, stream and check, also through a rules file\'s data: key', { skip: process.platform === 'win32', timeout: 120_000 }, async () => {
  const dir = tempDir('dev');
  try {
    writeFileSync(join(dir, 'x.csv'), 'timestamp,value\n' + minuteRows(0, 30));
    writeFileSync(join(dir, 'r.yaml'), 'version: 1\ndata: /dev/zero\nrules: []\n');
    const cases: [string[], number, RegExp][] = [
      [['analyze', '/dev/zero'], 2, /a device, not a regular file/],
      [['forecast', '/dev/zero'], 2, /a device, not a regular file/],
      [['stream', '/dev/zero'], 2, /a device, not a regular file/],
      [['check', join(dir, 'r.yaml')], 0, /cannot check the rules against \/dev\/zero: a device/],
      [['check', join(dir, 'r.yaml'), '--data', '/dev/zero'], 2, /a device/],
      [['analyze', join(dir, 'x.csv'), '--rules', '/dev/zero'], 2, /a device/],
      [['send', '/dev/zero', '--dry-run'], 2, /a device/],
    ];
    // In parallel (each is a process); a hang is killed after 15 s and fails the case.
    const results = await Promise.all(cases.map(async ([argv]) => {
      const child = spawn(process.execPath, [...cliArgs, ...argv], { cwd: repo, timeout: 15_000 });
      let text = '';
      child.stdout.on('data', (d) => { text += d; });
      child.stderr.on('data', (d) => { text += d; });
      const [status] = await once(child, 'exit');
      return { status, text };
    }));
    cases.forEach(([argv, code, message], k) => {
      assert.equal(results[k].status, code, `${argv.join(' ')}: ${results[k].text}`);
      assert.match(results[k].text, message, argv.join(' '));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the reader stops at the first fatal problem: a failed reader says so, so the file is not read to its end', () => {
  const r = createCsvReader();
  r.push('\u0000\u0001\u0002binary'.repeat(20_000));
  assert.equal(r.failed, true);
  const ok = createCsvReader();
  ok.push('a,b\n1,2\n');
  assert.equal(ok.failed, false);
});

// Keep the type import used (InputError is what stream throws for a syntax error).
test('stream reports a syntax error as an InputError with the position', async () => {
  const dir = tempDir('inerr');
  try {
    writeFileSync(join(dir, 'b.csv'), 't,v\n1,2\n3,"4"x\n');
    const ctx = { argv: ['b.csv'], stdout: () => undefined, stderr: () => undefined, env: {}, cwd: dir };
    await assert.rejects(runStream(ctx), (e: unknown) => e instanceof InputError && e.line === 3 && e.column === 5 && /must be doubled/.test(e.message));
    assert.ok(statSync(join(dir, 'b.csv')).size > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ── 4. Markdown injection in hovers ──────────────────────────────────────────────────────────────────

test('codeSpan keeps any text literal: its fence is longer than every backtick run inside', () => {
  assert.equal(codeSpan('cpu > 90'), '`cpu > 90`');
  assert.equal(codeSpan('a`b'), '``a`b``');
  assert.equal(codeSpan('`x` ![i](https://e/p.png) `'), '`` `x` ![i](https://e/p.png) ` ``');
  assert.equal(codeSpan('a``b\nc'), '```a``b c```');
});

test('a hostile rule or column name renders as text in the row hover: no image, no command link', () => {
  const evil = 'x` ![t](https://evil.example/p.png) [open](command:anomalyHunter.showRowInDashboard?%5B%22file%3A%2F%2F%2Fetc%2Fpasswd%22%2C1%5D) `';
  const md = hoverOf([{ row: 0, timestamp: null, detector: 'rule', rule: evil, metric: evil, value: 5, score: 20, severity: 'warning', message: `${evil} = 5 > 1` }], {
    row: 0, line: 2, timestamp: null, rules: { [evil]: { metric: evil, op: '>', threshold: 1, forMs: 0, keepFiringForMs: 0 } },
  });
  const fence = '``';
  assert.ok(md.includes(`${fence} ${evil} ${fence}: ${fence}${evil} > 1${fence}`), md);
  // Outside the code spans (CommonMark: a run of n backticks up to the next run of exactly n), every bracket
  // and parenthesis is escaped: nothing can form a link or an image.
  const outside = md.replace(/(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '').replace(/\\./g, '');
  assert.doesNotMatch(outside, /\]\(|!\[/, outside);
  assert.match(outside, /value 5 — /);
});

test('the rules editor hover escapes metric and file names from the data', () => {
  const frame = parseCsv('timestamp,"a*b](x)"\n2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,2\n').frame!;
  const text = 'version: 1\nrules:\n  - name: r\n    metric: "[img](https://e/p.png)"\n    op: ">"\n    threshold: 1\n';
  const md = hoverAt(text, text.indexOf('[img]') + 2, dataContextOf(frame, '![f](https://e/f.png).csv'));
  assert.ok(md);
  assert.doesNotMatch(md.replace(/\\./g, ''), /\]\(/, md);
});

// ── 3. stream --follow across rotation and truncation ───────────────────────────────────────────────

function followCapture(argv: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx = { argv, stdout: (s: string) => { out.push(s); }, stderr: (s: string) => { err.push(s); }, env: {}, cwd };
  return { ctx, rows: () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)), err: () => err.join('') };
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const minuteOf = (ts: string): number => (Date.parse(ts) - Date.UTC(2024, 0, 1)) / 60_000;

test('stream --follow reads a rotated file to its end, also what the writer appends to it after the rename', async () => {
  const dir = tempDir('rot');
  const file = join(dir, 'live.csv');
  const ac = new AbortController();
  try {
    writeFileSync(file, 'timestamp,value\n' + minuteRows(0, 10));
    const c = followCapture(['live.csv', '--follow'], dir);
    const done = runStream(c.ctx, { signal: ac.signal, pollMs: 20, rotationGraceMs: 300 });
    await waitFor(() => c.rows().length === 10, 'the first rows');
    const { renameSync, appendFileSync } = await import('node:fs');
    renameSync(file, file + '.1');
    writeFileSync(file, 'timestamp,value\n' + minuteRows(100, 103));
    // The writer has not reopened yet: 20 more rows go to the old file.
    for (let k = 10; k < 30; k += 5) { appendFileSync(file + '.1', minuteRows(k, k + 5)); await new Promise((r) => setTimeout(r, 30)); }
    await waitFor(() => c.rows().length === 33, 'every row of both files');
    ac.abort();
    assert.equal(await done, 0);
    const minutes = c.rows().map((r) => minuteOf(r.timestamp));
    assert.deepEqual(minutes, [...Array.from({ length: 30 }, (_, i) => i), 100, 101, 102]);
  } finally {
    ac.abort();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream --follow after copytruncate: the rows written from the top again, without a header, keep the columns', async () => {
  const dir = tempDir('copytrunc');
  const file = join(dir, 'live.csv');
  const ac = new AbortController();
  try {
    writeFileSync(file, 'timestamp,value\n' + minuteRows(0, 30, (i) => String(300 + i)));
    const c = followCapture(['live.csv', '--follow'], dir);
    const done = runStream(c.ctx, { signal: ac.signal, pollMs: 20 });
    await waitFor(() => c.rows().length === 30, 'the first rows');
    const { truncateSync, appendFileSync } = await import('node:fs');
    truncateSync(file, 0);
    appendFileSync(file, minuteRows(30, 60, (i) => String(300 + i)));
    await waitFor(() => c.rows().length === 60, 'the rows after the truncation');
    ac.abort();
    assert.equal(await done, 0);
    const rows = c.rows();
    assert.deepEqual(rows.map((r) => minuteOf(r.timestamp)), Array.from({ length: 60 }, (_, i) => i));
    assert.ok(rows.every((r) => Object.keys(r.metrics).join() === 'value'), 'no row read as a header');
    assert.match(c.err(), /starts again without a header/);
  } finally {
    ac.abort();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream --follow sees a file cut and written again past its old size between two looks', async () => {
  const dir = tempDir('regrow');
  const file = join(dir, 'live.csv');
  const ac = new AbortController();
  try {
    writeFileSync(file, 'timestamp,value\n' + minuteRows(0, 20));
    const c = followCapture(['live.csv', '--follow'], dir);
    const done = runStream(c.ctx, { signal: ac.signal, pollMs: 20 });
    await waitFor(() => c.rows().length === 20, 'the first rows');
    // One call: truncated and rewritten, longer than before (the size never drops below what was read).
    writeFileSync(file, 'timestamp,value\n' + minuteRows(500, 560));
    await waitFor(() => c.rows().length === 80, 'every row of the new content');
    ac.abort();
    assert.equal(await done, 0);
    const minutes = c.rows().map((r) => minuteOf(r.timestamp));
    assert.deepEqual(minutes.slice(20), Array.from({ length: 60 }, (_, i) => 500 + i));
    assert.match(c.err(), /truncated/);
  } finally {
    ac.abort();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ── 9, 10, 15. Webhooks ─────────────────────────────────────────────────────────────────────────────

test('a receiver that echoes only parts of the URL (a path segment, a query value, decoded) leaks none of them', async () => {
  const secretPath = '/services/T0001/B0002/s3cr3tT0k3n';
  const server = await startServer((res, _n, req) => {
    const u = new URL(req.url, 'http://x');
    res.statusCode = 403;
    res.end(`bad token "${u.pathname.split('/').pop()}" for team T0001; key=${u.searchParams.get('key')} (${decodeURIComponent(u.search)})`);
  });
  try {
    const url = `${server.origin}${secretPath}?key=p%40ss%20word&x=1`;
    const out = await deliver(url, '{}', { fetch: globalThis.fetch as unknown as FetchLike });
    assert.ok(!out.ok);
    for (const part of ['s3cr3tT0k3n', 'T0001', 'p@ss word', 'p%40ss']) assert.ok(!out.reason.includes(part), `${part} in: ${out.reason}`);
  } finally {
    await server.close();
  }
});

test('a receiver\'s huge reply is not read whole: a few KB, then the stream is cancelled', { timeout: 30_000 }, async () => {
  let written = 0;
  const server = await startServer((res) => {
    res.statusCode = 400;
    const chunk = Buffer.alloc(1 << 20, 'e');
    const pump = (): void => {
      while (written < 200 << 20) {
        written += chunk.length;
        if (!res.write(chunk)) { res.once('drain', pump); return; }
      }
      res.end();
    };
    pump();
  });
  try {
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    const out = await deliver(`${server.origin}/hook`, '{}', { fetch: globalThis.fetch as unknown as FetchLike });
    assert.ok(!out.ok && /^HTTP 400/.test(out.reason));
    assert.ok(out.reason.length < 300);
    assert.ok(performance.now() - t0 < 5000);
    assert.ok(written < 100 << 20, `the server wrote ${written >> 20} MB before the client hung up`);
    assert.ok(process.memoryUsage().rss - before < 100 << 20);
  } finally {
    await server.close();
  }
});

test('one send keeps within its time budget, however many messages it has', async () => {
  let t = 0;
  const fetch = (async () => { t += 4000; return { status: 200, headers: { get: () => null }, text: async () => 'ok' }; }) as unknown as FetchLike;
  const anomalies = Array.from({ length: 40 }, (_, i) => ({ row: i, timestamp: null, detector: 'iforest' as const, metric: `m${i}`, value: 1, score: 90, severity: 'critical' as const, message: `m${i} unusual` }));
  const out = await sendAnomalies(anomalies, { url: 'https://hooks.example.invalid/x', format: 'zapier', fetch, now: () => t, maxTotalMs: 30_000, sleep: async () => undefined });
  assert.equal(out.ok, false);
  assert.match(out.reason ?? '', /budget ran out/);
  assert.ok(t <= 34_000, `${t} ms of sending`);
});

test('a webhook URL with user:pass@ is refused up front, not after four retries', () => {
  const c = checkWebhookUrl('https://user:pw1234@hooks.example.com/services/x');
  assert.equal(c.ok, false);
  assert.ok(!c.ok && /user name or password/.test(c.reason) && !c.reason.includes('pw1234'));
});

// ── 11, 12, 16. The extension's settings and webview ─────────────────────────────────────────────────

test('in Restricted Mode the workspace cannot choose the rules files read or the size analysed on open', () => {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
  for (const key of ['defaultRulesFile', 'rulesFiles', 'analyzeOnOpenMaxMB']) assert.ok(restricted.includes(`anomalyHunter.${key}`), key);
  for (const key of restricted) assert.ok(pkg.contributes.configuration.properties[key], `${key} is a contributed setting`);
});

test('a restored dashboard reopens only an existing CSV or TSV file (plain or .gz) named by an absolute path', async () => {
  const dir = tempDir('restore');
  try {
    const csv = join(dir, 'a.csv');
    writeFileSync(csv, 'a\n1\n');
    assert.equal(await restorablePath(csv), csv);
    const gz = join(dir, 'b.TSV.gz');
    writeFileSync(gz, 'x');
    assert.equal(await restorablePath(gz), gz);
    writeFileSync(join(dir, 'c.gz'), 'x');
    for (const bad of [undefined, 42, 'a.csv', 'b.csv.gz', '/etc/passwd', join(dir, 'none.csv'), join(dir, 'none.csv.gz'), join(dir, 'c.gz'), dir + '.csv', `${csv}\u0000.csv`, { path: csv }]) {
      assert.equal(await restorablePath(bad), undefined, String(bad));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the dashboard CSP forbids <base> and form posts besides everything not allowed', () => {
  const csp = dashboardCsp('n0nce');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /style-src 'nonce-n0nce'(;|$)/, 'styles only with the nonce: nothing is fetched');
  assert.match(csp, /img-src data:(;|$)/);
  assert.match(csp, /base-uri 'none'/);
  assert.match(csp, /form-action 'none'/);
  assert.match(csp, /script-src 'nonce-n0nce'/);
});

test('the dashboard page keeps messages that arrive before its script: a nonce\'d inline listener after the CSP and before every other resource', () => {
  const page = (keepEarlyMessages?: boolean): string => plotlyPageHtml({ nonce: 'n0nce', title: 't', testid: 'dashboard', styles: ['.a{color:red}'], scripts: ['window.mainJs=1', 'window.plotlyJs=2'], keepEarlyMessages });
  const html = page(true);
  const inline = [...html.matchAll(/<script nonce="n0nce">([^<]*)<\/script>/g)].map((m) => m[1]);
  assert.equal(inline.length, 3, 'the listener and the two scripts');
  assert.match(inline[0], /addEventListener\('message'/);
  assert.deepEqual(inline.slice(1), ['window.mainJs=1', 'window.plotlyJs=2'], 'the scripts in order');
  const at = html.indexOf(inline[0]);
  assert.ok(html.indexOf('Content-Security-Policy') < at, 'after the CSP');
  assert.ok(at < html.indexOf('.a{color:red}') && at < html.indexOf('mainJs'), 'before the stylesheet and the scripts');
  assert.match(html, /<style nonce="n0nce">\.a\{color:red\}<\/style>/);
  assert.equal(/src=|href=/.test(html), false, 'nothing fetched');
  assert.equal(page().includes('__earlyMessages'), false, 'no listener unless asked');
  assert.equal(isWebviewMessage({ type: 'ready' }), true);
  assert.equal(isWebviewMessage({ type: 'ready', hasModel: true }), true);
  assert.equal(isWebviewMessage({ type: 'ready', hasModel: 'yes' }), false);
});

test('a page script or style that would end its element early, or change how the rest is parsed, is refused with the reason', () => {
  const page = (scripts: string[], styles: string[] = []): string => plotlyPageHtml({ nonce: 'n', title: 't', testid: 'd', styles, scripts });
  assert.throws(() => page(['var s = "</SCRIPT><img src=x onerror=alert(1)>"']), /contains "<\/SCRIPT" at 9/);
  assert.throws(() => page(['x <!-- y']), /contains "<!--"/);
  assert.throws(() => page([], ['a{}</style><script>alert(1)</script>']), /style contains "<\/style"/);
  assert.doesNotThrow(() => page(['if (a < b) c = "<\\/script>"']));
});

test('every script and style the pages write inline can be written inline: the pages\' bundles as built for the package, Plotly and the stylesheets', async () => {
  const esbuild = await import('esbuild');
  const root = join(__dirname, '../..');
  const bundle = async (entry: string): Promise<string> => (await esbuild.build({
    entryPoints: [join(root, entry)], bundle: true, write: false, minify: true, platform: 'browser', format: 'iife', target: 'es2022',
  })).outputFiles[0].text;
  const scripts = [await bundle('webview/main.ts'), await bundle('webview/analytics/main.ts'), readFileSync(join(root, 'node_modules/plotly.js-basic-dist-min/plotly-basic.min.js'), 'utf8')];
  const styles = ['webview/dashboard.css', 'webview/analytics/analytics.css'].map((f) => readFileSync(join(root, f), 'utf8'));
  assert.ok(scripts.every((s) => s.length > 10_000));
  assert.doesNotThrow(() => plotlyPageHtml({ nonce: 'n', title: 't', testid: 'd', styles, scripts, keepEarlyMessages: true }));
});

test('values near ±1.7e308 skip the forecast with a warning instead of a band of nulls', () => {
  let text = 'timestamp,big,ok\n';
  for (let i = 0; i < 200; i++) text += `${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${i % 2 ? 1.7e308 : -1.7e308},${i % 10}\n`;
  const frame = parseCsv(text).frame!;
  const r = runAnalysis(frame, settingsFor(null, { detectors: { iforest: false, forecast: true } }), { path: 'h.csv', sha256: '' });
  assert.deepEqual(Object.keys(r.forecast ?? {}), ['ok']);
  assert.ok(r.warnings.some((w) => /big has values too large to fit/.test(w)), r.warnings.join('\n'));
});

test('a timestamp column with some out-of-range dates is not dropped silently', () => {
  let text = 'timestamp,v\n';
  for (let i = 0; i < 100; i++) text += `${i % 5 === 3 ? '9999-99-99T00:00:00Z' : new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${i % 7}\n`;
  const r = parseCsv(text);
  assert.equal(r.frame?.timestampColumn, null);
  const w = r.issues.find((i) => i.code === 'timestamp-ignored');
  assert.ok(w, JSON.stringify(r.issues));
  assert.match(w.message, /"timestamp" is not read as the time: 20 of 100 sampled values are not timestamps \(e\.g\. '9999-99-99T00:00:00Z'\)/);
});

test('a named pipe is never opened from a rules file\'s data: key or by stream (opening one waits for a writer)', { skip: process.platform === 'win32', timeout: 30_000 }, async () => {
  const dir = tempDir('fifo');
  try {
    const fifo = join(dir, 'p.csv');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status !== 0) return;
    writeFileSync(join(dir, 'r.yaml'), `version: 1\ndata: ${fifo}\nrules: []\n`);
    const check = await run(dir, 'check', join(dir, 'r.yaml'));
    assert.equal(check.code, 0);
    assert.match(check.out, /a pipe, not a regular file/);
    const s = await run(dir, 'stream', fifo);
    assert.equal(s.code, 2);
    assert.match(s.err, /a pipe, not a regular file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an epoch time past the range of a Date is a bad timestamp for stream and analyze, never a crash (fuzz seed 1, case 2450)', async () => {
  const dir = tempDir('epoch');
  try {
    let text = 'timestamp\tcpu\n';
    for (let i = 0; i < 40; i++) text += `${i === 30 ? 170407484074880 : 1704067200 + i * 60}\t${(50 + Math.sin(i)).toFixed(3)}\n`;
    writeFileSync(join(dir, 'e.csv'), text);
    const s = await run(dir, 'stream', 'e.csv');
    assert.equal(s.code, 0, s.err);
    const rows = s.out.trim().split('\n').map((l) => JSON.parse(l));
    // Skipped, as analyze skips a row whose time it cannot read, and said so (line 32: row 30 below the header).
    assert.equal(rows.length, 39);
    assert.ok(rows.every((r) => r.timestamp !== null));
    assert.match(s.err, /e\.csv:32:1: warning: row skipped: '170407484074880' is not a timestamp/);
    // analyze decides from 500 rows: a later row past the range is a skipped row with a warning.
    let long = 'timestamp\tcpu\n';
    for (let i = 0; i < 600; i++) long += `${i === 550 ? 170407484074880 : 1704067200 + i * 60}\t${(50 + Math.sin(i)).toFixed(3)}\n`;
    const r = parseCsv(long);
    assert.equal(r.frame?.timestampColumn, 'timestamp');
    assert.equal(r.frame?.rows, 599);
    assert.ok(r.issues.some((i) => i.code === 'bad-timestamp' && i.line === 552), JSON.stringify(r.issues));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a results file with a finding at row 1,000,000,000 is merged into incidents without gigabytes of frame', { timeout: 20_000 }, () => {
  const f = (row: number, metric: string, score = 80) => ({ row, timestamp: null, detector: 'iforest' as const, metric, value: row % 100, score, severity: 'critical' as const, message: `${metric} unusual` });
  const far = 30_000_000;
  const findings = [f(100, 'cpu'), f(104, 'mem'), f(115, 'cpu'), f(far, 'cpu', 90), f(far + 7, 'cpu'), f(far + 18, 'mem'), f(1_000_000_000, 'disk')];
  const t0 = performance.now();
  const got = incidentsOfFindings(findings);
  assert.ok(performance.now() - t0 < 2000);
  assert.deepEqual(got.map((i) => [i.startRow, i.endRow, i.peakRow, i.count, i.id]), [
    [100, 104, 100, 2, 'row100/cpu'], [115, 115, 115, 1, 'row115/cpu'], [far, far + 7, far, 2, `row${far}/cpu`], [far + 18, far + 18, far + 18, 1, `row${far + 18}/mem`], [1_000_000_000, 1_000_000_000, 1_000_000_000, 1, 'row1000000000/disk'],
  ]);
  // The same findings near row 0 (a dense frame) give the same incidents, shifted.
  const near = incidentsOfFindings(findings.slice(3, 6).map((a) => ({ ...a, row: a.row - far + 200 })));
  assert.deepEqual(near.map((i) => [i.startRow - 200, i.endRow - 200, i.count, i.summary]), got.slice(2, 4).map((i) => [i.startRow - far, i.endRow - far, i.count, i.summary]));
});

test('analyzeOnOpenMaxMB 0 means no limit, for the editor\'s findings and the rules editor alike', () => {
  assert.equal(overOpenLimit(10 << 30, 0), false);
  assert.equal(overOpenLimit(50 << 20, 50), false);
  assert.equal(overOpenLimit((50 << 20) + 1, 50), true);
  assert.match(SETTINGS_SCHEMA['anomalyHunter.analyzeOnOpenMaxMB'].description, /0: no limit/);
});

test('a panel whose page cannot be built is closed and the error reaches the command that opened it', () => {
  const panel = { webview: { html: '' }, disposed: 0, dispose() { this.disposed++; } };
  setPageOrDispose(panel, () => '<p>ok</p>');
  assert.equal(panel.webview.html, '<p>ok</p>');
  assert.equal(panel.disposed, 0);
  assert.throws(() => setPageOrDispose(panel, () => { throw new Error('assets missing'); }), /assets missing/);
  assert.equal(panel.disposed, 1);
});
