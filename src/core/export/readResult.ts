import type { Anomaly, DetectorId } from '../anomaly.ts';
import type { Incident } from '../incidents/incidents.ts';
import type { Severity } from '../severity.ts';
import { SEVERITIES } from '../severity.ts';
import type { JsonPath } from './jsonPosition.ts';
import { jsonSyntaxError, locateJsonPath } from './jsonPosition.ts';
import { textPositionAt, type TextPosition } from '../textPosition.ts';

/** A results file read for sending: its anomalies (and its meta when present), or an error with a position. */
export type ResultRead =
  /** `incidents`: the file's incidents (SPEC §3), or null when it has none listed (an older file, a bare array). */
  | { ok: true; anomalies: Anomaly[]; incidents: Incident[] | null; meta: Record<string, unknown> | null }
  | { ok: false; message: string; position: TextPosition };

const DETECTORS: readonly DetectorId[] = ['iforest', 'forecast', 'rule', 'stream'];

class Invalid extends Error {
  constructor(message: string, readonly path: JsonPath) {
    super(message);
  }
}

function pathText(path: JsonPath): string {
  return path.map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k ? '.' : ''}${p}`)).join('') || 'the document';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function anomalyFrom(raw: unknown, path: JsonPath): Anomaly {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Invalid(`${pathText(path)}: expected an anomaly object, got ${describe(raw)}`, path);
  const o = raw as Record<string, unknown>;
  const at = (k: string) => [...path, k];
  const need = (k: string, ok: (v: unknown) => boolean, what: string) => {
    if (!(k in o)) throw new Invalid(`${pathText(path)}: missing "${k}" (${what})`, path);
    if (!ok(o[k])) throw new Invalid(`${pathText(at(k))}: expected ${what}, got ${describe(o[k])}`, at(k));
  };
  need('row', (v) => Number.isInteger(v) && (v as number) >= 0, 'a 0-based row number');
  need('timestamp', (v) => v === null || (typeof v === 'string' && Number.isFinite(Date.parse(v))), 'an ISO timestamp or null');
  need('detector', (v) => DETECTORS.includes(v as DetectorId), `one of ${DETECTORS.join(', ')}`);
  need('metric', (v) => v === null || typeof v === 'string', 'a metric name or null');
  need('value', (v) => v === null || typeof v === 'number', 'a number or null');
  need('score', (v) => typeof v === 'number' && v >= 0 && v <= 100, 'a score in [0, 100]');
  need('severity', (v) => SEVERITIES.includes(v as Severity), `one of ${SEVERITIES.join(', ')}`);
  need('message', (v) => typeof v === 'string', 'a string');
  if (o.detector === 'rule') need('rule', (v) => typeof v === 'string' && v !== '', "the rule's name");
  else if ('rule' in o && o.rule !== undefined && typeof o.rule !== 'string') throw new Invalid(`${pathText(at('rule'))}: expected a string`, at('rule'));
  const a: Anomaly = {
    row: o.row as number,
    timestamp: o.timestamp as string | null,
    detector: o.detector as DetectorId,
    metric: o.metric as string | null,
    value: o.value as number | null,
    score: o.score as number,
    severity: o.severity as Severity,
    message: o.message as string,
  };
  if (typeof o.rule === 'string') a.rule = o.rule;
  return a;
}

function incidentFrom(raw: unknown, path: JsonPath): Incident {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Invalid(`${pathText(path)}: expected an incident object, got ${describe(raw)}`, path);
  const o = raw as Record<string, unknown>;
  const at = (k: string) => [...path, k];
  const need = (k: string, ok: (v: unknown) => boolean, what: string) => {
    if (!(k in o)) throw new Invalid(`${pathText(path)}: missing "${k}" (${what})`, path);
    if (!ok(o[k])) throw new Invalid(`${pathText(at(k))}: expected ${what}, got ${describe(o[k])}`, at(k));
  };
  const row = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  const time = (v: unknown) => v === null || (typeof v === 'string' && Number.isFinite(Date.parse(v)));
  need('id', (v) => typeof v === 'string' && v !== '', 'a non-empty id');
  need('start', time, 'an ISO timestamp or null');
  need('end', time, 'an ISO timestamp or null');
  need('startRow', row, 'a 0-based row number');
  need('endRow', (v) => row(v) && (v as number) >= (o.startRow as number), 'a row number at or after startRow');
  need('peakRow', row, 'a 0-based row number');
  need('score', (v) => typeof v === 'number' && v >= 0 && v <= 100, 'a score in [0, 100]');
  need('severity', (v) => SEVERITIES.includes(v as Severity), `one of ${SEVERITIES.join(', ')}`);
  need('detectors', (v) => Array.isArray(v) && v.every((d) => DETECTORS.includes(d as DetectorId)), `a list of ${DETECTORS.join(', ')}`);
  need('metrics', (v) => Array.isArray(v) && v.every((m) => typeof m === 'object' && m !== null && typeof (m as { metric?: unknown }).metric === 'string' && typeof (m as { share?: unknown }).share === 'number'), 'a list of { metric, share }');
  need('summary', (v) => typeof v === 'string', 'a string');
  if ('rules' in o && !(Array.isArray(o.rules) && o.rules.every((r) => typeof r === 'string'))) throw new Invalid(`${pathText(at('rules'))}: expected a list of rule names`, at('rules'));
  if ('findings' in o && !(Number.isInteger(o.findings) && (o.findings as number) >= 1)) throw new Invalid(`${pathText(at('findings'))}: expected a count of findings`, at('findings'));
  return {
    id: o.id as string, start: o.start as string | null, end: o.end as string | null,
    startRow: o.startRow as number, endRow: o.endRow as number, peakRow: o.peakRow as number,
    score: o.score as number, severity: o.severity as Severity, detectors: o.detectors as DetectorId[],
    metrics: (o.metrics as { metric: string; share: number }[]).map((m) => ({ metric: m.metric, share: m.share })),
    rules: (o.rules as string[] | undefined) ?? [], summary: o.summary as string, count: (o.findings as number | undefined) ?? 1,
  };
}

/**
 * Reads a results JSON (SPEC §3 `analyze --format json`, or a bare array of anomalies) and
 * validates every anomaly and incident. Errors carry a 1-based line and column: of the syntax error, or of
 * the offending value. An empty `anomalies` list is valid.
 */
export function readResultJson(text: string): ResultRead {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const found = jsonSyntaxError(text);
    if (found) return { ok: false, message: `invalid JSON: ${found.message}`, position: found.position };
    return { ok: false, message: `invalid JSON: ${(e as Error).message}`, position: textPositionAt(text, 0) };
  }
  try {
    let list: unknown;
    let listPath: JsonPath;
    let meta: Record<string, unknown> | null = null;
    let incidents: Incident[] | null = null;
    if (Array.isArray(doc)) {
      list = doc;
      listPath = [];
    } else if (typeof doc === 'object' && doc !== null) {
      const o = doc as Record<string, unknown>;
      if (!('anomalies' in o)) throw new Invalid('not a results file: no "anomalies" list (expected the output of `anomaly-hunter analyze --format json`)', []);
      list = o.anomalies;
      listPath = ['anomalies'];
      if (typeof o.meta === 'object' && o.meta !== null && !Array.isArray(o.meta)) meta = o.meta as Record<string, unknown>;
      if ('incidents' in o) {
        if (!Array.isArray(o.incidents)) throw new Invalid(`incidents: expected a list, got ${describe(o.incidents)}`, ['incidents']);
        incidents = o.incidents.map((raw, k) => incidentFrom(raw, ['incidents', k]));
      }
    } else {
      throw new Invalid(`not a results file: expected an object with "anomalies", got ${describe(doc)}`, []);
    }
    if (!Array.isArray(list)) throw new Invalid(`${pathText(listPath)}: expected a list, got ${describe(list)}`, listPath);
    const anomalies = list.map((raw, k) => anomalyFrom(raw, [...listPath, k]));
    return { ok: true, anomalies, incidents, meta };
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    return { ok: false, message: e.message, position: locateJsonPath(text, e.path) ?? textPositionAt(text, 0) };
  }
}
