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
  assert.deepEqual(pkg.contributes.yamlValidation, [
    { fileMatch: ['rules.yaml', '*.rules.yaml', '*.rules.yml'], url: './rules/rules-file.schema.json' },
    { fileMatch: ['*.test.yaml', '*.test.yml'], url: './rules/ruletests.schema.json' },
  ]);
  assert.match(readFileSync(join(__dirname, '../../.vscodeignore'), 'utf8'), /^!rules\/rules\.schema\.json$/m);
  assert.match(readFileSync(join(__dirname, '../../.vscodeignore'), 'utf8'), /^!rules\/ruletests\.schema\.json$/m);
  assert.match(readFileSync(join(__dirname, '../../.vscodeignore'), 'utf8'), /^!rules\/rules-file\.schema\.json$/m);
});

test('the package ships every bundle the build writes, nodemailer (imported by the others when a mail is sent) included', () => {
  const allowed = readFileSync(join(__dirname, '../../.vscodeignore'), 'utf8');
  const build = readFileSync(join(__dirname, '../../esbuild.mjs'), 'utf8');
  const outfiles = [...build.matchAll(/outfile: '(dist\/[^']+\.js)'/g)].map((m) => m[1]).filter((f) => !f.startsWith('dist/webview/'));
  assert.ok(outfiles.includes('dist/nodemailer.js'));
  for (const f of outfiles) assert.match(allowed, new RegExp(`^!${f.replace(/[./]/g, '\\$&')}$`, 'm'), f);
});

test('the command palette offers Start Streaming only when not streaming and Stop Streaming only while streaming (the context key streaming.ts sets)', () => {
  const palette: { command: string; when?: string }[] = pkg.contributes.menus.commandPalette;
  const when = (id: string) => palette.find((m) => m.command === `anomalyHunter.${id}`)?.when;
  assert.equal(when('startStreaming'), '!anomalyHunter.streaming');
  assert.equal(when('stopStreaming'), 'anomalyHunter.streaming');
  const source = readFileSync(new URL('../../src/extension/streaming.ts', import.meta.url), 'utf8');
  assert.match(source, /executeCommand\('setContext', 'anomalyHunter\.streaming', on\)/);
  assert.match(source, /setContext\(true\)/);
  assert.match(source, /setContext\(false\)/);
});
