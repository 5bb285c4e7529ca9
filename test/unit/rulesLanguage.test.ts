import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameOf } from '../../src/core/csv/frame.ts';
import { applyEdits, completionsAt, ruleRanges, thresholdEdits } from '../../src/core/rules/language.ts';
import { hoverAt } from '../../src/core/rules/hover.ts';
import { validateRules } from '../../src/core/rules/validate.ts';
import { dataContextOf } from '../../src/core/rules/dataContext.ts';
import { checkCommand } from '../../src/cli/commands/check.ts';

const M = 60_000;
const T0 = Date.UTC(2024, 2, 4);
const ctx = dataContextOf(frameOf({ cpu: [10, 95, 95, 20, 30], memory: [40, 50, 60, 70, 80] }, [0, 1, 2, 3, 4].map((i) => T0 + i * M)), 'stream.csv');

const text = `version: 1
rules:
  # comment kept
  - name: high-cpu
    metric: cpu
    op: ">"
    threshold: 90   # tuned by hand
    for: 1m
  - name: mem
    metric: memory
    op: ">="
    threshold: 75
`;

/** Completion labels at the `|` in a text. */
function labels(withCursor: string): string[] {
  const at = withCursor.indexOf('|');
  return completionsAt(withCursor.replace('|', ''), at, ctx).map((c) => c.label);
}

test('hover on a key shows the schema description', () => {
  assert.match(hoverAt(text, text.indexOf('threshold') + 2, ctx) ?? '', /^\*\*threshold\*\* — The number the metric is compared with/);
});

test('hover on a metric shows its statistics in the data', () => {
  assert.equal(hoverAt(text, text.indexOf('memory') + 1, ctx), '**memory** in stream.csv\n\nmin 40 · median 60 · max 80 · step 1m · 5 values');
  // A count in thousands is written with separators, as everywhere else.
  const t = Array.from({ length: 20_160 }, (_, i) => i * 60_000);
  const big = dataContextOf(frameOf({ memory: t.map((_, i) => i % 7) }, t), 'two-weeks.csv');
  assert.match(hoverAt(text, text.indexOf('memory') + 1, big)!, / · 20,160 values$/);
});

test('hover on a rule name says how often it fires in the data', () => {
  assert.equal(hoverAt(text, text.indexOf('high-cpu') + 1, ctx),
    '**high-cpu** fires on 1 row in 1 episode in stream.csv\n\nfirst at 2024-03-04 00:02 UTC · last at 2024-03-04 00:02 UTC');
});

test('hover on a duration gives it in seconds and rows of the data', () => {
  assert.match(hoverAt(text, text.indexOf('1m') + 1, ctx) ?? '', /^\*\*1m\*\* = 60 s — 1 rows at the 1m step of stream\.csv/);
  // Past what Prometheus holds (check's error says so): no 'NaN s'.
  const long = 'version: 1\nrules:\n  - {name: a, metric: cpu, op: ">", threshold: 1, for: 293y}\n';
  assert.match(hoverAt(long, long.indexOf('293y') + 1, ctx) ?? '', /^\*\*for\*\* — /);
});

test('completion offers the keys a rule still lacks', () => {
  assert.deepEqual(labels('version: 1\nrules:\n  - name: a\n    metric: cpu\n    |\n'), ['op', 'threshold', 'for', 'keep_firing_for', 'severity', 'enabled', 'labels', 'annotations']);
});

test('completion offers top-level keys not yet present', () => {
  assert.deepEqual(labels('version: 1\n|\nrules: []\n'), ['data', 'defaults', 'detectors', 'alerts']);
});

test('completion offers enum values, quoted where YAML needs it', () => {
  const at = 'version: 1\nrules:\n  - name: a\n    op: '.length;
  const items = completionsAt('version: 1\nrules:\n  - name: a\n    op: \n', at, ctx);
  assert.deepEqual(items.map((i) => i.insertText), ['">"', '">="', '"<"', '"<="', '"=="', '"!="']);
  assert.deepEqual(labels('version: 1\nrules:\n  - name: a\n    severity: |\n'), ['critical', 'major', 'minor', 'warning']);
});

test('completion offers the data\'s metric names, with their range', () => {
  const at = 'version: 1\nrules:\n  - name: a\n    metric: '.length;
  const items = completionsAt('version: 1\nrules:\n  - name: a\n    metric: \n', at, ctx);
  assert.deepEqual(items.map((i) => [i.label, i.kind, i.detail]), [['cpu', 'metric', 'min 10 · median 30 · max 95'], ['memory', 'metric', 'min 40 · median 60 · max 80']]);
  assert.deepEqual(labels('version: 1\ndetectors:\n  iforest:\n    metrics: [|]\n'), ['cpu', 'memory']);
});

test('completion offers durations, including multiples of the data\'s step', () => {
  const got = labels('version: 1\nrules:\n  - name: a\n    for: |\n');
  assert.deepEqual(got, ['0s', '30s', '1m', '2m', '3m', '5m', '10m', '15m', '30m', '1h', '6h', '1d']);
});

test('completion offers a rule snippet on a new list item', () => {
  const at = 'version: 1\nrules:\n  - '.length;
  const items = completionsAt('version: 1\nrules:\n  - \n', at, ctx);
  assert.equal(items[0].kind, 'snippet');
  assert.match(items[0].insertText, /^name: \$\{1:high-cpu\}\n {2}metric: \$\{2\|cpu,memory\|\}/);
});

test('thresholdEdits changes only the threshold scalars, keeping comments and layout', () => {
  const edits = thresholdEdits(text, { 'high-cpu': 87.5, mem: 80, ghost: 1, bad: NaN });
  const out = applyEdits(text, edits);
  assert.equal(out, text.replace('threshold: 90   # tuned by hand', 'threshold: 87.5   # tuned by hand').replace('threshold: 75', 'threshold: 80'));
  assert.deepEqual(validateRules(out).rules?.rules.map((r) => r.threshold), [87.5, 80]);
});

test('ruleRanges gives each named rule\'s first line, even when the file has errors', () => {
  assert.deepEqual(ruleRanges(text).map(({ name, line }) => ({ name, line })), [{ name: 'high-cpu', line: 4 }, { name: 'mem', line: 9 }]);
  assert.deepEqual(ruleRanges('version: 1\nrules:\n  - name: a\n    bogus: 1\n').map((r) => r.line), [3]);
});

test('check prints diagnostics against the data: key and exits 1 on errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-check-'));
  writeFileSync(join(dir, 'data.csv'), 'timestamp,cpu\n2024-03-04T00:00:00Z,1\n2024-03-04T00:01:00Z,2\n');
  writeFileSync(join(dir, 'rules.yaml'), 'version: 1\ndata: data.csv\nrules:\n  - name: a\n    metric: cpx\n    op: ">"\n    threshold: 1.5\n');
  let out = '';
  const code = await checkCommand.run({ argv: ['rules.yaml'], stdout: (s) => { out += s; }, stderr: () => {}, env: {}, cwd: dir });
  assert.equal(code, 1);
  assert.equal(out, "rules.yaml:5:13: error: metric 'cpx' is not a numeric column of data.csv (did you mean 'cpu'?) [unknown-metric]\nrules.yaml: 1 error\n");
  writeFileSync(join(dir, 'ok.yaml'), 'version: 1\ndata: missing.csv\nrules: []\n');
  out = '';
  assert.equal(await checkCommand.run({ argv: ['ok.yaml'], stdout: (s) => { out += s; }, stderr: () => {}, env: {}, cwd: dir }), 0);
  assert.equal(out, 'ok.yaml:2:7: warning: cannot check the rules against missing.csv: no such file [data-unreadable]\nok.yaml: 1 warning\n');
  await assert.rejects(checkCommand.run({ argv: ['nope.yaml'], stdout: () => {}, stderr: () => {}, env: {}, cwd: dir }), { name: 'Error', message: 'nope.yaml: no such file' });
});

test('hover on a metric of several series lists them: the rule holds for each', () => {
  const long = dataContextOf(frameOf({ 'cpu{host="a"}': [1, 2], 'cpu{host="b"}': [3, 4], memory: [5, 6] }, [T0, T0 + M]), 'long.csv');
  assert.equal(hoverAt(text, text.indexOf('metric: cpu') + 9, long), '**cpu** in long.csv: 2 series, the rule holds for each — cpu{host="a"}, cpu{host="b"}');
});
