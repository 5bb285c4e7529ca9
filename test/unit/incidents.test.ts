import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameOf } from '../../src/core/csv/frame.ts';
import type { Frame } from '../../src/core/csv/frame.ts';
import { runAnalysis, settingsFor } from '../../src/core/analyze.ts';
import { calibratedScore, fitTail, rateOfScore, scoreOfRate, tailProbability } from '../../src/core/incidents/calibrate.ts';
import { buildIncidents } from '../../src/core/incidents/incidents.ts';
import type { FindingNote } from '../../src/core/incidents/incidents.ts';
import { analysisView } from '../../src/core/incidents/analysisView.ts';
import type { Anomaly } from '../../src/core/anomaly.ts';
import { createRng } from '../../src/core/random.ts';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { readFileSync } from 'node:fs';
import { severityRank } from '../../src/core/severity.ts';
import type { Severity } from '../../src/core/severity.ts';
import { allPairs, nearestByMeans } from '../../src/core/incidents/discord.ts';

const STEP = 5 * 60_000;
const T0 = Date.UTC(2025, 0, 6);

/** `days` of 5-minute rows of two clean metrics drawn by `draw` (row index, rng). */
function clean(days: number, draw: (i: number, rng: ReturnType<typeof createRng>) => [number, number], seed = 1): Frame {
  const rng = createRng(seed);
  const n = days * 288;
  const a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) [a[i], b[i]] = draw(i, rng);
  return frameOf({ a, b }, Float64Array.from({ length: n }, (_, i) => T0 + i * STEP));
}

function incidentsBySeverity(frame: Frame): Record<Severity, number> {
  const r = runAnalysis(frame, settingsFor(null, {}), { path: 'clean.csv', sha256: '' });
  const out: Record<Severity, number> = { critical: 0, major: 0, minor: 0, warning: 0 };
  for (const i of r.view!.incidents) out[i.severity]++;
  return out;
}

/** At least this severity, from the per-band counts. */
const atLeast = (c: Record<Severity, number>, s: Severity) => (['critical', 'major', 'minor', 'warning'] as Severity[]).filter((x) => severityRank(x) <= severityRank(s)).reduce((n, x) => n + c[x], 0);

const SHAPES: Record<string, (i: number, rng: ReturnType<typeof createRng>) => [number, number]> = {
  gaussian: (_i, rng) => [50 + 5 * rng.normal(), 10 + rng.normal()],
  // Heavy-tailed as latencies and byte counts are: log-normal and Laplace noise (a Gaussian threshold fires daily on these).
  'heavy-tailed': (_i, rng) => [20 * Math.exp(0.6 * rng.normal()), 5 + (rng.next() < 0.5 ? 1 : -1) * Math.log(1 - rng.next())],
  seasonal: (i, rng) => {
    const day = Math.sin((2 * Math.PI * i) / 288);
    return [40 + 20 * day + 2 * rng.normal(), 300 + 100 * day + 10 * rng.normal()];
  },
};

for (const [shape, draw] of Object.entries(SHAPES)) {
  test(`calibration: clean ${shape} data stays within each band's false-alarm budget`, () => {
    // Four 28-day files (112 days, 3.7 months): a band calibrated to its budget fires about that often, so
    // the totals are compared with the budgets plus Poisson slack (critical < once a month, major < once a
    // week, minor < once a day).
    const total: Record<Severity, number> = { critical: 0, major: 0, minor: 0, warning: 0 };
    for (const seed of [1, 2, 3, 4]) {
      const c = incidentsBySeverity(clean(28, draw, seed));
      for (const k of Object.keys(total) as Severity[]) total[k] += c[k];
    }
    const msg = `${shape}: ${JSON.stringify(total)}`;
    assert.ok(atLeast(total, 'critical') <= 112 / 30 + 3, msg);
    assert.ok(atLeast(total, 'major') <= 112 / 7 + 6, msg);
    assert.ok(atLeast(total, 'minor') <= 112 + 15, msg);
  });
}

test('calibration: constant data and a short perfectly periodic file report no incident', () => {
  const constant = frameOf({ a: new Float64Array(2000).fill(7), b: new Float64Array(2000).fill(1) }, Float64Array.from({ length: 2000 }, (_, i) => T0 + i * STEP));
  assert.deepEqual(runAnalysis(constant, settingsFor(null, {}), { path: 'c.csv', sha256: '' }).view!.incidents, []);
  const periodic = frameOf({ cpu: Float64Array.from({ length: 60 }, (_, i) => [10, 20, 30, 20][i % 4]) }, Float64Array.from({ length: 60 }, (_, i) => T0 + i * 60_000));
  const view = runAnalysis(periodic, settingsFor(null, {}), { path: 'p.csv', sha256: '' }).view!;
  assert.deepEqual(view.shown.incidents, []);
});

test('calibration: an injected spike in clean data is one critical incident, summarised', () => {
  const frame = clean(14, SHAPES.seasonal, 3);
  const col = frame.values[0];
  for (let i = 2000; i < 2004; i++) col[i] = 140;
  const view = runAnalysis(frame, settingsFor(null, {}), { path: 's.csv', sha256: '' }).view!;
  const hit = view.shown.incidents.filter((i) => i.startRow <= 2003 && i.endRow >= 2000);
  assert.equal(hit.length, 1);
  assert.equal(hit[0].severity, 'critical');
  assert.ok(hit[0].detectors.includes('forecast'));
  assert.equal(hit[0].metrics[0].metric, 'a');
  assert.match(hit[0].summary, /^a 140 for 20m, usually \d+(\.\d+)? ± [\d.]+ at this time; (forecaster only|2 detectors agree|forecaster, discord check and level check agree)$/);
  // The default view (major and above: rarer than once a week) of two clean weeks holds about two false incidents.
  assert.ok(view.shown.incidents.length <= 4, JSON.stringify(view.shown.incidents.map((i) => i.summary)));
});

test('discord: an hour of another shape at the usual level is found by the discord statistic alone', () => {
  // cpu swings through a 35-minute wave; for one hour it swings twice as fast (the same values, the same mean):
  // no value, residual, level or flatness is unusual there, only the shape.
  const rng = createRng(11);
  const n = 14 * 288;
  const cpu = new Float64Array(n), mem = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const fast = i >= 2000 && i < 2012;
    cpu[i] = 50 + 10 * Math.sin((2 * Math.PI * i) / (fast ? 3.5 : 7)) + 0.5 * rng.normal();
    mem[i] = 30 + rng.normal();
  }
  const frame = frameOf({ cpu, mem }, Float64Array.from({ length: n }, (_, i) => T0 + i * STEP));
  const hits = (discordSpanMs?: number) => {
    const view = runAnalysis(frame, { ...settingsFor(null, {}), viewConstants: discordSpanMs === undefined ? undefined : { discordSpanMs } }, { path: 'd.csv', sha256: '' }).view!;
    return view.shown.incidents;
  };
  const found = hits();
  assert.equal(found.length, 1);
  assert.ok(found[0].startRow <= 2011 && found[0].endRow >= 2000, `${found[0].startRow}-${found[0].endRow}`);
  assert.match(found[0].summary, /^cpu's 30m looks like no other 30m in the file/);
  assert.deepEqual(hits(0), []);
});

test('scoreOfRate maps the bands to false-alarm rates and rateOfScore inverts it', () => {
  assert.equal(scoreOfRate(1 / 30), 75);
  assert.equal(scoreOfRate(1 / 7), 50);
  assert.equal(scoreOfRate(1), 25);
  assert.equal(scoreOfRate(24), 3);
  assert.equal(scoreOfRate(1e-6), 100);
  assert.equal(scoreOfRate(1e4), 0);
  for (const s of [3, 10, 25, 40, 50, 75, 90]) assert.ok(Math.abs(scoreOfRate(rateOfScore(s)) - s) < 0.11, String(s));
});

test('fitTail extrapolates an exponential tail and ignores a few huge values', () => {
  const rng = createRng(5);
  const x = Float64Array.from({ length: 20000 }, () => -Math.log(1 - rng.next()));
  const t = fitTail(x)!;
  assert.ok(Math.abs(t.xi) < 0.1, `xi ${t.xi}`);
  // P(X > 12) = e^-12 for a unit exponential.
  assert.ok(Math.abs(Math.log(tailProbability(t, 12)) + 12) < 1.5, String(tailProbability(t, 12)));
  const spoiled = Float64Array.from(x);
  for (let i = 0; i < 10; i++) spoiled[i * 997] = 1000;
  const s = fitTail(spoiled)!;
  assert.ok(Math.abs(s.sigma - t.sigma) / t.sigma < 0.15 && Math.abs(s.xi - t.xi) < 0.15, JSON.stringify({ s, t }));
  assert.equal(fitTail([1, 2, 3]), null);
});

const finding = (row: number, detector: Anomaly['detector'], metric: string, score: number, rule?: string): Anomaly => ({
  row, timestamp: null, detector, metric, value: 1, score, severity: score >= 75 ? 'critical' : score >= 50 ? 'major' : score >= 25 ? 'minor' : 'warning', message: '', ...(rule ? { rule } : {}),
});

test('buildIncidents merges findings of every detector and metric less than the gap apart, scored by the rarest', () => {
  const frame = frameOf({ cpu: new Float64Array(100), memory: new Float64Array(100) });
  const list = [
    finding(10, 'forecast', 'cpu', 30), finding(12, 'iforest', 'memory', 80), finding(15, 'rule', 'cpu', 37, 'hot'),
    finding(40, 'forecast', 'memory', 10),
  ];
  const incidents = buildIncidents(list, frame, { gapRows: 10 });
  assert.equal(incidents.length, 2);
  const [a, b] = incidents;
  assert.deepEqual({ start: a.startRow, end: a.endRow, peak: a.peakRow, score: a.score, severity: a.severity, detectors: a.detectors, rules: a.rules, count: a.count },
    { start: 10, end: 15, peak: 12, score: 80, severity: 'critical', detectors: ['iforest', 'forecast', 'rule'], rules: ['hot'], count: 3 });
  assert.deepEqual(a.metrics, [{ metric: 'memory', share: 0.544 }, { metric: 'cpu', share: 0.456 }]);
  assert.equal(a.summary, 'memory 0 for 6 rows; cpu too; 3 detectors agree');
  assert.equal(a.id, 'row10/memory');
  assert.deepEqual([b.startRow, b.endRow, b.severity, b.summary], [40, 40, 'warning', 'memory 0; forecaster only']);
  assert.equal(buildIncidents(list, frame, { gapRows: 1 }).length, 4);
});

test('the summary gives the farthest value of the lead metric\'s findings on the peak\'s side of the usual, when the peak is not it', () => {
  const cpu = Float64Array.from({ length: 100 }, (_, i) => (i >= 10 && i <= 14 ? [97.38, 96.2, 98.46, 97.1, 61][i - 10] : 57));
  const frame = frameOf({ cpu });
  const at = (row: number, score: number): Anomaly => ({ ...finding(row, 'forecast', 'cpu', score), value: cpu[row] });
  const usual = () => ({ value: 57.7, spread: 4.13, seasonal: true });
  // Scores saturate: the first row leads on the tie, though row 12 went higher.
  const [up] = buildIncidents([at(10, 100), at(11, 100), at(12, 100), at(13, 100)], frame, { usual });
  assert.equal(up.peakRow, 10);
  assert.equal(up.summary, 'cpu up to 98.46 for 4 rows, usually 57.7 ± 4.13 at this time; forecaster only');
  // The peak is the farthest: as before.
  assert.match(buildIncidents([at(12, 100), at(13, 90)], frame, { usual })[0].summary, /^cpu 98\.46 for 2 rows, usually/);
  // A dip: the lowest value.
  const low = Float64Array.from({ length: 100 }, (_, i) => (i === 20 ? 9 : i === 21 ? 2 : 50));
  const dips = [20, 21].map((row) => ({ ...finding(row, 'forecast', 'cpu', 100), value: low[row] }));
  assert.match(buildIncidents(dips, frameOf({ cpu: low }), { usual: () => ({ value: 48, spread: 4, seasonal: false }) })[0].summary, /^cpu down to 2 for 2 rows, usually 48 ± 4;/);
  // No usual to tell the side: the peak's value, as written before.
  assert.match(buildIncidents([at(10, 100), at(12, 100)], frame)[0].summary, /^cpu 97\.38 for 3 rows;/);
});

test('minFindings: one row of one statistic alone is at most minor unless critical; two findings, a critical one or a rule keep their score', () => {
  const frame = frameOf({ cpu: new Float64Array(100), memory: new Float64Array(100) });
  const scored = (list: Anomaly[], minFindings?: number) => buildIncidents(list, frame, { minFindings }).map((i) => [i.score, i.severity]);
  const lone = finding(10, 'forecast', 'cpu', 60);
  assert.deepEqual(scored([lone], 2), [[49.9, 'minor']]);
  assert.deepEqual(scored([lone]), [[60, 'major']]);
  assert.deepEqual(scored([lone, finding(10, 'iforest', 'cpu', 30)], 2), [[60, 'major']]);
  assert.deepEqual(scored([lone, finding(14, 'forecast', 'cpu', 26)], 2), [[60, 'major']]);
  assert.deepEqual(scored([finding(10, 'forecast', 'cpu', 80)], 2), [[80, 'critical']]);
  assert.deepEqual(scored([finding(10, 'rule', 'cpu', 62, 'hot')], 2), [[62, 'major']]);
  assert.deepEqual(scored([finding(10, 'forecast', 'cpu', 40)], 2), [[40, 'minor']]);
  assert.deepEqual(scored([lone, finding(14, 'forecast', 'cpu', 26)], 3), [[49.9, 'minor']]);
});

test('an incident is summarised by the finding that says most when scores tie (a discord leads only on a higher score)', () => {
  const frame = frameOf({ cpu: Float64Array.from({ length: 100 }, (_, i) => (i >= 12 && i <= 14 ? 97 : 40)) });
  const shape = finding(10, 'forecast', 'cpu', 100);
  const value = finding(12, 'forecast', 'cpu', 100);
  const phrase = "cpu's 30m looks like no other 30m in the file";
  const summary = (list: Anomaly[], vague: boolean) => buildIncidents(list, frame, { note: (a) => (a.row === shape.row ? { phrase, vague } : undefined) })[0].summary;
  // Without the rule the earlier of the two tied findings leads, and its phrase says less than the value does.
  assert.match(summary([shape, value], false), /looks like no other/);
  assert.match(summary([shape, value], true), /^cpu 97 for 3 rows/);
  // A discord that scores higher still leads.
  assert.match(summary([shape, { ...value, score: 90 }], true), /looks like no other/);
});

test('a summary names the checks that found an incident, not only their detector', () => {
  const frame = frameOf({ cpu: new Float64Array(100), memory: new Float64Array(100) });
  const level: Anomaly = { ...finding(10, 'forecast', 'cpu', 60), check: 'level check' }, discord: Anomaly = { ...finding(11, 'forecast', 'cpu', 55), check: 'discord check' };
  const resid = finding(12, 'forecast', 'cpu', 50);
  const notes = new Map<Anomaly, FindingNote>([[level, { phrase: 'cpu level rises by 3 within 1h' }]]);
  const summary = (list: Anomaly[]) => buildIncidents(list, frame, { note: (a) => notes.get(a) })[0].summary;
  assert.equal(summary([level]), 'cpu level rises by 3 within 1h; level check only');
  assert.equal(summary([level, discord, resid]), 'cpu level rises by 3 within 1h (flagged for 3 rows); forecaster, discord check and level check agree');
  // A finding without a check is named by its detector; two detectors are counted as detectors.
  assert.equal(summary([resid]), 'cpu 0; forecaster only');
  assert.match(summary([level, finding(12, 'iforest', 'memory', 40)]), /; 2 detectors agree$/);
});

test('fitTail: a long anomaly is one event (runs declustering), +Infinity is skipped, and repeats of a value are not rare', () => {
  const rng = createRng(9);
  const x = Float64Array.from({ length: 10000 }, () => -Math.log(1 - rng.next()));
  const stuck = Float64Array.from(x);
  for (let i = 5000; i < 5300; i++) stuck[i] = 20; // 3 % of the rows at one extreme value
  const t = fitTail(stuck)!;
  const c = { tail: t, testsPerDay: 288 };
  assert.ok(calibratedScore(c, 20) >= 75, `a 300-row stretch at 20 scores ${calibratedScore(c, 20)}`);
  const inf = Float64Array.from(x);
  inf[10] = Infinity;
  const ti = fitTail(inf)!;
  assert.ok(Number.isFinite(ti.sigma) && Math.abs(ti.sigma - fitTail(x)!.sigma) / ti.sigma < 0.05, JSON.stringify(ti));
  // Fourteen similar spikes (a nightly job): the largest of them is no rarer than the others say.
  const nightly = Float64Array.from(x);
  for (let d = 0; d < 14; d++) nightly[300 + d * 700] = 30 + d * 0.2;
  const cn = { tail: fitTail(nightly)!, testsPerDay: 288 };
  assert.ok(calibratedScore(cn, 32.6) < 50, `the largest nightly spike scores ${calibratedScore(cn, 32.6)}`);
  // One spike at that size is extreme.
  const once = Float64Array.from(x);
  once[300] = 32.6;
  assert.ok(calibratedScore({ tail: fitTail(once)!, testsPerDay: 288 }, 32.6) >= 75);
});

test('calibration: short noisy files and an exactly linear column report no critical incident', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const rng = createRng(seed);
    const n = 1600;
    const frame = frameOf({ cpu: Float64Array.from({ length: n }, () => 50 + 3 * rng.normal()) }, Float64Array.from({ length: n }, (_, i) => T0 + i * 60_000));
    const view = runAnalysis(frame, settingsFor(null, {}), { path: 'n.csv', sha256: '' }).view!;
    assert.deepEqual(view.shown.incidents.map((i) => i.summary), [], `seed ${seed}`);
  }
  const linear = frameOf({ counter: Float64Array.from({ length: 3000 }, (_, i) => 1e6 + 300 * i) }, Float64Array.from({ length: 3000 }, (_, i) => T0 + i * 300_000));
  assert.deepEqual(runAnalysis(linear, settingsFor(null, {}), { path: 'l.csv', sha256: '' }).view!.shown.incidents, []);
});

test('a view reusing what an earlier one measured equals a fresh one when only the rules\' findings changed', () => {
  const frame = clean(14, SHAPES.seasonal, 7);
  const r = runAnalysis(frame, settingsFor(null, {}), { path: 'r.csv', sha256: '' });
  const rule = finding(3000, 'rule', 'a', 90, 'hot');
  const withRule = { ...r, anomalies: [...r.anomalies, rule] };
  const fresh = analysisView(withRule, 'major');
  const reused = analysisView(withRule, 'major', r.view);
  assert.deepEqual(JSON.parse(JSON.stringify(reused)), JSON.parse(JSON.stringify(fresh)));
  assert.ok(fresh.shown.incidents.some((i) => i.rules.includes('hot')));
  assert.equal(Object.keys(fresh).includes('measured'), false, 'what was measured is not serialised');
});

/** Two weeks of one 5-minute metric whose noise is ten times smaller at night than by day (a service idle at night). */
function quietNights(seed: number): Frame {
  const rng = createRng(seed);
  const n = 14 * 288;
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const hour = ((i * 5) / 60) % 24;
    const day = hour >= 7 && hour < 21;
    a[i] = 30 + (day ? 20 : 0) + (day ? 4 : 0.4) * rng.normal();
  }
  return frameOf({ a }, Float64Array.from({ length: n }, (_, i) => T0 + i * STEP));
}

const stuckIncidents = (frame: Frame, metrics?: string[]) => runAnalysis(frame, settingsFor(null, { metrics }), { path: 'f.csv', sha256: '' }).view!.incidents
  .filter((i) => /stuck near/.test(i.summary) && severityRank(i.severity) <= severityRank('minor')).map((i) => `${i.summary} ${i.score}`);

test('flatness: a metric that is always quiet at night is not "stuck" at night', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) assert.deepEqual(stuckIncidents(quietNights(seed)), [], `seed ${seed}`);
});

test('flatness: the sample\'s cpu, moving half as much as usual for half an hour, is not "stuck"', () => {
  const { frame } = parseCsv(readFileSync(new URL('../../sample-data/stream.csv', import.meta.url), 'utf8'));
  assert.deepEqual(stuckIncidents(frame!, ['cpu']), []);
});

test('flatness: a metric stuck for three hours by day is found and called stuck', () => {
  const frame = quietNights(1);
  const at = 5 * 288 + 12 * 12;
  for (let i = at; i < at + 36; i++) frame.values[0][i] = 51.5;
  const view = runAnalysis(frame, settingsFor(null, {}), { path: 'q.csv', sha256: '' }).view!;
  const hit = view.shown.incidents.filter((i) => i.startRow <= at + 35 && i.endRow >= at);
  assert.equal(hit.length, 1, JSON.stringify(view.shown.incidents.map((i) => i.summary)));
  assert.match(hit[0].summary, /^a stuck near 51\.5/);
});

test('calibration: three spikes of one size in two weeks are three incidents in the default view; one every day is a pattern', () => {
  const spiked = (days: number[]) => {
    const frame = clean(14, SHAPES.gaussian, 7);
    for (const d of days) for (let i = d * 288 + 100; i < d * 288 + 103; i++) frame.values[0][i] = 90;
    return runAnalysis(frame, settingsFor(null, {}), { path: 's.csv', sha256: '' }).view!;
  };
  const three = spiked([3, 7, 11]);
  for (const d of [3, 7, 11]) {
    const hit = three.shown.incidents.filter((i) => i.startRow <= d * 288 + 102 && i.endRow >= d * 288 + 100);
    assert.equal(hit.length, 1, `day ${d}: ${JSON.stringify(three.incidents.filter((i) => Math.abs(i.startRow - d * 288 - 100) < 20).map((i) => `${i.summary} ${i.score}`))}`);
  }
  const daily = spiked(Array.from({ length: 14 }, (_, d) => d));
  assert.equal(daily.shown.incidents.filter((i) => (i.startRow % 288) >= 90 && (i.startRow % 288) <= 103).length, 0);
});

test("level change: the sample's 25-minute outage is an incident from its first row, not from an hour-long window's first row that holds part of it", () => {
  const { frame } = parseCsv(readFileSync(new URL('../../sample-data/stream.csv', import.meta.url), 'utf8'));
  const labels = JSON.parse(readFileSync(new URL('../../sample-data/stream.labels.json', import.meta.url), 'utf8')) as { anomalies: { kind: string; startRow: number; endRow: number }[] };
  const outage = labels.anomalies.find((a) => a.kind === 'outage')!;
  const view = runAnalysis(frame!, settingsFor(null, {}), { path: 'stream.csv', sha256: '' }).view!;
  const hit = view.shown.incidents.filter((i) => i.startRow <= outage.endRow && i.endRow >= outage.startRow);
  assert.equal(hit.length, 1, JSON.stringify(hit.map((i) => i.summary)));
  // The look-ahead windows flagged rows up to 42 minutes before it (an hour whose mean the outage already lowers).
  assert.ok(hit[0].startRow >= outage.startRow - 10, `starts at row ${hit[0].startRow}, the outage at ${outage.startRow}`);
  assert.ok(hit[0].endRow <= outage.endRow + 30, `ends at row ${hit[0].endRow}, the outage at ${outage.endRow}`);
});

test('level change: a day whose daily pattern jumps to twice its height is a major incident, not a minor one', () => {
  // NAB's art_daily_jumpsup in shape: a square daily pattern, low 20 at night with noise of 1, high 70 by day with
  // noise of 5 (its edges a row or two early or late on some days); on day 10 the day's high reaches 140. A level
  // statistic on values clipped at a few spreads of the whole series (the quiet nights' spread) saw the day's
  // noise and the jump alike at the clip, and scored the jump minor.
  const rng = createRng(3);
  const n = 14 * 288;
  const a = new Float64Array(n), b = new Float64Array(n);
  const jitter = Array.from({ length: 28 }, () => Math.floor(rng.next() * 5) - 2);
  const high = (i: number) => (i % 288) >= 96 + jitter[2 * Math.floor(i / 288)] && (i % 288) < 216 + jitter[2 * Math.floor(i / 288) + 1];
  for (let i = 0; i < n; i++) {
    a[i] = high(i) ? (Math.floor(i / 288) === 10 ? 140 : 70) + 5 * rng.normal() : 20 + rng.normal();
    b[i] = 10 + rng.normal();
  }
  const frame = frameOf({ a, b }, Float64Array.from({ length: n }, (_, i) => T0 + i * STEP));
  const view = runAnalysis(frame, settingsFor(null, {}), { path: 'jumps.csv', sha256: '' }).view!;
  const day = [10 * 288 + 94, 10 * 288 + 217];
  // The day's rise and its fall back are one event or two.
  const hit = view.shown.incidents.filter((i) => i.startRow <= day[1] + 12 && i.endRow >= day[0]);
  assert.ok(hit.length >= 1, JSON.stringify(view.incidents.filter((i) => i.startRow <= day[1] && i.endRow >= day[0]).map((i) => `${i.summary} ${i.score}`)));
  assert.ok(hit[0].startRow >= day[0] - 10, `starts at row ${hit[0].startRow}, the change at ${day[0]}`);
});

test('discord: the search in the order of means finds the same nearest subsequences as comparing every pair', () => {
  const rng = createRng(11);
  const shapes: Record<string, Float64Array> = {};
  // A random walk, a noisy daily wave with a repeated stretch and a flat stretch, and a series of exact repeats (ties).
  const n = 3000;
  const walk = new Float64Array(n);
  for (let i = 1; i < n; i++) walk[i] = walk[i - 1] + rng.normal();
  shapes.walk = walk;
  const wave = new Float64Array(n);
  for (let i = 0; i < n; i++) wave[i] = 10 * Math.sin((2 * Math.PI * i) / 288) + rng.normal();
  wave.copyWithin(2000, 500, 560);
  wave.fill(3, 1200, 1300);
  shapes.wave = wave;
  shapes.repeats = Float64Array.from({ length: n }, (_, i) => [1, 4, 2, 8, 5][i % 5]);
  // Counts on a daily wave: subsequences at exactly the same distance (integers: both searches compute them exactly).
  shapes.counts = Float64Array.from({ length: n }, (_, i) => Math.round(200 + 80 * Math.sin((2 * Math.PI * i) / 288) + 3 * rng.normal()));
  for (const [name, x] of Object.entries(shapes)) {
    for (const L of [4, 6]) {
      const m = n - L + 1;
      const fast = { best: new Float64Array(m), nn: new Int32Array(m) };
      const all = { best: new Float64Array(m), nn: new Int32Array(m) };
      const searched = nearestByMeans(x, L, m, fast.best, fast.nn);
      if (name !== 'repeats') assert.ok(searched, `${name}: within its budget`);
      if (!searched) continue;
      allPairs(x, L, m, all.best, all.nn);
      const integers = x.every(Number.isInteger);
      for (let i = 0; i < m; i++) {
        // The distances agree to round-off (the diagonal recurrence is a little less exact).
        assert.ok(Math.abs(fast.best[i] - all.best[i]) <= 1e-7 * (1 + all.best[i]), `${name} L=${L} i=${i}: ${fast.best[i]} vs ${all.best[i]}`);
        assert.ok(Math.abs(fast.nn[i] - i) >= L, `${name}: no overlapping neighbour`);
        // Exact ties are decided alike (the nearer in time, then the earlier): the same neighbour, so the same rows flagged.
        if (integers) assert.equal(fast.nn[i], all.nn[i], `${name} L=${L} i=${i}`);
      }
    }
  }
});

test('discord: a gap of missing values is no discord (half hours with a filled-in bin are not reported)', () => {
  const STEP = 5 * 60_000, T0 = Date.UTC(2025, 0, 6), n = 14 * 288;
  const rng = createRng(4);
  const cpu = new Float64Array(n);
  for (let i = 0; i < n; i++) cpu[i] = 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + 2 * rng.normal();
  for (let i = 2000; i < 2036; i++) cpu[i] = NaN;
  const frame = frameOf({ cpu }, Float64Array.from({ length: n }, (_, i) => T0 + i * STEP));
  const view = runAnalysis(frame, settingsFor(null, {}), { path: 'g.csv', sha256: '' }).view!;
  const near = view.findings.filter((a) => /looks like no other/.test(a.message) && a.row > 1980 && a.row < 2060);
  assert.deepEqual(near.map((a) => a.row), []);
});
