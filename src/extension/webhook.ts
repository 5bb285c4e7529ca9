import * as vscode from 'vscode';
import type { AnalysisResult } from '../core/analysisResult.ts';
import { incidentAlertIdentity, sendIncidents } from '../core/alerting/send.ts';
import { deliveryRecords } from '../core/history/deliveries.ts';
import { viewOf } from '../core/incidents/analysisView.ts';
import type { FetchLike } from '../core/alerting/deliver.ts';
import { checkWebhookUrl, maskUrl, scrubUrl } from '../core/alerting/url.ts';
import { checkAlertmanagerUrl } from '../core/alerting/alertmanagerApi.ts';
import { webhookFormatFor } from '../core/alerting/payloads.ts';
import { basename } from 'node:path';
import type { RulesFile } from '../core/rules/model.ts';
import type { Ctx } from './ctx.ts';
import { readSettings } from './settings.ts';
import { alertPolicy, withAlertState } from './alertState.ts';
import { webhookDestinationKey } from '../core/alerting/destination.ts';
import { reached } from './walkthrough.ts';
import { sourceOf } from './historySource.ts';

const SECRET_KEY = 'anomalyHunter.webhookUrl';
export const WEBHOOK_URL_ENV = 'ANOMALY_HUNTER_WEBHOOK_URL';

/** The webhook URL: VS Code's secret storage first, then the environment variable. Never logged. */
export async function webhookUrl(ctx: Ctx): Promise<string | undefined> {
  return (await ctx.ext.secrets.get(SECRET_KEY)) || process.env[WEBHOOK_URL_ENV] || undefined;
}

/** `anomalyHunter.setWebhookUrl`: asks for the URL (password box), checks it, keeps it in SecretStorage. */
export async function setWebhookUrl(ctx: Ctx): Promise<void> {
  const raw = await vscode.window.showInputBox({
    title: 'Anomaly Hunter: Webhook URL',
    prompt: 'Stored in VS Code\'s secret storage, never in settings. https only (http allowed for localhost).',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => {
      const c = readSettings().webhookFormat === 'alertmanager-api' ? checkAlertmanagerUrl(v.trim()) : checkWebhookUrl(v.trim());
      return c.ok ? null : c.reason;
    },
  });
  if (raw === undefined) return;
  await ctx.ext.secrets.store(SECRET_KEY, raw.trim());
  ctx.log.info(`webhook URL set (${maskUrl(raw.trim())})`);
  void vscode.window.showInformationMessage(`Anomaly Hunter: webhook URL saved (${maskUrl(raw.trim())}).`);
}

/** `anomalyHunter.clearWebhookUrl`. */
export async function clearWebhookUrl(ctx: Ctx): Promise<void> {
  await ctx.ext.secrets.delete(SECRET_KEY);
  ctx.log.info('webhook URL cleared');
  void vscode.window.showInformationMessage('Anomaly Hunter: webhook URL removed from secret storage.');
}

/** The outcome shown to the user: "Webhook sent ✓ (N incidents)" or the reason it failed. */
export interface WebhookReport { ok: boolean; text: string }

/**
 * Sends an analysis's incidents (one alert each, SPEC §7) through the alerting core with the rules file's alert
 * settings, at or above anomalyHunter.minSeverity and the webhook's own minimum; nothing in an untrusted workspace.
 */
export async function sendWebhook(ctx: Ctx, result: AnalysisResult, rules: RulesFile | null): Promise<WebhookReport> {
  if (!vscode.workspace.isTrusted) return { ok: false, text: 'Webhooks are not sent in an untrusted workspace (Workspace Trust).' };
  const url = await webhookUrl(ctx);
  if (!url) return { ok: false, text: 'No webhook URL: run "Anomaly Hunter: Set Webhook URL" or set ANOMALY_HUNTER_WEBHOOK_URL.' };
  const cfg = readSettings();
  const fromFile = rules?.alerts.webhook;
  const format = fromFile?.format ?? cfg.webhookFormat ?? webhookFormatFor(url);
  const check = format === 'alertmanager-api' ? checkAlertmanagerUrl(url) : checkWebhookUrl(url);
  if (!check.ok) return { ok: false, text: `Webhook URL refused: ${check.reason}` };
  const { incidents } = viewOf(result);
  const { minSeverity, throttleMs: throttle } = alertPolicy(cfg, rules);
  const source = { input: basename(result.input.path), rows: result.frame.rows };
  // Dedup and throttle per URL: another URL gets the incidents too, the same URL once.
  const outcome = await withAlertState(ctx, webhookDestinationKey(url), async (state) => {
    const sent = await sendIncidents(incidents, {
      format,
      source,
      minSeverity,
      throttleMs: throttle,
      state,
      url,
      fetch: globalThis.fetch as unknown as FetchLike,
      trusted: true,
    });
    // The history keeps what happened to each incident's alert (sent, throttled, deduplicated, failed and why).
    void ctx.history.recordDeliveries(deliveryRecords(incidents, {
      // Recorded against the clock the send selected at: a throttle window ending meanwhile changes nothing.
      minSeverity, throttleMs: throttle, state, now: sent.plannedAt,
      planned: sent.plannedFingerprints, identity: incidentAlertIdentity(format, source),
      delivered: sent.messages.delivered, reason: sent.reason === undefined ? undefined : scrubUrl(sent.reason, url),
      channel: format, destination: maskUrl(url), destinationKey: webhookDestinationKey(url), source: sourceOf(vscode.Uri.file(result.input.path)),
    }));
    return { out: sent, state: sent.state };
  });
  const summary = scrubUrl(outcome.summary, url);
  ctx.log.info(`webhook (${maskUrl(url)}): ${summary}`);
  if (outcome.ok) {
    reached('webhookSent');
    const n = outcome.delivered;
    return { ok: true, text: n ? `Webhook sent ✓ (${n} incident${n === 1 ? '' : 's'})` : `Nothing to send: ${summary}` };
  }
  return { ok: false, text: `Webhook failed: ${scrubUrl(outcome.reason ?? summary, url)}` };
}
