/**
 * `npm run bench:incident-errors [folder ...]`: error analysis of the default view on the NAB folders.
 * Per labelled window: the highest finding inside it, by statistic (is it missed, and by how far); per incident of
 * the default view (major and above) outside every window: its peak statistic and whether it lies in NAB's probation period (the
 * first 15 % of the file, where NAB does not score but the incident counts against precision).
 *
 * `--by-position`: instead, where in a file the findings outside every window lie — per twentieth of the file (a
 * file's first and last 5 % against its middle), per statistic, the events of minor and above (findings of one
 * statistic less than 10 rows apart are one event) per 10,000 rows outside the windows, over every NAB file. A
 * statistic whose windows were truncated at a file's edges would stand out there; one that is not windowed (the
 * Isolation Forest's) says how unusual the data itself is there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Anomaly } from '../src/core/anomaly.ts';
import { severityRank } from '../src/core/severity.ts';
import { DEFAULT_MIN_SEVERITY } from '../src/core/incidents/view.ts';
import { analyseText, dataRoot, nabFolders, nabLabels } from './incidentScoring.ts';

const labels: Record<string, [string, string][]> = JSON.parse(readFileSync(nabLabels, 'utf8'));
const byPosition = process.argv.includes('--by-position');
const only = process.argv.slice(2).filter((a) => a !== '--by-position');
/** Parts of a file in the --by-position table, the findings that count there and the rows that make one event. */
const PARTS = 20;
const EVENT_FLOOR = 25;
const EVENT_GAP = 10;
/** --by-position: per statistic, events outside the windows per part of the file; the rows outside the windows per part. */
const events = new Map<string, number[]>();
const rowsOutside: number[] = new Array(PARTS).fill(0);

/** Which statistic a finding comes from, by its message. */
function statOf(a: Anomaly): string {
  if (a.detector !== 'forecast') return a.detector;
  if (a.message.includes('forecast')) return 'resid';
  const m = /of the (\S+) after/.exec(a.message);
  if (m) return `level${m[1]}`;
  if (a.message.includes('barely moves')) return 'flat';
  if (a.message.includes('looks like no other')) return 'discord';
  return 'other';
}

const ms = (s: string) => Date.parse(s.replace(' ', 'T') + 'Z');
for (const { folder, files } of nabFolders()) {
  if (only.length && !only.includes(folder)) continue;
  for (const file of files) {
    const rel = `${folder}/${file}`;
    const { frame, result } = analyseText(readFileSync(join(dataRoot, rel), 'utf8'), rel);
    if (!frame.timestamps) continue;
    // Its incidents and findings are the same at every minimum severity (which chooses only what is shown).
    const view = result.view!;
    const ts = frame.timestamps;
    const wins = (labels[rel] ?? []).map(([s, e]) => {
      const from = ms(s), to = ms(e);
      let a = -1, b = -1;
      for (let i = 0; i < ts.length; i++) if (ts[i] >= from && ts[i] <= to) { if (a < 0) a = i; b = i; }
      return [a, b] as const;
    }).filter(([a]) => a >= 0);
    if (byPosition) {
      const inside = (i: number) => wins.some(([a, b]) => i >= a && i <= b);
      const part = (i: number) => Math.min(PARTS - 1, Math.floor((i / frame.rows) * PARTS));
      for (let i = 0; i < frame.rows; i++) if (!inside(i)) rowsOutside[part(i)]++;
      const last = new Map<string, number>();
      for (const f of [...view.findings].sort((x, y) => x.row - y.row)) {
        if (f.score < EVENT_FLOOR || inside(f.row)) continue;
        const k = statOf(f);
        const prev = last.get(k);
        last.set(k, f.row);
        if (prev !== undefined && f.row - prev < EVENT_GAP) continue;
        if (!events.has(k)) events.set(k, new Array(PARTS).fill(0));
        events.get(k)![part(f.row)]++;
      }
      continue;
    }
    const probation = Math.floor(0.15 * frame.rows);
    console.log(`${rel} rows ${frame.rows} step ${(frame.stepMs ?? 0) / 60_000}m`);
    for (const [a, b] of wins) {
      const best = new Map<string, Anomaly>();
      for (const f of view.findings) if (f.row >= a && f.row <= b) { const k = statOf(f); if (!best.has(k) || best.get(k)!.score < f.score) best.set(k, f); }
      const shown = view.incidents.some((i) => severityRank(i.severity) <= severityRank(DEFAULT_MIN_SEVERITY) && i.startRow <= b && i.endRow >= a);
      const list = [...best].sort((x, y) => y[1].score - x[1].score).map(([k, f]) => `${k} ${f.score.toFixed(0)}@${f.row - a}`).join(', ');
      console.log(`  window ${a}-${b}${a < probation ? ' (probation)' : ''} ${shown ? 'FOUND' : 'MISSED'}: ${list || 'no finding'}`);
    }
    for (const inc of view.incidents) {
      if (severityRank(inc.severity) > severityRank(DEFAULT_MIN_SEVERITY)) continue;
      if (wins.some(([a, b]) => inc.startRow <= b && inc.endRow >= a)) continue;
      const peak = view.findings.find((f) => f.row === inc.peakRow && f.score === inc.score);
      console.log(`  FALSE ${inc.startRow}-${inc.endRow}${inc.startRow < probation ? ' (probation)' : ''} score ${inc.score} ${peak ? statOf(peak) : '?'}: ${inc.summary}`);
    }
  }
}
if (byPosition) {
  const keys = [...events.keys()].sort();
  console.log(`events of minor and above outside the windows per 10,000 rows outside them, by part of the file (${100 / PARTS} % each)`);
  console.log(`part ${keys.map((k) => k.padStart(9)).join('')}`);
  for (let p = 0; p < PARTS; p++) console.log(`${String(p + 1).padStart(4)} ${keys.map((k) => (rowsOutside[p] ? (events.get(k)![p] / rowsOutside[p]) * 1e4 : 0).toFixed(1).padStart(9)).join('')}`);
}
