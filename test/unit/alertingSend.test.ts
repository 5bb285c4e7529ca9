import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Anomaly } from '../../src/core/anomaly.ts';
import type { FetchLike } from '../../src/core/alerting/deliver.ts';
import { alertKey, fingerprint } from '../../src/core/alerting/fingerprint.ts';
import { alertmanagerPayload, buildMessages, DEFAULT_WEBHOOK_FORMAT, SLACK_LIMITS, webhookFormatFor, zapierRow } from '../../src/core/alerting/payloads.ts';
import { incidentAlertIdentity, planAnomalies, planIncidents, sendAnomalies, sendIncidents } from '../../src/core/alerting/send.ts';
import { deliveryRecords } from '../../src/core/history/deliveries.ts';
import { buildIncidents } from '../../src/core/incidents/incidents.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { incidentAlert, zapierIncidentRow } from '../../src/core/alerting/incidentPayloads.ts';
import { incidentFingerprint } from '../../src/core/alerting/fingerprint.ts';
import { severityOf } from '../../src/core/severity.ts';
import { incidentsOfFindings } from '../../src/core/alerting/incidentsOf.ts';
import type { Incident } from '../../src/core/incidents/incidents.ts';
import { alertStateFrom, emptyAlertState, selectAnomalies } from '../../src/core/alerting/throttle.ts';
import { checkWebhookUrl, maskUrl, scrubUrl } from '../../src/core/alerting/url.ts';
import { makeSendCommand } from '../../src/cli/commands/send.ts';
import { InputError, UsageError } from '../../src/node/errors.ts';
import { startServer } from './alertingServer.ts';

const T0 = Date.parse('2025-03-01T12:00:00Z');
const MIN = 60_000;

function anomaly(over: Partial<Anomaly> = {}): Anomaly {
  return { row: 0, timestamp: new Date(T0).toISOString(), detector: 'rule', rule: 'high-cpu', metric: 'cpu', value: 97, score: 90, severity: 'critical', message: 'CPU 97 > 90', ...over };
}

/** Anomalies of one rule at consecutive minutes. */
function series(n: number, over: (i: number) => Partial<Anomaly> = () => ({})): Anomaly[] {
  return Array.from({ length: n }, (_, i) => anomaly({ row: i, timestamp: new Date(T0 + i * MIN).toISOString(), ...over(i) }));
}

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: '2025-03-01T12:00:00.000Z/cpu', start: new Date(T0).toISOString(), end: new Date(T0 + 5 * MIN).toISOString(), startRow: 0, endRow: 5, peakRow: 2,
    score: 88, severity: 'critical', detectors: ['iforest', 'forecast'], metrics: [{ metric: 'cpu', share: 0.8 }, { metric: 'memory', share: 0.2 }],
    rules: [], summary: 'cpu 97 for 6m, usually 41 ± 6 at this time; memory too; 2 detectors agree', count: 9, ...over,
  };
}

/** An in-memory receiver: answers `status` and records bodies. */
function memoryFetch(status = 200) {
  const bodies: string[] = [];
  const fetch: FetchLike = async (_url, init) => {
    bodies.push(init.body);
    return { status, headers: { get: () => null }, text: async () => '' };
  };
  return { bodies, fetch };
}

const servers: { close(): Promise<void> }[] = [];
after(async () => { await Promise.all(servers.map((s) => s.close())); });

describe('webhook URLs are secrets', () => {
  test('checkWebhookUrl accepts https anywhere and http only on loopback, without repeating the URL', () => {
    const verdicts = ['https://hooks.slack.com/services/T/B/X', 'http://localhost:8080/h', 'http://127.0.0.1/h', 'http://[::1]:9/h',
      'http://hooks.example.com/secret', 'ftp://x/y', 'not a url', '  '].map((u) => {
      const c = checkWebhookUrl(u);
      return c.ok ? 'ok' : c.reason;
    });
    assert.deepEqual(verdicts, ['ok', 'ok', 'ok', 'ok',
      'the webhook URL must use https (plain http is allowed only for localhost), got http to hooks.example.com',
      'the webhook URL must use https, got ftp', 'the webhook URL is not a valid absolute URL', 'no webhook URL configured']);
  });

  test('maskUrl keeps the scheme and host and hides path, query and credentials', () => {
    assert.deepEqual(
      ['https://hooks.slack.com/services/T0/B0/XYZ', 'https://user:pw@example.com/', 'https://example.com', 'https://example.com/?token=abc', 'garbage'].map(maskUrl),
      ['https://hooks.slack.com/***', 'https://example.com/***', 'https://example.com', 'https://example.com/***', '***'],
    );
  });

  test('scrubUrl removes the URL and its path from any text', () => {
    const url = 'https://hooks.zapier.com/hooks/catch/123/abc/';
    assert.equal(scrubUrl(`POST ${url} failed; path /hooks/catch/123/abc/ rejected`, url), 'POST *** failed; path *** rejected');
  });

  test('scrubUrl removes credentials as a server would echo them (decoded), not only as written in the URL', () => {
    const url = 'smtps://alerts%40example.com:s3cret%3Ap%40ss@mail.example.com:465';
    const echoed = scrubUrl('535 login alerts@example.com with s3cret:p@ss refused; raw alerts%40example.com', url);
    assert.ok(!echoed.includes('alerts@example.com') && !echoed.includes('s3cret:p@ss') && !echoed.includes('alerts%40example.com'), echoed);
  });
});

describe('fingerprints, dedup and throttle', () => {
  test('the fingerprint is the rule or detector, the metric and the time bucket', () => {
    const a = anomaly();
    assert.equal(alertKey(a), 'rule:high-cpu|cpu');
    assert.equal(alertKey(anomaly({ detector: 'iforest', rule: undefined, metric: null })), 'iforest|*');
    assert.match(fingerprint(a, 5 * MIN), /^[0-9a-f]{16}$/);
    const at = (ms: number, o: Partial<Anomaly> = {}) => fingerprint(anomaly({ timestamp: new Date(T0 + ms).toISOString(), ...o }), 5 * MIN);
    assert.equal(at(MIN), at(4 * MIN));
    assert.notEqual(at(MIN), at(5 * MIN));
    assert.notEqual(at(MIN), at(MIN, { metric: 'memory' }));
    assert.notEqual(at(MIN), at(MIN, { rule: 'low-cpu' }));
    assert.notEqual(at(MIN), at(MIN, { detector: 'iforest', rule: undefined }));
    // Without timestamps, rows are not bucketed: rows 1 and 2 are different anomalies.
    const rowOnly = (row: number) => fingerprint(anomaly({ timestamp: null, row }), 5 * MIN);
    assert.notEqual(rowOnly(1), rowOnly(2));
    assert.equal(rowOnly(1), rowOnly(1));
    // Same severity or value does not matter: it is the same anomaly.
    assert.equal(at(MIN), at(MIN, { severity: 'minor', value: 3 }));
  });

  test('one batch keeps one anomaly per fingerprint, the most severe, and filters by min severity', () => {
    const batch = [
      anomaly({ row: 1, severity: 'major', score: 60 }),
      anomaly({ row: 2, severity: 'critical', score: 80, timestamp: new Date(T0 + MIN).toISOString() }),
      anomaly({ row: 3, detector: 'iforest', rule: undefined, metric: null, severity: 'warning', score: 10 }),
    ];
    const sel = selectAnomalies(batch, { now: T0, throttleMs: 5 * MIN, minSeverity: 'minor' });
    assert.deepEqual(sel.send.map((s) => s.anomaly.row), [2]);
    assert.deepEqual(sel.skipped, { 'below-min-severity': 1, duplicate: 1, throttled: 0 });
  });

  test('over a simulated clock: a fingerprint is sent once and a rule at most once per throttle window', async () => {
    const { bodies, fetch } = memoryFetch();
    let clock = T0;
    let state = emptyAlertState();
    const send = async (batch: Anomaly[]) => {
      const out = await sendAnomalies(batch, { format: 'zapier', url: 'https://hooks.example.com/x', fetch, now: () => clock, state, throttleMs: 5 * MIN });
      // Persisted and reloaded between sends, as the extension does.
      state = alertStateFrom(JSON.parse(JSON.stringify(out.state)));
      return [out.delivered, out.skipped.duplicate, out.skipped.throttled];
    };
    const first = series(1)[0];
    assert.deepEqual(await send([first]), [1, 0, 0]);
    clock += MIN;
    assert.deepEqual(await send([first]), [0, 1, 0], 'the same anomaly again');
    const later = anomaly({ row: 7, timestamp: new Date(T0 + 7 * MIN).toISOString() });
    assert.deepEqual(await send([later]), [0, 0, 1], 'a new bucket inside the throttle window');
    const other = anomaly({ row: 7, metric: 'memory', timestamp: later.timestamp });
    assert.deepEqual(await send([other]), [1, 0, 0], 'another metric is another alert');
    clock = T0 + 5 * MIN;
    assert.deepEqual(await send([first, later]), [1, 1, 0], 'after the window: the new one goes, the old one stays deduplicated');
    assert.equal(bodies.length, 3);
  });

  test('alertStateFrom drops malformed entries instead of throwing', () => {
    assert.deepEqual(alertStateFrom({ sent: { a: 1, b: 'x', c: null }, lastSent: [1], extra: 1 }), { sent: { a: 1 }, lastSent: {} });
    assert.deepEqual(alertStateFrom('nope'), emptyAlertState());
  });
});

describe('payloads', () => {
  test('zapier rows are flat, blank where there is no value, and never run as a Sheets formula', () => {
    assert.deepEqual(zapierRow({ anomaly: anomaly({ message: '=HYPERLINK("http://evil")', value: -3.5, metric: null, detector: 'iforest', rule: undefined }), fingerprint: 'f' }), {
      source: 'anomaly-hunter', fingerprint: 'f', timestamp: '2025-03-01T12:00:00.000Z', row: 0, severity: 'critical', score: 90,
      detector: 'iforest', rule: '', metric: '', value: -3.5, message: '\'=HYPERLINK("http://evil")',
    });
  });

  test('an alertmanager payload is version 4 with labels, annotations, times and fingerprints', () => {
    const items = [
      { anomaly: anomaly(), fingerprint: 'aaaa' },
      { anomaly: anomaly({ detector: 'iforest', rule: undefined, metric: null, value: null, timestamp: null, row: 4, score: 55, severity: 'major', message: 'isolated' }), fingerprint: 'bbbb' },
    ];
    assert.deepEqual(alertmanagerPayload(items, { now: T0 }), {
      version: '4', groupKey: '{}:{source="anomaly-hunter"}', truncatedAlerts: 0, status: 'firing', receiver: 'anomaly-hunter',
      groupLabels: { source: 'anomaly-hunter' }, commonLabels: { source: 'anomaly-hunter' }, commonAnnotations: {}, externalURL: '',
      alerts: [
        { status: 'firing', labels: { alertname: 'high-cpu', detector: 'rule', severity: 'critical', source: 'anomaly-hunter', metric: 'cpu' },
          annotations: { summary: 'CPU 97 > 90', score: '90', row: '0', value: '97' },
          startsAt: '2025-03-01T12:00:00.000Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'aaaa' },
        { status: 'firing', labels: { alertname: 'IsolationForestAnomaly', detector: 'iforest', severity: 'major', source: 'anomaly-hunter' },
          annotations: { summary: 'isolated', score: '55', row: '4' },
          startsAt: '2025-03-01T12:00:00.000Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'bbbb' },
      ],
    });
  });

  test('slack messages stay within 50 blocks and the text limits, and escape mrkdwn', () => {
    const items = series(100, (i) => ({ message: i === 0 ? `<!channel> ${'x'.repeat(5000)}` : `m${i} & <b>` })).map((a, i) => ({ anomaly: a, fingerprint: `f${i}` }));
    const msgs = buildMessages('slack', items, { now: T0 });
    const parsed = msgs.map((m) => JSON.parse(m.body) as { text: string; blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[] });
    assert.deepEqual(parsed.map((p) => p.blocks.length), [50, 50, 6]);
    assert.deepEqual(msgs.map((m) => m.fingerprints.length), [48, 48, 4]);
    assert.equal(parsed[0].text, 'Anomaly Hunter: 48 anomalies: 48 critical (part 1 of 3)');
    const first = parsed[0].blocks[1];
    assert.equal(first.text!.text.length, SLACK_LIMITS.sectionText);
    assert.ok(first.text!.text.includes('&lt;!channel&gt;') && !first.text!.text.includes('<!channel>'));
    assert.equal(parsed[0].blocks[2].text!.text, ':red_circle: *critical* · rule high-cpu\nm1 &amp; &lt;b&gt;');
    for (const p of parsed) {
      for (const b of p.blocks) for (const f of b.fields ?? []) assert.ok(f.text.length <= SLACK_LIMITS.fieldText);
    }
  });

  test('long slack messages are split by total block text, not only by block count', () => {
    const items = series(40, () => ({ message: 'y'.repeat(1500) })).map((a, i) => ({ anomaly: a, fingerprint: `f${i}` }));
    const msgs = buildMessages('slack', items, { now: T0 });
    assert.ok(msgs.length > 1);
    assert.equal(msgs.reduce((n, m) => n + m.fingerprints.length, 0), 40);
    for (const m of msgs) {
      const blocks = (JSON.parse(m.body) as { blocks: unknown[] }).blocks;
      assert.ok(JSON.stringify(blocks).length < 15_000);
    }
  });
});

describe('sendAnomalies against a real local HTTP server', () => {
  test('100 anomalies go to slack in 3 messages, and sending them again sends nothing', async () => {
    const s = await startServer((res) => res.end('ok'));
    servers.push(s);
    const url = `${s.origin}/services/T0/B0/SECRET`;
    const out = await sendAnomalies(series(100), { format: 'slack', url, fetch: globalThis.fetch as unknown as FetchLike, now: () => T0 });
    // The fingerprints of each message sent: 100 distinct, split over the 3 messages in order (the history records them).
    assert.deepEqual(out.plannedFingerprints.map((f) => f.length).reduce((x, y) => x + y, 0), 100);
    assert.equal(new Set(out.plannedFingerprints.flat()).size, 100);
    assert.equal(out.plannedFingerprints.length, 3);
    assert.deepEqual({ ...out, state: undefined, plannedFingerprints: undefined }, {
      ok: true, delivered: 100, messages: { delivered: 3, planned: 3 }, attempts: 3, state: undefined, plannedFingerprints: undefined, plannedAt: T0,
      skipped: { 'below-min-severity': 0, duplicate: 0, throttled: 0, 'over-limit': 0 },
      summary: `delivered 100 anomalies in 3 messages to ${s.origin}/***`,
    });
    assert.equal(s.requests.length, 3);
    const again = await sendAnomalies(series(100), { format: 'slack', url, fetch: globalThis.fetch as unknown as FetchLike, now: () => T0 + MIN, state: out.state });
    assert.deepEqual([again.ok, again.delivered, again.skipped.duplicate, again.summary], [true, 0, 100, 'nothing to send: skipped 100 already sent']);
    assert.equal(s.requests.length, 3);
  });

  test('a failure stops the send, records only what was delivered and never shows the URL', async () => {
    const s = await startServer((res, n) => {
      res.statusCode = n === 0 ? 200 : 400;
      res.end(n === 0 ? 'ok' : 'invalid_blocks');
    });
    servers.push(s);
    const url = `${s.origin}/services/T0/B0/SECRET`;
    const out = await sendAnomalies(series(100), { format: 'slack', url, fetch: globalThis.fetch as unknown as FetchLike, now: () => T0 });
    assert.equal(out.ok, false);
    assert.equal(out.delivered, 48);
    assert.equal(Object.keys(out.state.sent).length, 48);
    assert.equal(out.reason, 'HTTP 400 Bad Request: invalid_blocks');
    assert.equal(out.summary, `not delivered to ${s.origin}/***: HTTP 400 Bad Request: invalid_blocks (48 anomalies in 1 of 3 messages went out before the failure)`);
    assert.equal(s.requests.length, 2);
  });

  test('nothing is sent from an untrusted workspace or to a plain-http remote URL', async () => {
    const { bodies, fetch } = memoryFetch();
    const untrusted = await sendAnomalies(series(2), { format: 'zapier', url: 'https://hooks.example.com/x', fetch, trusted: false });
    const insecure = await sendAnomalies(series(2), { format: 'zapier', url: 'http://hooks.example.com/secret', fetch });
    assert.deepEqual([untrusted.ok, untrusted.reason], [false, 'this workspace is not trusted, and webhooks are never sent from an untrusted workspace']);
    assert.deepEqual([insecure.ok, insecure.summary], [false, 'not sent: the webhook URL must use https (plain http is allowed only for localhost), got http to hooks.example.com']);
    assert.equal(bodies.length, 0);
    // A refused send still says what it would have sent: its history records those alerts as failed, not throttled.
    assert.deepEqual(insecure.plannedFingerprints, [[fingerprint(series(2)[0])], [fingerprint(series(2)[1])]]);
  });

  test('zapier gets one request per anomaly, capped by maxMessages', () => {
    const plan = planAnomalies(series(5), { format: 'zapier', now: T0, maxMessages: 3 });
    assert.deepEqual([plan.messages.length, plan.count, plan.skipped['over-limit']], [3, 3, 2]);
    assert.deepEqual(JSON.parse(plan.messages[1].body).row, 1);
  });
});

describe('incidents: one alert per incident, never one per row', () => {
  test('a zapier row and an alertmanager alert describe the whole incident, with formulas neutralised', () => {
    const it = { incident: incident({ summary: '=cmd|calc', rules: ['cpu-high'] }), fingerprint: 'ffff' };
    assert.deepEqual(zapierIncidentRow(it), {
      source: 'anomaly-hunter', fingerprint: 'ffff', id: '2025-03-01T12:00:00.000Z/cpu', start: '2025-03-01T12:00:00.000Z', end: '2025-03-01T12:05:00.000Z',
      startRow: 0, endRow: 5, severity: 'critical', score: 88, detectors: 'iforest, forecast', metrics: 'cpu, memory', rules: 'cpu-high', findings: 9, summary: '\'=cmd|calc',
    });
    assert.deepEqual(incidentAlert(it, T0), {
      status: 'firing', labels: { alertname: 'DataIncident', severity: 'critical', source: 'anomaly-hunter', metric: 'cpu' },
      annotations: { summary: '=cmd|calc', score: '88', rows: '0-5', detectors: 'iforest,forecast', metrics: 'cpu,memory', findings: '9' },
      startsAt: '2025-03-01T12:00:00.000Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'ffff',
    });
    const ruleOnly = incidentAlert({ incident: incident({ detectors: ['rule'], rules: ['cpu-high'], start: null, end: null, endRow: 0 }), fingerprint: 'r' }, T0);
    assert.deepEqual([ruleOnly.labels.alertname, ruleOnly.annotations.rows, ruleOnly.startsAt], ['cpu-high', '0', '2025-03-01T12:00:00.000Z']);
  });

  test('a slack message has one section per incident and escapes mrkdwn', () => {
    const plan = planIncidents([incident(), incident({ id: 'b', severity: 'major', score: 60, summary: '<!channel> & co' })], { format: 'slack', now: T0 });
    assert.equal(plan.messages.length, 1);
    const body = JSON.parse(plan.messages[0].body) as { text: string; blocks: { type: string; text?: { text: string } }[] };
    assert.equal(body.text, 'Anomaly Hunter: 2 incidents: 1 critical, 1 major');
    assert.deepEqual(body.blocks.map((b) => b.type), ['header', 'section', 'section', 'context']);
    assert.equal(body.blocks[2].text!.text, ':large_orange_circle: *major* · iforest, forecast\n&lt;!channel&gt; &amp; co');
  });

  test('an incident is sent once (dedup by its id), and one per leading metric per throttle window', async () => {
    const { bodies, fetch } = memoryFetch();
    let clock = T0;
    let state = emptyAlertState();
    const send = async (batch: Incident[]) => {
      const out = await sendIncidents(batch, { format: 'zapier', url: 'https://hooks.example.com/x', fetch, now: () => clock, state, throttleMs: 5 * MIN });
      state = alertStateFrom(JSON.parse(JSON.stringify(out.state)));
      return [out.delivered, out.skipped.duplicate, out.skipped.throttled, out.skipped['below-min-severity']];
    };
    const first = incident();
    assert.deepEqual(await send([first, incident({ id: 'w', severity: 'warning', score: 10 })]), [2, 0, 0, 0]);
    clock += MIN;
    // The same incident grown by a later run keeps its id: not sent again.
    assert.deepEqual(await send([{ ...first, endRow: 9, count: 20 }]), [0, 1, 0, 0]);
    assert.deepEqual(await send([incident({ id: 'later', startRow: 50, endRow: 51 })]), [0, 0, 1, 0], 'same leading metric inside the window');
    assert.deepEqual(await send([incident({ id: 'mem', metrics: [{ metric: 'memory', share: 1 }] })]), [1, 0, 0, 0], 'another metric');
    assert.equal(bodies.length, 3, 'zapier: one request per incident');
    assert.notEqual(incidentFingerprint(first), incidentFingerprint(incident({ id: 'other' })));
    const strict = planIncidents([first, incident({ id: 'w', severity: 'warning', score: 10 })], { format: 'zapier', now: T0, minSeverity: 'major' });
    assert.deepEqual([strict.count, strict.skipped['below-min-severity']], [1, 1]);
  });

  test('findings without incidents are merged the way analyze merges them', () => {
    const merged = incidentsOfFindings([...series(3), anomaly({ row: 40, timestamp: new Date(T0 + 40 * MIN).toISOString(), metric: 'memory', rule: 'mem-high' })]);
    assert.deepEqual(merged.map((i) => [i.startRow, i.endRow, i.count, i.severity, i.metrics.map((m) => m.metric).join()]), [[0, 2, 3, 'critical', 'cpu'], [40, 40, 1, 'critical', 'memory']]);
    assert.match(merged[0].summary, /^cpu 97 for 2m; rule high-cpu; rules only$/);
    assert.deepEqual(incidentsOfFindings([]), []);
  });

  test('findings without incidents: a lone finding is at most minor, and warnings neither make nor extend an incident', () => {
    const at = (row: number, score: number, over: Partial<Anomaly> = {}) => anomaly({ row, timestamp: new Date(T0 + row * MIN).toISOString(), detector: 'forecast', rule: undefined, score, severity: severityOf(score)!, ...over });
    const merged = incidentsOfFindings([at(0, 60), at(1, 10), at(40, 60), at(41, 30), at(80, 80), at(120, 60, { detector: 'rule', rule: 'high-cpu' })]);
    assert.deepEqual(merged.map((i) => [i.startRow, i.endRow, i.count, i.score, i.severity]), [
      [0, 0, 1, 49.9, 'minor'], // one major finding and a warning: lone, as analyze would show it
      [40, 41, 2, 60, 'major'],
      [80, 80, 1, 80, 'critical'],
      [120, 120, 1, 60, 'major'],
    ]);
  });
});

describe('anomaly-hunter send', () => {
  const anomalies = series(3, (i) => ({ severity: i === 2 ? 'warning' : 'critical', score: i === 2 ? 10 : 90 }));
  const results = JSON.stringify({ meta: { tool: 'anomaly-hunter' }, rows: 3, anomalies, incidents: [
    { ...incident({ endRow: 1, count: 2 }), findings: 2, count: undefined },
    { ...incident({ id: 'w', startRow: 2, endRow: 2, severity: 'warning', score: 10 }), findings: 1, count: undefined },
  ] }, null, 2);
  async function run(argv: string[], env: Record<string, string> = {}, fetch?: FetchLike) {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'ah-send-'));
    await writeFile(join(dir, 'results.json'), results);
    await writeFile(join(dir, 'old.json'), JSON.stringify({ anomalies }));
    await writeFile(join(dir, 'bad.json'), '{\n  "anomalies": [\n    {"row": -1}\n  ]\n}\n');
    let stdout = '';
    let stderr = '';
    const cmd = fetch ? makeSendCommand(fetch) : makeSendCommand();
    try {
      const code = await cmd.run({ argv, env, cwd: dir, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
      return { code, stdout, stderr };
    } catch (e) {
      return { code: e instanceof UsageError ? 2 : e instanceof InputError ? 1 : -1, stdout, stderr, error: e as Error };
    }
  }

  test('--dry-run prints the exact payloads and sends nothing', async () => {
    const { bodies, fetch } = memoryFetch();
    const r = await run(['results.json', '--dry-run', '--format', 'alertmanager', '--min-severity', 'major'], { ANOMALY_HUNTER_WEBHOOK_URL: 'https://hooks.example.com/secret' }, fetch);
    assert.equal(r.code, 0);
    const printed = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(printed.length, 1);
    assert.deepEqual(printed[0].alerts.map((a: { annotations: { rows: string; findings: string } }) => [a.annotations.rows, a.annotations.findings]), [['0-1', '2']]);
    assert.equal(r.stderr, 'dry run: 1 of 2 incidents in 1 alertmanager message(s); skipped 1 below min severity; nothing sent to https://hooks.example.com/***\n');
    assert.equal(bodies.length, 0);
  });

  test('without --format: slack for a hooks.slack.com URL, else zapier (the setting\'s auto); --format wins; the URL stays masked', async () => {
    const slackUrl = 'https://hooks.slack.com/services/T000/B000/secretpart';
    const slack = await run(['results.json', '--dry-run'], { ANOMALY_HUNTER_WEBHOOK_URL: slackUrl });
    assert.equal(slack.code, 0, slack.stderr);
    assert.match(slack.stderr, / slack message\(s\); nothing sent to https:\/\/hooks\.slack\.com\/\*\*\*\n$/);
    assert.ok(!(slack.stdout + slack.stderr).includes('secretpart'));
    assert.ok(JSON.parse(slack.stdout.trim().split('\n')[0]).blocks, 'a Slack message');
    const other = await run(['results.json', '--dry-run', '--url', 'https://hooks.slack.com.example.org/x']);
    assert.match(other.stderr, / zapier message\(s\)/);
    const none = await run(['results.json', '--dry-run']);
    assert.match(none.stderr, / zapier message\(s\); nothing sent\n$/);
    const asked = await run(['results.json', '--dry-run', '--format', 'zapier'], { ANOMALY_HUNTER_WEBHOOK_URL: slackUrl });
    assert.match(asked.stderr, / zapier message\(s\)/);
    assert.equal(webhookFormatFor(' HTTPS://Hooks.Slack.com/services/x '), 'slack');
    assert.equal(webhookFormatFor('not a url'), DEFAULT_WEBHOOK_FORMAT);
    // Slack's payload where a service takes it at a URL of its own; Zapier's catch hooks and other receivers the default.
    assert.equal(webhookFormatFor('https://discord.com/api/webhooks/123/abc/slack'), 'slack');
    assert.equal(webhookFormatFor('https://chat.example.org/hooks/xjd8a7fbqpg3tm5ek9wonr1hbw'), 'slack');
    assert.equal(webhookFormatFor('https://rocket.example.org/hooks/6vWEuJqKYAh/ZbCtb3Xs'), 'slack');
    assert.equal(webhookFormatFor('https://hooks.zapier.com/hooks/catch/123/abc/'), 'zapier');
    assert.equal(webhookFormatFor('https://example.org/receiver'), DEFAULT_WEBHOOK_FORMAT);
  });

  test('a results file without incidents has its anomalies merged into incidents: one row per incident', async () => {
    const r = await run(['old.json', '--dry-run', '--format', 'zapier']);
    assert.equal(r.code, 0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { startRow: number; endRow: number; findings: number; severity: string });
    // Merged as analyze merges: the warning at row 2 is the rule's (its declared severity), so it extends the incident
    // (a statistic's warning would not: the test of incidentsOfFindings above).
    assert.deepEqual(rows.map((x) => [x.startRow, x.endRow, x.findings, x.severity]), [[0, 2, 3, 'critical']]);
    assert.equal(r.stderr, 'dry run: 1 of 1 incidents in 1 zapier message(s); nothing sent\n');
  });

  test('a results file without incidents sends the default view (major and up) unless asked for more', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'ah-send-'));
    // Two minor findings (an incident scored 40) and, 40 rows later, two critical ones.
    const mixed = series(42, (i) => ({ severity: i < 2 ? 'minor' : 'critical', score: i < 2 ? 40 : 90 })).filter((a) => a.row < 2 || a.row >= 40);
    await writeFile(join(dir, 'mixed.json'), JSON.stringify({ anomalies: mixed }));
    const send = async (argv: string[]) => {
      let stdout = '';
      const code = await makeSendCommand().run({ argv, env: {}, cwd: dir, stdout: (t) => { stdout += t; }, stderr: () => undefined });
      return { code, rows: stdout.trim().split('\n').map((l) => JSON.parse(l) as { startRow: number; severity: string }).map((x) => [x.startRow, x.severity]) };
    };
    assert.deepEqual(await send(['mixed.json', '--dry-run']), { code: 0, rows: [[40, 'critical']] });
    assert.deepEqual(await send(['mixed.json', '--dry-run', '--min-severity', 'minor']), { code: 0, rows: [[0, 'minor'], [40, 'critical']] });
  });

  test('delivers to the URL from the environment and exits 0', async () => {
    const s = await startServer((res) => res.end('ok'));
    servers.push(s);
    const r = await run(['results.json', '--format', 'slack'], { ANOMALY_HUNTER_WEBHOOK_URL: `${s.origin}/hook/SECRET` });
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `delivered 2 incidents in 1 message to ${s.origin}/***\n`, '']);
    assert.equal(s.requests[0].url, '/hook/SECRET');
  });

  test('exits 1 when the webhook refuses, without printing the URL', async () => {
    const s = await startServer((res) => {
      res.statusCode = 403;
      res.end('action_prohibited');
    });
    servers.push(s);
    const r = await run(['results.json', '--url', `${s.origin}/hook/SECRET`]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `anomaly-hunter send: error: not delivered to ${s.origin}/***: HTTP 403 Forbidden: action_prohibited\n`);
    assert.ok(!(r.stdout + r.stderr).includes('SECRET'));
  });

  test('usage errors: no URL, an http URL, a missing file, a bad format', async () => {
    const msgs = await Promise.all([
      run(['results.json']),
      run(['results.json', '--url', 'http://hooks.example.com/SECRET']),
      run(['missing.json', '--dry-run']),
      run(['results.json', '--dry-run', '--format', 'teams']),
    ]);
    assert.deepEqual(msgs.map((m) => [m.code, m.error?.message]), [
      [2, 'no webhook URL: set ANOMALY_HUNTER_WEBHOOK_URL or pass --url'],
      [2, 'the webhook URL must use https (plain http is allowed only for localhost), got http to hooks.example.com'],
      [2, 'missing.json: no such file'],
      [2, "--format must be one of zapier, slack, alertmanager, alertmanager-api, email, got 'teams'"],
    ]);
  });

  test('an invalid results file is an input error at the offending value', async () => {
    const r = await run(['bad.json', '--dry-run']);
    assert.equal(r.code, 1);
    const e = r.error as InputError;
    assert.deepEqual([e.message, e.path, e.line, e.column], ['anomalies[0].row: expected a 0-based row number, got -1', 'bad.json', 3, 13]);
  });
});

describe('delivery records follow the identity the send used', () => {
  test("an incident that is over, sent to Alertmanager's API, is recorded as sent (its own fingerprint)", async () => {
    const n = 100;
    const ts = Array.from({ length: n }, (_, i) => T0 + i * MIN);
    const frame = frameOf({ cpu: Array.from({ length: n }, (_, i) => (i === 20 ? 99 : 10)) }, ts);
    const spike: Anomaly = { row: 20, timestamp: new Date(ts[20]).toISOString(), metric: 'cpu', value: 99, score: 95, severity: 'critical', detector: 'iforest', message: 'spike' };
    const incidents = buildIncidents([spike], frame);
    const source = { input: 'x.csv', rows: n };
    const { fetch } = memoryFetch();
    const sent = await sendIncidents(incidents, { format: 'alertmanager-api', source, url: 'http://127.0.0.1:9093', fetch, now: () => T0 + n * MIN });
    assert.equal(sent.delivered, 1);
    const facts = { state: emptyAlertState(), now: T0 + n * MIN, planned: sent.plannedFingerprints, delivered: sent.messages.delivered, channel: 'alertmanager-api', destination: 'x', destinationKey: 'k', source: null };
    const recorded = deliveryRecords(incidents, { ...facts, identity: incidentAlertIdentity('alertmanager-api', source) });
    assert.deepEqual(recorded.map((r) => r.outcome), ['sent']);
    // Selected with the plain identity, the same send reads as one that never went out.
    assert.notDeepEqual(deliveryRecords(incidents, facts).map((r) => r.outcome), ['sent']);
  });
});

describe('delivery records follow the clock the send selected at', () => {
  test('a throttle window that ends during the send does not change what is recorded', async () => {
    const { fetch } = memoryFetch();
    const url = 'https://hooks.example.com/x';
    const first = await sendIncidents([incident()], { format: 'zapier', url, fetch, now: () => T0, throttleMs: 5 * MIN });
    const state = alertStateFrom(JSON.parse(JSON.stringify(first.state)));
    const later = [incident({ id: 'later', startRow: 50, endRow: 51 })];
    // The selection reads the clock one millisecond inside the window; every later reading is past it.
    let reads = 0;
    const now = () => (reads++ === 0 ? T0 + 5 * MIN - 1 : T0 + 5 * MIN + 1);
    const sent = await sendIncidents(later, { format: 'zapier', url, fetch, now, state, throttleMs: 5 * MIN });
    assert.deepEqual([sent.delivered, sent.skipped.throttled, sent.plannedAt], [0, 1, T0 + 5 * MIN - 1]);
    const facts = { throttleMs: 5 * MIN, state, planned: sent.plannedFingerprints, delivered: sent.messages.delivered, channel: 'zapier', destination: 'x', destinationKey: 'k', source: null };
    const recorded = deliveryRecords(later, { ...facts, now: sent.plannedAt });
    assert.deepEqual(recorded.map((r) => [r.outcome, r.reason]), [['throttled', 'throttled']]);
    // Against a clock read after the send, the same send would be recorded as a message that was never planned.
    assert.notDeepEqual(deliveryRecords(later, { ...facts, now: now() }).map((r) => r.reason), ['throttled']);
  });
});
