import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAnalysis, settingsFor } from '../../src/core/analyze.ts';
import type { AnalysisCache } from '../../src/core/analyzeSettings.ts';
import { sortAnomalies } from '../../src/core/anomaly.ts';
import type { Anomaly } from '../../src/core/anomaly.ts';
import type { Frame } from '../../src/core/csv/frame.ts';
import { retuneForecast, retuneIforest, tuningOf, TUNING_MAX_CONTAMINATION } from '../../src/core/tuning.ts';
import type { Tuning } from '../../src/core/tuning.ts';
import { sampleFrame } from './sampleFrame.ts';

/** What the webview does with the data the host posts: JSON there and back. */
function overJson(frame: Frame, tuning: Tuning): { frame: Frame; tuning: Tuning } {
  const f64 = (a: ArrayLike<number>): Float64Array => Float64Array.from(JSON.parse(JSON.stringify(Array.from(a, (v) => (Number.isFinite(v) ? v : null)))), (v: number | null) => (v === null ? NaN : v));
  const copy: Frame = { ...frame, timestamps: frame.timestamps ? f64(frame.timestamps) : null, values: frame.values.map(f64) };
  const t: Tuning = { key: tuning.key };
  if (tuning.iforest) t.iforest = { ...tuning.iforest, scores: f64(tuning.iforest.scores), shares: f64(tuning.iforest.shares), rows: Int32Array.from(tuning.iforest.rows) };
  if (tuning.forecast) {
    t.forecast = {};
    for (const [m, f] of Object.entries(tuning.forecast)) t.forecast[m] = { yhat: f64(f.yhat), sigma: f.sigma, yScale: f.yScale };
  }
  return { frame: copy, tuning: t };
}

const only = (list: Anomaly[], detector: string): Anomaly[] => list.filter((a) => a.detector === detector);

test('re-thresholding from tuning data gives exactly what a new analysis gives, for every contamination the slider reaches', () => {
  const frame = sampleFrame();
  const cache: AnalysisCache = {};
  const settings = settingsFor(null, { detectors: { forecast: false } });
  runAnalysis(frame, settings, { path: 'x.csv', sha256: '' }, cache);
  const raw = tuningOf(frame, cache, settings);
  assert.ok(raw?.iforest, 'tuning data for the forest');
  assert.equal(raw.forecast, undefined);
  const { frame: local, tuning } = overJson(frame, raw);
  const sorted = Float64Array.from(tuning.iforest!.scores).sort();
  for (const c of ['auto', 0.001, 0.01, 0.037, 0.05, TUNING_MAX_CONTAMINATION] as const) {
    const expected = only(runAnalysis(frame, settingsFor(null, { detectors: { forecast: false }, contamination: c }), { path: 'x.csv', sha256: '' }, {}).anomalies, 'iforest');
    const got = retuneIforest(local, tuning.iforest!, sorted, c);
    assert.ok(got, `covered at ${c}`);
    assert.deepEqual(got, expected, `contamination ${c}`);
    if (c !== 'auto') assert.ok(got.length > 0);
  }
  // Beyond what the data covers: the caller must ask the host.
  assert.equal(retuneIforest(local, tuning.iforest!, sorted, 0.3), null);
});

test('a new interval from tuning data gives exactly the forecaster\'s anomalies and band', () => {
  const frame = sampleFrame();
  const cache: AnalysisCache = {};
  const settings = settingsFor(null, { detectors: { iforest: false } });
  runAnalysis(frame, settings, { path: 'x.csv', sha256: '' }, cache);
  const raw = tuningOf(frame, cache, settings)!;
  assert.deepEqual(Object.keys(raw.forecast ?? {}), ['cpu', 'mem', 'net']);
  const { frame: local, tuning } = overJson(frame, raw);
  for (const interval of [0.5, 0.8, 0.9, 0.95, 0.99]) {
    const r = runAnalysis(frame, settingsFor(null, { detectors: { iforest: false }, interval }), { path: 'x.csv', sha256: '' }, {});
    const got = retuneForecast(local, tuning.forecast!, interval);
    assert.deepEqual(sortAnomalies(got.anomalies), only(r.anomalies, 'forecast'), `interval ${interval}`);
    for (const m of ['cpu', 'mem', 'net']) {
      const fc = r.forecast![m];
      for (const i of [0, 300, 861]) {
        assert.equal(tuning.forecast![m].yhat[i] - got.half[m], fc.lower[i]);
        assert.equal(tuning.forecast![m].yhat[i] + got.half[m], fc.upper[i]);
      }
    }
  }
});

test('no tuning data for a robust fit (its refit depends on the interval) nor when nothing ran', () => {
  const frame = sampleFrame();
  const cache: AnalysisCache = {};
  const settings = settingsFor(null, { detectors: { iforest: false }, robust: true });
  runAnalysis(frame, settings, { path: 'x.csv', sha256: '' }, cache);
  assert.equal(tuningOf(frame, cache, settings), undefined);
  const none = settingsFor(null, { detectors: { iforest: false, forecast: false } });
  assert.equal(tuningOf(frame, {}, none), undefined);
});

test('the tuning key changes with the fits and not with the thresholds', () => {
  const frame = sampleFrame();
  const cache: AnalysisCache = {};
  const a = settingsFor(null, { contamination: 0.01 });
  runAnalysis(frame, a, { path: 'x.csv', sha256: '' }, cache);
  const k1 = tuningOf(frame, cache, a)!.key;
  const b = settingsFor(null, { contamination: 0.05, interval: 0.9 });
  runAnalysis(frame, b, { path: 'x.csv', sha256: '' }, cache);
  assert.equal(tuningOf(frame, cache, b)!.key, k1);
  const c = settingsFor(null, { contamination: 0.05, trees: 50 });
  runAnalysis(frame, c, { path: 'x.csv', sha256: '' }, cache);
  assert.notEqual(tuningOf(frame, cache, c)!.key, k1);
});
