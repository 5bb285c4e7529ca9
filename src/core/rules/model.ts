import type { Frame } from '../csv/frame.ts';
import type { Severity } from '../severity.ts';
import type { MetricStats } from '../stats.ts';

/** A comparison operator of a rule (SPEC §1). */
export type RuleOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** One alerting rule with every default applied; durations in milliseconds. */
export interface Rule {
  name: string;
  metric: string;
  op: RuleOp;
  threshold: number;
  /** How long the condition must hold before the rule fires, ms (0 = at once). */
  forMs: number;
  /** How long the rule keeps firing after its condition clears, ms. */
  keepFiringForMs: number;
  severity: Severity;
  enabled: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** 1-based line of the rule's first key, for messages and CodeLens. */
  line: number;
  /**
   * Set on a rule of a Prometheus rule file: its alert name as written. Its annotations are then Prometheus's Go
   * templates as written, rendered as Prometheus renders them (`__alert_NAME` in Go's errors).
   */
  promAlert?: string;
  /**
   * A Prometheus rule's: where the number its expr compares with is written in the file, [start, end) offsets of the
   * text it was read from; absent where the dashboard cannot rewrite it in place (then it has no slider).
   */
  thresholdSpan?: [number, number];
}

/** `detectors.iforest` as written (SPEC §1); absent keys are left for the detector's own defaults. */
export interface IforestSettings {
  enabled?: boolean;
  contamination?: 'auto' | number;
  trees?: number;
  max_samples?: number;
  seed?: number;
  metrics?: string[];
}

/** `detectors.forecast` as written (SPEC §1). */
export interface ForecastSettings {
  enabled?: boolean;
  metrics?: string[];
  interval?: number;
  daily?: 'auto' | boolean | number;
  weekly?: 'auto' | boolean | number;
  yearly?: 'auto' | boolean | number;
}

/** `alerts.webhook` as written, with the throttle also in ms. */
export interface WebhookSettings {
  format?: 'zapier' | 'slack' | 'alertmanager' | 'alertmanager-api';
  min_severity?: Severity;
  throttle?: string;
  throttleMs?: number;
}

/** `data:` naming a Prometheus source (SPEC §8): the server, metric name → PromQL, how far back, the step. */
export interface PrometheusDataSource {
  prometheus: string;
  queries: { name: string; promql: string }[];
  /** A duration back from now (`7d`), or null for the default. */
  range: string | null;
  step: string | null;
}

/** A valid rules file (SPEC §1), defaults applied to every rule. */
export interface RulesFile {
  version: 1;
  /** The `data:` path as written (relative to the rules file), or null. */
  data: string | null;
  /** `data:` as a Prometheus source instead of a CSV path (then `data` is null). */
  source?: PrometheusDataSource | null;
  defaults: { severity: Severity; forMs: number; keepFiringForMs: number };
  rules: Rule[];
  detectors: { iforest?: IforestSettings; forecast?: ForecastSettings };
  alerts: { webhook?: WebhookSettings };
}

/** A range in the text: 1-based line and column, end exclusive. */
export interface TextRange {
  start: { line: number; column: number };
  end: { line: number; column: number };
}

/** One replacement of text[startOffset, endOffset) by newText. */
export interface TextEdit {
  startOffset: number;
  endOffset: number;
  newText: string;
}

/** A quick fix carried by a diagnostic. */
export interface DiagnosticFix {
  title: string;
  edits: TextEdit[];
}

/** One problem of a rules file (SPEC §2), with its exact range and an optional quick fix. */
export interface Diagnostic {
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** Stable kebab-case id, e.g. 'unknown-key', 'duplicate-name', 'unknown-metric'. */
  code: string;
  /** Who found it: the YAML reader, the JSON Schema, or the checks against meaning and data. */
  source: 'yaml' | 'schema' | 'semantic';
  range: TextRange;
  startOffset: number;
  endOffset: number;
  fix?: DiagnosticFix;
}

/** What the rules are checked against: the data's metrics, its step and per-metric statistics. */
export interface RulesDataContext {
  /** Display name of the data (e.g. the CSV's file name). */
  name: string;
  metrics: string[];
  /** The timestamp column, so a rule on it gets a precise message. */
  timestampColumn?: string | null;
  stepMs: number | null;
  stats: Record<string, MetricStats>;
  /** The frame itself, when hover should count firings. */
  frame?: Frame;
  /**
   * The metrics are the names of a Prometheus source's queries, known before any fetch (SPEC §8): a query that
   * returns several series gives `NAME{label="value",…}` columns, so such a metric is accepted too.
   */
  queryNames?: boolean;
}
