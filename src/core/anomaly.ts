import { offsetText } from './csv/zone.ts';
import type { Severity } from './severity.ts';

/** The detectors whose findings share one scale and one shape (SPEC §3). */
/** 'stream' is the online detector of `stream` and live streaming (src/core/streaming/streamDetector.ts). */
export type DetectorId = 'iforest' | 'forecast' | 'rule' | 'stream';

/** The checks of the forecaster beside its forecast, as summaries name them (JSON's detector is "forecast" for all). */
export const FORECAST_CHECKS = ['level check', 'flatness check', 'discord check'] as const;
export type ForecastCheck = (typeof FORECAST_CHECKS)[number];

/**
 * One finding: the SPEC §3 JSON shape, plus `check` (not in SPEC: the JSON export leaves it out). `row` is the
 * 0-based data row.
 */
export interface Anomaly {
  row: number;
  /** ISO 8601 (UTC) when the data has a timestamp column, else null. */
  timestamp: string | null;
  detector: DetectorId;
  /** The rule's name, for detector "rule" only. */
  rule?: string;
  metric: string | null;
  value: number | null;
  /** 0–100 (SPEC §4). */
  score: number;
  severity: Severity;
  message: string;
  /** Which of the forecaster's checks made it, set by the view's statistic that did (none: the forecast's own). */
  check?: ForecastCheck;
}

/**
 * ISO 8601 text of an epoch-ms timestamp, or null when there is none (NaN). With `offsetMs` (a frame's utcOffsetMs:
 * its timestamps are the file's wall clock), the wall clock with that offset — `2024-03-04T10:00:00.000+01:00`, the
 * same instant as the file wrote.
 */
export function isoOf(ms: number | undefined | null, offsetMs = 0): string | null {
  if (ms === undefined || ms === null || !(Math.abs(ms) <= 8.64e15)) return null; // past ±275760 years: no Date
  const iso = new Date(ms).toISOString();
  return offsetMs === 0 ? iso : iso.slice(0, -1) + offsetText(offsetMs);
}

/** The zone at the end of a time isoOf writes: `Z`, or its offset. */
export const ISO_ZONE = /(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * The epoch ms of an ISO time's wall clock (its offset dropped): where a frame written at an offset has it
 * (Frame.utcOffsetMs: its timestamps are its wall clock). The same as Date.parse for UTC times.
 */
export function wallMs(iso: string): number {
  return Date.parse(iso.replace(ISO_ZONE, 'Z'));
}

const DETECTOR_ORDER = { iforest: 0, forecast: 1, rule: 2, stream: 3 } as const;

/** Code-unit order: the same on every machine, whatever its locale. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The one order of every output: row, then detector, metric and rule. */
export function compareAnomalies(a: Anomaly, b: Anomaly): number {
  return a.row - b.row || DETECTOR_ORDER[a.detector] - DETECTOR_ORDER[b.detector] || byText(a.metric ?? '', b.metric ?? '') || byText(a.rule ?? '', b.rule ?? '');
}

/** Sorts anomalies in place by row, then detector, metric and rule: the one order of every output. */
export function sortAnomalies(list: Anomaly[]): Anomaly[] {
  return list.sort(compareAnomalies);
}

/** Orders by score, highest first, then as sortAnomalies does: a total order, so any two callers cut the same list. */
export const byScore = (a: Anomaly, b: Anomaly): number => b.score - a.score || compareAnomalies(a, b);

/**
 * At most `max` findings per detector — the highest scores — in the one output order, with each detector's
 * full count. What a person can look at: the dashboard shows these (an export has them all).
 */
export function capAnomalies(list: readonly Anomaly[], max: number): { list: Anomaly[]; totals: Partial<Record<DetectorId, number>>; capped: boolean } {
  const groups = new Map<DetectorId, Anomaly[]>();
  for (const a of list) {
    let g = groups.get(a.detector);
    if (!g) groups.set(a.detector, g = []);
    g.push(a);
  }
  const totals: Partial<Record<DetectorId, number>> = {};
  let capped = false;
  const out: Anomaly[] = [];
  for (const [detector, g] of groups) {
    totals[detector] = g.length;
    if (g.length <= max) { for (const a of g) out.push(a); continue; }
    capped = true;
    for (const a of g.slice().sort(byScore).slice(0, max)) out.push(a);
  }
  return { list: capped ? sortAnomalies(out) : list.slice(), totals, capped };
}

/**
 * The findings a metric's chart marks: the metric's own (a finding with no metric is in no chart), all of them up
 * to `max`, else the `max` highest scores; lowest score first (drawn under the others), with how many there are.
 * The host keeps these rows in the chart's downsampled data and the page draws them: the one cut of both.
 */
export function chartMarkers(list: readonly Anomaly[], metric: string, max: number): { list: Anomaly[]; total: number } {
  const mine = list.filter((a) => a.metric === metric);
  const kept = mine.length > max ? mine.sort(byScore).slice(0, max) : mine;
  return { list: kept.sort((a, b) => byScore(b, a)), total: mine.length };
}
