/** Which columns a stream scores (its Layout), and how a record reads by them. */
import { InputError, UsageError, unknownMetricsError } from './errors.ts';
import { dedupeHeader } from '../core/csv/header.ts';
import { indexIn, nameList, seriesIn } from '../core/csv/frame.ts';
import { LongSeries, MAX_LONG_METRICS, type LongLayout } from '../core/csv/longFormat.ts';
import { LongStreamJoin } from '../core/csv/longStream.ts';
import { parseNumber, readTime } from '../core/csv/infer.ts';
import type { Inference } from '../core/csv/infer.ts';

/** Which columns a stream scores. */
export interface Layout {
  header: string[];
  timestampIndex: number;
  timestampKind: Inference['timestampKind'];
  /** A column of clock times that completes the timestamp column's dates (Inference.clockIndex), or -1. */
  clockIndex: number;
  metricIndices: number[];
  metrics: string[];
  decimalComma: boolean;
  /** The UTC offset the file writes its times in (zone.ts, from the first rows): rows' `ms` are then its wall clock. */
  utcOffsetMs: number;
  /** The abbreviations its times' zones are read by (Inference.zones: BST settled by GMT…). */
  zones: Inference['zones'];
}

/**
 * A wide file's layout: every numeric column, or the `wanted` ones by name; `names`: each column's metric name (its
 * header's, or a name column's one value: `time,metric,value` of one metric).
 */
export function layoutOf(header: string[], inf: Inference, wanted: string[] | undefined, oneMetric: boolean, path: string, names: string[] = header): Layout {
  let metricIndices = inf.metricIndices;
  if (wanted) {
    metricIndices = wanted.map((name) => indexIn(names, name));
    // A name the command line gave that the data lacks is a usage error, as analyze --metrics and forecast --metric say it.
    const unknown = wanted.filter((_, k) => metricIndices[k] < 0 || metricIndices[k] === inf.timestampIndex);
    if (unknown.length) throw unknownMetricsError(unknown, path, inf.metricIndices.map((i) => names[i]));
  }
  if (!metricIndices.length) throw new InputError('no numeric column to score', path, 1);
  if (oneMetric && metricIndices.length !== 1) {
    throw new UsageError(`--format nab scores one metric; this file has ${metricIndices.length} (${nameList(metricIndices.map((c) => names[c]))}): choose one with --metrics`);
  }
  return { header, timestampIndex: inf.timestampIndex, timestampKind: inf.timestampKind, clockIndex: inf.clockIndex, metricIndices, metrics: metricIndices.map((c) => names[c]), decimalComma: inf.decimalComma, utcOffsetMs: 0, zones: inf.zones };
}

export function timeOf(l: Pick<Inference, 'timestampKind' | 'clockIndex' | 'zones'>, text: string, fields: readonly string[]): number {
  return text ? readTime(text, l.timestampKind, l.clockIndex >= 0 ? fields[l.clockIndex] ?? '' : undefined, l.zones) : NaN;
}

/** A record that reads as a row of `layout` (its timestamp, or else a metric, is a value): not a header. */
export function isDataRow(l: Layout, fields: string[]): boolean {
  if (fields.length !== l.header.length) return false;
  if (l.timestampIndex >= 0) return !Number.isNaN(timeOf(l, fields[l.timestampIndex] ?? '', fields));
  return l.metricIndices.some((c) => !Number.isNaN(parseNumber((fields[c] ?? '').trim(), l.decimalComma)));
}

export function sameHeader(a: string[], fields: string[]): boolean {
  if (a.length !== fields.length) return false;
  const b = dedupeHeader(fields.map((h) => h.trim()));
  return a.every((h, i) => h === b[i]);
}

/**
 * The columns of a long file: its rows are joined by time (LongStreamJoin) into a metric per series seen in the
 * first rows (`sample`), `cpu{host="a"}`, as `analyze` joins the whole file; `--metrics cpu` takes every `cpu{…}`.
 * `pick`: of the joined metrics, the ones scored (`--metrics`), else null (all).
 */
export function longStreamLayout(
  sample: readonly { fields: string[] }[], header: string[], inf: Inference, long: LongLayout, valueColumns: number[],
  opts: { displayPath: string; metrics?: string[]; oneMetric?: boolean; onNotice?(text: string): void },
): { layout: Layout; join: LongStreamJoin; pick: number[] | null } {
  const path = opts.displayPath;
  // Tentative labels (one value in the first rows) stay in a series' key: rows of another host later are another
  // series (not scored; a file grouped by series is refused when its time goes back, see score), not this one's.
  const labels = long.labels;
  const series = new LongSeries({ labels, nameColumn: long.nameColumn, tentative: [] });
  for (const r of sample) series.idOf(r.fields);
  const count = series.count * valueColumns.length;
  if (!valueColumns.length) throw new InputError('no numeric column to score', path, 1);
  if (count > MAX_LONG_METRICS) throw new InputError(`long format: ${series.count} series give ${count} metrics, more than the ${MAX_LONG_METRICS} scored at once: filter the file to fewer series`, path, 1);
  const join = new LongStreamJoin(series, header, valueColumns);
  const by = nameList(labels.filter((c) => c !== long.nameColumn || series.count > 1).filter((c) => !long.tentative.includes(c)).map((c) => header[c]));
  opts.onNotice?.(`${path}: warning: long format: the rows of each time are joined into one, a metric per series told apart by ${by} (${count} metric${count === 1 ? '' : 's'}, e.g. ${join.metrics[0]})`);
  let pick: number[] | null = null;
  if (opts.metrics) {
    const unknown = opts.metrics.filter((name) => !seriesIn(join.metrics, name).length);
    if (unknown.length) throw unknownMetricsError(unknown, path, join.metrics, 'metric');
    pick = [...new Set(opts.metrics.flatMap((name) => seriesIn(join.metrics, name)))].sort((a, b) => a - b);
  }
  const metrics = pick ? pick.map((i) => join.metrics[i]) : join.metrics;
  if ((opts.oneMetric ?? false) && metrics.length !== 1) {
    throw new UsageError(`--format nab scores one metric; this file has ${metrics.length} (${nameList(metrics)}): choose one with --metrics`);
  }
  const layout: Layout = { header, timestampIndex: inf.timestampIndex, timestampKind: inf.timestampKind, clockIndex: inf.clockIndex, metricIndices: valueColumns, metrics, decimalComma: inf.decimalComma, utcOffsetMs: 0, zones: inf.zones };
  return { layout, join, pick };
}
