import { parseCsv } from '../src/core/csv/parse.ts';
import { StreamPipeline } from '../src/node/streamPipeline.ts';
import { InputError, UsageError } from '../src/node/errors.ts';
let seed = Number(process.argv[2] ?? 1);
const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
let bad = 0, joinedOk = 0, total = 0;
for (let c = 0; c < 400; c++) {
  const H = 1 + Math.floor(rnd() * 5), M = 1 + Math.floor(rnd() * 3), T = 5 + Math.floor(rnd() * 700);
  const order = pick(['inter', 'grouped', 'desc', 'chunks']);
  const hosts = Array.from({ length: H }, (_, h) => (rnd() < (process.env.NUMERIC ? 0.3 : 0) ? String(h) : `h${h}`));
  const metrics = ['cpu', 'mem', 'disk'].slice(0, M);
  const extra = rnd() < 0.3;
  const quote = rnd() < 0.3;
  const rows: [number, string, string, number][] = [];
  const val = (i: number, h: number, m: number): number => i + 1000 * h + 100000 * m;
  if (order === 'inter') for (let i = 0; i < T; i++) for (let h = 0; h < H; h++) for (let m = 0; m < M; m++) rows.push([i, hosts[h], metrics[m], val(i, h, m)]);
  else if (order === 'chunks') { const K = 3; for (let k = 0; k < K; k++) for (let h = 0; h < H; h++) for (let i = Math.floor((k * T) / K); i < Math.floor(((k + 1) * T) / K); i++) for (let m = 0; m < M; m++) rows.push([i, hosts[h], metrics[m], val(i, h, m)]); }
  else for (let h = 0; h < H; h++) for (let j = 0; j < T; j++) { const i = order === 'desc' ? T - 1 - j : j; for (let m = 0; m < M; m++) rows.push([i, hosts[h], metrics[m], val(i, h, m)]); }
  const drop = rnd() < 0.2 ? 0.05 : 0;
  const q = (s: string): string => (quote ? `"${s}"` : s);
  const lines = [extra ? 'time,env,host,metric,value' : 'time,host,metric,value'];
  for (const [i, h, m, v] of rows) { if (drop && rnd() < drop) continue; lines.push(`${new Date(Date.UTC(2024, 2, 4) + i * 60_000).toISOString()},${extra ? 'prod,' : ''}${q(h)},${q(m)},${v}`); }
  const text = lines.join('\n') + '\n';
  total++;
  try {
    const { frame } = parseCsv(text);
    if (frame && H * M > 1 && !drop && frame.metrics.length === H * M) {
      joinedOk++;
      // Every value where it belongs.
      for (let k = 0; k < frame.metrics.length; k++) {
        const name = frame.metrics[k];
        const h = hosts.findIndex((x) => name.includes(`host="${x}"`)), m = metrics.findIndex((x) => name.startsWith(x) || name.includes(`metric="${x}"`));
        for (let r = 0; r < frame.rows; r += 7) {
          const i = Math.round((frame.timestamps![r] - Date.UTC(2024, 2, 4)) / 60_000);
          const want = val(i, H === 1 ? 0 : h, M === 1 ? 0 : m);
          if (frame.values[k][r] !== want) { bad++; console.log('WRONG', c, order, name, r, frame.values[k][r], want); break; }
        }
      }
    } else if (frame && H * M > 1 && !drop && T >= 20) console.log('NOT JOINED', c, order, H, M, T, frame.metrics.slice(0, 4).join(' '));
  } catch (e) { bad++; console.log('BATCH THREW', c, (e as Error).stack); }
  try {
    const p = new StreamPipeline({ displayPath: 'f.csv', onRow: () => undefined });
    const n = 1 + Math.floor(rnd() * 8);
    const size = Math.ceil(text.length / n);
    for (let k = 0; k < text.length; k += size) { p.push(text.slice(k, k + size)); if (rnd() < 0.5) p.caughtUp(); }
    p.finish();
    if (p.failure && !(p.failure instanceof InputError || p.failure instanceof UsageError)) { bad++; console.log('STREAM FAILURE TYPE', c); }
  } catch (e) { bad++; console.log('STREAM THREW', c, (e as Error).stack); }
}
console.log({ total, joinedOk, bad });
