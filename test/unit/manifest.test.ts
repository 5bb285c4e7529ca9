import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS_SCHEMA } from '../../src/extension/settingsSchema.ts';
import { VERSION } from '../../src/core/version.ts';

const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));

test('package.json contributes exactly the settings the extension reads', () => {
  assert.deepEqual(pkg.contributes.configuration.properties, JSON.parse(JSON.stringify(SETTINGS_SCHEMA)));
});

test('the version written into exports is package.json\'s', () => {
  assert.equal(VERSION, pkg.version);
});

test('every SPEC §6 command is contributed under the Anomaly Hunter category', () => {
  const ids = pkg.contributes.commands.map((c: { command: string; category: string }) => (assert.equal(c.category, 'Anomaly Hunter'), c.command));
  for (const id of ['analyzeCsv', 'analyzePrometheus', 'setPrometheusToken', 'openDashboard', 'exportResults', 'sendWebhook', 'setWebhookUrl', 'clearWebhookUrl', 'validateRules', 'startStreaming', 'stopStreaming']) {
    assert.ok(ids.includes(`anomalyHunter.${id}`), id);
  }
});

test('the rules schema is contributed to YAML tooling and shipped in the package', () => {
  assert.deepEqual(pkg.contributes.yamlValidation, [{ fileMatch: ['rules.yaml', '*.rules.yaml', '*.rules.yml'], url: './rules/rules.schema.json' }]);
  assert.match(readFileSync(join(__dirname, '../../.vscodeignore'), 'utf8'), /^!rules\/rules\.schema\.json$/m);
});
