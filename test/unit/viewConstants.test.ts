import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameOf } from '../../src/core/csv/frame.ts';
import { runAnalysis, settingsFor } from '../../src/core/analyze.ts';
import { analysisView } from '../../src/core/incidents/analysisView.ts';
import { VIEW_CONSTANTS } from '../../src/core/incidents/view.ts';
import type { View, ViewConstants } from '../../src/core/incidents/view.ts';
import { createRng } from '../../src/core/random.ts';
import type { Anomaly } from '../../src/core/anomaly.ts';

// The view's cross-validated constants (bench/incidentsCv.ts) reach the statistics they govern when given, and the
// view is today's when they are not.

const STEP = 5 * 60_000;
const T0 = Date.UTC(2025, 0, 6);
const SPIKES = [3, 7, 11].map((d) => d * 288 + 100);
const STUCK = 5 * 288 + 144;

/** Two weeks of two Gaussian 5-minute metrics; `a` spikes to 90 for 15 minutes on days 3, 7 and 11 and is stuck at 51.5 for 3 hours on day 5. */
function frame() {
  const rng = createRng(7);
  const n = 14 * 288;
  const a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) { a[i] = 50 + 5 * rng.normal(); b[i] = 10 + rng.normal(); }
  for (const s of SPIKES) for (let i = s; i < s + 3; i++) a[i] = 90;
  for (let i = STUCK; i < STUCK + 36; i++) a[i] = 51.5;
  return frameOf({ a, b }, Float64Array.from({ length: n }, (_, i) => T0 + i * STEP));
}

const result = runAnalysis(frame(), settingsFor(null, {}), { path: 'c.csv', sha256: '' });
const view = (k: Partial<ViewConstants>) => analysisView(result, 'major', undefined, k);
const stuck = (v: View) => v.incidents.filter((i) => /stuck near 51\.5/.test(i.summary) && i.startRow <= STUCK + 35 && i.endRow >= STUCK);
const spikes = (v: View) => SPIKES.map((s) => v.incidents.find((i) => i.startRow <= s + 2 && i.endRow >= s)?.severity ?? null);
const isLevel = (a: Anomaly) => / level (rises|drops) by /.test(a.message);
const key = (a: Anomaly) => `${a.row} ${a.metric} ${a.score} ${a.message}`;
const findings = (v: View, level: boolean) => v.findings.filter((a) => isLevel(a) === level).map(key);

test('view constants: the shipped values are the defaults, given or not, and give today\'s view of the frame', () => {
  assert.deepEqual({ ...VIEW_CONSTANTS }, { flatShare: 0.05, repeatsAllowed: 3, seasonSlotMs: 5 * 60_000, levelTrim: 0.05, discordSpanMs: 30 * 60_000, minFindings: 2 });
  const given = view({ ...VIEW_CONSTANTS });
  assert.deepEqual(given.findings, result.view!.findings);
  assert.deepEqual(given.incidents, result.view!.incidents);
  assert.equal(stuck(given).length, 1);
  assert.equal(stuck(given)[0].severity, 'critical');
  assert.deepEqual(spikes(given), ['critical', 'critical', 'critical']);
});

test('view constants: a constant given as undefined is not given (the shipped value, not NaN)', () => {
  const v = view({ flatShare: undefined, repeatsAllowed: undefined, seasonSlotMs: undefined, levelTrim: undefined, discordSpanMs: undefined, minFindings: undefined });
  assert.deepEqual(v.findings, result.view!.findings);
  assert.deepEqual(v.incidents, result.view!.incidents);
});

test('view constants: the flatness share decides whether a metric is stuck (and nothing else), also given through runAnalysis\'s settings', () => {
  // Flatness is at most ln(1000) here (the statistic's own floor): a share of 1e-4 asks for ln(10^4).
  const strict = view({ flatShare: 1e-4 });
  assert.deepEqual(stuck(strict), []);
  assert.deepEqual(strict.findings.map(key), result.view!.findings.filter((a) => !/barely moves/.test(a.message)).map(key));
  assert.deepEqual(spikes(strict), ['critical', 'critical', 'critical']);
  const viaSettings = runAnalysis(result.frame, { ...settingsFor(null, {}), viewConstants: { flatShare: 1e-4 } }, { path: 'c.csv', sha256: '' }).view!;
  assert.deepEqual(viaSettings.findings, strict.findings);
});

test('view constants: with no repeat allowed, three spikes of one size in two weeks are a pattern, not incidents', () => {
  assert.deepEqual(spikes(view({ repeatsAllowed: 0 })), [null, null, null]);
  assert.deepEqual(spikes(view({ repeatsAllowed: 4 })), ['critical', 'critical', 'critical']);
});

test('view constants: the level statistic\'s trim and the daily baseline\'s slot change the level findings and only them', () => {
  const shipped = result.view!;
  for (const k of [{ levelTrim: 0 }, { levelTrim: 0.25 }, { seasonSlotMs: 60 * 60_000 }]) {
    const v = view(k);
    assert.notDeepEqual(findings(v, true), findings(shipped, true), JSON.stringify(k));
    assert.deepEqual(findings(v, false), findings(shipped, false), JSON.stringify(k));
  }
});

test('view constants: the discord statistic\'s span sets its subsequences, and 0 turns it off', () => {
  const discord = (v: View) => v.findings.filter((a) => /looks like no other/.test(a.message));
  assert.ok(discord(result.view!).every((a) => /'s 30m around here looks like no other 30m/.test(a.message)));
  assert.ok(discord(result.view!).length > 0);
  const hour = discord(view({ discordSpanMs: 60 * 60_000 }));
  assert.ok(hour.length > 0 && hour.every((a) => /'s 1h around here looks like no other 1h/.test(a.message)));
  const off = view({ discordSpanMs: 0 });
  assert.deepEqual(discord(off), []);
  assert.deepEqual(spikes(off), ['critical', 'critical', 'critical']);
});

test('view constants: the findings a major incident needs — on clean data a lone finding (one row, one statistic) is minor, and its finding with it', () => {
  const rng = createRng(6);
  const n = 14 * 288;
  const a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) { a[i] = 50 + 5 * rng.normal(); b[i] = 10 + rng.normal(); }
  const clean = runAnalysis(frameOf({ a, b }, Float64Array.from({ length: n }, (_, i) => T0 + i * STEP)), settingsFor(null, {}), { path: 'c.csv', sha256: '' });
  const major = (v: View) => v.incidents.filter((i) => i.severity !== 'minor' && i.severity !== 'warning').map((i) => [i.startRow, i.count, i.score]);
  const one = analysisView(clean, 'major', undefined, { minFindings: 1 });
  assert.deepEqual(major(one), [[368, 3, 59.3], [2580, 1, 58.3]]);
  const shipped = clean.view!;
  assert.deepEqual(major(shipped), [[368, 3, 59.3]]);
  assert.deepEqual(shipped.incidents.find((i) => i.startRow === 2580)?.score, 49.9);
  // The lone finding is shown as its incident (its marker, decoration and hover say minor 49.9); every other finding is as measured.
  const lone = (v: View) => v.findings.filter((f) => f.row === 2580 && f.score >= 25).map((f) => [f.metric, f.score, f.severity]);
  assert.deepEqual(lone(one), [['b', 58.3, 'major']]);
  assert.deepEqual(lone(shipped), [['b', 49.9, 'minor']]);
  assert.deepEqual(shipped.findings.map((f) => (f.row === 2580 && f.score === 49.9 ? { ...f, score: 58.3, severity: 'major' } : f)), one.findings);
  assert.deepEqual(analysisView(clean, 'minor').shown.anomalies.filter((f) => f.row === 2580 && f.score >= 25).map((f) => f.severity), ['minor']);
  assert.deepEqual(major(analysisView(clean, 'major', undefined, { minFindings: 4 })), []);
});

test('level windows at coarse steps: named as what they span, and at steps of 2 h and more one statistic, not the same one twice', () => {
  const levelKeys = (stepMs: number) => {
    const rng = createRng(3);
    const n = 1500;
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = 20 + rng.normal() + (i >= 900 && i < 960 ? 6 : 0);
    const r = runAnalysis(frameOf({ a }, Float64Array.from({ length: n }, (_, i) => T0 + i * stepMs)), settingsFor(null, {}), { path: 'h.csv', sha256: '' });
    return Object.keys(r.view!.calibrations).filter((key) => key.startsWith('change')).sort();
  };
  const HOUR = 60 * 60_000;
  assert.deepEqual(levelKeys(5 * 60_000), ['change1h:a', 'change6h:a']);
  // The hour's window is 3 rows at hourly steps (was called 1h).
  assert.deepEqual(levelKeys(HOUR), ['change3h:a', 'change6h:a']);
  // Both windows are 3 rows at 2-hour steps (were change1h and change6h, the same statistic) and at 3-hour steps (9h).
  assert.deepEqual(levelKeys(2 * HOUR), ['change6h:a']);
  assert.deepEqual(levelKeys(3 * HOUR), ['change9h:a']);
});
