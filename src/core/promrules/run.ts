import type { AlertOut, EngineRule, Series } from './engine.ts';
import { AlertRuleState, labelsKey } from './engine.ts';
import type { AlertCase, Position, TestFile, TestGroup } from './testFile.ts';

/**
 * Runs the alert_rule_test cases of a test file as promtool does (Prometheus cmd/promtool unit testing, as
 * documented in "Unit testing for rules"): series samples at i × interval; every rule evaluated at 0,
 * evaluation_interval, 2 × evaluation_interval… up to the last eval_time; a case at eval_time t compares the
 * firing alerts of the evaluation at the latest step not after t.
 */

/** The outcome of one alert_rule_test case. */
export interface CaseResult {
  groupIndex: number;
  caseIndex: number;
  group: TestGroup;
  test: AlertCase;
  pass: boolean;
  exp: AlertOut[];
  got: AlertOut[];
}

/** A test group that could not run (a rule's evaluation failed), as promtool reports it. */
export interface GroupError { groupIndex: number; at: Position; message: string }

/** All cases of a file, in file order, and the groups that failed to run. */
export interface FileResult { cases: CaseResult[]; errors: GroupError[] }

/** A sort key of an alert: its labels, then its annotations. */
export function alertKey(a: AlertOut): string {
  return `${labelsKey(a.labels)}\u0000${labelsKey(a.annotations)}`;
}

/** Alerts sorted as promtool sorts them before comparing (by labels, then annotations). */
export function sortAlerts(xs: readonly AlertOut[]): AlertOut[] {
  return [...xs].sort((a, b) => (alertKey(a) < alertKey(b) ? -1 : alertKey(a) > alertKey(b) ? 1 : 0));
}

function seriesOf(group: TestGroup): Series[] {
  const byKey = new Map<string, Series>();
  for (const s of group.series) {
    const key = labelsKey(s.labels);
    let series = byKey.get(key);
    if (!series) { series = { labels: s.labels, samples: [] }; byKey.set(key, series); }
    s.values.forEach((v, i) => {
      if (v === 'missing') return;
      series.samples.push({ t: i * group.intervalMs, v: v === 'stale' ? NaN : v, stale: v === 'stale' });
    });
  }
  for (const s of byKey.values()) s.samples.sort((a, b) => a.t - b.t);
  return [...byKey.values()];
}

/** Runs every alert_rule_test of `file` against `rules` (all rule files' alerting rules, in order). */
export function runTestFile(file: TestFile, rules: readonly EngineRule[]): FileResult {
  const cases: CaseResult[] = [];
  const errors: GroupError[] = [];
  file.tests.forEach((group, groupIndex) => {
    const series = seriesOf(group);
    const states = rules.map((r) => new AlertRuleState(r, { labels: group.externalLabels, url: group.externalURL }));
    const order = group.alertTests.map((_, i) => i).sort((a, b) => group.alertTests[a].evalTimeMs - group.alertTests[b].evalTimeMs);
    const maxEval = group.alertTests.reduce((m, c) => Math.max(m, c.evalTimeMs), 0);
    const step = file.evaluationIntervalMs;
    const results: CaseResult[] = [];
    let next = 0;
    try {
      for (let ts = 0; ts <= maxEval; ts += step) {
        for (const s of states) s.eval(ts, series);
        while (next < order.length && group.alertTests[order[next]].evalTimeMs < ts + step) {
          const caseIndex = order[next++];
          const test = group.alertTests[caseIndex];
          const got = sortAlerts(states.filter((s) => s.rule.name === test.alertname).flatMap((s) => s.firing()));
          const exp = sortAlerts(test.expAlerts.map((a) => ({ labels: { ...a.labels, alertname: test.alertname }, annotations: a.annotations })));
          const pass = exp.length === got.length && exp.every((a, i) => alertKey(a) === alertKey(got[i]));
          results.push({ groupIndex, caseIndex, group, test, pass, exp, got });
        }
      }
    } catch (e) {
      errors.push({ groupIndex, at: group.at, message: (e as Error).message });
      return;
    }
    results.sort((a, b) => a.caseIndex - b.caseIndex);
    cases.push(...results);
  });
  return { cases, errors };
}
