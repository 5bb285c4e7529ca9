/**
 * The Prometheus source a rules file names in `data:` (SPEC §8), for the CLI and the editor alike: the source
 * resolved into a server, queries and a range back from now, fetched through the HTTP adapter, and, for the
 * editor, a cache of one fetch per rules file keyed by (server, queries, range, step) and refreshed on demand.
 * A failure is one line (a SourceError's message); the token never appears in one.
 */
import { maskUrl } from '../core/alerting/url.ts';
import type { Frame } from '../core/csv/frame.ts';
import type { NamedQuery } from '../core/prometheus/names.ts';
import type { RangeSpec, SourceFrame } from '../core/prometheus/source.ts';
import { fetchFrame, resolveRange, SourceError } from '../core/prometheus/source.ts';
import { dataContextOf } from '../core/rules/dataContext.ts';
import type { PrometheusDataSource, RulesDataContext } from '../core/rules/model.ts';
import type { TokenHelp } from './prometheusHttp.ts';
import { checkServerUrl, createHttpFetcher, serverLabel } from './prometheusHttp.ts';

/** The range of a rules source when `range:` is absent. */
export const DEFAULT_RULES_RANGE = '7d';

/** A rules source checked and resolved at `now`: ready to fetch. */
export interface ResolvedRulesSource {
  url: URL;
  /** The server as shown in messages (no secret in it). */
  server: string;
  queries: NamedQuery[];
  range: RangeSpec;
  /** `range:` as written (or the default), for people: `the last 7d`. */
  rangeText: string;
}

/** Resolves a rules source at `now`; throws a SourceError of one line (a bad URL, no query, a bad range or step). */
export function resolveRulesSource(source: PrometheusDataSource, now: number, help?: TokenHelp): ResolvedRulesSource {
  const check = checkServerUrl(source.prometheus, help);
  if (!check.ok) throw new SourceError(check.reason);
  if (!source.queries.length) throw new SourceError('data.queries names no query');
  const rangeText = source.range ?? DEFAULT_RULES_RANGE;
  const range = resolveRange({ start: `-${rangeText}`, step: source.step ?? undefined }, now);
  if (!range.ok) throw new SourceError(range.message.replace(/^--start: '-/, "range: '").replace(/^--step/, 'step'));
  return { url: check.url, server: serverLabel(check.url), queries: source.queries, range: range.value, rangeText };
}

/** What identifies a fetch of a rules source: its server, queries, range and step as written. */
export function rulesSourceKey(source: PrometheusDataSource): string {
  return JSON.stringify([source.prometheus.trim(), source.queries.map((q) => [q.name, q.promql]), source.range, source.step]);
}

/** Options of a fetch: the token for this server (empty sends none), and the answers' bodies (the CLI hashes them). */
export interface RulesFetchOptions {
  token?: string;
  /** A token is set but not sent to this server (its 401 says so). */
  tokenWithheld?: boolean;
  /** What a 401 or 403 says to do. @default ENV_TOKEN_HELP */
  tokenHelp?: TokenHelp;
  onBody?: (text: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Fetches a resolved rules source; rejects with a SourceError of one line. */
export function fetchResolvedSource(r: ResolvedRulesSource, opts: RulesFetchOptions = {}): Promise<SourceFrame> {
  return fetchFrame(r.queries, r.range, createHttpFetcher({ url: r.url, token: opts.token, tokenWithheld: opts.tokenWithheld, tokenHelp: opts.tokenHelp, onBody: opts.onBody, signal: opts.signal, timeoutMs: opts.timeoutMs }));
}

/** One rules file's fetch: in flight, fetched, or failed (one line). */
export interface RulesFetch {
  /** rulesSourceKey of the source fetched. */
  key: string;
  server: string;
  /** The names of the queries fetched (data.queries' keys), in their order. */
  queries: string[];
  rangeText: string;
  state: 'loading' | 'ready' | 'error';
  /** When the fetch started, epoch ms. */
  at: number;
  frame?: Frame;
  /** The rules' view of the frame (metric names, step, value ranges). */
  context?: RulesDataContext;
  notes?: string[];
  requests?: number;
  error?: string;
  /** Settles (never rejects) when the fetch ends. */
  done: Promise<void>;
}

/** Options of RulesSourceCache. */
export interface RulesSourceCacheOptions {
  /**
   * The token to send to a server (decided by the caller: SecretStorage, env; empty for a server not trusted with it),
   * and whether one is set but held back from this server (a 401 says so).
   */
  tokenFor(url: URL): Promise<{ token: string; withheld: boolean }> | { token: string; withheld: boolean };
  /** What a 401 or 403 says to do. @default ENV_TOKEN_HELP */
  tokenHelp?: TokenHelp;
  /** Called when a fetch of a file ends (fetched or failed). */
  onSettled?(fileKey: string, fetch: RulesFetch): void;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
  timeoutMs?: number;
}

/**
 * The last fetch of each rules file's Prometheus source. `get` never fetches; `fetch` starts one (a fetch of the same
 * source already in flight is reused), replacing what the file had. A fetch is current for a text when its key is
 * the text's source's key: an edited source shows as stale until it is fetched anew.
 */
export class RulesSourceCache {
  private readonly entries = new Map<string, RulesFetch>();
  private readonly controllers = new Map<string, AbortController>();
  /** Fetches started so far (what a test counts to see the cache at work). */
  started = 0;

  constructor(private readonly opts: RulesSourceCacheOptions) {}

  /** The file's last fetch, whatever its source. */
  get(fileKey: string): RulesFetch | undefined {
    return this.entries.get(fileKey);
  }

  /** The file's last fetch when it is of this source. */
  current(fileKey: string, source: PrometheusDataSource): RulesFetch | undefined {
    const e = this.entries.get(fileKey);
    return e && e.key === rulesSourceKey(source) ? e : undefined;
  }

  /** Fetches the source for the file (reusing a fetch of the same source in flight); resolves with the entry. */
  fetch(fileKey: string, source: PrometheusDataSource): RulesFetch {
    const key = rulesSourceKey(source);
    const prev = this.entries.get(fileKey);
    if (prev?.state === 'loading' && prev.key === key) return prev;
    this.controllers.get(fileKey)?.abort();
    const now = (this.opts.now ?? Date.now)();
    let resolved: ResolvedRulesSource | undefined;
    let problem: string | undefined;
    try {
      resolved = resolveRulesSource(source, now, this.opts.tokenHelp);
    } catch (e) {
      problem = e instanceof SourceError ? e.message : String(e);
    }
    const entry: RulesFetch = { key, server: resolved?.server ?? maskUrl(source.prometheus), queries: source.queries.map((q) => q.name), rangeText: resolved?.rangeText ?? source.range ?? DEFAULT_RULES_RANGE, state: 'loading', at: now, done: Promise.resolve() };
    this.entries.set(fileKey, entry);
    this.started++;
    const controller = new AbortController();
    this.controllers.set(fileKey, controller);
    const run = async (): Promise<void> => {
      if (!resolved) throw new SourceError(problem ?? 'the source cannot be read');
      const { token, withheld } = await this.opts.tokenFor(resolved.url);
      const got = await fetchResolvedSource(resolved, { token, tokenWithheld: withheld, tokenHelp: this.opts.tokenHelp, signal: controller.signal, timeoutMs: this.opts.timeoutMs });
      entry.frame = got.frame;
      entry.context = dataContextOf(got.frame, `${resolved.server} (last ${resolved.rangeText})`);
      entry.notes = got.notes;
      entry.requests = got.requests;
      entry.state = 'ready';
    };
    entry.done = run().catch((e: unknown) => {
      entry.state = 'error';
      // Only a SourceError's message is meant for people; anything else is one line too, never a stack.
      entry.error = e instanceof SourceError ? e.message : (e instanceof Error ? e.message : String(e)).split('\n')[0];
    }).finally(() => {
      if (this.controllers.get(fileKey) === controller) this.controllers.delete(fileKey);
      if (this.entries.get(fileKey) === entry && !controller.signal.aborted) this.opts.onSettled?.(fileKey, entry);
    });
    return entry;
  }

  /** Forgets the file's fetch (cancelling one in flight). */
  forget(fileKey: string): void {
    this.controllers.get(fileKey)?.abort();
    this.controllers.delete(fileKey);
    this.entries.delete(fileKey);
  }

  dispose(): void {
    for (const c of this.controllers.values()) c.abort();
    this.controllers.clear();
    this.entries.clear();
  }
}
