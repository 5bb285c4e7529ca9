/**
 * Retraining while streaming: keeps the seasonal baseline of every metric (baseline.ts) fitted on a sliding
 * window of the stream, refitting it
 *
 * - first when `firstFitMs` of data are in (reason `initial`);
 * - on a schedule, every `retrainEveryMs` of stream time (reason `schedule`): on the window, for each metric
 *   only the rows since its last drift (rows of the old regime would pull the fit back);
 * - when a metric drifts (reason `drift`): a two-sided Page-Hinkley test (pageHinkley.ts) on the metric's
 *   robust z under the current fit; once `driftMinMs` of data have followed the estimated start of the
 *   change, that metric is refitted on the rows since then.
 *
 * With `retrainEveryMs` null (`--retrain-every off`) the first fit is kept for ever, drift or not.
 * Every fit makes a new model version; each row is scored by the version fitted on rows before it, and
 * carries it, so an output says which model scored a point and when that model was trained. Time is the
 * data's time (epoch ms of the rows), not the clock: the same input gives the same output.
 *
 * Memory: one ring of `trainMs` rows (at most `maxRows`) of times and of each metric's values, a 24-bin
 * profile and a Page-Hinkley state per metric: constant once the step is known, however long the stream.
 */
import { zoneName } from '../csv/zone.ts';
import { Ring } from './rolling.ts';
import { DEFAULT_STEP_MS, STEP_ROWS, medianGap } from './streamDetector.ts';
import { binOf, fitProfile, surpriseOf, zOf } from './baseline.ts';
import type { BaselineProfile } from './baseline.ts';
import { PageHinkley } from './pageHinkley.ts';
import { parseDuration } from '../rules/duration.ts';
import type { PageHinkleyOptions } from './pageHinkley.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type RetrainReason = 'initial' | 'schedule' | 'drift';

/** The model that scored a row: version 0 while the first fit waits for its data. */
export interface ModelInfo {
  version: number;
  /** Epoch ms of the last row the model was trained on (NaN for data without timestamps or version 0). */
  trainedAt: number;
  /** 0-based row of the last row the model was trained on (-1 for version 0). */
  trainedRow: number;
  /** Why the model was (re)fitted (null for version 0). */
  reason: RetrainReason | null;
}

/** A (re)fit, reported with the first row the new model scores. */
export interface RetrainEvent extends ModelInfo {
  reason: RetrainReason;
  /** The metrics refitted (a drift refits the drifted ones only). */
  metrics: string[];
  /** Rows in the largest training span of this fit. */
  rows: number;
}

/** Options of `createRetrainer`. */
export interface RetrainerOptions {
  metrics: string[];
  /** Sampling step, ms. @default the median gap of the first STEP_ROWS timestamps, as the stream detector */
  stepMs?: number;
  /** Time between scheduled refits; null: never refit (the first fit is kept). @default 1 day */
  retrainEveryMs?: number | null;
  /** The sliding training window. @default 2 days (a daily profile needs two days to be checked) */
  trainMs?: number;
  /** Data before the first fit. @default 2 days (the window) */
  firstFitMs?: number;
  /** Refit a metric when its data drift from its fit (Page-Hinkley). @default true */
  drift?: boolean;
  /** Data needed after the start of a drift before the drifted metric is refitted on it. @default 2 hours */
  driftMinMs?: number;
  /** Cap on the window in rows (memory on finely sampled data). @default 50000 */
  maxRows?: number;
  /** The drift test's parameters (in robust standard deviations). */
  pageHinkley?: PageHinkleyOptions;
}

/** What `update` returns for one row. */
export interface BaselineScore {
  /** Per metric: surprise −log10 p of the row's value under the model (0 before the first fit or for a missing value). */
  surprise: Float64Array;
  /** Per metric: robust z of the value (NaN before the first fit or for a missing value). */
  z: Float64Array;
  /** Per metric: the fitted level for this row's hour, and the fitted scale (NaN before the first fit). */
  expected: Float64Array;
  scale: Float64Array;
  /** The model that scored this row. */
  model: ModelInfo;
  /** The refit whose model scores this row for the first time, if one happened after the previous row. */
  retrain: RetrainEvent | null;
}

export interface Retrainer {
  readonly metrics: readonly string[];
  /** Scores one row with the current model, then adds it to the window and refits when due. */
  update(timestamp: number, values: ArrayLike<number>): BaselineScore;
  readonly model: ModelInfo;
  /** Rows seen. */
  readonly rows: number;
  /** The robust scale of each metric's current fit (NaN before it). */
  scales(): number[];
  /** Numbers held in all internal buffers: constant once the step is known (the memory bound). */
  footprint(): number;
}

const VERSION_0: ModelInfo = { version: 0, trainedAt: NaN, trainedRow: -1, reason: null };

/** Creates the retraining baseline of `options.metrics`; see the module comment. */
export function createRetrainer(options: RetrainerOptions): Retrainer {
  const metrics = options.metrics;
  const nm = metrics.length;
  const every = options.retrainEveryMs === undefined ? DAY : options.retrainEveryMs;
  const retraining = every !== null && every > 0 && Number.isFinite(every);
  const driftOn = retraining && (options.drift ?? true);
  const maxRows = Math.max(64, Math.floor(options.maxRows ?? 50_000));
  let step = NaN;
  let trainRows = 0, firstRows = 0, everyRows = Infinity, driftRows = 0;
  let times: Ring | null = null;
  let vals: Ring[] = [];
  const held: { t: number; v: Float64Array }[] = [];
  const profiles: (BaselineProfile | null)[] = metrics.map(() => null);
  const tests = metrics.map(() => new PageHinkley(options.pageHinkley));
  /** Per metric: the first row of its current regime (after its last drift), 0 before any. */
  const since = new Array<number>(nm).fill(0);
  /** Per metric: the row where a detected drift began, waiting for data; -1 when none. */
  const driftFrom = new Array<number>(nm).fill(-1);
  /** Per metric: the row at which its Page-Hinkley test was last reset. */
  const testFrom = new Array<number>(nm).fill(0);
  let model: ModelInfo = VERSION_0;
  let pending: RetrainEvent | null = null;
  let rows = 0;
  /** When the last scheduled refit (or the first fit) was made: stream time and row. */
  let scheduledAt = NaN, scheduledRow = -1;
  let timed = true;
  let anyValue = false;

  const setup = (stepMs: number): void => {
    step = stepMs;
    const r = (ms: number): number => Math.min(maxRows, Math.max(16, Math.round(ms / step)));
    trainRows = r(options.trainMs ?? 2 * DAY);
    firstRows = Math.min(trainRows, r(options.firstFitMs ?? 2 * DAY));
    everyRows = retraining ? Math.max(1, Math.round((every as number) / step)) : Infinity;
    driftRows = Math.min(trainRows, r(options.driftMinMs ?? 2 * HOUR));
    times = new Ring(trainRows);
    vals = metrics.map(() => new Ring(trainRows));
  };
  if (options.stepMs !== undefined && options.stepMs > 0) setup(options.stepMs);

  /** Fits metric m on the window's rows from row `from` on; false when too few. */
  const fitMetric = (m: number, from: number, shift: boolean): { ok: boolean; rows: number } => {
    const t = times as Ring;
    const n = Math.min(t.length, rows - from);
    if (n <= 0) return { ok: false, rows: 0 };
    const xs = new Float64Array(n), ts = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // Oldest first, so the fit sees the rows in their order (the result does not depend on it).
      xs[k] = vals[m].at(n - 1 - k);
      ts[k] = t.at(n - 1 - k);
    }
    const p = fitProfile(xs, ts, profiles[m], shift);
    if (!p) return { ok: false, rows: n };
    profiles[m] = p;
    tests[m].reset();
    testFrom[m] = rows;
    return { ok: true, rows: n };
  };

  /** Refits the metrics `which` (drifted ones on the rows since their drift began) as one new version. */
  const refit = (reason: RetrainReason, which: number[], lastTime: number): void => {
    const done: string[] = [];
    let most = 0;
    for (const m of which) {
      const drifted = driftFrom[m] >= 0;
      const r = fitMetric(m, drifted ? driftFrom[m] : since[m], drifted);
      if (!r.ok) continue;
      if (drifted) { since[m] = driftFrom[m]; driftFrom[m] = -1; }
      done.push(metrics[m]);
      most = Math.max(most, r.rows);
    }
    if (!done.length) return;
    model = { version: model.version + 1, trainedAt: timed ? lastTime : NaN, trainedRow: rows - 1, reason };
    pending = { ...model, reason, metrics: done, rows: most };
  };

  const add = (timestamp: number, values: ArrayLike<number>): BaselineScore => {
    const surprise = new Float64Array(nm), z = new Float64Array(nm).fill(NaN), expected = new Float64Array(nm).fill(NaN), scale = new Float64Array(nm).fill(NaN);
    const scoredBy = model;
    const retrain = pending;
    pending = null;
    const row = rows;
    for (let m = 0; m < nm; m++) {
      const x = m < values.length ? Number(values[m]) : NaN;
      const p = profiles[m];
      if (Number.isFinite(x)) anyValue = true;
      if (p) {
        z[m] = zOf(p, timestamp, x);
        expected[m] = p.level[binOf(timestamp, p.level.length)];
        scale[m] = p.scale;
        surprise[m] = surpriseOf(p, z[m]);
        if (driftOn && driftFrom[m] < 0 && tests[m].push(z[m])) driftFrom[m] = testFrom[m] + tests[m].changeAt;
      }
      (vals[m] as Ring).push(Number.isFinite(x) ? x : NaN);
    }
    (times as Ring).push(timestamp);
    rows++;
    if (!Number.isFinite(timestamp)) timed = false;
    // The first fit, once `firstFitMs` of data are in.
    if (model.version === 0) {
      if (anyValue && rows >= firstRows) {
        refit('initial', metrics.map((_, m) => m), timestamp);
        scheduledAt = timestamp;
        scheduledRow = row;
      }
    } else if (retraining) {
      const drifted = metrics.map((_, m) => m).filter((m) => driftFrom[m] >= 0 && rows - driftFrom[m] >= driftRows);
      const due = timed && Number.isFinite(scheduledAt) ? timestamp - scheduledAt >= (every as number) : row - scheduledRow >= everyRows;
      if (due) {
        // A metric still waiting for data after its drift is left to its drift refit.
        refit('schedule', metrics.map((_, m) => m).filter((m) => driftFrom[m] < 0 || drifted.includes(m)), timestamp);
        scheduledAt = timestamp;
        scheduledRow = row;
      } else if (drifted.length) refit('drift', drifted, timestamp);
    }
    return { surprise, z, expected, scale, model: scoredBy, retrain };
  };

  return {
    metrics,
    get model() { return model; },
    get rows() { return rows; },
    scales: () => profiles.map((p) => (p ? p.scale : NaN)),
    update(timestamp, values) {
      if (!times) {
        held.push({ t: timestamp, v: Float64Array.from({ length: nm }, (_, m) => (m < values.length ? Number(values[m]) : NaN)) });
        if (held.length < STEP_ROWS) return { surprise: new Float64Array(nm), z: new Float64Array(nm).fill(NaN), expected: new Float64Array(nm).fill(NaN), scale: new Float64Array(nm).fill(NaN), model, retrain: null };
        const g = medianGap(held.map((h) => h.t));
        setup(Number.isFinite(g) ? g : DEFAULT_STEP_MS);
        let last: BaselineScore | null = null;
        for (const h of held) last = add(h.t, h.v);
        held.length = 0;
        return last as BaselineScore;
      }
      return add(timestamp, values);
    },
    footprint() {
      if (!times) return held.length * (nm + 1);
      return times.footprint + vals.reduce((s, r) => s + r.footprint, 0) + profiles.reduce((s, p) => s + (p ? p.level.length + 1 : 0), 0);
    },
  };
}

/** The default of `--retrain-every` and `anomalyHunter.streaming.retrainEvery`. */
export const DEFAULT_RETRAIN_EVERY = '1d';

/**
 * Reads a retraining period: a Prometheus duration (`6h`, `1d`, `1h30m`) in ms, null for `off`, NaN when the
 * text is neither (or a zero duration).
 */
export function parseRetrainEvery(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'off') return null;
  const ms = parseDuration(t);
  return ms > 0 ? ms : NaN;
}

/**
 * One line on the model for a live view: "baseline model v3 · retrained 14:05 UTC (drift)", the retraining
 * time being the data time of the last row it was trained on (its row number for data without timestamps).
 */
export function describeModel(model: ModelInfo, offsetMs = 0): string {
  if (model.version === 0) return 'baseline: not fitted yet';
  // The file's wall clock at its offset (Frame.utcOffsetMs), else UTC.
  const at = Number.isFinite(model.trainedAt) ? `${new Date(model.trainedAt).toISOString().slice(11, 16)} ${zoneName(offsetMs)}` : `at row ${model.trainedRow + 1}`;
  return `baseline model v${model.version} · ${model.reason === 'initial' ? 'trained' : 'retrained'} ${at}${model.reason === 'initial' ? '' : ` (${model.reason})`}`;
}
