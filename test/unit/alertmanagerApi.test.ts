/**
 * `send --format alertmanager-api` against a real Alertmanager (Debian's prometheus-alertmanager) on loopback:
 * an ongoing incident is listed by GET /api/v2/alerts as active with our labels and annotations; the same
 * incident sent once it is over (endsAt) is resolved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { alertSourceOf, alertmanagerAlertsUrl, checkAlertmanagerUrl, incidentPostableAlert } from '../../src/core/alerting/alertmanagerApi.ts';
import type { Incident } from '../../src/core/incidents/incidents.ts';
import { planIncidents } from '../../src/core/alerting/send.ts';
import { emptyAlertState, recordDelivered } from '../../src/core/alerting/throttle.ts';
import { skipUnless, startAlertmanager } from './realServers.ts';

const T0 = Date.UTC(2025, 0, 6);

/** One-minute `timestamp,cpu` rows `from`..`to` − 1 from 2025-01-06, each `value(i)`. */
function cpuRows(from: number, to: number, value: (i: number) => number = (i) => 40 + (i % 5)): string {
  let s = '';
  for (let i = from; i < to; i++) s += `${new Date(T0 + i * 60_000).toISOString()},${value(i)}\n`;
  return s;
}

/** `stream cpu.csv --rules rules.yaml --webhook --follow` in `dir`, to the Alertmanager at `origin`; its output collected. */
async function followToAlertmanager(dir: string, origin: string, signal: AbortSignal): Promise<{ done: Promise<number>; out: string; err: string }> {
  const { runStream } = await import('../../src/cli/commands/stream.ts');
  const run = { done: Promise.resolve(0), out: '', err: '' };
  run.done = runStream({ argv: ['cpu.csv', '--rules', 'rules.yaml', '--webhook', '--follow'], stdout: (t) => { run.out += t; }, stderr: (t) => { run.err += t; }, env: { ANOMALY_HUNTER_WEBHOOK_URL: origin }, cwd: dir }, { signal, pollMs: 20 });
  return run;
}

/** Waits (up to 15 s) until `cond` holds. */
async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) { if (await cond()) return; await new Promise((r) => setTimeout(r, 50)); }
  assert.fail(`timed out waiting for ${what}`);
}

async function run(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd });
  return { code, out, err };
}

interface GettableAlert { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; generatorURL?: string; status: { state: string } }

test('alertmanager-api payloads: labels tell incidents apart, endsAt only once over, the link only for a page', () => {
  const incident: Incident = {
    id: '2025-01-06T05:00:00.000Z/cpu', start: '2025-01-06T05:00:00.000Z', end: '2025-01-06T05:05:00.000Z', startRow: 300, endRow: 305, peakRow: 302,
    score: 91, severity: 'critical', detectors: ['forecast', 'rule'], metrics: [{ metric: 'cpu', share: 1 }], rules: ['high-cpu'], summary: 'cpu at 95 (usually 40)', count: 9,
  };
  const prom = alertSourceOf({ input: { path: 'http://prom:9090/graph?g0.expr=rate(x%5B5m%5D)&g0.tab=0&g1.expr=up', rows: 306 } });
  assert.deepEqual(prom, { rows: 306, input: 'rate(x[5m]); up', link: 'http://prom:9090/graph?g0.expr=rate(x%5B5m%5D)&g0.tab=0&g1.expr=up' });
  const ongoing = incidentPostableAlert(incident, 0, prom);
  assert.deepEqual(ongoing, {
    labels: { alertname: 'DataIncident', severity: 'critical', incident: incident.id, source: 'anomaly-hunter', metric: 'cpu', rule: 'high-cpu', input: 'rate(x[5m]); up' },
    annotations: { summary: 'cpu at 95 (usually 40)', score: '91', detectors: 'forecast,rule', metrics: 'cpu', dashboard: prom.link },
    startsAt: incident.start, generatorURL: prom.link,
  });
  const over = incidentPostableAlert(incident, 0, alertSourceOf({ input: { path: '/data/cpu.csv', rows: 400 } }));
  assert.equal(over.endsAt, incident.end);
  assert.equal(over.labels.input, 'cpu.csv');
  assert.equal(over.generatorURL, undefined);
  assert.equal(alertmanagerAlertsUrl('http://am:9093'), 'http://am:9093/api/v2/alerts');
  assert.equal(alertmanagerAlertsUrl('http://am/prefix/'), 'http://am/prefix/api/v2/alerts');
  assert.equal(alertmanagerAlertsUrl('http://am:9093/api/v2/alerts'), 'http://am:9093/api/v2/alerts');
  assert.equal(checkAlertmanagerUrl('http://alertmanager.internal:9093').ok, true);
  assert.equal(checkAlertmanagerUrl('http://u:p@am:9093').ok, false);
  assert.equal(checkAlertmanagerUrl('ftp://am').ok, false);
});

test('send --format alertmanager-api: a real Alertmanager lists the incident as active, then resolved once its end is sent', { skip: skipUnless('alertmanager'), timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-am-'));
  const am = await startAlertmanager();
  try {
    const t0 = Date.UTC(2025, 0, 6);
    const lines = ['timestamp,cpu'];
    for (let i = 0; i < 600; i++) lines.push(`${new Date(t0 + i * 60_000).toISOString()},${(40 + 5 * Math.sin(i / 20) + (i >= 300 && i < 306 ? 60 : 0)).toFixed(3)}`);
    writeFileSync(join(dir, 'spike.csv'), lines.join('\n') + '\n');
    const a = await run(['analyze', join(dir, 'spike.csv'), '--format', 'json', '--out', join(dir, 'over.json')], dir);
    assert.equal(a.code, 0, a.err);
    const doc = JSON.parse(readFileSync(join(dir, 'over.json'), 'utf8'));
    const incident = doc.incidents.find((i: Incident) => i.startRow <= 303 && i.endRow >= 300) as Incident;
    assert.ok(incident, JSON.stringify(doc.incidents));
    // The same incident as an analysis that ended on its last row saw it: still going on.
    writeFileSync(join(dir, 'ongoing.json'), JSON.stringify({ ...doc, meta: { ...doc.meta, input: { ...doc.meta.input, rows: incident.endRow + 1 } }, incidents: [incident] }));
    writeFileSync(join(dir, 'over.json'), JSON.stringify({ ...doc, incidents: [incident] }));

    const sent = await run(['send', join(dir, 'ongoing.json'), '--format', 'alertmanager-api', '--url', am.origin], dir);
    assert.equal(sent.code, 0, sent.err);
    assert.match(sent.out, /^delivered 1 incident in 1 message to http:\/\/127\.0\.0\.1:\d+\n$/);
    const listed = await (await fetch(`${am.origin}/api/v2/alerts`)).json() as GettableAlert[];
    const mine = listed.filter((x) => x.labels.incident === incident.id);
    assert.equal(mine.length, 1, JSON.stringify(listed));
    const alert = mine[0];
    assert.equal(alert.status.state, 'active');
    assert.deepEqual(alert.labels, { alertname: 'DataIncident', severity: incident.severity, incident: incident.id, source: 'anomaly-hunter', metric: 'cpu', input: 'spike.csv' });
    assert.equal(alert.annotations.summary, incident.summary);
    assert.equal(Date.parse(alert.startsAt), Date.parse(incident.start!));
    assert.ok(Date.parse(alert.endsAt) > Date.now(), 'active: Alertmanager set its own end in the future');

    const resolved = await run(['send', join(dir, 'over.json'), '--format', 'alertmanager-api', '--url', am.origin], dir);
    assert.equal(resolved.code, 0, resolved.err);
    const active = await (await fetch(`${am.origin}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true`)).json() as GettableAlert[];
    assert.deepEqual(active.filter((x) => x.labels.incident === incident.id), [], 'resolved: no longer listed');
    const groups = await (await fetch(`${am.origin}/api/v2/alerts/groups`)).json() as { alerts: GettableAlert[] }[];
    assert.ok(!groups.some((g) => g.alerts.some((x) => x.labels.incident === incident.id)));

    // A bad request is one line with Alertmanager's own message.
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...doc, incidents: [{ ...incident, start: '2025-01-06T06:00:00.000Z', end: '2025-01-06T05:00:00.000Z' }] }));
    const bad = await run(['send', join(dir, 'bad.json'), '--format', 'alertmanager-api', '--url', am.origin], dir);
    assert.equal(bad.code, 1);
    assert.equal(bad.err.trimEnd().split('\n').length, 1, bad.err);
    assert.match(bad.err, /error: not delivered to http:\/\/127\.0\.0\.1:\d+: HTTP 400 Bad Request: .*start time must be before end time/);
  } finally {
    await am.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('alertmanager-api: an incident sent while ongoing is sent again once it is over (the end is not a duplicate), then never again', () => {
  const incident: Incident = {
    id: '2025-01-06T05:00:00.000Z/cpu', start: '2025-01-06T05:00:00.000Z', end: '2025-01-06T05:05:00.000Z', startRow: 300, endRow: 305, peakRow: 302,
    score: 91, severity: 'critical', detectors: ['forecast'], metrics: [{ metric: 'cpu', share: 1 }], rules: [], summary: 'cpu at 95', count: 6,
  };
  const delivered = (p: ReturnType<typeof planIncidents>) => p.messages.flatMap((m) => m.fingerprints.map((fingerprint, k) => ({ fingerprint, key: m.keys[k] })));
  const now = Date.UTC(2025, 0, 6, 6);
  // Analysed while it lasts (its end is the data's last row), sent; analysed again once the data has gone on.
  const first = planIncidents([incident], { format: 'alertmanager-api', now, source: { rows: 306 } });
  assert.equal(first.count, 1);
  let state = recordDelivered(emptyAlertState(), delivered(first), now);
  assert.equal(planIncidents([incident], { format: 'alertmanager-api', now, source: { rows: 306 }, state }).skipped.duplicate, 1, 'still ongoing: a duplicate');
  const over = planIncidents([incident], { format: 'alertmanager-api', now, source: { rows: 400 }, state });
  assert.equal(over.count, 1, 'over: sent with its end');
  assert.match(over.messages[0].body, /"endsAt":"2025-01-06T05:05:00.000Z"/);
  state = recordDelivered(state, delivered(over), now);
  assert.equal(planIncidents([incident], { format: 'alertmanager-api', now, source: { rows: 500 }, state }).skipped.duplicate, 1, 'its end was sent: a duplicate');
  // Other formats send an incident once, ongoing or over.
  const slack = recordDelivered(emptyAlertState(), delivered(planIncidents([incident], { format: 'slack', now, source: { rows: 306 } })), now);
  assert.equal(planIncidents([incident], { format: 'slack', now, source: { rows: 400 }, state: slack }).count, 0);
});

test('stream --webhook with alertmanager-api: a real Alertmanager lists the incident as active while it lasts, resolved once the stream resolves it', { skip: skipUnless('alertmanager'), timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-am-stream-'));
  const am = await startAlertmanager();
  const controller = new AbortController();
  const hot = (on: (i: number) => boolean) => (i: number) => (on(i) ? 97 : 40 + (i % 5));
  const listed = async (which: string) => (await (await fetch(`${am.origin}/api/v2/alerts?${which}`)).json() as GettableAlert[]).filter((x) => x.labels.alertname === 'cpu-hot');
  try {
    const file = join(dir, 'cpu.csv');
    writeFileSync(file, 'timestamp,cpu\n' + cpuRows(0, 100));
    writeFileSync(join(dir, 'rules.yaml'), [
      'version: 1', 'rules:', '  - name: cpu-hot', '    metric: cpu', '    op: ">"', '    threshold: 90', '    severity: major',
      'alerts:', '  webhook: {format: alertmanager-api, min_severity: major}', '',
    ].join('\n'));
    const stream = await followToAlertmanager(dir, am.origin, controller.signal);
    await until(async () => stream.out.split('\n').length > 100, 'the rows already in the file');
    // Rows 100–119 appended: cpu is hot on rows 105–107, and the incident is still open at row 119 (fewer than 10 rows since).
    appendFileSync(file, cpuRows(100, 116, hot((i) => i >= 105 && i <= 107)));
    await until(async () => (await listed('active=true')).length === 1, 'the alert listed as active');
    const [active] = await listed('active=true');
    assert.equal(active.status.state, 'active');
    assert.equal(Date.parse(active.startsAt), T0 + 105 * 60_000);
    assert.ok(Date.parse(active.endsAt) > Date.now(), 'ongoing: no end sent yet');
    assert.match(stream.out, /"event":"opened"/);
    assert.doesNotMatch(stream.out, /"event":"resolved"/);
    // Ten quiet rows later the stream resolves the incident, and sends its end: Alertmanager resolves the alert.
    appendFileSync(file, cpuRows(116, 130));
    await until(async () => /"event":"resolved"/.test(stream.out), 'the stream resolving the incident');
    await until(async () => (await listed('active=true')).length === 0, 'the alert resolved');
    const all = await listed('active=false&silenced=false&inhibited=false&unprocessed=false');
    assert.deepEqual(all, [], 'a resolved alert is not listed, whatever the filter');
    controller.abort();
    assert.equal(await stream.done, 0, stream.err);
    assert.match(stream.err, /stream: webhook: delivered 1 incident in 1 message to http:\/\/127\.0\.0\.1:\d+\n[^]*stream: webhook: delivered 1 incident in 1 message/);
  } finally {
    controller.abort();
    await am.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stream --webhook with alertmanager-api: an incident that opens major and escalates to critical is also sent as critical, with the opening\'s labels; both alerts end with it', { skip: skipUnless('alertmanager'), timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-am-escalate-'));
  const am = await startAlertmanager();
  const controller = new AbortController();
  const mine = async (which: string) => (await (await fetch(`${am.origin}/api/v2/alerts?${which}`)).json() as GettableAlert[]).filter((x) => x.labels.source === 'anomaly-hunter');
  try {
    const file = join(dir, 'cpu.csv');
    writeFileSync(file, 'timestamp,cpu\n' + cpuRows(0, 100));
    writeFileSync(join(dir, 'rules.yaml'), [
      'version: 1', 'rules:',
      '  - name: cpu-warm', '    metric: cpu', '    op: ">"', '    threshold: 80', '    severity: major',
      '  - name: cpu-hot', '    metric: cpu', '    op: ">"', '    threshold: 95', '    severity: critical',
      'alerts:', '  webhook: {format: alertmanager-api, min_severity: major}', '',
    ].join('\n'));
    const stream = await followToAlertmanager(dir, am.origin, controller.signal);
    await until(async () => stream.out.split('\n').length > 100, 'the rows already in the file');
    // cpu 85 on rows 105–106 (cpu-warm: major, the incident opens), sent; then 97 on rows 107–108 (cpu-hot: critical).
    appendFileSync(file, cpuRows(100, 107, (i) => (i >= 105 ? 85 : 40 + (i % 5))));
    await until(async () => (await mine('active=true')).length === 1, 'the major alert');
    appendFileSync(file, cpuRows(107, 112, (i) => (i <= 108 ? 97 : 40 + (i % 5))));
    await until(async () => /"event":"escalated"/.test(stream.out), 'the escalation');
    await until(async () => (await mine('active=true')).length === 2, 'the critical alert');
    const alerts = await mine('active=true');
    const major = alerts.find((a) => a.labels.severity === 'major');
    const critical = alerts.find((a) => a.labels.severity === 'critical');
    assert.ok(major && critical, JSON.stringify(alerts));
    assert.deepEqual({ ...critical.labels, severity: 'major' }, major.labels, 'the same identity labels, fixed at the opening');
    assert.match(critical.annotations.summary, /^escalated from major to critical: /);
    // Ten quiet rows later the incident resolves: both alerts end.
    appendFileSync(file, cpuRows(112, 130));
    await until(async () => /"event":"resolved"/.test(stream.out), 'the stream resolving the incident');
    await until(async () => (await mine('active=true')).length === 0, 'both alerts resolved');
    controller.abort();
    assert.equal(await stream.done, 0, stream.err);
  } finally {
    controller.abort();
    await am.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('send --format alertmanager-api --history, twice on a growing file: the second send repeats the first one\'s labels for the incident, so a real Alertmanager ends that alert', { skip: skipUnless('alertmanager'), timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-am-twice-'));
  const am = await startAlertmanager();
  try {
    const incident: Incident = {
      id: '2025-01-06T05:00:00.000Z/cpu', start: '2025-01-06T05:00:00.000Z', end: '2025-01-06T05:05:00.000Z', startRow: 300, endRow: 305, peakRow: 302,
      score: 70, severity: 'major', detectors: ['forecast'], metrics: [{ metric: 'cpu', share: 1 }], rules: [], summary: 'cpu at 80', count: 6,
    };
    const meta = (rows: number) => ({ tool: 'anomaly-hunter', input: { path: 'cpu.csv', rows } });
    // First analysis: the incident still going on at the last row, major, no rule. Later: it grew, a rule fired, critical, over.
    writeFileSync(join(dir, 'first.json'), JSON.stringify({ meta: meta(306), anomalies: [], incidents: [incident] }));
    writeFileSync(join(dir, 'later.json'), JSON.stringify({ meta: meta(400), anomalies: [], incidents: [{ ...incident, end: '2025-01-06T05:09:00.000Z', endRow: 309, severity: 'critical', score: 95, detectors: ['rule'], rules: ['cpu-hot'], summary: 'cpu at 97' }] }));
    const mine = async () => (await (await fetch(`${am.origin}/api/v2/alerts?active=true`)).json() as GettableAlert[]).filter((x) => x.labels.incident === incident.id);
    const first = await run(['send', 'first.json', '--format', 'alertmanager-api', '--url', am.origin, '--history', 'h.db'], dir);
    assert.equal(first.code, 0, first.err);
    const opened = await mine();
    assert.equal(opened.length, 1);
    assert.equal(opened[0].labels.severity, 'major');
    assert.equal(opened[0].labels.alertname, 'DataIncident');
    const later = await run(['send', 'later.json', '--format', 'alertmanager-api', '--url', am.origin, '--history', 'h.db'], dir);
    assert.equal(later.code, 0, later.err);
    assert.match(later.out, /^delivered 1 incident/);
    assert.deepEqual(await mine(), [], 'the alert the first send opened is resolved');
  } finally {
    await am.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
