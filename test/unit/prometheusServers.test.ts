/**
 * The Prometheus source against real servers on loopback (Debian's prometheus with promtool backfilling, and
 * victoria-metrics), through the CLI: multi-series queries, a range past 11,000 points fetched in pieces,
 * gaps, the same incidents as the same data in a CSV, and one-line errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { createHttpFetcher } from '../../src/node/prometheusHttp.ts';
import { SourceError } from '../../src/core/prometheus/source.ts';
import { startServer } from './alertingServer.ts';
import type { Sample } from './realServers.ts';
import { freePort, skipUnless, startPrometheus, startVictoriaMetrics } from './realServers.ts';

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env, cwd: process.cwd() });
  return { code, out, err };
}

const T0 = Date.UTC(2025, 0, 6);
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** 12,000 one-minute points of two series (host a has a 100-minute gap at minutes 5000–5099). */
function twoHosts(): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < 12_000; i++) {
    if (i < 5000 || i >= 5100) out.push({ name: 'node_load', labels: { host: 'a' }, ms: T0 + i * MIN, value: i });
    out.push({ name: 'node_load', labels: { host: 'b' }, ms: T0 + i * MIN, value: 10 - i / 4 });
  }
  return out;
}

/** The CSV output of analyze read back into columns. */
function readCsvOutput(text: string) {
  const r = parseCsv(text);
  assert.ok(r.frame, JSON.stringify(r.issues.slice(0, 3)));
  return r.frame!;
}

test('Prometheus: two series over 12,000 points (two pieces) joined without a duplicate or lost row; a gap stays missing', { skip: skipUnless('prometheus', 'promtool'), timeout: 120_000 }, async () => {
  const prom = await startPrometheus(twoHosts());
  try {
    const r = await run(['analyze', '--prometheus', prom.origin, '--query', 'load=node_load', `--start=${iso(T0)}`, `--end=${iso(T0 + 11_999 * MIN)}`, '--step', '1m', '--detectors', 'forecast', '--format', 'csv']);
    assert.equal(r.code, 0, r.err);
    const f = readCsvOutput(r.out);
    assert.deepEqual(f.metrics.slice(0, 2), ['load{host="a"}', 'load{host="b"}']);
    assert.equal(f.rows, 12_000);
    for (let i = 0; i < f.rows; i++) assert.equal(f.timestamps![i], T0 + i * MIN, `row ${i}`);
    const a = f.values[0];
    const b = f.values[1];
    for (let i = 0; i < 12_000; i++) assert.equal(b[i], 10 - i / 4);
    assert.equal(a[4999], 4999);
    assert.equal(a[11_000], 11_000, 'the first point of the second piece');
    assert.equal(a[10_999], 10_999, 'the last point of the first piece');
    // Prometheus 2.x's 5-minute lookback ([t − 5m, t], closed at both ends) repeats the last sample for 5 steps;
    // after that the gap is missing, never 0.
    for (let i = 5000; i <= 5004; i++) assert.equal(a[i], 4999);
    for (let i = 5005; i < 5100; i++) assert.ok(Number.isNaN(a[i]), `row ${i} is missing, got ${a[i]}`);
    assert.equal(a[5100], 5100);
  } finally {
    await prom.stop();
  }
});

test('Prometheus: the same data as CSV and as series give the same anomalies and incidents', { skip: skipUnless('prometheus', 'promtool'), timeout: 120_000 }, async () => {
  const n = 2000;
  const samples: Sample[] = [];
  const lines = ['timestamp,cpu,memory'];
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let i = 0; i < n; i++) {
    const ms = T0 + i * MIN;
    const cpu = Math.round((40 + 10 * Math.sin((2 * Math.PI * i) / 1440) + 3 * rnd() + (i >= 1500 && i < 1510 ? 45 : 0)) * 1000) / 1000;
    const memory = Math.round((60 + 0.002 * i + 2 * rnd() + (i >= 1502 && i < 1506 ? 25 : 0)) * 1000) / 1000;
    samples.push({ name: 'host_cpu', ms, value: cpu }, { name: 'host_memory', ms, value: memory });
    lines.push(`${iso(ms)},${cpu},${memory}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'ah-csv-'));
  const csv = join(dir, 'same.csv');
  writeFileSync(csv, lines.join('\n') + '\n');
  const prom = await startPrometheus(samples);
  try {
    const fromCsv = await run(['analyze', csv, '--format', 'json']);
    const fromProm = await run(['analyze', '--prometheus', prom.origin, '--query', 'cpu=host_cpu', '--query', 'memory=host_memory', `--start=${iso(T0)}`, `--end=${iso(T0 + (n - 1) * MIN)}`, '--step=1m', '--format', 'json']);
    assert.equal(fromCsv.code, 0, fromCsv.err);
    assert.equal(fromProm.code, 0, fromProm.err);
    const a = JSON.parse(fromCsv.out);
    const b = JSON.parse(fromProm.out);
    assert.equal(b.rows, n);
    assert.deepEqual(b.meta.metrics, ['cpu', 'memory']);
    assert.match(b.meta.input.path, /^http:\/\/127\.0\.0\.1:\d+\/graph\?g0\.expr=host_cpu/);
    assert.ok(a.incidents.length > 0, 'the spike is an incident');
    assert.ok(a.incidents.some((i: { startRow: number; endRow: number }) => i.startRow <= 1505 && i.endRow >= 1505));
    assert.deepEqual(b.anomalies, a.anomalies);
    assert.deepEqual(b.incidents, a.incidents);
    assert.deepEqual(b.scores, a.scores);
  } finally {
    await prom.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Prometheus: bad PromQL, a query with no data and an unreachable host are one line each (exit 1)', { skip: skipUnless('prometheus', 'promtool'), timeout: 120_000 }, async () => {
  const prom = await startPrometheus(twoHosts().slice(0, 100));
  try {
    const range = [`--start=${iso(T0)}`, `--end=${iso(T0 + 60 * MIN)}`];
    const bad = await run(['analyze', '--prometheus', prom.origin, '--query', 'cpu=rate(node_load[5m]', ...range]);
    assert.equal(bad.code, 1);
    assert.equal(bad.err.trimEnd().split('\n').length, 1, bad.err);
    assert.match(bad.err, /^http:\/\/127\.0\.0\.1:\d+: error: query "cpu": bad_data: .*parse error.*\(HTTP 400\)\n$/);
    const empty = await run(['analyze', '--prometheus', prom.origin, '--query', 'no_such_metric', ...range]);
    assert.equal(empty.code, 1);
    assert.match(empty.err, /^http:\/\/127\.0\.0\.1:\d+: error: the query "no_such_metric" returned no data between 2025-01-06T00:00:00.000Z and 2025-01-06T01:00:00.000Z\n$/);
  } finally {
    await prom.stop();
  }
  const port = await freePort();
  const down = await run(['analyze', '--prometheus', `http://127.0.0.1:${port}`, '--query', 'up']);
  assert.equal(down.code, 1);
  assert.equal(down.err, `http://127.0.0.1:${port}: error: cannot reach the server: connection refused\n`);
});

test('VictoriaMetrics: a multi-series query over 12,000 points through its Prometheus API', { skip: skipUnless('victoria'), timeout: 120_000 }, async () => {
  const vm = await startVictoriaMetrics(twoHosts().filter((s) => s.labels!.host === 'b' || s.ms < T0 + 5000 * MIN));
  try {
    const r = await run(['analyze', '--prometheus', vm.origin, '--query', 'node_load', `--start=${iso(T0)}`, `--end=${iso(T0 + 11_999 * MIN)}`, '--step=1m', '--detectors', 'forecast', '--format', 'csv']);
    assert.equal(r.code, 0, r.err);
    const f = readCsvOutput(r.out);
    assert.deepEqual(f.metrics.slice(0, 2), ['node_load{host="a"}', 'node_load{host="b"}']);
    assert.equal(f.rows, 12_000);
    for (let i = 0; i < 12_000; i++) {
      assert.equal(f.timestamps![i], T0 + i * MIN);
      assert.equal(f.values[1][i], 10 - i / 4);
    }
    assert.equal(f.values[0][4999], 4999);
    // Host a ends at minute 4999: well after that (past any staleness window) it is missing, never 0.
    for (let i = 5100; i < 12_000; i++) assert.ok(Number.isNaN(f.values[0][i]), `row ${i}`);
    const bad = await run(['analyze', '--prometheus', vm.origin, '--query', 'sum(', `--start=${iso(T0)}`, `--end=${iso(T0 + 60 * MIN)}`]);
    assert.equal(bad.code, 1);
    assert.equal(bad.err.trimEnd().split('\n').length, 1, bad.err);
    assert.match(bad.err, /^http:\/\/127\.0\.0\.1:\d+: error: query "sum\(": .*\(HTTP (400|422)\)\n$/);
  } finally {
    await vm.stop();
  }
});

test('HTTP client: the bearer token is sent and never printed; a refusal says which variable; a silent server times out', async () => {
  const token = 's3cr3t-token-value';
  const server = await startServer((res) => { res.writeHead(401, { 'Content-Type': 'text/plain' }); res.end(`bad token ${token}`); });
  try {
    const r = await run(['analyze', '--prometheus', server.origin, '--query', 'up'], { ANOMALY_HUNTER_PROMETHEUS_TOKEN: token });
    assert.equal(r.code, 1);
    assert.equal(server.requests[0].headers.authorization, `Bearer ${token}`);
    assert.match(server.requests[0].url, /^\/api\/v1\/query_range\?query=up&start=\d+&end=\d+&step=60$/);
    assert.ok(!r.err.includes(token), r.err);
    assert.match(r.err, /error: query "up": HTTP 401 Unauthorized \(the token in ANOMALY_HUNTER_PROMETHEUS_TOKEN was refused\): bad token \*\*\*\n$/);
  } finally {
    await server.close();
  }
  const sockets: Socket[] = [];
  const silent = createServer((s) => { sockets.push(s); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  try {
    const fetcher = createHttpFetcher({ url: new URL(`http://127.0.0.1:${port}`), timeoutMs: 300 });
    await assert.rejects(fetcher({ name: 'up', promql: 'up' }, { startMs: 0, endMs: 60_000, stepMs: 60_000 }),
      (e: Error) => e instanceof SourceError && e.message === 'no answer within 0.3 s (timed out) for query "up"');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});

test('HTTP client: a token held back from a rules file\'s server says so on a 401, and how to send it there; it is never printed', async () => {
  const token = 's3cr3t-token-value';
  const server = await startServer((res) => { res.writeHead(401, { 'Content-Type': 'text/plain' }); res.end('unauthorized'); });
  const dir = mkdtempSync(join(tmpdir(), 'ah-withheld-'));
  try {
    writeFileSync(join(dir, 'r.yaml'), ['version: 1', 'data:', `  prometheus: ${server.origin}`, '  queries: {cpu: host_cpu}', 'rules:',
      '  - name: cpu-hot', '    metric: cpu', '    op: ">"', '    threshold: 90', ''].join('\n'));
    const held = await run(['analyze', '--rules', join(dir, 'r.yaml')], { ANOMALY_HUNTER_PROMETHEUS_TOKEN: token });
    assert.equal(held.code, 1);
    assert.equal(server.requests[0].headers.authorization, undefined, 'not sent to a server other than ANOMALY_HUNTER_PROMETHEUS_URL\'s');
    assert.ok(!held.err.includes(token), held.err);
    assert.ok(held.err.includes(`HTTP 401 Unauthorized (a token is set but is only sent to ANOMALY_HUNTER_PROMETHEUS_URL's origin; set that variable to ${server.origin} to send it here)`), held.err);
    const none = await run(['analyze', '--rules', join(dir, 'r.yaml')]);
    assert.ok(none.err.includes('(set a bearer token in ANOMALY_HUNTER_PROMETHEUS_TOKEN)'), none.err);
    const sent = await run(['analyze', '--rules', join(dir, 'r.yaml')], { ANOMALY_HUNTER_PROMETHEUS_TOKEN: token, ANOMALY_HUNTER_PROMETHEUS_URL: server.origin });
    assert.equal(server.requests[server.requests.length - 1].headers.authorization, `Bearer ${token}`);
    assert.ok(sent.err.includes('(the token in ANOMALY_HUNTER_PROMETHEUS_TOKEN was refused)'), sent.err);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyze --prometheus: a step chosen for a long range says why and how to get a finer one; a step given does not', async () => {
  // Answers every request with a value at each grid point of its piece.
  const server = await startServer((res, _n, req) => {
    const q = new URL(req.url, 'http://x').searchParams;
    const [start, end, step] = ['start', 'end', 'step'].map((k) => Number(q.get(k)));
    const values: [number, string][] = [];
    for (let t = start; t <= end; t += step) values.push([t, String(40 + ((t / step) % 7))]);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { __name__: 'load' }, values }] } }));
  });
  try {
    const range = ['--start', '2025-01-01T00:00:00Z', '--end', '2025-01-31T00:00:00Z', '--detectors', 'iforest'];
    const chosen = await run(['analyze', '--prometheus', server.origin, '--query', 'load', ...range]);
    assert.equal(chosen.code, 0, chosen.err);
    assert.match(chosen.out, /\n {2}step: 5m \(chosen to stay under 11,000 points per series; --step 1m fetches in pieces\)\n/);
    const given = await run(['analyze', '--prometheus', server.origin, '--query', 'load', ...range, '--step', '5m']);
    assert.match(given.out, /\n {2}step: 5m \(median gap\)\n/);
  } finally {
    await server.close();
  }
});

test('analyze --prometheus: usage errors before any request', async () => {
  const cases: [string[], RegExp][] = [
    [['analyze', '--prometheus', 'http://127.0.0.1:9'], /needs at least one --query/],
    [['analyze', '--query', 'up'], /--query needs --prometheus URL/],
    [['analyze', 'x.csv', '--prometheus', 'http://127.0.0.1:9', '--query', 'up'], /either a CSV file or --prometheus/],
    [['analyze', '--prometheus', 'http://u:p@127.0.0.1:9', '--query', 'up'], /must not hold a user name or password/],
    [['analyze', '--prometheus', 'http://127.0.0.1:9', '--query', 'a=up', '--query', 'a=down'], /two queries are named 'a'/],
    [['analyze', '--prometheus', 'http://127.0.0.1:9', '--query', 'up', '--start=yesterday'], /--start: 'yesterday' is not a time/],
    [['analyze', '--prometheus', 'http://127.0.0.1:9', '--query', 'up', '--step', '0s'], /--step: '0s' is not a step/],
  ];
  for (const [argv, re] of cases) {
    const r = await run(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, re);
    assert.ok(!r.err.includes('u:p@'), r.err);
  }
});

test('stream --prometheus: a fixed range is scored row by row like a CSV; without --end new points are polled every step', { skip: skipUnless('prometheus', 'promtool'), timeout: 120_000 }, async () => {
  const fixed = await startPrometheus(twoHosts().slice(0, 400));
  try {
    const r = await run(['stream', '--prometheus', fixed.origin, '--query', 'load=node_load{host="b"}', `--start=${iso(T0)}`, `--end=${iso(T0 + 199 * MIN)}`, '--step=1m', '--format', 'nab']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines[0], 'timestamp,value,anomaly_score');
    assert.equal(lines.length, 201);
    assert.match(lines[1], /^2025-01-06T00:00:00\.000Z,10,0(\.\d+)?$/);
    assert.match(lines[200], /^2025-01-06T03:19:00\.000Z,-39\.75,/);
  } finally {
    await fixed.stop();
  }
  // Live: Prometheus scraping itself every second; the stream polls at a 1 s step for a few seconds.
  const live = await startPrometheus([], { scrapeSelfEverySeconds: 1 });
  try {
    // Until the first scrapes are in (up to 20 s).
    for (let i = 0; i < 200; i++) {
      const q = await (await fetch(`${live.origin}/api/v1/query_range?query=up&start=${Date.now() / 1000 - 3}&end=${Date.now() / 1000}&step=1`)).json() as { data: { result: { values: unknown[] }[] } };
      if ((q.data.result[0]?.values.length ?? 0) >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const controller = new AbortController();
    let out = '', err = '';
    const { runStream } = await import('../../src/cli/commands/stream.ts');
    const done = runStream({ argv: ['--prometheus', live.origin, '--query', 'up=up{job="self"}', '--start=-3s', '--step=1s'], stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd: process.cwd() }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 4500));
    controller.abort();
    assert.equal(await done, 0, err);
    const rows = out.trimEnd().split('\n').map((l) => JSON.parse(l) as { timestamp: string; metrics: { up: { value: number } } });
    assert.ok(rows.length >= 6, `${rows.length} rows: ${out}`);
    const times = rows.map((r) => Date.parse(r.timestamp));
    for (let i = 1; i < times.length; i++) assert.equal(times[i] - times[i - 1], 1000, 'one row per step, none repeated');
    assert.ok(rows.every((r) => r.metrics.up.value === 1));
    assert.ok(times[times.length - 1] > Date.now() - 4000, 'rows fetched after the start');
  } finally {
    await live.stop();
  }
});

test('rules files: data: names a Prometheus source; check matches rule metrics against its queries, analyze --rules reads it', { skip: skipUnless('prometheus', 'promtool'), timeout: 120_000 }, async () => {
  // Data ending four hours ago (the source's range is back from now).
  const end = Math.floor((Date.now() - 4 * 3600_000) / MIN) * MIN;
  const samples: Sample[] = [];
  for (let i = 0; i < 600; i++) samples.push({ name: 'host_cpu', ms: end - (599 - i) * MIN, value: i >= 400 && i < 420 ? 97 : 40 + (i % 7) });
  const prom = await startPrometheus(samples);
  const dir = mkdtempSync(join(tmpdir(), 'ah-rules-'));
  const rules = (metric: string) => [
    'version: 1', 'data:', `  prometheus: ${prom.origin}`, '  queries: {cpu: host_cpu}', '  range: 1d', '  step: 1m',
    'rules:', '  - name: cpu-hot', `    metric: ${metric}`, '    op: ">"', '    threshold: 90', '    severity: major', '',
  ].join('\n');
  try {
    writeFileSync(join(dir, 'good.yaml'), rules('cpu'));
    writeFileSync(join(dir, 'typo.yaml'), rules('cpux'));
    const good = await run(['check', join(dir, 'good.yaml')]);
    assert.equal(good.code, 0, good.err + good.out);
    const typo = await run(['check', join(dir, 'typo.yaml')]);
    assert.equal(typo.code, 1);
    assert.match(typo.out + typo.err, /typo\.yaml:9:13: error: metric 'cpux' is not the name of a query in data.queries \(did you mean 'cpu'\?\)/);
    const a = await run(['analyze', '--rules', join(dir, 'good.yaml'), '--detectors', 'rules', '--format', 'json', '--all-rows']);
    assert.equal(a.code, 0, a.err);
    const doc = JSON.parse(a.out);
    assert.deepEqual(doc.meta.metrics, ['cpu']);
    const fired = doc.anomalies.filter((x: { rule?: string }) => x.rule === 'cpu-hot');
    assert.equal(fired.length, 20);
    assert.equal(Date.parse(fired[0].timestamp), end - 199 * MIN);
    // An unreachable source: check warns on data: and still checks the rules; analyze says why in one line.
    writeFileSync(join(dir, 'down.yaml'), rules('cpu').replace(prom.origin, `http://127.0.0.1:${await freePort()}`));
    const down = await run(['check', join(dir, 'down.yaml')]);
    assert.equal(down.code, 0);
    assert.match(down.out + down.err, /down\.yaml:3:15: warning: cannot check the rules against http:\/\/127\.0\.0\.1:\d+: cannot reach the server: connection refused/);
    const downA = await run(['analyze', '--rules', join(dir, 'down.yaml')]);
    assert.equal(downA.code, 1);
    assert.match(downA.err, /^.*down\.yaml: error: data: cannot reach the server: connection refused\n$/);
  } finally {
    await prom.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
