import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dataOf, dataOfText, GZ_TEXT_SCHEME, isCsv, isCsvPath, isDataFile, isDataPath, isGzCsvPath, textOf } from '../../src/extension/csvFile.ts';

test('isCsvPath accepts .csv and .tsv in any case and nothing else', () => {
  assert.deepEqual(['/d/a.csv', '/d/b.TSV', 'c.Csv', '/d/a.csv.bak', '/d/a.txt', '/d/csv', '/d/a.tsvx', '/d/a.csv.gz'].map(isCsvPath),
    [true, true, true, false, false, false, false, false]);
});

test('isGzCsvPath accepts .csv.gz and .tsv.gz in any case; isDataPath accepts those and plain CSVs', () => {
  const paths = ['/d/a.csv.gz', '/d/b.TSV.GZ', '/d/a.csv', '/d/a.gz', '/d/a.txt.gz', '/d/a.csv.gz.bak', '/d/csv.gz', '/d/a.csv.tgz'];
  assert.deepEqual(paths.map(isGzCsvPath), [true, true, false, false, false, false, false, false]);
  assert.deepEqual(paths.map(isDataPath), [true, true, true, false, false, false, false, false]);
});

test('isCsv is a CSV file on disk: the file scheme only', () => {
  assert.deepEqual([
    { scheme: 'file', path: '/w/metrics.csv' }, { scheme: 'untitled', path: 'metrics.csv' },
    { scheme: 'git', path: '/w/metrics.csv' }, { scheme: 'file', path: '/w/rules.yaml' },
    { scheme: 'file', path: '/w/metrics.csv.gz' },
  ].map(isCsv), [true, false, false, false, false]);
  assert.deepEqual([{ scheme: 'file', path: '/w/m.csv.gz' }, { scheme: GZ_TEXT_SCHEME, path: '/w/m.csv.gz' }, { scheme: 'file', path: '/w/m.csv' }].map(isDataFile),
    [true, false, true]);
});

/** A URI as far as csvFile uses one (vscode.Uri's `with` keeps every other part). */
class FakeUri {
  constructor(readonly scheme: string, readonly path: string, readonly authority = '') {}
  with(change: { scheme: string }): FakeUri {
    return new FakeUri(change.scheme, this.path, this.authority);
  }
  toString(): string {
    return `${this.scheme}://${this.authority}${this.path}`;
  }
}
const s = (u: FakeUri | undefined): string | undefined => u?.toString();

test('a .csv.gz is shown, revealed and diagnosed as its decompressed text, which maps back to the .gz', () => {
  const gz = new FakeUri('file', '/w/metrics.csv.gz', 'host');
  const text = textOf(gz);
  assert.equal(s(text), `${GZ_TEXT_SCHEME}://host/w/metrics.csv.gz`);
  assert.equal(s(dataOfText(text)), 'file://host/w/metrics.csv.gz');
  assert.equal(s(dataOf(text)), 'file://host/w/metrics.csv.gz');
  // The .gz itself, shown as bytes, has no rows to decorate; a command on its tab still takes it.
  assert.equal(dataOfText(gz), undefined);
  assert.equal(s(dataOf(gz)), 'file://host/w/metrics.csv.gz');
  // A plain CSV is its own text.
  const csv = new FakeUri('file', '/w/m.csv');
  assert.equal(textOf(csv), csv);
  assert.equal(dataOfText(csv), csv);
  assert.equal(dataOf(csv), csv);
  // Nothing else stands for a data file: other schemes, other names, a decompressed-text URI of another name.
  for (const u of [new FakeUri('git', '/w/m.csv'), new FakeUri('file', '/w/a.txt.gz'), new FakeUri(GZ_TEXT_SCHEME, '/w/a.txt'), new FakeUri('untitled', 'm.csv.gz')]) {
    assert.equal(dataOf(u), undefined, s(u));
    assert.equal(textOf(u), u, s(u));
  }
});

test('the menus and keys of Analyze and Next/Previous Anomaly take the names isDataPath takes; Start Streaming only plain CSVs', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    contributes: { menus: Record<string, { command: string; when?: string }[]>; keybindings: { command: string; when?: string }[] };
  };
  const names = ['metrics.csv', 'metrics.csv.gz', 'M.TSV.GZ', 'a.tsv', 'a.gz', 'a.txt', 'a.csv.gz.bak', 'rules.yaml'];
  /** Whether a when clause's `resourceFilename =~ /…/` (or resourceExtname's) holds for a file name. */
  const matches = (when: string, name: string): boolean => {
    const m = /resource(Filename|Extname) =~ \/(.*)\/(\w*)/.exec(when);
    assert.ok(m, when);
    const value = m[1] === 'Filename' ? name : /\.[^.]*$/.exec(name)?.[0] ?? '';
    return new RegExp(m[2], m[3]).test(value);
  };
  const entries = [...Object.values(pkg.contributes.menus).flat(), ...pkg.contributes.keybindings];
  const of = (command: string): string[] => entries.filter((e) => e.command === command && e.when).map((e) => e.when!);
  const seen = ['anomalyHunter.analyzeCsv', 'anomalyHunter.nextAnomaly', 'anomalyHunter.previousAnomaly'].flatMap(of);
  assert.ok(seen.length >= 7, `${seen.length} when clauses`);
  for (const when of seen) assert.deepEqual(names.map((n) => matches(when, n)), names.map(isDataPath), when);
  // Its menus by file name (the command palette's entry says only whether a stream runs).
  const streaming = of('anomalyHunter.startStreaming').filter((w) => /resource(Filename|Extname)/.test(w));
  assert.equal(streaming.length, 1);
  assert.deepEqual(names.map((n) => matches(streaming[0], n)), names.map(isCsvPath));
});
