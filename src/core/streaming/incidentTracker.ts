/**
 * Incidents while streaming (SPEC §7), causally: the findings of each row are merged, as they arrive, into the
 * open incident (findings at most `gapRows` rows apart are one incident, as in batch `mergeFindings`), and
 * what a person is told is an incident, not a row:
 *
 * - `opened`: the open incident's severity reached `minSeverity` (at the row that made it reach it);
 * - `escalated`: a reported incident reached a higher band;
 * - `resolved`: a reported incident ended: `gapRows` rows passed without a finding and with each metric it names
 *   back (see `push`'s `values`).
 *
 * Back: a detector flags the first rows of an outage, then the low level is no longer news to it (the nearest
 * neighbour of 2.0 is the 2.6 a minute before) and its findings stop while the outage goes on. So, given the rows'
 * values, a reported incident stays open while a metric it names stays at the level it was last flagged at:
 * nearer the value of its last finding than half that finding's distance from the metric's usual value (the
 * median of the last `gapRows` rows before the incident). Those rows are its end; it resolves `gapRows` rows after
 * the last of them. A spike is back at the next row, an outage when the metric is; a level that moves further
 * out is new to the detector, whose findings then move the level; a metric that drifts on (a counter, a leak)
 * leaves the band, so a trend does not hold an incident open for ever. A level that moves and stays (a deploy, a
 * resize) would hold it for ever, and a new alert would never go out: the hold lasts at most HOLD_GAPS × `gapRows`
 * rows past the last finding.
 *
 * Near usual: after a spike the detector's own state recovers (the day-shape scale still holds the spike) and it
 * flags a few more rows whose values are the usual ones; the incident took the last of them as its end, and held on
 * its level, a band about the usual value that the noise of later rows kept hitting ("cpu 400 for 2h24m" for one row
 * of 400). A value is near usual within NEAR_USUAL noise units of the metric's usual value (noise: the median change
 * between consecutive rows before the incident). A near-usual finding of a metric the incident flagged away from its
 * usual value is that recovery: it joins the incident (score, count, and it keeps the incident open `gapRows` rows
 * more, so a run of them does not open and resolve one incident after another), but it does not move the end and
 * drops its metric's level, so the end and duration are the rows a person sees as unusual (batch says "cpu 400 for
 * 1m" of the same file). A row held for such a metric must not be near usual either: a level flagged just past the
 * noise is not held by the noise. A metric whose findings are all near usual (a slow leak's first hours, a stuck
 * sensor, a day that looks like no other) is held and ends as before.
 *
 * An incident whose findings never reach `minSeverity` is never reported. A lone finding keeps its score here
 * (STREAM_MIN_FINDINGS), unlike batch's (../incidents/merge.ts): the rule applied causally was measured and not kept.
 * Memory stays bounded: the open incident keeps running totals, and the rows it remembers (time, the values of
 * its findings) are its first, its peak and its last.
 */
import type { Anomaly } from '../anomaly.ts';
import { IncidentGroup } from '../incidents/incidents.ts';
import { INCIDENT_FLOOR, entersIncidents } from '../incidents/merge.ts';
import type { Incident, IncidentOptions, IncidentRows } from '../incidents/incidents.ts';
import type { Severity } from '../severity.ts';
import { severityRank } from '../severity.ts';

/**
 * The findings a streamed incident needs to be major (a critical one, or a rule's, is kept as it is): 1, so a lone
 * finding keeps its score — batch's MIN_FINDINGS (2, ../incidents/merge.ts) applied causally (an incident of one
 * finding minor until a second joins it) was measured and not kept: `npm run bench:stream-labelled` (-- --min-findings
 * 2) gave 48 incidents, precision 0.625, recall 0.403 (27 of 67 windows), F1 0.490 against 70, 0.571, 0.493 (33),
 * 0.529: 12 false incidents fewer, 6 windows lost. The live window's incidents are this tracker's
 * (src/extension/liveWindow.ts, collected as its rows arrive), so its table, status bar and webhooks agree.
 */
export const STREAM_MIN_FINDINGS = 1;

/** How long a reported incident is held past its last finding, in `gapRows`: two hours at 1-minute steps (6: F1 0.565, 12: 0.584, no cap: 0.586 on `npm run bench:stream-labelled`; 35 of 67 windows each). */
const HOLD_GAPS = 12;

/**
 * A value within this many noise units of its metric's usual value is near usual (see above). Noise: the median
 * |x(t) − x(t−1)| of the NOISE_GAPS × `gapRows` rows before the incident, over 0.954 (a standard deviation for
 * Gaussian noise). 4: a Gaussian row is this far out less than once in 15,000.
 */
const NEAR_USUAL = 4;
const NOISE_GAPS = 6;

/** Gaps between rows whose median is the step (when not given). */
const STEP_GAPS = 15;

export type IncidentEventKind = 'opened' | 'escalated' | 'resolved';

/** One change of a reported incident, at the row that caused it. */
export interface IncidentEvent {
  event: IncidentEventKind;
  incident: Incident;
}

export interface IncidentTrackerOptions extends Pick<IncidentOptions, 'gapRows' | 'note'> {
  /** Incidents are reported from this severity on. @default 'major' (SPEC §7's default view) */
  minSeverity?: Severity;
  /** Measured findings below this severity are not merged (a rule's always is: entersIncidents, as in batch). @default INCIDENT_FLOOR ('minor') */
  mergeFrom?: Severity;
  /** The sampling step, for the incident's duration. @default the median of the first 15 gaps between rows */
  stepMs?: number | null;
  /** An incident of fewer findings than this, none a rule's, is at most minor unless critical. @default STREAM_MIN_FINDINGS */
  minFindings?: number;
  /** The stream's UTC offset when its times are a file's wall clock (read when an incident is made). @default 0 */
  utcOffsetMs?: () => number;
  /**
   * Told every incident as it ends, reported or not (a reported one as its `resolved` event says it): a live view
   * collects the incidents as the rows arrive (src/extension/liveWindow.ts) instead of merging its findings again.
   */
  onClose?: (incident: Incident) => void;
}

/** The median of finite numbers, or NaN. */
function median(values: readonly number[]): number {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!xs.length) return NaN;
  const h = xs.length >> 1;
  return xs.length % 2 ? xs[h] : (xs[h - 1] + xs[h]) / 2;
}

/** The last `size` values of each metric (rows in order), for the usual value before an incident and its noise. */
class RecentValues {
  private readonly rings = new Map<string, number[]>();
  /** `usualRows`: the newest rows whose median is the usual value; `size` (≥ it): the rows the noise is measured on. */
  constructor(private readonly usualRows: number, private readonly size: number) {}
  push(values: Readonly<Record<string, number>>): void {
    for (const [m, v] of Object.entries(values)) {
      let ring = this.rings.get(m);
      if (!ring) this.rings.set(m, ring = []);
      ring.push(v);
      if (ring.length > this.size) ring.shift();
    }
  }
  /** The median of the finite values of `metric` in the last `usualRows` rows, or NaN. */
  usual(metric: string): number {
    return median((this.rings.get(metric) ?? []).slice(-this.usualRows));
  }
  /** The noise of `metric`: the median |change| between consecutive rows, as a standard deviation; NaN with fewer than two. */
  noise(metric: string): number {
    const ring = this.rings.get(metric) ?? [];
    const steps: number[] = [];
    for (let k = 1; k < ring.length; k++) steps.push(Math.abs(ring[k] - ring[k - 1]));
    return median(steps) / 0.954;
  }
}

/** Remembers what the summary of the open incident reads: the time of its rows, the values of its findings. */
class SeenRows implements IncidentRows {
  private readonly times = new Map<number, number | null>();
  private readonly values = new Map<string, number>();
  constructor(private readonly step: () => number | null, private readonly offset: () => number) {}
  get stepMs(): number | null { return this.step(); }
  get utcOffsetMs(): number { return this.offset(); }
  note(row: number, time: number | null, a?: Anomaly): void {
    this.times.set(row, time);
    if (!a) return;
    if (a.metric !== null && a.value !== null) this.values.set(`${row}\u0000${a.metric}`, a.value);
  }
  /** Forgets every row but these (the incident's first, peak and last). */
  keep(rows: readonly number[]): void {
    for (const r of [...this.times.keys()]) if (!rows.includes(r)) this.times.delete(r);
    for (const k of [...this.values.keys()]) if (!rows.includes(Number(k.slice(0, k.indexOf('\u0000'))))) this.values.delete(k);
  }
  time(row: number): number | null { return this.times.get(row) ?? null; }
  value(metric: string, row: number): number { return this.values.get(`${row}\u0000${metric}`) ?? NaN; }
}

export interface IncidentTracker {
  /**
   * The findings of data row `row` (0-based, rows in order; a row without findings too), at `timeMs`. `values`:
   * the row's metric values (NaN = missing) — with them a reported incident stays open until the metrics it names
   * are back (see above); without them it resolves `gapRows` rows after its last finding.
   */
  push(row: number, timeMs: number | null, findings: readonly Anomaly[], values?: Readonly<Record<string, number>>): IncidentEvent[];
  /** The open incident, if it is reported (what a live view shows). */
  readonly open: Incident | null;
  /** The open incident, reported or not, as it stands (held rows included): what onClose will be told when it ends. */
  readonly pending: Incident | null;
  /** Incidents reported so far (opened), and resolved so far. */
  readonly reported: number;
  readonly resolved: number;
  /** The sampling step its incidents' durations count (given, or measured from the rows so far). */
  readonly stepMs: number | null;
}

/** A row's values by metric name, for `IncidentTracker.push` (`values` in `metrics` order, NaN = missing). */
export function valuesByMetric(metrics: readonly string[], values: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (let k = 0; k < metrics.length; k++) out[metrics[k]] = values[k];
  return out;
}

export function createIncidentTracker(options: IncidentTrackerOptions = {}): IncidentTracker {
  const gap = Math.max(0, options.gapRows ?? 10);
  const min = severityRank(options.minSeverity ?? 'major');
  const mergeFrom = options.mergeFrom ?? INCIDENT_FLOOR;
  const incidentOptions: IncidentOptions = { gapRows: gap, note: options.note, minFindings: options.minFindings ?? STREAM_MIN_FINDINGS };
  const gaps: number[] = [];
  let lastTime: number | null = null;
  const step = (): number | null => {
    if (options.stepMs !== undefined) return options.stepMs;
    if (!gaps.length) return null;
    const sorted = [...gaps].sort((a, b) => a - b);
    return sorted[sorted.length >> 1];
  };
  let group: IncidentGroup | null = null;
  const offset = options.utcOffsetMs ?? (() => 0);
  let rows = new SeenRows(step, offset);
  let reportedBand: number | null = null;
  let current: Incident | null = null;
  let reported = 0, resolved = 0;
  const recent = new RecentValues(Math.max(1, gap), Math.max(2, NOISE_GAPS * gap));
  /** Per metric of the open incident: its usual value and noise before it. */
  let before = new Map<string, { usual: number; noise: number }>();
  /** Per metric of the open incident: the value of its last finding there, the level it is held at (none after its recovery). */
  let levels = new Map<string, number>();
  /** The row of the open incident's last finding (its end may be later: held rows). */
  let lastFinding = -1;
  /** The open incident's last row that keeps it open: a finding's, near usual or not, or a held row's (its end may be earlier). */
  let lastRow = -1;
  /** The metrics of the open incident flagged at a value that is not near usual: a later near-usual finding of one is its detector recovering. */
  let far = new Set<string>();
  const usualOf = (metric: string): { usual: number; noise: number } => {
    let b = before.get(metric);
    if (!b) before.set(metric, b = { usual: recent.usual(metric), noise: recent.noise(metric) });
    return b;
  };
  /** `v` is within NEAR_USUAL noise units of the metric's usual value (false when either is unknown). */
  const nearUsual = (metric: string, v: number): boolean => {
    const { usual, noise } = usualOf(metric);
    return Number.isFinite(v) && Number.isFinite(usual) && Number.isFinite(noise) && Math.abs(v - usual) <= NEAR_USUAL * noise;
  };
  /** A metric of the reported incident stays at the level it was last flagged at (see above), away from its usual value. */
  const stillOut = (values: Readonly<Record<string, number>>): boolean => {
    for (const [m, flagged] of levels) {
      const v = values[m], { usual } = usualOf(m);
      if (Number.isFinite(v) && Number.isFinite(usual) && Math.abs(v - flagged) < Math.abs(flagged - usual) / 2 && !(far.has(m) && nearUsual(m, v))) return true;
    }
    return false;
  };

  const close = (events: IncidentEvent[]): void => {
    const ended = group && (reportedBand !== null || options.onClose) ? group.incident(rows, incidentOptions) : null;
    if (ended && reportedBand !== null) {
      events.push({ event: 'resolved', incident: ended });
      resolved++;
    }
    if (ended) options.onClose?.(ended);
    group = null;
    before = new Map();
    levels = new Map();
    far = new Set();
    rows = new SeenRows(step, offset);
    reportedBand = null;
    current = null;
  };

  return {
    push(row, timeMs, findings, values) {
      const events: IncidentEvent[] = [];
      if (timeMs !== null && lastTime !== null && gaps.length < STEP_GAPS && timeMs > lastTime) gaps.push(timeMs - lastTime);
      if (timeMs !== null) lastTime = timeMs;
      const merged = findings.filter((a) => entersIncidents(a, mergeFrom));
      // A row of a reported incident whose metric is not back yet is its end, as a finding's row would be.
      if (group && reportedBand !== null && !merged.length && values && row - lastFinding <= HOLD_GAPS * gap && stillOut(values)) {
        group.endRow = lastRow = row;
        rows.note(row, timeMs);
        rows.keep([group.startRow, group.peak!.row, group.endRow]);
        current = group.incident(rows, incidentOptions);
      }
      if (group && row - lastRow > gap) close(events);
      if (!merged.length) {
        if (values && !group) recent.push(values);
        return events;
      }
      group ??= new IncidentGroup(options.note);
      lastFinding = lastRow = row;
      for (const a of merged) {
        const end = group.endRow;
        // Without the rows' values nothing is near usual (as before them).
        const near = values !== undefined && a.metric !== null && a.value !== null && nearUsual(a.metric, a.value);
        const recovering = near && far.has(a.metric!);
        group.add({ ...a, row });
        rows.note(row, timeMs, a);
        if (recovering) group.endRow = Math.max(end, group.peak!.row);
        if (a.metric !== null && a.value !== null) {
          if (recovering) levels.delete(a.metric);
          else levels.set(a.metric, a.value);
          if (!near) far.add(a.metric);
        }
      }
      rows.keep([group.startRow, group.peak!.row, group.endRow]);
      const incident = group.incident(rows, incidentOptions);
      const band = severityRank(incident.severity);
      if (band <= min && (reportedBand === null || band < reportedBand)) {
        events.push({ event: reportedBand === null ? 'opened' : 'escalated', incident });
        if (reportedBand === null) reported++;
        reportedBand = band;
      }
      current = reportedBand === null ? null : incident;
      return events;
    },
    get open() { return current; },
    get pending() { return group ? group.incident(rows, incidentOptions) : null; },
    get reported() { return reported; },
    get resolved() { return resolved; },
    get stepMs() { return step(); },
  };
}
