import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleFiring } from '../../src/core/rules/evaluate.ts';
import type { Diagnostic } from '../../src/core/rules/model.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { createRng } from '../../src/core/random.ts';
import { analyzeRules } from '../../src/core/rules/validate.ts';
import { dataContextOf } from '../../src/core/rules/dataContext.ts';
import { statsOf } from '../../src/core/stats.ts';
import { fixableAt, formatWhen, lensTitle, pickCsvBeside, problemSummary, resolveDataPath, shownDiagnostics } from '../../src/extension/rulesEditorModel.ts';

const firing = (episodes: number, fires: number, lastRow: number | null): RuleFiring => ({ fires, episodes, firstRow: lastRow === null ? null : 0, lastRow, ranges: new Uint32Array() });
const ts = Float64Array.from([Date.UTC(2024, 2, 4, 0, 0), Date.UTC(2024, 2, 10, 14, 5), Date.UTC(2024, 2, 10, 14, 5, 30)]);
const base = { dataName: 'stream.csv', disabled: false, broken: false, timestamps: ts };

test('lensTitle says how often a rule fires and when it last did', () => {
  assert.equal(lensTitle({ ...base, firing: firing(3, 42, 1) }), 'fires 3 times in stream.csv · last at 2024-03-10 14:05 UTC · 42 rows');
  assert.equal(lensTitle({ ...base, firing: firing(1, 1, 2) }), 'fires once in stream.csv · last at 2024-03-10 14:05:30 UTC · 1 row');
  assert.equal(lensTitle({ ...base, timestamps: null, firing: firing(2, 5, 9) }), 'fires 2 times in stream.csv · last at row 10 · 5 rows');
});

test('lensTitle names the rules that cannot fire and why', () => {
  assert.equal(lensTitle({ ...base, firing: firing(0, 0, null) }), 'never fires in stream.csv');
  assert.equal(lensTitle({ ...base, firing: firing(0, 0, null), asSaved: true }), 'never fires in stream.csv (as saved)');
  assert.equal(lensTitle({ ...base, disabled: true, firing: null }), 'disabled · not evaluated on stream.csv');
  assert.equal(lensTitle({ ...base, broken: true, firing: null }), 'fix this rule to see where it fires in stream.csv');
  assert.equal(lensTitle({ ...base, firing: { ...firing(0, 0, null), skipped: 'unknown-metric' } }), 'its metric is not a column of stream.csv');
  assert.equal(lensTitle({ ...base, firing: null }), 'not evaluated on stream.csv');
});

test('formatWhen drops zero seconds and falls back to 1-based rows', () => {
  assert.equal(formatWhen(0, ts), '2024-03-04 00:00 UTC');
  assert.equal(formatWhen(2, ts), '2024-03-10 14:05:30 UTC');
  assert.equal(formatWhen(4, null), 'row 5');
  assert.equal(formatWhen(0, Float64Array.from([NaN])), 'row 1');
});

const TEXT = 'version: 1\nrules:\n  - name: a\n    metric: cpu\n    op: ">"\n    thresold: 3\n  - name: b\n    metric: cpu\n    op: ">"\n    threshold: 1\n    for: 5\n';

test('with the Red Hat YAML extension, schema and syntax problems are left to it and the rest is kept', () => {
  const d = analyzeRules(TEXT + 'x: [\n').diagnostics;
  assert.ok(d.some((x) => x.code === 'yaml-syntax'));
  assert.deepEqual(shownDiagnostics(d, false), d);
  assert.deepEqual(shownDiagnostics(d, true), []);
  const semantic = analyzeRules('version: 1\nrules:\n  - {name: a, metric: cpu, op: ">", threshold: 1}\n  - {name: a, metric: cpu, op: ">", threshold: 2}\n').diagnostics;
  assert.deepEqual(shownDiagnostics(semantic, true).map((x) => x.code), ['duplicate-name']);
});

test('fixableAt finds the quick fix under the cursor, narrowest first', () => {
  const d = analyzeRules(TEXT).diagnostics;
  const at = TEXT.indexOf('thresold') + 3;
  const fixes = fixableAt(d, at, at);
  assert.deepEqual(fixes.map((x) => [x.code, x.fix?.title]), [['unknown-key', "Change to 'threshold'"]]);
  assert.deepEqual(fixableAt(d, 0, 0), []);
});

test('problemSummary counts errors, warnings and notes like the CLI', () => {
  const mk = (severity: Diagnostic['severity']): Diagnostic => ({ severity, message: '', code: 'x', source: 'semantic', range: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } }, startOffset: 0, endOffset: 0 });
  assert.equal(problemSummary('rules.yaml', []), 'rules.yaml: no problems');
  assert.equal(problemSummary('rules/rules.yaml', [mk('error'), mk('error'), mk('warning')]), 'rules/rules.yaml: 2 errors, 1 warning');
  assert.equal(problemSummary('r.yaml', [mk('warning'), mk('info')]), 'r.yaml: 1 warning, 1 note');
});

test('the data is the data: key relative to the rules file, else the nearest open CSV', () => {
  assert.equal(resolveDataPath('/ws/rules/rules.yaml', '../sample-data/stream.csv'), '/ws/sample-data/stream.csv');
  assert.equal(resolveDataPath('/ws/rules/rules.yaml', '/abs/x.csv'), '/abs/x.csv');
  // A leading ~/ is the home directory (as the CLI reads it); ~user/ and a backslash are taken as written.
  assert.equal(resolveDataPath('/ws/rules/rules.yaml', '~/metrics/x.csv', '/home/u'), '/home/u/metrics/x.csv');
  assert.equal(resolveDataPath('/ws/rules/rules.yaml', '~', '/home/u'), '/home/u');
  assert.equal(resolveDataPath('/ws/rules/rules.yaml', '~bob/x.csv', '/home/u'), '/ws/rules/~bob/x.csv');
  assert.equal(resolveDataPath('/ws/rules/rules.yaml', 'sub\\x.csv', '/home/u'), '/ws/rules/sub\\x.csv');
  const open = ['/elsewhere/deep/a.csv', '/ws/sample-data/stream.csv', '/ws/rules/local.csv', '/ws/rules/notes.md'];
  assert.equal(pickCsvBeside('/ws/rules/rules.yaml', open), '/ws/rules/local.csv');
  assert.equal(pickCsvBeside('/ws/rules/rules.yaml', open.slice(0, 2)), '/ws/sample-data/stream.csv');
  assert.equal(pickCsvBeside('/ws/rules/rules.yaml', ['/ws/rules/notes.md']), undefined);
});

test('statsOf (linear-time median) equals a sort-based reference, NaN skipped, odd and even counts', () => {
  const rng = createRng(7);
  for (const n of [0, 1, 2, 3, 10, 11, 1000, 1001]) {
    const a = Float64Array.from({ length: n }, (_, i) => (i % 7 === 3 ? NaN : Math.round(rng.next() * 50) / 2));
    const b = Float64Array.from({ length: n }, () => 5);
    for (const v of [a, b]) {
      const s = Array.from(v).filter((x) => x === x).sort((p, q) => p - q);
      const k = s.length;
      const expected = k === 0 ? { min: NaN, max: NaN, median: NaN, count: 0 }
        : { min: s[0], max: s[k - 1], median: k % 2 ? s[(k - 1) >> 1] : (s[k / 2 - 1] + s[k / 2]) / 2, count: k };
      assert.deepEqual(statsOf(v), expected, `n=${n}`);
    }
    const frame = frameOf({ a, b }, Float64Array.from({ length: n }, (_, i) => i * 60_000));
    assert.deepEqual(dataContextOf(frame, 'x.csv').stats.a, statsOf(a));
  }
});

test('the editor shows a second YAML document as check does: one error at its `---`, kept beside the YAML extension\'s own', () => {
  const text = 'version: 1\nrules: []\n---\nversion: 1\nrules:\n  - name: b\n    op: "=>"\n';
  const d = analyzeRules(text).diagnostics;
  for (const yamlExtension of [false, true]) {
    assert.deepEqual(shownDiagnostics(d, yamlExtension).map((x) => [x.code, x.severity, x.range.start.line]), [['multiple-documents', 'error', 3]]);
  }
  assert.equal(problemSummary('rules.yaml', d), 'rules.yaml: 1 error');
});
