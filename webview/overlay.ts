// The parts of a chart that move with the sliders — the forecast band, the anomaly markers, the selection —
// are drawn on two canvases around Plotly's SVG (the band under it, the markers over it), so a threshold
// change repaints in a few milliseconds instead of a Plotly redraw per chart. Positions come from
// webview/geometry.ts; no DOM access here besides the canvas given.
import type { Geometry, Mark } from './geometry.ts';
import { toPx, toPy } from './geometry.ts';

/** Sizes a canvas to its CSS box at the device's pixel ratio and returns a context in CSS px, cleared. */
export function prepareCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

/** Fills the band between `lower` and `upper` over x, clipped to the plot area; gaps (null) break it. */
export function drawBand(ctx: CanvasRenderingContext2D, g: Geometry, x: readonly number[], lower: readonly (number | null)[], upper: readonly (number | null)[], fill: string): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(g.l, g.t, g.w, g.h);
  ctx.clip();
  ctx.fillStyle = fill;
  let start = -1;
  const flush = (end: number): void => {
    if (start < 0 || end - start < 2) { start = -1; return; }
    ctx.beginPath();
    ctx.moveTo(toPx(g, x[start]), toPy(g, upper[start]!));
    for (let i = start + 1; i < end; i++) ctx.lineTo(toPx(g, x[i]), toPy(g, upper[i]!));
    for (let i = end - 1; i >= start; i--) ctx.lineTo(toPx(g, x[i]), toPy(g, lower[i]!));
    ctx.closePath();
    ctx.fill();
    start = -1;
  };
  for (let i = 0; i < x.length; i++) {
    const ok = lower[i] !== null && upper[i] !== null && Number.isFinite(lower[i]!) && Number.isFinite(upper[i]!) && Number.isFinite(x[i]);
    if (ok && start < 0) start = i;
    else if (!ok) flush(i);
  }
  flush(x.length);
  ctx.restore();
}

/**
 * Draws the marks with a thin outline in the background colour: one path per run of equal colour (a stroke
 * and a fill per run, not per mark), later runs on top. The outline is stroked first and the fill covers its
 * inner half, so a dense run reads as one coloured shape with an edge, not as a tangle of outlines.
 */
export function drawMarks<T>(ctx: CanvasRenderingContext2D, marks: readonly Mark<T>[], outline: string): void {
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = outline;
  let i = 0;
  while (i < marks.length) {
    const color = marks[i].color;
    ctx.beginPath();
    for (; i < marks.length && marks[i].color === color; i++) {
      const m = marks[i];
      ctx.moveTo(m.px + m.r, m.py);
      ctx.arc(m.px, m.py, m.r, 0, Math.PI * 2);
    }
    ctx.stroke();
    ctx.fillStyle = color;
    ctx.fill();
  }
}

/** The selected point: a ring around it and a dotted vertical line across the plot. */
export function drawSelection(ctx: CanvasRenderingContext2D, g: Geometry, px: number, py: number | null, color: string): void {
  if (px < g.l || px > g.l + g.w) return;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  ctx.setLineDash([2, 3]);
  ctx.beginPath();
  ctx.moveTo(px, g.t);
  ctx.lineTo(px, g.t + g.h);
  ctx.stroke();
  if (py !== null) {
    ctx.setLineDash([]);
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.arc(px, py, 8, 0, Math.PI * 2);
    ctx.stroke();
  }
  ctx.restore();
}

/**
 * Incident spans: a faint band of the incident's colour over its time range, full plot height, at least 3 px
 * wide so a one-row incident still shows; clipped to the plot area.
 */
export function drawSpans(ctx: CanvasRenderingContext2D, g: Geometry, spans: readonly { x0: number; x1: number; color: string }[]): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(g.l, g.t, g.w, g.h);
  ctx.clip();
  for (const s of spans) {
    let a = toPx(g, s.x0);
    let b = toPx(g, s.x1);
    if (b < g.l || a > g.l + g.w) continue;
    if (b - a < 3) { const mid = (a + b) / 2; a = mid - 1.5; b = mid + 1.5; }
    ctx.fillStyle = s.color;
    ctx.fillRect(a, g.t, b - a, g.h);
  }
  ctx.restore();
}
