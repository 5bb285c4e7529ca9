import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forecastCommand } from '../../src/cli/commands/forecast.ts';
import { InputError, UsageError } from '../../src/node/errors.ts';
import { detectForecast, fitForecast, forecastScore, predictForecast } from '../../src/core/detectors/forecast.ts';
import { prophetAutoSeasonalities } from '../../src/core/detectors/forecast/seasonality.ts';
import { frameOf } from '../../src/core/csv/frame.ts';
import { createRng } from '../../src/core/random.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

function times(n: number, stepMs: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => T0 + i * stepMs);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Noise plus a trend whose slope changes at random: gives the fit non-zero rate changes. */
function wanderingSeries(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const y = new Float64Array(n);
  let level = 50;
  let slope = 0;
  for (let i = 0; i < n; i++) {
    if (i % 50 === 0) slope = rng.normal() * 0.2;
    level += slope;
    y[i] = level + rng.normal();
  }
  return y;
}

describe('fitForecast known answers', () => {
  test('a pure linear series is fitted exactly, in the history and past it', () => {
    const n = 200;
    const t = Float64Array.from({ length: n }, (_, i) => i);
    const y = Float64Array.from(t, (i) => 3 + 0.5 * i);
    const model = fitForecast(t, y);
    assert.equal(model.timeUnit, 'index');
    assert.deepEqual(model.seasonalities, []);
    const future = Float64Array.from({ length: 250 }, (_, i) => i);
    const { yhat } = predictForecast(model, future);
    assert.ok(maxAbsDiff(yhat, Float64Array.from(future, (i) => 3 + 0.5 * i)) < 1e-6, `max error ${maxAbsDiff(yhat, future.map((i) => 3 + 0.5 * i))}`);
  });

  test('a sine with a 1-day period is found by the daily term', () => {
    const t = times(4 * 288, 5 * MIN);
    const y = Float64Array.from(t, (ms) => 10 + 3 * Math.sin((2 * Math.PI * ms) / DAY));
    const model = fitForecast(t, y);
    assert.deepEqual(model.seasonalities.map((s) => s.name), ['daily']);
    // Daily features are [sin 1, cos 1, sin 2, cos 2, …] of 2π·days since the epoch, on y / max|y| = y / 13.
    const coef = Array.from(model.beta, (b) => b * model.yScale);
    assert.ok(Math.abs(coef[0] - 3) < 1e-3, `sin 1 coefficient ${coef[0]}`);
    for (const c of coef.slice(1)) assert.ok(Math.abs(c) < 1e-3, `other coefficients ${coef}`);
    const { yhat } = predictForecast(model, t);
    assert.ok(maxAbsDiff(yhat, y) < 1e-3);
  });

  test('a level shift produces rate changes only around it, centred on it: up before, down after', () => {
    const rng = createRng(7);
    const n = 10 * 24;
    const t = times(n, HOUR);
    const shift = 100;
    const y = Float64Array.from({ length: n }, (_, i) => (i < shift ? 10 : 20) + 0.1 * rng.normal());
    const model = fitForecast(t, y, { daily: false });
    const shiftT = (t[shift] - model.start) / model.tScale;
    const spacing = model.changepoints[1] - model.changepoints[0];
    // The Laplace prior makes a step cost Σ|δ|/τ, so the fit is a ramp: a few changes bracketing the shift.
    const big = Math.max(...Array.from(model.delta, Math.abs));
    let weight = 0;
    let centre = 0;
    model.delta.forEach((d, j) => {
      const at = model.changepoints[j];
      if (Math.abs(d) < 0.01 * big) return;
      assert.ok(Math.abs(at - shiftT) < 0.15, `change ${d} at ${at}, shift at ${shiftT}`);
      assert.ok(at < shiftT ? d > 0 : d < 0, `change ${d} at ${at}, shift at ${shiftT}`);
      weight += Math.abs(d);
      centre += Math.abs(d) * at;
    });
    assert.ok(Math.abs(centre / weight - shiftT) < spacing, `centre ${centre / weight}, shift ${shiftT}`);
    const { yhat } = predictForecast(model, t);
    assert.ok(Math.abs(yhat[0] - 10) < 0.5 && Math.abs(yhat[n - 1] - 20) < 0.5, `ends ${yhat[0]}, ${yhat[n - 1]}`);
  });

  test('Prophet’s auto-seasonality rules switch on 1-day, 3-day, 3-week and 2-year spans', () => {
    const names = (n: number, step: number): string[] =>
      fitForecast(times(n, step), wanderingSeries(n, 1)).seasonalities.map((s) => s.name);
    assert.deepEqual(names(288, 5 * MIN), []); // 1 day: too short for daily
    assert.deepEqual(names(3 * 288, 5 * MIN), ['daily']);
    assert.deepEqual(names(21 * 24, HOUR), ['daily', 'weekly']);
    assert.deepEqual(names(731, DAY), ['weekly', 'yearly']); // a daily step cannot show a daily cycle
    assert.deepEqual(prophetAutoSeasonalities(730, 1), { daily: false, weekly: true, yearly: true });
    assert.deepEqual(prophetAutoSeasonalities(13.9, 1 / 24), { daily: true, weekly: false, yearly: false });
    assert.deepEqual(prophetAutoSeasonalities(30, 7), { daily: false, weekly: false, yearly: false });
  });

  test('seasonalities can be forced on and off, and row-index time has none unless forced', () => {
    const t = times(3 * 288, 5 * MIN);
    const y = wanderingSeries(t.length, 2);
    assert.deepEqual(fitForecast(t, y, { daily: false, weekly: true }).seasonalities.map((s) => s.name), ['weekly']);
    const idx = Float64Array.from({ length: 100 }, (_, i) => i);
    assert.deepEqual(fitForecast(idx, y.subarray(0, 100)).seasonalities.map((s) => s.name), []);
    assert.deepEqual(fitForecast(idx, y.subarray(0, 100), { weekly: true }).seasonalities.map((s) => [s.name, s.order]), [['weekly', 3]]);
  });

  test('the interval is noise only in the history and widens past its end', () => {
    const n = 400;
    const t = times(n, HOUR);
    const model = fitForecast(t, wanderingSeries(n, 3), { daily: false });
    const ahead = times(n + 200, HOUR);
    const { lower, upper } = predictForecast(model, ahead);
    const width = (i: number): number => upper[i] - lower[i];
    // 80 % band of N(0, σ²): 2·1.2816·σ.
    assert.ok(Math.abs(width(0) - 2 * 1.2815515655 * model.sigma * model.yScale) < 1e-6);
    assert.ok(Math.abs(width(n - 1) - width(0)) < 1e-9);
    assert.ok(width(n + 199) > 1.5 * width(n - 1), `history ${width(n - 1)}, end ${width(n + 199)}`);
    // The band past the end is the last fold's errors per horizon bin: wider than the history's everywhere, not
    // necessarily growing from one bin to the next.
    for (let i = n; i < n + 200; i++) assert.ok(width(i) > width(n - 1), `row ${i}: ${width(i)}`);
  });

  test('missing values and gaps are skipped in the fit and still predicted', () => {
    const n = 3 * 288;
    const t = times(n, 5 * MIN);
    const clean = Float64Array.from(t, (ms) => 10 + 3 * Math.sin((2 * Math.PI * ms) / DAY));
    const y = Float64Array.from(clean);
    for (let i = 100; i < 160; i++) y[i] = NaN;
    y[500] = NaN;
    const model = fitForecast(t, y);
    assert.equal(model.points, n - 61);
    const { yhat, lower, upper } = predictForecast(model, t);
    assert.ok(maxAbsDiff(yhat, clean) < 1e-3);
    assert.ok(Number.isFinite(lower[120]) && Number.isFinite(upper[120]));
    const nanTime = predictForecast(model, new Float64Array([NaN, t[0]]));
    assert.deepEqual([nanTime.yhat[0], nanTime.lower[0], nanTime.upper[0]], [NaN, NaN, NaN]);
    // Irregular timestamps: every third point dropped from the time axis entirely.
    const keep = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 1);
    const irregular = fitForecast(Float64Array.from(keep, (i) => t[i]), Float64Array.from(keep, (i) => clean[i]));
    assert.ok(maxAbsDiff(predictForecast(irregular, t).yhat, clean) < 1e-3);
  });

  test('the same seed gives the same band byte for byte; with method prophet another seed another future band', () => {
    const n = 300;
    const t = times(n, HOUR);
    const y = wanderingSeries(n, 4);
    const ahead = times(n + 100, HOUR);
    for (const method of ['cv', 'prophet'] as const) {
      const a = predictForecast(fitForecast(t, y, { seed: 5, method }), ahead);
      const b = predictForecast(fitForecast(t, y, { seed: 5, method }), ahead);
      assert.deepEqual(a, b);
      assert.ok(a.upper.subarray(n).every((u, i) => u >= a.yhat[n + i] && u > a.lower[n + i]) && a.lower.subarray(n).every((l, i) => l <= a.yhat[n + i]));
    }
    const a = predictForecast(fitForecast(t, y, { seed: 5, method: 'prophet' }), ahead);
    const c = predictForecast(fitForecast(t, y, { seed: 6, method: 'prophet' }), ahead);
    assert.deepEqual(c.yhat, a.yhat);
    assert.deepEqual(c.lower.subarray(0, n), a.lower.subarray(0, n));
    assert.notDeepEqual(c.upper.subarray(n), a.upper.subarray(n));
    // The cross-validated band has no randomness: the seed does not change it.
    const cv5 = predictForecast(fitForecast(t, y, { seed: 5 }), ahead);
    const cv6 = predictForecast(fitForecast(t, y, { seed: 6 }), ahead);
    assert.deepEqual(cv5, cv6);
  });

  test('past the history the cross-validated 80 % band holds about 80 % of the held-out values; Prophet\'s band, too few on a wandering level', () => {
    const n = 14 * 288;
    const nTrain = Math.floor(0.8 * n);
    const t = times(n, 5 * MIN);
    const coverage = (y: Float64Array, method: 'cv' | 'prophet'): number => {
      const { lower, upper } = predictForecast(fitForecast(t.subarray(0, nTrain), y.subarray(0, nTrain), { method }), t.subarray(nTrain));
      let inside = 0;
      for (let i = nTrain; i < n; i++) if (y[i] >= lower[i - nTrain] && y[i] <= upper[i - nTrain]) inside++;
      return inside / (n - nTrain);
    };
    // A daily cycle with AR(1) noise, its future like its past: each seed's coverage in the bench's 0.72–0.88.
    const series = (seed: number, walk: number): Float64Array => {
      const rng = createRng(seed);
      let ar = 0;
      let level = 0;
      return Float64Array.from(t, (ms) => {
        ar = 0.5 * ar + rng.normal();
        level += walk * rng.normal();
        return 40 + level + 8 * Math.sin((2 * Math.PI * ms) / DAY) + 2 * ar;
      });
    };
    for (const seed of [1, 2, 3, 4]) {
      const c = coverage(series(seed, 0), 'cv');
      assert.ok(c >= 0.72 && c <= 0.88, `seed ${seed}: coverage ${c}`);
    }
    // The same with a random-walk level: one series' coverage varies with where its walk goes, the mean over
    // eight is near 0.8 for ours, while Prophet's band (noise plus the trend's simulated changepoints) misses.
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const mean = (method: 'cv' | 'prophet'): number => seeds.reduce((a, s) => a + coverage(series(s, 0.15), method), 0) / seeds.length;
    const ours = mean('cv');
    const prophet = mean('prophet');
    assert.ok(ours >= 0.72 && ours <= 0.88, `ours ${ours}`);
    assert.ok(prophet < 0.65, `Prophet ${prophet}`);
  });

  test('a level shift in the last 20 % of the training does not run away past it (Prophet\'s fit extrapolates the jump)', () => {
    const n = 14 * 288;
    const nTrain = Math.floor(0.8 * n);
    const shiftAt = Math.floor(0.9 * nTrain);
    const rng = createRng(3);
    const t = times(n, 5 * MIN);
    const y = Float64Array.from(t, (ms, i) => (i < shiftAt ? 50 : 65) + 5 * Math.sin((2 * Math.PI * ms) / DAY) + rng.normal());
    const dayMean = (yhat: Float64Array, from: number): number => yhat.subarray(from, from + 288).reduce((a, b) => a + b, 0) / 288;
    const ours = predictForecast(fitForecast(t.subarray(0, nTrain), y.subarray(0, nTrain)), t).yhat;
    const prophet = predictForecast(fitForecast(t.subarray(0, nTrain), y.subarray(0, nTrain), { method: 'prophet' }), t).yhat;
    // The new level is 65: ours stays on it to the end of the 2.8 forecast days; Prophet's MAP climbs past 80.
    for (const from of [nTrain, n - 288]) assert.ok(Math.abs(dayMean(ours, from) - 65) < 1.5, `day mean ${dayMean(ours, from)} from row ${from}`);
    assert.ok(dayMean(prophet, n - 288) > 80, `Prophet's last day ${dayMean(prophet, n - 288)}`);
  });

  test('anomalies injected into the training barely move the forecast (within 2 % of the clean series\' forecast)', () => {
    const n = 14 * 288;
    const nTrain = Math.floor(0.8 * n);
    const rng = createRng(4);
    const t = times(n, 5 * MIN);
    const clean = Float64Array.from(t, (ms) => 100 + (0.2 * (ms - T0)) / DAY + 10 * Math.sin((2 * Math.PI * ms) / DAY) + rng.normal());
    const dirty = Float64Array.from(clean);
    for (let i = 0; i < nTrain; i++) if (rng.next() < 0.01) dirty[i] += (rng.next() < 0.5 ? -1 : 1) * 40; // 1 % spikes
    for (let i = 2000; i < 2060; i++) dirty[i] = 0; // a five-hour outage
    const future = t.subarray(nTrain);
    const worst = (method: 'cv' | 'prophet'): number => {
      const a = predictForecast(fitForecast(t.subarray(0, nTrain), clean.subarray(0, nTrain), { method }), future).yhat;
      const b = predictForecast(fitForecast(t.subarray(0, nTrain), dirty.subarray(0, nTrain), { method }), future).yhat;
      return Math.max(...Array.from(a, (v, i) => Math.abs(b[i] - v) / Math.abs(v)));
    };
    assert.ok(worst('cv') <= 0.02, `ours moved by ${worst('cv')}`);
    assert.ok(worst('prophet') > 0.02, `Prophet's MAP moved by ${worst('prophet')}`); // the case is not trivial
  });

  test('fewer than two values at distinct times cannot be fitted', () => {
    assert.throws(() => fitForecast(new Float64Array([1, 2]), new Float64Array([5, NaN])), RangeError);
    assert.throws(() => fitForecast(new Float64Array([1, 1]), new Float64Array([5, 6])), RangeError);
  });
});

describe('forecastScore', () => {
  test('grows with the distance beyond the band in band widths: 0 inside or under half a width out, 3 at half, 30.5 one width out', () => {
    assert.deepEqual(
      [forecastScore(5, 0, 10), forecastScore(10, 0, 10), forecastScore(14.9, 0, 10), forecastScore(15, 0, 10), forecastScore(20, 0, 10), forecastScore(-10, 0, 10), forecastScore(40, 0, 10), forecastScore(NaN, 0, 10)],
      [0, 0, 0, 3, 30.5, 30.5, 81.7, 0],
    );
  });
});

describe('detectForecast', () => {
  const n = 4 * 288;
  const t = times(n, 5 * MIN);
  const rng = createRng(11);
  const cpu = Float64Array.from(t, (ms) => 50 + 10 * Math.sin((2 * Math.PI * ms) / DAY) + rng.normal());
  cpu[700] = 95;

  test('reports a spike above the band as a critical forecast anomaly with its band in the message', () => {
    const result = detectForecast(frameOf({ cpu, flat: new Float64Array(n).fill(3) }, t));
    assert.equal(result.mode, 'standard');
    assert.deepEqual(Object.keys(result.forecast), ['cpu']);
    assert.deepEqual(result.warnings, ['forecast: flat is constant (3.0) in the fitted rows; skipped']);
    // Several constant metrics (sar's interval, an idle counter): one warning names them all.
    const many = detectForecast(frameOf({ cpu, 'interval (s)': new Float64Array(n).fill(600), idle: new Float64Array(n).fill(0) }, t));
    assert.deepEqual(many.warnings, ['forecast: 2 metrics are constant in the fitted rows, skipped: interval (s) (600.0), idle (0.0)']);
    const spike = result.anomalies.find((a) => a.row === 700);
    assert.ok(spike);
    const band = result.forecast.cpu;
    assert.deepEqual(spike, {
      row: 700,
      timestamp: new Date(t[700]).toISOString(),
      detector: 'forecast',
      metric: 'cpu',
      value: 95,
      score: 99.8,
      severity: 'critical',
      message: `cpu 95.0 above forecast band [${band.lower[700].toFixed(1)}, ${band.upper[700].toFixed(1)}]`,
    });
    for (const a of result.anomalies) {
      assert.ok(a.value! > band.upper[a.row] || a.value! < band.lower[a.row]);
      assert.ok(a.score >= 3 && a.score <= 100);
    }
    assert.deepEqual(result.settings.seasonalities, { cpu: ['daily'] });
  });

  test('the robust mode refits without the flagged points and says so', () => {
    const standard = detectForecast(frameOf({ cpu }, t));
    const robust = detectForecast(frameOf({ cpu }, t), { robust: true });
    assert.equal(robust.mode, 'robust');
    assert.equal(robust.settings.mode, 'robust');
    assert.deepEqual(robust.settings.robustExcluded, { cpu: (robust.settings.robustExcluded as Record<string, number>).cpu });
    assert.ok((robust.settings.robustExcluded as Record<string, number>).cpu >= 1);
    // Without the spike the noise estimate shrinks, so the band narrows.
    assert.ok(robust.forecast.cpu.upper[10] - robust.forecast.cpu.lower[10] < standard.forecast.cpu.upper[10] - standard.forecast.cpu.lower[10]);
    assert.ok(robust.anomalies.some((a) => a.row === 700 && a.severity === 'critical'));
  });

  test('fits on the first trainFraction of the rows and forecasts the rest', () => {
    const result = detectForecast(frameOf({ cpu }, t), { trainFraction: 0.5 });
    assert.equal(result.settings.trainRows, n / 2);
    assert.equal(result.forecast.cpu.yhat.length, n);
    const band = result.forecast.cpu;
    assert.ok(band.upper[n - 1] - band.lower[n - 1] > band.upper[0] - band.lower[0]);
  });

  test('skips what cannot be fitted with a warning, and uses the row index without timestamps', () => {
    const result = detectForecast(frameOf({ a: [1, NaN, NaN, NaN], b: [1, 2, 4, 8] }), { metrics: ['a', 'b', 'zz'] });
    assert.deepEqual(result.warnings, [
      'forecast: a has 1 value to fit on (needs 2); skipped',
      "forecast: no metric 'zz' in the data; skipped",
    ]);
    assert.deepEqual(Object.keys(result.forecast), ['b']);
    assert.equal(result.anomalies.every((a) => a.timestamp === null), true);
    const one = detectForecast(frameOf({ a: [1] }));
    assert.deepEqual([one.forecast, one.anomalies, one.warnings], [{}, [], ['forecast: a has 1 value to fit on (needs 2); skipped']]);
  });
});

describe('forecast command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'forecast-cli-'));
  const csvPath = join(dir, 'cpu.csv');
  const n = 3 * 288;
  const rng = createRng(3);
  const lines = ['timestamp,cpu,mem'];
  for (let i = 0; i < n; i++) {
    const ms = T0 + i * 5 * MIN;
    const cpu = i === 600 ? 99 : i === 601 ? NaN : 50 + 10 * Math.sin((2 * Math.PI * ms) / DAY) + rng.normal();
    lines.push(`${new Date(ms).toISOString()},${Number.isNaN(cpu) ? '' : cpu.toFixed(2)},7`);
  }
  writeFileSync(csvPath, lines.join('\n') + '\n');

  async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await forecastCommand.run({ argv, stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, cwd: dir });
    return { code, out, err };
  }

  test('writes timestamp,y,yhat,yhat_lower,yhat_upper,anomaly for every row plus the horizon', async () => {
    const { code, out, err } = await run(csvPath, '--metric', 'cpu', '--train-fraction', '0.8', '--horizon', '2');
    assert.deepEqual([code, err], [0, '']);
    const rows = out.trimEnd().split('\r\n').map((l) => l.split(','));
    assert.deepEqual(rows[0], ['timestamp', 'y', 'yhat', 'yhat_lower', 'yhat_upper', 'anomaly']);
    assert.equal(rows.length, 1 + n + 2);
    assert.equal(rows[601][5], '1', 'the spike is outside the band');
    assert.equal(rows[602][5], '', 'unknown y has no flag');
    assert.deepEqual([rows[n + 2][0], rows[n + 2][1], rows[n + 2][5]], [new Date(T0 + (n + 1) * 5 * MIN).toISOString(), '', '']);
    for (const r of rows.slice(1)) {
      const [yhat, lo, hi] = r.slice(2, 5).map(Number);
      assert.ok(lo < yhat && yhat < hi);
      if (r[1] !== '') assert.equal(r[5], Number(r[1]) > hi || Number(r[1]) < lo ? '1' : '0');
    }
  });

  test('json carries the columns, the settings, the mode and the anomalies', async () => {
    const { code, out } = await run(csvPath, '--metric', 'cpu', '--format', 'json', '--robust', '--seed', '4');
    assert.equal(code, 0);
    const json = JSON.parse(out);
    assert.deepEqual([json.meta.metric, json.meta.mode, json.meta.seed, json.rows, json.forecast.cpu.yhat.length], ['cpu', 'robust', 4, n, n]);
    assert.equal(json.forecast.cpu.y[601], null);
    assert.deepEqual(json.meta.detectors.forecast.seasonalities, { cpu: ['daily'] });
    assert.ok(json.anomalies.some((a: { row: number; severity: string }) => a.row === 600 && a.severity === 'critical'));
    assert.equal(json.meta.detectors.forecast.method, 'cv');
  });

  test('--method prophet gives Prophet\'s simulated band past the history, the default cv another one', async () => {
    const prophet = JSON.parse((await run(csvPath, '--metric', 'cpu', '--format', 'json', '--train-fraction', '0.8', '--method', 'prophet')).out);
    const cv = JSON.parse((await run(csvPath, '--metric', 'cpu', '--format', 'json', '--train-fraction', '0.8')).out);
    assert.deepEqual([prophet.meta.detectors.forecast.method, cv.meta.detectors.forecast.method], ['prophet', 'cv']);
    const nTrain = Math.floor(0.8 * n);
    assert.notDeepEqual(cv.forecast.cpu.upper.slice(nTrain), prophet.forecast.cpu.upper.slice(nTrain));
  });

  test('usage errors: unknown metric, bad numbers, several metrics without --metric; a constant metric is invalid input', async () => {
    await assert.rejects(run(csvPath, '--metric', 'nope'), (e: Error) => e instanceof UsageError && /no metric 'nope'/.test(e.message));
    await assert.rejects(run(csvPath), (e: Error) => e instanceof UsageError && /--metric is required/.test(e.message));
    await assert.rejects(run(csvPath, '--metric', 'cpu', '--interval', '1.5'), UsageError);
    await assert.rejects(run(csvPath, '--metric', 'cpu', '--horizon', '2.5'), UsageError);
    await assert.rejects(run(csvPath, '--metric', 'cpu', '--format', 'xml'), UsageError);
    await assert.rejects(run(csvPath, '--metric', 'cpu', '--method', 'arima'), UsageError);
    await assert.rejects(run(join(dir, 'missing.csv'), '--metric', 'cpu'), UsageError);
    await assert.rejects(run(csvPath, '--metric', 'mem'), (e: Error) => e instanceof InputError && e.message === 'mem is constant (7.0) in the fitted rows');
    assert.deepEqual((await run('--help')).code, 0);
  });
});
