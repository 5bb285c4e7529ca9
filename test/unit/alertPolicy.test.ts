import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertPolicy } from '../../src/extension/alertState.ts';
import type { RulesFile } from '../../src/core/rules/model.ts';
import type { Settings } from '../../src/extension/settings.ts';

const cfg = (over: Partial<Settings>): Settings => ({ minSeverity: 'major', webhookMinSeverity: 'warning', ...over }) as Settings;
const rules = (webhook: RulesFile['alerts']['webhook']): RulesFile => ({ alerts: { webhook } }) as RulesFile;

test('alert policy: the stricter minimum of the view and the alerts, the rules file before the settings', () => {
  assert.deepEqual(alertPolicy(cfg({}), null), { minSeverity: 'major', throttleMs: 0 });
  assert.deepEqual(alertPolicy(cfg({ webhookMinSeverity: 'critical' }), null), { minSeverity: 'critical', throttleMs: 0 });
  assert.deepEqual(alertPolicy(cfg({ webhookMinSeverity: 'warning' }), rules({ min_severity: 'critical', throttle: '10m' })), { minSeverity: 'critical', throttleMs: 600_000 });
  assert.deepEqual(alertPolicy(cfg({ minSeverity: 'minor' }), rules({ min_severity: 'warning', throttleMs: 5000 })), { minSeverity: 'minor', throttleMs: 5000 });
  assert.equal(alertPolicy(cfg({}), rules({ throttle: 'soon' })).throttleMs, 0, 'an unreadable throttle is none');
});
