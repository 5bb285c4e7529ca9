import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { StreamPipeline } from '../../src/node/streamPipeline.ts';
import type { ScoredRow } from '../../src/node/streamPipeline.ts';

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
