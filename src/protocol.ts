/**
 * Messages between the extension host and the dashboard webview: types and guards only.
 * The host waits for `ready` before posting; everything from the webview is checked with `isWebviewMessage`.
 */
import type { Anomaly } from './core/anomaly.ts';
import type { Incident } from './core/incidents/incidents.ts';
import type { Rule } from './core/rules/model.ts';
import type { PageView } from './core/dashboard/pageView.ts';
import type { Severity } from './core/severity.ts';
import type { LineShifts } from './core/csv/lineShifts.ts';
import type { HistoryReport } from './core/history/analytics.ts';
import { SEVERITIES } from './core/severity.ts';

export type DetectorToggle = 'iforest' | 'forecast' | 'rules';

/** One metric's chart data: x (epoch ms, or row numbers when there is no time), y, and the forecast band. */
export interface SeriesData {
  metric: string;
  /** Data rows of the points (downsampled), for mapping clicks back to rows. */
  rows: number[];
  x: number[];
  y: (number | null)[];
  band?: { yhat: (number | null)[]; lower: (number | null)[]; upper: (number | null)[] };
}

/** A rule as the sliders need it. */
export interface RuleSlider {
  name: string;
  metric: string;
  op: string;
  threshold: number;
  /** The slider range, from the metric's values in the data. */
  min: number;
  max: number;
  step: number;
}

/** Settings the dashboard can change. */
export interface DashboardSettings {
  detectors: Record<DetectorToggle, boolean>;
  /** 'calibrated' (the default), 'auto' or a fraction in (0, 0.5]: what the raw rows list flags, not the incidents. */
  contamination: 'calibrated' | 'auto' | number;
  interval: number;
  thresholds: Record<string, number>;
}

/**
 * What the dashboard lists (SPEC §7): the incidents at or above a severity (the default view), or every row a
 * detector flagged.
 */
export type ViewChoice = Severity | 'all';

/** True for a ViewChoice. */
export function isViewChoice(v: unknown): v is ViewChoice {
  return v === 'all' || (typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v));
}

/** The full picture of one analysis, apart from what the page lists (its PageView). */
export interface ModelBase {
  file: { name: string; path: string };
  rows: number;
  timeAxis: boolean;
  /** The data's sampling step in ms (an incident lasts from its first row to one step past its last), or null. */
  stepMs: number | null;
  metrics: string[];
  series: SeriesData[];
  /**
   * Stretches without rows of a regular file (src/core/csv/gaps.ts, the rule analyze warns by): the times of the rows
   * either side, in the units of the series' x. The charts break their lines across them.
   */
  gaps?: [number, number][];
  /**
   * What the table lists: `view` 'all' lists `anomalies`; a severity lists `incidents` (expandable to
   * `incidentFindings`). A live window lists its own incidents too (LiveWindow.toResult gives it a view).
   */
  view: ViewChoice;
  /**
   * True when the page computes the PageView fields below itself (src/core/dashboard/pageView.ts) from the data
   * and outputs it holds (the host posted them before this model, which then carries none); false when the host
   * computed them.
   */
  byPage: boolean;
  rules: RuleSlider[];
  /** Whether a rules file is attached (the rules toggle and sliders need one). */
  rulesFile: string | null;
  settings: DashboardSettings;
  forecastMode: 'standard' | 'robust' | null;
  warnings: string[];
  /** Streaming: true while the file is being followed. */
  live: boolean;
  /** Streaming with the baseline: which model scored the latest rows and when it was (re)trained. */
  liveModel?: string;
  /** Streaming stopped: the page shows the last live window, no longer followed (and not computed as a whole file). */
  liveStopped?: boolean;
  /** Elapsed ms of the last (re)computation, shown in the footer. */
  computeMs: number;
  /**
   * A file without time: where its rows are in the CSV (src/core/csv/lineShifts.ts), so that the page names a row by
   * its line ("line 302") as the CLI text and the editor do.
   */
  lineShifts?: LineShifts;
  /** Detectors still running: the anomalies so far are partial. */
  pending: string[];
  /** Why the analysis stopped, when it failed (the findings are those of the detectors that finished). */
  failure?: string;
  /** True when `series` is empty because the chart data did not change since the last model (only the findings did). */
  seriesUnchanged?: boolean;
}

/** What the host posts: the model with the PageView fields (empty when `byPage`). */
export type DashboardModel = ModelBase & PageView;

/**
 * Files up to this many values (rows × (metrics + 1)) are sent to the webview in full, with the detectors'
 * outputs: the page then computes what it shows itself (src/core/dashboard/pageView.ts), at once on every change.
 */
export const LOCAL_DATA_MAX_VALUES = 1_500_000;

/** The file's data, for the page to hold (files small enough, once per content). Missing values are null (JSON has no NaN). */
export interface LocalData {
  path: string;
  timestamps: number[] | null;
  metrics: string[];
  values: (number | null)[][];
  /** The cells holding ±Infinity (JSON cannot): [metric index, row, sign]. */
  infinite: [number, number, 1 | -1][];
  stepMs: number | null;
  /** Frame.utcOffsetMs: `timestamps` are the file's wall clock at this offset. */
  utcOffsetMs?: number;
}

/** src/core/tuning.ts's Tuning as JSON: the forest's scores and attribution, the forecasts' yhat and noise. */
export interface FitsData {
  key: string;
  iforest?: { metrics: string[]; scores: number[]; floor: number; rows: number[]; shares: number[] };
  forecast?: Record<string, { yhat: (number | null)[]; sigma: number; yScale: number }>;
}

/**
 * An analysis's detector outputs (src/core/dashboard/pageView.ts's DetectorOutputs as JSON) for the page that holds
 * the data of `path`. `fits`: the arrays, or only their key when the page holds them already, or null (none).
 */
export interface OutputsData {
  path: string;
  settings: DashboardSettings;
  fixed: Anomaly[];
  fits: FitsData | { key: string; held: true } | null;
  rules: Rule[];
  view?: { findings: Anomaly[]; incidents: Incident[] };
}

/** Where the dashboard's Send button delivers (anomalyHunter.alertDestination). */
export type AlertDestination = 'webhook' | 'email' | 'both';

export type HostMessage =
  | { type: 'model'; model: DashboardModel }
  | { type: 'localData'; data: LocalData }
  | { type: 'outputs'; data: OutputsData }
  | { type: 'busy'; busy: boolean; text?: string }
  | { type: 'notice'; kind: 'info' | 'error'; text: string }
  | { type: 'window'; metric: string; x0: number; x1: number; series: SeriesData }
  | { type: 'select'; row: number }
  | { type: 'filterRule'; rule: string | null }
  | { type: 'alertDestination'; destination: AlertDestination };

export type WebviewMessage =
  /** The page's script runs; `hasModel`: a model has reached it already (it needs nothing posted again). */
  | { type: 'ready'; hasModel?: boolean }
  /** `path`: the file the settings are for (the host ignores them once it shows another). */
  | { type: 'settings'; settings: DashboardSettings; path: string }
  /** `metrics`: the charted metrics whose windows the page still needs (all when absent). */
  | { type: 'zoom'; x0: number; x1: number; metrics?: string[] }
  | { type: 'export'; format: 'csv' | 'json'; onlyAnomalies: boolean }
  | { type: 'sendWebhook' }
  /** `metric`: the finding's (or an incident's leading) metric: a long CSV's series each have their own line. */
  | { type: 'revealRow'; row: number; metric?: string }
  | { type: 'saveThresholds'; thresholds: Record<string, number> }
  /** The user chose what the table lists (kept by the page across reloads, like the toggles). */
  | { type: 'view'; view: ViewChoice };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';

/** True when a thresholds map is a plain object of finite numbers. */
function isThresholds(v: unknown): v is Record<string, number> {
  return isObj(v) && Object.values(v).every(isNum);
}

/** Checks the settings shape sent by the webview. */
export function isDashboardSettings(v: unknown): v is DashboardSettings {
  if (!isObj(v) || !isObj(v.detectors)) return false;
  const d = v.detectors;
  return isBool(d.iforest) && isBool(d.forecast) && isBool(d.rules)
    && (v.contamination === 'calibrated' || v.contamination === 'auto' || (isNum(v.contamination) && v.contamination > 0 && v.contamination <= 0.5))
    && isNum(v.interval) && v.interval > 0 && v.interval < 1
    && isThresholds(v.thresholds);
}

/** Guard for everything that arrives from the webview (it is untrusted input). */
export function isWebviewMessage(v: unknown): v is WebviewMessage {
  if (!isObj(v) || typeof v.type !== 'string') return false;
  switch (v.type) {
    case 'ready':
      return v.hasModel === undefined || isBool(v.hasModel);
    case 'sendWebhook':
      return true;
    case 'settings':
      return isDashboardSettings(v.settings) && typeof v.path === 'string';
    case 'zoom':
      return isNum(v.x0) && isNum(v.x1) && v.x1 > v.x0 && (v.metrics === undefined || (Array.isArray(v.metrics) && v.metrics.every((x) => typeof x === 'string')));
    case 'export':
      return (v.format === 'csv' || v.format === 'json') && isBool(v.onlyAnomalies);
    case 'revealRow':
      return isNum(v.row) && Number.isInteger(v.row) && v.row >= 0 && (v.metric === undefined || typeof v.metric === 'string');
    case 'saveThresholds':
      return isThresholds(v.thresholds);
    case 'view':
      return isViewChoice(v.view);
    default:
      return false;
  }
}

/**
 * The analytics view (webview/analytics/): the history's figures (null before anything was recorded), where the
 * database is, and why it could not be read, if so.
 */
export type HistoryHostMessage = { type: 'history'; report: HistoryReport | null; where: string; error?: string };

export type HistoryWebviewMessage =
  | { type: 'ready' }
  | { type: 'refresh' }
  /** Open the dashboard of an incident's file at the incident (`source` and `id` as the report listed them). */
  | { type: 'openIncident'; source: string; id: string; row: number };

/** Guard for everything that arrives from the analytics webview (untrusted input). */
export function isHistoryWebviewMessage(v: unknown): v is HistoryWebviewMessage {
  if (!isObj(v) || typeof v.type !== 'string') return false;
  switch (v.type) {
    case 'ready':
    case 'refresh':
      return true;
    case 'openIncident':
      return typeof v.source === 'string' && typeof v.id === 'string' && isNum(v.row) && Number.isInteger(v.row) && v.row >= 0;
    default:
      return false;
  }
}

/** Exhaustiveness check for switches over message types. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}
