import * as vscode from 'vscode';
import type { Severity } from '../core/severity.ts';
import type { WebhookFormat } from '../core/alerting/payloads.ts';

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
  /** Findings in opened CSVs also appear in the Problems panel. */
  problems: boolean;
  /** Run the forecaster's robust mode (refit without the first fit's outliers). */
  robustForecast: boolean;
  /** Webhook payload format. */
  webhookFormat: WebhookFormat;
  /** Only anomalies at or above this severity are sent. */
  webhookMinSeverity: Severity;
}

/** Reads the settings with their defaults, normalising anything malformed. */
export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('anomalyHunter');
  const globs = c.get<unknown>('rulesFiles');
  const fmt = c.get<string>('webhook.format', 'slack');
  const sev = c.get<string>('webhook.minSeverity', 'warning');
  return {
    seed: Math.max(0, Math.floor(c.get<number>('seed', 0) || 0)),
    rulesFiles: Array.isArray(globs) && globs.every((g) => typeof g === 'string') ? globs : ['**/rules.yaml', '**/*.rules.yaml', '**/*.rules.yml'],
    defaultRulesFile: c.get<string>('defaultRulesFile', '') || '',
    analyzeOnOpen: c.get<boolean>('analyzeOnOpen', true) !== false,
    analyzeOnOpenMaxMB: Math.max(0, c.get<number>('analyzeOnOpenMaxMB', 50) || 0),
    problems: c.get<boolean>('problems', true) !== false,
    robustForecast: c.get<boolean>('robustForecast', false) === true,
    webhookFormat: (['zapier', 'slack', 'alertmanager'].includes(fmt) ? fmt : 'slack') as WebhookFormat,
    webhookMinSeverity: (['critical', 'major', 'minor', 'warning'].includes(sev) ? sev : 'warning') as Severity,
  };
}
