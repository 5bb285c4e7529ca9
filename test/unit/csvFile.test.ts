import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCsv, isCsvPath } from '../../src/extension/csvFile.ts';

test('isCsvPath accepts .csv and .tsv in any case and nothing else', () => {
  assert.deepEqual(['/d/a.csv', '/d/b.TSV', 'c.Csv', '/d/a.csv.bak', '/d/a.txt', '/d/csv', '/d/a.tsvx'].map(isCsvPath),
    [true, true, true, false, false, false, false]);
});

test('isCsv is a CSV file on disk: the file scheme only', () => {
  assert.deepEqual([
    { scheme: 'file', path: '/w/metrics.csv' }, { scheme: 'untitled', path: 'metrics.csv' },
    { scheme: 'git', path: '/w/metrics.csv' }, { scheme: 'file', path: '/w/rules.yaml' },
  ].map(isCsv), [true, false, false, false]);
});
