import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, createCsvReader } from '../../src/core/csv/parse.ts';
import { parseTimestamp } from '../../src/core/csv/time.ts';
import { fastNumber } from '../../src/core/csv/fastNumber.ts';
import { createRng } from '../../src/core/random.ts';
import type { Frame } from '../../src/core/csv/frame.ts';

/** The frame as plain arrays, for whole-object comparisons. */
function plain(f: Frame | null) {
  if (!f) return null;
  return {
    timestampColumn: f.timestampColumn,
    timestamps: f.timestamps ? Array.from(f.timestamps) : null,
    metrics: f.metrics,
    values: f.values.map((v) => Array.from(v)),
    rows: f.rows,
    lines: Array.from(f.lines),
    stepMs: f.stepMs,
  };
}

const T0 = Date.UTC(2024, 0, 1);

test('parseCsv reads a metric export into columns, keeps names exactly and infers the step', () => {
  const r = parseCsv('timestamp,CPU %,host\n2024-01-01T00:00:00Z,1.5,a\n2024-01-01T00:01:00Z,-2,b\n2024-01-01T00:02:00Z,3e2,c\n');
  assert.deepEqual(r.issues, []);
  assert.deepEqual(plain(r.frame), {
    timestampColumn: 'timestamp',
    timestamps: [T0, T0 + 60000, T0 + 120000],
    metrics: ['CPU %'],
    values: [[1.5, -2, 300]],
    rows: 3,
    lines: [2, 3, 4],
    stepMs: 60000,
  });
});

test('parseCsv detects semicolons with decimal commas, a BOM and CRLF', () => {
  const r = parseCsv('\ufefftime;cpu;mem\r\n2024-01-01 00:00:00;1,5;3\r\n2024-01-01 00:01:00;2,5;4\r\n');
  assert.equal(r.delimiter, ';');
  assert.deepEqual(plain(r.frame)?.values, [[1.5, 2.5], [3, 4]]);
  assert.equal(r.frame?.timestampColumn, 'time');
});

test('parseCsv reads tab-separated files and quoted headers and fields', () => {
  const r = parseCsv('"when"\t"disk, io"\n2024-01-01\t"7"\n2024-01-02\t8\n');
  assert.deepEqual(plain(r.frame)?.metrics, ['disk, io']);
  assert.deepEqual(plain(r.frame)?.values, [[7, 8]]);
  assert.deepEqual(plain(r.frame)?.timestamps, [T0, T0 + 86400000]);
});

test('parseCsv reads a tab-separated file of decimal commas (Excel in a German locale), not a US one of thousands commas', () => {
  const de = parseCsv('Zeit\tCPU\r\n2024-01-01 00:00\t51,29\r\n2024-01-01 00:01\t50,4\r\n2024-01-01 00:02\t1.052,1\r\n');
  assert.deepEqual(plain(de.frame)?.values, [[51.29, 50.4, 1052.1]]);
  const us = parseCsv('time\tcpu\n2024-01-01 00:00\t1,234\n2024-01-01 00:01\t2,345.5\n2024-01-01 00:02\t7\n');
  assert.deepEqual(plain(us.frame)?.values, [[1234, 2345.5, 7]]);
  // A CPU list beside byte counts of several groups: US thousands, as before (review finding).
  const cpus = parseCsv('time\tcpus\tbytes\n2024-01-01 00:00\t0,1\t1,234,567\n2024-01-01 00:01\t2,3\t2,345,678\n2024-01-01 00:02\t0,1\t3,456,789\n');
  assert.deepEqual(plain(cpus.frame)?.metrics, ['bytes']);
  assert.deepEqual(plain(cpus.frame)?.values, [[1234567, 2345678, 3456789]]);
  // Three decimals after a leading 0 cannot be thousands: the file's commas are decimal.
  const three = parseCsv('Zeit\tLatenz\tLast\n2024-01-01 00:00\t0,250\t1,500\n2024-01-01 00:01\t0,125\t2,750\n');
  assert.deepEqual(plain(three.frame)?.values, [[0.25, 0.125], [1.5, 2.75]]);
});

test('parseCsv trims the header\'s names as stream does: `time, cpu, mem` names cpu and mem', () => {
  const r = parseCsv('time, cpu, mem\n2024-01-01T00:00:00Z, 5, 9\n2024-01-01T00:01:00Z, 6, 9\n');
  assert.deepEqual(plain(r.frame)?.metrics, ['cpu', 'mem']);
  assert.equal(r.frame?.timestampColumn, 'time');
});

test('parseCsv recognises epoch seconds and milliseconds whatever the column is called', () => {
  const s = parseCsv('t_epoch,v\n1700000000,1\n1700000060,2\n');
  assert.deepEqual(plain(s.frame)?.timestamps, [1700000000000, 1700000060000]);
  const ms = parseCsv('foo,v\n1700000000000,1\n1700000060000,2\n');
  assert.equal(ms.frame?.timestampColumn, 'foo');
  assert.deepEqual(plain(ms.frame)?.timestamps, [1700000000000, 1700000060000]);
});

test('parseCsv without a timestamp column uses row numbers (timestamps null)', () => {
  const r = parseCsv('a,b\n1,2\n3,4\n');
  assert.equal(r.frame?.timestamps, null);
  assert.equal(r.frame?.timestampColumn, null);
  assert.deepEqual(r.frame?.metrics, ['a', 'b']);
});

test('parseCsv sorts unsorted timestamps stably, keeps duplicates and warns about both', () => {
  const r = parseCsv('ts,v\n2024-01-01T00:02:00Z,3\n2024-01-01T00:00:00Z,1\n2024-01-01T00:02:00Z,4\n');
  assert.deepEqual(plain(r.frame)?.values, [[1, 3, 4]]);
  assert.deepEqual(plain(r.frame)?.lines, [3, 2, 4]);
  assert.deepEqual(r.issues.map((i) => i.code), ['unsorted', 'duplicate-timestamp']);
  assert.equal(r.issues[0].message, 'timestamps are not in order: rows were sorted by time (stable)');
  // At the row that goes back in time, in the time column.
  const late = parseCsv('v,time\n1,2024-03-04T00:00:00Z\n2,2024-03-04T00:01:00Z\n3,2024-03-04T00:03:00Z\n4,2024-03-04T00:02:00Z\n');
  assert.deepEqual(late.issues.map((i) => [i.code, i.line, i.column]), [['unsorted', 5, 2]]);
  // Newest first (Netdata, many consoles' exports): said as such.
  const newest = parseCsv('ts,v\n2024-01-01T00:02:00Z,3\n2024-01-01T00:01:00Z,2\n2024-01-01T00:01:00Z,4\n2024-01-01T00:00:00Z,1\n');
  assert.deepEqual(plain(newest.frame)?.values, [[1, 2, 4, 3]]);
  assert.deepEqual(newest.issues.map((i) => [i.code, i.message]), [['unsorted', 'rows are newest first: read oldest first'], ['duplicate-timestamp', '1 duplicate timestamp: all rows kept']]);
});

test('parseCsv reads times without a zone as UTC and applies offsets', () => {
  assert.equal(parseTimestamp('2024-01-01T01:00:00+01:00'), T0);
  assert.equal(parseTimestamp('2024-01-01T00:00:00'), T0);
  assert.equal(parseTimestamp('2024-01-01 00:00:00.250'), T0 + 250);
  assert.equal(parseTimestamp('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
  assert.ok(Number.isNaN(parseTimestamp('yesterday')));
  assert.ok(Number.isNaN(parseTimestamp('2024-13-01')));
});

test('fastNumber reads plain decimals exactly and declines everything else', () => {
  const cases = ['0', '-0.5', '12.25', '3.141592653589', '97.30', '+4'];
  for (const c of cases) assert.equal(fastNumber(c, 0, c.length), Number(c), c);
  for (const c of ['1e3', ' 1', 'NaN', '', '-', '1.2.3', '12345678901234567']) assert.ok(Number.isNaN(fastNumber(c, 0, c.length)), c);
});

test('the user errors are values with a line and column, never exceptions', () => {
  const cases: [string, string, number, number][] = [
    ['', 'empty', 1, 1],
    ['a,b\n', 'no-rows', 1, 1],
    ['a,b\nx,y\nz,w\n', 'no-numeric-column', 1, 1],
    ['a,b\n1,2\n3,"4\n5,6\n', 'unclosed-quote', 3, 3],
    ['\u0000\u0001PK\u0003\u0004binary', 'binary', 1, 1],
  ];
  for (const [text, code, line, column] of cases) {
    const r = parseCsv(text);
    assert.equal(r.frame, null, code);
    assert.deepEqual(r.issues.map((i) => ({ code: i.code, severity: i.severity, line: i.line, column: i.column })), [{ code, severity: 'error', line, column }], code);
    assert.ok(r.issues[0].message.length > 10);
  }
});

test('ragged and non-numeric rows are warnings with their line, not fatal', () => {
  const r = parseCsv('a,b\n1,2\n3\n4,5,6\n7,x\n8,9\n10,11\n12,13\n14,15\n16,17\n');
  assert.deepEqual(plain(r.frame)?.values, [[1, 7, 8, 10, 12, 14, 16], [2, NaN, 9, 11, 13, 15, 17]]);
  assert.deepEqual(r.issues.map((i) => [i.code, i.line, i.column]), [['ragged-row', 3, 1], ['ragged-row', 4, 1], ['non-numeric', 5, 2]]);
});

test('missing markers (empty, NA, null) are NaN without a warning', () => {
  const r = parseCsv('a\n1\n\nNA\nnull\n2\n');
  assert.deepEqual(plain(r.frame)?.values, [[1, NaN, NaN, 2]]);
  assert.deepEqual(r.issues, []);
});

test('the reader gives the same frame whatever the chunk boundaries, even inside quotes and CRLF', () => {
  const rng = createRng(7);
  let text = 'time,"a",b\r\n';
  for (let i = 0; i < 3000; i++) text += `${new Date(T0 + i * 1000).toISOString()},${(rng.next() * 100).toFixed(3)},"${i}"\r\n`;
  const whole = plain(parseCsv(text).frame);
  for (const size of [1, 7, 64, 1000, 4096]) {
    const reader = createCsvReader();
    for (let p = 0; p < text.length; p += size) reader.push(text.slice(p, p + size));
    assert.deepEqual(plain(reader.end().frame), whole, `chunk size ${size}`);
  }
});

test('a large first piece reads the same as small pieces: rows, warnings and their lines', () => {
  // Over 64 KB at once: the rows past the head take the fast path; the odd rows must read as they do in small pieces.
  const rng = createRng(11);
  let text = 'time,a,b\n';
  for (let i = 0; i < 6000; i++) {
    const t = new Date(T0 + i * 60_000).toISOString();
    if (i === 4000) text += `${t},1,2,3\n`;
    else if (i === 4500) text += `${t},x,4\n`;
    else if (i === 5000) text += `not a time,1,2\n`;
    else if (i === 5500) text += `\n`;
    else text += `${t},${(rng.next() * 100).toFixed(2)},${i % 7 ? i : 'NA'}\n`;
  }
  assert.ok(text.length > 3 * 65536);
  const whole = parseCsv(text);
  const reader = createCsvReader();
  for (let p = 0; p < text.length; p += 1000) reader.push(text.slice(p, p + 1000));
  const pieces = reader.end();
  assert.deepEqual(plain(whole.frame), plain(pieces.frame));
  assert.deepEqual(whole.issues, pieces.issues);
  assert.deepEqual(whole.issues.map((i) => [i.code, i.line]), [['ragged-row', 4002], ['non-numeric', 4502], ['bad-timestamp', 5002]]);
  assert.equal(whole.frame!.rows, 5997);
});

test('property: random CSV-like inputs never throw and always give a frame or an error issue', () => {
  const rng = createRng(42);
  const alphabet = ['a', '1', '2.5', '-', ',', ';', '\t', '"', '\n', '\r\n', ' ', 'NaN', '2024-01-01', 'x', '\u0000', 'é', '1e5'];
  for (let k = 0; k < 400; k++) {
    let s = '';
    const len = rng.int(200);
    for (let i = 0; i < len; i++) s += alphabet[rng.int(alphabet.length)];
    const r = parseCsv(s);
    if (r.frame === null) assert.equal(r.issues.filter((i) => i.severity === 'error').length, 1, JSON.stringify(s));
    else {
      assert.ok(r.frame.rows > 0);
      for (const v of r.frame.values) assert.equal(v.length, r.frame.rows);
    }
  }
});
