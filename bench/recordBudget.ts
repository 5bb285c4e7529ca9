/**
 * `npm run bench:record-budget`: the record statistic's variants (ViewConstants recordSpanMs, recordNearRows,
 * recordLog) on clean data — the clean-data budget tests' shapes (test/unit/record.test.ts, test/unit/incidents.test.ts):
 * four 28-day files of 5-minute rows per shape, seeds 1–4, 112 days — counted as incidents of at least critical,
 * major and minor against the budgets plus Poisson slack (112 / 30 + 3, 112 / 7 + 6, 112 + 15).
 */
import { frameOf } from '../src/core/csv/frame.ts';
import type { Frame } from '../src/core/csv/frame.ts';
import { runAnalysis, settingsFor } from '../src/core/analyze.ts';
import { analysisView } from '../src/core/incidents/analysisView.ts';
import type { ViewConstants } from '../src/core/incidents/view.ts';
import { createRng } from '../src/core/random.ts';
import { severityRank } from '../src/core/severity.ts';

const STEP = 5 * 60_000;
const T0 = Date.UTC(2025, 0, 6);
const DAY = 86_400_000;
type Draw = (i: number, rng: ReturnType<typeof createRng>) => [number, number];

function clean(days: number, draw: Draw, seed: number): Frame {
  const rng = createRng(seed);
  const n = days * 288;
  const a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) [a[i], b[i]] = draw(i, rng);
  return frameOf({ a, b }, Float64Array.from({ length: n }, (_, i) => T0 + i * STEP));
}

const SHAPES: Record<string, Draw> = {
  gaussian: (_i, rng) => [50 + 5 * rng.normal(), 10 + rng.normal()],
  'heavy-tailed': (_i, rng) => [20 * Math.exp(0.6 * rng.normal()), 5 + (rng.next() < 0.5 ? 1 : -1) * Math.log(1 - rng.next())],
  seasonal: (i, rng) => {
    const day = Math.sin((2 * Math.PI * i) / 288);
    return [40 + 20 * day + 2 * rng.normal(), 300 + 100 * day + 10 * rng.normal()];
  },
  drifting: (i, rng) => [50 + i / 200 + 2 * rng.normal(), 10 + rng.normal()],
};
const SPANS: [string, number][] = [['1 d', DAY], ['3 d', 3 * DAY], ['7 d', 7 * DAY], ['all', Infinity]];
const VARIANTS: [string, Partial<ViewConstants>][] = [['plain', {}], ['corroborated', { recordNearRows: 3 }], ['log', { recordLog: 1 }], ['both', { recordNearRows: 3, recordLog: 1 }]];
const BUDGET = { critical: 112 / 30 + 3, major: 112 / 7 + 6, minor: 112 + 15 };

const results = new Map<string, ReturnType<typeof runAnalysis>[]>();
for (const [shape, draw] of Object.entries(SHAPES)) results.set(shape, [1, 2, 3, 4].map((seed) => runAnalysis(clean(28, draw, seed), settingsFor(null, {}), { path: 'clean.csv', sha256: '' })));
console.log(`budgets: critical ${BUDGET.critical.toFixed(1)}, major ${BUDGET.major.toFixed(1)}, minor ${BUDGET.minor.toFixed(1)} (112 days); counts critical/major/minor, * over budget`);
console.log(`${'variant'.padEnd(13)}${'span'.padEnd(6)}${Object.keys(SHAPES).map((s) => s.padStart(16)).join('')}`);
const off = Object.keys(SHAPES).map((shape) => count(results.get(shape)!, { recordSpanMs: 0 }));
console.log(`${'off'.padEnd(19)}${off.join('')}`);
for (const [name, k] of VARIANTS) {
  for (const [label, span] of SPANS) {
    console.log(`${name.padEnd(13)}${label.padEnd(6)}${Object.keys(SHAPES).map((shape) => count(results.get(shape)!, { ...k, recordSpanMs: span })).join('')}`);
  }
}

function count(rs: ReturnType<typeof runAnalysis>[], k: Partial<ViewConstants>): string {
  const t = { critical: 0, major: 0, minor: 0 };
  for (const r of rs) for (const i of analysisView(r, 'major', undefined, k).incidents) for (const s of ['critical', 'major', 'minor'] as const) if (severityRank(i.severity) <= severityRank(s)) t[s]++;
  const over = (['critical', 'major', 'minor'] as const).some((s) => t[s] > BUDGET[s]);
  return `${t.critical}/${t.major}/${t.minor}${over ? '*' : ' '}`.padStart(16);
}
