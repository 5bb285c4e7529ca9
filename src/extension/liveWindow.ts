// Pure (no vscode import): the bounded window of a followed file that the live dashboard draws. Fixed-size
// rings, so memory stays flat however long the stream runs. Unit-tested in plain Node.
import type { AnalysisResult } from '../core/analysisResult.ts';
import type { Anomaly } from '../core/anomaly.ts';
import { sortAnomalies } from '../core/anomaly.ts';
import { medianStep } from '../core/csv/frame.ts';
import type { Incident } from '../core/incidents/incidents.ts';
import { shownAt } from '../core/incidents/shownAt.ts';
import { DEFAULT_MIN_SEVERITY } from '../core/incidents/view.ts';
import type { Severity } from '../core/severity.ts';
import { createIncidentTracker, valuesByMetric } from '../core/streaming/incidentTracker.ts';
import type { IncidentEvent, IncidentTracker } from '../core/streaming/incidentTracker.ts';

/** Rows the live dashboard keeps (the most recent). */
export const LIVE_ROWS = 50_000;
/** Anomalies the live dashboard keeps (the most recent, inside the row window). */
export const LIVE_ANOMALIES = 5_000;

/** A batch of scored rows as the streaming worker posts it. */
export interface LiveBatch {
  ts: Float64Array;
  lines: Int32Array;
  /** Row-major, one value per metric per row. */
  values: Float64Array;
  anomalies: Anomaly[];
}

/** The last `capacity` rows of a stream and their anomalies; `total` and `anomalyCount` count since the start. */
export class LiveWindow {
  private ts: Float64Array;
  private lines: Int32Array;
  private cols: Float64Array[];
  private head = 0;
  private size = 0;
  private anomalies: Anomaly[] = [];
  /** Rows appended since the last reset. */
  total = 0;
  /** Anomalies seen since the last reset (also those dropped from the window). */
  anomalyCount = 0;
  /**
   * Merges the anomalies into incidents as they arrive, as `stream` does (it counts those reported since the start):
   * the one owner of where an incident ends (held open while a metric it names stays out), for the table too.
   */
  private tracker: IncidentTracker | null = null;
  /** The tracker's ended incidents (reported or not) that reach into the window, in start order; rows since the reset. */
  private ended: Incident[] = [];

  constructor(private metricNames: string[], private timed: boolean, readonly capacity = LIVE_ROWS, readonly maxAnomalies = LIVE_ANOMALIES, readonly minSeverity: Severity = DEFAULT_MIN_SEVERITY, readonly utcOffsetMs = 0) {
    this.ts = new Float64Array(capacity);
    this.lines = new Int32Array(capacity);
    this.cols = metricNames.map(() => new Float64Array(capacity));
  }

  get metrics(): readonly string[] {
    return this.metricNames;
  }

  /** Incidents at or above `minSeverity` since the last reset (also those dropped from the window). */
  get incidentCount(): number {
    return this.tracker?.reported ?? 0;
  }

  /** The sampling step the tracker's incidents' durations count (null before it knows one). */
  get stepMs(): number | null {
    return this.tracker?.stepMs ?? null;
  }

  /** Rows held (≤ capacity). */
  get rows(): number {
    return this.size;
  }

  /** Appends a batch; rows and anomalies older than the window are dropped. Returns the incidents' events (opened, escalated, resolved). */
  append(batch: LiveBatch): IncidentEvent[] {
    const n = batch.ts.length;
    const m = this.cols.length;
    for (let i = 0; i < n; i++) {
      const at = (this.head + this.size) % this.capacity;
      this.ts[at] = batch.ts[i];
      this.lines[at] = batch.lines[i];
      for (let k = 0; k < m; k++) this.cols[k][at] = batch.values[i * m + k];
      if (this.size < this.capacity) this.size++;
      else this.head = (this.head + 1) % this.capacity;
    }
    this.total += n;
    this.anomalyCount += batch.anomalies.length;
    for (const a of batch.anomalies) this.anomalies.push(a);
    const first = this.total - n;
    // The step (an incident's duration) from the rows, not from the gaps between findings.
    this.tracker ??= createIncidentTracker({
      minSeverity: this.minSeverity, stepMs: this.timed && n > 1 ? medianStep(batch.ts) : null, utcOffsetMs: () => this.utcOffsetMs,
      onClose: (i) => { this.ended.push(i); },
    });
    const events: IncidentEvent[] = [];
    // Every row, with its values (an incident stays open while its metric stays where it was flagged, as in `stream`).
    const byRow = new Map<number, Anomaly[]>();
    for (const a of batch.anomalies) {
      const list = byRow.get(a.row);
      if (list) list.push(a);
      else byRow.set(a.row, [a]);
    }
    const push = (row: number, at: number, values?: Record<string, number>): void => {
      for (const e of this.tracker!.push(row, this.timed && at >= 0 && at < n ? batch.ts[at] : null, byRow.get(row) ?? [], values)) events.push(e);
    };
    for (const row of [...byRow.keys()].filter((r) => r < first).sort((a, b) => a - b)) push(row, row - first);
    for (let i = 0; i < n; i++) push(first + i, i, valuesByMetric(this.metricNames, batch.values.subarray(i * m, (i + 1) * m)));
    for (const row of [...byRow.keys()].filter((r) => r >= first + n).sort((a, b) => a - b)) push(row, row - first);
    const kept = this.total - this.size;
    let drop = 0;
    while (drop < this.anomalies.length && this.anomalies[drop].row < kept) drop++;
    drop = Math.max(drop, this.anomalies.length - this.maxAnomalies);
    if (drop > 0) this.anomalies.splice(0, drop);
    // An incident that ended before the window's first row is dropped with its rows.
    let gone = 0;
    while (gone < this.ended.length && this.ended[gone].endRow < kept) gone++;
    if (gone > 0) this.ended.splice(0, gone);
    return events;
  }

  /** Elements allocated (constant: the memory bound), plus the anomalies and incidents held. */
  footprint(): number {
    return this.ts.length + this.lines.length + this.cols.reduce((s, c) => s + c.length, 0) + this.anomalies.length + this.ended.length;
  }

  /**
   * The tracker's incidents in the window, rows renumbered from 0 at its first row (`first`: that row since the
   * reset): those ended, and the one still open at the last row (`ongoing`, its end the last row it holds so far).
   * One that began before the window is kept with its rows clipped to it (its start row, and its peak row when that
   * left too, are the window's first row); its id, times, score and summary stay the tracker's, as `stream` said them.
   */
  private incidentsFrom(first: number): Incident[] {
    const open = this.tracker?.pending ?? null;
    const all = open ? [...this.ended, { ...open, ongoing: true as const }] : this.ended;
    return all.filter((i) => i.endRow >= first).map((i) => ({
      ...i, startRow: Math.max(0, i.startRow - first), endRow: i.endRow - first, peakRow: Math.max(0, i.peakRow - first),
    }));
  }

  /** The window as an analysis result for the dashboard: rows renumbered from 0 at the window's first row. */
  toResult(path: string): AnalysisResult {
    const n = this.size;
    const first = this.total - n;
    const pick = <T extends Float64Array | Int32Array>(src: T, out: T): T => {
      const tail = Math.min(n, this.capacity - this.head);
      out.set(src.subarray(this.head, this.head + tail), 0);
      if (tail < n) out.set(src.subarray(0, n - tail), tail);
      return out;
    };
    const timestamps = this.timed ? pick(this.ts, new Float64Array(n)) : null;
    const frame = {
      timestamps, timestampColumn: null, metrics: [...this.metricNames], values: this.cols.map((c) => pick(c, new Float64Array(n))),
      rows: n, lines: pick(this.lines, new Int32Array(n)), stepMs: timestamps ? medianStep(timestamps) : null,
      ...(timestamps && this.utcOffsetMs ? { utcOffsetMs: this.utcOffsetMs } : {}),
    };
    const anomalies = this.anomalies.map((a) => ({ ...a, row: a.row - first }));
    // The stream's and the rules' findings as scored (the stream's score is a tail probability already), in the
    // incidents the tracker made of them as they arrived (what `stream` and its webhooks say): the table, its rows
    // (the findings inside each incident), the status bar's count and the events agree.
    const findings = sortAnomalies(anomalies.slice());
    const incidents = this.incidentsFrom(first);
    return {
      frame, input: { path, sha256: '' }, seed: 0, detectors: { stream: {} }, scores: {}, anomalies, warnings: [],
      view: { findings, incidents, shown: shownAt({ findings, incidents }, this.minSeverity), minSeverity: this.minSeverity, calibrations: {} },
    };
  }
}
