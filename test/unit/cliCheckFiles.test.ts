import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { validateRules } from '../../src/core/rules/validate.ts';
import { needPromtool, promtool } from './promtool.ts';

async function run(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd });
  return { code, out, err };
}

/** A generated Prometheus rule file of `n` alerts (as a mixin's generator writes them). */
function generated(n: number): string {
  let text = 'groups:\n';
  for (let g = 0; g * 100 < n; g++) {
    text += `  - name: g${g}\n    rules:\n`;
    for (let i = g * 100; i < Math.min(n, (g + 1) * 100); i++) {
      text += `      - alert: A${i}\n        expr: cpu{instance="h${i}"} > ${i % 97}\n        for: 5m\n        labels: {severity: warning}\n        annotations: {summary: "{{ $labels.instance }} {{ $value }}"}\n`;
    }
  }
  return text;
}

test('a rule file over 1 MiB (6 500 generated alerts) is checked by the command line, as promtool does; the editor refuses it and says so', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-big-'));
  try {
    const text = generated(6500);
    assert.ok(text.length > 1 << 20, `${text.length}`);
    writeFileSync(join(dir, 'big.yml'), text);
    const r = await run(dir, 'check', 'big.yml');
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(r.out, 'big.yml: no problems\n');
    // The editor's limit (as you type) stays, and its message names the command line's.
    const editor = validateRules(text).diagnostics;
    assert.deepEqual(editor.map((d) => d.code), ['too-large']);
    assert.match(editor[0].message, /at most 1048576 here; `anomaly-hunter check` reads up to 67108864\)$/);
    if (!needPromtool(t)) return;
    assert.match(promtool(['check', 'rules', join(dir, 'big.yml')]).out, /SUCCESS: 6500 rules found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('check takes several files (check alerts/*.yml), as promtool check rules does: each reported, the worst exit code', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-many-'));
  try {
    writeFileSync(join(dir, 'a.yml'), 'groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: cpu > 90\n');
    writeFileSync(join(dir, 'b.yml'), 'groups:\n  - name: b\n    rules:\n      - alert: B\n        expr: cpu >\n');
    const good = await run(dir, 'check', 'a.yml', 'a.yml');
    assert.equal(good.code, 0, good.err);
    assert.equal(good.out, 'a.yml: no problems\na.yml: no problems\n');
    const r = await run(dir, 'check', 'a.yml', 'b.yml');
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /^a\.yml: no problems\nb\.yml:4:9: info: [^\n]+\nb\.yml:5:15: error: Prometheus rule file: could not parse expression: 1:6: parse error: unexpected end of input \[prometheus-rule-file\]\nb\.yml: 1 error, 1 note\n$/);
    // A missing file is a usage error (2) as for one file, said on stderr; the others are still checked.
    const missing = await run(dir, 'check', 'nope.yml', 'b.yml');
    assert.equal(missing.code, 2);
    assert.equal(missing.err, 'anomaly-hunter check: error: nope.yml: no such file\n');
    assert.match(missing.out, /^b\.yml: 1 error, 1 note$/m);
    // JSON: one file keeps its object; several give an array of them in the order given.
    const one = JSON.parse((await run(dir, 'check', 'b.yml', '--format', 'json')).out);
    assert.deepEqual(Object.keys(one), ['path', 'data', 'diagnostics']);
    const many = JSON.parse((await run(dir, 'check', 'a.yml', 'b.yml', 'nope.yml', '--format', 'json')).out);
    assert.deepEqual(many.map((x: { path: string; diagnostics: unknown[]; error?: string }) => [x.path, x.diagnostics.length, x.error ?? null]), [['a.yml', 0, null], ['b.yml', 2, null], ['nope.yml', 0, 'nope.yml: no such file']]);
    assert.deepEqual(many[1], one);
    if (!needPromtool(t)) return;
    const p = promtool(['check', 'rules', 'a.yml', 'b.yml'], dir);
    assert.equal(p.status, 1);
    assert.match(p.out, /Checking a\.yml\n {2}SUCCESS: 1 rules found/);
    assert.match(p.out, /b\.yml: 5:15: .*could not parse expression: 1:6: parse error: unexpected end of input/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
