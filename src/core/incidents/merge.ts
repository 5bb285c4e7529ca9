/**
 * Findings into incidents (SPEC §7) in one place, with the rule that a lone finding is at most minor: the default
 * view's, a result's without a view and a results file's without incidents all merge here (a stream, and the live
 * dashboard with it, merges row by row with the same rule: ../streaming/incidentTracker.ts).
 */
import type { Anomaly } from '../anomaly.ts';
import type { Frame } from '../csv/frame.ts';
import type { Severity } from '../severity.ts';
import { severityRank } from '../severity.ts';
import type { Incident, IncidentOptions } from './incidents.ts';
import { buildIncidents } from './incidents.ts';

/**
 * An incident needs this many findings to be major (a critical one, or a rule's, is kept as it is): one row of one
 * statistic alone is at most minor. Chosen by cross-validation over the NAB folders (`npm run bench:incidents-cv`; 1, 2
 * and 3 tried: 2 on every set of four folders).
 */
export const MIN_FINDINGS = 2;

/**
 * The least severe measured finding that makes or extends an incident: a statistic's warnings (rarer than once an hour)
 * are too common to say where an event starts and ends. A rule's finding keeps the severity its file declares and
 * always enters (entersIncidents).
 */
export const INCIDENT_FLOOR: Severity = 'minor';

/**
 * Whether a finding makes or extends an incident: a rule's always (a rule that fires is an incident of its declared
 * severity, a warning one too), a measured one from `floor` up. The one test of every merge, batch and stream.
 */
export function entersIncidents(a: Anomaly, floor: Severity = INCIDENT_FLOOR): boolean {
  return a.detector === 'rule' || severityRank(a.severity) <= severityRank(floor);
}

/** Findings and the incidents they make. */
export interface Merged {
  /**
   * The findings given, in their order, but those of an incident of too few findings (below minFindings: the one
   * finding of a lone incident) shown as that incident (score and severity capped with it: a lone score-60 finding is
   * minor 49.9 here as in its incident), so a finding's marker, decoration and hover never say more than its incident.
   */
  findings: Anomaly[];
  /** The incidents of the findings that enter them (entersIncidents: rules' all, the others' from INCIDENT_FLOOR up), in start order. */
  incidents: Incident[];
}

/** Options of mergeFindings: buildIncidents' with the findings a major incident needs (MIN_FINDINGS unless given). */
export type MergeOptions = IncidentOptions;

/**
 * Merges findings (any order, any severity) into incidents as `analyze` does: those that enter them (entersIncidents), at most
 * `gapRows` apart, an incident of fewer than `minFindings` findings (none a rule's) at most minor unless critical.
 */
export function mergeFindings(findings: readonly Anomaly[], frame: Frame, options: MergeOptions = {}): Merged {
  const minFindings = options.minFindings ?? MIN_FINDINGS;
  const incidents = buildIncidents(findings.filter((a) => entersIncidents(a)), frame, { ...options, minFindings });
  // Only an incident of fewer than minFindings findings is scored below its findings; its few rows (at most
  // minFindings findings, gapRows apart, none a rule's) hold only its findings from the floor up.
  const few = new Map<number, Incident>();
  for (const i of incidents) if (i.count < minFindings) for (let r = i.startRow; r <= i.endRow; r++) few.set(r, i);
  if (!few.size) return { findings: findings.slice(), incidents };
  const floor = severityRank(INCIDENT_FLOOR);
  const out = findings.map((a) => {
    const i = few.get(a.row);
    return i && severityRank(a.severity) <= floor && a.score > i.score ? { ...a, score: i.score, severity: i.severity } : a;
  });
  return { findings: out, incidents };
}
