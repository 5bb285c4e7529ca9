import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graphUrl, identityOfGraphUrl, prometheusIdentity } from '../../src/cli/prometheusSource.ts';
import { resultsSource } from '../../src/cli/sendHistory.ts';
import { tokenForRulesSource } from '../../src/node/prometheusHttp.ts';

const url = new URL('http://prom.example:9090/');
const queries = [{ name: 'cpu', promql: '100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m])))' }, { name: 'load', promql: 'node_load1' }];

test('a Prometheus input has one history identity whatever its range, also read back from a results file', () => {
  const a = prometheusIdentity({ url, queries });
  const monday = graphUrl({ url, queries, range: { startMs: 0, endMs: 7 * 86_400_000, stepMs: 60_000 } });
  const tuesday = graphUrl({ url, queries, range: { startMs: 86_400_000, endMs: 8 * 86_400_000, stepMs: 60_000 } });
  assert.notEqual(monday, tuesday, 'the graph pages differ (their end)');
  assert.equal(identityOfGraphUrl(monday), a);
  assert.equal(identityOfGraphUrl(tuesday), a);
  assert.equal(resultsSource({ input: { path: tuesday } }, '/somewhere'), a);
  // Other queries or another server are another source; a file path stays a path.
  assert.notEqual(prometheusIdentity({ url, queries: queries.slice(0, 1) }), a);
  assert.notEqual(prometheusIdentity({ url: new URL('http://other:9090'), queries }), a);
  assert.equal(resultsSource({ input: { path: 'data/m.csv' } }, '/w'), '/w/data/m.csv');
  assert.equal(identityOfGraphUrl('https://example.com/not-a-graph?g0.expr=up'), null);
});

test('the token goes to a server a rules file names only when it is the server of ANOMALY_HUNTER_PROMETHEUS_URL', () => {
  const env = { ANOMALY_HUNTER_PROMETHEUS_TOKEN: 'tok', ANOMALY_HUNTER_PROMETHEUS_URL: 'https://prom.example:9090/' };
  assert.equal(tokenForRulesSource(new URL('https://prom.example:9090/sub'), env), 'tok');
  assert.equal(tokenForRulesSource(new URL('https://evil.example:9090'), env), '');
  assert.equal(tokenForRulesSource(new URL('http://prom.example:9090'), env), '', 'another scheme is another origin');
  assert.equal(tokenForRulesSource(new URL('https://prom.example:9090'), { ANOMALY_HUNTER_PROMETHEUS_TOKEN: 'tok' }), '', 'no trusted server: no token');
});
