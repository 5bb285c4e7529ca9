/**
 * Alertmanager's own API as a destination (SPEC §3 `send --format alertmanager-api`, issue 16): incidents (or a
 * stream's anomalies) are POSTed as a JSON list of postable alerts to `/api/v2/alerts`
 * (prometheus.io/docs/alerting/latest/clients/ and Alertmanager's api/v2/openapi.yaml: `labels`, `annotations`,
 * `startsAt`, `endsAt`, `generatorURL`). Alertmanager then groups, silences and routes them. An alert is told
 * apart by its label set, so the incident id is a label: a later send of the same incident with `endsAt` set
 * resolves the same alert.
 */
import type { Anomaly } from '../anomaly.ts';
import { isoOf } from '../anomaly.ts';
import type { Incident } from '../incidents/incidents.ts';
import type { UrlCheck } from './url.ts';

/** Where the alerts came from (a results file's meta): the input's name, a link to see it, its rows. */
export interface AlertSource {
  /** The source file's name or the queries: the `input` label. */
  input?: string;
  /** A page that shows the data (a Prometheus graph of the queries): generatorURL and the `dashboard` annotation. */
  link?: string;
  /** Rows of the analysed data: an incident that ends before the last row is over (it gets `endsAt`). */
  rows?: number;
  /**
   * Epoch ms: the `endsAt` of an incident still going on (a stream that re-posts its open alerts sets it in the
   * future, as Prometheus does); without it an ongoing incident has no `endsAt` and Alertmanager's resolve_timeout
   * ends it unless it is sent again.
   */
  activeUntil?: number;
  /**
   * The labels each incident's alert was first sent with, by incident id (a send's history): an incident sent again
   * (its end) repeats them though its rules or severity changed since, so Alertmanager updates the same alert.
   */
  sentLabels?: ReadonlyMap<string, Record<string, string>>;
}

/** One alert as `POST /api/v2/alerts` takes it. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

/** The path the alerts go to. */
export const ALERTMANAGER_ALERTS_PATH = '/api/v2/alerts';

/**
 * Checks an Alertmanager URL (`http://host:9093`, a path prefix allowed): http or https on any host (the URL
 * holds no secret, unlike a webhook's), no credentials in it (fetch refuses them), no query or fragment.
 */
export function checkAlertmanagerUrl(raw: string | undefined | null): UrlCheck {
  const text = (raw ?? '').trim();
  if (text === '') return { ok: false, reason: 'no Alertmanager URL configured (e.g. --url http://localhost:9093)' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'the Alertmanager URL is not a valid absolute URL (e.g. http://localhost:9093)' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `the Alertmanager URL must be http or https, got ${url.protocol.replace(/:$/, '')}` };
  if (url.username || url.password) return { ok: false, reason: 'the Alertmanager URL must not hold a user name or password (user:pass@…): fetch refuses such URLs' };
  if (url.search || url.hash) return { ok: false, reason: 'the Alertmanager URL must not have a query or fragment (give its base, e.g. http://localhost:9093)' };
  return { ok: true, url };
}

/** The alerts endpoint under an Alertmanager base URL (a URL already ending with it is kept). */
export function alertmanagerAlertsUrl(raw: string): string {
  const url = new URL(raw.trim());
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(ALERTMANAGER_ALERTS_PATH) ? path : `${path}${ALERTMANAGER_ALERTS_PATH}`;
  return url.href;
}

/**
 * The source of a results file's meta: a Prometheus input (its path is the graph page of the queries) gives the
 * queries as `input` and the page as the link; a file gives its name, no link.
 */
export function alertSourceOf(meta: Record<string, unknown> | null): AlertSource {
  const input = meta?.input as { path?: unknown; rows?: unknown } | undefined;
  const out: AlertSource = {};
  if (typeof input?.rows === 'number' && Number.isInteger(input.rows)) out.rows = input.rows;
  const path = typeof input?.path === 'string' ? input.path : '';
  if (/^https?:\/\//.test(path)) {
    try {
      const url = new URL(path);
      const exprs = [...url.searchParams.entries()].filter(([k]) => /^g\d+\.expr$/.test(k)).map(([, v]) => v);
      if (exprs.length) out.input = exprs.join('; ');
      out.link = url.href;
    } catch {
      // Not a URL after all: no link.
    }
  } else if (path) {
    out.input = path.split(/[\\/]/).pop() ?? path;
  }
  return out;
}

/** Label values Alertmanager shows in lists: kept to a readable length. */
function label(text: string): string {
  return text.length > 200 ? text.slice(0, 199) + '…' : text;
}

/**
 * An incident as a postable alert. Labels: alertname (the rule when one rule alone fired, else DataIncident),
 * severity, metric (the leading one), rule, input, incident (its id), source. Annotations: summary, score,
 * detectors, metrics, dashboard (when the source has a page). `endsAt` only when the incident is over (it ends
 * before the last row of the data), so Alertmanager resolves it; an ongoing one gets `source.activeUntil` when
 * given, else none (it stays active for Alertmanager's resolve_timeout unless sent again).
 */
export function incidentPostableAlert(i: Incident, now: number, source: AlertSource = {}): PostableAlert {
  const ruleOnly = i.detectors.length === 1 && i.detectors[0] === 'rule' && i.rules.length === 1;
  const labels: Record<string, string> = { alertname: ruleOnly ? i.rules[0] : 'DataIncident', severity: i.severity, incident: label(i.id), source: 'anomaly-hunter' };
  const lead = i.metrics[0]?.metric;
  if (lead !== undefined) labels.metric = label(lead);
  if (i.rules.length) labels.rule = label(i.rules.join(','));
  if (source.input) labels.input = label(source.input);
  const annotations: Record<string, string> = {
    summary: i.summary, score: String(i.score), detectors: i.detectors.join(','), metrics: i.metrics.map((m) => m.metric).join(','),
  };
  if (source.link) annotations.dashboard = source.link;
  const first = source.sentLabels?.get(i.id);
  if (first) {
    // Sent before with other labels: the same alert keeps them; what it is now is said in annotations.
    if (first.severity !== labels.severity) annotations.severity = labels.severity;
    for (const k of Object.keys(labels)) delete labels[k];
    Object.assign(labels, first);
  }
  const startsAt = i.start ?? isoOf(now)!;
  const alert: PostableAlert = { labels, annotations, startsAt };
  if (incidentIsOver(i, source)) alert.endsAt = i.end ?? isoOf(now)!;
  else if (source.activeUntil !== undefined) alert.endsAt = isoOf(source.activeUntil)!;
  if (source.link) alert.generatorURL = source.link;
  return alert;
}

/** Whether an incident ended before the data's last row: then it is over, and Alertmanager is told so. */
export function incidentIsOver(i: Pick<Incident, 'endRow'>, source: AlertSource): boolean {
  return source.rows !== undefined && i.endRow < source.rows - 1;
}

const DETECTOR_ALERTNAME: Record<string, string> = { iforest: 'IsolationForestAnomaly', forecast: 'ForecastAnomaly', stream: 'StreamAnomaly' };

/** A stream's anomaly as a postable alert (no endsAt: Alertmanager resolves it after its resolve_timeout). */
export function anomalyPostableAlert(a: Anomaly, now: number, source: AlertSource = {}): PostableAlert {
  const labels: Record<string, string> = {
    alertname: a.detector === 'rule' ? (a.rule ?? 'rule') : DETECTOR_ALERTNAME[a.detector] ?? a.detector,
    severity: a.severity, source: 'anomaly-hunter',
  };
  if (a.metric !== null) labels.metric = label(a.metric);
  if (a.rule) labels.rule = label(a.rule);
  if (source.input) labels.input = label(source.input);
  const annotations: Record<string, string> = { summary: a.message, score: String(a.score) };
  if (a.value !== null) annotations.value = String(a.value);
  if (source.link) annotations.dashboard = source.link;
  const alert: PostableAlert = { labels, annotations, startsAt: a.timestamp ?? isoOf(now)! };
  if (source.link) alert.generatorURL = source.link;
  return alert;
}
