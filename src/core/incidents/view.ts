/**
 * The default view of an analysis (SPEC §7): every detector's statistic calibrated on the data's own
 * normal behaviour (./calibrate.ts), the rows rarer than the warning floor as findings, merged into incidents,
 * and the incidents at or above the minimum severity with their findings.
 */
import type { Anomaly } from '../anomaly.ts';
import { isoOf } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import { formatValue } from '../rules/template.ts';
import type { Severity } from '../severity.ts';
import { severityOf } from '../severity.ts';
import type { Calibration } from './calibrate.ts';
import { calibratedScore, fitTail, testsPerDay } from './calibrate.ts';
import type { Incident } from './incidents.ts';
import { buildIncidents, findingsIn, incidentsAtLeast } from './incidents.ts';
import { metricIndex } from '../csv/frame.ts';
import { getOwn } from '../own.ts';

/** The default minimum severity of the default view (chosen by cross-validation: see bench/incidents.ts). */
export const DEFAULT_MIN_SEVERITY: Severity = 'major';

/** What the view is computed from: the detectors' per-row statistics (an AnalysisResult has them all). */
export interface ViewInput {
  frame: Frame;
  /** The Isolation Forest's per-row scores, when it ran. */
  iforestScores?: Float64Array;
  /** Which metric isolated a row, when known (the Isolation Forest's attribution). */
  iforestMetric?: (row: number) => string | null;
  /** Per metric, the forecaster's fitted values over the rows, when it ran. */
  forecast?: Record<string, { yhat: ArrayLike<number> }>;
  /** Findings whose score is declared, not measured (rules): kept as they are. */
  declared?: readonly Anomaly[];
}

/** The default view and what it was made from. */
export interface View {
  /** Every calibrated finding (score ≥ 3) of every detector, and the declared ones, in the output order. */
  findings: Anomaly[];
  /** Every incident those findings make. */
  incidents: Incident[];
  /** The incidents at or above the minimum severity, and their findings. */
  shown: { incidents: Incident[]; anomalies: Anomaly[] };
  /** The minimum severity of `shown`. */
  minSeverity: Severity;
  /** Per detector and series, the calibration used (for the README's figures and the tests). */
  calibrations: Record<string, Calibration>;
}

/** Computes the calibrated findings, the incidents and the default view. */
export function defaultView(input: ViewInput, minSeverity: Severity = DEFAULT_MIN_SEVERITY): View {
  const { frame } = input;
  const fcMetrics = Object.keys(input.forecast ?? {}).filter((m) => metricIndex(frame, m) >= 0);
  const series = (input.iforestScores ? 1 : 0) + fcMetrics.length;
  const perDay = testsPerDay(frame.stepMs, series);
  const findings: Anomaly[] = [];
  const calibrations: Record<string, Calibration> = {};
  const tsOf = (row: number) => (frame.timestamps ? isoOf(frame.timestamps[row]) : null);

  if (input.iforestScores && input.iforestScores.length === frame.rows) {
    const scores = input.iforestScores;
    const tail = fitTail(scores);
    if (tail) {
      const c = { tail, testsPerDay: perDay };
      calibrations.iforest = c;
      for (let i = 0; i < scores.length; i++) {
        if (!(scores[i] > tail.u)) continue;
        const score = calibratedScore(c, scores[i]);
        const severity = severityOf(score);
        if (!severity) continue;
        const metric = input.iforestMetric?.(i) ?? null;
        const col = metric === null ? -1 : metricIndex(frame, metric);
        const v = col >= 0 ? frame.values[col][i] : NaN;
        findings.push({
          row: i, timestamp: tsOf(i), detector: 'iforest', metric, value: Number.isFinite(v) ? v : null, score, severity,
          message: `${metric ?? 'row'}${Number.isFinite(v) ? ` ${formatValue(v)}` : ''} is unusual with the other metrics (iforest score ${scores[i].toFixed(3)})`,
        });
      }
    }
  }

  const residuals = new Float64Array(frame.rows);
  for (const metric of fcMetrics) {
    const y = frame.values[metricIndex(frame, metric)];
    const yhat = input.forecast![metric].yhat;
    for (let i = 0; i < frame.rows; i++) residuals[i] = Math.abs(y[i] - yhat[i]);
    const tail = fitTail(residuals);
    if (!tail) continue;
    const c = { tail, testsPerDay: perDay };
    calibrations[`forecast:${metric}`] = c;
    for (let i = 0; i < frame.rows; i++) {
      const r = residuals[i];
      if (!(r > tail.u)) continue;
      const score = calibratedScore(c, r);
      const severity = severityOf(score);
      if (!severity) continue;
      findings.push({
        row: i, timestamp: tsOf(i), detector: 'forecast', metric, value: y[i], score, severity,
        message: `${metric} ${formatValue(y[i])} ${y[i] > yhat[i] ? 'above' : 'below'} the forecast ${formatValue(Number(yhat[i].toPrecision(4)))}`,
      });
    }
  }

  for (const a of input.declared ?? []) findings.push(a);
  const usual = usualFrom(input, calibrations);
  const incidents = buildIncidents(findings, frame, { usual });
  const shownIncidents = incidentsAtLeast(incidents, minSeverity);
  return { findings: findingsIn(findings, incidents), incidents, shown: { incidents: shownIncidents, anomalies: findingsIn(findings, shownIncidents) }, minSeverity, calibrations };
}

/** The usual value of a metric at a row: its forecast ± the typical residual (the tail threshold's median scale), else nothing. */
function usualFrom(input: ViewInput, calibrations: Record<string, Calibration>) {
  return (metric: string, row: number) => {
    const f = getOwn(input.forecast, metric);
    const c = getOwn(calibrations, `forecast:${metric}`);
    if (!f || !c) return null;
    return { value: f.yhat[row], spread: c.tail.u / 2.326, seasonal: true };
  };
}
