/**
 * The HTTP side of a Prometheus source (SPEC §8): GET (POST for long queries) `/api/v1/query_range` of any
 * Prometheus-compatible server with Node's global fetch, a per-request timeout and the bearer token from
 * ANOMALY_HUNTER_PROMETHEUS_TOKEN. Every failure becomes a SourceError of one line (callers name the server) with the server's own
 * message when it sent one; the token never appears in a message.
 */
import { networkReason } from '../core/alerting/deliver.ts';
import type { NamedQuery } from '../core/prometheus/names.ts';
import { parseRangeAnswer } from '../core/prometheus/response.ts';
import { oneLine } from '../core/format.ts';
import type { RangeAnswer } from '../core/prometheus/response.ts';
import type { RangeFetcher, RangeSpec } from '../core/prometheus/source.ts';
import { SourceError } from '../core/prometheus/source.ts';

/** The environment variable holding the bearer token sent to the server (never printed). */
export const PROMETHEUS_TOKEN_ENV = 'ANOMALY_HUNTER_PROMETHEUS_TOKEN';
/** The server a rules file's `data:` may send that token to (a rules file is the repository's, the token the user's). */
export const PROMETHEUS_URL_ENV = 'ANOMALY_HUNTER_PROMETHEUS_URL';

/**
 * The token for a server that a rules file names: only when it is the server of PROMETHEUS_URL_ENV (same origin),
 * so that a cloned repository's rules file cannot have the token sent to a server of its choosing.
 */
export function tokenForRulesSource(server: URL, env: Record<string, string | undefined>): string {
  const trusted = env[PROMETHEUS_URL_ENV];
  if (!trusted) return '';
  try {
    return new URL(trusted).origin === server.origin ? env[PROMETHEUS_TOKEN_ENV] ?? '' : '';
  } catch {
    return '';
  }
}

/** A token is set (PROMETHEUS_TOKEN_ENV) but `tokenForRulesSource` keeps it from this server. */
export function tokenWithheld(server: URL, env: Record<string, string | undefined>): boolean {
  return (env[PROMETHEUS_TOKEN_ENV]?.trim() ?? '') !== '' && tokenForRulesSource(server, env) === '';
}

/** Per-request limit, ms: a query a server cannot answer in this time fails with a timeout. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** Past this URL length the query goes in a POST form body (Prometheus and VictoriaMetrics accept both). */
const MAX_GET_URL = 2000;

/**
 * The server's base URL checked: http(s), no credentials in it, no query or fragment. `help`: where the user sets a
 * token instead of credentials in the URL (the CLI: an environment variable; the editor: a command).
 */
export function checkServerUrl(raw: string, help: TokenHelp = ENV_TOKEN_HELP): { ok: true; url: URL } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: `'${raw}' is not an absolute URL (expected e.g. http://localhost:9090)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `the server URL must be http or https, got ${url.protocol.replace(/:$/, '')}` };
  if (url.username || url.password) return { ok: false, reason: `the server URL must not hold a user name or password: ${help.unset}` };
  if (url.search || url.hash) return { ok: false, reason: 'the server URL must not have a query or fragment (give the base, e.g. http://localhost:9090)' };
  return { ok: true, url };
}

/** The server as shown in messages: scheme, host, port and path prefix (it holds no secret: checkServerUrl). */
export function serverLabel(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The query_range endpoint under a base URL (a base that already ends with it is kept). */
export function queryRangeUrl(base: URL): URL {
  const u = new URL(base.href);
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = path.endsWith('/api/v1/query_range') ? path : `${path}/api/v1/query_range`;
  return u;
}

/** What a 401 or 403 tells the user to do, in the words of where they set the token (the CLI: an environment variable). */
export interface TokenHelp {
  /** A token was sent and refused. */
  refused: string;
  /** No token is set. */
  unset: string;
  /** A token is set but held back from this server. */
  withheld(url: URL): string;
}

/** The CLI's words: the token is PROMETHEUS_TOKEN_ENV, sent to a rules file's server only when it is PROMETHEUS_URL_ENV's. */
export const ENV_TOKEN_HELP: TokenHelp = {
  refused: `the token in ${PROMETHEUS_TOKEN_ENV} was refused`,
  unset: `set a bearer token in ${PROMETHEUS_TOKEN_ENV}`,
  withheld: (url) => `a token is set but is only sent to ${PROMETHEUS_URL_ENV}'s origin; set that variable to ${url.origin} to send it here`,
};

/** What a 401 or 403 says to do in the editor, where the token is set with a command. */
export const EDITOR_TOKEN_HELP: TokenHelp = {
  refused: 'the server refused the token: set it again with "Anomaly Hunter: Set Prometheus Token…"',
  unset: 'set a bearer token with "Anomaly Hunter: Set Prometheus Token…"',
  withheld: (url) => `a token is set but a rules file's server gets it only once you analysed a query of it here (Analyze Prometheus Query… on ${url.origin}) or it is ${PROMETHEUS_URL_ENV}'s`,
};

/** Options of createHttpFetcher. */
export interface HttpFetcherOptions {
  /** The checked base URL. */
  url: URL;
  /** Bearer token (from PROMETHEUS_TOKEN_ENV); empty or absent sends none. */
  token?: string;
  /** A token is set but is not sent to this server (not PROMETHEUS_URL_ENV's origin): a 401 or 403 says so. */
  tokenWithheld?: boolean;
  /** What a 401 or 403 says to do. @default ENV_TOKEN_HELP */
  tokenHelp?: TokenHelp;
  timeoutMs?: number;
  /** Sees every answer's body (the CLI hashes them for the results' sha256). */
  onBody?: (text: string) => void;
  /** Cancels requests in flight (stream's Ctrl-C). */
  signal?: AbortSignal;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3).replace(/\.?0+$/, '');
}

/** A RangeFetcher over HTTP. Rejects with a SourceError (one line) when the server cannot be asked or answers badly. */
export function createHttpFetcher(opts: HttpFetcherOptions): RangeFetcher {
  const endpoint = queryRangeUrl(opts.url);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const token = opts.token?.trim() ?? '';
  return async (query: NamedQuery, piece: RangeSpec): Promise<RangeAnswer> => {
    const params = new URLSearchParams({ query: query.promql, start: seconds(piece.startMs), end: seconds(piece.endMs), step: seconds(piece.stepMs) });
    const get = new URL(endpoint.href);
    get.search = params.toString();
    const usePost = get.href.length > MAX_GET_URL;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (usePost) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs);
    let status: number;
    let statusText: string;
    let body: string;
    try {
      const res = await fetch(usePost ? endpoint : get, { method: usePost ? 'POST' : 'GET', headers, body: usePost ? params.toString() : undefined, redirect: 'manual', signal: controller.signal });
      status = res.status;
      statusText = res.statusText;
      body = await res.text();
    } catch (e) {
      if (timedOut) throw new SourceError(`no answer within ${seconds(timeoutMs)} s (timed out) for query ${JSON.stringify(query.name)}`);
      if (opts.signal?.aborted) throw new SourceError('stopped');
      throw new SourceError(`cannot reach the server: ${scrub(networkReason(e), token)}`);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    opts.onBody?.(body);
    if (status >= 300 && status < 400) throw new SourceError(`the server answered with a redirect (HTTP ${status}); give the URL it redirects to`);
    const answer = parseRangeAnswer(body);
    if (status >= 200 && status < 300) return answer;
    // Prometheus sends its error envelope with 400 (bad_data), 422 (execution) or 503 (timeout): its message is the one to show.
    if (!answer.ok && answer.errorType !== 'not_json' && answer.errorType !== 'bad_response') return { ...answer, message: `${scrub(answer.message, token)} (HTTP ${status})` };
    const help = opts.tokenHelp ?? ENV_TOKEN_HELP;
    const hint = status === 401 || status === 403 ? ` (${token !== '' ? help.refused : opts.tokenWithheld ? help.withheld(opts.url) : help.unset})` : '';
    const text = oneLine(scrub(body, token), 200);
    return { ok: false, errorType: 'http', message: `HTTP ${status}${statusText ? ` ${statusText}` : ''}${hint}${text ? `: ${text}` : ''}` };
  };
}

/** The token never reaches a message, even when a server echoes it. */
function scrub(text: string, token: string): string {
  return token.length >= 4 ? text.split(token).join('***') : text;
}
