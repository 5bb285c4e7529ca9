import type { Anomaly, DetectorId } from './anomaly.ts';
import { ISO_ZONE } from './anomaly.ts';
import { formatDuration } from './rules/duration.ts';
import type { RuleOp } from './rules/model.ts';
import { formatNumber, roundSignificant } from './format.ts';
import type { Severity } from './severity.ts';
import { SEVERITIES, severityRank } from './severity.ts';
import { getOwn } from './own.ts';

/** Consecutive anomalous rows of one source (a detector, or one rule) on one metric: one Problems entry. */
export interface Stretch {
  detector: DetectorId;
  /** The rule's name (detector "rule"), else null. */
  rule: string | null;
  metric: string | null;
  /** First and last data row (0-based, inclusive). */
  startRow: number;
  endRow: number;
  /** First and last CSV line (1-based, inclusive). */
  startLine: number;
  endLine: number;
  /** Number of findings merged into the stretch. */
  count: number;
  /** The most severe finding (highest score on ties). */
  worst: Anomaly;
  first: Anomaly;
  last: Anomaly;
}

/**
 * A count of findings and of the rows they are on ("900 findings on 459 rows"): a finding is one row of one detector
 * (and metric), so a row can hold several. The one wording of such counts (dashboard, status bar, CLI text).
 */
export function findingsOnRows(list: readonly { row: number }[]): string {
  const rows = new Set(list.map((a) => a.row)).size;
  return `${list.length.toLocaleString('en')} finding${list.length === 1 ? '' : 's'} on ${rows.toLocaleString('en')} row${rows === 1 ? '' : 's'}`;
}

/**
 * The status bar's count line: the rows the incidents shown cover, then every finding of every detector on their
 * rows, with the name of the dashboard's view that lists them (its "Show" select's "All flagged rows").
 */
export function statusCounts(incidentRows: number, all: readonly { row: number }[]): string {
  return `${incidentRows.toLocaleString('en')} row${incidentRows === 1 ? '' : 's'} in them; ${findingsOnRows(all)} flagged by some detector (the dashboard's "All flagged rows")`;
}

/** What a finding is attributed to in notes and Problems codes: the rule's name, else the detector id. */
export function sourceOf(a: Anomaly): string {
  return a.detector === 'rule' && a.rule ? a.rule : a.detector;
}

function worse(a: Anomaly, b: Anomaly): boolean {
  const d = severityRank(a.severity) - severityRank(b.severity);
  return d < 0 || (d === 0 && a.score > b.score);
}

/** True when the rows' lines grow with the row index (the file was already in time order). */
function linesIncrease(lines: Int32Array): boolean {
  for (let i = 1; i < lines.length; i++) if (lines[i] <= lines[i - 1]) return false;
  return true;
}

/**
 * Merges findings into stretches per (detector or rule, metric): rows r and r+1 belong together when both are
 * anomalous and, in a file that was re-sorted by time, their lines are adjacent too (so a stretch never covers
 * unrelated lines). Findings whose row has no line are dropped. Sorted by first line, then severity.
 */
export function mergeStretches(anomalies: readonly Anomaly[], lines: Int32Array): Stretch[] {
  const increasing = linesIncrease(lines);
  const groups = new Map<string, Anomaly[]>();
  for (const a of anomalies) {
    if (!(a.row >= 0 && a.row < lines.length)) continue;
    const key = `${a.detector}\u0000${a.rule ?? ''}\u0000${a.metric ?? ''}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(a);
  }
  const out: Stretch[] = [];
  for (const g of groups.values()) {
    g.sort((a, b) => a.row - b.row);
    let s: Stretch | null = null;
    for (const a of g) {
      const joins = s !== null && (a.row === s.endRow || (a.row === s.endRow + 1 && (increasing || lines[a.row] === lines[s.endRow] + 1)));
      if (s && joins) {
        s.endRow = a.row;
        s.endLine = Math.max(s.endLine, lines[a.row]);
        s.count++;
        s.last = a;
        if (worse(a, s.worst)) s.worst = a;
        continue;
      }
      if (s) out.push(s);
      s = {
        detector: a.detector, rule: a.rule ?? null, metric: a.metric,
        startRow: a.row, endRow: a.row, startLine: lines[a.row], endLine: lines[a.row], count: 1, worst: a, first: a, last: a,
      };
    }
    if (s) out.push(s);
  }
  return out.sort((a, b) => a.startLine - b.startLine || severityRank(a.worst.severity) - severityRank(b.worst.severity) || b.worst.score - a.worst.score);
}

/** The `cap` most severe stretches (severity, then score, then length), back in line order, and how many were left out. */
export function topStretches(stretches: readonly Stretch[], cap: number): { kept: Stretch[]; dropped: number } {
  if (stretches.length <= cap) return { kept: [...stretches], dropped: 0 };
  const ranked = [...stretches].sort((a, b) => severityRank(a.worst.severity) - severityRank(b.worst.severity)
    || b.worst.score - a.worst.score || b.count - a.count || a.startLine - b.startLine);
  const kept = ranked.slice(0, Math.max(0, cap)).sort((a, b) => a.startLine - b.startLine);
  return { kept, dropped: stretches.length - kept.length };
}

/**
 * An ISO timestamp as a short time, `2024-03-06 14:10` (seconds kept when not zero); null gives null. A time with an
 * offset (a file written in one: isoOf) is its wall clock, as the file and the charts show it.
 */
export function shortTime(iso: string | null): string | null {
  if (iso === null) return null;
  return iso.replace('T', ' ').replace(ISO_ZONE, '').replace(/(:00)?\.000$/, '');
}

/** The zone a time written by isoOf is in, for people: `UTC`, or its offset (`+01:00`: the file's wall clock). */
export function zoneLabel(iso: string): string {
  const zone = ISO_ZONE.exec(iso)?.[0];
  return zone && zone !== 'Z' ? zone : 'UTC';
}

/** The Problems message of a stretch: its worst finding's message, and for several rows how many and when. */
export function stretchMessage(s: Stretch): string {
  if (s.count === 1) return s.worst.message;
  const from = shortTime(s.first.timestamp) ?? `row ${s.first.row}`;
  const to = shortTime(s.last.timestamp) ?? `row ${s.last.row}`;
  return `${s.worst.message} — worst of ${s.count} consecutive rows, ${from} → ${to}`;
}

/** Findings grouped by CSV line: for lookups by line (hover, navigation) and by visible range (decorations). */
export interface LineIndex {
  /** 1-based lines that have findings, ascending. */
  lines: Int32Array;
  /** The data row on each of those lines. */
  rows: Int32Array;
  /** The worst severity on each line (index into SEVERITIES). */
  worst: Uint8Array;
  /** Findings of line i are items[offsets[i] .. offsets[i + 1]), most severe first. */
  offsets: Int32Array;
  items: Anomaly[];
}

/**
 * Indexes findings by their line — their row's, or `lineOf`'s (a long file's series each have their own line) — rows
 * without a line dropped. Linear when the findings are in row order, the file in time order and `lineOf` not given.
 */
export function indexByLine(anomalies: readonly Anomaly[], lines: Int32Array, lineOf?: (a: Anomaly) => number): LineIndex {
  const valid = anomalies.filter((a) => a.row >= 0 && a.row < lines.length);
  let inOrder = !lineOf && linesIncrease(lines);
  for (let i = 1; inOrder && i < valid.length; i++) if (valid[i].row < valid[i - 1].row) inOrder = false;
  // Each finding's line, read once (a row's line, or a series' own in a long file); a new line starts a group.
  const at = Int32Array.from(valid, (a) => (lineOf ? lineOf(a) : lines[a.row]));
  let list = valid;
  let lineAt = at;
  // Otherwise sort by line (stable); the common case, an analysis of a sorted file, needs no sort at all.
  if (!inOrder) {
    const order = Array.from(valid, (_, i) => i).sort((x, y) => at[x] - at[y] || valid[x].row - valid[y].row || x - y);
    list = order.map((i) => valid[i]);
    lineAt = Int32Array.from(order, (i) => at[i]);
  }
  const starts = (i: number): boolean => i === 0 || lineAt[i] !== lineAt[i - 1] || list[i].row !== list[i - 1].row;
  let n = 0;
  for (let i = 0; i < list.length; i++) if (starts(i)) n++;
  const index: LineIndex = { lines: new Int32Array(n), rows: new Int32Array(n), worst: new Uint8Array(n), offsets: new Int32Array(n + 1), items: new Array<Anomaly>(list.length) };
  let k = -1;
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    if (starts(i)) {
      k++;
      index.lines[k] = lineAt[i];
      index.rows[k] = a.row;
      index.offsets[k] = i;
    }
    index.items[i] = a;
  }
  index.offsets[n] = list.length;
  for (let j = 0; j < n; j++) {
    const from = index.offsets[j], to = index.offsets[j + 1];
    if (to - from > 1) {
      const g = index.items.slice(from, to).sort(bySeverity);
      for (let m = 0; m < g.length; m++) index.items[from + m] = g[m];
    }
    index.worst[j] = severityRank(index.items[from].severity);
  }
  return index;
}

function bySeverity(a: Anomaly, b: Anomaly): number {
  return severityRank(a.severity) - severityRank(b.severity) || b.score - a.score || sourceOf(a).localeCompare(sourceOf(b));
}

/** The first index whose line is ≥ `line` (lines.length when none). */
export function lowerBound(index: LineIndex, line: number): number {
  let lo = 0, hi = index.lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (index.lines[mid] < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The findings on a 1-based line, most severe first (empty when none). */
export function findingsAt(index: LineIndex, line: number): Anomaly[] {
  const i = lowerBound(index, line);
  if (i >= index.lines.length || index.lines[i] !== line) return [];
  return index.items.slice(index.offsets[i], index.offsets[i + 1]);
}

/** The next (direction 1) or previous (-1) line with findings after/before `line`, wrapping around; null when there are none. */
export function adjacentLine(index: LineIndex, line: number, direction: 1 | -1): number | null {
  const n = index.lines.length;
  if (n === 0) return null;
  if (direction === 1) {
    const i = lowerBound(index, line + 1);
    return index.lines[i < n ? i : 0];
  }
  const i = lowerBound(index, line) - 1;
  return index.lines[i >= 0 ? i : n - 1];
}

/**
 * The end-of-line note of a row, most severe first: `cpu 97.3 · critical · cpu-saturated, forecast`, one group per
 * metric (its worst severity, every source), at most three groups then `+N more`. Empty for no findings.
 */
export function noteOf(findings: readonly Anomaly[]): string {
  const sorted = [...findings].sort(bySeverity);
  const groups = new Map<string, { a: Anomaly; sources: string[] }>();
  for (const a of sorted) {
    const key = a.metric ?? '';
    const g = groups.get(key);
    const src = sourceOf(a);
    if (!g) groups.set(key, { a, sources: [src] });
    else if (!g.sources.includes(src)) g.sources.push(src);
  }
  const parts = [...groups.values()].map(({ a, sources }) => {
    const what = a.metric === null ? '' : `${a.metric}${a.value === null ? ' missing' : ` ${formatNumber(a.value)}`} · `;
    return `${what}${a.severity} · ${sources.join(', ')}`;
  });
  const more = parts.length > 3 ? `  +${parts.length - 3} more` : '';
  return parts.slice(0, 3).join('  ;  ') + more;
}

/** A rule as the hover explains it: operator, threshold in force (a dashboard slider may have moved it), durations in ms. */
export interface RuleInfo {
  metric: string;
  op: RuleOp;
  threshold: number;
  forMs: number;
  keepFiringForMs: number;
}

/** What the hover needs besides the findings. */
export interface HoverContext {
  row: number;
  line: number;
  timestamp: string | null;
  /** The forecast of each metric (result.forecast), when the forecaster ran. */
  forecast?: Record<string, { yhat: ArrayLike<number>; lower: ArrayLike<number>; upper: ArrayLike<number> }>;
  rules?: Record<string, RuleInfo>;
  /** The forecast interval (0.8 = 80 %). */
  interval?: number;
}

const DETECTOR_NAME: Record<DetectorId, string> = { iforest: 'Isolation Forest', forecast: 'Forecast', rule: 'Rule', stream: 'Streaming' };

/** Escapes Markdown so that data and rule annotations render as text, never as links or markup. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, '\\$&');
}

/**
 * Escapes the Markdown that works inside a line (emphasis, code, links, images, HTML, entities), so that a
 * name from the data shown in the middle of a line renders as text; `.` and `-` (which only matter at a line's
 * start) stay readable: `stream.csv`, not `stream\.csv`.
 */
export function escapeInline(text: string): string {
  return text.replace(/[\\`*_[\]()<>!~&]/g, '\\$&');
}

/**
 * Text as a Markdown code span that nothing in it can end: the fence is one backtick longer than the longest
 * run inside (backslashes do not escape in code spans), line breaks become spaces. A rule or column named
 * ``x` ![](https://…) [run](command:…) ` `` stays literal text.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  let longest = 0;
  for (const m of flat.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  // A space each side keeps a leading or trailing backtick off the fence; CommonMark strips one each side.
  const pad = /^[` ]|[` ]$/.test(flat) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * The hover of a row (Markdown): its CSV line (as the dashboard and the CLI text name a row) and time, then every finding, most severe first, with its
 * detector, severity and 0–100 score, the rule and its threshold, or the forecast band on that row. The
 * Isolation Forest message carries the metric attribution. Empty for no findings.
 */
export function hoverOf(findings: readonly Anomaly[], ctx: HoverContext): string {
  if (!findings.length) return '';
  const when = shortTime(ctx.timestamp);
  const out = [`**Anomaly Hunter** · line ${ctx.line}${when ? ` · ${escapeMarkdown(when)} ${zoneLabel(ctx.timestamp!)}` : ''}`, ''];
  for (const a of [...findings].sort(bySeverity)) {
    const head = `**${a.severity}** (score ${formatNumber(a.score)}) · ${DETECTOR_NAME[a.detector]}`;
    let detail = escapeMarkdown(a.message);
    if (a.detector === 'rule' && a.rule) {
      const r = getOwn(ctx.rules, a.rule);
      const cond = r ? `${r.metric} ${r.op} ${formatNumber(r.threshold)}` : a.metric ?? '';
      const durations = r ? [r.forMs > 0 ? `for ${formatDuration(r.forMs)}` : '', r.keepFiringForMs > 0 ? `keep firing ${formatDuration(r.keepFiringForMs)}` : ''].filter(Boolean).join(', ') : '';
      detail = `${codeSpan(a.rule)}: ${codeSpan(cond)}${durations ? ` ${durations}` : ''}${a.value === null ? '' : `, value ${formatNumber(a.value)}`} — ${detail}`;
    } else if (a.detector === 'forecast' && a.metric) {
      const f = getOwn(ctx.forecast, a.metric);
      const yhat = f?.yhat[a.row];
      if (f && yhat !== undefined && Number.isFinite(yhat)) {
        const pct = ctx.interval ? `${Math.round(ctx.interval * 100)} % ` : '';
        detail += ` — expected ${escapeMarkdown(formatNumber(roundSignificant(yhat, 4)))}, ${pct}band ${escapeMarkdown(formatNumber(roundSignificant(f.lower[a.row], 4)))} … ${escapeMarkdown(formatNumber(roundSignificant(f.upper[a.row], 4)))}`;
      }
    }
    out.push(`- ${head}: ${detail}`);
  }
  return out.join('\n');
}

/** Counts of findings per severity, in SEVERITIES order. */
export function severityCounts(anomalies: readonly Anomaly[]): Record<Severity, number> {
  const c = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const a of anomalies) c[a.severity]++;
  return c;
}

/**
 * The [start, end) character offsets of field `index` in one CSV line (quoted fields may hold the delimiter),
 * or null when the line has fewer fields. Used to underline the anomalous value itself.
 */
export function fieldSpan(line: string, index: number, delimiter = ','): [number, number] | null {
  if (index < 0) return null;
  let field = 0, start = 0, quoted = false;
  for (let i = 0; i <= line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') { if (line[i + 1] === '"') i++; else quoted = false; }
      continue;
    }
    if (ch === '"' && i === start) { quoted = true; continue; }
    if (ch === delimiter || i === line.length) {
      if (field === index) return [start, i];
      field++;
      start = i + 1;
    }
  }
  return null;
}

/** The index of a column named `name` in a CSV header line (quotes and surrounding spaces ignored), or -1. */
export function columnIndex(header: string, name: string, delimiter = ','): number {
  for (let i = 0; ; i++) {
    const span = fieldSpan(header, i, delimiter);
    if (!span) return -1;
    const cell = header.slice(span[0], span[1]).trim().replace(/^"(.*)"$/, '$1').replace(/""/g, '"');
    if (cell === name || (i === 0 && cell.replace(/^\uFEFF/, '') === name)) return i;
  }
}
