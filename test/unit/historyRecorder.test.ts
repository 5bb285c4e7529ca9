import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryRecorder } from '../../src/node/historyRecorder.ts';
import type { Incident } from '../../src/core/incidents/incidents.ts';
import type { RunIdentity } from '../../src/core/history/record.ts';
import { deliveryRecords } from '../../src/core/history/deliveries.ts';
import { LiveWindow } from '../../src/extension/liveWindow.ts';
import type { Anomaly } from '../../src/core/anomaly.ts';

const T0 = Date.UTC(2026, 2, 1);
const STEP = 60_000;

function incident(day: number, row: number, metric: string, severity: Incident['severity'], rules: string[] = []): Incident {
  const start = new Date(T0 + day * 86_400_000 + row * STEP).toISOString();
  return {
    id: `${start}/${metric}`, start, end: new Date(Date.parse(start) + 4 * STEP).toISOString(), startRow: row, endRow: row + 4, peakRow: row + 1,
    score: severity === 'critical' ? 90 : 60, severity, detectors: rules.length ? ['rule'] : ['iforest'], metrics: [{ metric, share: 1 }], rules,
    summary: `${metric} spike`, count: 5,
  };
}

function logger(): { lines: string[]; info(m: string): void; warn(m: string): void } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}

const run = (sha: string, settings: unknown = { minSeverity: 'major' }): RunIdentity => ({ kind: 'analyze', source: 'data/metrics.csv', sha256: sha, settings, toolVersion: '0.1.0', rows: 100 });

test('recorder: a rerun updates, a grown file adds only its new incident, and writes queued meanwhile are coalesced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-recorder-'));
  const log = logger();
  const rec = new HistoryRecorder(join(dir, 'storage', 'history.db'), log);
  assert.equal(await rec.report(), null, 'nothing recorded yet');
  let writes = 0;
  rec.onDidRecord(() => { writes++; });
  const day1 = [incident(0, 10, 'cpu', 'critical', ['cpu-hot']), incident(0, 300, 'memory', 'major')];
  await rec.recordAnalysis(run('aaa'), day1);
  await rec.recordAnalysis(run('aaa'), day1);
  let r = (await rec.report())!;
  assert.equal(r.incidents, 2);
  assert.equal(r.runs, 1);
  // The file grew by a day: a new hash, the same incidents and one more.
  const day2 = [...day1, incident(1, 50, 'cpu', 'major')];
  await rec.recordAnalysis(run('bbb'), day2);
  r = (await rec.report())!;
  assert.equal(r.incidents, 3);
  assert.equal(r.runs, 2);
  assert.deepEqual(r.perDay.map((d) => [d.day, d.total]), [['2026-03-01', 2], ['2026-03-02', 1]]);
  assert.deepEqual(r.byRule, [{ rule: 'cpu-hot', incidents: 1 }]);
  assert.match(log.lines.join('\n'), /history: data\/metrics\.csv: 3 incidents recorded \(1 new, 2 updated\)/);

  // Longer data moved the first flagged rows of a day-1 incident (another id): the same event, updated.
  const moved = [incident(0, 12, 'cpu', 'critical', ['cpu-hot']), incident(0, 302, 'memory', 'major'), incident(1, 50, 'cpu', 'major'), incident(0, 14, 'disk', 'major')];
  await rec.recordAnalysis(run('ccc'), moved);
  r = (await rec.report())!;
  assert.equal(r.incidents, 4, 'the moved ones updated; only the disk one (no common metric) added');
  assert.match(log.lines.at(-1)!, /4 incidents recorded \(1 new, 3 updated\)/);
  assert.deepEqual(r.recent.filter((i) => i.metrics[0] === 'cpu').map((i) => i.startRow).sort((a, b) => a - b), [12, 50]);
  // Two incidents of one analysis over one recorded incident: one updates it, the other is added.
  await rec.recordAnalysis(run('ddd'), [incident(1, 49, 'cpu', 'major'), incident(1, 51, 'cpu', 'critical')]);
  r = (await rec.report())!;
  assert.equal(r.incidents, 5);
  await rec.recordAnalysis(run('ccc'), moved);
  await rec.recordAnalysis(run('bbb'), day2);

  // Slider drags: many analyses of other settings while one is written; the last of each is written, once.
  writes = 0;
  const many = Array.from({ length: 8 }, (_, k) => rec.recordAnalysis(run('bbb', { minSeverity: 'major', thresholds: { 'cpu-hot': 90 + (k % 2) } }), day2));
  await Promise.all(many);
  await rec.settled();
  r = (await rec.report())!;
  assert.equal(r.runs, 6, 'two distinct settings added one run each');
  assert.ok(writes <= 3, `${writes} writes for 8 analyses`);
  assert.equal(rec.failures, 0);
});

test('recorder: a failure to record is one log line, never an exception, and says no secret', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-recorder-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a folder');
  const log = logger();
  // The storage folder cannot be created (a file is in the way).
  const rec = new HistoryRecorder(join(file, 'history.db'), log);
  await rec.recordAnalysis(run('aaa'), [incident(0, 1, 'cpu', 'critical')]);
  await rec.recordDeliveries(deliveryRecords([incident(0, 1, 'cpu', 'critical')], { now: T0, planned: [], delivered: 0, channel: 'slack', destination: 'https://hooks.slack.com/***', destinationKey: 'webhook-test', source: 'data/metrics.csv' }));
  assert.equal(rec.failures, 2);
  const warns = log.lines.filter((l) => l.startsWith('warn'));
  assert.equal(warns.length, 2);
  assert.match(warns[0], /^warn history: could not record an analysis \(cannot write the history database \(((a part of the path is not a folder, )?ENOTDIR|EEXIST)\)\); the analysis is not affected$/);
  // A file that is not a history database is left alone.
  const foreign = join(dir, 'foreign.db');
  writeFileSync(foreign, 'hello '.repeat(100));
  const rec2 = new HistoryRecorder(foreign, log);
  await rec2.recordAnalysis(run('aaa'), [incident(0, 1, 'cpu', 'critical')]);
  assert.equal(rec2.failures, 1);
  assert.match(log.lines.at(-1)!, /not a history database/);
  assert.equal(readFileSync(foreign, 'utf8'), 'hello '.repeat(100));
  await assert.rejects(rec2.report(), /not a history database/);
});

test('recorder: webhook outcomes and a live stream\'s incidents (LiveWindow\'s events) are recorded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-recorder-'));
  const log = logger();
  const path = join(dir, 'history.db');
  const rec = new HistoryRecorder(path, log);
  const incs = [incident(0, 10, 'cpu', 'critical'), incident(0, 200, 'memory', 'major'), incident(0, 400, 'disk', 'major')];
  const fp = deliveryRecords(incs, { now: T0, planned: [], delivered: 0, channel: 'slack', destination: 'x', destinationKey: 'webhook-test', source: null }).map((d) => d.fingerprint);
  // Two messages planned; the first went out, the second failed.
  await rec.recordDeliveries(deliveryRecords(incs, { now: T0, planned: [[fp[0], fp[1]], [fp[2]]], delivered: 1, reason: 'HTTP 503 Service Unavailable', channel: 'slack', destination: 'https://hooks.slack.com/***', destinationKey: 'webhook-test', source: 'data/metrics.csv' }));
  let r = (await rec.report())!;
  assert.deepEqual(r.alerts.outcomes, { sent: 2, throttled: 0, deduplicated: 0, failed: 1 });
  assert.deepEqual(r.alerts.failures, [{ reason: 'HTTP 503 Service Unavailable', count: 1 }]);

  // A stream: a spike at rows 100–103 and another at 300–302, in batches as the worker posts them.
  const win = new LiveWindow(['cpu'], true, 1000, 100, 'major');
  const stream = rec.stream({ kind: 'stream', source: 'data/live.csv', sha256: '', settings: { minSeverity: 'major' }, toolVersion: '0.1.0' });
  let opened = 0;
  for (let b = 0; b < 5; b++) {
    const n = 100;
    const ts = Float64Array.from({ length: n }, (_, i) => T0 + (b * n + i) * STEP);
    const anomalies: Anomaly[] = [];
    for (let i = 0; i < n; i++) {
      const row = b * n + i;
      if ((row >= 100 && row <= 103) || (row >= 300 && row <= 302)) {
        anomalies.push({ row, timestamp: new Date(ts[i]).toISOString(), detector: 'stream', metric: 'cpu', value: 99, score: 88, severity: 'critical', message: 'cpu 99' });
      }
    }
    const events = win.append({ ts, lines: Int32Array.from({ length: n }, (_, i) => b * n + i + 2), values: new Float64Array(n).fill(1), anomalies });
    opened += events.filter((e) => e.event === 'opened').length;
    stream.push(events);
  }
  await stream.close();
  assert.equal(opened, 2);
  r = (await rec.report())!;
  assert.equal(r.incidents, 2);
  assert.deepEqual(r.recent.map((i) => [i.source, i.startRow]), [['data/live.csv', 300], ['data/live.csv', 100]]);
  assert.equal(r.runs, 1);
  assert.equal(rec.failures, 0);
  assert.ok(existsSync(path) && !existsSync(`${path}.lock`));
});

test('recorder: without timestamps, an export replaced by another at the same path keeps both days\' incidents', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-recorder-'));
  const rec = new HistoryRecorder(join(dir, 'history.db'), logger());
  const untimed = (row: number, severity: Incident['severity'], summary: string): Incident => ({
    ...incident(0, row, 'cpu', severity), id: `row-${row}/cpu/${summary}`, start: null, end: null, summary,
  });
  await rec.recordAnalysis(run('monday'), [untimed(10, 'critical', 'monday spike')]);
  // Tuesday's export overwrote the file: rows 12-16 are another day's rows, and overlap Monday's 10-14.
  await rec.recordAnalysis(run('tuesday'), [untimed(12, 'minor', 'tuesday blip')]);
  const r = (await rec.report())!;
  assert.equal(r.incidents, 2, 'Monday\'s critical incident is kept');
  assert.deepEqual(r.recent.map((i) => i.summary).sort(), ['monday spike', 'tuesday blip']);
});
