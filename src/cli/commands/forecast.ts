import { shortNameList } from '../../core/format.ts';
import type { Command, CommandContext } from '../command.ts';
import { choiceOption, numberOption, parseCommandArgs } from '../command.ts';
import { InputError, UsageError } from '../../node/errors.ts';
import { loadCsvForCommand } from '../loadCsv.ts';
import { isoOf } from '../../core/anomaly.ts';
import { detectForecast, forecastTimes } from '../../core/detectors/forecast.ts';
import { csvLine } from '../../core/export/csv.ts';
import { VERSION } from '../../core/version.ts';
import { getOwn } from '../../core/own.ts';

const usage = `Usage: anomaly-hunter forecast <csv> --metric NAME [options]

Fits Prophet's model (piecewise-linear trend, daily/weekly/yearly Fourier seasonalities) to one metric
on the first rows, predicts every row plus --horizon steps past the end, and marks the values outside
the prediction interval (SPEC §3, §5).

Options:
  --metric NAME          the metric to forecast (may be omitted when the CSV has only one)
  --train-fraction F     fit on the first floor(F·rows) rows, 0 < F ≤ 1 (default 1)
  --interval F           width of the prediction interval, 0 < F < 1 (default 0.8)
  --horizon N            rows to forecast past the last one, one sampling step apart (default 0)
  --format csv|json      csv (default): timestamp,y,yhat,yhat_lower,yhat_upper,anomaly
                         (anomaly 1 outside the interval, 0 inside, empty where y is unknown);
                         json: the same columns as arrays, with the settings and the anomalies
  --method cv|prophet    past the history: cv (default) chooses the fit, trend and band by rolling-origin
                         cross-validation (README: how the forecast differs from prophet()); prophet: Prophet's
                         exact MAP and simulated band
  --robust               refit once without the points the first fit flags as major or critical
  --seed N               seed of the trend-uncertainty simulation past the history (--method prophet; default 0)
  -h, --help             show this help

Exit codes: 0 success, 1 invalid input (bad CSV, a metric that cannot be fitted), 2 usage error.
`;

/** Numbers in the output: 10 significant digits, enough for any metric and free of float noise. */
function num(v: number): number | null {
  return Number.isFinite(v) ? Number(v.toPrecision(10)) : null;
}

/** `forecast <csv> --metric NAME`: one metric's forecast, band and out-of-band flags (SPEC §3). */
export const forecastCommand: Command = {
  usage,
  async run(ctx: CommandContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(ctx.argv, {
      metric: { type: 'string' },
      'train-fraction': { type: 'string' },
      interval: { type: 'string' },
      horizon: { type: 'string' },
      format: { type: 'string' },
      robust: { type: 'boolean' },
      seed: { type: 'string' },
      method: { type: 'string' },
    });
    if (values.help) { ctx.stdout(usage); return 0; }
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'expected one CSV file' : 'missing the CSV file to forecast');
    const format = choiceOption('format', values.format, ['csv', 'json'] as const, 'csv');
    const method = choiceOption('method', values.method, ['cv', 'prophet'] as const, 'cv');
    const trainFraction = numberOption('train-fraction', values['train-fraction'], 0, 1) ?? 1;
    if (trainFraction === 0) throw new UsageError('--train-fraction must be above 0');
    const interval = numberOption('interval', values.interval, 0, 1) ?? 0.8;
    if (interval === 0 || interval === 1) throw new UsageError('--interval must be strictly between 0 and 1');
    const horizon = numberOption('horizon', values.horizon, 0, 1e7) ?? 0;
    if (!Number.isInteger(horizon)) throw new UsageError(`--horizon must be a whole number of rows, got '${values.horizon}'`);
    const seed = numberOption('seed', values.seed) ?? 0;
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got '${values.seed}'`);

    const path = positionals[0];
    const loaded = await loadCsvForCommand(path, ctx);
    const frame = loaded.frame;
    let metric = values.metric;
    if (metric === undefined) {
      if (frame.metrics.length !== 1) throw new UsageError(`--metric is required: the CSV has ${frame.metrics.length} metrics (${shortNameList(frame.metrics)})`);
      metric = frame.metrics[0];
    }
    if (!frame.metrics.includes(metric)) throw new UsageError(`no metric '${metric}' in ${path} (metrics: ${shortNameList(frame.metrics) || 'none'})`);

    const result = detectForecast(frame, { metrics: [metric], trainFraction, interval, horizon, seed, robust: values.robust, method });
    const band = getOwn(result.forecast, metric);
    if (!band) throw new InputError(result.warnings[0]?.replace(/^forecast: /, '').replace(/; skipped$/, '') ?? `${metric} cannot be forecast`, path);
    for (const w of result.warnings) ctx.stderr(`${path}: warning: ${w}\n`);

    const y = frame.values[frame.metrics.indexOf(metric)];
    const t = forecastTimes(frame, horizon);
    const n = t.length;
    const stamp = (i: number): string | number | null => (frame.timestamps ? isoOf(t[i], frame.utcOffsetMs) : t[i]);
    const flag = (i: number): number | null => {
      if (i >= frame.rows || !Number.isFinite(y[i]) || !Number.isFinite(band.lower[i])) return null;
      return y[i] > band.upper[i] || y[i] < band.lower[i] ? 1 : 0;
    };

    if (format === 'csv') {
      const chunks: string[] = [csvLine(['timestamp', 'y', 'yhat', 'yhat_lower', 'yhat_upper', 'anomaly'])];
      for (let i = 0; i < n; i++) {
        chunks.push(csvLine([stamp(i), i < frame.rows ? y[i] : null, num(band.yhat[i]), num(band.lower[i]), num(band.upper[i]), flag(i)]));
        if (chunks.length >= 4096) { ctx.stdout(chunks.join('')); chunks.length = 0; }
      }
      ctx.stdout(chunks.join(''));
      return 0;
    }
    const column = (f: (i: number) => number | string | null): (number | string | null)[] => Array.from({ length: n }, (_, i) => f(i));
    const json = {
      meta: {
        tool: 'anomaly-hunter', version: VERSION, command: 'forecast',
        input: { path, sha256: loaded.sha256, rows: frame.rows },
        timestampColumn: frame.timestampColumn, metric, mode: result.mode,
        detectors: { forecast: result.settings }, seed, warnings: result.warnings,
      },
      rows: n,
      timestamp: column(stamp),
      forecast: {
        [metric]: {
          y: column((i) => (i < frame.rows && Number.isFinite(y[i]) ? y[i] : null)),
          yhat: column((i) => num(band.yhat[i])),
          lower: column((i) => num(band.lower[i])),
          upper: column((i) => num(band.upper[i])),
          anomaly: column(flag),
        },
      },
      anomalies: result.anomalies,
    };
    ctx.stdout(JSON.stringify(json) + '\n');
    return 0;
  },
};
