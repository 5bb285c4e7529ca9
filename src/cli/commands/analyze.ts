import { shortNameList } from '../../core/format.ts';
import { chosenStepNote } from '../../core/prometheus/time.ts';
import { basename, relative, resolve } from 'node:path';
import type { Command, CommandContext } from '../command.ts';
import { choiceOption, numberOption, parseCommandArgs } from '../command.ts';
import { InputError, UsageError, unknownMetricsError } from '../../node/errors.ts';
import { loadCsvForCommand, loadDataOfRules } from '../loadCsv.ts';
import { loadPrometheusForCommand, PROMETHEUS_HELP, PROMETHEUS_OPTIONS, prometheusArgs } from '../prometheusSource.ts';
import { refuseOutputOverInput, writeChunks } from '../output.ts';
import { formatIssue } from '../report.ts';
import type { loadRulesFile as LoadRulesFile } from '../rulesFile.ts';
import { formatDuration } from '../../core/rules/duration.ts';
import { isoOf } from '../../core/anomaly.ts';
import { findingsOnRows } from '../../core/findings.ts';
import { runAnalysis, settingsFor } from '../../core/analyze.ts';
import { seriesIn } from '../../core/csv/frame.ts';
import type { AnalysisCache } from '../../core/analyzeSettings.ts';
import { primeIsolationForest, startScoringThreadsFor } from '../../node/parallelScore.ts';
import type { AnalysisResult } from '../../core/analysisResult.ts';
import { csvChunks } from '../../core/export/csv.ts';
import { jsonChunks } from '../../core/export/json.ts';
import { formatDiagnostics } from '../../core/rules/diagnostics.ts';
import type { RulesFile } from '../../core/rules/model.ts';
import { SEVERITIES } from '../../core/severity.ts';
import { VERSION } from '../../core/version.ts';
import type { Contamination } from '../../core/detectors/isolationForestModel.ts';
import { allFlaggedRows, listed } from '../../core/incidents/analysisView.ts';
import { findingsIn } from '../../core/incidents/incidents.ts';
import { DEFAULT_MIN_SEVERITY, checkOf } from '../../core/incidents/view.ts';

const usage = `Usage: anomaly-hunter analyze <csv> [options]
       anomaly-hunter analyze --prometheus URL --query [NAME=]PROMQL … [--start T] [--end T] [--step D] [options]
       anomaly-hunter analyze --rules FILE [options]   (the data: of FILE: a CSV, relative to FILE, or a Prometheus source)

Loads a metrics CSV (or a Prometheus query range), runs the detectors and reports the anomalies (SPEC §3).

Options:
  --detectors LIST         iforest,forecast,rules (default: iforest and forecast, plus rules with --rules)
  --rules FILE             a rules.yaml to evaluate (its detectors: block gives default settings)
  --metrics a,b            only these metrics (a name of several series, cpu for cpu{host="a"}…, takes them all)
  --seed N                 seed of the randomised detectors (default 0)
  --contamination calibrated|auto|F
                           Isolation Forest threshold: 'calibrated' (default: the calibrated scores decide),
                           scikit-learn's 'auto' (score > 0.5) or a fraction in (0, 0.5]
  --trees N                Isolation Forest: number of trees (default 100)
  --max-samples N          Isolation Forest: rows per tree (default min(256, rows))
  --interval F             forecaster: prediction interval width in (0, 1) (default 0.8)
  --robust                 forecaster: refit once without the outliers of the first fit
  --min-severity S         the default view: incidents at or above critical|major|minor|warning (default major)
  --all-rows               list every row any detector flagged and every incident, not the default view
  --format text|json|csv   output format (default text: a human summary)
  --only-anomalies         json/csv: only the anomalies (csv: only the anomalous rows)
  --out FILE               write the output to FILE instead of stdout
  --history FILE           record the run and its incidents in a history database (see 'history';
                           a rerun on the same data and settings updates it, a grown file adds new incidents)
  -h, --help               show this help

${PROMETHEUS_HELP}
Exit codes: 0 success, 1 invalid input (bad CSV, rules with errors, a server error), 2 usage error.
`;

const DETECTORS = ['iforest', 'forecast', 'rules'] as const;

/** `analyze`: load, detect, report (SPEC §3). */
export const analyzeCommand: Command = {
  usage,
  async run(ctx: CommandContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(ctx.argv, {
      detectors: { type: 'string' },
      rules: { type: 'string' },
      metrics: { type: 'string' },
      seed: { type: 'string' },
      contamination: { type: 'string' },
      trees: { type: 'string' },
      'max-samples': { type: 'string' },
      interval: { type: 'string' },
      robust: { type: 'boolean' },
      'min-severity': { type: 'string' },
      'all-rows': { type: 'boolean' },
      format: { type: 'string' },
      'only-anomalies': { type: 'boolean' },
      out: { type: 'string' },
      ...PROMETHEUS_OPTIONS,
      history: { type: 'string' },
    });
    const prom = prometheusArgs(values, ctx.env);
    if (prom && positionals.length) throw new UsageError(`give either a CSV file or --prometheus, not both`);
    // Without a CSV or --prometheus, the rules file's data: names the data: a CSV (SPEC §1) or a Prometheus source (§8).
    const fromRules = !prom && positionals.length === 0 && values.rules !== undefined;
    if (!prom && !fromRules && positionals.length !== 1) throw new UsageError(positionals.length ? `expected one CSV file, got ${positionals.length}` : 'missing the CSV file to analyse');
    const format = choiceOption('format', values.format, ['text', 'json', 'csv'] as const, 'text');
    const seed = numberOption('seed', values.seed, 0, Number.MAX_SAFE_INTEGER);
    if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number, got '${values.seed}'`);
    const trees = numberOption('trees', values.trees, 1, 100_000);
    const maxSamples = numberOption('max-samples', values['max-samples'], 1);
    const interval = numberOption('interval', values.interval, 0, 1);
    if (interval !== undefined && (interval <= 0 || interval >= 1)) throw new UsageError(`--interval must be between 0 and 1 (exclusive), got '${values.interval}'`);
    let contamination: Contamination | undefined;
    if (values.contamination !== undefined) {
      const c = values.contamination;
      contamination = c === 'auto' || c === 'calibrated' ? c : numberOption('contamination', c, 0, 0.5);
      if (contamination === 0) throw new UsageError("--contamination must be 'calibrated', 'auto' or a fraction in (0, 0.5]");
    }
    const minSeverity = choiceOption('min-severity', values['min-severity'], SEVERITIES, DEFAULT_MIN_SEVERITY);
    const allRows = values['all-rows'] ?? false;
    let detectors: Set<string> | null = null;
    if (values.detectors !== undefined) {
      detectors = new Set(values.detectors.split(',').map((s) => s.trim()).filter(Boolean));
      const bad = [...detectors].filter((d) => !(DETECTORS as readonly string[]).includes(d));
      if (bad.length || !detectors.size) throw new UsageError(`--detectors takes a list of ${DETECTORS.join(', ')}; got '${values.detectors}'`);
      if (detectors.has('rules') && !values.rules) throw new UsageError('--detectors rules needs --rules FILE');
    }
    let metrics = values.metrics?.split(',').map((s) => s.trim()).filter(Boolean);

    await refuseOutputOverInput(values.out, [positionals[0], values.rules], ctx.cwd);
    // The rules file's reader (YAML, JSON Schema) and the history's (SQLite) are loaded only when asked for.
    const loadRulesFile = async (...a: Parameters<typeof LoadRulesFile>) => (await import('../rulesFile.ts')).loadRulesFile(...a);
    const preloaded = fromRules ? await loadRulesFile(values.rules!, { cwd: ctx.cwd, env: ctx.env }) : null;
    // The CSV to read (a rules file's data: is relative to the rules file, as `check` reads it) and its name in messages.
    let csvFile: string | undefined = positionals[0];
    let csvName = positionals[0];
    if (preloaded && !preloaded.prometheus) {
      if (preloaded.prometheusError) throw new InputError(`data: ${preloaded.prometheusError}`, values.rules);
      if (!preloaded.dataPath) {
        if (preloaded.diagnostics.length) ctx.stderr(formatDiagnostics(values.rules!, preloaded.diagnostics));
        if (!preloaded.rules) return 1;
        throw new UsageError(`missing the CSV file to analyse (the data: of ${values.rules} names neither a CSV nor a Prometheus source)`);
      }
      csvFile = preloaded.dataPath;
      csvName = relative(ctx.cwd, preloaded.dataPath) || preloaded.dataPath;
      await refuseOutputOverInput(values.out, [csvFile], ctx.cwd);
    }
    if (preloaded?.prometheus) for (const n of preloaded.prometheus.notes) ctx.stderr(`${preloaded.prometheus.server}: warning: ${n}\n`);
    const fetched = prom ? await loadPrometheusForCommand(prom, ctx) : preloaded?.prometheus ?? null;
    // The scoring worker starts while the CSV is read (idle, it never keeps the process alive; primeIsolationForest uses or closes it).
    const threads = !fetched && (detectors?.has('iforest') ?? true) ? await startScoringThreadsFor(csvFile!) : null;
    // A data: CSV already read (and its rules checked against it) is not read again; one it could not read fails here.
    const loaded = fetched ? { frame: fetched.frame, sha256: fetched.sha256, issues: [] } : await loadCsvForCommand(preloaded ? csvName : csvFile!, ctx, preloaded?.csv ?? (preloaded ? await loadDataOfRules(preloaded, values.rules!) : undefined), metrics);
    // A Prometheus source's input path is the graph page of its queries; messages name the server.
    const path = fetched ? fetched.path : csvName;
    const name = fetched ? fetched.server : basename(path);
    const frame = loaded.frame;
    if (metrics) {
      // A name of several series (cpu for cpu{host="a"}, cpu{host="b"}: a long CSV's, a query's) takes them all.
      metrics = [...new Set(metrics.flatMap((m) => {
        const cols = seriesIn(frame.metrics, m);
        return cols.length ? cols.map((c) => frame.metrics[c]) : [m];
      }))];
      const unknown = metrics.filter((m) => !frame.metrics.includes(m));
      if (unknown.length) throw unknownMetricsError(unknown, name, frame.metrics, prom ? 'series' : 'numeric column');
    }

    let rulesFile: RulesFile | null = null;
    if (values.rules) {
      const r = preloaded ?? await loadRulesFile(values.rules, { cwd: ctx.cwd, frame, frameName: name });
      if (r.diagnostics.length) ctx.stderr(formatDiagnostics(values.rules, r.diagnostics));
      if (!r.rules) return 1;
      rulesFile = r.rules;
    }
    const settings = settingsFor(rulesFile, {
      detectors: detectors ? { iforest: detectors.has('iforest'), forecast: detectors.has('forecast'), rules: detectors.has('rules') } : undefined,
      seed, metrics, contamination, trees, maxSamples, interval, robust: values.robust, minSeverity,
    });
    // The forest is scored on two threads first (bit-identical scores); runAnalysis finds it in the cache.
    const cache: AnalysisCache = {};
    await primeIsolationForest(frame, settings, cache, 2, threads ?? undefined);
    const result = runAnalysis(frame, settings, { path, sha256: loaded.sha256 }, cache);
    for (const w of result.warnings) ctx.stderr(`${name}: warning: ${w}\n`);
    const csvWarnings = loaded.issues.map((i) => formatIssue(path, i));
    const onlyAnomalies = values['only-anomalies'] ?? false;
    if (format === 'json') {
      await writeChunks(jsonChunks(result, { version: VERSION, onlyAnomalies, allRows, warnings: csvWarnings }), values.out, ctx);
      if (!values.out) ctx.stdout('\n');
    } else if (format === 'csv') {
      await writeChunks(csvChunks(result, { onlyAnomalies, allRows }), values.out, ctx);
    } else {
      await writeChunks([summary(result, loaded.issues.length, allRows, name, prom && values.step === undefined ? chosenStepNote(prom.range.stepMs) : null)], values.out, ctx);
    }
    if (values.history !== undefined) {
      const run = { kind: 'analyze' as const, source: fetched ? fetched.identity : resolve(ctx.cwd, path), sha256: loaded.sha256, toolVersion: VERSION, rows: frame.rows, stepMs: frame.stepMs,
        settings: { detectors: result.detectors, seed: result.seed, metrics: frame.metrics, minSeverity, allRows } };
      const { recordAnalyzeHistory } = await import('../historyFile.ts');
      await recordAnalyzeHistory(ctx, values.history, run, listed(result, allRows).incidents);
    }
    return 0;
  },
};


/** `stepNote`: why the step is what it is when it was chosen for a Prometheus range (chosenStepNote), else null. */
function summary(result: AnalysisResult, issueCount: number, allRows: boolean, name: string, stepNote: string | null = null): string {
  const f = result.frame;
  const ts = f.timestamps;
  const lines = [
    `${name}: ${f.rows.toLocaleString('en')} row${f.rows === 1 ? '' : 's'}, ${f.metrics.length} metric${f.metrics.length === 1 ? '' : 's'} (${shortNameList(f.metrics)})`,
    `  timestamp column: ${f.timestampColumn ?? 'none (row numbers stand in for time)'}`,
  ];
  if (ts && ts.length) lines.push(`  time range: ${isoOf(ts[0], f.utcOffsetMs)} → ${isoOf(ts[ts.length - 1], f.utcOffsetMs)}`, `  step: ${f.stepMs === null ? 'unknown' : formatDuration(f.stepMs)} (${stepNote ?? 'median gap'})`);
  if (issueCount + result.warnings.length) lines.push(`  warnings: ${issueCount + result.warnings.length} (on stderr)`);
  lines.push(`  detectors: ${detectorsRan(result)}`);
  const view = result.view;
  const { incidents, anomalies } = listed(result, allRows);
  const bySeverity = SEVERITIES.map((s) => [s, incidents.filter((i) => i.severity === s).length] as const).filter(([, n]) => n);
  const scope = allRows ? 'all' : `${view?.minSeverity ?? DEFAULT_MIN_SEVERITY} and above`;
  const counted = `  incidents (${scope}): ${incidents.length}${bySeverity.length ? ` (${bySeverity.map(([s, n]) => `${n} ${s}`).join(', ')})` : ''}`;
  if (allRows) {
    // Every flagged row is listed, and a flagged row need not be in any incident: those are counted apart.
    const inThem = findingsIn(anomalies, incidents).length;
    lines.push(`${counted}; every flagged row: ${plural(anomalies.length, 'finding')}, ${inThem.toLocaleString('en')} in these incidents, ${(anomalies.length - inThem).toLocaleString('en')} in none`);
  } else lines.push(`${counted}; ${findingsOnRows(anomalies)} in them`);
  if (!allRows && view) {
    // --all-rows lists the detectors' own findings (at the contamination and interval) and every finding of every
    // incident (the level, flatness and discord checks' among them): allFlaggedRows.
    const hidden = view.incidents.length - incidents.length;
    lines.push(`  below ${view.minSeverity}: ${hidden} incident${hidden === 1 ? '' : 's'}; every flagged row: ${findingsOnRows(allFlaggedRows(result.anomalies, view))} (--all-rows lists them)`);
  }
  const top = [...incidents].sort((a, b) => b.score - a.score || a.startRow - b.startRow).slice(0, 10).sort((a, b) => a.startRow - b.startRow);
  if (top.length) {
    lines.push('', incidents.length > top.length ? `  the ${top.length} highest-scored incidents:` : '  incidents:');
    const wheres = top.map((i) => i.start ?? lineOf(f, i.startRow));
    const at = Math.max(...wheres.map((w) => w.length));
    for (const [k, i] of top.entries()) {
      lines.push(`    ${wheres[k].padEnd(at)}  ${i.severity.padEnd(8)} ${i.score.toFixed(1).padStart(5)}  ${i.summary}`);
    }
  }
  if (allRows && anomalies.length) {
    const shown = anomalies.slice(0, MAX_ROWS_LISTED);
    const width = Math.min(30, Math.max(...shown.map((a) => (a.metric ?? '-').length)));
    const wheres = shown.map((a) => a.timestamp ?? lineOf(f, a.row));
    const at = Math.max(...wheres.map((w) => w.length));
    // A finding is one row of one detector (and metric): a row can hold several.
    lines.push('', `  findings (${anomalies.length.toLocaleString('en')}): ${f.timestamps ? 'time' : 'CSV line'}, metric, detector, score`);
    // The forecaster's checks by name: their findings are JSON's detector "forecast", their message says which.
    const detectors = shown.map((a) => (a.detector === 'rule' && a.rule ? `rule ${a.rule}` : checkOf(a) ? `forecast ${checkOf(a)}` : a.detector));
    const dw = Math.min(30, Math.max(8, ...detectors.map((d) => d.length)));
    for (const [k, a] of shown.entries()) {
      lines.push(`    ${wheres[k].padEnd(at)}  ${(a.metric ?? '-').padEnd(width)}  ${detectors[k].padEnd(dw)} ${a.score.toFixed(1).padStart(5)}`);
    }
    const more = anomalies.length - shown.length;
    if (more > 0) lines.push(`    … and ${more.toLocaleString('en')} more (--format json for all)`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Which detectors ran and which were asked for but skipped, and why (their warning, briefly; all are on stderr):
 * "iforest; skipped forecast — cpu has 1 value to fit on (needs 2)". A detector's settings are in the result even
 * when it skipped (SPEC §3's meta.detectors): it ran when it gave scores (iforest), a fitted metric (forecast) or
 * evaluated rules.
 */
function detectorsRan(result: AnalysisResult): string {
  const asked = ['iforest', 'forecast', 'rules'].filter((d) => d in result.detectors || result.warnings.some((w) => w.startsWith(`${d} skipped: `)));
  const ran = (d: string): boolean => d === 'iforest' ? result.scores.iforest !== undefined : d === 'forecast' ? Object.keys(result.forecast ?? {}).length > 0 : 'rules' in result.detectors;
  const why = (d: string): string => {
    const own = result.warnings.filter((w) => w.startsWith(`${d} skipped: `) || (w.startsWith(`${d}: `) && /skipped/.test(w)));
    const first = own[0]?.replace(new RegExp(`^${d}(:| skipped:) `), '').replace(/;? skipped$/, '');
    return first ? ` — ${first}${own.length > 1 ? ` (${own.length - 1} more on stderr)` : ''}` : '';
  };
  const done = asked.filter(ran).map((d) => (d === 'forecast' && result.forecastMode === 'robust' ? 'forecast (robust refit)' : d));
  const skipped = asked.filter((d) => !ran(d)).map((d) => d + why(d));
  return `${done.length ? done.join(', ') : 'none ran'}${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}`;
}

/**
 * Where a row is when the data has no time: its CSV line, 1-based (SPEC §2's convention for text, the line the editor
 * shows and stream's "line"), where JSON's "row" is the 0-based data row (SPEC §3).
 */
function lineOf(f: AnalysisResult['frame'], row: number): string {
  return `line ${f.lines[row] ?? row + 2}`;
}

/** Flagged rows the text of --all-rows lists before it says how many more there are. */
const MAX_ROWS_LISTED = 50;

/** `n` and a noun, plural unless n is 1: "21 findings". */
function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
}
