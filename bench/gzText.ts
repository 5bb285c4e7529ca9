// How long the extension host's event loop is held while readCsvText decompresses a large .csv.gz (the text the
// editor shows for Reveal in CSV): the longest event-loop delay (perf_hooks' histogram, 10 ms resolution, so 10 ms
// is its floor) and the total time, beside one synchronous gunzipSync + decode of the same file.
// Usage: node --import tsx bench/gzText.ts [rows] (default 3,000,000 rows, about 128 M characters of text).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readCsvText } from '../src/node/csvText.ts';

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 3_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'ah-gzbench-'));
  try {
    let seed = 3;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const parts = ['timestamp,cpu,memory,disk_io\n'];
    for (let i = 0; i < rows; i++) parts.push(`${new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString()},${(40 + 20 * rnd()).toFixed(2)},${(60 + 5 * rnd()).toFixed(2)},${(30 * rnd()).toFixed(2)}\n`);
    const text = parts.join('');
    const path = join(dir, 'big.csv.gz');
    writeFileSync(path, gzipSync(text));
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const t0 = performance.now();
    const read = await readCsvText(path);
    const ms = performance.now() - t0;
    h.disable();
    if (!read.ok || read.text.length !== text.length) throw new Error('wrong text');
    console.log(`${rows.toLocaleString('en')} rows, ${(text.length / 1e6).toFixed(0)} M characters: readCsvText ${ms.toFixed(0)} ms; event loop delay max ${(h.max / 1e6).toFixed(0)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(0)} ms, mean ${(h.mean / 1e6).toFixed(1)} ms`);
    const t1 = performance.now();
    const sync = gunzipSync(readFileSync(path)).toString('utf8');
    const syncMs = performance.now() - t1;
    if (sync.length !== text.length) throw new Error('wrong text');
    console.log(`one synchronous gunzipSync + decode of the same file: ${syncMs.toFixed(0)} ms in one block`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
