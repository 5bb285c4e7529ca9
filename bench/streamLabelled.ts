/**
 * `npm run bench:stream-labelled`: the incidents `anomaly-hunter stream` reports (default minimum severity,
 * the same pipeline and incident tracker as the CLI) on labelled files from bench/labelled.ts — data that is
 * not in the NAB folders the streaming detector's constants are chosen on. For each seed: a file of 14 or 28
 * days at a 1- or 5-minute step with 5–6 injected anomalies. An incident is true when it overlaps a labelled
 * window widened by `SLACK` rows; recall counts the windows some incident overlaps.
 *
 * It measures the shipped defaults (no detector overrides). Options: `--seeds 2001-2012` (a range or a comma
 * list; default 2001–2012: not the seeds bench:incidents uses); `--step M` and `--days D` give every file that step
 * (minutes) and length instead (e.g. `--step 60 --days 90`: hourly data, where the detector's row floors apply);
 * `--min-findings N`: the findings an incident needs to be major (the tracker's minFindings; default its
 * STREAM_MIN_FINDINGS, 1; 2 is batch's lone-finding rule applied causally, measured and not kept); `--no-values`: the
 * tracker is not given the rows' values, so an incident resolves 10 rows after its last finding even while its
 * metric is still out (the rule before incidents stayed open until their metric is back).
 */
import { parseArgs } from 'node:util';
import { labelledMetrics } from './labelled.ts';
import { StreamPipeline } from '../src/node/streamPipeline.ts';
import type { ScoredRow } from '../src/node/streamPipeline.ts';
import { createIncidentTracker, valuesByMetric } from '../src/core/streaming/incidentTracker.ts';

const SLACK = 30;
const { values: args } = parseArgs({ options: { seeds: { type: 'string' }, step: { type: 'string' }, days: { type: 'string' }, 'min-findings': { type: 'string' }, 'no-values': { type: 'boolean' } } });
const minFindings = args['min-findings'] === undefined ? undefined : Number(args['min-findings']);
const seeds = parseSeeds(args.seeds ?? '2001-2012');

function parseSeeds(text: string): number[] {
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i);
  return text.split(',').map(Number).filter(Number.isFinite);
}

let incidents = 0, trueIncidents = 0, windows = 0, found = 0, rowsOutside = 0, rows = 0;
console.log('seed step days rows windows incidents true found');
for (const seed of seeds) {
  const step = args.step ? Number(args.step) : seed % 2 ? 1 : 5;
  const days = args.days ? Number(args.days) : seed % 3 === 0 ? 28 : 14;
  const file = labelledMetrics(seed, { stepMinutes: step, days });
  const tracker = createIncidentTracker({ minFindings });
  const spans: [number, number][] = [];
  let outside = 0;
  const inWindow = (r: number): boolean => file.windows.some(([a, b]) => r >= a - SLACK && r <= b + SLACK);
  const pipeline = new StreamPipeline({
    displayPath: `labelled-${seed}.csv`,
    onRow: (r: ScoredRow) => {
      for (const e of tracker.push(r.row, r.ms, r.anomalies, args['no-values'] ? undefined : valuesByMetric(pipeline.columns!.metrics, r.values))) if (e.event === 'opened') spans.push([e.incident.startRow, e.incident.endRow]);
      if (tracker.open) {
        const last = spans[spans.length - 1];
        last[1] = Math.max(last[1], tracker.open.endRow);
        if (r.anomalies.length && !inWindow(r.row)) outside++;
      }
    },
  });
  pipeline.push(file.csv);
  pipeline.finish();
  if (pipeline.failure) throw pipeline.failure;
  const overlaps = (s: number, e: number, a: number, b: number): boolean => s <= b + SLACK && e >= a - SLACK;
  const t = spans.filter(([s, e]) => file.windows.some(([a, b]) => overlaps(s, e, a, b))).length;
  const f = file.windows.filter(([a, b]) => spans.some(([s, e]) => overlaps(s, e, a, b))).length;
  console.log(`${seed} ${step}m ${days} ${file.rows} ${file.windows.length} ${spans.length} ${t} ${f}`);
  incidents += spans.length; trueIncidents += t; windows += file.windows.length; found += f; rowsOutside += outside; rows += file.rows;
}
const precision = incidents ? trueIncidents / incidents : 0;
const recall = windows ? found / windows : 0;
const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
console.log(`seeds ${seeds[0]}–${seeds[seeds.length - 1]}${minFindings === undefined ? '' : `, min findings ${minFindings}`}: ${incidents} incidents, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (${found}/${windows} windows), F1 ${f1.toFixed(3)}, ${(100 * rowsOutside / rows).toFixed(2)} % of rows reported outside windows`);
