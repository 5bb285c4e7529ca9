/** A Fourier seasonality: period in days and the number of sine/cosine pairs. */
export interface Seasonality {
  name: 'daily' | 'weekly' | 'yearly';
  /** Period in days. */
  period: number;
  /** Fourier order: the term has 2·order features [sin 1, cos 1, sin 2, cos 2, …]. */
  order: number;
}

/** Prophet's default seasonalities (period in days, Fourier order). */
export const DEFAULT_SEASONALITIES: readonly Seasonality[] = [
  { name: 'daily', period: 1, order: 4 },
  { name: 'weekly', period: 7, order: 3 },
  { name: 'yearly', period: 365.25, order: 10 },
];

/** A seasonality switch: 'auto' follows Prophet's rules, true/false forces it. */
export type SeasonalitySwitch = 'auto' | boolean;

/**
 * Prophet's automatic seasonality rules (forecaster.py `set_auto_seasonalities`), from the history's
 * span and smallest positive step, both in days: yearly when the span is ≥ 730 days; weekly when the
 * span is ≥ 14 days and the step < 7 days; daily when the span is ≥ 2 days and the step < 1 day.
 * NaN input switches everything off.
 */
export function prophetAutoSeasonalities(spanDays: number, minStepDays: number): Record<Seasonality['name'], boolean> {
  return {
    daily: spanDays >= 2 && minStepDays < 1,
    weekly: spanDays >= 14 && minStepDays < 7,
    yearly: spanDays >= 730,
  };
}

/** The seasonalities that run given the switches and what the rules say ('auto' follows `auto`). */
export function resolveSeasonalities(
  switches: Partial<Record<Seasonality['name'], SeasonalitySwitch>>,
  auto: Record<Seasonality['name'], boolean>,
): Seasonality[] {
  return DEFAULT_SEASONALITIES.filter((s) => {
    const sw = switches[s.name] ?? 'auto';
    return sw === 'auto' ? auto[s.name] : sw;
  });
}

/**
 * Writes the Fourier features of every seasonality at time `days` (days since the Unix epoch, as
 * Prophet's `fourier_series`) into out[offset…]; sin/cos of the harmonics come from the angle-addition
 * recurrence, which is exact to ~1e-15 for the orders used here and avoids 2·order trig calls.
 */
export function fourierRow(days: number, seasonalities: readonly Seasonality[], out: Float64Array, offset: number): void {
  let o = offset;
  for (const s of seasonalities) {
    // Reduce modulo the period first so the phase keeps its precision for large epoch days.
    const r = days % s.period;
    const angle = (2 * Math.PI * r) / s.period;
    const s1 = Math.sin(angle);
    const c1 = Math.cos(angle);
    let sn = s1;
    let cn = c1;
    for (let i = 0; i < s.order; i++) {
      out[o++] = sn;
      out[o++] = cn;
      const ns = sn * c1 + cn * s1;
      cn = cn * c1 - sn * s1;
      sn = ns;
    }
  }
}

/** Number of feature columns of a set of seasonalities (2 per Fourier order). */
export function featureCount(seasonalities: readonly Seasonality[]): number {
  let k = 0;
  for (const s of seasonalities) k += 2 * s.order;
  return k;
}
