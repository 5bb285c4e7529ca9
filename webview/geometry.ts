// Where a chart's overlay (webview/overlay.ts) puts things: data coordinates to pixels, which markers are in
// view, which one is under the pointer. Pure: no DOM, unit-tested in Node.

/** Where the plot area is (CSS px within the chart) and which data ranges it shows (linear units: ms or rows). */
export interface Geometry {
  l: number;
  t: number;
  w: number;
  h: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** A marker as drawn: its position, radius, colour and what it stands for. */
export interface Mark<T> {
  px: number;
  py: number;
  r: number;
  color: string;
  item: T;
}

export function toPx(g: Geometry, x: number): number {
  return g.l + ((x - g.x0) / (g.x1 - g.x0)) * g.w;
}

export function toPy(g: Geometry, y: number): number {
  return g.t + (1 - (y - g.y0) / (g.y1 - g.y0)) * g.h;
}

/** True when the geometry can map points (finite, non-empty ranges). */
export function usable(g: Geometry | null): g is Geometry {
  return !!g && g.w > 0 && g.h > 0 && Number.isFinite(g.x0 + g.x1 + g.y0 + g.y1) && g.x1 !== g.x0 && g.y1 !== g.y0;
}

/** The marks placed on the plot: those whose centre falls in the plot area, in drawing order. */
export function placeMarks<T>(g: Geometry, items: readonly T[], at: (item: T) => { x: number; y: number | null; r: number; color: string }): Mark<T>[] {
  const out: Mark<T>[] = [];
  for (const item of items) {
    const p = at(item);
    if (p.y === null || !Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
    const px = toPx(g, p.x);
    const py = toPy(g, p.y);
    if (px < g.l - 1 || px > g.l + g.w + 1 || py < g.t - 1 || py > g.t + g.h + 1) continue;
    out.push({ px, py, r: p.r, color: p.color, item });
  }
  return out;
}

/**
 * The mark under a pointer at (x, y): the nearest one whose centre is within its radius plus `slack` px; among
 * overlapping marks, the one drawn last (on top) wins ties. Null when none is near.
 */
export function nearestMark<T>(marks: readonly Mark<T>[], x: number, y: number, slack = 3): Mark<T> | null {
  let best: Mark<T> | null = null;
  let bestD = Infinity;
  for (let i = marks.length - 1; i >= 0; i--) {
    const m = marks[i];
    const d = Math.hypot(m.px - x, m.py - y);
    if (d <= m.r + slack && d < bestD) { best = m; bestD = d; }
  }
  return best;
}
