/**
 * Combined evidence: two statistics that are each only a little unusual at the same place (a metric's residual,
 * level changes and flatness, the forest's score) say more together than either says alone.
 *
 * Per row, each statistic's evidence is −ln of its tail probability (./calibrate.ts; 0 outside its tail and where it
 * could not be a finding), spread over the rows within COMBINE_RADIUS (the statistics of one event peak some rows
 * apart: a level change's windows at the change, the residual at its largest value). The combined statistic is the
 * second strongest evidence near a row: large only where at least two statistics are unusual together — Wilkinson's
 * combination of tests by their r-th smallest p-value, r = 2 (Wilkinson, Psychological Bulletin 48, 1951). The
 * statistics are not independent (two level changes of one metric move together), so it is not read through
 * Wilkinson's beta distribution: it is one more statistic, calibrated on the file's own rows as every other one is
 * (fitTail) and counted among the places tested, so clean data keeps its false-alarm budget per band.
 * Measured on the NAB folders against Fisher's sum of the evidence (README, Measured).
 */
import type { TailModel } from './calibrate.ts';
import { tailProbability } from './calibrate.ts';

/**
 * Rows either side over which a statistic's evidence counts as at the same place: the gap that makes one incident.
 * Chosen by cross-validation over the NAB folders (bench/incidents.ts; 5, 10 and 20 tried: 10 on three of the four
 * sets of four folders that hold anomalies).
 */
export const COMBINE_RADIUS = 10;

/** The evidence of one metric's statistics, combined as they are added. */
export class Evidence {
  /** Per row, the second strongest spread evidence (0 with fewer than two statistics near it): the combined statistic. */
  readonly second: Float64Array;
  /** Per row, the strongest spread evidence. */
  private readonly first: Float64Array;
  /** Per row, the strongest evidence of one statistic at that very row. */
  private readonly own: Float64Array;
  /** Per row, which statistics (bit k: the k-th added, up to 32) give evidence near it. */
  private readonly parts: Uint32Array;
  readonly names: string[] = [];

  constructor(rows: number) {
    this.second = new Float64Array(rows);
    this.first = new Float64Array(rows);
    this.own = new Float64Array(rows);
    this.parts = new Uint32Array(rows);
  }

  /** Adds a statistic's evidence (evidenceOf). */
  add(name: string, e: Float64Array): void {
    const bit = this.names.length < 32 ? 1 << this.names.length : 0;
    this.names.push(name);
    const spread = spreadMax(e, COMBINE_RADIUS);
    for (let i = 0; i < e.length; i++) {
      if (e[i] > this.own[i]) this.own[i] = e[i];
      const v = spread[i];
      if (!(v > 0)) continue;
      this.parts[i] |= bit;
      if (v > this.first[i]) { this.second[i] = this.first[i]; this.first[i] = v; }
      else if (v > this.second[i]) this.second[i] = v;
    }
  }

  /**
   * Whether a row is where the evidence near it is: a statistic at that very row is at least half as strong as the
   * strongest near it (the rows beside a spike are near its evidence, not part of the event).
   */
  isPeak(row: number): boolean {
    return this.own[row] > 0 && this.own[row] * 2 >= this.first[row];
  }

  /** The names of the statistics with evidence near a row, in the order added. */
  partsAt(row: number): string[] {
    const m = this.parts[row];
    return this.names.filter((_, k) => k < 32 && (m >>> k) & 1);
  }
}

/** Per row, −ln P(X > x) of a statistic under its tail model where `eligible` holds and x is in the tail, else 0. */
export function evidenceOf(values: ArrayLike<number>, tail: TailModel, eligible: (row: number) => boolean): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!(x > tail.u) || !eligible(i)) continue;
    const p = tailProbability(tail, x);
    out[i] = p > 0 ? Math.max(0, -Math.log(Math.min(1, p))) : -Math.log(Number.MIN_VALUE);
  }
  return out;
}

/** The largest value of x within r rows of each row (x ≥ 0; few rows are non-zero: a statistic's tail is 2 % of them). */
function spreadMax(x: Float64Array, r: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (!(v > 0)) continue;
    for (let j = Math.max(0, i - r), b = Math.min(n - 1, i + r); j <= b; j++) if (v > out[j]) out[j] = v;
  }
  return out;
}
