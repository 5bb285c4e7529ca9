import type { Anomaly } from '../anomaly.ts';
import { isoOf } from '../anomaly.ts';
import type { Severity } from '../severity.ts';
import { SEVERITIES } from '../severity.ts';
import { neutraliseFormula } from '../export/formula.ts';
import type { AlertSource } from './alertmanagerApi.ts';
import { anomalyPostableAlert } from './alertmanagerApi.ts';

/** The receivers we format for (SPEC §3 `send --format`). */
export type WebhookFormat = 'zapier' | 'slack' | 'alertmanager' | 'alertmanager-api';

/** The formats, in the order the CLI lists them. */
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['zapier', 'slack', 'alertmanager', 'alertmanager-api'];

/** The format when none is given and the URL is no Slack incoming webhook: `send`, `stream --webhook`, the extension. */
export const DEFAULT_WEBHOOK_FORMAT: WebhookFormat = 'zapier';

/**
 * The format of a webhook when none is given (no --format, no alerts.webhook.format, the setting left at `auto`):
 * `slack` for Slack's incoming webhooks (host hooks.slack.com) and the services that take Slack's payload at a
 * URL of their own — Discord's `…/slack` endpoint, Mattermost's `/hooks/ID` and Rocket.Chat's `/hooks/ID/TOKEN` —,
 * else DEFAULT_WEBHOOK_FORMAT (Zapier's catch hooks, hooks.zapier.com/hooks/catch/…, and any other receiver).
 * Says nothing of the URL.
 */
export function webhookFormatFor(url: string): WebhookFormat {
  let host = '', path = '';
  try { const u = new URL(url.trim()); host = u.hostname.toLowerCase(); path = u.pathname; } catch { /* no URL: the default */ }
  if (host === 'hooks.slack.com') return 'slack';
  if (host === 'hooks.zapier.com') return 'zapier';
  if (/\/slack\/?$/.test(path) || /^\/hooks\/[A-Za-z0-9]+(\/[A-Za-z0-9]+)?\/?$/.test(path)) return 'slack';
  return DEFAULT_WEBHOOK_FORMAT;
}

/** An anomaly on its way out, with the fingerprint the receiver sees. */
export interface OutgoingAnomaly {
  anomaly: Anomaly;
  fingerprint: string;
}

/** One HTTP request's worth: the exact JSON body and which anomalies it carries. */
export interface WebhookMessage {
  body: string;
  fingerprints: string[];
}

/**
 * Slack's documented Block Kit limits (api.slack.com/reference/block-kit/blocks): 50 blocks per
 * message, 3000 characters in a section's text, at most 10 fields of 2000 characters each, 150
 * characters in a header's plain_text. Slack also rejects messages whose blocks hold well under the
 * documented 40 000-character message limit (`msg_blocks_too_long` near 13 000 characters,
 * slackapi/bolt-js#2509), so we keep each message's block text under 12 000 characters.
 */
export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, fields: 10, fieldText: 2000, headerText: 150, messageBlockText: 12_000 } as const;

/** Alerts per Alertmanager-format message: receivers such as PagerDuty's or Opsgenie's bridges take a bounded group. */
export const ALERTMANAGER_MAX_ALERTS = 100;

/** Options shared by the builders. */
export interface PayloadOptions {
  /** The caller's clock (epoch ms): stands in for the start of anomalies without a timestamp. */
  now: number;
  /** Where the data came from (alertmanager-api: the input label, the link, the rows). */
  source?: AlertSource;
}

/**
 * Builds the HTTP messages for a format, split to the receiver's limits. Zapier: one flat object
 * per anomaly per request (a Google Sheets "Create Row" maps its fields directly). Slack: an
 * incoming-webhook message of at most 48 anomalies (header + sections + footer ≤ 50 blocks).
 * Alertmanager: webhook payload version 4 with at most 100 alerts. Empty input gives no message.
 */
export function buildMessages(format: WebhookFormat, items: readonly OutgoingAnomaly[], opts: PayloadOptions): WebhookMessage[] {
  if (items.length === 0) return [];
  switch (format) {
    case 'zapier':
      return items.map((it) => ({ body: JSON.stringify(zapierRow(it)), fingerprints: [it.fingerprint] }));
    case 'slack': {
      const parts = splitSlack(items, (it) => slackSection(it.anomaly));
      return parts.map((part, i) => ({ body: JSON.stringify(slackMessage(part, i, parts.length)), fingerprints: part.map((p) => p.fingerprint) }));
    }
    case 'alertmanager': {
      const out: WebhookMessage[] = [];
      for (let i = 0; i < items.length; i += ALERTMANAGER_MAX_ALERTS) {
        const part = items.slice(i, i + ALERTMANAGER_MAX_ALERTS);
        out.push({ body: JSON.stringify(alertmanagerPayload(part, opts)), fingerprints: part.map((p) => p.fingerprint) });
      }
      return out;
    }
    case 'alertmanager-api': {
      // Alertmanager's POST /api/v2/alerts: a JSON list of alerts (see ./alertmanagerApi.ts).
      const out: WebhookMessage[] = [];
      for (let i = 0; i < items.length; i += ALERTMANAGER_MAX_ALERTS) {
        const part = items.slice(i, i + ALERTMANAGER_MAX_ALERTS);
        out.push({ body: JSON.stringify(part.map((it) => anomalyPostableAlert(it.anomaly, opts.now, opts.source))), fingerprints: part.map((p) => p.fingerprint) });
      }
      return out;
    }
  }
}

/** A flat Zapier / Google Sheets row: only strings and numbers, empty string where there is no value. */
export interface ZapierRow {
  source: 'anomaly-hunter';
  fingerprint: string;
  timestamp: string;
  row: number;
  severity: Severity;
  score: number;
  detector: string;
  rule: string;
  metric: string;
  value: number | string;
  message: string;
}

/**
 * The flat object Zapier receives for one anomaly; missing values are '' so Sheets cells stay blank.
 * Free text (rule, metric, message) is formula-neutralised: Sheets' "Create Row" enters values as
 * if typed, so a message starting with `=` would otherwise run as a formula.
 */
export function zapierRow(it: OutgoingAnomaly): ZapierRow {
  const a = it.anomaly;
  return {
    source: 'anomaly-hunter',
    fingerprint: it.fingerprint,
    timestamp: a.timestamp ?? '',
    row: a.row,
    severity: a.severity,
    score: a.score,
    detector: a.detector,
    rule: neutraliseFormula(a.rule ?? ''),
    metric: neutraliseFormula(a.metric ?? ''),
    value: a.value ?? '',
    message: neutraliseFormula(a.message),
  };
}

export const SLACK_EMOJI: Record<Severity, string> = {
  critical: ':red_circle:', major: ':large_orange_circle:', minor: ':large_yellow_circle:', warning: ':large_blue_circle:',
};

/** Escapes the three characters Slack's mrkdwn reserves, so data can never become a link or an @channel mention. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to `max` characters, the last one an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** "3 anomalies: 1 critical, 2 major" — the summary line of a batch; empty input gives "0 anomalies". */
export function summaryLine(anomalies: readonly Anomaly[]): string {
  const counts = SEVERITIES.map((s) => [s, anomalies.filter((a) => a.severity === s).length] as const).filter(([, n]) => n > 0);
  const head = `${anomalies.length} ${anomalies.length === 1 ? 'anomaly' : 'anomalies'}`;
  return counts.length ? `${head}: ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}` : head;
}

/** One Slack section block: a text and its fields. */
export interface SlackSection { type: 'section'; text: { type: 'mrkdwn'; text: string }; fields: { type: 'mrkdwn'; text: string }[] }

function slackSection(a: Anomaly): SlackSection {
  const field = (label: string, value: string) => ({ type: 'mrkdwn' as const, text: truncate(`*${label}*\n${slackEscape(value)}`, SLACK_LIMITS.fieldText) });
  const who = a.detector === 'rule' ? `rule ${a.rule ?? ''}` : a.detector;
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(`${SLACK_EMOJI[a.severity]} *${a.severity}* · ${slackEscape(who)}\n${slackEscape(a.message)}`, SLACK_LIMITS.sectionText) },
    fields: [
      field('Severity', `${a.severity} (score ${a.score})`),
      field('Metric', a.metric ?? '—'),
      field('Time', a.timestamp ?? `row ${a.row}`),
      field('Value', a.value === null ? '—' : String(a.value)),
    ],
  };
}

function blockTextLength(section: SlackSection): number {
  return section.text.text.length + section.fields.reduce((n, f) => n + f.text.length, 0);
}

/** Groups items so each Slack message stays within SLACK_LIMITS (blocks and total block text), given each item's section. */
export function splitSlack<T>(items: readonly T[], section: (item: T) => SlackSection): T[][] {
  const perMessage = SLACK_LIMITS.blocks - 2; // a header and a footer context block
  const budget = SLACK_LIMITS.messageBlockText - SLACK_LIMITS.headerText - 200;
  const parts: T[][] = [];
  let cur: T[] = [];
  let chars = 0;
  for (const it of items) {
    const n = blockTextLength(section(it));
    if (cur.length > 0 && (cur.length >= perMessage || chars + n > budget)) {
      parts.push(cur);
      cur = [];
      chars = 0;
    }
    cur.push(it);
    chars += n;
  }
  if (cur.length) parts.push(cur);
  return parts;
}

/** A Slack incoming-webhook message: `text` is the notification fallback, blocks carry the detail. */
export function slackMessage(part: readonly OutgoingAnomaly[], index = 0, total = 1): { text: string; blocks: unknown[] } {
  const anomalies = part.map((p) => p.anomaly);
  const summary = summaryLine(anomalies) + (total > 1 ? ` (part ${index + 1} of ${total})` : '');
  return {
    text: `Anomaly Hunter: ${summary}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(`Anomaly Hunter: ${summary}`, SLACK_LIMITS.headerText), emoji: true } },
      ...anomalies.map(slackSection),
      { type: 'context', elements: [{ type: 'mrkdwn', text: total > 1 ? `Data Anomaly Hunter · part ${index + 1} of ${total}` : 'Data Anomaly Hunter' }] },
    ],
  };
}

/** The `endsAt` Alertmanager sends for alerts that are still firing (Go's zero time). */
export const ALERTMANAGER_ZERO_TIME = '0001-01-01T00:00:00Z';

/** One alert of an Alertmanager webhook payload. */
export interface AlertmanagerAlert {
  status: 'firing';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

const DETECTOR_ALERTNAME: Record<string, string> = { iforest: 'IsolationForestAnomaly', forecast: 'ForecastAnomaly', stream: 'StreamAnomaly' };

/** An anomaly as an Alertmanager alert: labels identify it (alertname, detector, metric, severity), annotations describe it. */
export function alertmanagerAlert(it: OutgoingAnomaly, now: number): AlertmanagerAlert {
  const a = it.anomaly;
  const labels: Record<string, string> = {
    alertname: a.detector === 'rule' ? (a.rule ?? 'rule') : DETECTOR_ALERTNAME[a.detector] ?? a.detector,
    detector: a.detector,
    severity: a.severity,
    source: 'anomaly-hunter',
  };
  if (a.metric !== null) labels.metric = a.metric;
  const annotations: Record<string, string> = { summary: a.message, score: String(a.score), row: String(a.row) };
  if (a.value !== null) annotations.value = String(a.value);
  return {
    status: 'firing',
    labels,
    annotations,
    startsAt: a.timestamp ?? isoOf(now) ?? ALERTMANAGER_ZERO_TIME,
    endsAt: ALERTMANAGER_ZERO_TIME,
    generatorURL: '',
    fingerprint: it.fingerprint,
  };
}

/** The label (or annotation) pairs every map has in common. */
export function common(maps: readonly Record<string, string>[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (maps.length === 0) return out;
  for (const [k, v] of Object.entries(maps[0])) if (maps.every((m) => m[k] === v)) out[k] = v;
  return out;
}

/**
 * Alertmanager's webhook payload, version 4 (prometheus.io/docs/alerting/latest/configuration/#webhook_config):
 * one group keyed by `source="anomaly-hunter"`, every alert firing, common labels and annotations computed.
 */
export function alertmanagerPayload(part: readonly OutgoingAnomaly[], opts: PayloadOptions) {
  const alerts = part.map((it) => alertmanagerAlert(it, opts.now));
  return {
    version: '4',
    groupKey: '{}:{source="anomaly-hunter"}',
    truncatedAlerts: 0,
    status: 'firing' as const,
    receiver: 'anomaly-hunter',
    groupLabels: { source: 'anomaly-hunter' },
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: '',
    alerts,
  };
}
