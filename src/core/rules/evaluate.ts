import type { Anomaly } from '../anomaly.ts';
import { isoOf } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import { seriesIndices } from '../csv/frame.ts';
import { seriesLabels } from '../prometheus/names.ts';
import { compileGoTemplate } from '../promrules/goTemplate.ts';
import { scoreOfSeverity } from '../severity.ts';
import type { Rule, RuleOp, RulesFile } from './model.ts';
import { compileTemplate } from './template.ts';
import { formatNumber } from '../format.ts';
import type { TemplateVars } from './template.ts';
import { getOwn, setOwn } from '../own.ts';

/** Where one rule fires over a frame. Rows are 0-based data rows. */
export interface RuleFiring {
  /** Number of rows on which the rule fires. */
  fires: number;
  /** Number of separate firing episodes (runs of consecutive firing rows). */
  episodes: number;
  firstRow: number | null;
  lastRow: number | null;
  /** Firing episodes as inclusive [start, end] row pairs: start0, end0, start1, end1… */
  ranges: Uint32Array;
  /** Why the rule was not evaluated. */
  skipped?: 'disabled' | 'unknown-metric';
}

/** Options of `evaluateRules`. */
export interface EvaluateOptions {
  /** Thresholds that replace the file's, by rule name (the dashboard's sliders). */
  thresholds?: Record<string, number>;
  /** Whether to build the anomaly objects (false: counts and ranges only, for hover and lenses). @default true */
  anomalies?: boolean;
  /**
   * A gap between consecutive timestamps longer than this ends a run of the condition, as absent data
   * would in Prometheus. @default defaultMaxGap(the frame's step) (no limit when the step is unknown)
   */
  maxGapMs?: number;
}

/**
 * Prometheus's lookback (`--query.lookback-delta`, 5 minutes by default): an evaluation sees a series' last
 * sample up to this old, so a shorter gap does not interrupt a condition.
 */
export const LOOKBACK_DELTA_MS = 5 * 60_000;

/**
 * The longest gap that does not end a condition: Prometheus's lookback, or two steps of coarser data (where every
 * gap between samples is longer than the lookback, and Prometheus would see the series vanish between them).
 */
export function defaultMaxGap(stepMs: number): number {
  return Math.max(2 * stepMs, LOOKBACK_DELTA_MS);
}

/** The result of evaluating rules: SPEC §3 anomalies (sorted by row, then rule order) and a summary per rule. */
export interface RulesEvaluation {
  anomalies: Anomaly[];
  perRule: Record<string, RuleFiring>;
}

/** Without a timestamp column, row i stands at i seconds, so `for: 5s` means five rows. */
export const ROW_MS = 1000;

/**
 * The threshold a rule is evaluated with: its override in `thresholds` (a dashboard slider) when that is a
 * finite number and the map's own entry (a rule named `constructor` must not read Object's), else its own.
 */
export function thresholdOf(rule: Pick<Rule, 'name' | 'threshold'>, thresholds: Readonly<Record<string, number>> | undefined): number {
  const o = getOwn(thresholds, rule.name);
  return typeof o === 'number' && Number.isFinite(o) ? o : rule.threshold;
}

/**
 * Evaluates each enabled rule on every row of a frame, honouring `for` and `keep_firing_for` on the
 * frame's timestamps (Prometheus semantics). A NaN value is "no data": the condition is false there.
 */
export function evaluateRules(rules: RulesFile | readonly Rule[], frame: Frame, options: EvaluateOptions = {}): RulesEvaluation {
  const list: readonly Rule[] = Array.isArray(rules) ? rules : (rules as RulesFile).rules;
  const withAnomalies = options.anomalies !== false;
  const ts = frame.timestamps;
  const step = ts ? frame.stepMs ?? ROW_MS : ROW_MS;
  const maxGap = ts ? options.maxGapMs ?? (frame.stepMs ? defaultMaxGap(frame.stepMs) : Infinity) : Infinity;
  const runs = new RangeBuffer();
  const firing = new RangeBuffer();
  const perRule: Record<string, RuleFiring> = {};
  const anomalies: Anomaly[] = [];
  let several = false;
  for (const rule of list) {
    if (!rule.enabled) { setOwn(perRule, rule.name, noFiring('disabled')); continue; }
    const columns = seriesIndices(frame, rule.metric);
    if (columns.length > 1) several = true;
    if (!columns.length) { setOwn(perRule, rule.name, noFiring('unknown-metric')); continue; }
    const threshold = thresholdOf(rule, options.thresholds);
    const each: Uint32Array[] = [];
    for (const mi of columns) {
      const values = frame.values[mi];
      runs.clear();
      conditionRuns(rule.op, values, threshold, frame.rows, runs);
      if (ts && maxGap < Infinity && runs.length) splitAtGaps(runs, ts, maxGap);
      firing.clear();
      applyTiming(runs, firing, ts, frame.rows, rule.forMs, rule.keepFiringForMs, step, maxGap);
      const r = firing.toUint32();
      each.push(r);
      if (withAnomalies && r.length) pushAnomalies(anomalies, rule, threshold, values, ts, r, frame.metrics[mi], frame.utcOffsetMs);
    }
    // Several series: the rows where the rule fires on any of them.
    const ranges = each.length === 1 ? each[0] : unionOf(each);
    let fires = 0;
    for (let k = 0; k < ranges.length; k += 2) fires += ranges[k + 1] - ranges[k] + 1;
    setOwn(perRule, rule.name, {
      fires, episodes: ranges.length / 2,
      firstRow: ranges.length ? ranges[0] : null, lastRow: ranges.length ? ranges[ranges.length - 1] : null, ranges,
    });
  }
  // Stable sort: rows in order, rules in file order (a rule's series in column order) within a row.
  if (list.length > 1 || several) anomalies.sort((a, b) => a.row - b.row);
  return { anomalies, perRule };
}

/** The union of sorted inclusive [start, end] row ranges, merged where they touch. */
function unionOf(lists: readonly Uint32Array[]): Uint32Array {
  const pairs: [number, number][] = [];
  for (const l of lists) for (let k = 0; k < l.length; k += 2) pairs.push([l[k], l[k + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out = new RangeBuffer();
  for (const [s, e] of pairs) out.append(s, e);
  return out.toUint32();
}

function noFiring(skipped: RuleFiring['skipped']): RuleFiring {
  const f: RuleFiring = { fires: 0, episodes: 0, firstRow: null, lastRow: null, ranges: new Uint32Array(0) };
  if (skipped) f.skipped = skipped;
  return f;
}

/** A growable list of inclusive [start, end] row pairs; reused across rules to avoid allocation. */
class RangeBuffer {
  data = new Int32Array(256);
  length = 0;

  clear(): void { this.length = 0; }

  push(start: number, end: number): void {
    if (this.length + 2 > this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = start;
    this.data[this.length++] = end;
  }

  /** Appends, merging with the last pair when they touch. */
  append(start: number, end: number): void {
    if (end < start) return;
    if (this.length && this.data[this.length - 1] + 1 >= start) {
      if (end > this.data[this.length - 1]) this.data[this.length - 1] = end;
      return;
    }
    this.push(start, end);
  }

  toUint32(): Uint32Array { return Uint32Array.from(this.data.subarray(0, this.length)); }
}

/**
 * Runs of rows where `value op threshold` holds. One loop per operator so each stays monomorphic and
 * branch-predictable: the cost is one compare per row while nothing matches.
 */
function conditionRuns(op: RuleOp, v: Float64Array, t: number, n: number, out: RangeBuffer): void {
  switch (op) {
    case '>': return runsGt(v, t, n, out);
    case '>=': return runsGe(v, t, n, out);
    case '<': return runsLt(v, t, n, out);
    case '<=': return runsLe(v, t, n, out);
    case '==': return runsEq(v, t, n, out);
    case '!=': return runsNe(v, t, n, out);
  }
}

function runsGt(v: Float64Array, t: number, n: number, out: RangeBuffer): void {
  let i = 0;
  for (;;) {
    while (i < n && !(v[i] > t)) i++;
    if (i >= n) return;
    const s = i;
    while (i < n && v[i] > t) i++;
    out.push(s, i - 1);
  }
}

function runsGe(v: Float64Array, t: number, n: number, out: RangeBuffer): void {
  let i = 0;
  for (;;) {
    while (i < n && !(v[i] >= t)) i++;
    if (i >= n) return;
    const s = i;
    while (i < n && v[i] >= t) i++;
    out.push(s, i - 1);
  }
}

function runsLt(v: Float64Array, t: number, n: number, out: RangeBuffer): void {
  let i = 0;
  for (;;) {
    while (i < n && !(v[i] < t)) i++;
    if (i >= n) return;
    const s = i;
    while (i < n && v[i] < t) i++;
    out.push(s, i - 1);
  }
}

function runsLe(v: Float64Array, t: number, n: number, out: RangeBuffer): void {
  let i = 0;
  for (;;) {
    while (i < n && !(v[i] <= t)) i++;
    if (i >= n) return;
    const s = i;
    while (i < n && v[i] <= t) i++;
    out.push(s, i - 1);
  }
}

function runsEq(v: Float64Array, t: number, n: number, out: RangeBuffer): void {
  let i = 0;
  for (;;) {
    while (i < n && v[i] !== t) i++;
    if (i >= n) return;
    const s = i;
    while (i < n && v[i] === t) i++;
    out.push(s, i - 1);
  }
}

function runsNe(v: Float64Array, t: number, n: number, out: RangeBuffer): void {
  // NaN is missing data: it never satisfies a condition, not even `!=`.
  let i = 0;
  for (;;) {
    while (i < n && (v[i] === t || v[i] !== v[i])) i++;
    if (i >= n) return;
    const s = i;
    while (i < n && v[i] !== t && v[i] === v[i]) i++;
    out.push(s, i - 1);
  }
}

/** Splits runs where consecutive timestamps are more than `maxGap` apart (or not finite). */
function splitAtGaps(runs: RangeBuffer, ts: Float64Array, maxGap: number): void {
  const src = runs.data.slice(0, runs.length);
  runs.clear();
  for (let k = 0; k < src.length; k += 2) {
    let s = src[k];
    const e = src[k + 1];
    for (let j = s + 1; j <= e; j++) {
      if (!(ts[j] - ts[j - 1] <= maxGap)) { runs.push(s, j - 1); s = j; }
    }
    runs.push(s, e);
  }
}

/**
 * Turns condition runs into firing ranges (Prometheus's alerting state machine): a run fires from its
 * first row at least `forMs` after its start; after the condition clears the rule keeps firing while
 * less than `keepMs` has passed, and a condition that returns within that time continues the episode
 * without waiting `for` again.
 */
function applyTiming(runs: RangeBuffer, out: RangeBuffer, ts: Float64Array | null, n: number, forMs: number, keepMs: number, step: number, maxGap: number): void {
  const time = (i: number) => (ts ? ts[i] : i * ROW_MS);
  // When the condition is first seen false after row `end`: the next row, or one step after `end` across a gap.
  const clearTime = (end: number) => (end + 1 < n && time(end + 1) - time(end) <= maxGap ? time(end + 1) : time(end) + step);
  const r = runs.data;
  let firing = false;
  let prevEnd = -1;
  for (let k = 0; k < runs.length; k += 2) {
    const s = r[k];
    const e = r[k + 1];
    let resumed = false;
    if (firing) {
      const clear = clearTime(prevEnd);
      let j = prevEnd + 1;
      while (j < s && time(j) - clear < keepMs) j++;
      out.append(prevEnd + 1, j - 1);
      resumed = j === s && time(s) - clear < keepMs;
    }
    if (resumed) {
      out.append(s, e);
      firing = true;
    } else {
      const j = forMs > 0 ? firstAtLeast(time, s, e, time(s) + forMs) : s;
      firing = j <= e;
      if (firing) out.append(j, e);
    }
    prevEnd = e;
  }
  if (firing && keepMs > 0) {
    const clear = clearTime(prevEnd);
    let j = prevEnd + 1;
    while (j < n && time(j) - clear < keepMs) j++;
    out.append(prevEnd + 1, j - 1);
  }
}

/** First row in [lo, hi] whose time is ≥ target (times ascend), or hi + 1. */
function firstAtLeast(time: (i: number) => number, lo: number, hi: number, target: number): number {
  let a = lo;
  let b = hi + 1;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (time(mid) >= target) b = mid;
    else a = mid + 1;
  }
  return a;
}

/** Whether `v op t` holds; NaN (no data) never satisfies a condition, not even `!=`. */
export function holds(op: RuleOp, v: number, t: number): boolean {
  switch (op) {
    case '>': return v > t;
    case '>=': return v >= t;
    case '<': return v < t;
    case '<=': return v <= t;
    case '==': return v === t;
    case '!=': return v === v && v !== t;
  }
}

/** The anomalies of a rule firing on `ranges` of one column: `metric`, the rule's or one of its series'. */
function pushAnomalies(out: Anomaly[], rule: Rule, threshold: number, values: Float64Array, ts: Float64Array | null, ranges: Uint32Array, metric: string, offsetMs = 0): void {
  const prepared = prepareRule(ruleOnColumn(rule, metric), threshold);
  for (let k = 0; k < ranges.length; k += 2) {
    for (let row = ranges[k]; row <= ranges[k + 1]; row++) out.push(preparedAnomaly(prepared, row, values[row], ts ? ts[row] : NaN, offsetMs));
  }
}

/** What every anomaly of a rule at a threshold shares, computed once per rule instead of once per row. */
interface PreparedRule {
  rule: Rule;
  threshold: number;
  thr: string;
  score: number;
  render: ((vars: TemplateVars, timestampMs: number) => string) | null;
}

function prepareRule(rule: Rule, threshold: number): PreparedRule {
  const summary = rule.annotations.summary;
  const render = summary === undefined ? null : rule.promAlert !== undefined ? goRender(summary, rule.promAlert, rule.metric) : compileTemplate(summary);
  return { rule, threshold, thr: formatNumber(threshold), score: scoreOfSeverity(rule.severity), render };
}

const goCompiled = new Map<string, ((v: number, timestampMs: number) => string) | null>();

/**
 * A Prometheus rule's template rendered as Prometheus renders it (goTemplate.ts), given the value and the time:
 * $labels are the series' labels and its name (`__name__`), as the sample's are in Prometheus, not the rule's own.
 * An action we do not render shows as written; a template Go does not parse (an error of the file) shows as written.
 */
function goRender(template: string, alert: string, metric: string): (vars: TemplateVars, timestampMs: number) => string {
  const key = `${alert}\u0000${metric}\u0000${template}`;
  let f = goCompiled.get(key);
  if (f === undefined) {
    const g = compileGoTemplate(template, alert, true);
    const open = metric.indexOf('{');
    const labels = { ...seriesLabels(metric), __name__: open < 0 ? metric : metric.slice(0, open) };
    f = g && ((value, evalTimeMs) => g({ labels, value, externalLabels: {}, externalURL: '', evalTimeMs }));
    if (goCompiled.size > 1000) goCompiled.clear();
    goCompiled.set(key, f);
  }
  const run = f;
  return run ? (vars, timestampMs) => run(vars.valueNumber ?? Number(vars.value), timestampMs === timestampMs ? timestampMs : 0) : () => template;
}

/**
 * A rule as it holds on one of its columns: its own metric, or a series of it (`cpu{host="a"}`), whose labels its
 * templates see as `labels.host` (Prometheus's $labels: the series' labels, the rule's own over them).
 */
export function ruleOnColumn(rule: Rule, metric: string): Rule {
  // A rule on one series in full (`cpu{host="a"}`) sees its labels too.
  const labels = seriesLabels(metric);
  if (metric === rule.metric && Object.keys(labels).length === 0) return rule;
  return { ...rule, metric, labels: { ...labels, ...rule.labels } };
}

/** The anomaly of a rule firing on one row (value NaN = no data, timestamp NaN = none); shared with the streaming evaluator. */
export function ruleAnomaly(rule: Rule, threshold: number, row: number, v: number, timestampMs: number, offsetMs = 0): Anomaly {
  return preparedAnomaly(prepareRule(rule, threshold), row, v, timestampMs, offsetMs);
}

function preparedAnomaly(p: PreparedRule, row: number, v: number, timestampMs: number, offsetMs = 0): Anomaly {
  const { rule, threshold, thr, score } = p;
  const timestamp = isoOf(timestampMs, offsetMs);
  const value = v === v ? v : null;
  // A row kept firing (keep_firing_for) after the condition cleared says so, templated or not: its summary alone
  // ("CPU at 61% (> 90%)") would say the condition holds.
  const kept = holds(rule.op, v, threshold) ? '' : ' (keep firing)';
  const message = p.render
    ? p.render({
      name: rule.name, metric: rule.metric, value: value === null ? 'NaN' : formatNumber(value), threshold: thr,
      timestamp: timestamp ?? `row ${row}`, op: rule.op, severity: rule.severity, row: String(row), labels: rule.labels, valueNumber: v,
    }, timestampMs) + kept
    : `${rule.name}: ${rule.metric} = ${value === null ? 'no data' : formatNumber(value)} ${rule.op} ${thr}${kept}`;
  return { row, timestamp, detector: 'rule', rule: rule.name, metric: rule.metric, value, score, severity: rule.severity, message };
}
