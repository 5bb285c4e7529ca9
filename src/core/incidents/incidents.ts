/**
 * Incidents (SPEC §7): the flagged rows of every detector and metric that belong to one event, merged, with
 * one calibrated score (the rarest of its findings; a lone finding below critical at most minor: minFindings), the
 * metrics involved and their share, the detectors that agree and a one-line summary. The default view is the
 * incidents at or above a minimum severity.
 */
import type { Anomaly, DetectorId } from '../anomaly.ts';
import { isoOf, sortAnomalies } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import { metricIndex } from '../csv/frame.ts';
import { formatDuration } from '../rules/duration.ts';
import { formatReadable, roundSignificant } from '../format.ts';
import type { Severity } from '../severity.ts';
import { SEVERITY_FLOOR, severityOf, severityRank } from '../severity.ts';

/** One thing a person should look at (SPEC §3 `incidents`). */
export interface Incident {
  /** Stable across runs on the same data and settings: the start (time or row) and the leading metric. */
  id: string;
  start: string | null;
  end: string | null;
  startRow: number;
  endRow: number;
  /** Row of the highest-scored finding. */
  peakRow: number;
  score: number;
  severity: Severity;
  /** Detectors with a finding in the incident, in the output order. */
  detectors: DetectorId[];
  /** The metrics involved, by their share of the findings' scores (largest first). */
  metrics: { metric: string; share: number }[];
  /** Rules that fired in it, by name. */
  rules: string[];
  summary: string;
  /** Number of findings merged. */
  count: number;
  /** A live view's incident still open at its last row (not resolved yet): its end is the last row it holds so far. */
  ongoing?: true;
}

/** What a summary may say about the usual value of a metric at a row: its forecast and noise, when known. */
export interface Usual {
  (metric: string, row: number): { value: number; spread: number; seasonal: boolean } | null;
}

/** Options of buildIncidents. */
export interface IncidentOptions {
  /** Findings at most this many rows apart are one incident (incident_score.py's default gap). @default 10 */
  gapRows?: number;
  /** The usual value of a metric at a row, for the summary. */
  usual?: Usual;
  /** What the measure that made a finding says about it, when it has more to say than its detector and value. */
  note?: (a: Anomaly) => FindingNote | undefined;
  /**
   * An incident of fewer findings than this, none of them a rule's, is at most minor (score 49.9) unless critical:
   * at 2, one row of one statistic alone is not a major incident (the view's MIN_FINDINGS). @default 1
   */
  minFindings?: number;
}

/** What a summary may say about one finding beyond its detector and value. */
export interface FindingNote {
  /** What it says when its value alone does not tell ("memory level rises by 12"). */
  phrase?: string;
  /** It says least ("cpu's 30m looks like no other 30m"): it leads a summary only when no other finding of the incident scores as high. */
  vague?: boolean;
}

const DETECTOR_ORDER: readonly DetectorId[] = ['iforest', 'forecast', 'rule', 'stream'];

/**
 * Where an incident's rows come from: a frame in batch, the rows seen so far in a stream. `time` is the row's
 * timestamp in ms (null without timestamps), `value` a metric's value at a row (NaN when unknown).
 */
export interface IncidentRows {
  time(row: number): number | null;
  value(metric: string, row: number): number;
  stepMs: number | null;
  /** The frame's utcOffsetMs: times are written with it. */
  utcOffsetMs?: number;
}

/** A frame's rows, for incidents. */
export function frameRows(frame: Frame): IncidentRows {
  const ts = frame.timestamps;
  return {
    time: (row) => (ts ? ts[row] : null),
    value: (metric, row) => {
      const col = metricIndex(frame, metric);
      return col >= 0 ? frame.values[col][row] : NaN;
    },
    stepMs: frame.stepMs,
    utcOffsetMs: frame.utcOffsetMs,
  };
}

/**
 * Merges findings (any order) into incidents: runs of rows at most `gapRows` apart, across detectors and
 * metrics. Findings without a row in the frame are ignored. Sorted by start row.
 */
export function buildIncidents(findings: readonly Anomaly[], frame: Frame, options: IncidentOptions = {}): Incident[] {
  const gap = Math.max(0, options.gapRows ?? 10);
  const list = sortAnomalies(findings.filter((a) => a.row >= 0 && a.row < frame.rows));
  const rows = frameRows(frame);
  const out: Incident[] = [];
  let group = new IncidentGroup(options.note);
  for (const a of list) {
    if (group.count && a.row - group.endRow > gap) {
      out.push(group.incident(rows, options));
      group = new IncidentGroup(options.note);
    }
    group.add(a);
  }
  if (group.count) out.push(group.incident(rows, options));
  return out;
}

/**
 * The findings of one incident, kept as running totals (a stream adds them one at a time, and a stuck sensor's
 * day-long incident holds no list of its rows). Findings are added in row order.
 */
export class IncidentGroup {
  count = 0;
  startRow = Infinity;
  endRow = -Infinity;
  peak: Anomaly | null = null;
  private readonly byMetric = new Map<string, number>();
  private readonly detectors = new Set<DetectorId>();
  /** The checks that found something (a detector's name where the finding names no check). */
  private readonly checks = new Set<string>();
  private readonly rules = new Set<string>();
  /** The lowest and highest value of each metric's findings: the summary's "up to" / "down to". */
  private readonly extremes = new Map<string, [number, number]>();
  private total = 0;

  /** `note`: see IncidentOptions. */
  constructor(private readonly note?: (a: Anomaly) => FindingNote | undefined) {}

  add(a: Anomaly): void {
    const peak = this.peak;
    // The highest score leads; on a tie (scores saturate at 100) a finding that says more, then the earlier one.
    const more = peak ? Number(this.vague(peak)) - Number(this.vague(a)) : 0;
    if (!peak || a.score > peak.score || (a.score === peak.score && (more > 0 || (more === 0 && a.row < peak.row)))) this.peak = a;
    this.count++;
    this.detectors.add(a.detector);
    this.checks.add(a.check ?? detectorName(a.detector));
    if (a.rule) this.rules.add(a.rule);
    if (a.row < this.startRow) this.startRow = a.row;
    if (a.row > this.endRow) this.endRow = a.row;
    if (a.metric !== null) {
      if (a.value !== null && Number.isFinite(a.value)) {
        const e = this.extremes.get(a.metric);
        if (!e) this.extremes.set(a.metric, [a.value, a.value]);
        else { if (a.value < e[0]) e[0] = a.value; if (a.value > e[1]) e[1] = a.value; }
      }
      this.byMetric.set(a.metric, (this.byMetric.get(a.metric) ?? 0) + a.score);
      this.total += a.score;
    }
  }

  /** The checks that found something: the detectors' own first (in their order), then the named checks alphabetically. */
  private checkNames(dets: DetectorId[]): string[] {
    const own = dets.map(detectorName).filter((n) => this.checks.has(n));
    return [...own, ...[...this.checks].filter((n) => !own.includes(n)).sort()];
  }

  private vague(a: Anomaly): boolean {
    return this.note?.(a)?.vague === true;
  }

  /** The incident these findings make (at least one was added). */
  incident(rows: IncidentRows, options: IncidentOptions = {}): Incident {
    const peak = this.peak!;
    const { startRow, endRow, total } = this;
    const metrics = [...this.byMetric].map(([metric, s]) => ({ metric, share: total > 0 ? Math.round((s / total) * 1000) / 1000 : 0 }))
      .sort((a, b) => b.share - a.share || (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
    const t0 = rows.time(startRow), t1 = rows.time(endRow);
    const start = t0 === null ? null : isoOf(t0, rows.utcOffsetMs);
    const lead = metrics[0]?.metric ?? peak.metric ?? '';
    const dets = DETECTOR_ORDER.filter((d) => this.detectors.has(d));
    const lone = this.count < (options.minFindings ?? 1) && !this.rules.size && peak.score < SEVERITY_FLOOR.critical;
    const score = lone ? Math.min(peak.score, SEVERITY_FLOOR.major - 0.1) : peak.score;
    return {
      id: `${start ?? `row${startRow}`}/${lead}`,
      start,
      end: t1 === null ? null : isoOf(t1, rows.utcOffsetMs),
      startRow,
      endRow,
      peakRow: peak.row,
      score,
      severity: severityOf(score) ?? 'warning',
      detectors: dets,
      metrics,
      rules: [...this.rules].sort(),
      summary: summaryOf(peak, metrics.map((m) => m.metric), dets, this.checkNames(dets), startRow, endRow, rows, options, this.extremes),
      count: this.count,
    };
  }
}

/** "cpu 97 for 6m, usually 41 ± 6 at this time of day; memory too; 3 detectors agree". */
function summaryOf(peak: Anomaly, metrics: string[], detectors: DetectorId[], checks: string[], startRow: number, endRow: number, rows: IncidentRows, options: IncidentOptions,
  extremes: ReadonlyMap<string, readonly [number, number]>): string {
  const metric = peak.metric ?? metrics[0] ?? null;
  const parts: string[] = [];
  let head = '';
  const phrase = options.note?.(peak)?.phrase ?? null;
  const usual = phrase === null ? options.usual : undefined;
  if (phrase !== null) {
    head = phrase;
  } else if (metric !== null) {
    const v = rows.value(metric, peak.row);
    head = `${metric} ${Number.isFinite(v) ? formatReadable(v) : 'missing'}`;
    // The peak is the strongest finding, not always the farthest value: on the side of the usual the peak is on,
    // the farthest value a finding of this metric had ("cpu up to 98.46", where the peak row read 97.38).
    const u = usual?.(metric, peak.row);
    const e = extremes.get(metric);
    if (u && Number.isFinite(u.value) && Number.isFinite(v) && e && v !== u.value) {
      const far = v > u.value ? e[1] : e[0];
      if (formatReadable(far) !== formatReadable(v) && Math.abs(far - u.value) > Math.abs(v - u.value)) head = `${metric} ${v > u.value ? 'up' : 'down'} to ${formatReadable(far)}`;
    }
  } else {
    head = peak.rule ? `rule ${peak.rule}` : 'unusual rows';
  }
  const span = durationOf(startRow, endRow, rows);
  if (span) head += phrase === null ? ` for ${span}` : ` (flagged for ${span})`;
  if (metric !== null && usual) {
    const u = usual(metric, peak.row);
    if (u && Number.isFinite(u.value)) head += `, usually ${formatReadable(roundSignificant(u.value, 3))} ± ${formatReadable(roundSignificant(u.spread, 3))}${u.seasonal ? ' at this time' : ''}`;
  }
  parts.push(head);
  const others = metrics.filter((m) => m !== metric);
  if (others.length) parts.push(`${others.slice(0, 3).join(', ')}${others.length > 3 ? ` and ${others.length - 3} more` : ''} too`);
  if (peak.detector === 'rule' && peak.rule && metric !== null) parts.push(`rule ${peak.rule}`);
  parts.push(detectors.length > 1 ? `${detectors.length} detectors agree` : checks.length > 1 ? `${andList(checks)} agree` : `${checks[0]} only`);
  return parts.join('; ');
}

/** "a, b and c". */
function andList(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0] ?? '';
}

function detectorName(d: DetectorId | undefined): string {
  return d === 'iforest' ? 'Isolation Forest' : d === 'forecast' ? 'forecaster' : d === 'rule' ? 'rules' : d === 'stream' ? 'streaming detector' : 'no detector';
}

/**
 * How long an incident lasts, ms: from the time of its first row to that of its last, plus one sampling step (a
 * single row lasts one step); null without both times. The one measure of an incident's duration: its summary
 * ("for 40m"), the dashboard's Duration column and the history's spans and figures all take it from here.
 */
export function incidentDurationMs(startMs: number | null, endMs: number | null, stepMs: number | null | undefined): number | null {
  if (startMs === null || endMs === null || !Number.isFinite(startMs) || !Number.isFinite(endMs)) return null;
  return endMs - startMs + (stepMs ?? 0);
}

/** The time an incident spans (one step for a single row), or the rows it spans without timestamps. */
function durationOf(startRow: number, endRow: number, rows: IncidentRows): string {
  const t0 = rows.time(startRow), t1 = rows.time(endRow);
  if (t0 === null || t1 === null) return endRow > startRow ? `${endRow - startRow + 1} rows` : '';
  const ms = incidentDurationMs(t0, t1, rows.stepMs)!;
  return ms > 0 ? formatDuration(ms) : '';
}

/** The incidents at or above `minSeverity` (SPEC §7's default view), in start order. */
export function incidentsAtLeast(incidents: readonly Incident[], minSeverity: Severity): Incident[] {
  const k = severityRank(minSeverity);
  return incidents.filter((i) => severityRank(i.severity) <= k);
}

/** The findings that lie in the given incidents (rows between start and end), in the output order. */
export function findingsIn(findings: readonly Anomaly[], incidents: readonly Incident[]): Anomaly[] {
  if (!incidents.length) return [];
  const spans = incidents.map((i) => [i.startRow, i.endRow] as const).sort((a, b) => a[0] - b[0]);
  const out: Anomaly[] = [];
  for (const a of findings) {
    let lo = 0, hi = spans.length - 1, hit = false;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a.row < spans[mid][0]) hi = mid - 1;
      else if (a.row > spans[mid][1]) lo = mid + 1;
      else { hit = true; break; }
    }
    if (hit) out.push(a);
  }
  return sortAnomalies(out);
}
