import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_DURATION_MS, durationError, parseDuration } from '../../src/core/rules/duration.ts';
import { loadPrometheusRuleFile } from '../../src/core/promrules/ruleFile.ts';
import { validateRules } from '../../src/core/rules/validate.ts';
import { needPromtool, promtool } from './promtool.ts';

// Prometheus's model.Duration is an int64 of nanoseconds: each boundary pair below checked with promtool 2.42.
const LONGEST = ['292y', '15250w', '106751d', '2562047h', '153722867m', '9223372036s', '9223372036854ms', '292y24w3d'];
const PAST = ['293y', '15251w', '106752d', '2562048h', '153722868m', '9223372037s', '9223372036855ms', '107000d', '9000000000h', '99999999999999999999ms'];

test('a duration past 2^63-1 ns is none: parseDuration NaN, durationError "duration out of range"; the longest are read', () => {
  for (const d of LONGEST) {
    assert.ok(parseDuration(d) <= MAX_DURATION_MS && parseDuration(d) > 0, d);
    assert.equal(durationError(d), null, d);
  }
  for (const d of PAST) {
    assert.ok(Number.isNaN(parseDuration(d)), d);
    assert.equal(durationError(d), 'duration out of range', d);
    assert.equal(durationError(d, false), 'duration out of range', d);
  }
});

test("Prometheus's form of a duration: units largest first, each once; empty is its own error; '0' and zero units are read", () => {
  assert.equal(durationError(''), 'empty duration string');
  for (const d of ['1m1h', '1h1h', '5m1d', '30s1m', '00', '1.5h', '5 m']) assert.equal(durationError(d), `not a valid duration string: "${d}"`, d);
  for (const d of ['0', '0s', '1y0w', '1h30m', '1d2h3m4s5ms']) assert.equal(durationError(d), null, d);
  // Ours (a rules file's durations) take any order.
  assert.equal(durationError('1m1h', false), null);
  assert.equal(parseDuration('1m1h'), 3_660_000);
});

const FILE = (value: string): string => `groups:
  - name: g
    rules:
      - alert: a
        expr: cpu > 1
        for: ${value}
`;

const CASES: [value: string, message: string | null][] = [
  ['293y', 'duration out of range'],
  ['107000d', 'duration out of range'],
  ['9000000000h', 'duration out of range'],
  ['1m1h', 'not a valid duration string: "1m1h"'],
  ['""', 'empty duration string'],
  ['292y24w', null],
  ['', null],
  ['~', null],
  ['0', null],
];

test('in a Prometheus rule file each is an error at the value in Prometheus\'s words, and the rule is not loaded', () => {
  for (const [value, message] of CASES) {
    const errors = validateRules(FILE(value)).diagnostics.filter((d) => d.severity === 'error').map((d) => [d.range.start.line, d.range.start.column, d.message]);
    assert.deepEqual(errors, message ? [[6, 14, `Prometheus rule file: ${message}`]] : [], value);
    assert.equal(loadPrometheusRuleFile(FILE(value)).rules.length, message ? 0 : 1, value);
  }
});

test('promtool check rules refuses each with the same words, and passes the others', (t) => {
  if (!needPromtool(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ah-duration-'));
  for (const [value, message] of CASES) {
    writeFileSync(join(dir, 'r.yml'), FILE(value));
    const r = promtool(['check', 'rules', 'r.yml'], dir);
    if (message) assert.ok(r.status === 1 && r.out.includes(message), `${value}: ${r.out}`);
    else assert.equal(r.status, 0, `${value}: ${r.out}`);
  }
});
