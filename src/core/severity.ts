/**
 * One 0–100 severity scale for every detector (SPEC §4), with Elastic ML's bands:
 * critical ≥ 75, major ≥ 50, minor ≥ 25, warning ≥ 3. Below 3 is not an anomaly.
 */
export type Severity = 'critical' | 'major' | 'minor' | 'warning';

/** Severities from most to least severe. */
export const SEVERITIES: readonly Severity[] = ['critical', 'major', 'minor', 'warning'];

/** The lowest score of each band. */
export const SEVERITY_FLOOR: Readonly<Record<Severity, number>> = { critical: 75, major: 50, minor: 25, warning: 3 };

/** UI colours of the bands (also used for CSV exports' legend and the webview). */
export const SEVERITY_COLOR: Readonly<Record<Severity, string>> = {
  critical: '#d62728', major: '#ff7f0e', minor: '#e6b800', warning: '#1f77b4',
};

/** The band a 0–100 score falls in, or null below 3 (or NaN). */
export function severityOf(score: number): Severity | null {
  if (!(score >= 3)) return null;
  if (score >= 75) return 'critical';
  if (score >= 50) return 'major';
  if (score >= 25) return 'minor';
  return 'warning';
}

/** The representative score of a band, for detectors (rules) whose severity is declared, not measured. */
export function scoreOfSeverity(s: Severity): number {
  return { critical: 90, major: 62, minor: 37, warning: 15 }[s];
}

/** Rank of a severity, 0 = critical; for sorting and min-severity filters. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Clamps to [0, 100] and rounds to one decimal; NaN gives 0. */
export function clampScore(x: number): number {
  if (!(x > 0)) return 0;
  return x >= 100 ? 100 : Math.round(x * 10) / 10;
}
