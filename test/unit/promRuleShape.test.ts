import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRules, validateRules } from '../../src/core/rules/validate.ts';
import { applyEdits } from '../../src/core/rules/language.ts';
import { shownDiagnostics } from '../../src/extension/rulesEditorModel.ts';
import { needPromtool, promtool } from './promtool.ts';

const shown = (text: string) => validateRules(text).diagnostics.map((d) => [d.severity, d.code, d.range.start.line, d.range.start.column]);

/** promtool check rules on a text: its exit status and output. */
function promtoolOn(text: string): { status: number; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ah-shape-'));
  try {
    writeFileSync(join(dir, 'r.yml'), text);
    return promtool(['check', 'rules', 'r.yml'], dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const NO_GROUPS = 'rules:\n  - alert: HighCPU\n    expr: cpu > 90\n    for: 5m\n\n  - record: job:up:sum\n    expr: sum(up)\n';

test('Prometheus rules without groups: are said to be so, with a fix that wraps them (review finding)', (t) => {
  // Before: four errors of our format (missing version, name; unknown keys alert, expr).
  assert.deepEqual(shown(NO_GROUPS), [['error', 'missing-groups', 1, 1]]);
  const d = validateRules(NO_GROUPS).diagnostics[0];
  assert.match(d.message, /^`alert:`, `record:` and `expr:` are Prometheus rule keys: a Prometheus rule file has them under `groups: - name: … rules:`/);
  const fixed = applyEdits(NO_GROUPS, d.fix!.edits);
  assert.equal(fixed, 'groups:\n  - name: rules\n    rules:\n      - alert: HighCPU\n        expr: cpu > 90\n        for: 5m\n\n      - record: job:up:sum\n        expr: sum(up)\n');
  assert.deepEqual(validateRules(fixed).diagnostics.filter((x) => x.severity !== 'info'), []);
  // Ours (name, metric) are still ours, errors key by key.
  assert.ok(shown('rules:\n  - name: a\n    metric: cpu\n    expr: x\n').every((x) => x[1] !== 'missing-groups'));
  if (!needPromtool(t)) return;
  const before = promtoolOn(NO_GROUPS);
  assert.equal(before.status, 1);
  assert.match(before.out, /field rules not found in type rulefmt\.RuleGroups/);
  assert.match(promtoolOn(fixed).out, /SUCCESS: 2 rules found/);
});

test('a misspelt groups: (group:, Groups:) gets a did-you-mean and a fix, an error (not the info of another tool\'s file)', (t) => {
  for (const key of ['group', 'Groups', 'gruops']) {
    const text = `${key}:\n  - name: g\n    rules:\n      - alert: A\n        expr: cpu > 1\n`;
    assert.deepEqual(shown(text), [['error', 'groups-typo', 1, 1]], key);
    const d = validateRules(text).diagnostics[0];
    assert.match(d.message, new RegExp(`^unknown top-level key '${key}': did you mean 'groups'\\?`));
    const fixed = applyEdits(text, d.fix!.edits);
    assert.ok(fixed.startsWith('groups:\n'));
    assert.deepEqual(validateRules(fixed).diagnostics.filter((x) => x.severity !== 'info'), []);
    if (needPromtool(t)) assert.match(promtoolOn(text).out, new RegExp(`field ${key} not found in type rulefmt\\.RuleGroups`));
  }
  // A key near groups whose list holds no group stays another tool's file.
  assert.deepEqual(shown('group:\n  - id: x\n').map((x) => x[1]), ['not-rules-file']);
});

test('an empty or comment-only rules file is a warning, not an error: check exits 0, as promtool passes it (review finding)', async (t) => {
  const { main } = await import('../../src/cli/main.ts');
  const dir = mkdtempSync(join(tmpdir(), 'ah-empty-'));
  try {
    for (const text of ['', '# just a comment\n', '\n\n']) {
      writeFileSync(join(dir, 'e.rules.yml'), text);
      let out = '';
      const code = await main(['check', 'e.rules.yml'], { stdout: (s) => { out += s; }, stderr: () => {}, env: {}, cwd: dir });
      assert.equal(code, 0, out);
      assert.match(out, /^e\.rules\.yml:1:1: warning: empty rules file: nothing to check .*\[empty-file\]\ne\.rules\.yml: 1 warning\n$/);
      if (needPromtool(t)) assert.match(promtool(['check', 'rules', 'e.rules.yml'], dir).out, /SUCCESS: 0 rules found/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('in the editor these are kept beside the YAML extension (it cannot tell them), as errors, not the info of another tool\'s file', () => {
  for (const [text, code] of [[NO_GROUPS, 'missing-groups'], ['group:\n  - name: g\n    rules: []\n', 'groups-typo']]) {
    const d = analyzeRules(text).diagnostics;
    assert.deepEqual(shownDiagnostics(d, true).map((x) => [x.code, x.severity]), [[code, 'error']]);
  }
});
