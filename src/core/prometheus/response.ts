/**
 * Reading the JSON of `/api/v1/query_range` (prometheus.io/docs/prometheus/latest/querying/api/#range-queries):
 * `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},"values":[[t,"v"],…]}]},"warnings":[…]}`
 * or the error envelope `{"status":"error","errorType":"bad_data","error":"…"}`. Sample values are strings
 * ("NaN", "+Inf" included); times are unix seconds with a fraction.
 */
import { oneLine } from '../format.ts';

/** One series of a matrix: its label set and its samples (epoch ms, value; NaN where the value is NaN or ±Inf). */
export interface RangeSeries {
  labels: Record<string, string>;
  times: Float64Array;
  values: Float64Array;
  /** Samples whose value was NaN or ±Inf (kept missing: detectors read finite numbers only). */
  nonFinite: number;
}

/** A parsed answer: the series and the server's warnings, or the server's error message. */
export type RangeAnswer =
  | { ok: true; series: RangeSeries[]; warnings: string[]; nativeHistograms: number }
  | { ok: false; errorType: string; message: string };

/** Longest server message kept for a one-line error. */
const MAX_MESSAGE = 300;


function fail(errorType: string, message: string): RangeAnswer {
  return { ok: false, errorType, message: oneLine(message, MAX_MESSAGE) };
}

/** A sample value as Prometheus writes it ("1.5", "NaN", "+Inf", "-Inf", "1e+300"); non-finite gives NaN. */
function sampleValue(v: unknown): number {
  const x = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(x) ? x : NaN;
}

/**
 * Parses a query_range answer. Anything that is not the documented shape (an HTML page from a proxy, a
 * vector where a matrix belongs) is an error with a reason, never an exception.
 */
export function parseRangeAnswer(text: string): RangeAnswer {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const start = oneLine(text, 80);
    return fail('not_json', `the answer is not the JSON of a Prometheus API${start ? ` (it starts with ${JSON.stringify(start)})` : ' (it is empty)'}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('bad_response', 'the answer is not a Prometheus API object');
  const o = doc as Record<string, unknown>;
  if (o.status === 'error') {
    const type = typeof o.errorType === 'string' ? o.errorType : 'error';
    return fail(type, typeof o.error === 'string' && o.error ? o.error : `the server answered with an error (${type}) and no message`);
  }
  if (o.status !== 'success') return fail('bad_response', `the answer has no "status": "success" (got ${JSON.stringify(o.status ?? null)})`);
  const data = o.data as Record<string, unknown> | undefined;
  if (typeof data !== 'object' || data === null) return fail('bad_response', 'the answer has no "data" object');
  if (data.resultType !== 'matrix') return fail('bad_response', `expected a range result ("matrix"), got ${JSON.stringify(data.resultType ?? null)}: is this the query_range endpoint?`);
  if (!Array.isArray(data.result)) return fail('bad_response', 'the answer\'s "data.result" is not a list');
  const warnings = Array.isArray(o.warnings) ? o.warnings.filter((w): w is string => typeof w === 'string').map((w) => oneLine(w, MAX_MESSAGE)) : [];
  const series: RangeSeries[] = [];
  let nativeHistograms = 0;
  for (const [k, raw] of (data.result as unknown[]).entries()) {
    if (typeof raw !== 'object' || raw === null) return fail('bad_response', `result ${k} is not a series object`);
    const r = raw as Record<string, unknown>;
    const labels: Record<string, string> = Object.create(null);
    if (typeof r.metric === 'object' && r.metric !== null) {
      for (const [name, value] of Object.entries(r.metric as Record<string, unknown>)) if (typeof value === 'string') labels[name] = value;
    }
    // Native histograms ("histograms": [[t, {…}]]) have no single value per step: counted and left out.
    if (Array.isArray(r.histograms)) nativeHistograms += r.histograms.length;
    const pairs = Array.isArray(r.values) ? (r.values as unknown[]) : [];
    const times = new Float64Array(pairs.length);
    const values = new Float64Array(pairs.length);
    let n = 0;
    let nonFinite = 0;
    for (const p of pairs) {
      if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || !Number.isFinite(p[0])) return fail('bad_response', `result ${k} has a sample that is not [time, "value"]`);
      times[n] = Math.round(p[0] * 1000);
      const v = sampleValue(p[1]);
      if (Number.isNaN(v)) nonFinite++;
      values[n++] = v;
    }
    series.push({ labels, times, values, nonFinite });
  }
  return { ok: true, series, warnings, nativeHistograms };
}
