import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atOwnSettings } from '../../src/extension/historyPolicy.ts';
import type { DashboardSettings } from '../../src/protocol.ts';

const own = (): DashboardSettings => ({ detectors: { iforest: true, forecast: true, rules: true }, contamination: 'calibrated', interval: 0.8, thresholds: {} });
const rules = new Map([['cpu-high', 90]]);

test('history: only analyses at the file\'s own settings are recorded, not what-ifs of the sliders and toggles', () => {
  assert.equal(atOwnSettings(own(), own(), rules), true);
  assert.equal(atOwnSettings({ ...own(), thresholds: { 'cpu-high': 90 } }, own(), rules), true, 'a slider back at the rule\'s own threshold');
  assert.equal(atOwnSettings({ ...own(), thresholds: { 'cpu-high': 85 } }, own(), rules), false);
  assert.equal(atOwnSettings({ ...own(), interval: 0.9 }, own(), rules), false);
  assert.equal(atOwnSettings({ ...own(), contamination: 0.01 }, own(), rules), false);
  assert.equal(atOwnSettings({ ...own(), detectors: { iforest: false, forecast: true, rules: true } }, own(), rules), false);
  assert.equal(atOwnSettings({ ...own(), detectors: { iforest: false, forecast: true, rules: true } }, { ...own(), detectors: { iforest: false, forecast: true, rules: true } }, rules), true, 'the rules file switched the forest off');
});
