/**
 * The rules of a rules file evaluated row by row as a stream arrives: the same firings, with the same
 * anomaly objects, as `evaluateRules` (src/core/rules/evaluate.ts) gives on every prefix of the stream,
 * without keeping any row. Prometheus's alerting state machine per rule: a condition run fires once it has
 * held `for`; after it clears, the rule keeps firing while less than `keep_firing_for` has passed since the
 * clearing, and a condition that returns within that time continues the episode without waiting `for`.
 * A gap between rows longer than twice the step ends a run, as absent data does in Prometheus.
 *
 * The step is the median gap of the first `STEP_ROWS` rows seen so far (fixed from the 16th row on), so each
 * row's firing depends only on the rows up to it: the firings of the first k rows do not change when rows are
 * appended. On a stream whose first rows are regular this is the frame step `evaluateRules` uses.
 * Memory: a few numbers per rule, whatever the length of the stream.
 */
import type { Anomaly } from '../anomaly.ts';
import { ROW_MS, defaultMaxGap, holds, ruleAnomaly, ruleOnColumn, thresholdOf } from '../rules/evaluate.ts';
import { seriesIn } from '../csv/frame.ts';
import type { Rule, RulesFile } from '../rules/model.ts';
import { STEP_ROWS, medianGap } from './streamDetector.ts';
import { setOwn } from '../own.ts';

/** Options of `createStreamRules`. */
export interface StreamRulesOptions {
  /** Thresholds that replace the file's, by rule name. */
  thresholds?: Record<string, number>;
  /** Whether the stream has timestamps; without them row i stands at i seconds (as in evaluateRules). @default true */
  timed?: boolean;
  /** A gap longer than this ends a condition run. @default defaultMaxGap(the step), as evaluateRules */
  maxGapMs?: number;
  /** The times are the file's wall clock at this UTC offset (Frame.utcOffsetMs): findings' times carry it. @default 0 */
  utcOffsetMs?: number;
}

/** The streaming evaluator: feed every row in order; `update` returns the rule anomalies of that row. */
export interface StreamRules {
  /** Rules that are not evaluated, and why. */
  readonly skipped: Record<string, 'disabled' | 'unknown-metric'>;
  /** Evaluates one row: epoch ms (NaN = none) and one value per column of `columns` (NaN = no data). */
  update(timestampMs: number, values: ArrayLike<number>): Anomaly[];
  /** Rows seen so far. */
  readonly rows: number;
}

interface RuleState {
  rule: Rule;
  col: number;
  threshold: number;
  /** The previous row was in a condition run. */
  inRun: boolean;
  runStart: number;
  /** The current (or last) run has fired. */
  runFiring: boolean;
  /** The last run ended firing. */
  firing: boolean;
  /** Still inside the keep-firing span since the last run cleared. */
  keepAlive: boolean;
  /** When the condition was first seen false after the last run. */
  clear: number;
}

/** Creates a streaming evaluator of `rules` over rows whose values come in the order of `columns`. */
export function createStreamRules(rules: RulesFile | readonly Rule[], columns: readonly string[], options: StreamRulesOptions = {}): StreamRules {
  const list: readonly Rule[] = Array.isArray(rules) ? rules : (rules as RulesFile).rules;
  const timed = options.timed ?? true;
  const skipped: Record<string, 'disabled' | 'unknown-metric'> = {};
  const states: RuleState[] = [];
  for (const rule of list) {
    if (!rule.enabled) { setOwn(skipped, rule.name, 'disabled'); continue; }
    // Its own column, or each of its series' (cpu{host="a"}, …): the rule holds per series, as in batch.
    const cols = seriesIn(columns, rule.metric);
    if (!cols.length) { setOwn(skipped, rule.name, 'unknown-metric'); continue; }
    const threshold = thresholdOf(rule, options.thresholds);
    for (const col of cols) {
      const own = ruleOnColumn(rule, columns[col]);
      states.push({ rule: own, col, threshold, inRun: false, runStart: NaN, runFiring: false, firing: false, keepAlive: false, clear: NaN });
    }
  }
  const first: number[] = [];
  let stepNow = NaN;
  let prevTime = NaN;
  let rows = 0;

  return {
    skipped,
    get rows() { return rows; },
    update(timestampMs, values) {
      const row = rows++;
      const time = timed ? timestampMs : row * ROW_MS;
      if (timed && first.length < STEP_ROWS) {
        first.push(timestampMs);
        stepNow = medianGap(first);
      }
      const hasStep = timed && Number.isFinite(stepNow);
      const step = hasStep ? stepNow : ROW_MS;
      const maxGap = !timed ? Infinity : options.maxGapMs ?? (hasStep ? defaultMaxGap(stepNow) : Infinity);
      const within = row > 0 && time - prevTime <= maxGap;
      const split = row > 0 && timed && maxGap < Infinity && !within;
      // When the condition was first seen false after a run that ended on the previous row.
      const clearAfter = within ? time : prevTime + step;
      const out: Anomaly[] = [];
      for (const st of states) {
        const v = Number(values[st.col]);
        const r = st.rule;
        let fires = false;
        if (holds(r.op, v, st.threshold)) {
          if (st.inRun && !split) {
            if (!st.runFiring && time >= st.runStart + r.forMs) st.runFiring = true;
          } else {
            if (st.inRun) endRun(st, clearAfter);
            const resumed = st.keepAlive && time - st.clear < r.keepFiringForMs;
            st.keepAlive = false;
            st.runStart = time;
            st.runFiring = resumed || r.forMs <= 0;
            st.inRun = true;
          }
          fires = st.runFiring;
        } else {
          if (st.inRun) endRun(st, clearAfter);
          if (st.keepAlive) {
            if (time - st.clear < r.keepFiringForMs) fires = true;
            else st.keepAlive = false;
          }
        }
        if (fires) out.push(ruleAnomaly(r, st.threshold, row, v, timed ? timestampMs : NaN, options.utcOffsetMs));
      }
      prevTime = time;
      return out;
    },
  };
}

function endRun(st: RuleState, clear: number): void {
  st.inRun = false;
  st.firing = st.runFiring;
  st.clear = clear;
  st.keepAlive = st.firing && st.rule.keepFiringForMs > 0;
}
