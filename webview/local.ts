// What the page holds of a small file — its data (localData) and the detectors' outputs of its latest complete
// analysis (outputs) — and the page's one computation of what it shows from them: src/core/dashboard/pageView.ts,
// the function the host runs when the page does not hold the data. Pure: state in, state out.
import type { Frame } from '../src/core/csv/frame.ts';
import { pageView, sameSettings } from '../src/core/dashboard/pageView.ts';
import type { DetectorOutputs } from '../src/core/dashboard/pageView.ts';
import type { DashboardModel, FitsData, LocalData, OutputsData } from '../src/protocol.ts';
import type { Fits, Held, State } from './state.ts';

/** The frame of the host's localData (line numbers are the data rows' plus the header: the page shows rows, not lines). */
export function heldOf(d: LocalData): Held {
  const rows = d.values[0]?.length ?? d.timestamps?.length ?? 0;
  const lines = new Int32Array(rows);
  for (let i = 0; i < rows; i++) lines[i] = i + 2;
  const frame: Frame = {
    timestamps: d.timestamps ? Float64Array.from(d.timestamps) : null,
    timestampColumn: d.timestamps ? 'timestamp' : null,
    metrics: d.metrics,
    values: d.values.map((v) => Float64Array.from(v, (x) => (x === null ? NaN : x))),
    rows,
    lines,
    stepMs: d.stepMs,
    ...(d.utcOffsetMs ? { utcOffsetMs: d.utcOffsetMs } : {}),
  };
  for (const [c, i, sign] of d.infinite) if (frame.values[c] && i < rows) frame.values[c][i] = sign * Infinity;
  return { path: d.path, frame, fits: null, outputs: null };
}

/** The host's fits as typed arrays, with the forest's scores sorted once (every contamination move reads them). */
function fitsOf(d: FitsData): Fits {
  const f64 = (a: (number | null)[]): Float64Array => Float64Array.from(a, (x) => (x === null ? NaN : x));
  const t: Fits = { key: d.key };
  if (d.iforest) {
    const scores = f64(d.iforest.scores);
    t.iforest = { metrics: d.iforest.metrics, scores, floor: d.iforest.floor, rows: Int32Array.from(d.iforest.rows), shares: f64(d.iforest.shares), sorted: Float64Array.from(scores).sort() };
  }
  if (d.forecast) {
    t.forecast = {};
    for (const [metric, f] of Object.entries(d.forecast)) t.forecast[metric] = { yhat: f64(f.yhat), sigma: f.sigma, yScale: f.yScale };
  }
  return t;
}

/** What the page holds once an analysis's outputs arrive (fits named by a key it holds are kept as they are). */
export function withOutputs(h: Held, d: OutputsData): Held {
  let fits: Fits | null = null;
  if (d.fits && 'held' in d.fits) fits = h.fits?.key === d.fits.key ? h.fits : null;
  else if (d.fits) fits = fitsOf(d.fits);
  // Outputs naming fits the page does not hold cannot be used (the host's next model then carries its findings).
  if (d.fits && !fits) return { ...h, fits: null, outputs: null };
  const outputs: DetectorOutputs = { settings: d.settings, fixed: d.fixed, rules: d.rules, ...(d.view ? { view: d.view } : {}) };
  if (fits?.iforest) outputs.iforest = fits.iforest;
  if (fits?.forecast) outputs.forecast = fits.forecast;
  return { ...h, fits, outputs };
}

/** The outputs the page holds for the model shown, if it computes what that model shows. */
export function outputsFor(s: State): DetectorOutputs | null {
  const m = s.model;
  const h = s.held;
  return m && !m.live && h?.outputs && h.path === m.file.path ? h.outputs : null;
}

/**
 * The page's computation for the settings and view shown, into the model (which the page then owns: byPage); null
 * when it cannot be done here (no outputs held, or they cannot give these settings: the host's next answer can).
 */
export function computeShown(s: State): State | null {
  const m = s.model;
  const outputs = outputsFor(s);
  if (!m || !outputs) return null;
  const choice = s.chosenView ?? m.view;
  const settings = m.settings;
  const c = s.computed;
  const same = !!c && c.outputs === outputs && sameSettings(c.settings, settings) && c.choice === choice;
  if (same && m.byPage && m.view === choice && m.anomalies === c.view.anomalies) return s;
  const view = same ? c.view : pageView(s.held!.frame, outputs, m.settings, choice, c?.view);
  if (!view) return null;
  const { anomalies, totals, incidents, incidentFindings, bands } = view;
  const model: DashboardModel = { ...m, view: choice, byPage: true, anomalies, totals, incidents, incidentFindings, bands };
  return { ...s, model, computed: { view, outputs, settings, choice }, anomaliesVersion: s.anomaliesVersion + 1 };
}

