import type { AnalysisResult } from '../core/analysisResult.ts';
import type { RulesFile } from '../core/rules/model.ts';
import type { Ctx } from './ctx.ts';
import { sendEmailAlert } from './emailAlerts.ts';
import { readSettings } from './settings.ts';
import type { WebhookReport } from './webhook.ts';
import { sendWebhook } from './webhook.ts';

/**
 * Send (the dashboard's button, anomalyHunter.sendWebhook): the incidents go where anomalyHunter.alertDestination
 * says, to the webhook, by email or both, each with its own dedup and throttle. One report for the notification.
 */
export async function sendAlerts(ctx: Ctx, result: AnalysisResult, rules: RulesFile | null): Promise<WebhookReport> {
  const where = readSettings().alertDestination;
  if (where === 'webhook') return sendWebhook(ctx, result, rules);
  if (where === 'email') return sendEmailAlert(ctx, result, rules);
  const [hook, mail] = [await sendWebhook(ctx, result, rules), await sendEmailAlert(ctx, result, rules)];
  return { ok: hook.ok && mail.ok, text: `${hook.text}. ${mail.text}` };
}
