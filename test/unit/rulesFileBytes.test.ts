// A rules file's bytes as the CLI reads them: a UTF-8 BOM does not shift line 1's columns, and a byte that is not
// UTF-8 is an error at its place (it was read as U+FFFD and exported so), for our rules files and Prometheus's alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { decodeUtf8, invalidUtf8At } from '../../src/core/utf8Text.ts';

async function run(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd });
  return { code, out, err };
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

test('check: a BOM does not move line 1\'s columns (text and JSON), for either format', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-bytes-'));
  for (const [name, text] of [['v.rules.yaml', 'version: 2\r\nrules: []\r\n'], ['k.rules.yaml', 'verson: 1\n']]) {
    writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, `bom-${name}`), Buffer.concat([BOM, Buffer.from(text)]));
    const plain = await run(dir, 'check', name);
    const bom = await run(dir, 'check', `bom-${name}`);
    assert.equal(bom.code, plain.code);
    assert.equal(bom.out.replaceAll('bom-', ''), plain.out);
    const json = JSON.parse((await run(dir, 'check', '--format', 'json', `bom-${name}`)).out) as { diagnostics: { line: number; column: number }[] };
    const want = JSON.parse((await run(dir, 'check', '--format', 'json', name)).out) as typeof json;
    assert.deepEqual(json.diagnostics, want.diagnostics);
  }
  assert.match((await run(dir, 'check', 'bom-v.rules.yaml')).out, /^bom-v\.rules\.yaml:1:10: error: version must be 1, got 2/);
  assert.match((await run(dir, 'check', 'bom-k.rules.yaml')).out, /^bom-k\.rules\.yaml:1:1: error: not an Anomaly Hunter rules file/);
  // A Prometheus rule file with a BOM: its expression's error on line 1 at the column without it.
  writeFileSync(join(dir, 'p.yml'), Buffer.concat([BOM, Buffer.from('groups: [{name: g, rules: [{alert: A, expr: "cpu >"}]}]\n')]));
  assert.match((await run(dir, 'check', 'p.yml')).out, /^p\.yml:1:45: error: .*could not parse expression: 1:6: parse error: unexpected end of input/m);
});

test('check and export-rules: a byte that is not UTF-8 is an error at its line and column, in both formats; nothing is exported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-bytes-'));
  const latin1 = (s: string) => Buffer.from(s, 'latin1');
  writeFileSync(join(dir, 'l.yml'), latin1('groups:\n  - name: node\n    rules:\n      - alert: HighCPU\n        expr: cpu > 90\n        annotations:\n          summary: "café"\n'));
  writeFileSync(join(dir, 'l.rules.yaml'), latin1('version: 1\nrules:\n  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 1\n    annotations:\n      summary: "é café"\n'));
  const prom = await run(dir, 'check', 'l.yml');
  assert.equal(prom.code, 1);
  assert.match(prom.out + prom.err, /l\.yml:7:24: error: not valid UTF-8 \(byte 0xE9\)/);
  const ours = await run(dir, 'check', 'l.rules.yaml');
  assert.equal(ours.code, 1);
  assert.match(ours.out + ours.err, /l\.rules\.yaml:8:17: error: not valid UTF-8 \(byte 0xE9\)/);
  const exported = await run(dir, 'export-rules', '--format', 'prometheus', '--out', 'out.yml', 'l.rules.yaml');
  assert.equal(exported.code, 1);
  assert.match(exported.out + exported.err, /l\.rules\.yaml:8:17: error: not valid UTF-8/);
  assert.ok(!existsSync(join(dir, 'out.yml')));
  // Valid UTF-8 (a BOM, two-, three- and four-byte characters) still reads.
  writeFileSync(join(dir, 'u.rules.yaml'), Buffer.concat([BOM, Buffer.from('version: 1\nrules:\n  - name: a\n    metric: cpu\n    op: ">"\n    threshold: 1\n    annotations: {summary: "café € 😀"}\n')]));
  assert.equal((await run(dir, 'check', 'u.rules.yaml')).code, 0);
});

test('invalidUtf8At: the first byte of a malformed sequence (overlong, surrogate, past U+10FFFF, cut short, stray continuation)', () => {
  const at = (...b: number[]) => invalidUtf8At(Uint8Array.from(b));
  assert.equal(at(0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80), -1);
  assert.equal(at(0x61, 0xe9, 0x20), 1);
  assert.equal(at(0xc0, 0xaf), 0);
  assert.equal(at(0x61, 0xe0, 0x80, 0xaf), 1);
  assert.equal(at(0xed, 0xa0, 0x80), 0);
  assert.equal(at(0xf4, 0x90, 0x80, 0x80), 0);
  assert.equal(at(0x61, 0x62, 0xe2, 0x82), 2);
  assert.equal(at(0x80), 0);
  assert.equal(at(0xff), 0);
  // Columns count UTF-16 units, as our other columns (an emoji is two), on the line of the byte.
  assert.deepEqual(decodeUtf8(Uint8Array.from([0x61, 0x0a, 0xf0, 0x9f, 0x98, 0x80, 0x62, 0xe9])), { error: 'not valid UTF-8 (byte 0xE9): save the file as UTF-8', line: 2, column: 4 });
  assert.deepEqual(decodeUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61])), { text: 'a' });
});
