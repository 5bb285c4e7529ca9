/**
 * The default view of an analysis (SPEC §7): every detector's statistic calibrated on the data's own
 * normal behaviour (./calibrate.ts), the rows rarer than the warning floor as findings, merged into incidents,
 * and the incidents at or above the minimum severity with their findings.
 */
import type { Anomaly, ForecastCheck } from '../anomaly.ts';
import { isoOf, sortAnomalies } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import { metricIndex } from '../csv/frame.ts';
import { getOwn } from '../own.ts';
import { statsOf, trimmedCut } from '../stats.ts';
import { formatDuration } from '../rules/duration.ts';
import { formatNumber, formatReadable, roundSignificant } from '../format.ts';
import type { Severity } from '../severity.ts';
import { severityOf } from '../severity.ts';
import type { Calibration } from './calibrate.ts';
import { REPEATS_ALLOWED, calibratedScore, fitTail, testsPerDay } from './calibrate.ts';
import type { FindingNote, Incident } from './incidents.ts';
import { MIN_FINDINGS, mergeFindings } from './merge.ts';
import { shownAt } from './shownAt.ts';
import type { Shown } from './shownAt.ts';
import type { DiscordPlan } from './discord.ts';
import { discordPlan, discords } from './discord.ts';
import { absolute, deseasonalised, flatness, levelChange, maskMissing, maxAbs, resolution } from './seriesStatistics.ts';

/** The default minimum severity of the default view: chosen by cross-validation on the NAB folders (bench/incidents.ts picks it on four folders for each fifth: major the most often, and the best F1 over all five). */
export const DEFAULT_MIN_SEVERITY: Severity = 'major';

/** What the view is computed from: the detectors' per-row statistics (an AnalysisResult has them all). */
export interface ViewInput {
  frame: Frame;
  /** The Isolation Forest's per-row scores, when it ran. */
  iforestScores?: Float64Array;
  /** Which metric isolated a row, when known (the Isolation Forest's attribution). */
  iforestMetric?: (row: number) => string | null;
  /** How many metrics the forest read (its input columns; --metrics may leave some of the frame's out), else the frame's count. */
  iforestMetricCount?: number;
  /** Per metric, the forecaster's fitted values over the rows, when it ran. */
  forecast?: Record<string, { yhat: ArrayLike<number> }>;
  /** Findings whose score is declared, not measured (rules): kept as they are. */
  declared?: readonly Anomaly[];
}

/** The default view and what it was made from. */
export interface View {
  /** Every calibrated finding (score ≥ 3) of every detector, and the declared ones, in the output order (`--all-rows`). */
  findings: Anomaly[];
  /** Every incident those findings make. */
  incidents: Incident[];
  /** The incidents at or above the minimum severity, and every finding inside them. */
  shown: Shown;
  /** The minimum severity of `shown`. */
  minSeverity: Severity;
  /** Per detector and series, the calibration used (for the README's figures and the tests). */
  calibrations: Record<string, Calibration>;
  /** What was measured, for a later call with only new declared findings (not enumerable: never serialised). */
  readonly measured?: Measured;
}

/** One statistic to calibrate: per row, larger is stranger (NaN: not tested). */
interface Statistic {
  key: string;
  detector: 'iforest' | 'forecast';
  metric: string | null;
  values: Float64Array;
  /** Findings only where the statistic is at least this (an effect too small to name is no finding, however rare). */
  least?: number;
  /** Findings only at the rows where this holds (the statistic is still calibrated on every row). */
  at?: (row: number) => boolean;
  /** How much the metric's smallest difference (its resolution), in one row, moves the statistic: the floor of its tail's scale (fitTail). */
  resolution?: number;
  /** The check that makes its findings, where its detector has several: their `check`. */
  check?: ForecastCheck;
  /** Its findings say least of all (see FindingNote.vague). */
  vague?: true;
  /** The finding's metric (null: the statistic's), value and message at a row; `phrase` for a summary when the value alone does not tell. */
  describe(row: number): { metric: string | null; value: number | null; message: string; phrase?: string };
}

/** Windows of the level-change statistic: the mean over this long after a row against the same span before it. */
const CHANGE_WINDOWS_MS = [60 * 60_000, 6 * 3_600_000];
/**
 * Share of a window's values dropped at each end before the level-change statistic averages it (a trimmed mean):
 * a spike of a few rows does not read as a level, and a level change counts at its full size. At least one value is
 * dropped at each end (an hour at 5-minute steps is 12 values). Chosen by cross-validation over the NAB folders
 * (`npm run bench:incidents-cv`; 0, 0.05, 0.1, 0.25 and 0.5 — the median — tried: 0.05 on every set of four folders, with
 * the at-least-one rule too).
 */
const LEVEL_TRIM = 0.05;
/** A windowed statistic runs only on files at least this many windows long. */
const MIN_WINDOWS = 20;
/** Window of the flatness statistic (how little a metric moves). */
const FLAT_WINDOW_MS = 30 * 60_000;
/**
 * Slots of the seasonal-naive baseline of the level-change statistic: one row at 5-minute steps. Chosen by
 * cross-validation over the NAB folders (`npm run bench:incidents-cv`; 1, 5, 15 and 30 minutes tried: 1 and 5 tie on
 * every set of four folders, whose steps are 5 minutes or more). 5 was preferred for the generated files' precision at
 * 1-minute steps (0.95 against 0.93 then); the bench no longer reproduces that (1 minute is as good or a little better
 * there: docs/measurements.md), and the value is kept. Wider slots mix the rows of a daily ramp, whose differences then read
 * as level changes every day.
 */
const SEASON_SLOT_MS = 5 * 60_000;
/**
 * A metric is called stuck only where it moves less than this share of its usual changes at that time of day:
 * rarity alone is not enough (on clean data the calmest half hour of a fortnight is rare, not stuck). Chosen by
 * cross-validation over the NAB folders (`npm run bench:incidents-cv`; 1, 0.25, 0.1, 0.05, 0.02, 0.001 tried: 0.05 and below
 * tie on every set of four folders; 0.001 splits stuck sensors of the generated files into several incidents and
 * misses one).
 */
const FLAT_SHARE = 0.05;
/**
 * Span of the subsequences of the discord statistic (./discord.ts); 0: none. Chosen by cross-validation over the NAB
 * folders (`npm run bench:incidents-cv`; none, 30 min, 1 h, 3 h, 6 h and 1 day tried: 30 minutes on every set of four
 * folders). It runs where a subsequence is at least 4 bins: at steps up to 7.5 minutes, and on files short enough for
 * its bins (./discord.ts, MAX_POINTS).
 */
const DISCORD_SPAN_MS = 30 * 60_000;
/**
 * Shortest bin of the discord statistic: 5 minutes, the NAB folders' step, on which its span was chosen. At 1-minute
 * steps, bins of 3 rows (10 to a half hour) cost 4–5 times as much as bins of 5 (6 to it) and did no better on the
 * generated files (docs/measurements.md).
 */
const DISCORD_MIN_BIN_MS = 5 * 60_000;

/**
 * The view's constants that were chosen by cross-validation over the NAB folders. Internal: only
 * `npm run bench:incidents-cv`, which chooses them again, gives other values (through defaultView, analysisView
 * or AnalyzeSettings.viewConstants); no setting, flag or rules file reaches them.
 */
export interface ViewConstants {
  /** FLAT_SHARE. */
  flatShare: number;
  /** REPEATS_ALLOWED (./calibrate.ts). */
  repeatsAllowed: number;
  /** SEASON_SLOT_MS. */
  seasonSlotMs: number;
  /** LEVEL_TRIM. */
  levelTrim: number;
  /** DISCORD_SPAN_MS. */
  discordSpanMs: number;
  /** MIN_FINDINGS (./merge.ts). */
  minFindings: number;
}

/** The shipped values of the ViewConstants. */
export const VIEW_CONSTANTS: Readonly<ViewConstants> = Object.freeze({ flatShare: FLAT_SHARE, repeatsAllowed: REPEATS_ALLOWED, seasonSlotMs: SEASON_SLOT_MS, levelTrim: LEVEL_TRIM, discordSpanMs: DISCORD_SPAN_MS, minFindings: MIN_FINDINGS });

/** The shipped ViewConstants with those given in their place (a key given as undefined is not given). */
function withDefaults(given: Partial<ViewConstants>): ViewConstants {
  const k = { ...VIEW_CONSTANTS };
  for (const key of Object.keys(k) as (keyof ViewConstants)[]) k[key] = given[key] ?? k[key];
  return k;
}

/** What defaultView measured from the detectors' statistics: everything but the declared (rules) findings. */
export interface Measured {
  findings: Anomaly[];
  /** What a finding's summary may say beyond its detector and value (its check, its phrase, whether it says least). */
  notes: Map<Anomaly, FindingNote>;
  calibrations: Record<string, Calibration>;
  spreads: Map<string, number>;
}

/**
 * Computes the calibrated findings, the incidents and the default view. `reuse`: what an earlier call measured
 * on the same frame, scores and fits (its View's `measured`), when only the declared findings changed — a
 * rule threshold moved — so the statistics are not computed again. `constants`: see ViewConstants (the shipped
 * values unless given).
 */
export function defaultView(input: ViewInput, minSeverity: Severity = DEFAULT_MIN_SEVERITY, reuse?: Measured, constants: Partial<ViewConstants> = {}): View {
  const k = withDefaults(constants);
  const measured = reuse ?? measure(input, k);
  const findings = measured.findings.slice();
  for (const a of input.declared ?? []) findings.push(a);
  const usual = usualFrom(input, measured.calibrations, measured.spreads);
  // Warning-level findings (rarer than once an hour) are too common to say where an event starts and ends:
  // incidents are made of the measured findings from minor up (INCIDENT_FLOOR) and of every rule's (declared), and the
  // measured warnings are listed only with every row. A lone finding is shown as its incident (./merge.ts).
  const merged = mergeFindings(findings, input.frame, { usual, note: (a) => measured.notes.get(a), minFindings: k.minFindings });
  const { incidents } = merged;
  const view: View = { findings: sortAnomalies(merged.findings), incidents, shown: shownAt(merged, minSeverity), minSeverity, calibrations: measured.calibrations };
  // Not enumerable: it stays with the object in this process and is not sent along with the view.
  Object.defineProperty(view, 'measured', { value: measured, enumerable: false });
  return view;
}

/** The calibrated findings of every statistic of the input. */
function measure(input: ViewInput, k: ViewConstants): Measured {
  const { frame } = input;
  const spreads = new Map<string, number>();
  // One statistic at a time: a metric's arrays are garbage once its findings are taken (a 1M-row file).
  const stats = statisticsOf(input, spreads, k);
  const perDay = testsPerDay(frame.stepMs, statisticCount(input, k));
  const findings: Anomaly[] = [];
  const calibrations: Record<string, Calibration> = {};
  const tsOf = (row: number) => (frame.timestamps ? isoOf(frame.timestamps[row], frame.utcOffsetMs) : null);
  const notes = new Map<Anomaly, FindingNote>();
  for (const st of stats) {
    const tail = fitTail(st.values, st.resolution);
    if (!tail) continue;
    const c = { tail, testsPerDay: perDay };
    calibrations[st.key] = c;
    const x = st.values;
    for (let i = 0; i < x.length; i++) {
      if (!(x[i] > tail.u) || (st.least !== undefined && !(x[i] >= st.least)) || (st.at && !st.at(i))) continue;
      const score = calibratedScore(c, x[i], k.repeatsAllowed);
      const severity = severityOf(score);
      if (!severity) continue;
      const d = st.describe(i);
      const a: Anomaly = { row: i, timestamp: tsOf(i), detector: st.detector, metric: d.metric, value: d.value, score, severity, message: d.message };
      if (st.check) a.check = st.check;
      if (d.phrase || st.vague) notes.set(a, { phrase: d.phrase, vague: st.vague });
      findings.push(a);
    }
  }
  return { findings, notes, calibrations, spreads };
}

/** The usual value of a metric at a row: its forecast ± the typical residual (the tail threshold's median scale), else nothing. */
function usualFrom(input: ViewInput, calibrations: Record<string, Calibration>, spreads: ReadonlyMap<string, number>) {
  return (metric: string, row: number) => {
    const f = getOwn(input.forecast, metric);
    const c = calibrations[`forecast:${metric}`];
    if (!f || !c) return null;
    return { value: f.yhat[row], spread: spreads.get(metric) ?? NaN, seasonal: input.frame.timestamps !== null };
  };
}

/** An Isolation Forest finding's metric (the attribution's, if any), value and words at a row. */
function describeIforest(input: ViewInput, scores: Float64Array, i: number): { metric: string | null; value: number | null; message: string; phrase: string } {
  const metric = input.iforestMetric?.(i) ?? null;
  const col = metric === null ? -1 : metricIndex(input.frame, metric);
  const v = col >= 0 ? input.frame.values[col][i] : NaN;
  // The forest reads its metrics of the row together; a forest of one metric has no others to be unusual with.
  const how = (input.iforestMetricCount ?? input.frame.metrics.length) > 1 ? 'unusual with the other metrics' : 'unusual for this metric';
  return {
    metric, value: Number.isFinite(v) ? v : null,
    message: `${metric ?? 'row'}${Number.isFinite(v) ? ` ${formatNumber(v)}` : ''} is ${how} (iforest score ${scores[i].toFixed(3)})`,
    phrase: `${metric ?? 'row'}${Number.isFinite(v) ? ` ${formatReadable(v)}` : ''} ${how}`,
  };
}

/**
 * What `measured` (of the same frame, scores and fits) gives when the forest names other metrics (`input`'s
 * iforestMetric: another contamination flags other rows): its Isolation Forest findings described again, the rest
 * as it is. The same as measuring again, without the statistics.
 */
export function renamedIforest(measured: Measured, input: ViewInput): Measured {
  const scores = input.iforestScores;
  if (!scores) return measured;
  const notes = new Map(measured.notes);
  let changed = false;
  const findings = measured.findings.map((a) => {
    if (a.detector !== 'iforest' || (input.iforestMetric?.(a.row) ?? null) === a.metric) return a;
    changed = true;
    const { phrase, ...d } = describeIforest(input, scores, a.row);
    const b: Anomaly = { ...a, ...d };
    notes.delete(a);
    notes.set(b, { phrase });
    return b;
  });
  return changed ? { ...measured, findings, notes } : measured;
}

/**
 * The statistics the view calibrates: the forest's score and, per forecast metric, |residual|, the level change
 * of the series with its usual daily (and weekly) pattern removed at each change window, its flatness, and how unlike
 * every other stretch of the file the stretch around each row is (its discords).
 */
function* statisticsOf(input: ViewInput, spreads: Map<string, number>, k: ViewConstants): Generator<Statistic> {
  const { frame } = input;
  const scores = input.iforestScores;
  if (scores && scores.length === frame.rows) {
    yield ({
      key: 'iforest', detector: 'iforest', metric: null, values: scores,
      describe: (i) => describeIforest(input, scores, i),
    });
  }
  for (const metric of Object.keys(input.forecast ?? {})) {
    const col = metricIndex(frame, metric);
    if (col < 0) continue;
    const y = frame.values[col];
    const yhat = getOwn(input.forecast, metric)!.yhat;
    const r = new Float64Array(frame.rows);
    const abs = new Float64Array(frame.rows);
    // Differences below the values' own floating-point resolution are no evidence (an exactly linear column).
    const tiny = 1e-9 * maxAbs(y);
    for (let i = 0; i < frame.rows; i++) { r[i] = y[i] - yhat[i]; abs[i] = Math.abs(r[i]) <= tiny ? 0 : Math.abs(r[i]); }
    spreads.set(metric, statsOf(abs).median / 0.6745);
    const fmtY = (v: number) => String(roundSignificant(v, 4));
    yield ({
      key: `forecast:${metric}`, detector: 'forecast', metric, values: abs,
      describe: (i) => ({ metric, value: y[i], message: `${metric} ${formatNumber(y[i])} ${r[i] > 0 ? 'above' : 'below'} the forecast ${fmtY(yhat[i])}` }),
    });
    const d = deseasonalised(y, frame, k.seasonSlotMs);
    // The windowed statistics average many rows: on a counter (errors, restarts) they are mostly exactly 0 and move by a
    // count's share of a window, so their tails are floored at that share (a count more than usual is not extreme).
    const quantum = resolution(y);
    for (const ms of CHANGE_WINDOWS_MS) {
      const w = levelWindowRows(ms, frame);
      if (w === null) continue;
      const change = levelChange(d, w, k.levelTrim);
      // What the window spans here: widened to 3 rows at coarse steps (3h at hourly steps, not "1h").
      const step = frame.stepMs ?? 60_000;
      const span = formatDuration(Math.round(ms / step) < 3 ? w * step : ms);
      // One row's change moves the trimmed mean of a full window by its share of the values kept (../stats.ts, rollingTrimmedMean's cut).
      const kept = w - 2 * trimmedCut(w, k.levelTrim);
      yield ({
        key: `change${span}:${metric}`, detector: 'forecast', check: 'level check', metric, values: absolute(maskMissing(change, y)), resolution: quantum / kept,
        // A row is part of a level change only when its own value has moved at least half of it that way: the
        // windows look ahead, so rows before a change (whose "after" window already holds some of it) and after a
        // short one are not flagged as part of it (the sample's outage incident started 42 minutes early).
        at: (i) => change[i] * d[i] > 0 && Math.abs(d[i]) * 2 >= Math.abs(change[i]),
        describe: (i) => ({
          metric, value: y[i],
          message: `${metric} level ${change[i] > 0 ? 'rises' : 'drops'} by ${fmtY(Math.abs(change[i]))} (trimmed mean of the ${span} after against the ${span} before, usual daily pattern removed)`,
          phrase: `${metric} level ${change[i] > 0 ? 'rises' : 'drops'} by ${formatReadable(roundSignificant(Math.abs(change[i]), 4))} within ${span}`,
        }),
      });
    }
    const w = Math.max(5, Math.round(FLAT_WINDOW_MS / (frame.stepMs ?? 60_000)));
    if (w * MIN_WINDOWS <= frame.rows) {
      const flat = maskMissing(flatness(y, w, frame, quantum), y);
      yield ({
        key: `flat:${metric}`, detector: 'forecast', check: 'flatness check', metric, values: flat, least: Math.log(1 / k.flatShare),
        describe: (i) => ({ metric, value: y[i], message: `${metric} barely moves (${formatNumber(y[i])}): a stuck sensor or a stalled exporter?`, phrase: `${metric} stuck near ${formatReadable(y[i])}` }),
      });
    }
    const plan = discordPlanOf(frame, k);
    if (plan) {
      const { distance, nearest, difference, rowDifference, rowDistance } = discords(y, plan);
      // What the subsequences span here: about the half hour (28–34 minutes as the bins fall).
      const span = formatDuration(plan.bin * plan.length * (frame.stepMs ?? 60_000));
      const where = (row: number) => (frame.timestamps ? isoOf(frame.timestamps[row], frame.utcOffsetMs) ?? `row ${row + 1}` : `row ${row + 1}`);
      yield ({
        key: `discord${formatDuration(k.discordSpanMs)}:${metric}`, detector: 'forecast', check: 'discord check', metric, values: maskMissing(distance, y),
        vague: true,
        // One row's change moves the RMS distance of the bin means by its share of a bin, over √length bins.
        resolution: quantum / (plan.bin * Math.sqrt(plan.length)),
        // A row is part of a discord only where it differs from its counterpart in the closest subsequence by at
        // least their typical difference: the subsequence is centred on the row, so the rows before a spike or a
        // drop (whose subsequence already holds it) are not flagged with it. Its bin must (bin means against their
        // RMS distance), and where a bin is several rows so must the row itself, the same way its bin does (its own
        // value against its counterpart row's, by at least the rows' RMS difference): the other rows of a spike's bin
        // hold ordinary values. At NAB's 5-minute steps a bin is one row and the two tests are one.
        at: (i) => Math.abs(difference[i]) >= distance[i] && !(rowDifference[i] * difference[i] < 0 || Math.abs(rowDifference[i]) < rowDistance[i]),
        describe: (i) => ({
          metric, value: y[i],
          message: `${metric}'s ${span} around here looks like no other ${span} in the file (the closest, around ${where(nearest[i])}, differs by ${fmtY(distance[i])} on average)`,
          phrase: `${metric}'s ${span} looks like no other ${span} in the file`,
        }),
      });
    }
  }
}

/** How the discord statistic searches a metric of this frame (`k.discordSpanMs`), or null when it does not run. */
function discordPlanOf(frame: Frame, k: ViewConstants): DiscordPlan | null {
  if (!(k.discordSpanMs > 0)) return null;
  const step = frame.stepMs ?? 60_000;
  const spanRows = Math.round(k.discordSpanMs / step);
  return spanRows * MIN_WINDOWS <= frame.rows ? discordPlan(frame.rows, spanRows, Math.round(DISCORD_MIN_BIN_MS / step)) : null;
}

/**
 * Rows of the level-change window of `ms` on this file, or null where it does not run: at least 3 rows, at most a
 * twentieth of the file (MIN_WINDOWS), and not the same rows as a longer window's (at steps of 2 h and more both
 * windows are 3 rows: one statistic, which counted twice among the places tested and gave every finding twice).
 */
function levelWindowRows(ms: number, frame: Frame): number | null {
  const rows = (span: number) => Math.max(3, Math.round(span / (frame.stepMs ?? 60_000)));
  const w = rows(ms);
  // A window needs room for enough events of its own to calibrate on.
  if (w * MIN_WINDOWS > frame.rows) return null;
  return CHANGE_WINDOWS_MS.some((longer) => longer > ms && rows(longer) === w) ? null : w;
}

/** How many statistics statisticsOf yields for this input (the places tested, known before any is computed). */
function statisticCount(input: ViewInput, k: ViewConstants): number {
  const { frame } = input;
  const step = frame.stepMs ?? 60_000;
  let n = input.iforestScores && input.iforestScores.length === frame.rows ? 1 : 0;
  const windows = CHANGE_WINDOWS_MS.filter((ms) => levelWindowRows(ms, frame) !== null).length;
  const flat = Math.max(5, Math.round(FLAT_WINDOW_MS / step)) * MIN_WINDOWS <= frame.rows ? 1 : 0;
  const discord = discordPlanOf(frame, k) ? 1 : 0;
  for (const metric of Object.keys(input.forecast ?? {})) if (metricIndex(frame, metric) >= 0) n += 1 + windows + flat + discord;
  return n;
}

/** Which of the forecaster's checks made a finding (its `check`); null for the forecast's own findings and every other detector's. The dashboard names a finding by it. */
export function checkOf(a: Pick<Anomaly, 'check'>): ForecastCheck | null {
  return a.check ?? null;
}
