import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../../src/core/csv/units.ts';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { StreamPipeline } from '../../src/node/streamPipeline.ts';

test('parseQuantity reads a formatted export\'s numbers in their unit\'s base, and leaves codes, dates and words alone', () => {
  const cases: [string, number | null, string?][] = [
    ['52.3%', 52.3, 'percent'], ['52.3 %', 52.3, 'percent'], ['-3 %', -3, 'percent'],
    ['1.20 GB', 1.2e9, 'bytes'], ['980 MB', 980e6, 'bytes'], ['1.5 GiB', 1.5 * 2 ** 30, 'bytes'], ['512 B', 512, 'bytes'],
    ['120 ms', 0.12, 'seconds'], ['2 min', 120, 'seconds'], ['1.5 hour', 5400, 'seconds'], ['250 µs', 250e-6, 'seconds'],
    ['12.5 MB/s', 12.5e6, 'bytes/s'], ['100 Mbps', 1e8, 'bits/s'], ['3.4 Mil', 3.4e6, 'count'], ['1.2 K', 1200, 'count'],
    ['1,234 ms', 1.234, 'seconds'], ['1,234,567', 1234567, ''], ['12 req/s', 12, 'req/s'], ['45 °C', 45, '°C'],
    ['2xx', null], ['5xx', null], ['2024-03-04', null], ['12:30', null], ['10.0.0.1:9100', null], ['abc', null], ['%', null],
    ['1,5', null], ['12,34', null], ['1 GB disk', null], ['200 OK', null], ['500 Internal', null], ['3 ops', 3, 'ops'],
    ['12 am', null], ['12 users', 12, 'users'], ['2 xx', null], ['1 m', null], ['5 k', 5000, 'count'], ['1.5 year', 1.5 * 365 * 86400, 'seconds'],
  ];
  for (const [text, value, family] of cases) {
    const q = parseQuantity(text);
    if (value === null) { assert.equal(q, null, text); continue; }
    assert.ok(q, text);
    assert.ok(Math.abs(q.value - value) <= 1e-12 * Math.abs(value), `${text}: ${q.value}`);
    assert.equal(q.family, family, text);
  }
  // With a decimal comma, a comma is no thousands separator but the point.
  assert.equal(parseQuantity('1,234', true), null);
  assert.deepEqual(parseQuantity('52,3 %', true), { value: 52.3, unit: '%', family: 'percent' });
});

test('a CSV exported with formatted values (Grafana: 52.3%, 1.20 GB, 1,234 ms) is read as numbers, with a note per column', () => {
  const rows = [
    '"Time","cpu","mem","lat","status"',
    '"2024-03-04 00:00:00","52.3%","980 MB","1,234 ms","200 OK"',
    '"2024-03-04 00:01:00","49.5%","1.02 GB","950 ms","200 OK"',
    '"2024-03-04 00:02:00","N/A","1.10 GB","1.5 s","500 Internal"',
  ];
  const { frame, issues } = parseCsv(rows.join('\n'));
  assert.ok(frame);
  assert.deepEqual(frame.metrics, ['cpu', 'mem', 'lat']);
  assert.deepEqual(Array.from(frame.values[0]), [52.3, 49.5, NaN]);
  assert.deepEqual(Array.from(frame.values[1]), [980e6, 1.02e9, 1.1e9]);
  assert.deepEqual(Array.from(frame.values[2]).map((v) => Math.round(v * 1000)), [1234, 950, 1500]);
  assert.deepEqual(issues.map((x) => [x.code, x.line, x.column, x.message]), [
    ['units', 2, 2, 'column "cpu" has units (%): read as the number before the % (52.3% is 52.3)'],
    ['units', 2, 3, 'column "mem" has units (MB, GB): read in bytes'],
    ['units', 2, 4, 'column "lat" has units (ms, s): read in seconds'],
  ]);
  // A status such as "200 OK" is text, not a number with a unit; a column of two units is read, and said to mix.
  assert.equal(frame.metrics.includes('status'), false);
  const mixed = parseCsv('t,x\n2024-03-04T00:00:00Z,1 GB\n2024-03-04T00:01:00Z,50%\n');
  assert.deepEqual(Array.from(mixed.frame!.values[0]), [1e9, 50]);
  assert.deepEqual(mixed.issues.map((x) => x.code), ['mixed-units']);
  assert.match(mixed.issues[0].message, /^column "x" mixes units \(GB, %\): each value is read in its own unit's base; check the export$/);
});

test('stream reads values with units as analyze does, and says so once per column', () => {
  const text = 'time,mem\n' + Array.from({ length: 30 }, (_, i) => `2024-03-04T00:${String(i).padStart(2, '0')}:00Z,${i % 2 ? `${900 + i} MB` : `1.${i} GB`}`).join('\n') + '\n';
  const said: string[] = [];
  const values: number[] = [];
  const pipe = new StreamPipeline({ displayPath: 'm.csv', onRow: (r) => values.push(r.values[0]), onNotice: (t) => said.push(t) });
  pipe.push(text);
  pipe.finish();
  assert.deepEqual(values, Array.from(parseCsv(text).frame!.values[0]));
  assert.deepEqual(said, ['m.csv:2:2: warning: column "mem" has units (GB, MB): read in bytes']);
});

test('stream skips a units row under the header (`time,cpu,mem` then `UTC,%,MB`) as analyze does: not scored, said as analyze says it', () => {
  const rows = (n: number): string => Array.from({ length: n }, (_, i) => `2024-03-04T00:${String(i).padStart(2, '0')}:00Z,${10 + (i % 3)},${100 + (i % 5)}`).join('\n');
  // A units row, then rows of which six have no readable time: analyze says three and counts the rest; so does stream.
  const bad = (n: number): string => Array.from({ length: n }, () => 'n/a,1,2').join('\n');
  for (const text of [`time,cpu,mem\nUTC,%,MB\n${rows(40)}\n`, `time,cpu,mem\nUTC,%,MB\n${rows(30)}\n${bad(5)}\n`]) {
    const { frame, issues } = parseCsv(text);
    for (const piece of [text.length, 50]) {
      const scored: { line: number; ms: number; values: number[] }[] = [];
      const said: string[] = [];
      const pipe = new StreamPipeline({ displayPath: 'u.csv', onRow: (r) => scored.push({ line: r.line, ms: r.ms, values: r.values }), onNotice: (t) => said.push(t) });
      for (let k = 0; k < text.length; k += piece) pipe.push(text.slice(k, k + piece));
      pipe.finish();
      assert.equal(pipe.failure, null);
      assert.deepEqual(scored.map((r) => r.line), Array.from(frame!.lines), text);
      assert.deepEqual(scored.map((r) => r.ms), Array.from(frame!.timestamps!));
      assert.deepEqual(scored.map((r) => r.values), Array.from(frame!.lines, (_, i) => frame!.values.map((v) => v[i])));
      assert.deepEqual(said, issues.map((x) => `u.csv:${x.line}${x.column ? `:${x.column}` : ''}: warning: ${x.message}`));
    }
  }
});

test('numbers with thousands grouped as locales write them: 2.264,5 and 3 704,5 with a decimal comma, 3 704 and 1 234.5 ms otherwise', () => {
  const value = (text: string, comma: boolean): number | undefined => parseQuantity(text, comma)?.value;
  assert.equal(value('2.264,5', true), 2264.5);
  assert.equal(value('1.234.567,25', true), 1234567.25);
  assert.equal(value('3 704,5', true), 3704.5);
  assert.equal(value('-3\u00a0704,5', true), -3704.5);
  assert.equal(value('3 704', false), 3704);
  assert.equal(value('12\u202f345\u202f678', false), 12345678);
  assert.equal(value('1 234.5 ms', false), 1.2345);
  // Not grouped: a group of other than 3 digits, words, two numbers of a code.
  for (const text of ['3 7045', '37 04', '2.2645,5']) assert.equal(value(text, text.includes(',')), undefined, text);
  const csv = (cells: string[], delim: string): string => `time${delim}req\n` + cells.map((c, i) => `2024-03-04 ${String(10 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}${delim}${c}`).join('\n') + '\n';
  const de = parseCsv(csv(['2.264,5', '4.752,5', '980,0'], ';'));
  assert.deepEqual(Array.from(de.frame!.values[0]), [2264.5, 4752.5, 980]);
  assert.deepEqual(de.issues, []);
  const fr = parseCsv(csv(['3 704', '2 524', '980'], ','));
  assert.deepEqual(Array.from(fr.frame!.values[0]), [3704, 2524, 980]);
  assert.deepEqual(fr.issues, []);
});

test('with a decimal comma, spaces group an integer\'s thousands (3 704) and a dot alone stays a point (0.125 s), in the fast reader as in the general one', () => {
  // 3,000 rows: past the sample and the first block, so the fast reader reads most of them.
  const rows = Array.from({ length: 3000 }, (_, i) => `${i % 2 ? '0.125' : '1.5'};${i % 3 ? '2.264,5' : '3 704'};${i % 5 ? '1,5' : '2'}`);
  const text = `time;lat_s;bytes;load\n` + rows.map((r, i) => `2024-03-${String(4 + Math.floor(i / 1440)).padStart(2, '0')} ${String(Math.floor(i / 60) % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')};${r}`).join('\n') + '\n';
  const { frame, issues } = parseCsv(text);
  assert.deepEqual(issues, []);
  const [lat, bytes, load] = frame!.values;
  assert.deepEqual([lat[0], lat[1], lat[2999]], [1.5, 0.125, 0.125]);
  assert.deepEqual([bytes[0], bytes[1], bytes[2999]], [3704, 2264.5, 2264.5]);
  assert.deepEqual([load[0], load[1]], [2, 1.5]);
});
