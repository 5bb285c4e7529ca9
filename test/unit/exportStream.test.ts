import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Anomaly } from '../../src/core/anomaly.ts';
import type { Frame } from '../../src/core/csv/frame.ts';
import { csvChunks } from '../../src/core/export/csv.ts';
import { jsonChunks } from '../../src/core/export/json.ts';
import type { AnalysisResult } from '../../src/core/analysisResult.ts';

// Heap samples are taken right after a full collection, so they measure what the export keeps
// alive (a non-streaming export would keep the whole output), not garbage awaiting collection.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ROWS = 1_000_000;

function bigResult(): AnalysisResult {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const ts = new Float64Array(ROWS);
  const metrics = ['cpu', 'memory', 'disk_io', 'net_in'];
  const values = metrics.map(() => new Float64Array(ROWS));
  const score = new Float64Array(ROWS);
  const yhat = new Float64Array(ROWS);
  const lower = new Float64Array(ROWS);
  const upper = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    ts[i] = t0 + i * 60_000;
    for (let m = 0; m < metrics.length; m++) values[m][i] = 50 + 40 * Math.sin(i / (97 + m)) + (i % 7) / 3;
    score[i] = 0.3 + 0.2 * Math.abs(Math.sin(i));
    yhat[i] = 50 + 40 * Math.sin(i / 97);
    lower[i] = yhat[i] - 5.25;
    upper[i] = yhat[i] + 5.25;
  }
  const anomalies: Anomaly[] = [];
  for (let i = 0; i < ROWS; i += 1000) {
    anomalies.push({ row: i, timestamp: new Date(ts[i]).toISOString(), detector: 'forecast', metric: 'cpu', value: values[0][i], score: 60, severity: 'major', message: `cpu ${values[0][i]} outside [${lower[i]}, ${upper[i]}]` });
  }
  const frame: Frame = { timestamps: ts, timestampColumn: 'timestamp', metrics, values, rows: ROWS, lines: new Int32Array(ROWS), stepMs: 60_000 };
  return { frame, input: { path: 'big.csv', sha256: '0'.repeat(64) }, seed: 0, detectors: {}, scores: { iforest: score }, forecast: { cpu: { yhat, lower, upper } }, anomalies, warnings: [] };
}

/** Drains chunks into a sink that keeps nothing, returning the output size and the peak live-heap growth. */
function drain(chunks: Iterable<string>): { chars: number; lines: number; peakGrowth: number; chunks: number } {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  let chars = 0;
  let lines = 0;
  let n = 0;
  for (const c of chunks) {
    chars += c.length;
    for (let i = c.indexOf('\n'); i >= 0; i = c.indexOf('\n', i + 1)) lines++;
    if (++n % 25 === 0) {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
  }
  return { chars, lines, peakGrowth: peak, chunks: n };
}

const result = bigResult();

test('a 1M-row CSV export streams: the heap grows by a small fraction of the output', () => {
  const r = drain(csvChunks(result));
  assert.ok(r.chunks > 100);
  assert.equal(r.lines, ROWS + 1);
  // ~130 MB of text; a version that built one string would grow the heap by at least that much.
  assert.ok(r.chars > 100_000_000, `output ${r.chars} chars`);
  assert.ok(r.peakGrowth < r.chars / 20, `heap grew ${(r.peakGrowth / 1e6).toFixed(1)} MB for ${(r.chars / 1e6).toFixed(1)} MB of CSV`);
  console.log(`# csv: ${(r.chars / 1e6).toFixed(1)} MB in ${r.chunks} chunks, peak heap growth ${(r.peakGrowth / 1e6).toFixed(1)} MB`);
});

test('a 1M-row JSON export streams: the heap grows by a small fraction of the output', () => {
  const r = drain(jsonChunks(result, { version: '0.1.0' }));
  assert.ok(r.chunks > 100);
  assert.ok(r.chars > 50_000_000, `output ${r.chars} chars`);
  assert.ok(r.peakGrowth < r.chars / 20, `heap grew ${(r.peakGrowth / 1e6).toFixed(1)} MB for ${(r.chars / 1e6).toFixed(1)} MB of JSON`);
  console.log(`# json: ${(r.chars / 1e6).toFixed(1)} MB in ${r.chunks} chunks, peak heap growth ${(r.peakGrowth / 1e6).toFixed(1)} MB`);
});
