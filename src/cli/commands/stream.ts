import { resolve } from 'node:path';
import type { Command, CommandContext } from '../command.ts';
import { choiceOption, numberOption, parseCommandArgs } from '../command.ts';
import { InputError, UsageError } from '../../node/errors.ts';
import { tailFile } from '../../node/tailFile.ts';
import { StreamPipeline } from '../../node/streamPipeline.ts';
import type { Layout, ScoredRow } from '../../node/streamPipeline.ts';
import { loadRulesFile } from '../rulesFile.ts';
import { PROMETHEUS_HELP, PROMETHEUS_OPTIONS, prometheusArgs, prometheusIdentity } from '../prometheusSource.ts';
import { streamPrometheus } from '../prometheusStream.ts';
import { serverLabel } from '../../node/prometheusHttp.ts';
import { WEBHOOK_URL_ENV } from './send.ts';
import { isoOf } from '../../core/anomaly.ts';
import type { FetchLike } from '../../core/alerting/deliver.ts';
import { WEBHOOK_FORMATS, webhookFormatFor } from '../../core/alerting/payloads.ts';
import type { WebhookFormat } from '../../core/alerting/payloads.ts';
import { checkWebhookUrl, maskUrl } from '../../core/alerting/url.ts';
import { checkAlertmanagerUrl } from '../../core/alerting/alertmanagerApi.ts';
import { webhookDestinationKey } from '../../core/alerting/destination.ts';
import { deliveryRecords } from '../../core/history/deliveries.ts';
import type { DeliveryRecord } from '../../core/history/record.ts';
import { parseDuration } from '../../core/rules/duration.ts';
import type { RulesFile } from '../../core/rules/model.ts';
import { formatDiagnostics } from '../../core/rules/diagnostics.ts';
import { createAlerter } from '../../core/streaming/alerter.ts';
import { nabScore } from '../../core/streaming/nab.ts';
import { createIncidentTracker, valuesByMetric } from '../../core/streaming/incidentTracker.ts';
import type { IncidentEvent } from '../../core/streaming/incidentTracker.ts';
import { DEFAULT_MIN_SEVERITY } from '../../core/incidents/view.ts';
import { SEVERITIES, severityRank } from '../../core/severity.ts';
import type { Severity } from '../../core/severity.ts';
import type { Alerter } from '../../core/streaming/alerter.ts';
import { csvField } from '../../core/export/csv.ts';
import { setOwn } from '../../core/own.ts';
import { VERSION } from '../../core/version.ts';
import { StreamHistory } from '../../node/streamHistory.ts';
import { useHistory } from '../historyFile.ts';
import { DEFAULT_RETRAIN_EVERY, parseRetrainEvery } from '../../core/streaming/retraining.ts';

const usage = `Usage: anomaly-hunter stream <csv> [--metrics a,b] [--follow] [--rules FILE] [--webhook]
                             [--min-severity S] [--format nab|jsonl] [--seed N]
                             [--baseline [--retrain-every D|off]]
       anomaly-hunter stream --prometheus URL --query [NAME=]PROMQL … [--start T] [--end T] [--step D] [options]

Scores each row as it is read, using only the rows before it: the score of a row never changes
when more rows are appended (SPEC §3). Memory stays flat however long the stream. A row is scored
by its novelty against the recent past (the "score" and "anomaly_score"); with --baseline, also
by its distance from a baseline fitted on a sliding window and refitted as --retrain-every says,
and its "anomaly" is the stronger of the two.
Warm-up: no row is scored (every score is 0) before about 12h30m of data, and at least 31 rows, are
in; when the input ends inside it, stderr says so (analyze suits data that short).

Options:
  --metrics a,b    metrics to score (default: every numeric column)
  --follow         keep reading what is appended, like 'tail -f' (Ctrl-C stops); a file that is
                   truncated or replaced (log rotation) is read again from its top; one
                   deleted is waited for (stderr says so) and read from its top when it is back
  --format F       jsonl (default): one JSON object per row, with its anomalies (detector
                   "stream", and "rule" with --rules) as in analyze's JSON, and "incidents" on
                   the rows where an incident opens, escalates or is resolved; with --baseline,
                   "model" says which baseline model scored the row ({"version", "trainedAt",
                   "reason"}; version 0 before the first fit) and "retrain" is on the first row
                   a new model scores
                   nab: timestamp,value,anomaly_score (one metric; the timestamp as in the input; 0 unless the row is the most surprising of the last 12 hours)
  --rules FILE     evaluate a rules.yaml on every row as it arrives (for / keep_firing_for in CSV
                   time, as analyze --rules)
  --min-severity S incidents are reported from critical|major|minor|warning on (default major):
                   findings from minor up that are at most 10 rows apart make one incident, as
                   in analyze; it is reported when it reaches S, and again when it escalates
  --webhook        with --follow: send the incidents that open in the rows appended after the start to the
                   webhook in $${WEBHOOK_URL_ENV}, through the throttle of the rules file's
                   alerts.webhook (format, min_severity, throttle; default zapier, or slack for
                   hooks.slack.com and Slack-compatible URLs; warning; 5m):
                   an incident is sent when it is at or above both --min-severity and min_severity.
                   With format alertmanager-api, an incident that was sent is sent again with
                   its end (endsAt) when it resolves, and Alertmanager resolves the alert.
                   The rows already in the file are scored but never sent (for those, use
                   analyze --format json, then send). Nothing is sent without this flag.
  --history FILE   record the incidents as they open, escalate and resolve in a history database
                   (see 'anomaly-hunter history'); with --webhook also each alert's outcome
                   (sent, throttled, deduplicated, failed), as send --history
  --baseline       also score each row against a fitted baseline of each metric: its median
                   (per hour of the day when that predicts other days better) and robust spread,
                   fitted on the last two days of rows, first after two days of data
  --retrain-every D
                   with --baseline: refit it every D of stream time (default ${DEFAULT_RETRAIN_EVERY}; 6h, 1d…),
                   and when a metric drifts from it (a Page-Hinkley test) on the rows since the
                   drift began, once two hours of them are in; off: fit once and keep that fit
                   (a level that moves for good is then reported for ever)
  --seed N         seed (the detector is deterministic; kept for symmetry with analyze)
  -h, --help       show this help

With --prometheus, the range (default: the last 7 days) is scored first, then the new points are fetched
and scored every step until Ctrl-C (--follow is implied; with --end the range is fixed and the stream ends).
--webhook then sends the incidents that open in the points fetched after the first range.
${PROMETHEUS_HELP.replace(/^Prometheus source \(instead of <csv>; SPEC §8\):\n/, '')}
Exit codes: 0 success, 1 invalid input (e.g. a stray quote: file:line:col) or a webhook send failed,
2 usage error (unknown option, missing file, not a regular file).
`;

/** The default throttle of streaming alerts: one message per rule/detector and metric per 5 minutes. */
const DEFAULT_THROTTLE_MS = 5 * 60_000;

/** Test hooks: a signal that ends `--follow`, a faster poll, and the webhook's fetch. */
export interface StreamRunOptions {
  signal?: AbortSignal;
  pollMs?: number;
  rotationGraceMs?: number;
  fetch?: FetchLike;
  /** Aborted (a second Ctrl-C): stop waiting for the webhook deliveries under way, say what was dropped. */
  drop?: AbortSignal;
}

/** `stream <csv>`: causal, row-by-row scoring of a (growing) CSV; see `usage`. */
export const streamCommand: Command = {
  usage,
  async run(ctx) {
    const controller = new AbortController();
    const drop = new AbortController();
    // The first signal stops the stream (it waits for the webhook deliveries under way); the second drops them; a
    // third (something else hangs: a history write, the input) ends the process at once, as Ctrl-C does by default.
    const stop = (): void => {
      if (drop.signal.aborted) process.exit(130);
      if (controller.signal.aborted) drop.abort(); else controller.abort();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      const code = await runStream(ctx, { signal: controller.signal, drop: drop.signal });
      // A dropped delivery may still hold a socket open for its timeout: the process ends now.
      if (drop.signal.aborted) process.exit(code);
      return code;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};

/** The body of `stream`, with hooks for tests (stop a follow with a signal). Resolves to the exit code. */
export async function runStream(ctx: CommandContext, hooks: StreamRunOptions = {}): Promise<number> {
  const { values, positionals } = parseCommandArgs(ctx.argv, {
    metrics: { type: 'string' },
    follow: { type: 'boolean' },
    rules: { type: 'string' },
    webhook: { type: 'boolean' },
    format: { type: 'string' },
    seed: { type: 'string' },
    'min-severity': { type: 'string' },
    ...PROMETHEUS_OPTIONS,
    history: { type: 'string' },
    baseline: { type: 'boolean' },
    'retrain-every': { type: 'string' },
  });
  if (values.help) { ctx.stdout(usage); return 0; }
  const prom = prometheusArgs(values, ctx.env);
  if (prom && positionals.length) throw new UsageError('give either a CSV file or --prometheus, not both');
  // A Prometheus source polls every step unless its end is fixed: as --follow for a file.
  if (prom && values.end === undefined) values.follow = true;
  else if (prom && values.follow) throw new UsageError('--end fixes the range: nothing comes after it to follow (drop --follow or --end)');
  if (!prom && positionals.length !== 1) throw new UsageError(positionals.length ? 'expected one CSV file' : 'missing the CSV file to stream');
  if (values.webhook && !values.follow) throw new UsageError('--webhook sends the incidents of rows appended while following: add --follow (for the rows already in a file: analyze --format json, then send)');
  const format = choiceOption('format', values.format, ['nab', 'jsonl'] as const, 'jsonl');
  const seed = numberOption('seed', values.seed, 0) ?? 0;
  const minSeverity = choiceOption('min-severity', values['min-severity'], SEVERITIES, DEFAULT_MIN_SEVERITY);
  const retrainEveryMs = parseRetrainEvery(values['retrain-every'] ?? DEFAULT_RETRAIN_EVERY);
  if (values['retrain-every'] !== undefined && !values.baseline) throw new UsageError('--retrain-every refits the baseline: add --baseline');
  if (values.baseline && format === 'nab') throw new UsageError('--baseline scores are in the jsonl output ("model", the stream finding); --format nab prints the novelty score only');
  if (Number.isNaN(retrainEveryMs)) throw new UsageError(`--retrain-every: expected a duration such as 6h or 1d, or off (got '${values['retrain-every']}')`);
  const tracker = createIncidentTracker({ minSeverity, utcOffsetMs: () => pipeline.columns?.utcOffsetMs ?? 0 });
  const wanted = values.metrics?.split(',').map((m) => m.trim()).filter(Boolean);
  const displayPath = prom ? serverLabel(prom.url) : positionals[0];
  const path = resolve(ctx.cwd, displayPath);

  let rules: RulesFile | null = null;
  if (values.rules !== undefined) {
    const r = await loadRulesFile(values.rules, { cwd: ctx.cwd });
    if (r.diagnostics.length) ctx.stderr(formatDiagnostics(values.rules, r.diagnostics));
    if (!r.rules) return 1;
    rules = r.rules;
  }
  let history: StreamHistory | null = null;
  const alerter = values.webhook ? makeAlerter(ctx, rules, minSeverity, hooks.fetch, (records) => history?.deliveries(records), prom ? prometheusIdentity(prom) : path) : null;
  history = values.history === undefined ? null : new StreamHistory((fn) => useHistory(ctx, values.history!, fn), {
    kind: 'stream', source: prom ? prometheusIdentity(prom) : path, sha256: '', toolVersion: VERSION, settings: {
      metrics: wanted ?? null, minSeverity, seed, rules: values.rules ? resolve(ctx.cwd, values.rules) : null,
      // Only with --baseline, so the runs recorded without it keep their identity.
      ...(values.baseline ? { baseline: { retrainEvery: values['retrain-every'] ?? DEFAULT_RETRAIN_EVERY } } : {}),
    },
  });
  /** Rows arrive "live" once the file as it was at the start has been read: only those are sent. */
  let live = false;
  /** A followed input still inside the warm-up when first read through is told so, once. */
  const caughtUp = (): void => {
    pipeline.caughtUp();
    if (!live && values.follow) { const note = pipeline.warmupNote(false); if (note) ctx.stderr(`${note}\n`); }
    live = true;
  };

  const pipeline = new StreamPipeline({
    displayPath, metrics: wanted, oneMetric: format === 'nab', seed, rules, live: values.follow === true, baseline: values.baseline === true, retrainEveryMs,
    onLayout: () => { if (format === 'nab') ctx.stdout('timestamp,value,anomaly_score\n'); },
    onNotice: (text) => ctx.stderr(`${text}\n`),
    onRow: (r: ScoredRow) => {
      const timed = pipeline.columns!.timestampIndex >= 0;
      const events = tracker.push(r.row, timed ? r.ms : null, r.anomalies, valuesByMetric(pipeline.columns!.metrics, r.values));
      // The time as written (it joins back to the input, as NAB's results files do); the value as read (51.29 from a
      // decimal-comma file's "51,29"; empty when missing).
      if (format === 'nab') ctx.stdout(`${csvField(r.tsText)},${Number.isFinite(r.values[0]) ? String(r.values[0]) : ''},${nabScore(r.score)}\n`);
      else ctx.stdout(jsonlRow(r, pipeline.columns!, timed, rules !== null, events) + '\n');
      if (live) {
        alerter?.push(events.filter((e) => e.event === 'opened').map((e) => e.incident));
        alerter?.escalate(events.filter((e) => e.event === 'escalated').map((e) => e.incident));
        alerter?.resolve(events.filter((e) => e.event === 'resolved').map((e) => e.incident));
      }
      history?.push(events, tracker.stepMs);
    },
  });

  if (prom) {
    await streamPrometheus(prom, {
      follow: values.follow === true, signal: hooks.signal, pollMs: hooks.pollMs,
      onText: (text) => { if (pipeline.failure === null) pipeline.push(text); },
      onCaughtUp: caughtUp,
      onNotice: (text) => ctx.stderr(`${text}\n`),
    });
  } else try {
    await tailFile(path, {
      follow: values.follow ?? false,
      signal: hooks.signal,
      pollMs: hooks.pollMs,
      rotationGraceMs: hooks.rotationGraceMs,
      onText: (text) => pipeline.push(text),
      onCaughtUp: caughtUp,
      onRestart: (event) => pipeline.restart(event),
      onGone: () => pipeline.gone(false),
      onBack: () => pipeline.gone(true),
      // A CSV error (a stray quote, no numeric column) ends the stream: the rest of the file is not read.
      stopped: () => pipeline.failure !== null,
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' || code === 'ENOTREG') {
      throw new UsageError(code === 'ENOTREG' ? (e as Error).message.replace(path, displayPath) : `${displayPath}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a CSV file' : 'permission denied'}`);
    }
    if (code) throw new InputError(`cannot read the file (${code})`, displayPath);
    throw e;
  }
  if (hooks.signal?.aborted && !values.follow) {
    // Stopped (SIGINT, SIGTERM) before the end of the file: the output is incomplete, and says so.
    ctx.stderr(`anomaly-hunter stream: stopped before the end of ${displayPath}\n`);
    if (await closeAlerter(ctx, alerter, hooks)) { await recordedFailed(ctx, history, values.history); return 1; }
    await recordedFailed(ctx, history, values.history);
    return 1;
  }
  pipeline.finish();
  // Every row inside the warm-up scores 0: said on stderr, so all-zero scores are not read as "nothing unusual".
  const warm = values.follow ? null : pipeline.warmupNote(true);
  if (warm) ctx.stderr(`${warm}\n`);
  const dropped = await closeAlerter(ctx, alerter, hooks);
  if (await recordedFailed(ctx, history, values.history)) return 1;
  if (pipeline.failure) throw pipeline.failure;
  if (!pipeline.sawHeader) throw new InputError('the file is empty (no header line)', displayPath);
  // A header and no row, read through: analyze's "no data" error (followed, rows may still come: no error).
  if (!pipeline.columns && !values.follow) throw new InputError('the file has a header but no data rows', displayPath, pipeline.headerLine, 1);
  if (!pipeline.columns && format === 'nab') ctx.stdout('timestamp,value,anomaly_score\n');
  return alerter && (alerter.failures > 0 || dropped) ? 1 : 0;
}

/**
 * Waits for the webhook deliveries still under way; when the stream was stopped (Ctrl-C) and some are, says so, and
 * a second Ctrl-C (hooks.drop) stops the wait and says what was dropped. True when something was dropped.
 */
async function closeAlerter(ctx: CommandContext, alerter: Alerter | null, hooks: StreamRunOptions): Promise<boolean> {
  if (!alerter) return false;
  const waiting = alerter.pending().length;
  if (waiting > 0 && hooks.signal?.aborted) ctx.stderr(`stream: waiting for ${waiting} webhook ${waiting === 1 ? 'delivery' : 'deliveries'} (Ctrl-C again to drop them)\n`);
  const drop = hooks.drop;
  const dropped = drop ? new Promise<'dropped'>((r) => { if (drop.aborted) r('dropped'); else drop.addEventListener('abort', () => r('dropped'), { once: true }); }) : null;
  const closed = alerter.close().then(() => 'closed' as const);
  const how = await (dropped ? Promise.race([closed, dropped]) : closed);
  if (how === 'closed') return false;
  const left = alerter.pending();
  const list = left.map((p) => `incident ${p.incident.id} (${p.incident.severity}, ${p.kind})`).join(', ');
  ctx.stderr(`anomaly-hunter stream: dropped ${left.length} webhook ${left.length === 1 ? 'delivery' : 'deliveries'}${list ? `: ${list}` : ''}\n`);
  return true;
}

/** Waits for the history writes of `--history`; true (after one error line) when one failed. */
async function recordedFailed(ctx: CommandContext, history: StreamHistory | null, file: string | undefined): Promise<boolean> {
  const error = await history?.close();
  if (!error) return false;
  ctx.stderr(error instanceof InputError ? `${error.path}: error: ${error.message}\n` : `anomaly-hunter stream: error: history ${file}: ${error.message}\n`);
  return true;
}

/** The alerter of `--webhook` (a rules file's alerts.webhook gives its settings; it never turns sending on). */
function makeAlerter(ctx: CommandContext, rules: RulesFile | null, reported: Severity, fetch: FetchLike | undefined, record: (r: DeliveryRecord[]) => void, source: string): Alerter {
  const settings = rules?.alerts.webhook;
  const url = ctx.env[WEBHOOK_URL_ENV] ?? '';
  if (!url.trim()) throw new UsageError(`--webhook needs the webhook URL in ${WEBHOOK_URL_ENV}`);
  const format: WebhookFormat = settings?.format && WEBHOOK_FORMATS.includes(settings.format) ? settings.format : webhookFormatFor(url);
  const check = format === 'alertmanager-api' ? checkAlertmanagerUrl(url) : checkWebhookUrl(url);
  if (!check.ok) throw new UsageError(`${WEBHOOK_URL_ENV}: ${check.reason}`);
  const throttleMs = settings?.throttleMs ?? (settings?.throttle ? parseDuration(settings.throttle) : DEFAULT_THROTTLE_MS);
  // An incident is sent when the tracker reports it (--min-severity) and it passes alerts.webhook's min_severity.
  const floor = settings?.min_severity ?? 'warning';
  const effective = severityRank(floor) < severityRank(reported) ? floor : reported;
  ctx.stderr(`stream: sending incidents to ${maskUrl(url)} (${format}, min severity ${effective}, throttle ${Math.round(throttleMs / 1000)} s)\n`);
  return createAlerter({
    url, format, minSeverity: settings?.min_severity, throttleMs: Number.isFinite(throttleMs) ? throttleMs : DEFAULT_THROTTLE_MS,
    fetch: fetch ?? (globalThis.fetch as unknown as FetchLike),
    onOutcome: (o) => ctx.stderr(o.ok ? `stream: webhook: ${o.summary}\n` : `anomaly-hunter stream: error: webhook: ${o.summary}\n`),
    // --history: each send's outcomes, per incident, as `send --history` records them.
    onSent: (incidents, facts) => record(deliveryRecords(incidents, { ...facts, channel: format, destination: maskUrl(url), destinationKey: webhookDestinationKey(url), source })),
    onThrottled: (held) => {
      for (const i of held) ctx.stderr(`stream: webhook: not sent (throttled: ${i.metrics[0]?.metric ?? 'its metric'} was sent less than ${Math.round(throttleMs / 1000)} s ago): incident ${i.id} (${i.severity}); sent if it becomes critical\n`);
    },
  });
}

function jsonlRow(r: ScoredRow, layout: Layout, timed: boolean, withRules: boolean, events: readonly IncidentEvent[]): string {
  const { metrics, utcOffsetMs: off } = layout;
  const m: Record<string, { value: number | null; score: number }> = {};
  // setOwn: a column named __proto__ is a key like any other.
  metrics.forEach((name, i) => { setOwn(m, name, { value: Number.isFinite(r.values[i]) ? r.values[i] : null, score: round4(r.score.perMetric[i]) }); });
  const own = r.anomalies.find((a) => a.detector === 'stream') ?? null;
  const out: Record<string, unknown> = { row: r.row, line: r.line, timestamp: timed ? isoOf(r.ms, off) : null, score: round4(r.score.score), metrics: m, anomaly: own };
  if (withRules) out.rules = r.anomalies.filter((a) => a.detector === 'rule');
  if (r.model) out.model = { version: r.model.version, trainedAt: isoOf(r.model.trainedAt, off), reason: r.model.reason };
  if (r.retrain) {
    const e = r.retrain;
    out.retrain = { version: e.version, reason: e.reason, trainedAt: isoOf(e.trainedAt, off), trainedRow: e.trainedRow, rows: e.rows, metrics: e.metrics };
  }
  if (events.length) out.incidents = events.map((e) => ({ event: e.event, ...e.incident }));
  return JSON.stringify(out);
}


function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
