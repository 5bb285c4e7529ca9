/**
 * A rules file's Prometheus `data:` (SPEC §8) as the editor uses it, against a real Prometheus (backfilled with
 * promtool): the rules checked against the queries' names before any fetch, the fetch cached per file by
 * (server, queries, range, step), the checks and firings on the fetched series, and failures as one line.
 */
import { createServer } from 'node:http';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRules } from '../../src/core/rules/validate.ts';
import { evaluateRules } from '../../src/core/rules/evaluate.ts';
import type { PrometheusDataSource } from '../../src/core/rules/model.ts';
import { EDITOR_TOKEN_HELP } from '../../src/node/prometheusHttp.ts';
import { RulesSourceCache, resolveRulesSource, rulesSourceKey } from '../../src/node/rulesSource.ts';
import { rulesSnapshotLabel, snapshotLabel } from '../../src/extension/fileLabels.ts';
import type { Sample } from './realServers.ts';
import { freePort, skipUnless, startPrometheus } from './realServers.ts';

const MIN = 60_000;

function rulesText(server: string, o: { metric?: string; threshold?: number; range?: string; forText?: string } = {}): string {
  return [
    'version: 1', 'data:', `  prometheus: ${server}`, '  queries: {cpu: host_cpu, load: node_load}', `  range: ${o.range ?? '1d'}`, '  step: 1m',
    'rules:', '  - name: cpu-hot', `    metric: ${o.metric ?? 'cpu'}`, '    op: ">"', `    threshold: ${o.threshold ?? 90}`, '    severity: major',
    ...(o.forText ? [`    for: ${o.forText}`] : []), '',
  ].join('\n');
}

test('rules with a Prometheus data: are checked against the queries\' names with no fetch: a typo gets the closest name as a fix', () => {
  const typo = analyzeRules(rulesText('http://127.0.0.1:9', { metric: 'cpux', forText: '30s' }));
  const unknown = typo.diagnostics.filter((d) => d.code === 'unknown-metric');
  assert.equal(unknown.length, 1);
  assert.equal(unknown[0].message, "metric 'cpux' is not the name of a query in data.queries (did you mean 'cpu'?)");
  assert.deepEqual(unknown[0].range.start, { line: 9, column: 13 });
  assert.deepEqual(unknown[0].fix?.edits, [{ startOffset: unknown[0].startOffset, endOffset: unknown[0].endOffset, newText: 'cpu' }]);
  // The source's step is known too: a `for:` below it is told.
  assert.ok(typo.diagnostics.some((d) => d.code === 'for-below-step' && /1m in data\.queries/.test(d.message)), JSON.stringify(typo.diagnostics));
  // A far-off name lists the queries; one series of a query with several (NAME{labels}) is accepted.
  assert.match(analyzeRules(rulesText('http://127.0.0.1:9', { metric: 'memory' })).diagnostics.find((d) => d.code === 'unknown-metric')!.message, /; its queries: cpu, load$/);
  assert.deepEqual(analyzeRules(rulesText('http://127.0.0.1:9', { metric: 'load{host="a"}' })).diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(analyzeRules(rulesText('http://127.0.0.1:9')).diagnostics, []);
});

test('rules source: resolved at a time, keyed by what is written; a bad range is one line', async () => {
  const source = analyzeRules(rulesText('http://127.0.0.1:9090')).file.source!;
  const now = Date.UTC(2025, 0, 10, 12, 0, 30);
  const r = resolveRulesSource(source, now);
  assert.equal(r.server, 'http://127.0.0.1:9090');
  assert.deepEqual(r.range, { startMs: Date.UTC(2025, 0, 9, 12), endMs: Date.UTC(2025, 0, 10, 12), stepMs: MIN });
  assert.equal(rulesSourceKey(source), rulesSourceKey(analyzeRules(rulesText('http://127.0.0.1:9090', { metric: 'load' })).file.source!), 'the rules are not the key');
  assert.notEqual(rulesSourceKey(source), rulesSourceKey({ ...source, range: '2d' }));
  assert.throws(() => resolveRulesSource({ ...source, range: '7x' }, now), (e: Error) => /^range: /.test(e.message) && !e.message.includes('\n'));
  assert.throws(() => resolveRulesSource({ ...source, prometheus: 'ftp://x' }, now), /must be http or https/);
  // Credentials in the URL: the CLI names its environment variable, the editor its command (and never the secret).
  const withUser = { ...source, prometheus: 'http://ann:s3cret@127.0.0.1:9090' };
  assert.throws(() => resolveRulesSource(withUser, now), (e: Error) => /ANOMALY_HUNTER_PROMETHEUS_TOKEN$/.test(e.message) && !e.message.includes('s3cret'));
  assert.throws(() => resolveRulesSource(withUser, now, EDITOR_TOKEN_HELP), (e: Error) => e.message === 'the server URL must not hold a user name or password: set a bearer token with "Anomaly Hunter: Set Prometheus Token…"');
  const failed = new RulesSourceCache({ tokenFor: () => ({ token: '', withheld: false }), tokenHelp: EDITOR_TOKEN_HELP }).fetch('file:///r.yaml', withUser);
  await failed.done;
  assert.equal(failed.error, 'the server URL must not hold a user name or password: set a bearer token with "Anomaly Hunter: Set Prometheus Token…"');
});

test('rules source cache against a real Prometheus: one fetch per file and source, stale once edited, firings on the fetched range, failures in one line', { skip: skipUnless('prometheus', 'promtool'), timeout: 120_000 }, async () => {
  // Data ending four hours ago (the source's range is back from now); cpu is hot on 20 minutes.
  const end = Math.floor((Date.now() - 4 * 3600_000) / MIN) * MIN;
  const samples: Sample[] = [];
  for (let i = 0; i < 600; i++) {
    samples.push({ name: 'host_cpu', ms: end - (599 - i) * MIN, value: i >= 400 && i < 420 ? 97 : 40 + (i % 7) });
    samples.push({ name: 'node_load', ms: end - (599 - i) * MIN, value: 1 + (i % 3) });
  }
  const prom = await startPrometheus(samples);
  const settled: string[] = [];
  const asked: string[] = [];
  const cache = new RulesSourceCache({ tokenFor: (url) => { asked.push(url.origin); return { token: 'tok-SECRET-123', withheld: false }; }, onSettled: (file, f) => settled.push(`${file}:${f.state}`) });
  try {
    const text = rulesText(prom.origin);
    const source: PrometheusDataSource = analyzeRules(text).file.source!;
    const f = cache.fetch('file:///r.yaml', source);
    assert.equal(f.state, 'loading');
    assert.equal(cache.fetch('file:///r.yaml', source), f, 'a fetch of the same source in flight is reused');
    await f.done;
    assert.equal(f.state, 'ready', f.error);
    assert.deepEqual(settled, ['file:///r.yaml:ready']);
    assert.deepEqual(asked, [prom.origin]);
    assert.equal(cache.started, 1);
    assert.deepEqual(f.frame!.metrics, ['cpu', 'load']);
    // 600 samples; the five grid points after the last one, where Prometheus's 5-minute lookback repeats it, are left out.
    assert.equal(f.frame!.rows, 600);
    assert.equal(f.frame!.timestamps![0], end - 599 * MIN);
    assert.equal(f.frame!.timestamps![599], end);
    assert.deepEqual(f.notes, [
      'query "cpu": 5 points after the last sample of a series that stops before the end of the range left out (Prometheus\'s lookback repeats a last sample for 5m)',
      'query "load": 5 points after the last sample of a series that stops before the end of the range left out (Prometheus\'s lookback repeats a last sample for 5m)',
    ]);
    assert.equal(f.context!.name, `${prom.origin} (last 1d)`);
    // The same source in an edited text (a new rule) is still current: no new fetch.
    const edited = analyzeRules(rulesText(prom.origin, { threshold: 95 })).file.source!;
    assert.equal(cache.current('file:///r.yaml', edited), f);
    // Checked against the fetched series: the threshold above every value never fires; the rule fires once, on 20 rows.
    const never = analyzeRules(rulesText(prom.origin, { threshold: 200 }), { data: f.context });
    assert.match(never.diagnostics.find((d) => d.code === 'never-fires')!.message, /cpu ranges from 40 to 97 in http:\/\/127\.0\.0\.1:\d+ \(last 1d\)/);
    const a = analyzeRules(text, { data: f.context });
    assert.deepEqual(a.diagnostics, []);
    const hot = evaluateRules(a.file.rules, f.frame!, { anomalies: false }).perRule['cpu-hot'];
    assert.equal(hot.episodes, 1);
    assert.equal(hot.fires, 20);
    assert.equal(f.frame!.timestamps![hot.lastRow!], end - 180 * MIN);
    // Another range is another source: stale until fetched anew (on save or Refresh).
    const wider = analyzeRules(rulesText(prom.origin, { range: '2d' })).file.source!;
    assert.equal(cache.current('file:///r.yaml', wider), undefined);
    assert.equal(cache.get('file:///r.yaml'), f);
    const g = cache.fetch('file:///r.yaml', wider);
    await g.done;
    assert.equal(cache.started, 2);
    assert.equal(g.state, 'ready');
    assert.equal(cache.current('file:///r.yaml', source), undefined);
    // A server that is down, a query Prometheus refuses: one line each, without the token.
    const down = cache.fetch('file:///down.yaml', { ...source, prometheus: `http://127.0.0.1:${await freePort()}` });
    await down.done;
    assert.equal(down.state, 'error');
    assert.equal(down.error, 'cannot reach the server: connection refused');
    const bad = cache.fetch('file:///bad.yaml', { ...source, queries: [{ name: 'cpu', promql: 'rate(host_cpu' }] });
    await bad.done;
    assert.equal(bad.state, 'error');
    assert.match(bad.error!, /^query "cpu": .*unclosed left parenthesis.*\(HTTP 400\)$/);
    for (const e of [down.error!, bad.error!]) assert.ok(!e.includes('\n') && !e.includes('SECRET'), e);
    // Forgetting a file drops its fetch.
    cache.forget('file:///r.yaml');
    assert.equal(cache.get('file:///r.yaml'), undefined);
  } finally {
    cache.dispose();
    await prom.stop();
  }
});

test('rules source cache: a 401 says what to do in the caller\'s words (the editor\'s command), whether the token was sent, held back or unset', async () => {
  const seen: (string | undefined)[] = [];
  const server = createServer((req, res) => { seen.push(req.headers.authorization); res.writeHead(401, { 'Content-Type': 'text/plain' }); res.end('unauthorized'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const source: PrometheusDataSource = analyzeRules(rulesText(origin)).file.source!;
  const errorWith = async (answer: { token: string; withheld: boolean }): Promise<string> => {
    const f = new RulesSourceCache({ tokenFor: () => answer, tokenHelp: EDITOR_TOKEN_HELP }).fetch('file:///r.yaml', source);
    await f.done;
    assert.equal(f.state, 'error');
    return f.error!;
  };
  try {
    assert.match(await errorWith({ token: 'tok-SECRET-1', withheld: false }), /HTTP 401 Unauthorized \(the server refused the token: set it again with "Anomaly Hunter: Set Prometheus Token…"\)/);
    assert.equal(seen.at(-1), 'Bearer tok-SECRET-1');
    const held = await errorWith({ token: '', withheld: true });
    assert.ok(held.includes(`(a token is set but a rules file's server gets it only once you analysed a query of it here (Analyze Prometheus Query… on ${origin})`), held);
    assert.equal(seen.at(-1), undefined);
    assert.match(await errorWith({ token: '', withheld: false }), /\(set a bearer token with "Anomaly Hunter: Set Prometheus Token…"\)/);
    // The CLI's words stay the default.
    const cli = new RulesSourceCache({ tokenFor: () => ({ token: '', withheld: false }) }).fetch('file:///r.yaml', source);
    await cli.done;
    assert.ok(cli.error!.includes('(set a bearer token in ANOMALY_HUNTER_PROMETHEUS_TOKEN)'), cli.error);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a rules file\'s Prometheus data is named by its queries and server (as a query\'s dashboard), not by its snapshot file', async () => {
  const source: PrometheusDataSource = { prometheus: 'http://127.0.0.1:9/prom/', queries: [{ name: 'cpu', promql: 'host_cpu' }, { name: 'memory', promql: 'host_mem' }], range: '2d', step: '1m' };
  const f = new RulesSourceCache({ tokenFor: () => ({ token: '', withheld: false }) }).fetch('file:///r.yaml', source);
  await f.done;
  assert.deepEqual(f.queries, ['cpu', 'memory']);
  assert.equal(rulesSnapshotLabel(f.queries, f.server), 'cpu, memory from 127.0.0.1:9');
  // The same words as a query's snapshot: "<query> from <host:port>", a long name cut.
  assert.equal(snapshotLabel('cpu', 'http://localhost:9090'), 'cpu from localhost:9090');
  assert.equal(rulesSnapshotLabel(['q'.repeat(70)], 'http://localhost:9090'), `${'q'.repeat(59)}… from localhost:9090`);
});
