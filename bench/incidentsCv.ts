/**
 * `npm run bench:incidents-cv`: the default view's cross-validated constants (ViewConstants in
 * src/core/incidents/view.ts: the flatness share, the repeats allowed, the slot of the daily baseline, the level
 * statistic's trim, the discord statistic's span) chosen again over the five NAB folders in ../shared/datasets/nab, one constant at a time with the
 * others at their shipped values, at the shipped minimum severity.
 *
 * For each constant and each value of its grid (the values tried when it was chosen, the shipped one among them),
 * every NAB file's default view is computed (the detectors run once per file: the constants change only the view)
 * and its reported rows scored by incident_score.py and nab_score.py (bench/incidentScoring.ts). Per held-out
 * folder: the value with the best incident F1 on the other four (ties broken by NAB standard on those four, then
 * by the shipped value), and the held-out folder's figures with it. Last, the value the same rule chooses on all five;
 * when values are still tied there, their figures on the sample and the generated files of `npm run bench:incidents`
 * (not used to choose: what the choice among them rests on).
 *
 * Options: `--only NAME` (one constant: flatShare, repeatsAllowed, seasonSlotMs, levelTrim, discordSpanMs — 0 there: no discord statistic — or minFindings), `--rescore` (score the
 * results of the last run again without analysing), `--seeds N` generated files for the ties (default 6).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MIN_SEVERITY, VIEW_CONSTANTS } from '../src/core/incidents/view.ts';
import type { ViewConstants } from '../src/core/incidents/view.ts';
import { analyseText, dataRoot, fmt, labelledFiles, nabFolders, nabIncidents, nabStandard, reportedOf, root, scoreLabelled, writeResults } from './incidentScoring.ts';
import type { IncidentScore, LabelledFile } from './incidentScoring.ts';
import type { AnalysisResult } from '../src/core/analysisResult.ts';

type Name = keyof ViewConstants;
const MIN = 60_000;
/** The grids (docs/measurements.md): the values tried when each constant was chosen. */
const GRIDS: Record<Name, number[]> = {
  flatShare: [1, 0.25, 0.1, 0.05, 0.02, 0.001],
  repeatsAllowed: [2, 3, 4],
  seasonSlotMs: [1 * MIN, 5 * MIN, 15 * MIN, 30 * MIN],
  levelTrim: [0, 0.05, 0.1, 0.25, 0.5],
  discordSpanMs: [0, 30 * MIN, 60 * MIN, 180 * MIN, 360 * MIN, 1440 * MIN],
  minFindings: [1, 2, 3],
};
const show = (name: Name, v: number) => (name === 'seasonSlotMs' || name === 'discordSpanMs' ? `${v / MIN} min` : String(v));

const { values: args } = parseArgs({ options: { only: { type: 'string' }, rescore: { type: 'boolean' }, seeds: { type: 'string' } } });
const names = (args.only ? [args.only] : Object.keys(GRIDS)) as Name[];
for (const n of names) if (!(n in GRIDS)) throw new Error(`--only: one of ${Object.keys(GRIDS).join(', ')}`);

const outRoot = join(root, 'bench', 'results', 'incidents-cv');
/** One results folder per distinct setting: the shipped values share one. */
const dirOf = (name: Name, v: number) => join(outRoot, v === VIEW_CONSTANTS[name] ? 'shipped' : `${name}=${v}`);

const nab = nabFolders();
const folders = nab.map((f) => f.folder);
const t0 = performance.now();
let viewMs = 0, views = 0;
if (!args.rescore) rmSync(outRoot, { recursive: true, force: true });
for (const { folder, files } of args.rescore ? [] : nab) {
  for (const file of files) {
    const rel = `${folder}/${file}`;
    const text = readFileSync(join(dataRoot, rel), 'utf8');
    const { result } = analyseText(text, rel);
    writeResults(join(outRoot, 'shipped'), rel, reportedOf(result), DEFAULT_MIN_SEVERITY, text);
    for (const name of names) {
      for (const v of GRIDS[name]) {
        if (v === VIEW_CONSTANTS[name]) continue;
        const t1 = performance.now();
        const reported = reportedOf(result, { [name]: v });
        viewMs += performance.now() - t1;
        views++;
        writeResults(dirOf(name, v), rel, reported, DEFAULT_MIN_SEVERITY, text);
      }
    }
  }
}
if (!args.rescore) console.log(`NAB: ${folders.length} folders analysed in ${((performance.now() - t0) / 1000).toFixed(1)} s (of which ${views} views with other constants ${(viewMs / 1000).toFixed(1)} s); minimum severity ${DEFAULT_MIN_SEVERITY}`);

/** Scores by results folder and subset, each computed once. */
const memo = new Map<string, IncidentScore | number>();
const incidents = (dir: string, subset: string[]) => cached(`i ${dir} ${subset}`, () => nabIncidents(dir, subset));
const standard = (dir: string, subset: string[]) => cached(`s ${dir} ${subset}`, () => nabStandard(dir, subset));
function cached<T extends IncidentScore | number>(key: string, f: () => T): T {
  if (!memo.has(key)) memo.set(key, f());
  return memo.get(key) as T;
}

/** The grid's value with the best incident F1 on `subset`, ties by NAB standard there, then the shipped value; and how it was decided. */
function choose(name: Name, subset: string[]): { value: number; f1: number; onF1: number; nab: number | null; tied: number[] } {
  const grid = GRIDS[name];
  const f1s = grid.map((v) => incidents(dirOf(name, v), subset).f1);
  const top = Math.max(...f1s);
  let tied = grid.filter((_, i) => f1s[i] === top);
  const onF1 = tied.length;
  let nab: number | null = null;
  if (tied.length > 1) {
    const std = tied.map((v) => standard(dirOf(name, v), subset));
    nab = Math.max(...std);
    tied = tied.filter((_, i) => std[i] === nab);
  }
  const value = tied.includes(VIEW_CONSTANTS[name]) ? VIEW_CONSTANTS[name] : tied[0];
  return { value, f1: top, onF1, nab, tied: tied.filter((v) => v !== value) };
}

const decided = (name: Name, c: { value: number; f1: number; onF1: number; nab: number | null; tied: number[] }) =>
  `F1 ${c.f1.toFixed(3)}${c.nab === null ? '' : ` for ${c.onF1} values, best NAB standard ${c.nab.toFixed(1)}`}${c.tied.length ? `; still tied with ${c.tied.map((v) => show(name, v)).join(', ')}: ${c.value === VIEW_CONSTANTS[name] ? 'the shipped value kept' : 'the first in the grid taken'}` : ''}`;

let labelledCache: { f: LabelledFile; result: AnalysisResult }[] | undefined;
/** The sample and generated files, analysed once. */
function labelled(): { f: LabelledFile; result: AnalysisResult }[] {
  labelledCache ??= labelledFiles(Number(args.seeds ?? 6)).map((f) => ({ f, result: analyseText(f.csv, f.name).result }));
  return labelledCache;
}

for (const name of names) {
  const shipped = VIEW_CONSTANTS[name];
  console.log(`\n${name} (shipped ${show(name, shipped)}; grid ${GRIDS[name].map((v) => show(name, v)).join(', ')})`);
  for (const v of GRIDS[name]) console.log(`  ${show(name, v).padStart(7)} all five folders: ${fmt(incidents(dirOf(name, v), folders))}  NAB standard ${standard(dirOf(name, v), folders).toFixed(1)}`);
  const chosen: number[] = [];
  for (const held of folders) {
    const c = choose(name, folders.filter((f) => f !== held));
    chosen.push(c.value);
    const dir = dirOf(name, c.value);
    console.log(`  held out ${held.padEnd(22)} chose ${show(name, c.value).padStart(7)} (four folders: ${decided(name, c)})  held out: ${fmt(incidents(dir, [held]))}  NAB standard ${standard(dir, [held]).toFixed(1)}`);
  }
  const all = choose(name, folders);
  const same = chosen.every((v) => v === shipped) && all.value === shipped;
  console.log(`  chosen on all five: ${show(name, all.value)} (${decided(name, all)}); ${same ? 'the shipped value on every set of four and on all five' : `NOT the shipped value everywhere (shipped ${show(name, shipped)})`}`);
  if (all.tied.length) {
    console.log(`  the values tied on all five, on the sample + ${labelled().length - 1} generated files (not used to choose):`);
    for (const v of [all.value, ...all.tied]) {
      const analysed = labelled().map(({ f, result }) => ({ f, reported: reportedOf(result, { [name]: v }) }));
      console.log(`  ${show(name, v).padStart(7)} ${fmt(scoreLabelled(analysed, join(outRoot, 'generated', `${name}=${v}`), DEFAULT_MIN_SEVERITY).total)}`);
    }
  }
}

