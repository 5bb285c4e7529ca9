// Random long CSVs (seeded): rows interleaved by time, grouped by series, newest first or in chunks, with quoted or
// constant columns and dropped rows. Read whole, each value lands in its series at its time; followed, they never
// end in anything but an input error with a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { StreamPipeline } from '../../src/node/streamPipeline.ts';
import { InputError, UsageError } from '../../src/node/errors.ts';

test('random long CSVs: every value lands in its series at its time; following them fails only with input errors', () => {
  // mulberry32: 32-bit state, exact in doubles.
  let seed = 7;
  const rnd = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const orders = ['interleaved', 'grouped', 'newest first', 'chunks'] as const;
  let joined = 0, aligned = 0;
  for (let c = 0; c < 120; c++) {
    const H = 1 + Math.floor(rnd() * 5), M = 1 + Math.floor(rnd() * 3), T = 5 + Math.floor(rnd() * 700);
    const order = orders[Math.floor(rnd() * orders.length)];
    const metrics = ['cpu', 'mem', 'disk'].slice(0, M);
    const env = rnd() < 0.3, quote = rnd() < 0.3, drop = rnd() < 0.2;
    const val = (i: number, h: number, m: number): number => i + 1000 * h + 100000 * m;
    const rows: [number, number, number][] = [];
    const time = (h: number, i: number): void => { for (let m = 0; m < M; m++) rows.push([i, h, m]); };
    if (order === 'interleaved') for (let i = 0; i < T; i++) for (let h = 0; h < H; h++) time(h, i);
    else if (order === 'chunks') for (let k = 0; k < 3; k++) for (let h = 0; h < H; h++) for (let i = Math.floor((k * T) / 3); i < Math.floor(((k + 1) * T) / 3); i++) time(h, i);
    else for (let h = 0; h < H; h++) for (let j = 0; j < T; j++) time(h, order === 'newest first' ? T - 1 - j : j);
    const q = (s: string): string => (quote ? `"${s}"` : s);
    const lines = [env ? 'time,env,host,metric,value' : 'time,host,metric,value'];
    for (const [i, h, m] of rows) if (!drop || rnd() > 0.05) lines.push(`${new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString()},${env ? 'prod,' : ''}${q(`h${h}`)},${q(metrics[m])},${val(i, h, m)}`);
    const text = lines.join('\n') + '\n';
    const what = `case ${c}: ${order}, ${H} hosts, ${M} metrics, ${T} times${drop ? ', rows dropped' : ''}`;
    const { frame } = parseCsv(text);
    assert.ok(frame, what);
    if (H * M > 1 && T >= 20 && !drop) {
      aligned++;
      assert.equal(frame.metrics.length, H * M, `${what}: ${frame.metrics.slice(0, 4).join(' ')}`);
    }
    if (frame.metrics.length === H * M && H * M > 1) {
      joined++;
      frame.metrics.forEach((name, k) => {
        const h = H === 1 ? 0 : Number(/host="h(\d)"/.exec(name)![1]);
        const m = M === 1 ? 0 : metrics.findIndex((x) => name.startsWith(x));
        for (let r = 0; r < frame.rows; r++) {
          const v: number = frame.values[k][r];
          const i = Math.round((frame.timestamps![r] - Date.UTC(2024, 2, 4)) / 60_000);
          if (!Number.isNaN(v)) assert.equal(v, val(i, h, m), `${what}: ${name} at row ${r}`);
        }
      });
    }
    const streamed: number[][] = [];
    const pipe = new StreamPipeline({ displayPath: 'f.csv', onRow: (r) => streamed.push(r.values) });
    const pieces = 1 + Math.floor(rnd() * 8);
    const size = Math.ceil(text.length / pieces);
    for (let k = 0; k < text.length; k += size) { pipe.push(text.slice(k, k + size)); if (rnd() < 0.5) pipe.caughtUp(); }
    pipe.finish();
    assert.ok(pipe.failure === null || pipe.failure instanceof InputError || pipe.failure instanceof UsageError, what);
    // Interleaved and whole: one row per time, each value where the batch reader puts it.
    if (order === 'interleaved' && !drop && T >= 3 && pipe.failure === null && H * M > 1) {
      assert.equal(streamed.length, T, what);
      for (const r of [0, T >> 1, T - 1]) assert.deepEqual(streamed[r], frame.values.map((v) => v[r]), `${what}: streamed row ${r}`);
    }
    // Grouped by series (more than one host, long runs): refused, never scored as one series.
    if (order !== 'interleaved' && order !== 'chunks' && H > 1 && T >= 40) assert.match(pipe.failure?.message ?? '', /grouped by series/, what);
  }
  assert.ok(aligned > 40 && joined >= aligned, `${joined} joined, ${aligned} aligned`);
});
