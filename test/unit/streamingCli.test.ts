import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, appendFileSync, renameSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runStream } from '../../src/cli/commands/stream.ts';
import { main } from '../../src/cli/main.ts';
import { CsvRecordSplitter, splitFields } from '../../src/node/csvLines.ts';
import { UsageError } from '../../src/node/errors.ts';
import { createNabScorer } from '../../src/core/streaming/nab.ts';

function csvRows(from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) {
    const t = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString().replace('T', ' ').slice(0, 19);
    s += `${t},${(50 + 10 * Math.sin(i / 30)).toFixed(3)}\r\n`;
  }
  return s;
}

function capture(argv: string[], cwd: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx = { argv, stdout: (s: string) => { out.push(s); }, stderr: (s: string) => { err.push(s); }, env, cwd };
  return { ctx, lines: () => out.join('').split('\n').filter(Boolean), err: () => err.join('') };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('CsvRecordSplitter joins records split across chunks, with quotes, CRLF and a BOM', () => {
  const sp = new CsvRecordSplitter();
  const text = '\ufefftime,"a, b"\r\n2024-01-01,"1"\r\n2024-01-02,"multi\nline ""q"""\n2024-01-03,3';
  const recs = [];
  for (const ch of text) recs.push(...sp.push(ch));
  recs.push(...sp.flush());
  assert.deepEqual(recs, [
    { fields: ['time', 'a, b'], line: 1 },
    { fields: ['2024-01-01', '1'], line: 2 },
    { fields: ['2024-01-02', 'multi\nline "q"'], line: 3 },
    { fields: ['2024-01-03', '3'], line: 5 },
  ]);
  assert.deepEqual(splitFields('a;"b;c";d', ';'), ['a', 'b;c', 'd']);
});

test('stream --format nab prints one line per row, with the input timestamp and a score in [0, 1]', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-stream-'));
  try {
    writeFileSync(join(dir, 'm.csv'), 'timestamp,value\r\n' + csvRows(0, 300));
    const c = capture(['m.csv', '--format', 'nab'], dir);
    assert.equal(await runStream(c.ctx), 0);
    const lines = c.lines();
    assert.equal(lines.length, 301);
    assert.equal(lines[0], 'timestamp,value,anomaly_score');
    assert.equal(lines[1], '2024-01-01 00:00:00,50,0');
    assert.ok(lines.slice(1).every((l) => { const s = Number(l.split(',')[2]); return s >= 0 && s <= 1; }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream --format nab prints the same scores as the NAB scorer bench:nab runs (one alert per episode)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-stream-'));
  try {
    // A level shift for 100 rows at row 1500: several anomalous rows, the first of them the one NAB alert.
    const rows = csvRows(0, 2000).split('\r\n').filter(Boolean).map((r, i) => {
      const [t, v] = r.split(',');
      return `${t},${(Number(v) + (i >= 1500 && i < 1600 ? 30 : 0)).toFixed(3)}`;
    });
    writeFileSync(join(dir, 'm.csv'), 'timestamp,value\n' + rows.join('\n') + '\n');
    const c = capture(['m.csv', '--format', 'nab'], dir);
    assert.equal(await runStream(c.ctx), 0);
    const printed = c.lines().slice(1).map((l) => Number(l.split(',')[2]));
    const score = createNabScorer();
    const expected = rows.map((r) => { const [t, v] = r.split(','); return score(Date.parse(t.replace(' ', 'T') + 'Z'), Number(v)); });
    assert.deepEqual(printed, expected);
    assert.equal(printed.slice(1500, 1600).filter((s) => s >= 0.5).length, 1, 'one alert for the shift');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `stream live.csv --follow --format jsonl` on a file of 5 rows in a new folder, once its 5 rows are out. */
async function followFive(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'live.csv');
  const ac = new AbortController();
  writeFileSync(file, 'timestamp,value\n' + csvRows(0, 5));
  const c = capture(['live.csv', '--follow', '--format', 'jsonl'], dir);
  const done = runStream(c.ctx, { signal: ac.signal, pollMs: 20 });
  await until(() => c.lines().length === 5, 'the first 5 rows');
  return { dir, file, ac, c, done };
}

test('stream --follow picks up appended rows, then a truncated file and a rotated file, from their tops', async () => {
  const { dir, file, ac, c, done } = await followFive('ah-follow-');
  try {
    appendFileSync(file, csvRows(5, 8));
    // Half a row: it must wait for its line break.
    appendFileSync(file, '2024-01-01 00:08:00,5');
    await until(() => c.lines().length === 8, 'the appended rows');
    appendFileSync(file, '1.5\n');
    await until(() => c.lines().length === 9, 'the completed row');
    assert.deepEqual(c.lines().map((l) => JSON.parse(l).row), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(JSON.parse(c.lines()[8]).metrics.value.value, 51.5);

    truncateSync(file, 0);
    writeFileSync(file, 'timestamp,value\n' + csvRows(100, 102));
    await until(() => c.lines().length === 11, 'rows of the truncated file');
    assert.match(c.err(), /live\.csv: file truncated; reading it again from the top/);

    renameSync(file, file + '.1');
    writeFileSync(file, 'timestamp,value\n' + csvRows(200, 203));
    await until(() => c.lines().length === 14, 'rows of the rotated file');
    assert.match(c.err(), /live\.csv: file replaced \(rotated\); reading it again from the top/);
    const ts = c.lines().slice(9).map((l) => JSON.parse(l).timestamp);
    assert.deepEqual(ts, ['2024-01-01T01:40:00.000Z', '2024-01-01T01:41:00.000Z', '2024-01-01T03:20:00.000Z', '2024-01-01T03:21:00.000Z', '2024-01-01T03:22:00.000Z']);
    ac.abort();
    assert.equal(await done, 0);
  } finally {
    ac.abort();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream --follow: a deleted file is said once, rows written before the delete are kept, and the file created again is read from its top', async () => {
  const { dir, file, ac, c, done } = await followFive('ah-gone-');
  try {
    // Rows appended just before the delete are still read (from the file held open).
    appendFileSync(file, csvRows(5, 8));
    rmSync(file);
    await until(() => /deleted or moved/.test(c.err()), 'the delete said');
    assert.equal(c.lines().length, 8);
    // Many polls later it is still said once.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(c.err().match(/live\.csv: the file was deleted or moved; waiting for it to come back/g)?.length, 1, c.err());
    writeFileSync(file, 'timestamp,value\n' + csvRows(100, 103));
    await until(() => c.lines().length === 11, 'rows of the file created again');
    assert.match(c.err(), /live\.csv: the file is back; reading it again from the top/);
    assert.doesNotMatch(c.err(), /rotated/);
    const ts = c.lines().map((l) => JSON.parse(l).timestamp as string);
    assert.equal(new Set(ts).size, 11, 'no row twice');
    assert.deepEqual(ts.slice(5), ['2024-01-01T00:05:00.000Z', '2024-01-01T00:06:00.000Z', '2024-01-01T00:07:00.000Z', '2024-01-01T01:40:00.000Z', '2024-01-01T01:41:00.000Z', '2024-01-01T01:42:00.000Z']);
    // Moved away and back: the same file, read on where it was (no row again).
    renameSync(file, file + '.away');
    await until(() => (c.err().match(/deleted or moved/g)?.length ?? 0) === 2, 'the move said');
    renameSync(file + '.away', file);
    appendFileSync(file, csvRows(103, 104));
    await until(() => c.lines().length === 12, 'the row appended after the move back');
    assert.match(c.err(), /live\.csv: the file is back; reading on/);
    ac.abort();
    assert.equal(await done, 0);
  } finally {
    ac.abort();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream --follow paused after the header and a units row, or after a title and the header, waits for a data row', async () => {
  const rows = (from: number, to: number): string => csvRows(from, to).replace(/\r\n/g, (_, k: number) => `,${k % 7}\r\n`);
  for (const top of ['time,cpu,mem\r\nUTC,%,MB\r\n', 'CPU report,,\r\ntime,cpu,mem\r\n']) {
    const dir = mkdtempSync(join(tmpdir(), 'ah-units-'));
    const file = join(dir, 'live.csv');
    const ac = new AbortController();
    try {
      writeFileSync(file, top);
      const c = capture(['live.csv', '--follow', '--format', 'jsonl'], dir);
      const done = runStream(c.ctx, { signal: ac.signal, pollMs: 20 });
      // Several polls see no more than these lines (the input paused).
      await new Promise((r) => setTimeout(r, 150));
      // 30 rows: fewer than about 10 after a units row take it for data, in analyze as here (the time is no time).
      appendFileSync(file, rows(0, 30));
      await until(() => c.lines().some((l) => JSON.parse(l).timestamp === '2024-01-01T00:29:00.000Z'), 'the appended rows');
      assert.deepEqual(Object.keys(JSON.parse(c.lines().at(-1)!).metrics), ['cpu', 'mem'], c.err());
      assert.doesNotMatch(c.err(), /no numeric column/);
      ac.abort();
      assert.equal(await done, 0);
    } finally {
      ac.abort();
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('stream gives the same scores for a prefix read alone and read inside the whole file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-prefix-'));
  try {
    writeFileSync(join(dir, 'all.csv'), 'timestamp,value\n' + csvRows(0, 600));
    writeFileSync(join(dir, 'part.csv'), 'timestamp,value\n' + csvRows(0, 400));
    const all = capture(['all.csv', '--format', 'nab'], dir);
    const part = capture(['part.csv', '--format', 'nab'], dir);
    await runStream(all.ctx);
    await runStream(part.ctx);
    assert.deepEqual(all.lines().slice(0, 401), part.lines());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream reports usage errors: missing file, nab with several metrics, unknown format', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-err-'));
  try {
    writeFileSync(join(dir, 'two.csv'), 'timestamp,cpu,mem\n2024-01-01 00:00:00,1,2\n');
    await assert.rejects(runStream(capture(['nope.csv'], dir).ctx), (e: unknown) => e instanceof UsageError && /nope\.csv: no such file/.test(e.message));
    await assert.rejects(runStream(capture(['two.csv', '--format', 'nab'], dir).ctx), (e: unknown) => e instanceof UsageError && /choose one with --metrics/.test(e.message));
    await assert.rejects(runStream(capture(['two.csv', '--format', 'xml'], dir).ctx), UsageError);
    const c = capture(['two.csv', '--format', 'nab', '--metrics', 'mem'], dir);
    assert.equal(await runStream(c.ctx), 0);
    assert.deepEqual(c.lines(), ['timestamp,value,anomaly_score', '2024-01-01 00:00:00,2,0']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const RULES = `version: 1
rules:
  - name: hot
    metric: value
    op: ">"
    threshold: 59
    for: 2m
    keep_firing_for: 1m
    severity: critical
alerts:
  webhook: {format: slack, min_severity: major, throttle: 1h}
`;

test('stream --rules reports each row\'s rule firings with for and keep_firing_for, as analyze would', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-rules-'));
  try {
    writeFileSync(join(dir, 'm.csv'), 'timestamp,value\n' + csvRows(0, 200));
    writeFileSync(join(dir, 'rules.yaml'), RULES.replace(/alerts:[\s\S]*/, ''));
    const c = capture(['m.csv', '--rules', 'rules.yaml'], dir);
    assert.equal(await runStream(c.ctx), 0);
    const rows = c.lines().map((l) => JSON.parse(l));
    const firing = rows.filter((r) => r.rules.length).map((r) => r.row);
    // value = 50 + 10 sin(i/30) exceeds 59 on rows 34–60: the rule fires from row 36 (2 minutes later) to row 61 (kept 1 minute).
    const over = rows.filter((r) => r.metrics.value.value > 59).map((r) => r.row);
    assert.deepEqual([over[0], over.at(-1), over.length], [34, 60, 27]);
    assert.deepEqual([firing[0], firing.at(-1), firing.length], [36, 61, 26]);
    const a = rows[36].rules[0];
    assert.deepEqual({ ...a, message: undefined, value: undefined }, { row: 36, timestamp: '2024-01-01T00:36:00.000Z', detector: 'rule', rule: 'hot', metric: 'value', value: undefined, score: 90, severity: 'critical', message: undefined });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream --webhook sends through the throttle of alerts.webhook, only rows appended after the start, and never prints the URL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-hook-'));
  const file = join(dir, 'm.csv');
  const ac = new AbortController();
  try {
    // Rows 0–149 are in the file at the start (rule 'hot' fires on rows 36–61): scored, never sent.
    writeFileSync(file, 'timestamp,value\n' + csvRows(0, 150));
    writeFileSync(join(dir, 'rules.yaml'), RULES);
    const secret = 'https://hooks.slack.com/services/T000/B000/SECRETSECRET';
    const bodies: string[] = [];
    const fetch = async (_url: string, init: { body: string }) => { bodies.push(init.body); return { status: 200, headers: { get: () => null }, text: async () => 'ok' }; };
    const c = capture(['m.csv', '--rules', 'rules.yaml', '--webhook', '--follow', '--format', 'nab'], dir, { ANOMALY_HUNTER_WEBHOOK_URL: secret });
    const done = runStream(c.ctx, { fetch: fetch as never, signal: ac.signal, pollMs: 20 });
    await until(() => c.lines().length === 151, 'the rows already in the file');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(bodies.length, 0, 'no alert for the rows that were in the file at the start');
    // Appended rows 150–399: the second firing episode (about rows 224–250) is sent, once (1 h throttle).
    appendFileSync(file, csvRows(150, 400));
    await until(() => c.lines().length === 401, 'the appended rows');
    ac.abort();
    assert.equal(await done, 0);
    assert.equal(bodies.length, 1);
    assert.match(bodies[0], /hot/);
    assert.match(bodies[0], /03:4\d|03:5\d|04:0\d/, 'the alert is about an appended row (around 03:44–04:10)');
    assert.ok(!c.err().includes('SECRETSECRET'), c.err());
    assert.match(c.err(), /sending incidents to https:\/\/hooks\.slack\.com\/\*\*\* \(slack, min severity major, throttle 3600 s\)/);
    await assert.rejects(runStream(capture(['m.csv', '--webhook', '--follow'], dir).ctx), (e: unknown) => e instanceof UsageError && /ANOMALY_HUNTER_WEBHOOK_URL/.test(e.message));
  } finally {
    ac.abort();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream sends nothing without --webhook, even with the URL variable and alerts.webhook; --webhook needs --follow', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-nohook-'));
  const file = join(dir, 'm.csv');
  const ac = new AbortController();
  try {
    writeFileSync(file, 'timestamp,value\n' + csvRows(0, 100));
    writeFileSync(join(dir, 'rules.yaml'), RULES);
    const env = { ANOMALY_HUNTER_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/SECRET' };
    let calls = 0;
    const fetch = async () => { calls++; return { status: 200, headers: { get: () => null }, text: async () => 'ok' }; };
    const c = capture(['m.csv', '--rules', 'rules.yaml', '--follow'], dir, env);
    const done = runStream(c.ctx, { fetch: fetch as never, signal: ac.signal, pollMs: 20 });
    await until(() => c.lines().length === 100, 'the rows in the file');
    appendFileSync(file, csvRows(100, 400));
    await until(() => c.lines().length === 400, 'the appended rows');
    ac.abort();
    assert.equal(await done, 0);
    assert.ok(c.lines().some((l) => JSON.parse(l).rules.length > 0), 'the rule fires');
    assert.equal(calls, 0);
    assert.doesNotMatch(c.err(), /sending anomalies/);
    await assert.rejects(runStream(capture(['m.csv', '--rules', 'rules.yaml', '--webhook'], dir, env).ctx), (e: unknown) => e instanceof UsageError && /--follow/.test(e.message));
  } finally {
    ac.abort();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream of a header-only file fails as analyze does: the same stderr line and exit code 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-stream-'));
  try {
    writeFileSync(join(dir, 'h.csv'), 'time,cpu\n');
    const run = async (...argv: string[]) => {
      let out = '', err = '';
      const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd: dir });
      return { code, out, err };
    };
    const file = join(dir, 'h.csv');
    const a = await run('analyze', file);
    const s = await run('stream', file);
    const n = await run('stream', file, '--format', 'nab');
    const line = `${file}:1:1: error: the file has a header but no data rows\n`;
    assert.deepEqual([a.code, a.err], [1, line]);
    assert.deepEqual([s.code, s.out, s.err], [1, '', line]);
    assert.deepEqual([n.code, n.err], [1, s.err]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream --webhook: the banner says the min severity that applies, the stricter of --min-severity (default major) and alerts.webhook.min_severity', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-banner-'));
  try {
    writeFileSync(join(dir, 'm.csv'), 'timestamp,value\n' + csvRows(0, 20));
    const env = { ANOMALY_HUNTER_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/SECRET' };
    const banner = async (minimum: string, extra: string[]) => {
      writeFileSync(join(dir, 'rules.yaml'), RULES.replace('min_severity: major', `min_severity: ${minimum}`));
      const ac = new AbortController();
      const c = capture(['m.csv', '--rules', 'rules.yaml', '--webhook', '--follow', ...extra], dir, env);
      const done = runStream(c.ctx, { signal: ac.signal, pollMs: 20, fetch: (async () => ({ status: 200, headers: { get: () => null }, text: async () => 'ok' })) as never });
      await until(() => c.lines().length === 20, 'the rows');
      ac.abort();
      assert.equal(await done, 0);
      return /min severity (\w+)/.exec(c.err())?.[1];
    };
    assert.equal(await banner('warning', ['--min-severity', 'critical']), 'critical');
    assert.equal(await banner('warning', []), 'major', 'the default --min-severity');
    assert.equal(await banner('critical', ['--min-severity', 'minor']), 'critical');
    assert.equal(await banner('minor', ['--min-severity', 'warning']), 'minor');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream --webhook stopped while a delivery hangs: says it waits for it, and a second stop drops it, saying which', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-drop-'));
  const file = join(dir, 'm.csv');
  const stop = new AbortController();
  const drop = new AbortController();
  const releases: (() => void)[] = [];
  try {
    writeFileSync(file, 'timestamp,value\n' + csvRows(0, 150));
    writeFileSync(join(dir, 'rules.yaml'), RULES);
    // A receiver that never answers (until the test lets it go).
    const fetch = (_url: string, init: { body: string }) => new Promise((resolve) => { void init; releases.push(() => resolve({ status: 200, headers: { get: () => null }, text: async () => 'ok' })); });
    const c = capture(['m.csv', '--rules', 'rules.yaml', '--webhook', '--follow', '--format', 'nab'], dir, { ANOMALY_HUNTER_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/SECRET' });
    const done = runStream(c.ctx, { fetch: fetch as never, signal: stop.signal, drop: drop.signal, pollMs: 20 });
    await until(() => c.lines().length === 151, 'the rows already in the file');
    appendFileSync(file, csvRows(150, 400));
    await until(() => releases.length === 1, 'the delivery under way');
    stop.abort();
    await until(() => /waiting for 1 webhook delivery \(Ctrl-C again to drop them\)/.test(c.err()), 'the waiting line');
    drop.abort();
    assert.equal(await done, 1);
    assert.match(c.err(), /dropped 1 webhook delivery: incident \S+ \(critical, opening\)\n/);
  } finally {
    stop.abort();
    for (const r of releases) r();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream --webhook --history records each alert outcome, as send --history does (history then counts them)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-hook-history-'));
  const file = join(dir, 'm.csv');
  const ac = new AbortController();
  try {
    writeFileSync(file, 'timestamp,value\n' + csvRows(0, 150));
    writeFileSync(join(dir, 'rules.yaml'), RULES);
    const fetch = async () => ({ status: 200, headers: { get: () => null }, text: async () => 'ok' });
    const c = capture(['m.csv', '--rules', 'rules.yaml', '--webhook', '--follow', '--format', 'nab', '--history', 'h.db'], dir, { ANOMALY_HUNTER_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/SECRET' });
    const done = runStream(c.ctx, { fetch: fetch as never, signal: ac.signal, pollMs: 20 });
    await until(() => c.lines().length === 151, 'the rows already in the file');
    appendFileSync(file, csvRows(150, 400));
    await until(() => c.lines().length === 401, 'the appended rows');
    ac.abort();
    assert.equal(await done, 0, c.err());
    let out = '';
    assert.equal(await main(['history', '--db', 'h.db'], { stdout: (s) => { out += s; }, stderr: () => {}, env: {}, cwd: dir }), 0);
    assert.match(out, /alerts: 1 sent/);
  } finally {
    ac.abort();
    rmSync(dir, { recursive: true, force: true });
  }
});
