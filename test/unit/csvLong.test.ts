import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { MAX_LONG_METRICS } from '../../src/core/csv/longFormat.ts';
import { StreamPipeline } from '../../src/node/streamPipeline.ts';
import type { ScoredRow } from '../../src/node/streamPipeline.ts';
import type { InputError } from '../../src/node/errors.ts';
import { validateRules } from '../../src/core/rules/validate.ts';
import { lineOfFinding } from '../../src/core/csv/frame.ts';
import { findingsAt, indexByLine } from '../../src/core/findings.ts';
import type { Anomaly } from '../../src/core/anomaly.ts';

/** A long file: one row per time, host and metric; `value(i, host, metric)` its value. */
function longCsv(times: number, hosts: string[], metrics: string[], value: (i: number, host: string, metric: string) => number, header = 'time,host,metric,value'): string {
  const lines = [header];
  for (let i = 0; i < times; i++) {
    const t = new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString();
    for (const h of hosts) for (const m of metrics) lines.push(`${t},${h},${m},${value(i, h, m)}`);
  }
  return lines.join('\n') + '\n';
}

const v = (i: number, h: string, m: string): number => i * 10 + (h === 'b' ? 1000 : 0) + (m === 'mem' ? 5 : 0);

test('a long CSV (time, labels, value) is joined by time into a metric per series, named NAME{labels}', () => {
  // 700 times: past the 500 sampled rows, so the fast reader (scanBlock) reads most of it.
  const { frame, issues } = parseCsv(longCsv(700, ['a', 'b'], ['cpu', 'mem'], v));
  assert.ok(frame);
  assert.deepEqual(frame.metrics, ['cpu{host="a"}', 'mem{host="a"}', 'cpu{host="b"}', 'mem{host="b"}']);
  assert.equal(frame.rows, 700);
  assert.equal(frame.stepMs, 60_000);
  for (const i of [0, 1, 499, 500, 699]) {
    assert.deepEqual(frame.values.map((col) => col[i]), [v(i, 'a', 'cpu'), v(i, 'a', 'mem'), v(i, 'b', 'cpu'), v(i, 'b', 'mem')], `row ${i}`);
    // A joined row's line is the first line of its time: 4 lines a time after the header.
    assert.equal(frame.lines[i], 2 + 4 * i);
  }
  assert.deepEqual(issues.map((x) => x.code), ['long-format']);
  assert.match(issues[0].message, /series told apart by "host", "metric" \(4 metrics, e\.g\. cpu\{host="a"\}\)/);
  assert.equal(issues[0].severity, 'warning');
});

test('the quoted (tokenizer) and unquoted (fast) readers join a long file the same way', () => {
  const plain = longCsv(600, ['a', 'b'], ['cpu'], v);
  const quoted = plain.replace(/,(a|b),/g, ',"$1",');
  const a = parseCsv(plain).frame!, b = parseCsv(quoted).frame!;
  assert.deepEqual(b.metrics, a.metrics);
  assert.deepEqual(b.values, a.values);
  assert.deepEqual(b.lines, a.lines);
});

test('long files: without a name column the value column names the metric; labels the same in every series are left out', () => {
  const text = 'ts,region,host,value\n' + [0, 1, 2, 3, 4].flatMap((i) => ['x', 'y'].map((h) => `${1_700_000_000 + i * 60},eu,${h},${i}`)).join('\n');
  const { frame } = parseCsv(text);
  assert.deepEqual(frame!.metrics, ['value{host="x"}', 'value{host="y"}']);
  assert.equal(frame!.rows, 5);
});

test('long files: with several value columns, a named metric gets the column after it', () => {
  const text = 'time,metric,host,avg,max\n' + [0, 1, 2, 3].flatMap((i) => ['a', 'b'].map((h) => `2024-03-04T00:0${i}:00Z,cpu,${h},${i},${i + 10}`)).join('\n');
  const { frame } = parseCsv(text);
  assert.deepEqual(frame!.metrics, ['cpu_avg{host="a"}', 'cpu_max{host="a"}', 'cpu_avg{host="b"}', 'cpu_max{host="b"}']);
  assert.deepEqual(Array.from(frame!.values[3]), [10, 11, 12, 13]);
});

test('long files: rows out of order are sorted, then joined; a repeated series at a time keeps the last value and says so', () => {
  const text = [
    'time,host,value',
    '2024-03-04T00:01:00Z,a,3', '2024-03-04T00:01:00Z,b,4',
    '2024-03-04T00:00:00Z,a,1', '2024-03-04T00:00:00Z,b,2',
    '2024-03-04T00:02:00Z,a,5', '2024-03-04T00:02:00Z,b,6', '2024-03-04T00:02:00Z,b,7',
  ].join('\n');
  const { frame, issues } = parseCsv(text);
  assert.deepEqual(frame!.metrics, ['value{host="a"}', 'value{host="b"}']);
  assert.deepEqual(Array.from(frame!.values[0]), [1, 3, 5]);
  assert.deepEqual(Array.from(frame!.values[1]), [2, 4, 7]);
  assert.deepEqual(Array.from(frame!.lines), [4, 2, 6]);
  const repeated = issues.find((x) => x.code === 'duplicate-series-row');
  assert.ok(repeated && repeated.line === 8, JSON.stringify(issues));
  assert.ok(issues.some((x) => x.code === 'unsorted'));
});

test('long files whose series are sampled at different times: joined with a warning when most cells fill, else read as they are', () => {
  const file = (aligned: number, apart: number): string => {
    const lines = ['time,host,value'];
    // At first the hosts share their times (what makes the file read as long)…
    for (let i = 0; i < aligned; i++) for (const h of ['a', 'b', 'c']) lines.push(`${1_700_000_000 + i * 60},${h},${i}`);
    // …then each is at its own seconds.
    for (let i = aligned; i < aligned + apart; i++) for (const [k, h] of ['a', 'b', 'c'].entries()) lines.push(`${1_700_000_000 + i * 60 + k * 7},${h},${i}`);
    return lines.join('\n');
  };
  const some = parseCsv(file(300, 100));
  assert.deepEqual(some.frame!.metrics, ['value{host="a"}', 'value{host="b"}', 'value{host="c"}']);
  assert.equal(some.frame!.rows, 300 + 100 * 3);
  const misaligned = some.issues.find((x) => x.code === 'series-misaligned');
  assert.ok(misaligned, JSON.stringify(some.issues));
  assert.match(misaligned.message, /33 % of the joined cells are empty/);
  // Mostly apart: joined, the cells would be mostly empty (series × times): read as it is, and said.
  const most = parseCsv(file(100, 400));
  assert.deepEqual(most.frame!.metrics, ['value']);
  assert.equal(most.frame!.rows, 1500);
  assert.deepEqual(most.issues.map((x) => x.code), ['long-not-joined', 'duplicate-timestamp']);
  assert.match(most.issues[0].message, /^rows of several series told apart by "host", but their times do not line up \(at most 38 % of the joined cells would hold a value\)/);
});

test('an event log (a status column, several rows a time) and a split date and time are not long files', () => {
  const events = 'time,status,latency\n' + Array.from({ length: 40 }, (_, i) => ['ok', 'error', 'ok'].map((s, k) => `2024-03-04T00:${String(i).padStart(2, '0')}:00Z,${s},${i * 3 + k}`).join('\n')).join('\n');
  const e = parseCsv(events);
  assert.deepEqual(e.frame!.metrics, ['latency']);
  assert.equal(e.frame!.rows, 120);
  assert.ok(!e.issues.some((x) => x.code === 'long-format' || x.code === 'long-not-joined'), JSON.stringify(e.issues));
  // Datum;Uhrzeit;Wert (a German Excel export): the clock time is no label; the date and the clock time are the time.
  const split = 'Datum;Uhrzeit;Wert\n' + Array.from({ length: 30 * 48 }, (_, i) => `${String(1 + Math.floor(i / 48)).padStart(2, '0')}.03.2024;${String(Math.floor((i % 48) / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'};${i % 7},5`).join('\n');
  const s = parseCsv(split);
  assert.deepEqual(s.frame!.metrics, ['Wert']);
  assert.equal(s.frame!.rows, 1440);
  assert.equal(s.frame!.stepMs, 30 * 60_000);
  assert.deepEqual([s.frame!.timestamps![0], s.frame!.timestamps![1439]].map((t) => new Date(t).toISOString()), ['2024-03-01T00:00:00.000Z', '2024-03-30T23:30:00.000Z']);
  assert.deepEqual(s.issues, []);
  // The stream reads it the same way.
  const times: number[] = [];
  const pipe = new StreamPipeline({ displayPath: 'split.csv', onRow: (r) => times.push(r.ms) });
  pipe.push(split);
  pipe.finish();
  assert.deepEqual(times, Array.from(s.frame!.timestamps!));
});

test('long files with more series than can be analysed are refused with a message, not read as thousands of columns', () => {
  const lines = ['time,host,avg,max,min'];
  for (let i = 0; i < 4; i++) for (let h = 0; h < 200; h++) lines.push(`${1_700_000_000 + i * 60},h${h},1,2,0`);
  const { frame, issues } = parseCsv(lines.join('\n'));
  assert.equal(frame, null);
  assert.equal(issues[0].code, 'too-many-series');
  assert.equal(issues[0].severity, 'error');
  assert.match(issues[0].message, new RegExp(`200 series give 600 metrics, more than the ${MAX_LONG_METRICS} analysed at once`));
});

test('a wide file with a text column and no shared times is not long; nor one whose text column is free text', () => {
  const wide = 'time,status,cpu\n' + Array.from({ length: 20 }, (_, i) => `2024-03-04T00:${String(i).padStart(2, '0')}:00Z,${i % 2 ? 'ok' : 'warn'},${i}`).join('\n');
  const a = parseCsv(wide);
  assert.deepEqual(a.frame!.metrics, ['cpu']);
  assert.ok(!a.issues.some((x) => x.code === 'long-format'));
  // Two rows a time, each with its own message: duplicate times, kept as rows (as before).
  const free = 'time,message,cpu\n' + Array.from({ length: 20 }, (_, i) => `2024-03-04T00:${String(i >> 1).padStart(2, '0')}:00Z,event number ${i},${i}`).join('\n');
  const b = parseCsv(free);
  assert.deepEqual(b.frame!.metrics, ['cpu']);
  assert.equal(b.frame!.rows, 20);
  assert.ok(b.issues.some((x) => x.code === 'duplicate-timestamp'));
});

test('streaming a long file joins each time\'s rows into one row, scored as the same data given a column per series', () => {
  // A spike on host b's cpu; rules per series.
  const val = (i: number, h: string, m: string): number => (m === 'cpu' ? 40 : 60) + ((i * 7) % 11) + (h === 'b' ? 3 : 0) + (i === 300 && h === 'b' && m === 'cpu' ? 60 : 0);
  const long = longCsv(400, ['a', 'b'], ['cpu', 'mem'], val);
  const frame = parseCsv(long).frame!;
  const wide = [['time', ...frame.metrics].map((h) => `"${h.replace(/"/g, '""')}"`).join(','),
    ...Array.from({ length: frame.rows }, (_, i) => [new Date(frame.timestamps![i]).toISOString(), ...frame.values.map((v) => v[i])].join(','))].join('\n') + '\n';
  const rules = validateRules('version: 1\nrules:\n  - name: hot\n    metric: cpu\n    op: ">"\n    threshold: 90\n    annotations: {summary: "{{ labels.host }} hot"}\n').rules!;
  const run = (text: string, pieces: number, metrics?: string[]) => {
    const rows: ScoredRow[] = [];
    const notices: string[] = [];
    const pipe = new StreamPipeline({ displayPath: 'f.csv', rules, metrics, onRow: (r) => rows.push(r), onNotice: (t) => notices.push(t) });
    // In pieces that end anywhere, pausing after each: a time is scored when the next begins or every series has given it.
    const size = Math.ceil(text.length / pieces);
    for (let k = 0; k < text.length; k += size) { pipe.push(text.slice(k, k + size)); pipe.caughtUp(); }
    pipe.finish();
    assert.equal(pipe.failure, null);
    return { rows, notices, metrics: pipe.columns!.metrics };
  };
  const joined = run(long, 37);
  const plain = run(wide, 1);
  assert.deepEqual(joined.metrics, frame.metrics);
  assert.equal(joined.rows.length, 400);
  assert.deepEqual(joined.rows.map((r) => [r.ms, r.values, r.score.score]), plain.rows.map((r) => [r.ms, r.values, r.score.score]));
  assert.deepEqual(joined.rows.map((r) => r.line).slice(0, 3), [2, 6, 10], 'a time\'s first line');
  const hot = joined.rows.flatMap((r) => r.anomalies.filter((a) => a.detector === 'rule').map((a) => [r.row, a.metric, a.message]));
  assert.deepEqual(hot, [[300, 'cpu{host="b"}', 'b hot']]);
  assert.ok(joined.notices.some((n) => /long format: the rows of each time are joined into one, a metric per series told apart by "host", "metric" \(4 metrics/.test(n)), JSON.stringify(joined.notices));
  // --metrics cpu takes every cpu{…} series; a series first seen later is named once and not scored.
  const later = long + `${new Date(Date.UTC(2024, 2, 4) + 400 * 60_000).toISOString()},c,cpu,1\n`.repeat(2);
  const some = run(later, 5, ['cpu']);
  assert.deepEqual(some.metrics, ['cpu{host="a"}', 'cpu{host="b"}']);
  assert.deepEqual(some.rows.slice(0, 400).map((r) => r.values), joined.rows.map((r) => [r.values[0], r.values[2]]));
  assert.equal(some.notices.filter((n) => /series \{host="c",metric="cpu"\} first seen here, after the first rows decided the columns: not scored/.test(n)).length, 1);
  // NAB output scores one metric.
  const nab = new StreamPipeline({ displayPath: 'long.csv', oneMetric: true, onRow: () => assert.fail('no row is scored') });
  nab.push(long);
  nab.finish();
  assert.match(nab.failure!.message, /--format nab scores one metric; this file has 4/);
});

test('a long file\'s findings are shown on their own series\' line, not the first line of their time', () => {
  const { frame } = parseCsv(longCsv(10, ['a', 'b'], ['cpu', 'mem'], v));
  const f = frame!;
  // Line of time i: 2 + 4i (a/cpu), 3 + 4i (a/mem), 4 + 4i (b/cpu), 5 + 4i (b/mem).
  assert.deepEqual([0, 1, 2, 3].map((m) => lineOfFinding(f, 5, f.metrics[m])), [22, 23, 24, 25]);
  assert.equal(lineOfFinding(f, 5, null), 22);
  const at = (row: number, metric: string): Anomaly => ({ row, timestamp: null, detector: 'forecast', metric, value: 1, score: 60, severity: 'major', message: 'm' });
  const index = indexByLine([at(5, 'cpu{host="b"}'), at(5, 'cpu{host="a"}'), at(7, 'mem{host="b"}')], f.lines, (a) => lineOfFinding(f, a.row, a.metric));
  assert.deepEqual(Array.from(index.lines), [22, 24, 33]);
  assert.deepEqual(findingsAt(index, 24).map((a) => a.metric), ['cpu{host="b"}']);
});

/** A long file grouped by series (`ORDER BY host, time`): every row of one host, then the next. */
function groupedCsv(times: number, hosts: string[], metrics: string[], value: (i: number, host: string, metric: string) => number, header = 'time,host,metric,value'): string {
  const lines = [header];
  for (const h of hosts) {
    for (let i = 0; i < times; i++) {
      const t = new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString();
      for (const m of metrics) lines.push(`${t},${h},${m},${value(i, h, m)}`);
    }
  }
  return lines.join('\n') + '\n';
}

test('a long CSV grouped by series (all of host a, then b: the first rows see one series) is joined as an interleaved one is', () => {
  for (const metrics of [['cpu'], ['cpu', 'mem']]) {
    // 700 times a host: the 500 sampled rows are all host a's.
    const grouped = parseCsv(groupedCsv(700, ['a', 'b', 'c'], metrics, v));
    const interleaved = parseCsv(longCsv(700, ['a', 'b', 'c'], metrics, v));
    assert.ok(grouped.frame, JSON.stringify(grouped.issues));
    assert.deepEqual(grouped.frame.metrics, interleaved.frame!.metrics);
    assert.deepEqual(grouped.frame.values, interleaved.frame!.values);
    assert.deepEqual(Array.from(grouped.frame.timestamps!), Array.from(interleaved.frame!.timestamps!));
    // Each series in order: no 'unsorted' or duplicate-timestamp warning, only the note that the file was joined.
    assert.deepEqual(grouped.issues.map((x) => x.code), ['long-format'], JSON.stringify(grouped.issues));
    // A finding is on its own series' line: host b's 10th time is line 2 + (700 + 10) × metrics.
    const b = grouped.frame.metrics.indexOf('cpu{host="b"}');
    assert.equal(grouped.frame.seriesLines![b][10], 2 + (700 + 10) * metrics.length);
  }
  // Grouped by metric with a name column (`time,metric,value`, each metric's rows together).
  const at = (i: number): string => new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString();
  const byName = parseCsv(['time,metric,value', ...['cpu', 'mem'].flatMap((m) => Array.from({ length: 600 }, (_, i) => `${at(i)},${m},${v(i, 'x', m)}`))].join('\n'));
  assert.deepEqual(byName.frame!.metrics, ['cpu', 'mem']);
  assert.equal(byName.frame!.rows, 600);
  assert.equal(byName.frame!.values[1][3], v(3, 'x', 'mem'));
});

test('a wide file with a text column of one value in its first rows stays wide: constant, changing once, or out of order', () => {
  const rows = (n: number, env: (i: number) => string, order = (i: number): number => i): string =>
    ['time,env,cpu,mem', ...Array.from({ length: n }, (_, k) => { const i = order(k); return `${new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString()},${env(i)},${i},${i * 2}`; })].join('\n');
  for (const [what, text, codes] of [
    ['constant', rows(800, () => 'prod'), []],
    ['changes once, time going on', rows(800, (i) => (i < 600 ? 'prod' : 'staging')), []],
    ['out of order', rows(800, () => 'prod', (k) => (k < 700 ? k + 100 : k - 700)), ['unsorted']],
  ] as const) {
    const { frame, issues } = parseCsv(text);
    assert.deepEqual(frame!.metrics, ['cpu', 'mem'], what);
    assert.equal(frame!.rows, 800, what);
    assert.deepEqual(Array.from(frame!.values[0].slice(0, 3)), [0, 1, 2], what);
    assert.deepEqual(issues.map((x) => x.code), codes, what);
  }
});

test('a grouped long file whose series are not in order within themselves says so; streaming a grouped file is not refused up front', () => {
  const text = groupedCsv(600, ['a', 'b'], ['cpu'], v).split('\n');
  [text[3], text[4]] = [text[4], text[3]];
  const { frame, issues } = parseCsv(text.join('\n'));
  assert.deepEqual(frame!.metrics, ['cpu{host="a"}', 'cpu{host="b"}']);
  assert.deepEqual(issues.map((x) => x.code), ['unsorted', 'long-format']);
  // Streaming cannot know a file is grouped from its first rows (one host's): they are scored as a wide file's.
  let scored = 0;
  const pipe = new StreamPipeline({ displayPath: 'grouped.csv', onRow: () => { scored++; } });
  pipe.push(text.slice(0, 40).join('\n') + '\n');
  pipe.caughtUp();
  assert.equal(pipe.failure, null);
  assert.ok(scored > 30, `${scored} rows scored`);
});

test('integer label columns (node_exporter\'s cpu 0–7) tell series apart where the text labels alone repeat a time', () => {
  const at = (i: number): string => new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString();
  const cpus = [0, 1, 2, 3];
  const modes = ['idle', 'user'];
  const val = (i: number, c: number, m: string): number => i + c * 100 + (m === 'user' ? 0.5 : 0);
  const node = parseCsv(['time,cpu,mode,value', ...Array.from({ length: 200 }, (_, i) => cpus.flatMap((c) => modes.map((m) => `${at(i)},${c},${m},${val(i, c, m)}`))).flat()].join('\n'));
  assert.deepEqual(node.frame!.metrics, cpus.flatMap((c) => modes.map((m) => `value{cpu="${c}",mode="${m}"}`)));
  assert.equal(node.frame!.rows, 200);
  assert.equal(node.frame!.values[3][150], val(150, 1, 'user'));
  // No text column at all.
  const bare = parseCsv(['time,cpu,value', ...Array.from({ length: 200 }, (_, i) => cpus.map((c) => `${at(i)},${c},${val(i, c, 'idle')}`)).flat()].join('\n'));
  assert.deepEqual(bare.frame!.metrics, cpus.map((c) => `value{cpu="${c}"}`));
  // An integer metric of few values stays a metric where the text labels already tell the rows apart.
  const errors = parseCsv(['time,host,errors', ...Array.from({ length: 200 }, (_, i) => ['a', 'b'].map((h) => `${at(i)},${h},${i % 3}`)).flat()].join('\n'));
  assert.deepEqual(errors.frame!.metrics, ['errors{host="a"}', 'errors{host="b"}']);
  // A part of the time (an hour column beside a date) is no label: read as it is.
  const hours = parseCsv(['date,hour,value', ...Array.from({ length: 30 }, (_, d) => Array.from({ length: 24 }, (_, h) => `2024-03-${String(d + 1).padStart(2, '0')},${h},${d * 24 + h}`)).flat()].join('\n'));
  assert.deepEqual(hours.frame!.metrics, ['hour', 'value']);
  const ga = parseCsv(['Date,Hour of Day,Sessions', ...Array.from({ length: 30 }, (_, d) => Array.from({ length: 24 }, (_, h) => `2024-03-${String(d + 1).padStart(2, '0')},${h},${d * 24 + h}`)).flat()].join('\n'));
  assert.deepEqual(ga.frame!.metrics, ['Hour of Day', 'Sessions']);
  const slot = parseCsv(['Date,Slot,Sessions', ...Array.from({ length: 30 }, (_, d) => Array.from({ length: 24 }, (_, h) => `2024-03-${String(d + 1).padStart(2, '0')},${h},${d * 24 + h}`)).flat()].join('\n'));
  assert.deepEqual(slot.frame!.metrics, ['Slot', 'Sessions']);
  // The integer column of fewest values is the label: an HTTP status before a count.
  const status = parseCsv(['time,host,count,status', ...Array.from({ length: 200 }, (_, i) => ['a', 'b'].flatMap((h) => [200, 500].map((c) => `${at(i)},${h},${(i * 7 + c) % 41},${c}`))).flat()].join('\n'));
  assert.deepEqual(status.frame!.metrics, ['count{host="a",status="200"}', 'count{host="a",status="500"}', 'count{host="b",status="200"}', 'count{host="b",status="500"}']);
  // An integer column taken for a label whose series do not line up is read back as a metric, its values kept.
  const counts = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 41);
  const dup = parseCsv(['time,errors,latency', ...counts.map((c, i) => `${at(i >> 1)},${c},${i / 10}`)].join('\n'));
  assert.deepEqual(dup.frame!.metrics, ['errors', 'latency']);
  assert.deepEqual(Array.from(dup.frame!.values[0]), counts);
  assert.deepEqual(dup.issues.map((x) => x.code), ['duplicate-timestamp']);
});

test('grouped long files newest first, or exported in chunks, are joined; a column that changes at a repeated time stays no label', () => {
  const at = (i: number): string => new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString();
  const run = (h: string, from: number, to: number, desc = false): string[] => {
    const out = Array.from({ length: to - from }, (_, k) => `${at(from + k)},${h},${from + k + (h === 'b' ? 1000 : 0)}`);
    return desc ? out.reverse() : out;
  };
  const desc = parseCsv(['time,host,cpu', ...run('a', 0, 600, true), ...run('b', 0, 600, true)].join('\n'));
  assert.deepEqual(desc.frame!.metrics, ['cpu{host="a"}', 'cpu{host="b"}']);
  assert.equal(desc.frame!.values[1][5], 1005);
  const chunks = parseCsv(['time,host,cpu', ...[0, 1, 2].flatMap((k) => [...run('a', 300 * k, 300 * k + 300), ...run('b', 300 * k, 300 * k + 300)])].join('\n'));
  assert.deepEqual(chunks.frame!.metrics, ['cpu{host="a"}', 'cpu{host="b"}']);
  assert.equal(chunks.frame!.rows, 900);
  const status = parseCsv(['time,status,cpu', ...Array.from({ length: 800 }, (_, i) => `${at(i < 600 ? i : i - 1)},${i < 600 ? 'ok' : 'warn'},${i}`)].join('\n'));
  assert.deepEqual(status.frame!.metrics, ['cpu']);
});

test('a text column of one value in the first rows that later takes a value per row (notes) leaves a wide file wide, its values whole', () => {
  const at = (i: number): string => new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString();
  const { frame, issues } = parseCsv(['time,note,cpu', ...Array.from({ length: 3000 }, (_, i) => `${at(i)},${i < 1000 ? '' : `deploy ${i}`},${i}`)].join('\n'));
  assert.deepEqual(frame!.metrics, ['cpu']);
  assert.deepEqual(Array.from(frame!.values[0]), Array.from({ length: 3000 }, (_, i) => i));
  assert.deepEqual(issues, []);
});

test('following a long file written one time at a time (30 hosts) waits for three times; a grouped file is refused where its time goes back', () => {
  const hosts = Array.from({ length: 30 }, (_, h) => `h${String(h).padStart(2, '0')}`);
  const time = (i: number): string => hosts.map((h, k) => `${new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString()},${h},${k * 100 + i}\n`).join('');
  const rows: ScoredRow[] = [];
  const notices: string[] = [];
  const pipe = new StreamPipeline({ displayPath: 'live.csv', live: true, onRow: (r) => rows.push(r), onNotice: (t) => notices.push(t) });
  pipe.push('time,host,cpu\n' + time(0));
  pipe.caughtUp();
  assert.equal(pipe.columns, null, 'one time: undecided');
  for (let i = 1; i < 6; i++) { pipe.push(time(i)); pipe.caughtUp(); }
  assert.equal(pipe.columns!.metrics.length, 30);
  assert.equal(pipe.columns!.metrics[2], 'cpu{host="h02"}');
  // Every time scored as it completed (the last at the pause after it), each once.
  assert.deepEqual(rows.map((r) => r.values[2]), [200, 201, 202, 203, 204, 205]);
  // A late row of a time already scored is not scored again; a series first seen later is named, escaped.
  pipe.push(time(5).split('\n')[0] + '\n' + `${new Date(Date.UTC(2024, 2, 4) + 6 * 60_000).toISOString()},\u001b[31mred,1\n`);
  pipe.finish();
  assert.equal(rows.length, 6);
  assert.ok(notices.some((n) => /a row of a time already scored .*: not scored/.test(n)), JSON.stringify(notices));
  assert.ok(notices.some((n) => n.includes('series {host="\\x1b[31mred"} first seen here')), JSON.stringify(notices));
  assert.equal(pipe.failure, null);
  // Grouped by host: refused at host b's first row (line 802), not scored as host a's.
  const grouped = ['time,host,cpu', ...['a', 'b'].flatMap((h) => Array.from({ length: 800 }, (_, i) => `${new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString()},${h},${i}`))].join('\n');
  const g = new StreamPipeline({ displayPath: 'g.csv', onRow: () => undefined });
  g.push(grouped);
  g.finish();
  assert.match(g.failure!.message, /the rows come grouped by series \(\{host="b"\} starts here at a time already read\)/);
  assert.equal((g.failure as InputError).line, 802);
});

test('a grouped long file whose first 500 rows reach into its second series (shared times few) is joined', () => {
  const at = (i: number): string => new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString();
  const { frame } = parseCsv(['time,host,metric,value', ...['a', 'b'].flatMap((h) => Array.from({ length: 424 }, (_, i) => `${at(i)},${h},cpu,${i + (h === 'b' ? 1000 : 0)}`))].join('\n'));
  assert.deepEqual(frame!.metrics, ['cpu{host="a"}', 'cpu{host="b"}']);
  assert.equal(frame!.values[1][423], 1423);
});

test('second review: a row a second out of order does not make a wide file long; a lagging writer still joins; date and clock columns decide at once', () => {
  // A status column with one 'slow' row whose time is a second before the row above: wide, read and streamed.
  const at = (ms: number): string => new Date(Date.UTC(2024, 2, 4) + ms).toISOString();
  const jitter = ['time,status,latency_ms', ...Array.from({ length: 200 }, (_, i) => `${at(i * 10_000 - (i === 125 ? 11_000 : 0))},${i === 125 ? 'slow' : 'ok'},${i === 125 ? 900 : 20 + (i % 3)}`)].join('\n');
  assert.deepEqual(parseCsv(jitter).frame!.metrics, ['latency_ms']);
  const w = new StreamPipeline({ displayPath: 'w.csv', onRow: () => undefined });
  w.push(jitter);
  w.finish();
  assert.equal(w.failure, null);
  // Host b writes each time one time behind host a: 30 joined times, in order, each with both hosts.
  const lines = ['time,host,cpu'];
  for (let i = 0; i <= 30; i++) {
    if (i < 30) lines.push(`${at(i * 60_000)},a,${i}`);
    if (i > 0) lines.push(`${at((i - 1) * 60_000)},b,${1000 + i - 1}`);
  }
  const rows: ScoredRow[] = [];
  const lag = new StreamPipeline({ displayPath: 'lag.csv', onRow: (r) => rows.push(r) });
  lag.push(lines.join('\n') + '\n');
  lag.finish();
  assert.equal(lag.failure, null);
  assert.deepEqual(rows.map((r) => r.values), Array.from({ length: 30 }, (_, i) => [i, 1000 + i]));
  // A date column and a clock column, followed a row at a time: decided from the first 20 rows, not 500.
  const clock = (i: number): string => `2024-03-04,${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${i % 7}\n`;
  const live = new StreamPipeline({ displayPath: 'c.csv', live: true, onRow: () => undefined });
  live.push('date,time,cpu\n');
  for (let i = 0; i < 25; i++) { live.push(clock(i)); live.caughtUp(); }
  assert.deepEqual(live.columns?.metrics, ['cpu']);
  // Grouped by host, newest first: refused where host b starts (at the newest time again), not scored as host a's.
  const desc = ['time,host,cpu', ...['a', 'b'].flatMap((h) => Array.from({ length: 600 }, (_, i) => `${at((599 - i) * 60_000)},${h},${i}`))].join('\n');
  const d = new StreamPipeline({ displayPath: 'd.csv', onRow: () => undefined });
  d.push(desc);
  d.finish();
  assert.match(d.failure?.message ?? '', /grouped by series \(\{host="b"\}/);
});

test('time,name,value whose name changes inside the first 500 rows: analyze and stream both name the metric by the first rows, and say where it changes', () => {
  for (const at of [10, 100]) {
    const lines = ['time,name,value'];
    for (let i = 0; i < 300; i++) lines.push(`${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${i < at ? 'cpu' : 'cpu_total'},${50 + (i % 7)}`);
    const text = lines.join('\n') + '\n';
    const parsed = parseCsv(text);
    const note = `'cpu_total' in column "name" where the first rows have 'cpu', which names the metric: read on as 'cpu' (the name is the first rows', in analyze as in stream); to read 'cpu_total' apart, filter the file by "name"`;
    assert.deepEqual(parsed.frame!.metrics, ['cpu'], `change at row ${at}`);
    assert.deepEqual(parsed.issues.filter((x) => x.code === 'name-changed').map((x) => [x.line, x.column, x.message]), [[at + 2, 2, note]]);
    const notices: string[] = [];
    const pipe = new StreamPipeline({ displayPath: 'n.csv', onRow: () => undefined, onNotice: (t) => notices.push(t) });
    pipe.push(text);
    pipe.finish();
    assert.deepEqual(pipe.columns!.metrics, ['cpu']);
    assert.deepEqual(notices.filter((t) => t.includes('names the metric')), [`n.csv:${at + 2}:2: warning: ${note}`]);
  }
});
