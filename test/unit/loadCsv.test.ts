import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { loadCsvFile } from '../../src/node/loadCsv.ts';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { main } from '../../src/cli/main.ts';

test('loadCsvFile reads a file as parseCsv reads its text, with multi-byte characters across its 1 MiB pieces', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-load-'));
  try {
    // ASCII first (read as Latin-1), then a 'é' (2 bytes) and a '€' (3 bytes) placed across the 1 MiB boundary.
    const parts = ['\ufefftime,note,v\n'];
    let bytes = 3 + 12, i = 0;
    const add = (note: string, v = String(i % 10)): void => {
      const line = `${new Date(Date.UTC(2024, 0, 1) + i++ * 60_000).toISOString()},${note},${v}\n`;
      parts.push(line);
      bytes += Buffer.byteLength(line);
    };
    while (bytes < (1 << 20) - 100) add('ok');
    // A value (not a number: its warning quotes it) whose 'é' starts one byte before the boundary: its second
    // byte is the first of the next piece.
    add('x'.repeat((1 << 20) - 1 - bytes - 26), 'é€');
    while (bytes < (5 << 20) / 2) add(i % 1000 ? 'ok' : 'café');
    const text = parts.join('');
    assert.equal(Buffer.from(text).subarray((1 << 20) - 1, (1 << 20) + 1).toString('utf8'), 'é');
    const path = join(dir, 'a.csv');
    writeFileSync(path, text);
    const loaded = await loadCsvFile(path);
    const direct = parseCsv(text.slice(1));
    assert.deepEqual(loaded.frame, direct.frame);
    assert.deepEqual(loaded.issues, direct.issues);
    assert.equal(loaded.sha256, createHash('sha256').update(Buffer.from(text)).digest('hex'));
    assert.equal(loaded.frame!.rows, i);
    assert.ok(loaded.issues.some((x) => x.message.includes("'é€'")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadCsvFile reads UTF-16 files (little- and big-endian, by their byte-order mark), across its 1 MiB pieces', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-load16-'));
  try {
    const lines = ['time\tcpu\thost'];
    for (let i = 0; lines.length < 30_000; i++) lines.push(`${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()}\t${i % 97}\t${i % 2 ? 'Zürich' : '東京 🗼'}`);
    const text = lines.join('\r\n') + '\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    assert.ok(le.length > 2 << 20, 'more than two pieces');
    const expected = parseCsv(text);
    for (const [name, bytes] of [['le.csv', le], ['be.csv', be]] as const) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const loaded = await loadCsvFile(path);
      assert.deepEqual(loaded.issues, expected.issues, name);
      assert.deepEqual(loaded.frame, expected.frame, name);
      assert.equal(loaded.frame!.rows, 29_999);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadCsvFile reads a gzip-compressed CSV (by its magic bytes) as its text, hashing the file; a truncated one is an error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-loadgz-'));
  try {
    const lines = ['time,cpu,host'];
    // Random digits compress poorly: the file spans several 1 MiB pieces.
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; lines.length < 200_000; i++) lines.push(`${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${rnd()},${i % 2 ? 'a' : 'b'}`);
    const text = lines.join('\n') + '\n';
    const gz = gzipSync(Buffer.from(text));
    assert.ok(gz.length > 2 << 20, 'more than two pieces');
    const path = join(dir, 'm.csv.gz');
    writeFileSync(path, gz);
    const loaded = await loadCsvFile(path);
    const expected = parseCsv(text);
    assert.deepEqual(loaded.issues, expected.issues);
    assert.deepEqual(loaded.frame, expected.frame);
    assert.equal(loaded.sha256, createHash('sha256').update(gz).digest('hex'));
    assert.equal(loaded.bytes, gz.length);
    writeFileSync(path, gz.subarray(0, gz.length - 1000));
    const cut = await loadCsvFile(path);
    assert.equal(cut.frame, null);
    assert.deepEqual(cut.issues.map((x) => [x.severity, x.code, x.message]), [['error', 'gzip', 'a damaged gzip file (unexpected end of file): nothing read from it']]);
    // Bytes flipped in the middle: the same kind of message, never an exception (an unhandled stream error ends the process).
    const flipped = Buffer.from(gz);
    for (let i = 0; i < 100; i++) flipped[(gz.length >> 1) + i] ^= 0xff;
    writeFileSync(path, flipped);
    const bad = await loadCsvFile(path);
    assert.equal(bad.frame, null);
    assert.deepEqual(bad.issues.map((x) => x.code), ['gzip']);
    assert.match(bad.issues[0].message, /^a damaged gzip file \(/);
    // A gzip of a file that is no CSV of metrics keeps the reader's own message.
    writeFileSync(path, gzipSync(Buffer.from('host,status\n' + 'a,ok\n'.repeat(400_000))));
    const words = await loadCsvFile(path);
    assert.deepEqual(words.issues.filter((x) => x.severity === 'error').map((x) => x.message), ['no numeric column: the columns are "host", "status"']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream reads a UTF-16 file as analyze does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-stream16-'));
  try {
    const text = 'timestamp,cpu\n' + Array.from({ length: 50 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${i % 9}`).join('\n') + '\n';
    const path = join(dir, 'u16.csv');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    let out = '', err = '';
    const code = await main(['stream', path], { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd: dir });
    assert.equal(code, 0, err);
    const rows = out.trim().split('\n').map((l) => JSON.parse(l) as { timestamp: string; metrics: { cpu: { value: number } } });
    assert.equal(rows.length, 50);
    assert.deepEqual([rows[49].timestamp, rows[49].metrics.cpu.value], ['2024-01-01T00:49:00.000Z', 49 % 9]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
