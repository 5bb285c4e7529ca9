import { sortAnomalies } from './anomaly.ts';
import type { Frame } from './csv/frame.ts';
import { metricIndex, seriesIn } from './csv/frame.ts';
import { detectForecast } from './detectors/forecast.ts';
import type { ForecastDetection } from './detectors/forecast.ts';
import { contaminationThreshold, detectIsolationForest, explainIsolationForest } from './detectors/isolationForest.ts';
import type { IsolationForestModel, IsolationForestOptions, IsolationForestResult } from './detectors/isolationForestModel.ts';
import { evaluateRules, thresholdOf } from './rules/evaluate.ts';
import type { RulesFile } from './rules/model.ts';
import type { Contamination } from './detectors/isolationForestModel.ts';
import { analysisView } from './incidents/analysisView.ts';
import type { Severity } from './severity.ts';
import type { AnalysisCache, AnalyzeSettings } from './analyzeSettings.ts';
import type { AnalysisResult } from './analysisResult.ts';

/** Choices made outside the rules file (CLI flags, dashboard controls); each one given wins over the file. */
export interface AnalyzeOverrides {
  detectors?: Partial<Record<'iforest' | 'forecast' | 'rules', boolean>>;
  seed?: number;
  metrics?: string[];
  contamination?: Contamination;
  trees?: number;
  maxSamples?: number;
  interval?: number;
  robust?: boolean;
  thresholds?: Record<string, number>;
  minSeverity?: Severity;
}

/**
 * The settings of an analysis: the rules file's `detectors:` block (SPEC §1), then the explicit choices, which
 * win. Defaults: Isolation Forest and the forecaster on, rules whenever there is a rules file, seed 0.
 * The CLI and the editor both build their settings here, so the same file gives the same analysis.
 */
export function settingsFor(rules: RulesFile | null, o: AnalyzeOverrides = {}): AnalyzeSettings {
  const fileIf = rules?.detectors.iforest;
  const fileFc = rules?.detectors.forecast;
  return {
    detectors: {
      iforest: o.detectors?.iforest ?? fileIf?.enabled ?? true,
      forecast: o.detectors?.forecast ?? fileFc?.enabled ?? true,
      rules: (o.detectors?.rules ?? true) && rules !== null,
    },
    seed: o.seed ?? fileIf?.seed ?? 0,
    metrics: o.metrics,
    iforest: { contamination: o.contamination ?? fileIf?.contamination, trees: o.trees ?? fileIf?.trees, maxSamples: o.maxSamples ?? fileIf?.max_samples, metrics: fileIf?.metrics },
    forecast: {
      interval: o.interval ?? fileFc?.interval, robust: o.robust ?? false, metrics: fileFc?.metrics,
      daily: seasonalitySwitch(fileFc?.daily), weekly: seasonalitySwitch(fileFc?.weekly), yearly: seasonalitySwitch(fileFc?.yearly),
    },
    rules,
    thresholds: o.thresholds,
    minSeverity: o.minSeverity,
  };
}

const nowMs = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Runs the chosen detectors over a frame and merges their findings (sorted by row, then detector).
 * A detector that cannot run (too few rows, no variation, no rules) is skipped with a warning, never an error.
 */
export function runAnalysis(frame: Frame, settings: AnalyzeSettings, input: { path: string; sha256: string }, cache: AnalysisCache = {}): AnalysisResult {
  const result: AnalysisResult = { frame, input, seed: settings.seed, detectors: {}, scores: {}, anomalies: [], warnings: [], timings: {} };

  if (settings.detectors.iforest) {
    const t0 = nowMs();
    const { opts, key } = iforestRunOf(settings);
    const contamination = opts.contamination ?? 'calibrated';
    let r: IsolationForestResult;
    const cached = cache.iforest?.key === key ? cache.iforest : undefined;
    if (cached?.model && (cached.result.model?.contamination ?? 'calibrated') === contamination) r = cached.result;
    else if (cached?.model) r = rethreshold(cached.model, frame, cached.result, contamination);
    else {
      r = detectIsolationForest(frame, opts);
      cache.iforest = { key, model: r.model ?? null, result: r };
    }
    if (r.scores.length) result.scores.iforest = r.scores;
    appendAll(result.anomalies, r.anomalies);
    result.warnings.push(...r.warnings);
    result.detectors.iforest = r.settings;
    result.timings!.iforest = nowMs() - t0;
  }

  if (settings.detectors.forecast) {
    const t0 = nowMs();
    const opts = { ...settings.forecast, seed: settings.seed, metrics: restrictMetrics(settings, settings.forecast?.metrics) };
    // The fit does not depend on the interval (except in robust mode, whose refit drops points by it):
    // an interval change predicts again with the fitted models.
    const { interval, ...fitOpts } = opts;
    const key = JSON.stringify(opts.robust ? opts : fitOpts);
    let d: ForecastDetection;
    if (cache.forecast && cache.forecast.key === key && cache.forecast.interval === interval) d = cache.forecast.detection;
    else {
      d = detectForecast(frame, opts, cache.forecast?.key === key ? cache.forecast.detection.models : {});
      cache.forecast = { key, interval, detection: d };
    }
    if (Object.keys(d.forecast).length) result.forecast = d.forecast;
    appendAll(result.anomalies, d.anomalies);
    result.warnings.push(...d.warnings);
    result.detectors.forecast = d.settings;
    result.forecastMode = d.mode;
    result.timings!.forecast = nowMs() - t0;
  }

  if (settings.detectors.rules) {
    const t0 = nowMs();
    if (!settings.rules) {
      result.warnings.push('rules skipped: no rules file (give one with --rules, or a rules file whose data: names this CSV)');
    } else {
      // With --metrics, the rules see only those metrics (a rule on cpu holds for the cpu{…} series chosen).
      const chosen = settings.metrics?.filter((m) => metricIndex(frame, m) >= 0);
      const ruleFrame = chosen ? { ...frame, metrics: chosen, values: chosen.map((m) => frame.values[metricIndex(frame, m)]) } : frame;
      const rules = chosen ? settings.rules.rules.filter((r) => seriesIn(chosen, r.metric).length > 0) : settings.rules.rules;
      const ev = evaluateRules(rules, ruleFrame, { thresholds: settings.thresholds });
      appendAll(result.anomalies, ev.anomalies);
      result.rules = ev.perRule;
      result.detectors.rules = {
        rules: rules.map((r) => ({ name: r.name, metric: r.metric, op: r.op, threshold: thresholdOf(r, settings.thresholds), forMs: r.forMs, keepFiringForMs: r.keepFiringForMs, severity: r.severity, enabled: r.enabled })),
      };
      for (const r of rules) if (ev.perRule[r.name]?.skipped === 'unknown-metric') result.warnings.push(`rule '${r.name}': no metric '${r.metric}' in the data; skipped`);
    }
    result.timings!.rules = nowMs() - t0;
  }
  sortAnomalies(result.anomalies);
  const t0 = nowMs();
  result.view = analysisView(result, settings.minSeverity, undefined, settings.viewConstants);
  result.timings!.incidents = nowMs() - t0;
  return result;
}

/**
 * The Isolation Forest options an analysis with these settings runs with, and the cache key of its forest
 * (everything but the contamination): a caller may fit and score elsewhere (on several threads) and put the
 * result in an AnalysisCache under this key, and runAnalysis then uses it.
 */
export function iforestRunOf(settings: AnalyzeSettings): { opts: IsolationForestOptions; key: string } {
  const opts: IsolationForestOptions = { ...settings.iforest, seed: settings.seed, metrics: restrictMetrics(settings, settings.iforest?.metrics) };
  const { contamination: _c, ...rest } = opts;
  return { opts, key: JSON.stringify(rest) };
}

/** A detector's metrics (its own list, else the analysis's), kept within the analysis's `metrics` when given. */
function restrictMetrics(settings: AnalyzeSettings, list: string[] | undefined): string[] | undefined {
  const base = list ?? settings.metrics;
  return base ? base.filter((m) => !settings.metrics || settings.metrics.includes(m)) : undefined;
}

/** Appends b to a (a spread, push(...b), overflows the call stack past ~100k elements). */
function appendAll<T>(a: T[], b: readonly T[]): void {
  for (let i = 0; i < b.length; i++) a.push(b[i]);
}

/** The same forest and scores with a new contamination: only the threshold and the explanations change. */
function rethreshold(model: IsolationForestModel, frame: Frame, previous: IsolationForestResult, contamination: Contamination): IsolationForestResult {
  const threshold = contaminationThreshold(Float64Array.from(previous.scores).sort(), contamination);
  const m: IsolationForestModel = { ...model, contamination, scoreThreshold: threshold, settings: { ...model.settings, contamination, threshold } };
  return explainIsolationForest(m, frame, previous.scores, [...previous.warnings]);
}

/** A rules file's seasonality switch (`auto`, a boolean, or a Fourier order) as the forecaster takes it: an order above 0 is on. */
export function seasonalitySwitch(v: 'auto' | boolean | number | undefined): 'auto' | boolean | undefined {
  if (v === undefined || v === 'auto' || typeof v === 'boolean') return v;
  return v > 0;
}
