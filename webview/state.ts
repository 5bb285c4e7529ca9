// The dashboard page's one state object and the messages that change it (webview/update.ts is the only place
// that does). Pure data: no DOM, so the page's logic runs and is tested in plain Node.
import type { Frame } from '../src/core/csv/frame.ts';
import type { Computed, DetectorOutputs, IforestFit } from '../src/core/dashboard/pageView.ts';
import type { ForecastTuning } from '../src/core/tuning.ts';
import type { AlertDestination, DashboardModel, DashboardSettings, DetectorToggle, HostMessage, SeriesData, ViewChoice } from '../src/protocol.ts';
import { isViewChoice } from '../src/protocol.ts';
import type { SettingsSync } from './settingsSync.ts';
import { idleSync } from './settingsSync.ts';

export type SortKey = 'time' | 'duration' | 'metric' | 'detector' | 'score' | 'severity';
export interface Sort { key: SortKey; dir: 1 | -1 }
export interface Filters { detector: string; rule?: string | null }

/** The detectors' fits the host posted (src/core/tuning.ts), named by their key. */
export interface Fits { key: string; iforest?: IforestFit; forecast?: Record<string, ForecastTuning> }

/**
 * What the page holds of a file (small files only, never a live window): its data, the fits and the outputs of
 * its latest complete analysis. With outputs, the page computes what it shows itself (webview/local.ts).
 */
export interface Held { path: string; frame: Frame; fits: Fits | null; outputs: DetectorOutputs | null }

/** The page's last computation, and what it was for (a model that asks for the same again reuses it). */
export interface PageComputation { view: Computed; outputs: DetectorOutputs; settings: DashboardSettings; choice: ViewChoice }

export interface State {
  model: DashboardModel | null;
  /** The x range all charts show (epoch ms or rows), or null for everything. */
  zoom: [number, number] | null;
  /** The host's finer series of each metric for the zoomed range. */
  windows: ReadonlyMap<string, SeriesData>;
  filters: Filters;
  sort: Sort;
  /** The view the user chose in this page, until the host's model shows it (then model.view says it). */
  chosenView: ViewChoice | undefined;
  /** Incidents whose rows the table shows, by id. */
  expanded: ReadonlySet<string>;
  selectedRow: number | null;
  held: Held | null;
  /** The page's last computation of what it shows (null while the host's model says it). */
  computed: PageComputation | null;
  /** Settings sent to the host and not answered yet (see webview/settingsSync.ts). */
  sync: SettingsSync;
  /** Goes up whenever model.anomalies or model.incidents may show something else: the table and overlays redraw. */
  anomaliesVersion: number;
  busy: { shown: boolean; text: string };
  /** False from a settings change until the host's model for it arrives (the e2e tests wait for true). */
  settled: boolean;
  /** The notice line; `seq` goes up with each notice said (a repeated text is shown again). */
  notice: { kind: 'info' | 'error'; text: string; hidden: boolean; seq: number } | null;
  /** The failure last reported in a notice (each is said once). */
  shownFailure: string | undefined;
  /** A row to bring into view (the table's and the chart's), with `seq` going up per request. */
  reveal: { row: number; fromTable: boolean; seq: number } | null;
  /** Where Send delivers (anomalyHunter.alertDestination), for the button's label. */
  sendTo: AlertDestination;
  /** Charts: every metric's, instead of those with the strongest findings (a file of many metrics; chartedMetrics). */
  chartsAll: boolean;
  /** Metrics whose chart a selected row asked for (kept until another file is shown). */
  chartsPinned: ReadonlySet<string>;
}

/** What VS Code keeps of the page across a window reload (vscode.setState). */
export interface PersistedState {
  path?: string;
  /** The toggles and sliders, so a window reload analyses the file with them again. */
  settings?: DashboardSettings;
  zoom?: [number, number] | null;
  filters?: Filters;
  sort?: Sort;
  /** What the table lists (sent to the host after a reload, like the settings). */
  view?: ViewChoice;
  chartsAll?: boolean;
}

/** The state of a new page, from what VS Code kept of the last one. */
export function initialState(persisted: PersistedState = {}): State {
  return {
    model: null,
    zoom: persisted.zoom ?? null,
    windows: new Map(),
    filters: persisted.filters ?? { detector: 'all' },
    sort: persisted.sort ?? { key: 'score', dir: -1 },
    chosenView: isViewChoice(persisted.view) ? persisted.view : undefined,
    expanded: new Set(),
    selectedRow: null,
    held: null,
    computed: null,
    sync: idleSync,
    anomaliesVersion: 0,
    busy: { shown: false, text: 'Computing…' },
    settled: true,
    notice: null,
    shownFailure: undefined,
    reveal: null,
    sendTo: 'webhook',
    chartsAll: persisted.chartsAll ?? false,
    chartsPinned: new Set(),
  };
}

/** What is kept across a reload: the file, its settings (not a live window's), zoom, filters, order and view. */
export function persistedOf(s: State): PersistedState {
  const m = s.model;
  return { path: m?.file.path, settings: m && !m.live ? m.settings : undefined, zoom: s.zoom, filters: s.filters, sort: s.sort, view: s.chosenView ?? m?.view, chartsAll: s.chartsAll };
}

/** A change the user makes to the settings; a slider names the detector it moves (recomputed here when it can be). */
export type SettingsChange =
  | { kind: 'detector'; detector: DetectorToggle; on: boolean }
  | { kind: 'contamination'; value: number }
  | { kind: 'interval'; value: number }
  | { kind: 'threshold'; rule: string; value: number };

/** What the user does on the page. */
export type PageMessage =
  | { type: 'ui/settings'; change: SettingsChange }
  | { type: 'ui/view'; view: ViewChoice }
  | { type: 'ui/detectorFilter'; detector: string }
  | { type: 'ui/sort'; key: SortKey }
  | { type: 'ui/toggleIncident'; id: string }
  /** `metric`: the selected finding's (a long file's series share their rows), when known. */
  | { type: 'ui/select'; row: number; fromTable: boolean; metric?: string | null }
  | { type: 'ui/zoom'; range: [number, number] | null }
  | { type: 'ui/export'; format: 'csv' | 'json'; onlyAnomalies: boolean }
  | { type: 'ui/sendWebhook' }
  | { type: 'ui/revealRow'; row: number; metric?: string }
  | { type: 'ui/saveThresholds' }
  | { type: 'ui/chartsAll'; on: boolean };

/** Everything update() takes: what the host says and what the user does. */
export type Message = HostMessage | PageMessage;
