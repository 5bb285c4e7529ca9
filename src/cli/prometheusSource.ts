/**
 * `--prometheus URL --query [NAME=]PROMQL … [--start T] [--end T] [--step D]` for the CLI's commands (SPEC §8):
 * the options checked (usage errors, exit 2), the range fetched through src/node/prometheusHttp.ts and joined
 * by src/core/prometheus/source.ts, and any server failure as one input error line (exit 1).
 */
import { createHash } from 'node:crypto';
import type { Frame } from '../core/csv/frame.ts';
import type { NamedQuery } from '../core/prometheus/names.ts';
import type { PrometheusDataSource } from '../core/rules/model.ts';
import { parseQueryArg } from '../core/prometheus/names.ts';
import type { RangeSpec, SourceFrame } from '../core/prometheus/source.ts';
import { fetchFrame, resolveRange, SourceError } from '../core/prometheus/source.ts';
import { formatDuration } from '../core/rules/duration.ts';
import { isoOf } from '../core/anomaly.ts';
import { checkServerUrl, createHttpFetcher, PROMETHEUS_TOKEN_ENV, serverLabel, tokenForRulesSource, tokenWithheld } from '../node/prometheusHttp.ts';
import { fetchResolvedSource, resolveRulesSource } from '../node/rulesSource.ts';
import type { CommandContext } from './command.ts';
import { InputError, UsageError } from '../node/errors.ts';

/** The parseArgs options every command with a Prometheus source takes. */
export const PROMETHEUS_OPTIONS = {
  prometheus: { type: 'string' },
  query: { type: 'string', multiple: true },
  start: { type: 'string' },
  end: { type: 'string' },
  step: { type: 'string' },
} as const;

/** The help text of those options. */
export const PROMETHEUS_HELP = `Prometheus source (instead of <csv>; SPEC §8):
  --prometheus URL         a Prometheus-compatible server (Prometheus, VictoriaMetrics, Thanos, Mimir),
                           e.g. http://localhost:9090; its /api/v1/query_range is read. A bearer token is
                           taken from $${PROMETHEUS_TOKEN_ENV}
  --query [NAME=]PROMQL    a query (repeatable); each series is one metric, named NAME, or
                           NAME{label="value",…} when the query returns several series
  --start T, --end T       RFC 3339, unix seconds, now, or relative to now: --start=-7d (with '=',
                           since the value starts with '-'); default end now, start end-7d
  --step D                 15s, 1m, 1h or seconds (default: 1m, or the smallest round step that keeps the
                           range under 11,000 points; a finer step's longer ranges are fetched in pieces)
`;

/** The checked options of a Prometheus source. */
export interface PrometheusArgs {
  url: URL;
  queries: NamedQuery[];
  range: RangeSpec;
  token: string;
}

/** Reads the options; null when --prometheus is absent (then a stray --query/--start is a usage error). */
export function prometheusArgs(values: { prometheus?: string; query?: string[]; start?: string; end?: string; step?: string }, env: CommandContext['env'], now = Date.now()): PrometheusArgs | null {
  if (values.prometheus === undefined) {
    const stray = (['query', 'start', 'end', 'step'] as const).filter((k) => values[k] !== undefined);
    if (stray.length) throw new UsageError(`--${stray[0]} needs --prometheus URL`);
    return null;
  }
  const check = checkServerUrl(values.prometheus);
  if (!check.ok) throw new UsageError(`--prometheus: ${check.reason}`);
  if (!values.query?.length) throw new UsageError('--prometheus needs at least one --query [NAME=]PROMQL');
  const queries: NamedQuery[] = [];
  for (const q of values.query) {
    const p = parseQueryArg(q);
    if (!p.ok) throw new UsageError(`--query: ${p.message}`);
    if (queries.some((x) => x.name === p.query.name)) throw new UsageError(`--query: two queries are named '${p.query.name}': give each its own NAME=`);
    queries.push(p.query);
  }
  const range = resolveRange(values, now);
  if (!range.ok) throw new UsageError(range.message);
  return { url: check.url, queries, range: range.value, token: env[PROMETHEUS_TOKEN_ENV] ?? '' };
}

/** A Prometheus graph page of the queries over the range: the results' input path, and the alerts' generatorURL. */
export function graphUrl(args: Pick<PrometheusArgs, 'url' | 'queries' | 'range'>): string {
  const u = new URL(args.url.href);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/graph`;
  const p = new URLSearchParams();
  args.queries.forEach((q, i) => {
    p.set(`g${i}.expr`, q.promql);
    p.set(`g${i}.tab`, '0');
    p.set(`g${i}.range_input`, formatDuration(args.range.endMs - args.range.startMs + args.range.stepMs) || '1h');
    p.set(`g${i}.end_input`, (isoOf(args.range.endMs) ?? '').replace(/\.000Z$/, 'Z'));
    p.set(`g${i}.step_input`, String(args.range.stepMs / 1000));
  });
  u.search = p.toString();
  return u.href;
}

/**
 * What a Prometheus input is in the history (issue 19): its server and its queries, not its time range, so that a
 * rerun of the same queries updates the same source. The graph page of `graphUrl` gives the same identity back.
 */
export function prometheusIdentity(args: Pick<PrometheusArgs, 'url' | 'queries'>): string {
  return identityOf(serverLabel(args.url), args.queries.map((q) => q.promql));
}

function identityOf(server: string, exprs: string[]): string {
  return `prometheus ${server} ${[...exprs].sort().join(' ; ')}`;
}

/** prometheusIdentity from a results file's input path when it is a graph page that graphUrl wrote, else null. */
export function identityOfGraphUrl(path: string): string | null {
  if (!/^https?:\/\//i.test(path)) return null;
  let u: URL;
  try { u = new URL(path); } catch { return null; }
  if (!/\/graph$/.test(u.pathname)) return null;
  const exprs: string[] = [];
  for (let i = 0; u.searchParams.has(`g${i}.expr`); i++) exprs.push(u.searchParams.get(`g${i}.expr`)!);
  if (!exprs.length) return null;
  u.pathname = u.pathname.replace(/\/graph$/, '');
  u.search = '';
  return identityOf(serverLabel(u), exprs);
}

/** A fetched source: the frame, the notes, a sha256 over the server's answers, and its name in outputs. */
export interface LoadedPrometheus extends SourceFrame {
  frame: Frame;
  sha256: string;
  /** The input path of the results: the Prometheus graph page of the queries. */
  path: string;
  /** The server, for messages. */
  server: string;
  /** What the source is in the history (prometheusIdentity). */
  identity: string;
}

/** Fetches the range; a failure is one line `SERVER: error: …` (exit 1). Notes go to stderr as warnings. */
export async function loadPrometheusForCommand(args: PrometheusArgs, ctx: Pick<CommandContext, 'stderr'>, signal?: AbortSignal): Promise<LoadedPrometheus> {
  const hash = createHash('sha256');
  const server = serverLabel(args.url);
  const fetcher = createHttpFetcher({ url: args.url, token: args.token, onBody: (t) => hash.update(t), signal });
  let got: SourceFrame;
  try {
    got = await fetchFrame(args.queries, args.range, fetcher);
  } catch (e) {
    if (e instanceof SourceError) throw new InputError(e.message, server);
    throw e;
  }
  for (const n of got.notes) ctx.stderr(`${server}: warning: ${n}\n`);
  return { ...got, sha256: hash.digest('hex'), path: graphUrl(args), server, identity: prometheusIdentity(args) };
}

/**
 * Fetches the Prometheus source a rules file names in `data:` (SPEC §8): its queries over `range` back from now
 * (default 7d) at `step`. Rejects with a SourceError of one line (a bad URL or range included); notes are returned.
 */
export async function fetchRulesSource(source: PrometheusDataSource, env: CommandContext['env'], now = Date.now()): Promise<LoadedPrometheus> {
  const r = resolveRulesSource(source, now);
  const args: PrometheusArgs = { url: r.url, queries: r.queries, range: r.range, token: tokenForRulesSource(r.url, env) };
  const hash = createHash('sha256');
  const got = await fetchResolvedSource(r, { token: args.token, tokenWithheld: tokenWithheld(r.url, env), onBody: (t) => hash.update(t) });
  return { ...got, sha256: hash.digest('hex'), path: graphUrl(args), server: r.server, identity: prometheusIdentity(args) };
}
