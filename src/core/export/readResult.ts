import type { Anomaly, DetectorId } from '../anomaly.ts';
import type { Severity } from '../severity.ts';
import { SEVERITIES } from '../severity.ts';
import type { JsonPath, TextPosition } from './jsonPosition.ts';
import { jsonSyntaxError, locateJsonPath, positionAt } from './jsonPosition.ts';

/** A results file read for sending: its anomalies (and its meta when present), or an error with a position. */
export type ResultRead =
  | { ok: true; anomalies: Anomaly[]; meta: Record<string, unknown> | null }
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

/**
 * Reads a results JSON (SPEC §3 `analyze --format json`, or a bare array of anomalies) and
 * validates every anomaly. Errors carry a 1-based line and column: of the syntax error, or of
 * the offending value. An empty `anomalies` list is valid.
 */
export function readResultJson(text: string): ResultRead {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const found = jsonSyntaxError(text);
    if (found) return { ok: false, message: `invalid JSON: ${found.message}`, position: found.position };
    return { ok: false, message: `invalid JSON: ${(e as Error).message}`, position: positionAt(text, 0) };
  }
  try {
    let list: unknown;
    let listPath: JsonPath;
    let meta: Record<string, unknown> | null = null;
    if (Array.isArray(doc)) {
      list = doc;
      listPath = [];
    } else if (typeof doc === 'object' && doc !== null) {
      const o = doc as Record<string, unknown>;
      if (!('anomalies' in o)) throw new Invalid('not a results file: no "anomalies" list (expected the output of `anomaly-hunter analyze --format json`)', []);
      list = o.anomalies;
      listPath = ['anomalies'];
      if (typeof o.meta === 'object' && o.meta !== null && !Array.isArray(o.meta)) meta = o.meta as Record<string, unknown>;
    } else {
      throw new Invalid(`not a results file: expected an object with "anomalies", got ${describe(doc)}`, []);
    }
    if (!Array.isArray(list)) throw new Invalid(`${pathText(listPath)}: expected a list, got ${describe(list)}`, listPath);
    const anomalies = list.map((raw, k) => anomalyFrom(raw, [...listPath, k]));
    return { ok: true, anomalies, meta };
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    return { ok: false, message: e.message, position: locateJsonPath(text, e.path) ?? positionAt(text, 0) };
  }
}
