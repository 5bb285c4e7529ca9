import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { StreamPipeline } from '../../src/node/streamPipeline.ts';
import type { ScoredRow } from '../../src/node/streamPipeline.ts';
import type { InputError } from '../../src/node/errors.ts';

const ANNOTATIONS = '#group,false,false,true,true,false,false,true,true,true\n#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string\n#default,_result,,,,,,,,\n';
const HEADER = ',result,table,_start,_stop,_time,_value,_field,_measurement,host\n';
const at = (i: number): string => new Date(Date.UTC(2024, 2, 4) + i * 300_000).toISOString().replace('.000Z', 'Z');
const value = (i: number, host: string): number => i + (host === 'b' ? 1000 : 0);
const row = (table: number, i: number, host: string): string => `,,${table},${at(0)},${at(999)},${at(i)},${value(i, host)},usage_user,cpu,${host}\n`;

/** InfluxDB 2's annotated CSV of a Flux query: one table per series, each after a blank line (with its annotations and header again when `repeat`). */
function influx(times: number, hosts: string[], repeat: boolean): string {
  let out = ANNOTATIONS + HEADER;
  hosts.forEach((h, table) => {
    if (table > 0) out += '\n' + (repeat ? ANNOTATIONS + HEADER : '');
    for (let i = 0; i < times; i++) out += row(table, i, h);
  });
  return out;
}

test('an InfluxDB annotated CSV is read: annotations and repeated headers skipped, _time the time, a metric per series named by _field', () => {
  for (const repeat of [false, true]) {
    // 700 rows a table: the second is read by the fast reader, past the sampled rows.
    const { frame, issues } = parseCsv(influx(700, ['a', 'b'], repeat));
    assert.ok(frame, JSON.stringify(issues));
    assert.equal(frame.timestampColumn, '_time');
    assert.deepEqual(frame.metrics, ['usage_user{host="a"}', 'usage_user{host="b"}']);
    assert.equal(frame.rows, 700);
    assert.deepEqual(Array.from(frame.timestamps!.slice(0, 2)), [Date.UTC(2024, 2, 4), Date.UTC(2024, 2, 4) + 300_000]);
    assert.deepEqual([frame.values[0][699], frame.values[1][699]], [699, 1699]);
    // The long-format note only: no skipped rows, no duplicate columns, no `table` or `result` metric.
    assert.deepEqual(issues.map((x) => x.code), ['long-format'], JSON.stringify(issues));
    assert.match(issues[0].message, /told apart by "host" \(2 metrics/);
  }
});

test('a CSV whose header comes again (files joined with cat) skips it silently; a constant time column (a query bound) is not the time', () => {
  const part = (from: number): string => Array.from({ length: 30 }, (_, i) => `2024-01-01T00:00:00Z,${at(from + i)},${from + i}`).join('\n') + '\n';
  const { frame, issues } = parseCsv('start,time,cpu\n' + part(0) + 'start,time,cpu\n' + part(30));
  assert.equal(frame!.timestampColumn, 'time');
  assert.equal(frame!.rows, 60);
  assert.deepEqual(frame!.metrics, ['cpu']);
  assert.deepEqual(issues, []);
});

test('stream reads an InfluxDB CSV of interleaved series as batch does, and stops at a table grouped by series with a clear error', () => {
  let text = ANNOTATIONS + HEADER;
  for (let i = 0; i < 300; i++) for (const [k, h] of ['a', 'b'].entries()) text += row(k, i, h);
  const rows: ScoredRow[] = [];
  const pipe = new StreamPipeline({ displayPath: 'influx.csv', onRow: (r) => rows.push(r) });
  for (let k = 0; k < text.length; k += 997) { pipe.push(text.slice(k, k + 997)); pipe.caughtUp(); }
  pipe.finish();
  assert.equal(pipe.failure, null);
  assert.deepEqual(pipe.columns!.metrics, parseCsv(text).frame!.metrics);
  assert.equal(rows.length, 300);
  assert.deepEqual(rows[299].values, [299, 1299]);
  const grouped = new StreamPipeline({ displayPath: 'g.csv', onRow: () => undefined });
  grouped.push(influx(300, ['a', 'b'], true));
  grouped.finish();
  assert.match(grouped.failure?.message ?? '', /the rows come grouped by series/);
});

/** Azure Monitor's CSV: notes above the table, US dates with AM/PM. */
function azure(n: number): string {
  const rows = Array.from({ length: n }, (_, i) => {
    const d = new Date(Date.UTC(2024, 2, 13) + i * 300_000);
    const h = d.getUTCHours();
    return `"3/${d.getUTCDate()}/2024 ${((h + 11) % 12) + 1}:${String(d.getUTCMinutes()).padStart(2, '0')}:00 ${h < 12 ? 'AM' : 'PM'}","${i % 10}","${4e9 + i}"`;
  });
  return 'Subscription Name: prod\nResource: vm-web-01\nMetric: Percentage CPU\n\n"Timestamp [UTC]","Percentage CPU (Avg)","Available Memory Bytes (Avg)"\n' + rows.join('\n') + '\n';
}

test('notes or a title above the table (Azure Monitor, reports) are skipped with a warning naming their lines; batch and stream alike', () => {
  const { frame, issues } = parseCsv(azure(400));
  assert.ok(frame, JSON.stringify(issues));
  assert.deepEqual(frame.metrics, ['Percentage CPU (Avg)', 'Available Memory Bytes (Avg)']);
  assert.equal(frame.timestampColumn, 'Timestamp [UTC]');
  assert.equal(frame.rows, 400);
  assert.equal(frame.lines[0], 6);
  assert.deepEqual(issues.map((x) => [x.code, x.line]), [['preamble', 1]]);
  assert.equal(issues[0].message, 'lines 1–3 above the header (line 5) skipped: fewer fields than the table below, a title or an export\'s notes');
  const title = parseCsv('CPU report for web-01\ntime,cpu\n' + Array.from({ length: 40 }, (_, i) => `${at(i)},${i}`).join('\n') + '\n');
  assert.equal(title.frame!.rows, 40);
  assert.match(title.issues[0].message, /^line 1 above the header \(line 2\) skipped/);
  // Streamed in pieces: the same rows, the same warning.
  const rows: ScoredRow[] = [];
  const notices: string[] = [];
  const pipe = new StreamPipeline({ displayPath: 'azure.csv', onRow: (r) => rows.push(r), onNotice: (t) => notices.push(t) });
  const text = azure(400);
  for (let k = 0; k < text.length; k += 500) { pipe.push(text.slice(k, k + 500)); pipe.caughtUp(); }
  pipe.finish();
  assert.equal(pipe.failure, null);
  assert.deepEqual(pipe.columns!.metrics, frame.metrics);
  assert.deepEqual(rows.map((r) => r.ms), Array.from(frame.timestamps!));
  assert.ok(notices.includes('azure.csv:1: warning: lines 1–3 above the header (line 5) skipped: fewer fields than the table below, a title or an export\'s notes'), JSON.stringify(notices));
});

test('a header narrower than its rows is not replaced by a data row; a plain file has no preamble', () => {
  const wide = parseCsv('time,cpu\n2024-03-01T00:00:00Z,1,x\n2024-03-01T00:01:00Z,2,y\n');
  assert.equal(wide.frame, null);
  assert.deepEqual(wide.issues.filter((x) => x.severity === 'error').map((x) => x.message), ['no usable data rows: every row has another number of fields than the header (2)']);
  // Trailing empty fields, short files, a one-column file: the first row stays the header, nothing said.
  for (const text of ['time,cpu\n2024-03-01T00:00:00Z,1,\n2024-03-01T00:01:00Z,2,\n', 'time,cpu\n2024-03-01T00:00:00Z,1\n', 'cpu\n1\n2\n3\n']) {
    const r = parseCsv(text);
    assert.ok(r.frame, text);
    assert.deepEqual(r.issues.filter((x) => x.code === 'preamble'), [], text);
  }
});

test('stream says a gzip file is compressed, and another binary file is not text, on line 1', () => {
  for (const [bytes, want] of [[[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3], /^a gzip-compressed file: analyze reads it/], [[0, 1, 2, 3, 4, 5], /^this is not a text CSV file/]] as const) {
    const pipe = new StreamPipeline({ displayPath: 'x.csv', onRow: () => assert.fail('no row') });
    pipe.push(Buffer.from(bytes).toString('latin1'));
    pipe.finish();
    assert.match(pipe.failure?.message ?? '', want);
    assert.equal((pipe.failure as InputError | null)?.line, 1);
  }
});

test('InfluxDB tables of other tags: the time stays _time, the other header is said; a file without a header keeps rows equal to its first', () => {
  const table2 = '\n' + ANNOTATIONS + ',result,table,_start,_stop,_time,_value,_field,_measurement,path\n'
    + Array.from({ length: 50 }, (_, i) => `,,1,${at(0)},${at(999)},${at(i)},${i},used,disk,/\n`).join('');
  const { frame, issues } = parseCsv(influx(50, ['a'], false) + table2);
  assert.equal(frame!.timestampColumn, '_time');
  assert.deepEqual(issues.filter((x) => x.code === 'header-again').map((x) => [x.line, x.message]), [[59, 'another header row, its columns unlike line 4\'s: skipped; the rows after it are read by line 4\'s columns']]);
  const headerless = parseCsv('0,0\n0,0\n5,1\n0,0\n0,0\n7,2\n');
  assert.equal(headerless.frame!.rows, 5);
  // Excel writes a title row padded with empty fields: still a preamble.
  const padded = parseCsv('CPU report,,\ntime,cpu,mem\n' + Array.from({ length: 30 }, (_, i) => `${at(i)},${i},${i * 2}`).join('\n') + '\n');
  assert.deepEqual(padded.frame!.metrics, ['cpu', 'mem']);
  assert.deepEqual(padded.issues.map((x) => x.code), ['preamble']);
  // Several padded rows (a title, notes, an empty row) above the names: all of them are the preamble.
  const body = Array.from({ length: 30 }, (_, i) => `${at(i)},${i},${i * 2}`).join('\n') + '\n';
  for (const [top, last] of [['CPU report,,\nHost: web-1,,\n', 2], ['Exported from Zabbix,,\n,,\nGenerated 2024-03-05,,\n', 3]] as const) {
    const r = parseCsv(`${top}time,cpu,mem\n${body}`);
    assert.deepEqual([r.frame!.metrics, r.frame!.rows, r.issues.map((x) => x.code)], [['cpu', 'mem'], 30, ['preamble']], top);
    assert.match(r.issues[0].message, new RegExp(`^lines 1–${last} above the header \\(line ${last + 1}\\)`));
  }
  // A header whose last name is empty (every row ends with a comma) stays the header.
  const trailing = parseCsv('time,cpu,mem,\n' + Array.from({ length: 30 }, (_, i) => `${at(i)},${i},${i * 2},`).join('\n') + '\n');
  assert.deepEqual(trailing.frame!.metrics.slice(0, 2), ['cpu', 'mem']);
  assert.deepEqual(trailing.issues.filter((x) => x.code === 'preamble'), []);
});

test('padded rows above the header: stream reads them as the preamble, as analyze does; a header with an empty last name above data of decimal commas, units or day-month dates stays the header', () => {
  const body = Array.from({ length: 40 }, (_, i) => `${at(i)},${i},${i * 2}`).join('\n') + '\n';
  for (const top of ['CPU report,,\n', 'CPU report,,\nHost: web-1,,\n,,\n']) {
    const text = `${top}time,cpu,mem\n${body}`;
    const { frame } = parseCsv(text);
    const rows: ScoredRow[] = [];
    const notices: string[] = [];
    const pipe = new StreamPipeline({ displayPath: 'report.csv', onRow: (r) => rows.push(r), onNotice: (t) => notices.push(t) });
    for (let k = 0; k < text.length; k += 300) { pipe.push(text.slice(k, k + 300)); pipe.caughtUp(); }
    pipe.finish();
    assert.equal(pipe.failure, null);
    assert.deepEqual([pipe.columns!.metrics, rows.length], [['cpu', 'mem'], 40], top);
    assert.deepEqual(rows.map((r) => r.ms), Array.from(frame!.timestamps!), top);
    assert.ok(notices.some((t) => /^report\.csv:1: warning: lines? 1(–\d)? above the header/.test(t)), JSON.stringify(notices));
  }
  // Data a plain number test does not read (52,3 / 52% / 04.03.2024 10:00) is no row of names: its header stays.
  const german = (i: number): string => `0${4 + Math.floor(i / 24)}.03.2024 ${String(i % 24).padStart(2, '0')}:00`;
  for (const [head, row, sep] of [['Zeit;CPU;', (i: number) => `${german(i)};${50 + (i % 7)},5;${100 + i},25`, ';'], ['time,cpu,', (i: number) => `${german(i)},${50 + (i % 7)}%,${100 + i} MB`, ',']] as const) {
    const r = parseCsv(`${head}\n${Array.from({ length: 40 }, (_, i) => row(i)).join('\n')}\n`);
    assert.deepEqual([r.frame!.timestampColumn, r.frame!.metrics, r.frame!.rows], [head.split(sep)[0], [head.split(sep)[1], 'column_3'], 40], head);
    assert.deepEqual(r.issues.filter((x) => x.code === 'preamble'), [], head);
  }
});

test('a padded title above a header whose last name is empty (`CPU report,,` then `time,cpu,`) is the preamble, batch and stream alike', () => {
  const text = 'CPU report,,\ntime,cpu,\n' + Array.from({ length: 30 }, (_, i) => `${at(i)},${i},`).join('\n') + '\n';
  const { frame, issues } = parseCsv(text);
  assert.deepEqual([frame!.timestampColumn, frame!.metrics, frame!.rows, frame!.lines[0]], ['time', ['cpu'], 30, 3]);
  assert.deepEqual(issues.map((x) => [x.code, x.line, x.message]), [['preamble', 1, 'line 1 above the header (line 2) skipped: fewer fields than the table below, a title or an export\'s notes']]);
  const rows: ScoredRow[] = [];
  const notices: string[] = [];
  const pipe = new StreamPipeline({ displayPath: 'report.csv', onRow: (r) => rows.push(r), onNotice: (t) => notices.push(t) });
  pipe.push(text);
  pipe.finish();
  assert.equal(pipe.failure, null);
  assert.deepEqual([pipe.columns!.metrics, rows.length, rows[0].line], [['cpu'], 30, 3]);
  assert.deepEqual(rows.map((r) => r.ms), Array.from(frame!.timestamps!));
  assert.deepEqual(notices, ['report.csv:1: warning: line 1 above the header (line 2) skipped: fewer fields than the table below, a title or an export\'s notes']);
  // A title that fills as many fields as the names below it is no padded title: the first row stays the header.
  const two = parseCsv('report,web-1,\ntime,cpu,\n' + Array.from({ length: 30 }, (_, i) => `${at(i)},${i},`).join('\n') + '\n');
  assert.deepEqual(two.issues.filter((x) => x.code === 'preamble'), []);
});

test('a header whose last name is empty stays the header above a units row (`time,cpu,mem,` then `UTC,%,MB,`), read as the same file without the trailing commas is, batch and stream alike', () => {
  const data = (n: number, tail: string): string => Array.from({ length: n }, (_, i) => `${at(i)},${i},${i * 2}${tail}`).join('\n') + '\n';
  const streamOf = (text: string, piece: number): { failure: string | null; header: string[]; metrics: string[]; rows: [number, number][]; notices: string[] } => {
    const rows: ScoredRow[] = [];
    const notices: string[] = [];
    const pipe = new StreamPipeline({ displayPath: 'u.csv', onRow: (r) => rows.push(r), onNotice: (t) => notices.push(t) });
    for (let k = 0; k < text.length; k += piece) { pipe.push(text.slice(k, k + piece)); pipe.caughtUp(); }
    pipe.finish();
    return { failure: pipe.failure?.message ?? null, header: pipe.columns?.header ?? [], metrics: pipe.columns?.metrics ?? [], rows: rows.map((r) => [r.line, r.ms]), notices };
  };
  const plain = `time,cpu,mem\nUTC,%,MB\n${data(30, '')}`;
  const base = parseCsv(plain);
  for (const [text, first] of [[`time,cpu,mem,\nUTC,%,MB,\n${data(30, ',')}`, 1], [`Report,,,\ntime,cpu,mem,\nUTC,%,MB,\n${data(30, ',')}`, 2]] as const) {
    const { frame, issues } = parseCsv(text);
    // The names' row is the header; the units row below it is skipped as the plain file's is (not a time).
    assert.deepEqual([frame!.timestampColumn, frame!.metrics, frame!.rows, frame!.lines[0]], ['time', ['cpu', 'mem'], 30, first + 2], text);
    assert.deepEqual(Array.from(frame!.timestamps!), Array.from(base.frame!.timestamps!));
    const skipped = issues.filter((x) => x.code !== 'preamble');
    assert.deepEqual(skipped.map((x) => [x.code, x.line, x.message]), base.issues.map((x) => [x.code, x.line! + first - 1, x.message]), text);
    assert.deepEqual(issues.filter((x) => x.code === 'preamble').map((x) => x.line), first === 2 ? [1] : [], text);
    for (const piece of [text.length, 300]) {
      const s = streamOf(text, piece);
      const p = streamOf(plain, piece);
      assert.deepEqual([s.failure, s.header.slice(0, 3), s.metrics], [null, ['time', 'cpu', 'mem'], ['cpu', 'mem']], text);
      assert.deepEqual(s.rows, p.rows.map(([l, ms]) => [l + first - 1, ms]), text);
      // The units row is skipped as analyze skips it, said as analyze says it (its line after the title's).
      const unitsRow = `u.csv:${first + 1}:1: warning: row skipped: 'UTC' is not a timestamp`;
      assert.deepEqual(p.notices, ['u.csv:2:1: warning: row skipped: \'UTC\' is not a timestamp']);
      assert.deepEqual(s.notices, first === 2 ? ['u.csv:1: warning: line 1 above the header (line 2) skipped: fewer fields than the table below, a title or an export\'s notes', unitsRow] : [unitsRow], text);
    }
  }
  // Two empty names after the last (`time,cpu,,`) above rows that fill the third: the first row stays the header.
  const two = `time,cpu,,\n${data(30, ',')}`;
  const r = parseCsv(two);
  assert.deepEqual([r.frame!.timestampColumn, r.frame!.metrics, r.frame!.rows, r.issues], ['time', ['cpu', 'column_3'], 30, []]);
  const s = streamOf(two, 300);
  assert.deepEqual([s.failure, s.metrics, s.rows.map(([, ms]) => ms), s.notices], [null, ['cpu', 'column_3'], Array.from(r.frame!.timestamps!), []]);
});

/** Metric names analyze gives a text, and those stream gives it read in pieces (a pause after each). */
function namesBoth(text: string): [string[] | undefined, string[] | undefined] {
  const pipe = new StreamPipeline({ displayPath: 'x.csv', onRow: () => undefined });
  for (let k = 0; k < text.length; k += 997) { pipe.push(text.slice(k, k + 997)); pipe.caughtUp(); }
  pipe.finish();
  assert.equal(pipe.failure, null);
  return [parseCsv(text).frame?.metrics, pipe.columns?.metrics];
}

test('a file of one series names its metric by its name column\'s one value, as a file of several does: analyze and stream alike', () => {
  // A Flux query of one field: _field names the metric (with two fields it names each, see above).
  assert.deepEqual(namesBoth(influx(700, ['a'], false)), [['usage_user'], ['usage_user']]);
  const body = (n: number, row: (i: number) => string): string => Array.from({ length: n }, (_, i) => row(i)).join('\n') + '\n';
  assert.deepEqual(namesBoth('time,metric,value\n' + body(600, (i) => `${at(i)},cpu,${i % 7}`)), [['cpu'], ['cpu']]);
  // Value columns that name themselves keep their names: a wide file with a constant `name`/`series` column beside
  // them (a device's export) is not renamed, so `--metrics cpu` and rules on cpu still find them.
  assert.deepEqual(namesBoth('time,series,cpu,mem\n' + body(600, (i) => `${at(i)},web1,${i % 7},${i % 3}`)), [['cpu', 'mem'], ['cpu', 'mem']]);
  assert.deepEqual(namesBoth('time,name,cpu\n' + body(600, (i) => `${at(i)},server-1,${i % 7}`)), [['cpu'], ['cpu']]);
});

test('a one-series file whose name column changes after the first rows keeps the first rows\' name in analyze and stream alike, and both say where it changed', () => {
  const body = (n: number, row: (i: number) => string): string => Array.from({ length: n }, (_, i) => row(i)).join('\n') + '\n';
  // Not grouped by the name (time goes on): one series. A stream must name it from its first rows; analyze names it so too.
  for (const [text, line] of [
    ['time,metric,value\n' + body(620, (i) => `${at(i)},${i < 600 ? 'cpu' : 'mem'},${i % 7}`), 602],
    ['time,metric,value\n' + body(700, (i) => `${at(i)},${i < 600 ? 'cpu' : ['mem', 'disk'][i % 2]},${i % 7}`), 602],
  ] as const) {
    assert.deepEqual(namesBoth(text), [['cpu'], ['cpu']]);
    const { frame, issues } = parseCsv(text);
    assert.equal(frame!.rows, text.split('\n').length - 2);
    const note = `'mem' in column "metric" where the first rows have 'cpu', which names the metric: read on as 'cpu' (the name is the first rows', in analyze as in stream); to read 'mem' apart, filter the file by "metric"`;
    assert.deepEqual(issues.map((x) => [x.code, x.line, x.column, x.message]), [['name-changed', line, 2, note]]);
    const said: string[] = [];
    const pipe = new StreamPipeline({ displayPath: 'x.csv', onRow: () => undefined, onNotice: (t) => said.push(t) });
    pipe.push(text);
    pipe.finish();
    assert.deepEqual(said, [`x.csv:${line}:2: warning: ${note}`]);
  }
  // A name that holds through the file: nothing to say.
  assert.deepEqual(parseCsv('time,metric,value\n' + body(620, (i) => `${at(i)},cpu,${i % 7}`)).issues, []);
});
