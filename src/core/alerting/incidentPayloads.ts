/**
 * Webhook payloads of incidents (SPEC §3 `send`, §7): one alert per incident, never one per row, in the same
 * three formats and within the same receiver limits as ./payloads.ts.
 */
import { isoOf } from '../anomaly.ts';
import { neutraliseFormula } from '../export/formula.ts';
import type { Incident } from '../incidents/incidents.ts';
import { incidentPostableAlert } from './alertmanagerApi.ts';
import type { Severity } from '../severity.ts';
import { SEVERITIES } from '../severity.ts';
import type { PayloadOptions, SlackSection, WebhookFormat, WebhookMessage } from './payloads.ts';
import { ALERTMANAGER_MAX_ALERTS, ALERTMANAGER_ZERO_TIME, SLACK_EMOJI, SLACK_LIMITS, common, slackEscape, splitSlack, truncate } from './payloads.ts';

/** An incident on its way out, with the fingerprint the receiver sees. */
export interface OutgoingIncident {
  incident: Incident;
  fingerprint: string;
}

/**
 * Builds the HTTP messages of incidents for a format. Zapier: one flat object per incident per request.
 * Slack: one message of at most 48 incidents (header + sections + footer ≤ 50 blocks). Alertmanager: webhook
 * payload version 4 with at most 100 alerts. Empty input gives no message.
 */
export function buildIncidentMessages(format: WebhookFormat, items: readonly OutgoingIncident[], opts: PayloadOptions): WebhookMessage[] {
  if (items.length === 0) return [];
  switch (format) {
    case 'zapier':
      return items.map((it) => ({ body: JSON.stringify(zapierIncidentRow(it)), fingerprints: [it.fingerprint] }));
    case 'slack': {
      const parts = splitSlack(items, (it) => incidentSection(it.incident));
      return parts.map((part, i) => ({ body: JSON.stringify(slackIncidentMessage(part, i, parts.length)), fingerprints: part.map((p) => p.fingerprint) }));
    }
    case 'alertmanager': {
      const out: WebhookMessage[] = [];
      for (let i = 0; i < items.length; i += ALERTMANAGER_MAX_ALERTS) {
        const part = items.slice(i, i + ALERTMANAGER_MAX_ALERTS);
        const alerts = part.map((it) => incidentAlert(it, opts.now));
        out.push({
          body: JSON.stringify({
            version: '4', groupKey: '{}:{source="anomaly-hunter"}', truncatedAlerts: 0, status: 'firing', receiver: 'anomaly-hunter',
            groupLabels: { source: 'anomaly-hunter' }, commonLabels: common(alerts.map((a) => a.labels)),
            commonAnnotations: common(alerts.map((a) => a.annotations)), externalURL: '', alerts,
          }),
          fingerprints: part.map((p) => p.fingerprint),
        });
      }
      return out;
    }
    case 'alertmanager-api': {
      const out: WebhookMessage[] = [];
      for (let i = 0; i < items.length; i += ALERTMANAGER_MAX_ALERTS) {
        const part = items.slice(i, i + ALERTMANAGER_MAX_ALERTS);
        out.push({ body: JSON.stringify(part.map((it) => incidentPostableAlert(it.incident, opts.now, opts.source))), fingerprints: part.map((p) => p.fingerprint) });
      }
      return out;
    }
  }
}

/** A flat Zapier / Google Sheets row of one incident: strings and numbers only, '' where there is no value. */
export interface ZapierIncidentRow {
  source: 'anomaly-hunter';
  fingerprint: string;
  id: string;
  start: string;
  end: string;
  startRow: number;
  endRow: number;
  severity: Severity;
  score: number;
  detectors: string;
  metrics: string;
  rules: string;
  findings: number;
  summary: string;
}

/** The Zapier row of an incident; free text is formula-neutralised (Sheets enters values as if typed). */
export function zapierIncidentRow(it: OutgoingIncident): ZapierIncidentRow {
  const i = it.incident;
  return {
    source: 'anomaly-hunter',
    fingerprint: it.fingerprint,
    id: neutraliseFormula(i.id),
    start: i.start ?? '',
    end: i.end ?? '',
    startRow: i.startRow,
    endRow: i.endRow,
    severity: i.severity,
    score: i.score,
    detectors: i.detectors.join(', '),
    metrics: neutraliseFormula(i.metrics.map((m) => m.metric).join(', ')),
    rules: neutraliseFormula(i.rules.join(', ')),
    findings: i.count,
    summary: neutraliseFormula(i.summary),
  };
}

/** "2025-03-01T12:00:00.000Z → 2025-03-01T12:06:00.000Z", or the rows without timestamps. */
/** When an incident happened, for a message: "start → end", or its rows without timestamps. */
export function whenOf(i: Incident): string {
  if (i.start) return i.end && i.end !== i.start ? `${i.start} → ${i.end}` : i.start;
  return i.endRow > i.startRow ? `rows ${i.startRow}–${i.endRow}` : `row ${i.startRow}`;
}

function incidentSection(i: Incident): SlackSection {
  const field = (label: string, value: string) => ({ type: 'mrkdwn' as const, text: truncate(`*${label}*\n${slackEscape(value)}`, SLACK_LIMITS.fieldText) });
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(`${SLACK_EMOJI[i.severity]} *${i.severity}* · ${slackEscape(i.detectors.join(', '))}\n${slackEscape(i.summary)}`, SLACK_LIMITS.sectionText) },
    fields: [
      field('Severity', `${i.severity} (score ${i.score})`),
      field('Metrics', i.metrics.map((m) => m.metric).join(', ') || '—'),
      field('Time', whenOf(i)),
      field('Findings', String(i.count)),
    ],
  };
}

/** "3 incidents: 1 critical, 2 major" — the summary line of a batch. */
export function incidentSummaryLine(incidents: readonly Incident[]): string {
  const counts = SEVERITIES.map((s) => [s, incidents.filter((i) => i.severity === s).length] as const).filter(([, n]) => n > 0);
  const head = `${incidents.length} ${incidents.length === 1 ? 'incident' : 'incidents'}`;
  return counts.length ? `${head}: ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}` : head;
}

/** A Slack incoming-webhook message of incidents: `text` is the notification fallback, blocks carry the detail. */
export function slackIncidentMessage(part: readonly OutgoingIncident[], index = 0, total = 1): { text: string; blocks: unknown[] } {
  const incidents = part.map((p) => p.incident);
  const summary = incidentSummaryLine(incidents) + (total > 1 ? ` (part ${index + 1} of ${total})` : '');
  return {
    text: `Anomaly Hunter: ${summary}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(`Anomaly Hunter: ${summary}`, SLACK_LIMITS.headerText), emoji: true } },
      ...incidents.map(incidentSection),
      { type: 'context', elements: [{ type: 'mrkdwn', text: total > 1 ? `Data Anomaly Hunter · part ${index + 1} of ${total}` : 'Data Anomaly Hunter' }] },
    ],
  };
}

/**
 * An incident as an Alertmanager alert. Its alertname is the rule when one rule alone fired, else
 * `DataIncident`; labels carry the severity and the leading metric, annotations the summary, score, rows,
 * detectors and metrics.
 */
export function incidentAlert(it: OutgoingIncident, now: number) {
  const i = it.incident;
  const ruleOnly = i.detectors.length === 1 && i.detectors[0] === 'rule' && i.rules.length === 1;
  const labels: Record<string, string> = { alertname: ruleOnly ? i.rules[0] : 'DataIncident', severity: i.severity, source: 'anomaly-hunter' };
  const lead = i.metrics[0]?.metric;
  if (lead !== undefined) labels.metric = lead;
  const annotations: Record<string, string> = {
    summary: i.summary, score: String(i.score), rows: i.endRow > i.startRow ? `${i.startRow}-${i.endRow}` : String(i.startRow),
    detectors: i.detectors.join(','), metrics: i.metrics.map((m) => m.metric).join(','), findings: String(i.count),
  };
  return {
    status: 'firing' as const,
    labels,
    annotations,
    startsAt: i.start ?? isoOf(now) ?? ALERTMANAGER_ZERO_TIME,
    endsAt: ALERTMANAGER_ZERO_TIME,
    generatorURL: '',
    fingerprint: it.fingerprint,
  };
}
