/** The Fourier seasonalities' names (Prophet's). */
export type FourierName = 'daily' | 'weekly' | 'yearly';

/**
 * A Fourier seasonality: period in days and the number of sine/cosine pairs; or 'weekend', one column that is 1 on
 * Saturdays and Sundays (UTC) and 0 otherwise (a regressor with the seasonalities' prior, as Prophet's holidays).
 */
export interface Seasonality {
  name: FourierName | 'weekend';
  /** Period in days. */
  period: number;
  /** Fourier order: the term has 2·order features [sin 1, cos 1, sin 2, cos 2, …] (the weekend term: 1 feature). */
  order: number;
}

/** The weekend term (method 'cv' on a history too short for the weekly one; see model.ts). */
export const WEEKEND: Seasonality = { name: 'weekend', period: 7, order: 1 };

/** True on Saturdays and Sundays (UTC) of `days` since the Unix epoch (1970-01-01 was a Thursday). */
export function isWeekendDay(days: number): boolean {
  const wd = (((Math.floor(days) + 4) % 7) + 7) % 7;
  return wd === 0 || wd === 6;
}

/** How many of the times (epoch ms) fall on Saturdays and Sundays (UTC). */
export function weekendCount(ts: Float64Array): number {
  let k = 0;
  for (let i = 0; i < ts.length; i++) if (isWeekendDay(ts[i] / 86_400_000)) k++;
  return k;
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
export function prophetAutoSeasonalities(spanDays: number, minStepDays: number): Record<FourierName, boolean> {
  return {
    daily: spanDays >= 2 && minStepDays < 1,
    weekly: spanDays >= 14 && minStepDays < 7,
    yearly: spanDays >= 730,
  };
}

/** The seasonalities that run given the switches and what the rules say ('auto' follows `auto`). */
export function resolveSeasonalities(
  switches: Partial<Record<FourierName, SeasonalitySwitch>>,
  auto: Record<FourierName, boolean>,
): Seasonality[] {
  return DEFAULT_SEASONALITIES.filter((s) => {
    const name = s.name as FourierName;
    const sw = switches[name] ?? 'auto';
    return sw === 'auto' ? auto[name] : sw;
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
    if (s.name === 'weekend') { out[o++] = isWeekendDay(days) ? 1 : 0; continue; }
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
  for (const s of seasonalities) k += s.name === 'weekend' ? 1 : 2 * s.order;
  return k;
}
