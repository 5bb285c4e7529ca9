import { formatNumber } from '../format.ts';
import type { Incident } from './incidents.ts';
import type { Frame } from '../csv/frame.ts';
import { indexIn, lineOfFinding } from '../csv/frame.ts';

/** One Problems entry of an incident: the CSV lines it covers (1-based, inclusive) and what it says. */
export interface IncidentProblem {
  incident: Incident;
  startLine: number;
  endLine: number;
  message: string;
}

/**
 * One Problems entry per incident (SPEC §7), in start order: from the first to the last line of its rows (a
 * file re-sorted by time may hold them out of order: the span covers its first, peak and last rows' lines),
 * saying its summary and score (the entry's code carries its severity). In a long file each series has its own lines:
 * the span covers its leading metric's (another series' may lie a whole series away when rows come grouped by series).
 * Incidents whose rows have no line are dropped.
 */
export function incidentProblems(incidents: readonly Incident[], frame: Pick<Frame, 'lines' | 'metrics' | 'seriesLines'>): IncidentProblem[] {
  const out: IncidentProblem[] = [];
  for (const incident of incidents) {
    const rows = [incident.startRow, incident.peakRow, incident.endRow].filter((r) => frame.lines[r] !== undefined);
    // A long file: the leading series' own lines, of the rows where it has one (else the time's first line).
    const own = frame.seriesLines?.[indexIn(frame.metrics, incident.metrics[0]?.metric ?? '')];
    const mine = own ? rows.map((r) => own[r]).filter((l) => l > 0) : [];
    const at = mine.length ? mine : rows.map((r) => lineOfFinding(frame, r, null)).filter((l) => l > 0);
    if (!at.length) continue;
    const findings = incident.count === 1 ? '' : `, ${incident.count} findings`;
    out.push({
      incident,
      startLine: Math.min(...at),
      endLine: Math.max(...at),
      message: `${incident.summary} (score ${formatNumber(incident.score)}${findings})`,
    });
  }
  return out;
}
