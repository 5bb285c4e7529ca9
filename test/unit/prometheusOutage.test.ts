/**
 * A Prometheus that stops and starts again while `stream --prometheus` polls it (a real Prometheus on loopback,
 * scraping itself every second): the failure is said once, its end once, and the points its lookback fills over
 * the outage are not scored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runStream } from '../../src/cli/commands/stream.ts';
import { PollOutage } from '../../src/core/prometheus/outage.ts';
import type { Frame } from '../../src/core/csv/frame.ts';
import { skipUnless, startPrometheus } from './realServers.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (cond()) return;
  assert.fail(`timed out waiting for ${what}`);
}

test('stream --prometheus through an outage: said once, its end said once, the lookback copies over it not scored', { skip: skipUnless('prometheus'), timeout: 120_000 }, async () => {
  const prom = await startPrometheus([], { scrapeSelfEverySeconds: 1 });
  const controller = new AbortController();
  try {
    // Until the first scrapes are in.
    for (let i = 0; i < 200; i++) {
      const q = await (await fetch(`${prom.origin}/api/v1/query_range?query=up&start=${Date.now() / 1000 - 3}&end=${Date.now() / 1000}&step=1`)).json() as { data: { result: { values: unknown[] }[] } };
      if ((q.data.result[0]?.values.length ?? 0) >= 3) break;
      await sleep(100);
    }
    let out = '', err = '';
    const rows = (): { t: number; up: number }[] => out.trimEnd().split('\n').filter(Boolean).map((l) => {
      const r = JSON.parse(l) as { timestamp: string; metrics: { up: { value: number } } };
      return { t: Date.parse(r.timestamp), up: r.metrics.up.value };
    });
    const done = runStream({ argv: ['--prometheus', prom.origin, '--query', 'up=up{job="self"}', '--start=-3s', '--step=1s'], stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd: process.cwd() }, { signal: controller.signal, pollMs: 250 });
    await until(() => rows().length >= 5, 'the first rows');
    await prom.down();
    const downAt = Date.now();
    await until(() => /cannot reach the server/.test(err), 'the failure said');
    await sleep(8000);
    const upAt = Date.now();
    await prom.up();
    await until(() => rows().some((r) => r.t >= upAt + 3000), 'rows after the outage');
    controller.abort();
    assert.equal(await done, 0, err);

    assert.equal(err.match(/: reachable again after \d+s without an answer/g)?.length, 1, err);
    const note = /note: (\d+) points over the outage left out \(Prometheus's lookback repeats the last sample before it for up to 5m\)/.exec(err);
    assert.ok(note && Number(note[1]) >= 6, err);
    const got = rows();
    // Down from downAt to upAt: every point between is a copy. Those up to the last failed poll are left out; the
    // last failed poll is within a poll (250 ms) of upAt, so the points of the next second may be kept.
    const inGap = got.filter((r) => r.t >= downAt + 1000 && r.t < upAt - 1000);
    assert.deepEqual(inGap, [], `no point of the outage, when nothing was scraped, is scored: down ${downAt} up ${upAt}\n${err}\n${got.map((r) => r.t).join(' ')}`);
    for (let i = 1; i < got.length; i++) assert.ok(got[i].t > got[i - 1].t, 'no row twice');
    assert.ok(got.every((r) => r.up === 1));
    assert.equal(err.match(/cannot reach the server/g)?.length, 1, `the failure said once:\n${err}`);
  } finally {
    controller.abort();
    await prom.stop();
  }
});

const S = 1000;
function frameOf(from: number, values: number[]): Frame {
  const rows = values.length;
  return { timestamps: Float64Array.from(values, (_, i) => (from + i) * S), timestampColumn: 'timestamp', metrics: ['cpu'], values: [Float64Array.from(values)], rows, lines: Int32Array.from(values, (_, i) => i + 2), stepMs: S };
}

test('PollOutage: the copies up to the last failed poll are left out, a reading before the stop and those after the poll kept', () => {
  const o = new PollOutage('http://h:9090');
  o.fed(frameOf(8, [4, 5]), 9 * S);
  assert.equal(o.failed('cannot reach the server: connection refused', 12 * S), true);
  assert.equal(o.failed('cannot reach the server: connection refused', 13 * S), false, 'said once');
  assert.equal(o.failed('HTTP 503 Service Unavailable', 14_500), true, 'another failure is said');
  assert.equal(o.answered(18_200), 'http://h:9090: reachable again after 6s without an answer');
  assert.equal(o.answered(19 * S), null);
  // 10: a reading before the stop; 11–14: its copies (up to the last failed poll, 14.5 s); 15: kept; 16–17 new.
  const { frame, dropped } = o.clean(frameOf(10, [6, 6, 6, 6, 6, 6, 7, 7]), 10 * S, 17 * S, S);
  assert.equal(dropped, 4);
  assert.deepEqual([...frame.timestamps!].map((t) => t / S), [10, 15, 16, 17]);
  assert.deepEqual([...frame.values[0]], [6, 6, 7, 7]);
  // A value equal to the one fed before the outage: the point fed is the first of the run, every copy goes.
  const p = new PollOutage('h');
  p.fed(frameOf(9, [1]), 9 * S);
  p.failed('cannot reach the server: connection refused', 12_500);
  assert.equal(p.answered(14_200), 'h: reachable again after 2s without an answer');
  assert.equal(p.clean(frameOf(10, [1, 1, 1, 1, 1]), 10 * S, 14 * S, S).dropped, 3);
  // No outage: nothing left out.
  assert.equal(p.clean(frameOf(15, [1, 1, 1]), 15 * S, 17 * S, S).dropped, 0);
  // This machine's network failed (the host not reached, no answer): nothing is known of the server, the flat points are readings.
  const net = new PollOutage('h');
  net.fed(frameOf(9, [1]), 9 * S);
  net.failed('cannot reach the server: network error (ENETUNREACH)', 10_500);
  net.failed('no answer within 60 s (timed out) for query "up"', 11_500);
  assert.equal(net.answered(13_200), 'h: reachable again after 3s without an answer');
  assert.equal(net.clean(frameOf(10, [1, 1, 1, 1]), 10 * S, 13 * S, S).dropped, 0);
  // The server answered with its own error (it was up, scraping): said, but its points are readings.
  assert.equal(p.failed('query "cpu": execution: query timed out in expression evaluation (HTTP 503)', 19_500), true);
  assert.equal(p.answered(20_100), 'h: polls answered again after 1s of errors');
  assert.equal(p.clean(frameOf(18, [1, 1, 1]), 18 * S, 20 * S, S).dropped, 0);
});
