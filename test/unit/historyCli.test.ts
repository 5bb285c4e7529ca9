import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { createRng } from '../../src/core/random.ts';
import { formatDuration } from '../../src/core/rules/duration.ts';
import { historyFsFailure } from '../../src/node/historyDb.ts';
import { historyFailure } from '../../src/node/historyRecorder.ts';

async function run(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd });
  return { code, out, err };
}

const STEP_MS = 10 * 60_000;
const ROWS_A_DAY = 144;
const T0 = Date.UTC(2026, 0, 5);

/** One day of cpu/memory every 10 minutes: a daily cycle, noise, and planted incidents (seeded). */
function day(d: number): string {
  const rng = createRng(1000 + d);
  const lines: string[] = [];
  const spike = 30 + rng.int(80); // a cpu spike every day, a memory step every other day
  const step = 20 + rng.int(100);
  for (let k = 0; k < ROWS_A_DAY; k++) {
    const t = T0 + (d * ROWS_A_DAY + k) * STEP_MS;
    const phase = (2 * Math.PI * k) / ROWS_A_DAY;
    let cpu = 40 + 10 * Math.sin(phase) + rng.normal() * 2;
    let mem = 55 + 3 * Math.cos(phase) + rng.normal();
    if (k >= spike && k < spike + 4) cpu = 97 + rng.normal();
    if (d % 2 === 1 && k >= step && k < step + 6) mem += 25;
    lines.push(`${new Date(t).toISOString()},${cpu.toFixed(2)},${mem.toFixed(2)}`);
  }
  return lines.join('\n') + '\n';
}

interface JsonIncident { id: string; start: string; end: string; severity: string; metrics: { metric: string }[]; rules?: string[]; detectors: string[] }

/**
 * What the history should hold after an analysis, modelled apart: an incident found again (its id, else an
 * overlapping one on a common metric, the nearest start first, each recorded one standing for one found at most)
 * is updated, the others are added. Returns how many were added.
 */
function recordModel(known: JsonIncident[], found: JsonIncident[]): number {
  const taken = new Set<number>();
  const rest: JsonIncident[] = [];
  for (const i of found) {
    const k = known.findIndex((x) => x.id === i.id);
    if (k >= 0) { known[k] = i; taken.add(k); } else rest.push(i);
  }
  let added = 0;
  for (const i of rest) {
    let best = -1;
    known.forEach((x, k) => {
      if (taken.has(k) || x.start > i.end || x.end < i.start || !x.metrics.some((m) => i.metrics.some((n) => n.metric === m.metric))) return;
      const d = Math.abs(Date.parse(x.start) - Date.parse(i.start));
      if (best < 0 || d < Math.abs(Date.parse(known[best].start) - Date.parse(i.start))) best = k;
    });
    if (best >= 0) { known[best] = i; taken.add(best); } else { known.push(i); taken.add(known.length - 1); added++; }
  }
  return added;
}

test('a scripted week of analyze --history on a growing file: history --format json gives the counts computed from the analyses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-history-'));
  const csv = join(dir, 'metrics.csv');
  writeFileSync(join(dir, 'rules.yaml'), 'version: 1\nrules:\n  - name: cpu-hot\n    metric: cpu\n    op: ">"\n    threshold: 90\n    for: 20m\n    severity: critical\n');
  writeFileSync(csv, 'timestamp,cpu,memory\n');
  const latest: JsonIncident[] = []; // the newest version of each incident, computed from the outputs
  for (let d = 0; d < 7; d++) {
    appendFileSync(csv, day(d));
    const r = await run(dir, 'analyze', csv, '--rules', 'rules.yaml', '--format', 'json', '--history', 'h.db');
    assert.equal(r.code, 0, r.err);
    const found = JSON.parse(r.out).incidents as JsonIncident[];
    // The grown file adds only the incidents not seen before; the others are updated (also those whose first
    // flagged row moved with the longer data).
    const fresh = recordModel(latest, found);
    assert.match(r.err, new RegExp(`history: ${found.length} incidents? recorded in h\\.db \\(${fresh} new, ${found.length - fresh} updated\\)`));
  }
  // A rerun on the same data and settings updates instead of duplicating.
  const again = await run(dir, 'analyze', csv, '--rules', 'rules.yaml', '--format', 'json', '--history', 'h.db');
  assert.match(again.err, / \(0 new, \d+ updated\)/);

  const h = await run(dir, 'history', '--db', 'h.db', '--format', 'json');
  assert.equal(h.code, 0, h.err);
  const report = JSON.parse(h.out);
  const incidents = latest;
  assert.ok(incidents.length >= 7, `${incidents.length} incidents in a week with a spike a day`);
  assert.equal(report.runs, 7);
  assert.equal(report.incidents, incidents.length);
  const count = <K extends string>(keys: (i: JsonIncident) => K[]): Record<string, number> => {
    const c: Record<string, number> = {};
    for (const i of incidents) for (const k of keys(i)) c[k] = (c[k] ?? 0) + 1;
    return c;
  };
  const sev = count((i) => [i.severity]);
  for (const s of ['critical', 'major', 'minor', 'warning']) assert.equal(report.bySeverity[s], sev[s] ?? 0, s);
  const byMetric = count((i) => i.metrics.map((m) => m.metric));
  assert.deepEqual(Object.fromEntries(report.byMetric.map((m: { metric: string; incidents: number }) => [m.metric, m.incidents])), byMetric);
  const byRule = count((i) => i.rules ?? []);
  assert.ok(byRule['cpu-hot'] > 0, 'the rule fired');
  assert.deepEqual(Object.fromEntries(report.byRule.map((m: { rule: string; incidents: number }) => [m.rule, m.incidents])), byRule);
  const perDay = count((i) => [i.start.slice(0, 10)]);
  assert.deepEqual(Object.fromEntries(report.perDay.map((d: { day: string; total: number }) => [d.day, d.total])), perDay);
  assert.ok(Object.keys(perDay).length >= 6, 'incidents on most days of the week');
  const perDayRule = count((i) => (i.rules ?? []).map((r) => `${i.start.slice(0, 10)} ${r}`));
  const reported: Record<string, number> = {};
  for (const d of report.perDay) for (const [r, n] of Object.entries(d.rules)) reported[`${d.day} ${r}`] = n as number;
  assert.deepEqual(reported, perDayRule);
  // Durations: the cpu spikes last 4 rows (30 min from first to last row) at least.
  assert.ok(report.durations.count === incidents.length && report.durations.maxMs >= 30 * 60_000, JSON.stringify(report.durations));
  // Each incident lasts what its summary says ("cpu 97.4 for 40m": first to last row plus one step, as in the dashboard).
  for (const i of report.recent as { summary: string; durationMs: number }[]) {
    const said = / for (\w+)[,;]/.exec(i.summary)?.[1];
    assert.ok(said, i.summary);
    assert.equal(formatDuration(i.durationMs), said, i.summary);
  }

  const text = await run(dir, 'history', '--db', 'h.db');
  assert.match(text.out, new RegExp(`^history: ${incidents.length} incidents`));
  assert.match(text.out, /noisiest rules:\n\s+\d+\s+cpu-hot/);
  // --since: only the last two days' incidents.
  const since = await run(dir, 'history', '--db', 'h.db', '--since', '2026-01-10', '--format', 'json');
  assert.equal(JSON.parse(since.out).incidents, incidents.filter((i) => i.start >= '2026-01-10').length);
});

test('history: a missing, foreign or newer database and bad options give one clear line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-history-'));
  const missing = await run(dir, 'history');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^\.anomaly-hunter\/history\.db: error: no history database here yet/);
  assert.ok(!existsSync(join(dir, '.anomaly-hunter')), 'reading does not create it');
  writeFileSync(join(dir, 'notdb.db'), 'hello, this is not SQLite at all, just a text file of some length\n'.repeat(20));
  const foreign = await run(dir, 'history', '--db', 'notdb.db');
  assert.equal(foreign.code, 1);
  assert.match(foreign.err, /^notdb\.db: error: not a history database/);
  assert.equal(foreign.err.trim().split('\n').length, 1);
  const bad = await run(dir, 'history', '--since', 'yesterday');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--since must be a date or time/);
  // analyze --history into the default place: the folder is created; a later history reads it.
  writeFileSync(join(dir, 'm.csv'), 'timestamp,cpu\n' + Array.from({ length: 50 }, (_, k) => `${new Date(T0 + k * STEP_MS).toISOString()},${k === 30 ? 500 : 10 + (k % 3)}`).join('\n') + '\n');
  const a = await run(dir, 'analyze', join(dir, 'm.csv'), '--history', '.anomaly-hunter/history.db');
  assert.equal(a.code, 0, a.err);
  const h = await run(dir, 'history', '--format', 'json');
  assert.equal(h.code, 0, h.err);
  assert.equal(JSON.parse(h.out).runs, 1);
  assert.equal(readFileSync(join(dir, '.anomaly-hunter/history.db')).subarray(0, 15).toString(), 'SQLite format 3');
});

test('history --since=-7d is read as 7d back; the text says the filter is on the data\'s time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-history-'));
  // Data of January 2026 analysed now: its incidents started long before the last 7 days.
  writeFileSync(join(dir, 'm.csv'), 'timestamp,cpu\n' + Array.from({ length: 50 }, (_, k) => `${new Date(T0 + k * STEP_MS).toISOString()},${k === 30 ? 500 : 10 + (k % 3)}`).join('\n') + '\n');
  const a = await run(dir, 'analyze', join(dir, 'm.csv'), '--history', 'h.db');
  assert.equal(a.code, 0, a.err);
  const dash = await run(dir, 'history', '--db', 'h.db', '--since=-7d');
  assert.equal(dash.code, 0, dash.err);
  const plain = await run(dir, 'history', '--db', 'h.db', '--since', '7d');
  assert.equal(dash.out.replace(/since \S+:/, ''), plain.out.replace(/since \S+:/, ''));
  const lines = dash.out.split('\n');
  assert.match(lines[0], /^history since \S+: 0 incidents \(none\) from 1 recorded run$/);
  assert.equal(lines[1], '  (since: incidents by when they started in their data, or were first recorded if it has no times; runs and alerts by when they were made)');
  const all = await run(dir, 'history', '--db', 'h.db');
  assert.ok(!all.out.includes('(since:'), all.out);
});

test('history file errors say what happened in words, and a damaged file what to do (it is left as it was)', async () => {
  assert.equal(historyFsFailure('EROFS', true), 'cannot write the history database (read-only file system, EROFS)');
  assert.equal(historyFsFailure('EACCES', false), 'cannot read the history database (permission denied, EACCES)');
  assert.equal(historyFsFailure('ENOSPC', true), 'cannot write the history database (disk full, ENOSPC)');
  assert.equal(historyFsFailure('EWHATEVER', true), 'cannot write the history database (EWHATEVER)');
  assert.equal(historyFailure(Object.assign(new Error('x'), { code: 'EROFS' })), 'cannot write the history database (read-only file system, EROFS)');
  const dir = mkdtempSync(join(tmpdir(), 'ah-history-'));
  writeFileSync(join(dir, 'm.csv'), 'timestamp,cpu\n' + Array.from({ length: 50 }, (_, k) => `${new Date(T0 + k * STEP_MS).toISOString()},${k === 30 ? 500 : 10 + (k % 3)}`).join('\n') + '\n');
  // A SQLite header over garbage: "database disk image is malformed".
  const damaged = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 7)]);
  writeFileSync(join(dir, 'bad.db'), damaged);
  for (const argv of [['history', '--db', 'bad.db'], ['analyze', join(dir, 'm.csv'), '--history', 'bad.db']]) {
    const r = await run(dir, ...argv);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /^bad\.db: error: not a history database \(.+\); it is not changed: move it aside and the next recorded run starts a new one\n$/);
  }
  assert.deepEqual(readFileSync(join(dir, 'bad.db')), damaged, 'the damaged file is left as it was');
  // A folder where the file should be: the code in words.
  mkdirSync(join(dir, 'folder.db'));
  const folder = await run(dir, 'analyze', join(dir, 'm.csv'), '--history', 'folder.db');
  assert.equal(folder.code, 1);
  assert.equal(folder.err, 'folder.db: error: cannot write the history database (a folder, not a file, EISDIR)\n');
});

test('history: writers at the same time take turns through the lock file, and no run is lost', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-history-'));
  const files = Array.from({ length: 6 }, (_, f) => {
    const p = join(dir, `m${f}.csv`);
    writeFileSync(p, 'timestamp,cpu\n' + Array.from({ length: 60 }, (_, k) => `${new Date(T0 + k * STEP_MS).toISOString()},${k === 20 + f ? 900 : 10 + ((k * (f + 1)) % 4)}`).join('\n') + '\n');
    return p;
  });
  const results = await Promise.all(files.map((p) => run(dir, 'analyze', p, '--history', 'h.db')));
  for (const r of results) assert.equal(r.code, 0, r.err);
  const h = JSON.parse((await run(dir, 'history', '--db', 'h.db', '--format', 'json')).out);
  assert.equal(h.runs, files.length);
  const recorded = results.reduce((n, r) => n + Number(/history: (\d+) incident/.exec(r.err)![1]), 0);
  assert.equal(h.incidents, recorded);
  assert.ok(!existsSync(join(dir, 'h.db.lock')), 'the lock is released');
});
