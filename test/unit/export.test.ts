import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Papa from 'papaparse';
import type { Anomaly } from '../../src/core/anomaly.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { csvCell, csvChunks, csvColumns } from '../../src/core/export/csv.ts';
import { jsonChunks } from '../../src/core/export/json.ts';
import { readResultJson } from '../../src/core/export/readResult.ts';
import type { AnalysisResult } from '../../src/core/analysisResult.ts';
import { buildIncidents } from '../../src/core/incidents/incidents.ts';

const T0 = Date.parse('2025-03-01T00:00:00Z');
const MIN = 60_000;

function sample(): AnalysisResult {
  const frame = frameOf({ cpu: [10, 95.5, NaN], 'mem,used': [-3.5, 40, 41] }, [T0, T0 + MIN, T0 + 2 * MIN]);
  const anomalies: Anomaly[] = [
    { row: 1, timestamp: '2025-03-01T00:01:00.000Z', detector: 'rule', rule: 'high-cpu', metric: 'cpu', value: 95.5, score: 90, severity: 'critical', message: 'CPU 95.5 > 90, "hot"' },
    { row: 1, timestamp: '2025-03-01T00:01:00.000Z', detector: 'iforest', metric: null, value: null, score: 55, severity: 'major', message: 'isolated' },
  ];
  return {
    frame,
    input: { path: 'data/stream.csv', sha256: 'ab'.repeat(32) },
    seed: 7,
    detectors: { iforest: { trees: 100, max_samples: 3, contamination: 'auto' }, forecast: { interval: 0.8 } },
    scores: { iforest: Float64Array.from([0.41, 0.73, 0.5]) },
    forecast: { cpu: { yhat: Float64Array.from([11, 12, 13]), lower: Float64Array.from([9, 10, 11]), upper: Float64Array.from([13, 14, NaN]) } },
    anomalies,
    warnings: ['forecast: too few rows for daily seasonality'],
  };
}

const all = (it: Iterable<string>) => [...it].join('');

describe('CSV export', () => {
  test('csvCell quotes per RFC 4180 and neutralises formula starts while numbers stay numbers', () => {
    const cases: [string | number | null | undefined, string][] = [
      ['plain', 'plain'],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['two\nlines', '"two\nlines"'],
      ['=1+1', `"'=1+1"`],
      ['+1+1', `"'+1+1"`],
      ['-1+1', `"'-1+1"`],
      ['@SUM(A1:A2)', `"'@SUM(A1:A2)"`],
      ['\tx', `"'\tx"`],
      ['\rx', `"'\rx"`],
      ['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
      ['-3.5', '-3.5'],
      ['+2e3', '+2e3'],
      [-3.5, '-3.5'],
      [0, '0'],
      [1e21, '1e+21'],
      [NaN, ''],
      [Infinity, ''],
      [null, ''],
      [undefined, ''],
      ['', ''],
    ];
    assert.deepEqual(cases.map(([v]) => csvCell(v)), cases.map(([, want]) => want));
  });

  test('all rows: timestamp, metrics, detector columns, CRLF line ends', () => {
    assert.equal(all(csvChunks(sample())), [
      'timestamp,cpu,"mem,used",iforest_score,forecast_cpu_yhat,forecast_cpu_lower,forecast_cpu_upper,anomaly,max_severity,detectors,messages',
      '2025-03-01T00:00:00.000Z,10,-3.5,0.41,11,9,13,0,,,',
      '2025-03-01T00:01:00.000Z,95.5,40,0.73,12,10,14,1,critical,rule:high-cpu;iforest,"CPU 95.5 > 90, ""hot"" | isolated"',
      '2025-03-01T00:02:00.000Z,,41,0.5,13,11,,0,,,',
      '',
    ].join('\r\n'));
  });

  test('only anomalies keeps the header and the anomalous rows', () => {
    const lines = all(csvChunks(sample(), { onlyAnomalies: true })).split('\r\n');
    assert.deepEqual(lines.map((l) => l.slice(0, 24)), ['timestamp,cpu,"mem,used"', '2025-03-01T00:01:00.000Z', '']);
  });

  test('data without timestamps and without detector output gets a row column and the anomaly columns only', () => {
    const r: AnalysisResult = { frame: frameOf({ v: [1, 2] }), input: { path: 'x.csv', sha256: '' }, seed: 0, detectors: {}, scores: {}, anomalies: [], warnings: [] };
    assert.deepEqual(csvColumns(r), ['row', 'v', 'anomaly', 'max_severity', 'detectors', 'messages']);
    assert.equal(all(csvChunks(r)), 'row,v,anomaly,max_severity,detectors,messages\r\n0,1,0,,,\r\n1,2,0,,,\r\n');
  });

  test('hostile column names and messages are neutralised and survive a round trip through an RFC 4180 parser', () => {
    const r = sample();
    r.frame.metrics = ['=cmd|\' /C calc\'!A0', '@evil'];
    r.anomalies[0].message = '+SUM(1,2)\r\n-next line';
    r.anomalies[1].message = '=1+1';
    const text = all(csvChunks(r, { chunkRows: 1 }));
    const parsed = Papa.parse<string[]>(text, { newline: '\r\n' }).data;
    assert.deepEqual(parsed[0].slice(0, 3), ['timestamp', '\'=cmd|\' /C calc\'!A0', '\'@evil']);
    assert.deepEqual(parsed[2].slice(1, 3), ['95.5', '40']);
    assert.equal(parsed[2][10], '\'+SUM(1,2)\r\n-next line | =1+1');
    assert.equal(parsed[1][2], '-3.5');
    // No cell of the parsed file starts with a formula character unless it is a plain number.
    for (const row of parsed) for (const cell of row) assert.ok(!/^[=+\-@\t\r]/.test(cell) || /^-?\d/.test(cell), cell);
  });
});

describe('JSON export', () => {
  test('is the SPEC §3 document with meta, series (NaN as null) and anomalies', () => {
    const r = sample();
    const text = all(jsonChunks(r, { version: '0.1.0', warnings: ['csv: line 9: empty value'] }));
    assert.deepEqual(JSON.parse(text), {
      meta: {
        tool: 'anomaly-hunter', version: '0.1.0', input: { path: 'data/stream.csv', sha256: 'ab'.repeat(32), rows: 3 },
        timestampColumn: 'timestamp', metrics: ['cpu', 'mem,used'],
        detectors: { iforest: { trees: 100, max_samples: 3, contamination: 'auto' }, forecast: { interval: 0.8 } },
        seed: 7, timeRange: { from: '2025-03-01T00:00:00.000Z', to: '2025-03-01T00:02:00.000Z' }, stepMs: 60_000,
        warnings: ['csv: line 9: empty value', 'forecast: too few rows for daily seasonality'],
      },
      rows: 3,
      scores: { iforest: [0.41, 0.73, 0.5] },
      forecast: { cpu: { yhat: [11, 12, 13], lower: [9, 10, 11], upper: [13, 14, null] } },
      anomalies: r.anomalies,
    });
  });

  test('is the same bytes whatever the chunk size, and streams series in several chunks', () => {
    const r = sample();
    const big = [...jsonChunks(r, { version: '1' })];
    const small = [...jsonChunks(r, { version: '1', chunkValues: 1 })];
    assert.equal(small.join(''), big.join(''));
    assert.ok(small.length > big.length);
  });

  test('only anomalies omits the per-row series and says so in meta', () => {
    const doc = JSON.parse(all(jsonChunks(sample(), { version: '1', onlyAnomalies: true })));
    assert.deepEqual(Object.keys(doc), ['meta', 'rows', 'anomalies']);
    assert.equal(doc.meta.onlyAnomalies, true);
    assert.equal(doc.anomalies.length, 2);
  });

  test('a forecast finding is written in the SPEC §3 shape: the check it carries stays out of the JSON', () => {
    const level: Anomaly = { row: 2, timestamp: '2025-03-01T00:02:00.000Z', detector: 'forecast', metric: 'cpu', value: 13, score: 60, severity: 'major', message: 'cpu level rises by 3', check: 'level check' };
    const doc = JSON.parse(all(jsonChunks({ ...sample(), anomalies: [level] }, { version: '1', onlyAnomalies: true })));
    const { check: _check, ...spec } = level;
    assert.deepEqual(doc.anomalies, [spec]);
  });

  test('an empty result is valid JSON with an empty anomalies list', () => {
    const r: AnalysisResult = { frame: frameOf({}), input: { path: 'e.csv', sha256: '' }, seed: 0, detectors: {}, scores: {}, anomalies: [], warnings: [] };
    const doc = JSON.parse(all(jsonChunks(r, { version: '1' })));
    assert.deepEqual([doc.rows, doc.anomalies, doc.meta.timestampColumn, doc.meta.timeRange], [0, [], null, { from: null, to: null }]);
  });
});

describe('readResultJson', () => {
  test('reads back the anomalies of a JSON export', () => {
    const r = sample();
    const read = readResultJson(all(jsonChunks(r, { version: '1' })));
    assert.ok(read.ok);
    assert.deepEqual(read.anomalies, r.anomalies);
    assert.equal(read.meta?.tool, 'anomaly-hunter');
  });

  test('reads back the incidents of a JSON export, and null for a file without them', () => {
    const r = sample();
    r.view = { findings: r.anomalies, incidents: buildIncidents(r.anomalies, r.frame), shown: { incidents: [], anomalies: [] }, minSeverity: 'major', calibrations: {} };
    r.view.shown = { incidents: r.view.incidents, anomalies: r.anomalies };
    const read = readResultJson(all(jsonChunks(r, { version: '1' })));
    assert.ok(read.ok);
    assert.deepEqual(read.incidents, r.view.incidents);
    const bare = readResultJson(JSON.stringify({ anomalies: r.anomalies }));
    assert.equal(bare.ok && bare.incidents, null);
    const bad = readResultJson('{"anomalies": [], "incidents": [\n  {"id": "x", "start": null, "end": null, "startRow": 4, "endRow": 2}]}');
    assert.deepEqual(bad.ok ? 'ok' : [bad.position.line, bad.message], [2, 'incidents[0].endRow: expected a row number at or after startRow, got 2']);
  });

  test('accepts a bare array of anomalies', () => {
    const read = readResultJson(JSON.stringify(sample().anomalies));
    assert.deepEqual(read.ok && read.anomalies.length, 2);
  });

  test('reports syntax and shape errors at their line and column', () => {
    const cases = [
      '{\n  "anomalies": [\n    {"row": 1,}\n  ]\n}',
      '{"anomalies": [',
      '{"anomalies": {}}',
      '{"rows": 3}',
      '[{"row": 0, "timestamp": null, "detector": "rule", "metric": null, "value": null,\n  "score": 50, "severity": "major", "message": "m"}]',
      '[{"row": 0, "timestamp": null, "detector": "iforest", "metric": null, "value": null,\n  "score": 500, "severity": "major", "message": "m"}]',
      '"just a string"',
    ];
    assert.deepEqual(cases.map((c) => {
      const r = readResultJson(c);
      return r.ok ? 'ok' : `${r.position.line}:${r.position.column}: ${r.message}`;
    }), [
      '3:15: invalid JSON: unexpected "}", expected a property name in double quotes',
      '1:16: invalid JSON: unexpected end of JSON, expected a value',
      '1:15: anomalies: expected a list, got an object',
      '1:1: not a results file: no "anomalies" list (expected the output of `anomaly-hunter analyze --format json`)',
      '1:2: [0]: missing "rule" (the rule\'s name)',
      '2:12: [0].score: expected a score in [0, 100], got 500',
      '1:1: not a results file: expected an object with "anomalies", got "just a string"',
    ]);
  });
});
