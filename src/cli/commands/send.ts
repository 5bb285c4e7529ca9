import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FetchLike } from '../../core/alerting/deliver.ts';
import type { WebhookFormat } from '../../core/alerting/payloads.ts';
import { WEBHOOK_FORMATS, webhookFormatFor } from '../../core/alerting/payloads.ts';
import { incidentsOfFindings } from '../../core/alerting/incidentsOf.ts';
import { describeSkips, incidentAlertIdentity, planIncidents, sendIncidents } from '../../core/alerting/send.ts';
import { checkWebhookUrl, maskUrl } from '../../core/alerting/url.ts';
import { alertSourceOf, checkAlertmanagerUrl, incidentPostableAlert } from '../../core/alerting/alertmanagerApi.ts';
import type { Incident } from '../../core/incidents/incidents.ts';
import { readResultJson } from '../../core/export/readResult.ts';
import type { Severity } from '../../core/severity.ts';
import { SEVERITIES } from '../../core/severity.ts';
import { DEFAULT_MIN_SEVERITY } from '../../core/incidents/view.ts';
import type { Command, CommandContext } from '../command.ts';
import { parseCommandArgs } from '../command.ts';
import { InputError, UsageError } from '../../node/errors.ts';
import { notRegularFile } from '../../node/tailFile.ts';
import { resultsSource, sendWithHistory } from '../sendHistory.ts';
import { webhookDestinationKey } from '../../core/alerting/destination.ts';
import { sendIncidentsByEmail } from '../sendEmail.ts';
import { SMTP_URL_ENV } from '../../core/alerting/email.ts';

/** Largest results file read (a JavaScript string holds at most about 512 MiB). */
const MAX_RESULTS_BYTES = 256 << 20;

/** The environment variable that holds the webhook URL (a secret: prefer it to --url, which shell history keeps). */
export const WEBHOOK_URL_ENV = 'ANOMALY_HUNTER_WEBHOOK_URL';

const usage = `usage: anomaly-hunter send <results.json> [--format zapier|slack|alertmanager|alertmanager-api|email]
                           [--min-severity critical|major|minor|warning] [--dry-run] [--url URL]
                           [--to ADDRESS] [--history FILE]

Sends the incidents of a results file (analyze --format json) to a webhook or by email:
one alert per incident, never one per row. A file without "incidents" has
its anomalies merged into incidents the way analyze merges them.
The URL is read from ${WEBHOOK_URL_ENV}, or from --url (which your shell history
keeps: prefer the variable). It must be https (http only for localhost) and is
never printed unmasked. Retries on network errors, 5xx and 429 (honouring
Retry-After), at most 30 s in all; never follows redirects.

  --format F         payload format (default zapier, or slack for hooks.slack.com and Slack-compatible URLs:
                     the extension's setting anomalyHunter.webhook.format "auto" chooses alike).
                     alertmanager-api posts the incidents as alerts to a running Alertmanager's
                     /api/v2/alerts (--url http://host:9093, http allowed on any host): labels
                     alertname, severity, metric, rule, input, incident; an incident that ended
                     before the data's last row is sent with endsAt, so Alertmanager resolves it.
                     email: one message with every
                     incident (plain text and HTML) through the SMTP server in $${SMTP_URL_ENV}
                     (smtp://user:pass@host:587 with STARTTLS, required unless the host is this
                     machine, or smtps://…:465), to --to
  --to ADDRESS       --format email: the recipients, comma-separated
  --min-severity S   send only incidents of severity S or worse (default: every incident the file
                     lists, the view analyze chose; a file without "incidents": major, the default view)
  --dry-run          print the exact payload(s), one JSON per line (email: the subject and the text
                     part), and send nothing
  --url URL          the webhook URL (default: $${WEBHOOK_URL_ENV})
  --history FILE     record each incident's outcome (sent, throttled, deduplicated, failed) in a history
                     database, and skip the incidents it says were already sent (see 'history')
  -h, --help         show this help

Exit status: 0 delivered (or nothing to send), 1 invalid results file or not delivered, 2 usage.`;

/** `anomaly-hunter send` (SPEC §3). `fetch` is injectable for tests; the CLI uses Node's global fetch. */
export function makeSendCommand(fetch: FetchLike = globalThis.fetch as unknown as FetchLike): Command {
  return {
    usage,
    async run(ctx: CommandContext): Promise<number> {
      const { values, positionals } = parseCommandArgs(ctx.argv, {
        format: { type: 'string' },
        'min-severity': { type: 'string' },
        'dry-run': { type: 'boolean' },
        url: { type: 'string' },
        history: { type: 'string' },
        to: { type: 'string' },
      });
      if (values.help) {
        ctx.stdout(usage + '\n');
        return 0;
      }
      if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one results file, got ${positionals.length} arguments` : 'missing the results file (output of `analyze --format json`)');
      const email = values.format === 'email';
      if (!email && values.to !== undefined) throw new UsageError('--to is for --format email');
      if (email && values.url !== undefined) throw new UsageError(`--url is for webhooks: email goes through the SMTP server in ${SMTP_URL_ENV}`);
      if (!email && values.format !== undefined && !WEBHOOK_FORMATS.includes(values.format as WebhookFormat)) throw new UsageError(`--format must be one of ${[...WEBHOOK_FORMATS, 'email'].join(', ')}, got '${values.format}'`);
      const asked = values['min-severity'] as Severity | undefined;
      if (asked !== undefined && !SEVERITIES.includes(asked)) throw new UsageError(`--min-severity must be one of ${SEVERITIES.join(', ')}, got '${values['min-severity']}'`);

      const rawUrl = values.url ?? ctx.env[WEBHOOK_URL_ENV] ?? '';
      const format = (values.format ?? webhookFormatFor(rawUrl)) as WebhookFormat;
      const dryRun = values['dry-run'] === true;
      if (!email && (!dryRun || rawUrl.trim() !== '')) {
        const check = format === 'alertmanager-api' ? checkAlertmanagerUrl(rawUrl) : checkWebhookUrl(rawUrl);
        if (!check.ok) {
          throw new UsageError(rawUrl.trim() === '' ? `no webhook URL: set ${WEBHOOK_URL_ENV} or pass --url` : check.reason);
        }
      }

      const file = positionals[0];
      let text: string;
      try {
        // A device never ends and a string cannot pass 512 MiB: refused before reading, with a reason.
        const full = resolve(ctx.cwd, file);
        const info = await stat(full);
        if (!info.isFile() && !info.isFIFO()) throw new UsageError(notRegularFile(file, info).message);
        if (info.size > MAX_RESULTS_BYTES) throw new InputError(`too large for a results file (${info.size.toLocaleString('en')} bytes; at most ${MAX_RESULTS_BYTES / (1 << 20)} MiB)`, file);
        text = await readFile(full, 'utf8');
      } catch (e) {
        if (e instanceof UsageError || e instanceof InputError) throw e;
        const code = (e as { code?: string }).code;
        throw new UsageError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? (e as Error).message})`);
      }
      const read = readResultJson(text);
      if (!read.ok) throw new InputError(read.message, file, read.position.line, read.position.column);

      const incidents = read.incidents ?? incidentsOfFindings(read.anomalies);
      // A listed file is the view analyze chose (SPEC §7): all of it. Merged findings get the default view.
      const minSeverity: Severity = asked ?? (read.incidents ? 'warning' : DEFAULT_MIN_SEVERITY);
      if (email) return sendIncidentsByEmail(ctx, { incidents, to: values.to, minSeverity, dryRun, history: values.history, source: resultsSource(read.meta, ctx.cwd) });
      const source = alertSourceOf(read.meta);
      if (dryRun) {
        const plan = planIncidents(incidents, { format, minSeverity, now: Date.now(), source });
        for (const m of plan.messages) ctx.stdout(m.body + '\n');
        const skipped = describeSkips(plan.skipped);
        ctx.stderr(`dry run: ${plan.count} of ${incidents.length} incidents in ${plan.messages.length} ${format} message(s)${skipped ? `; ${skipped}` : ''}; nothing sent${rawUrl ? ` to ${maskUrl(rawUrl)}` : ''}\n`);
        return 0;
      }

      const target = { channel: format, destination: maskUrl(rawUrl), destinationKey: webhookDestinationKey(rawUrl), source: resultsSource(read.meta, ctx.cwd) };
      const outcome = await sendWithHistory(ctx, values.history, incidents, target, async (state, _now, sentLabels) => {
        // alertmanager-api: an incident sent before keeps the labels it was first sent with (the same alert).
        const src = format === 'alertmanager-api' ? { ...source, sentLabels } : source;
        const sent = await sendIncidents(incidents, { format, minSeverity, url: rawUrl, fetch, state, source: src });
        const labels = format === 'alertmanager-api' ? (i: Incident) => incidentPostableAlert(i, 0, src).labels : undefined;
        return { out: sent, done: { minSeverity, state, now: sent.plannedAt, planned: sent.plannedFingerprints, identity: incidentAlertIdentity(format, source), delivered: sent.messages.delivered, reason: sent.reason, labels } };
      });
      if (outcome.ok) {
        ctx.stdout(`${outcome.summary}\n`);
        return 0;
      }
      ctx.stderr(`anomaly-hunter send: error: ${outcome.summary}\n`);
      return 1;
    },
  };
}

/** The `send` command with Node's global fetch. */
export const sendCommand: Command = makeSendCommand();
