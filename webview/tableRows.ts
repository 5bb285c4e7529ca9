// What the table lists, as data: incidents (with the rows of the expanded ones) or flagged rows, filtered and
// sorted, and the texts of its cells that need more than a field. Pure; webview/views/table.ts draws it.
import type { Anomaly } from '../src/core/anomaly.ts';
import { wallMs } from '../src/core/anomaly.ts';
import type { Incident } from '../src/core/incidents/incidents.ts';
import { incidentDurationMs } from '../src/core/incidents/incidents.ts';
import { formatDuration } from '../src/core/rules/duration.ts';
import { lineAt } from '../src/core/csv/lineShifts.ts';
import { SEVERITIES } from '../src/core/severity.ts';
import { checkOf } from '../src/core/incidents/view.ts';
import type { DetectorId } from '../src/core/anomaly.ts';
import type { DashboardModel } from '../src/protocol.ts';
import { DASHBOARD_MAX_PER_DETECTOR } from '../src/core/dashboard/pageView.ts';
import { findingsOnRows } from '../src/core/findings.ts';
import { formatX } from './format.ts';
import { awaitsIncidents, detectorName, listsIncidents } from './findings.ts';
import type { Filters, Sort, SortKey } from './state.ts';

/** A table line: an incident (expandable to its rows), or a flagged row (on its own, or under its incident). */
export type Item = { kind: 'incident'; inc: Incident } | { kind: 'row'; a: Anomaly; child: boolean }
  /** Under an opened incident none of whose findings is listed: why, at its first row. */
  | { kind: 'note'; text: string; row: number };

/** What an opened incident with no listed finding says (a live window keeps only its most recent findings). */
export function noRowsText(m: Pick<DashboardModel, 'live'>): string {
  return m.live
    ? 'its findings are older than the most recent ones the live view keeps; the charts still show its rows'
    : 'none of its findings is listed';
}

function incidentValue(i: Incident, key: SortKey): number | string {
  return key === 'time' ? i.startRow : key === 'duration' ? i.endRow - i.startRow : key === 'metric' ? (i.metrics[0]?.metric ?? '') : key === 'detector' ? i.detectors.join(',') : key === 'score' ? i.score : -SEVERITIES.indexOf(i.severity);
}

function rowValue(a: Anomaly, key: SortKey): number | string {
  return key === 'time' || key === 'duration' ? a.row : key === 'metric' ? (a.metric ?? '') : key === 'detector' ? a.detector : key === 'score' ? a.score : -SEVERITIES.indexOf(a.severity);
}

const rowsByIncident = new WeakMap<Anomaly[], Map<string, Anomaly[]>>();
/** The findings of a listed incident, in row order (grouped once per list). */
export function rowsOf(m: DashboardModel & { incidents: Incident[]; incidentFindings: Anomaly[] }, inc: Incident): Anomaly[] {
  let byId = rowsByIncident.get(m.incidentFindings);
  if (!byId) {
    byId = new Map();
    const spans = m.incidents.map((i) => ({ i, from: i.startRow, to: i.endRow })).sort((x, y) => x.from - y.from);
    let k = 0;
    for (const a of [...m.incidentFindings].sort((x, y) => x.row - y.row)) {
      while (k < spans.length && spans[k].to < a.row) k++;
      if (k < spans.length && spans[k].from <= a.row) {
        const id = spans[k].i.id;
        let g = byId.get(id);
        if (!g) byId.set(id, g = []);
        g.push(a);
      }
    }
    rowsByIncident.set(m.incidentFindings, byId);
  }
  return byId.get(inc.id) ?? [];
}

/**
 * What the Detectors column says a finding came from: the rule's name, the forecaster's check as the summaries and
 * the CLI name it ("level check"; JSON's detector stays "forecast"), else the detector.
 */
export function sourceName(a: Anomaly): string {
  return a.detector === 'rule' ? `rule: ${a.rule ?? ''}` : checkOf(a) ?? a.detector;
}

const DETECTOR_ORDER: readonly DetectorId[] = ['iforest', 'forecast', 'rule', 'stream'];

/** An incident's sources for its Detectors cell: its detectors in their order, the forecaster's checks named apart ("forecast, level check"). */
export function incidentSources(detectors: readonly DetectorId[], findings: readonly Anomaly[]): string[] {
  const own = new Set<string>(), checks = new Set<string>();
  for (const a of findings) {
    const c = checkOf(a);
    if (c) checks.add(c); else own.add(a.detector);
  }
  // Without its findings (none listed), the incident's own detectors.
  if (!findings.length) return [...detectors];
  return [...DETECTOR_ORDER.filter((d) => own.has(d)), ...[...checks].sort()];
}

/** Whether a finding passes the detector filter: 'all', a detector (the forecaster's with its checks), or 'check:NAME'. */
export function passesDetector(a: Anomaly, filter: string): boolean {
  if (filter === 'all') return true;
  return filter.startsWith('check:') ? checkOf(a) === filter.slice('check:'.length) : a.detector === filter;
}

/** What the table lists with the filters and order: incidents (with the rows of the expanded ones), or rows. */
export function tableItems(m: DashboardModel, filters: Filters, sort: Sort, expanded: ReadonlySet<string>): Item[] {
  const { key, dir } = sort;
  const cmp = (va: number | string, vb: number | string, tie: number): number => (va < vb ? -1 : va > vb ? 1 : tie) * dir;
  if (listsIncidents(m)) {
    const d = filters.detector;
    const list = m.incidents.filter((i) => (d === 'all' || (d.startsWith('check:') ? rowsOf(m, i).some((a) => passesDetector(a, d)) : i.detectors.includes(d as DetectorId)))
      && (!filters.rule || i.rules.includes(filters.rule)));
    list.sort((a, b) => cmp(incidentValue(a, key), incidentValue(b, key), a.startRow - b.startRow));
    const out: Item[] = [];
    for (const inc of list) {
      out.push({ kind: 'incident', inc });
      if (!expanded.has(inc.id)) continue;
      const rows = rowsOf(m, inc);
      for (const a of rows) out.push({ kind: 'row', a, child: true });
      if (!rows.length) out.push({ kind: 'note', text: noRowsText(m), row: inc.startRow });
    }
    return out;
  }
  if (awaitsIncidents(m)) return [];
  const list = m.anomalies.filter((a) => passesDetector(a, filters.detector) && (!filters.rule || a.rule === filters.rule));
  return list.sort((a, b) => cmp(rowValue(a, key), rowValue(b, key), a.row - b.row)).map((a) => ({ kind: 'row', a, child: false }));
}

/**
 * An incident's length as its summary says it ("6m", "1h30m"; incidentDurationMs: first to last row plus one step);
 * rows without time.
 * A live window's incident still open at its last row says so ("6m, ongoing").
 */
export function durationText(m: DashboardModel, i: Incident): string {
  const text = !m.timeAxis || !i.start || !i.end ? `${i.endRow - i.startRow + 1} row${i.endRow > i.startRow ? 's' : ''}`
    : formatDuration(incidentDurationMs(wallMs(i.start), wallMs(i.end), m.stepMs) ?? NaN) || '—';
  return i.ongoing ? `${text}, ongoing` : text;
}

/**
 * When a row or incident starts: its time as the file writes it (UTC, or the file's wall clock), or in a file
 * without time its CSV line ("line 302"), as the CLI text, the hovers and Problems name it (JSON's row is 0-based).
 */
export function whenText(m: Pick<DashboardModel, 'lineShifts'>, timestamp: string | null, row: number): string {
  return timestamp ? formatX(wallMs(timestamp), true) : `line ${lineAt(m.lineShifts, row)}`;
}

/** When the host listed only the highest-scored findings of some detector: how many there are in all. */
export function cappedNote(m: DashboardModel): string {
  if (!m.totals) return '';
  const cut = Object.entries(m.totals).filter(([, n]) => (n ?? 0) > DASHBOARD_MAX_PER_DETECTOR);
  if (!cut.length) return '';
  const all = Object.values(m.totals).reduce((a: number, n) => a + (n ?? 0), 0);
  return ` · ${all.toLocaleString('en')} found; the top ${DASHBOARD_MAX_PER_DETECTOR.toLocaleString('en')} of ${cut.map(([d, n]) => `${(n ?? 0).toLocaleString('en')} ${d}`).join(', ')} are listed (Export has all)`;
}

/**
 * What follows the count of listed lines: of how many, and what they hold. Incidents: the findings in them and their
 * rows ("· 900 findings on 459 rows in them"); rows: the count is of findings (a row flagged by two detectors is
 * listed twice), and the table's heading says "Findings" before it: this adds on how many rows ("on 3,684 rows"),
 * or of how many when filtered ("of 4,446").
 */
export function totalText(m: DashboardModel, listed: number, all: number, rule: string | null | undefined): string {
  const of = listed !== all ? ` of ${all.toLocaleString('en')}` : '';
  const ruleText = rule ? ` · rule ${rule}` : '';
  if (listsIncidents(m)) return `${of}${ruleText}${m.incidentFindings.length ? ` · ${findingsOnRows(m.incidentFindings)} in them` : ''}`;
  const rows = new Set(m.anomalies.map((a) => a.row)).size;
  const findings = of || ` on ${rows.toLocaleString('en')} row${rows === 1 ? '' : 's'}`;
  return `${findings}${ruleText}${cappedNote(m)}`;
}

/** What an empty table says: why nothing is listed, and where more is. */
export function emptyText(m: DashboardModel): string {
  if (awaitsIncidents(m)) return `Analysing… ${m.pending.map(detectorName).join(', ')} still running.`;
  if (listsIncidents(m)) {
    if (m.incidents.length) return 'No incident matches the filters.';
    return m.view === 'warning' ? 'No incidents: nothing rarer than once an hour of this data\'s normal behaviour.' : `No ${m.view} incidents or worse. Lower the severity or show all flagged rows to see more.`;
  }
  return m.anomalies.length ? 'No flagged row matches the filters.' : 'No rows flagged with these settings.';
}
