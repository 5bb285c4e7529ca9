import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Anomaly } from '../../src/core/anomaly.ts';
import { adjacentLine, columnIndex, escapeMarkdown, fieldSpan, findingsAt, findingsOnRows, hoverOf, indexByLine, lowerBound, mergeStretches, noteOf, shortTime, statusCounts, stretchMessage, topStretches } from '../../src/core/findings.ts';
import type { Severity } from '../../src/core/severity.ts';

function an(row: number, over: Partial<Anomaly> = {}): Anomaly {
  return {
    row, timestamp: `2024-03-06T14:${String(10 + row).padStart(2, '0')}:00.000Z`, detector: 'iforest', metric: 'cpu', value: 90 + row,
    score: 40, severity: 'minor' as Severity, message: `cpu ${90 + row} is unusual`, ...over,
  };
}

/** Lines of a sorted file: row r on line r + 2 (the header is line 1). */
const sortedLines = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i + 2);

test('mergeStretches joins adjacent rows of one source and metric, and keeps sources and metrics apart', () => {
  const list = [
    an(1), an(2), an(3, { score: 80, severity: 'critical' }), an(5),
    an(2, { detector: 'rule', rule: 'high-cpu', severity: 'major', score: 62 }), an(3, { detector: 'rule', rule: 'high-cpu', severity: 'major', score: 62 }),
    an(2, { metric: 'memory', value: 70 }),
  ];
  const s = mergeStretches(list, sortedLines(10));
  assert.deepEqual(s.map((x) => ({ src: x.rule ?? x.detector, metric: x.metric, rows: [x.startRow, x.endRow], lines: [x.startLine, x.endLine], count: x.count, worst: x.worst.row })), [
    { src: 'iforest', metric: 'cpu', rows: [1, 3], lines: [3, 5], count: 3, worst: 3 },
    { src: 'high-cpu', metric: 'cpu', rows: [2, 3], lines: [4, 5], count: 2, worst: 2 },
    { src: 'iforest', metric: 'memory', rows: [2, 2], lines: [4, 4], count: 1, worst: 2 },
    { src: 'iforest', metric: 'cpu', rows: [5, 5], lines: [7, 7], count: 1, worst: 5 },
  ]);
});

test('mergeStretches does not join rows that were adjacent only after sorting by time', () => {
  // The file had rows out of order: data rows 0..3 sit on lines 2, 5, 3, 4.
  const lines = Int32Array.from([2, 5, 3, 4]);
  const s = mergeStretches([an(0), an(1), an(2), an(3)], lines);
  assert.deepEqual(s.map((x) => [x.startLine, x.endLine]), [[2, 2], [3, 4], [5, 5]]);
});

test('mergeStretches drops findings whose row has no line, and merges nothing from nothing', () => {
  assert.deepEqual(mergeStretches([an(7), an(-1)], sortedLines(3)), []);
  assert.deepEqual(mergeStretches([], sortedLines(3)), []);
});

test('topStretches keeps the most severe stretches, back in line order', () => {
  const s = mergeStretches([an(0, { severity: 'warning', score: 5 }), an(2, { severity: 'critical', score: 80 }), an(4, { severity: 'major', score: 55 }), an(6, { severity: 'critical', score: 95 })], sortedLines(8));
  const { kept, dropped } = topStretches(s, 2);
  assert.deepEqual(kept.map((x) => x.startRow), [2, 6]);
  assert.equal(dropped, 2);
  assert.equal(topStretches(s, 10).dropped, 0);
});

test('stretchMessage gives the worst message, and for several rows how many and when', () => {
  const [one] = mergeStretches([an(1)], sortedLines(5));
  assert.equal(stretchMessage(one), 'cpu 91 is unusual');
  const [three] = mergeStretches([an(1), an(2, { score: 90, severity: 'critical', message: 'worst' }), an(3)], sortedLines(5));
  assert.equal(stretchMessage(three), 'worst — worst of 3 consecutive rows, 2024-03-06 14:11 → 2024-03-06 14:13');
  assert.equal(shortTime('2024-03-06T14:11:30.000Z'), '2024-03-06 14:11:30');
  assert.equal(shortTime(null), null);
});

test('indexByLine maps findings to lines, most severe first, and finds them by line', () => {
  const idx = indexByLine([an(3), an(3, { detector: 'rule', rule: 'r', severity: 'critical', score: 90 }), an(0)], sortedLines(5));
  assert.deepEqual([...idx.lines], [2, 5]);
  assert.deepEqual([...idx.rows], [0, 3]);
  assert.deepEqual([...idx.worst], [2, 0]);
  assert.deepEqual(findingsAt(idx, 5).map((a) => a.detector), ['rule', 'iforest']);
  assert.deepEqual(findingsAt(idx, 4), []);
  assert.equal(lowerBound(idx, 3), 1);
});

test('adjacentLine steps to the next and previous anomalous line and wraps around', () => {
  const idx = indexByLine([an(1), an(4), an(6)], sortedLines(10));
  assert.deepEqual([adjacentLine(idx, 1, 1), adjacentLine(idx, 3, 1), adjacentLine(idx, 6, 1), adjacentLine(idx, 8, 1)], [3, 6, 8, 3]);
  assert.deepEqual([adjacentLine(idx, 8, -1), adjacentLine(idx, 7, -1), adjacentLine(idx, 3, -1), adjacentLine(idx, 1, -1)], [6, 6, 8, 8]);
  assert.equal(adjacentLine(indexByLine([], sortedLines(3)), 1, 1), null);
});

test('noteOf lists one group per metric, most severe first, with every source', () => {
  const note = noteOf([
    an(0, { metric: 'memory', value: 71.25 }),
    an(0, { detector: 'forecast', severity: 'major', score: 60, value: 97.3 }),
    an(0, { detector: 'rule', rule: 'high-cpu', severity: 'critical', score: 90, value: 97.3 }),
  ]);
  assert.equal(note, 'cpu 97.3 · critical · high-cpu, forecast  ;  memory 71.25 · minor · iforest');
  assert.equal(noteOf([an(0, { value: null })]), 'cpu missing · minor · iforest');
  const many = noteOf(['a', 'b', 'c', 'd', 'e'].map((m) => an(0, { metric: m, value: 1 })));
  assert.match(many, /\+2 more$/);
  assert.equal(noteOf([]), '');
});

test('hoverOf explains every finding: rule and threshold, forecast band, iforest attribution; data is escaped', () => {
  const md = hoverOf([
    an(2, { detector: 'iforest', message: 'cpu 92 is unusual (iforest score 0.71 > 0.50; isolated by cpu 60%, memory 20%)', score: 55, severity: 'major' }),
    an(2, { detector: 'forecast', message: 'cpu 92 above forecast band [20, 40]', score: 30 }),
    an(2, { detector: 'rule', rule: 'high-cpu', message: 'CPU [click](command:evil)', score: 90, severity: 'critical' }),
  ], {
    row: 2, line: 4, timestamp: '2024-03-06T14:12:00.000Z', interval: 0.8,
    forecast: { cpu: { yhat: [0, 0, 30.123456], lower: [0, 0, 20], upper: [0, 0, 40.5] } },
    rules: { 'high-cpu': { metric: 'cpu', op: '>', threshold: 90, forMs: 300_000, keepFiringForMs: 0 } },
  });
  assert.deepEqual(md.split('\n'), [
    '**Anomaly Hunter** · line 4 · 2024\\-03\\-06 14:12 UTC',
    '',
    '- **critical** (score 90) · Rule: `high-cpu`: `cpu > 90` for 5m, value 92 — CPU \\[click\\]\\(command:evil\\)',
    '- **major** (score 55) · Isolation Forest: cpu 92 is unusual \\(iforest score 0\\.71 \\> 0\\.50; isolated by cpu 60%, memory 20%\\)',
    '- **minor** (score 30) · Forecast: cpu 92 above forecast band \\[20, 40\\] — expected 30\\.12, 80 % band 20 … 40\\.5',
  ]);
  assert.equal(hoverOf([], { row: 0, line: 2, timestamp: null }), '');
  assert.equal(escapeMarkdown('a_b*'), 'a\\_b\\*');
});

test('fieldSpan finds a field in a CSV line, quoted delimiters included; columnIndex finds a header name', () => {
  const line = '2024-03-06T14:10:00Z,"a, b",97.38,';
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => fieldSpan(line, i)), [[0, 20], [21, 27], [28, 33], [34, 34], null]);
  assert.deepEqual(fieldSpan('x\t1.5', 1, '\t'), [2, 5]);
  assert.equal(columnIndex('\uFEFFtimestamp,cpu,"mem, %"', 'mem, %'), 2);
  assert.equal(columnIndex('timestamp,cpu', 'timestamp'), 0);
  assert.equal(columnIndex('timestamp,cpu', 'disk'), -1);
});

test('counts of findings say findings and the rows they are on; the status bar names the dashboard view as its select does', () => {
  // Rows 1 and 2 each flagged by two detectors: 5 findings on 3 rows.
  const list = [an(1), an(1, { detector: 'forecast' }), an(2), an(2, { detector: 'rule', rule: 'high-cpu' }), an(3)];
  assert.equal(findingsOnRows(list), '5 findings on 3 rows');
  assert.equal(findingsOnRows([an(1)]), '1 finding on 1 row');
  assert.equal(findingsOnRows(Array.from({ length: 4446 }, (_, i) => an(i >> 1))), '4,446 findings on 2,223 rows');
  assert.equal(statusCounts(2, list), '2 rows in them; 5 findings on 3 rows flagged by some detector (the dashboard\'s "All flagged rows")');
});
