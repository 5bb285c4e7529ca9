import { mock, test } from 'node:test';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { readCsvText } from '../../src/node/csvText.ts';
import { loadCsvFile } from '../../src/node/loadCsv.ts';

/** Two days of minutes with a spike, CRLF line ends and a quoted field over two lines (a row is not a line). */
function metricsText(): string {
  const lines = ['timestamp,cpu,note'];
  for (let i = 0; i < 2880; i++) {
    const note = i === 10 ? '"two\r\nlines"' : i % 500 ? 'ok' : 'café';
    lines.push(`${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${(i % 13) + (i === 2000 ? 90 : 0)},${note}`);
  }
  return lines.join('\r\n') + '\r\n';
}

test('readCsvText gives a .csv.gz\'s text as the analysis reads it: the line of each row is the line loadCsvFile gives', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-text-'));
  try {
    const text = metricsText();
    const path = join(dir, 'm.csv.gz');
    writeFileSync(path, gzipSync(Buffer.from(text)));
    const read = await readCsvText(path);
    assert.deepEqual(read, { ok: true, text, gzip: true });
    const loaded = await loadCsvFile(path);
    const lines = text.split(/\r\n/);
    // Row 2000 (the spike) and the rows after the two-line field sit on the lines the frame says.
    for (const row of [0, 9, 10, 11, 2000, 2879]) {
      const line = loaded.frame!.lines[row];
      assert.ok(lines[line - 1].startsWith(new Date(Date.UTC(2024, 0, 1) + row * 60_000).toISOString()), `row ${row} on line ${line}: ${lines[line - 1]}`);
    }
    // A UTF-16 export, compressed: decoded by its byte-order mark (dropped), as the reader does.
    writeFileSync(path, gzipSync(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])));
    assert.deepEqual(await readCsvText(path), { ok: true, text, gzip: true });
    // A plain file (named .gz or not): its text as it is.
    writeFileSync(path, text);
    assert.deepEqual(await readCsvText(path), { ok: true, text, gzip: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readCsvText says why a damaged, missing or too long file has no text, as a message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-text-bad-'));
  try {
    const gz = gzipSync(Buffer.from(metricsText()));
    const path = join(dir, 'm.csv.gz');
    writeFileSync(path, gz.subarray(0, gz.length - 100));
    assert.deepEqual(await readCsvText(path), { ok: false, message: 'a damaged gzip file (unexpected end of file)' });
    const flipped = Buffer.from(gz);
    for (let i = 0; i < 50; i++) flipped[(gz.length >> 1) + i] ^= 0xff;
    writeFileSync(path, flipped);
    const bad = await readCsvText(path);
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.message : '', /^a damaged gzip file \([a-z ]+\)$/);
    // The analysis of the same file says the same.
    const loaded = await loadCsvFile(path);
    assert.equal(loaded.issues[0].message, `${!bad.ok ? bad.message : ''}: nothing read from it`);
    writeFileSync(path, gz);
    assert.deepEqual(await readCsvText(path, 10_000), { ok: false, message: 'its text is over 10,000 characters once decompressed: too long to show in an editor' });
    assert.deepEqual(await readCsvText(join(dir, 'none.csv.gz')), { ok: false, message: 'no such file' });
    assert.deepEqual(await readCsvText(dir), { ok: false, message: 'not a regular file' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readCsvText opens the file once, for a .csv and a .csv.gz larger than its first piece alike', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-text-once-'));
  // Every way of opening a path by name is counted: the file told gzip by must be the file read.
  const opens = [mock.method(fsp, 'open'), mock.method(fs, 'createReadStream'), mock.method(fs, 'openSync'), mock.method(fs, 'open')];
  try {
    let text = 'timestamp,cpu\n';
    for (let i = 0; text.length < 3 << 20; i++) text += `${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${i % 13}\n`;
    const plain = join(dir, 'm.csv');
    const gz = join(dir, 'm.csv.gz');
    writeFileSync(plain, text);
    writeFileSync(gz, gzipSync(Buffer.from(text)));
    for (const [path, gzip] of [[plain, false], [gz, true]] as const) {
      for (const m of opens) m.mock.resetCalls();
      assert.deepEqual(await readCsvText(path), { ok: true, text, gzip });
      assert.deepEqual(opens.map((m) => m.mock.callCount()), [1, 0, 0, 0], path);
    }
  } finally {
    for (const m of opens) m.mock.restore();
    rmSync(dir, { recursive: true, force: true });
  }
});
