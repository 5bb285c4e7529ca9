import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { IssueLog } from '../../src/core/csv/issueLog.ts';

test('IssueLog keeps the first three warnings of each code in the order said, then says how many more of each code', () => {
  const log = new IssueLog();
  assert.equal(log.has('a'), false);
  for (let i = 1; i <= 5; i++) { log.warn('a', `a${i}`, 10 + i, 2); if (i <= 2) log.warn('b', `b${i}`, 20 + i); }
  assert.equal(log.has('a'), true);
  assert.deepEqual(log.issues().map((x) => [x.code, x.message, x.line, x.column]), [
    ['a', 'a1', 11, 2], ['b', 'b1', 21, undefined], ['a', 'a2', 12, 2], ['b', 'b2', 22, undefined], ['a', 'a3', 13, 2],
    ['a', '2 more like this (a)', 11, undefined],
  ]);
});

test('a CSV read says the first three warnings of each code where they come, then how many more of each, at its first line', () => {
  // Every 10th time is no time (4 rows skipped); 'n/a?' and 'x' are no numbers (8 cells read as missing).
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 10 === 7 ? 'soon' : `2024-01-01T00:${String(i).padStart(2, '0')}:00Z`},${i % 8 === 3 ? 'n/a?' : i},${i % 9 === 4 ? 'x' : i}`);
  const { frame, issues } = parseCsv(`time,cpu,mem\n${rows.join('\n')}\n`);
  assert.equal(frame!.rows, 36);
  assert.deepEqual(issues.map((x) => [x.code, x.line, x.column, x.message]), [
    ['non-numeric', 5, 2, '\'n/a?\' in column "cpu" is not a number: read as missing'],
    ['non-numeric', 6, 3, '\'x\' in column "mem" is not a number: read as missing'],
    ['bad-timestamp', 9, 1, 'row skipped: \'soon\' is not a timestamp'],
    ['non-numeric', 13, 2, '\'n/a?\' in column "cpu" is not a number: read as missing'],
    ['bad-timestamp', 19, 1, 'row skipped: \'soon\' is not a timestamp'],
    ['bad-timestamp', 29, 1, 'row skipped: \'soon\' is not a timestamp'],
    ['non-numeric', 5, undefined, '5 more like this (non-numeric)'],
    ['bad-timestamp', 9, undefined, '1 more like this (bad-timestamp)'],
  ]);
});
