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
  'anomalyHunter.alertDestination': { type: 'string', enum: ['webhook', 'email', 'both'], enumDescriptions: ['The webhook set with "Anomaly Hunter: Set Webhook URL"', 'Email to anomalyHunter.email.to through the server set with "Anomaly Hunter: Set SMTP Server…"', 'Both'], default: 'webhook', description: 'Where the dashboard\'s Send button and "Anomaly Hunter: Send Incidents to Alert Destination" deliver the incidents. Each destination (webhook URL, list of recipients) has its own dedup and throttle: what was sent there is not sent there again.' },
  'anomalyHunter.email.to': { type: 'array', items: { type: 'string', pattern: '^[^\\s@<>()",;:\\\\\\[\\]]+@[A-Za-z0-9.\\[\\]:-]+$', patternErrorMessage: 'An email address: name@example.com' }, default: [], description: 'Recipients of incident emails (one address each, name@example.com). The SMTP server and its password are a secret: set them with "Anomaly Hunter: Set SMTP Server…" (stored in VS Code\'s secret storage) or the ANOMALY_HUNTER_SMTP_URL environment variable.' },
  'anomalyHunter.email.from': { type: 'string', default: '', description: 'Sender address of incident emails. Empty: the SMTP login when it is an address, else anomaly-hunter@ the server\'s host.' },
} as const;
