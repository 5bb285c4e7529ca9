// No vscode import: the unit tests check package.json against this.

/**
 * True when a file of `bytes` is over `anomalyHunter.analyzeOnOpenMaxMB` (0: no limit), the one reading of the
 * setting for the editor's findings and the rules editor's data.
 */
export function overOpenLimit(bytes: number, limitMB: number): boolean {
  return limitMB > 0 && bytes > limitMB * 1024 * 1024;
}

/** The settings as package.json contributes them (kept in step with `Settings` by a unit test). */
export const SETTINGS_SCHEMA = {
  'anomalyHunter.seed': { type: 'integer', default: 0, minimum: 0, description: 'Seed of every randomised detector: the same data and seed always give the same results.' },
  'anomalyHunter.rulesFiles': { type: 'array', items: { type: 'string' }, default: ['**/rules.yaml', '**/*.rules.yaml', '**/*.rules.yml'], description: 'Glob patterns of the rules files that get diagnostics, hover, completion, quick fixes and CodeLens.' },
  'anomalyHunter.ruleTestFiles': { type: 'array', items: { type: 'string' }, default: ['**/*.test.yaml', '**/*.test.yml'], description: 'Glob patterns of rule test files (promtool\'s format) shown in the Test Explorer and run with Anomaly Hunter\'s engine.' },
  'anomalyHunter.defaultRulesFile': { type: 'string', default: '', description: 'A rules file applied to CSV files that no rules file names in its `data:` key (workspace-relative or absolute path).' },
  'anomalyHunter.analyzeOnOpen': { type: 'boolean', default: true, description: 'Analyse CSV files with numeric columns when they are opened, and show the findings in the editor.' },
  'anomalyHunter.analyzeOnOpenMaxMB': { type: 'number', default: 50, minimum: 0, description: 'CSV files larger than this many megabytes are not analysed on open; a notification offers to analyse them anyway. 0: no limit.' },
  'anomalyHunter.minSeverity': { type: 'string', enum: ['critical', 'major', 'minor', 'warning'], default: 'major', description: 'The default view: incidents at or above this severity are shown in the dashboard (its table can show more), in opened CSV files, in the Problems panel and the status bar, and are sent to webhooks. A band means a false-alarm rate on the data\'s own normal behaviour: critical less than once a month, major once a week, minor once a day, warning once an hour.' },
  'anomalyHunter.problems': { type: 'boolean', default: true, description: 'Also list the incidents in opened CSV files in the Problems panel (one Information entry per incident of the default view, so a rules file\'s errors stay on top). Turn off to keep only the editor decorations.' },
  'anomalyHunter.robustForecast': { type: 'boolean', default: false, description: "Forecaster: refit once without the points the first fit flags (Prophet's documentation advises removing outliers)." },
  'anomalyHunter.webhook.format': { type: 'string', enum: ['zapier', 'slack', 'alertmanager', 'alertmanager-api'], default: 'slack', description: 'Payload format of Send to Webhook (alertmanager-api: the URL is a running Alertmanager, e.g. http://alertmanager:9093, and incidents are posted to its /api/v2/alerts). The URL itself is a secret: set it with "Anomaly Hunter: Set Webhook URL" (stored in VS Code\'s secret storage) or the ANOMALY_HUNTER_WEBHOOK_URL environment variable.' },
  'anomalyHunter.webhook.minSeverity': { type: 'string', enum: ['critical', 'major', 'minor', 'warning'], default: 'warning', description: 'Send to Webhook sends only incidents at or above this severity, and never below anomalyHunter.minSeverity.' },
  'anomalyHunter.streaming.baseline': { type: 'boolean', default: false, description: 'Start Streaming also scores each row against a fitted baseline of each metric (its median, per hour of the day when that predicts other days, and its robust spread, fitted on the last two days of rows), refitted as anomalyHunter.streaming.retrainEvery says. The live dashboard then says which model version scored the rows and when it last retrained. Off: rows are scored by their novelty against the recent past only (as `anomaly-hunter stream` without --baseline).' },
  'anomalyHunter.streaming.retrainEvery': { type: 'string', default: '1d', pattern: '^\\s*([oO][fF][fF]|([0-9]+(ms|s|m|h|d|w|y))+)\\s*$', patternErrorMessage: 'A duration such as 6h, 1d or 1h30m, or off.', description: 'With anomalyHunter.streaming.baseline: refit the baseline every this much stream time (6h, 1d, …), and when a metric drifts from it (a Page-Hinkley test) on the rows since the drift began. off: fit once and keep that fit. As `anomaly-hunter stream --retrain-every`.' },
} as const;
