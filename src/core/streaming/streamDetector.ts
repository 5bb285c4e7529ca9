/**
 * The online (causal, bounded-memory) anomaly detector behind `anomaly-hunter stream`.
 *
 * Method, per metric, at each new row t (only rows ≤ t are ever read):
 *
 * 1. Novelty at two time scales — the distance from the subsequence that ends at t to its nearest
 *    neighbour among the non-overlapping subsequences of the last `history` rows that end before it.
 *    This is the causal "left matrix profile" / time-series discord score (Yeh et al., "Matrix Profile I",
 *    ICDM 2016; Zhu et al., "Matrix Profile VII: Time series chains", ICDM 2017, for the left profile).
 *    Scales: the value itself (a level never seen in the history: spikes, level shifts, drops), and the
 *    shape of the last day as 12 bin means (a daily pattern that does not happen: a missing peak, a flat
 *    day, a higher day). Distances are divided by the rolling standard deviation of the metric. At the
 *    value scale the distance is first reduced by `valueSlack` times the metric's typical step (the mean
 *    absolute change between consecutive rows over the history): a series that drifts sets a new high or
 *    low by about one step now and then, and that is not news; a spike or a jump clears it by far.
 *    Beside them, the level (levelShift.ts): the trimmed mean of the last 6 hours against the median of the
 *    week before, in interquartile units — a shift to values the metric once passed through is no news to a
 *    nearest-neighbour search, but a level that stays is (bench:nab 67.1 → 70.1).
 * 2. Calibration — each raw distance (log1p, because nearest-neighbour distances are right-skewed) is
 *    turned into a tail probability under a Gaussian fitted to the same scale's raw distances of the
 *    last `likelihoodWindow` rows: Numenta's "anomaly likelihood" (Ahmad, Lavin, Purdy & Agha,
 *    "Unsupervised real-time anomaly detection for streaming data", Neurocomputing 262, 2017, §4). This
 *    is what makes one threshold work for every metric: the score is a probability, not a distance.
 * 3. Combination — a metric's surprise S = −log10 p of its most significant scale, less log10(#scales, the level included)
 *    (Bonferroni: the best of k tests is k times likelier to look surprising by chance). The row's
 *    surprise is the maximum over metrics; the score is S / (S + halfScore), in [0, 1).
 * 4. Alert de-duplication — a row's surprise is multiplied by `repeatFactor` unless it beats every row of
 *    the last `refractory` rows: an alert no worse than one raised in the last half day adds no
 *    information (the same idea as an alert throttle), and NAB counts only the first detection of each
 *    anomaly while charging every later one as a false positive. A row that beats them is `fresh`; NAB output
 *    (nab.ts) scores only fresh rows (about one alert per episode: a growing one alerts at each new high), while `stream`'s findings keep the damped repeats.
 *
 * Sampling rate — every span is a TIME span (history two weeks, the likelihood window 30 days as in
 * Ahmad et al., the daily shape one day in 12 two-hour bins, the warm-up 12.5 h, the de-duplication half a
 * day), converted to rows with the data's step: the median gap of the first `STEP_ROWS` timestamps (a
 * median, so one gap or a duplicate row does not move it). So a metric sampled every minute and the same
 * metric sampled every 5 minutes are searched over the same past and the same day shape. Two guards keep
 * the bounds at extreme rates: spans are capped at `maxRows` rows (memory and per-row time stay bounded
 * on second-level data, where the history then covers less than two weeks), and the Gaussian is never
 * fitted on fewer than `minWarmupRows` scores (hourly data has 12 rows in 12.5 h). At a coarse step the history
 * and the likelihood's window also keep at least the rows they hold at 5 minutes (`minHistoryRows` 4032,
 * `minLikelihoodRows` 8640): two weeks of hourly rows (336) have not seen a metric's ordinary highs and lows,
 * so a value met three weeks before looks new (bench:nab 70.1 → 73.5, from the hourly and half-hourly files).
 * Knobs and why (docs/record): at a 5-minute step these are exactly the row counts the detector was
 * built with (4032, 24×12, 8640, 150, 144). They were compared with `npm run bench:nab` on the shared NAB
 * folders (see bench/nab.ts): the likelihood window, the history and the de-duplication span moved the
 * score by several points, so these choices are the ones most at risk of not transferring; nothing
 * depends on file names, lengths or value ranges.
 * Deterministic: no randomness is used (`seed` is accepted for API symmetry).
 */
import { Ring, RollingMax, RollingMoments } from './rolling.ts';
import { gaussianSurprise } from './gaussianTail.ts';
import { LevelShift } from './levelShift.ts';
import type { LevelReading } from './levelShift.ts';

/** One scale of the shape-novelty score: `length` bins of `bin` consecutive rows each (rows, after conversion). */
export interface ShapeScale {
  bin: number;
  length: number;
}

/** A shape scale as a time span: the last `spanMs` cut into `bins` bin means. */
export interface ShapeSpan {
  spanMs: number;
  bins: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Rows whose timestamps decide the sampling step (median gap) when `stepMs` is not given. */
export const STEP_ROWS = 16;
/** The step assumed when the first rows carry no usable timestamps (5 minutes: NAB's and CloudWatch's usual period). */
export const DEFAULT_STEP_MS = 5 * MINUTE;

/** Options of `createStreamDetector`; every field has a documented default. Spans are TIME spans (ms). */
export interface StreamDetectorOptions {
  /** Metric names, in the order of the values passed to `update`. */
  metrics: string[];
  /** Seed for any randomised choice (reserved: the current method is deterministic). @default 0 */
  seed?: number;
  /** Sampling step, ms. @default the median gap between the first `STEP_ROWS` timestamps (DEFAULT_STEP_MS without timestamps) */
  stepMs?: number;
  /** Past kept for nearest-neighbour search and the metric's spread. @default 14 days (two weekly cycles) */
  historyMs?: number;
  /**
   * Fewest rows of history, whatever the step: at a coarse step two weeks are few rows (336 hourly), too few
   * to have seen the metric's ordinary highs and lows. @default 4032 — two weeks at a 5-minute step
   */
  minHistoryRows?: number;
  /** Shape scales besides the value itself. @default [{spanMs: 1 day, bins: 12}] — the last day as 12 two-hour means */
  shapes?: ShapeSpan[];
  /** Span of raw scores in the likelihood's long-run distribution. @default 30 days (Ahmad et al.) */
  likelihoodMs?: number;
  /** Fewest raw scores in the likelihood's window, whatever the step (as the history). @default 8640 — 30 days at a 5-minute step */
  minLikelihoodRows?: number;
  /** Rows averaged into the likelihood's short-term score (Ahmad et al. use 10). @default 1 */
  shortWindow?: number;
  /** Past needed before a metric's scores are emitted. @default 12.5 hours */
  warmupMs?: number;
  /** Fewest raw scores the likelihood's Gaussian is fitted on, whatever the step (coarse data). @default 30 */
  minWarmupRows?: number;
  /** Span over which a repeated, not-worse score is damped. @default 12 hours */
  refractoryMs?: number;
  /** Cap on any span in rows, so memory and per-row time stay bounded on finely sampled data. @default 50000 */
  maxRows?: number;
  /** Factor applied to the surprise of a row that does not beat the last `refractory` rows. @default 0.25 */
  repeatFactor?: number;
  /** Transform raw distances with log1p before fitting the Gaussian. @default true */
  logRaw?: boolean;
  /** Surprise (−log10 p) that maps to score 0.5: score = S / (S + halfScore). @default 5 */
  halfScore?: number;
  /** Floor on the standard deviation of the log1p raw scores: below 1 % of the metric's spread, a change is not evidence. @default 0.01 */
  minSpread?: number;
  /** Typical steps (mean |x(t) − x(t−1)| over the history) taken off the value scale's distance before scoring. @default 0.5 */
  valueSlack?: number;
  /** The level scale (levelShift.ts): the last `spanMs` against the `referenceMs` before it; null: none. @default LEVEL */
  level?: LevelSpan | null;
}

/** The level scale's spans: the recent stretch and the reference before it (time spans, ms). */
export interface LevelSpan {
  spanMs: number;
  referenceMs: number;
}

/** The spans of a detector in rows, once the step is known (what `createStreamDetector` runs with). */
export interface RowSpans {
  stepMs: number;
  history: number;
  scales: ShapeScale[];
  likelihoodWindow: number;
  warmup: number;
  refractory: number;
  /** The level scale in rows, or null when there is none. */
  level: { span: number; reference: number } | null;
}

/** What one `update` returns. */
export interface StreamScore {
  /** Combined anomaly score in [0, 1] (0 during warm-up and for rows with no values). */
  score: number;
  /** Per-metric score in [0, 1] before de-duplication, same order as `metrics`. */
  perMetric: Float64Array;
  /** Index of the metric that drove `score`, or -1 when no metric had a score. */
  topMetric: number;
  /** Index of the scale (0 = the value itself, 1… = the shapes, then the level scale) that drove the top metric's score, or -1. */
  topScale: number;
  /** What the level scale (levelShift.ts) compared for the top metric, when that scale drove its score, and over what spans; else null. */
  level: (LevelReading & { spanMs: number; referenceMs: number }) | null;
  /** 0-based index of this row in the stream. */
  row: number;
  /** The row's surprise beats every row of the last `refractory` rows (its score was not damped by `repeatFactor`). */
  fresh: boolean;
}

/** The online detector: feed rows in time order; memory is fixed once the step is known. */
export interface StreamDetector {
  readonly metrics: readonly string[];
  /** Scores one row (epoch ms or NaN; one value per metric, NaN = missing) using only earlier rows. */
  update(timestamp: number, values: ArrayLike<number>): StreamScore;
  /** Rows seen so far. */
  readonly rows: number;
  /** The spans in rows, or null while the first rows are still deciding the step. */
  readonly spans: RowSpans | null;
  /** Number of numbers held in all internal buffers: constant once the step is known (the memory bound). */
  footprint(): number;
}

const DEFAULT_SHAPES: ShapeSpan[] = [{ spanMs: DAY, bins: 12 }];
const DEFAULT_LEVEL: LevelSpan = { spanMs: 6 * HOUR, referenceMs: 7 * DAY };
/** Floor on the level scale's spread, as a share of the metric's standard deviation over the history. */
const LEVEL_FLOOR = 0.1;

/** The median of the positive gaps between consecutive finite timestamps, or NaN when there are none. */
export function medianGap(times: ArrayLike<number>): number {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const g = times[i] - times[i - 1];
    if (g > 0 && Number.isFinite(g)) gaps.push(g);
  }
  if (!gaps.length) return NaN;
  gaps.sort((a, b) => a - b);
  const h = gaps.length >> 1;
  return gaps.length % 2 ? gaps[h] : (gaps[h - 1] + gaps[h]) / 2;
}

/**
 * Converts the time spans of `options` to rows at `stepMs` (rounded, at least 1, at most `maxRows`).
 * A shape whose bins would be shorter than a row uses one row per bin; a shape of one row (the value
 * itself again) or one that cannot fit twice in the history (no earlier day to compare with) is dropped.
 */
export function rowSpans(options: Omit<StreamDetectorOptions, 'metrics'>, stepMs: number): RowSpans {
  const maxRows = Math.max(64, Math.floor(options.maxRows ?? 50_000));
  const rows = (ms: number): number => Math.min(maxRows, Math.max(1, Math.round(ms / stepMs)));
  const history = Math.max(16, rows(options.historyMs ?? 14 * DAY), Math.min(maxRows, Math.floor(options.minHistoryRows ?? 4032)));
  const scales: ShapeScale[] = [{ bin: 1, length: 1 }];
  for (const sh of options.shapes ?? DEFAULT_SHAPES) {
    const span = Math.max(1, Math.round(sh.spanMs / stepMs));
    const bins = Math.max(1, Math.floor(sh.bins));
    const bin = Math.max(1, Math.round(span / bins));
    const length = bin === 1 ? Math.min(span, bins) : bins;
    if (bin * length <= 1 || 2 * bin * length > history) continue;
    scales.push({ bin, length });
  }
  const lv = options.level === undefined ? DEFAULT_LEVEL : options.level;
  const minWarmup = Math.max(STEP_ROWS, Math.floor(options.minWarmupRows ?? 30));
  return {
    stepMs,
    history,
    scales,
    likelihoodWindow: Math.max(16, rows(options.likelihoodMs ?? 30 * DAY), Math.min(maxRows, Math.floor(options.minLikelihoodRows ?? 8640))),
    warmup: Math.max(minWarmup, rows(options.warmupMs ?? 12.5 * HOUR)),
    refractory: rows(options.refractoryMs ?? 12 * HOUR),
    level: lv ? { span: Math.max(2, rows(lv.spanMs)), reference: Math.max(8, rows(lv.referenceMs)) } : null,
  };
}

/**
 * Creates an online detector for rows of `options.metrics`; see the module comment for the method.
 * Without `stepMs`, the first `STEP_ROWS` rows are held (scored 0, inside the warm-up anyway) until their
 * timestamps give the step; then the models are built and those rows replayed into them.
 */
export function createStreamDetector(options: StreamDetectorOptions): StreamDetector {
  const halfScore = options.halfScore ?? 5;
  const repeatFactor = options.repeatFactor ?? 0.25;
  const nMetrics = options.metrics.length;
  let spans: RowSpans | null = null;
  let models: MetricModel[] = [];
  let recent: RollingMax | null = null;
  let rows = 0;
  const held: { t: number; v: Float64Array }[] = [];

  const build = (stepMs: number): void => {
    spans = rowSpans(options, stepMs);
    const cfg: Config = {
      history: spans.history,
      scales: spans.scales,
      likelihoodWindow: spans.likelihoodWindow,
      shortWindow: Math.max(1, Math.floor(options.shortWindow ?? 1)),
      warmup: spans.warmup,
      logRaw: options.logRaw ?? true,
      minSpread: options.minSpread ?? 0.01,
      valueSlack: Math.max(0, options.valueSlack ?? 0.5),
      level: spans.level,
    };
    models = options.metrics.map(() => new MetricModel(cfg));
    recent = new RollingMax(spans.refractory);
  };
  if (options.stepMs !== undefined && options.stepMs > 0) build(options.stepMs);

  const score = (values: ArrayLike<number>): StreamScore => {
    const perMetric = new Float64Array(nMetrics);
    let best = 0, topMetric = -1, topScale = -1;
    for (let m = 0; m < models.length; m++) {
      const r = models[m].update(m < values.length ? Number(values[m]) : NaN);
      perMetric[m] = r.surprise / (r.surprise + halfScore);
      if (r.surprise > best || (topMetric < 0 && r.scale >= 0)) {
        best = r.surprise;
        topMetric = m;
        topScale = r.scale;
      }
    }
    const previous = recent!.max;
    recent!.push(best);
    const fresh = best > previous;
    const surprise = fresh ? best : best * repeatFactor;
    const reading = topScale >= 0 && topScale === spans!.scales.length ? models[topMetric].levelReading : null;
    const level = reading && spans!.level ? { ...reading, spanMs: spans!.level.span * spans!.stepMs, referenceMs: spans!.level.reference * spans!.stepMs } : null;
    return { score: surprise / (surprise + halfScore), perMetric, topMetric, topScale, level, row: rows, fresh };
  };

  return {
    metrics: options.metrics,
    get rows() { return rows; },
    get spans() { return spans; },
    update(timestamp, values) {
      if (!spans) {
        held.push({ t: timestamp, v: Float64Array.from({ length: nMetrics }, (_, m) => (m < values.length ? Number(values[m]) : NaN)) });
        if (held.length >= STEP_ROWS) {
          const step = medianGap(held.map((h) => h.t));
          build(Number.isFinite(step) ? step : DEFAULT_STEP_MS);
          // Replayed rows are inside the warm-up (≥ STEP_ROWS rows), so their scores are 0 as returned.
          for (const h of held) score(h.v);
          held.length = 0;
        }
        return { score: 0, perMetric: new Float64Array(nMetrics), topMetric: -1, topScale: -1, level: null, row: rows++, fresh: false };
      }
      const r = score(values);
      rows++;
      return r;
    },
    footprint() {
      return models.reduce((s, m) => s + m.footprint(), recent ? recent.footprint : 0);
    },
  };
}

interface Config {
  history: number;
  scales: ShapeScale[];
  likelihoodWindow: number;
  shortWindow: number;
  warmup: number;
  logRaw: boolean;
  minSpread: number;
  valueSlack: number;
  level: { span: number; reference: number } | null;
}

/** Binned copy of a metric at one scale: the mean of the last `bin` values, recorded at every row. */
class ScaleState {
  readonly bin: number;
  readonly length: number;
  readonly span: number;
  readonly binned: Ring;
  private readonly q: Float64Array;
  private readonly lastValues: Ring;
  private binSum = 0;
  readonly moments: RollingMoments;
  readonly shortRaw: Ring;
  private shortSum = 0;

  constructor(spec: ShapeScale, cfg: Config) {
    this.bin = spec.bin;
    this.length = spec.length;
    this.span = spec.bin * spec.length;
    this.q = new Float64Array(spec.length);
    this.binned = new Ring(cfg.history + this.span);
    this.lastValues = new Ring(spec.bin);
    this.moments = new RollingMoments(cfg.likelihoodWindow);
    this.shortRaw = new Ring(cfg.shortWindow);
  }

  pushValue(x: number): void {
    if (this.lastValues.length === this.bin) this.binSum -= this.lastValues.at(this.bin - 1);
    this.lastValues.push(x);
    this.binSum += x;
    this.binned.push(this.binSum / this.lastValues.length);
  }

  /** RMS distance from the newest subsequence to its nearest non-overlapping predecessor; NaN when none. */
  nearest(): number {
    const { buf, head } = this.binned.raw();
    const cap = this.binned.capacity;
    const n = this.binned.length;
    const { bin, length, span } = this;
    // Candidates end at lag ≥ span (no overlap with the query) and start inside the ring.
    const maxLag = n - 1 - (length - 1) * bin;
    if (maxLag < span) return NaN;
    const q = this.q;
    for (let i = 0; i < length; i++) {
      let k = head - i * bin;
      if (k < 0) k += cap;
      q[i] = buf[k];
    }
    let best = Infinity;
    for (let lag = span; lag <= maxLag; lag++) {
      let d = 0;
      let k = head - lag;
      if (k < 0) k += cap;
      for (let i = 0; i < length && d < best; i++) {
        const diff = buf[k] - q[i];
        d += diff * diff;
        k -= bin;
        if (k < 0) k += cap;
      }
      if (d < best) best = d;
    }
    return Math.sqrt(best / length);
  }

  pushRaw(r: number): number {
    if (this.shortRaw.length === this.shortRaw.capacity) this.shortSum -= this.shortRaw.at(this.shortRaw.capacity - 1);
    this.shortRaw.push(r);
    this.shortSum += r;
    return this.shortSum / this.shortRaw.length;
  }

  footprint(): number {
    return this.binned.footprint + this.bin + this.moments.footprint + this.shortRaw.footprint;
  }
}

class MetricModel {
  private readonly cfg: Config;
  private readonly scales: ScaleState[];
  private readonly level: RollingMoments;
  /** |x(t) − x(t−1)| over the history: the metric's typical step. */
  private readonly steps: RollingMoments;
  /** The level scale and the likelihood's window of its raw scores (null without a level scale). */
  private readonly shift: { scale: LevelShift; raw: RollingMoments } | null;
  private seen = 0;
  private last = NaN;

  constructor(cfg: Config) {
    this.cfg = cfg;
    this.scales = cfg.scales.map((s) => new ScaleState(s, cfg));
    this.level = new RollingMoments(cfg.history);
    this.steps = new RollingMoments(cfg.history);
    this.shift = cfg.level ? { scale: new LevelShift(cfg.level.span, cfg.level.reference), raw: new RollingMoments(cfg.likelihoodWindow) } : null;
  }

  update(value: number): { surprise: number; scale: number } {
    let x = value;
    if (!Number.isFinite(x)) {
      // A missing value is carried forward for the shape buffers but never scored.
      if (Number.isNaN(this.last)) return { surprise: 0, scale: -1 };
      x = this.last;
      for (const s of this.scales) s.pushValue(x);
      return { surprise: 0, scale: -1 };
    }
    if (!Number.isNaN(this.last)) this.steps.push(Math.abs(x - this.last));
    this.last = x;
    this.level.push(x);
    const sd = this.level.std;
    const slack = this.steps.count ? this.cfg.valueSlack * this.steps.mean : 0;
    // Unit-free distances; the floor keeps a constant series at distance 0 rather than 0/0.
    const unit = sd > 0 ? sd : 1;
    let maxSurprise = 0, topScale = -1;
    for (let j = 0; j < this.scales.length; j++) {
      const s = this.scales[j];
      s.pushValue(x);
      const d = s.nearest();
      if (Number.isNaN(d)) continue;
      // The value scale's distance less the slack: a new high by about one step is how a drift looks.
      let raw = (j === 0 ? Math.max(0, d - slack) : d) / unit;
      if (this.cfg.logRaw) raw = Math.log1p(raw);
      const surprise = this.likelihood(s.pushRaw(raw), s.moments);
      if (surprise !== null && (surprise > maxSurprise || topScale < 0)) {
        maxSurprise = surprise;
        topScale = j;
      }
    }
    if (this.shift) {
      const d = this.shift.scale.update(x, Math.max(LEVEL_FLOOR * sd, 1e-12));
      const surprise = Number.isNaN(d) ? null : this.likelihood(this.cfg.logRaw ? Math.log1p(d) : d, this.shift.raw);
      if (surprise !== null && (surprise > maxSurprise || topScale < 0)) {
        maxSurprise = surprise;
        topScale = this.scales.length;
      }
    }
    this.seen++;
    if (topScale < 0) return { surprise: 0, scale: -1 };
    // Bonferroni: the best of k scales is k times likelier to look surprising by chance.
    const tests = this.scales.length + (this.shift ? 1 : 0);
    return { surprise: Math.max(0, maxSurprise - Math.log10(tests)), scale: topScale };
  }

  /**
   * The surprise of a scale's raw score under the Gaussian fitted to its earlier ones (`m`: the likelihood's window),
   * or null during the warm-up; the score then joins the window.
   */
  private likelihood(raw: number, m: RollingMoments): number | null {
    // Floor on the spread: a perfectly regular past must not turn round-off into certainty.
    const warm = m.count >= this.cfg.warmup && this.seen >= this.cfg.warmup;
    const surprise = warm ? gaussianSurprise((raw - m.mean) / Math.max(m.std, this.cfg.minSpread)) : null;
    m.push(raw);
    return surprise;
  }

  /** What the level scale last compared (null without one, or before it is computed). */
  get levelReading(): LevelReading | null {
    return this.shift?.scale.reading ?? null;
  }

  footprint(): number {
    const shift = this.shift ? this.shift.scale.footprint() + this.shift.raw.footprint : 0;
    return this.scales.reduce((s, sc) => s + sc.footprint(), this.level.footprint + this.steps.footprint + shift);
  }
}
