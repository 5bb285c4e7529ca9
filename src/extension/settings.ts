import * as vscode from 'vscode';
import type { Severity } from '../core/severity.ts';
import { SEVERITIES } from '../core/severity.ts';
import type { WebhookFormat } from '../core/alerting/payloads.ts';
import { WEBHOOK_FORMATS } from '../core/alerting/payloads.ts';
import { DEFAULT_MIN_SEVERITY } from '../core/incidents/view.ts';
import type { AlertDestination } from '../protocol.ts';
import { DEFAULT_RETRAIN_EVERY, parseRetrainEvery } from '../core/streaming/retraining.ts';

const isSeverity = (v: string): v is Severity => (SEVERITIES as readonly string[]).includes(v);

/** The extension's settings (package.json `contributes.configuration`), one line each. */
export interface Settings {
  /** Seed of every randomised detector. */
  seed: number;
  /** Globs of the rules files that get diagnostics, hover, completion and CodeLens. */
  rulesFiles: string[];
  /** A rules file applied to CSVs that no rules file names in `data:` (workspace-relative or absolute). */
  defaultRulesFile: string;
  /** Analyse CSV files when they are opened. */
  analyzeOnOpen: boolean;
  /** Files larger than this (MB) are not analysed on open; a notification offers "Analyze anyway". */
  analyzeOnOpenMaxMB: number;
  /** The default view's minimum severity (SPEC §7): the dashboard's default, the inline findings, Problems and webhooks. */
  minSeverity: Severity;
  /** Incidents in opened CSVs also appear in the Problems panel. */
  problems: boolean;
  /** Run the forecaster's robust mode (refit without the first fit's outliers). */
  robustForecast: boolean;
  /** Webhook payload format; null: `auto`, chosen by the URL (webhookFormatFor). */
  webhookFormat: WebhookFormat | null;
  /** Webhooks send only incidents at or above this severity, and never below `minSeverity`. */
  webhookMinSeverity: Severity;
  /** Where Send (the dashboard's button, the send command) delivers incidents. */
  alertDestination: AlertDestination;
  /** The email recipients as set (checked when sending: a bad address is a clear error, not a silent drop). */
  emailTo: unknown[];
  /** The sender address ('' : the SMTP login when it is an address, else anomaly-hunter@ the server's host). */
  emailFrom: string;
  /** Streaming also scores rows against the fitted, retrained baseline. */
  streamingBaseline: boolean;
  /** The baseline's retraining period in ms (null: off); a malformed value reads as the default. */
  retrainEveryMs: number | null;
}

/** The alert destinations of anomalyHunter.alertDestination. */
export const ALERT_DESTINATIONS: readonly AlertDestination[] = ['webhook', 'email', 'both'];

/** Reads the settings with their defaults, normalising anything malformed. */
export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('anomalyHunter');
  const globs = c.get<unknown>('rulesFiles');
  const fmt = c.get<string>('webhook.format', 'auto');
  const sev = c.get<string>('webhook.minSeverity', 'warning');
  const min = c.get<string>('minSeverity', DEFAULT_MIN_SEVERITY);
  const dest = c.get<string>('alertDestination', 'webhook');
  const to = c.get<unknown>('email.to');
  const every = parseRetrainEvery(String(c.get<string>('streaming.retrainEvery', DEFAULT_RETRAIN_EVERY)));
  return {
    seed: Math.max(0, Math.floor(c.get<number>('seed', 0) || 0)),
    rulesFiles: Array.isArray(globs) && globs.every((g) => typeof g === 'string') ? globs : ['**/rules.yaml', '**/*.rules.yaml', '**/*.rules.yml'],
    defaultRulesFile: c.get<string>('defaultRulesFile', '') || '',
    analyzeOnOpen: c.get<boolean>('analyzeOnOpen', true) !== false,
    analyzeOnOpenMaxMB: Math.max(0, c.get<number>('analyzeOnOpenMaxMB', 50) || 0),
    minSeverity: isSeverity(min) ? min : DEFAULT_MIN_SEVERITY,
    problems: c.get<boolean>('problems', true) !== false,
    robustForecast: c.get<boolean>('robustForecast', false) === true,
    webhookFormat: (WEBHOOK_FORMATS as readonly string[]).includes(fmt) ? fmt as WebhookFormat : null,
    webhookMinSeverity: isSeverity(sev) ? sev : 'warning',
    alertDestination: (ALERT_DESTINATIONS as readonly string[]).includes(dest) ? dest as AlertDestination : 'webhook',
    emailTo: Array.isArray(to) ? to : typeof to === 'string' && to ? [to] : [],
    emailFrom: (c.get<string>('email.from', '') || '').toString().trim(),
    streamingBaseline: c.get<boolean>('streaming.baseline', false) === true,
    retrainEveryMs: Number.isNaN(every) ? parseRetrainEvery(DEFAULT_RETRAIN_EVERY) : every,
  };
}
