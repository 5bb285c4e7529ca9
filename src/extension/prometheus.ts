/**
 * `Anomaly Hunter: Analyze Prometheus Query…` (issue 16, SPEC §8): pick a recent query or type a server and a
 * query, fetch the range with progress (the same core and HTTP client as the CLI), keep it as a CSV snapshot in
 * the extension's storage for this workspace, and open the same dashboard on it. Running the command again on a
 * recent query fetches it anew. The bearer token lives in SecretStorage (`Set Prometheus Token`), else
 * ANOMALY_HUNTER_PROMETHEUS_TOKEN; never in settings or logs.
 */
import * as vscode from 'vscode';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hash64 } from '../core/alerting/hash.ts';
import { parseQueryArg } from '../core/prometheus/names.ts';
import { csvRows, frameCsvChunks } from '../core/prometheus/csvText.ts';
import type { NamedQuery } from '../core/prometheus/names.ts';
import { fetchFrame, resolveRange, SourceError } from '../core/prometheus/source.ts';
import { PollOutage } from '../core/prometheus/outage.ts';
import { checkServerUrl, createHttpFetcher, EDITOR_TOKEN_HELP, PROMETHEUS_TOKEN_ENV, serverLabel, tokenForRulesSource } from '../node/prometheusHttp.ts';
import { writeFileAtomic } from '../node/writeFileAtomic.ts';
import type { Ctx } from './ctx.ts';
import { setFileLabel, snapshotLabel } from './fileLabels.ts';

const SECRET_KEY = 'anomalyHunter.prometheusToken';
const RECENT_KEY = 'anomalyHunter.prometheusRecent';
const MAX_RECENT = 10;

/** A query as remembered per workspace. */
export interface RecentQuery { server: string; query: string; start: string; step?: string }

/** The recent queries of this workspace, newest first, without duplicates. */
export function withRecent(list: readonly RecentQuery[], q: RecentQuery): RecentQuery[] {
  const same = (a: RecentQuery) => a.server === q.server && a.query === q.query && a.start === q.start && a.step === q.step;
  return [q, ...list.filter((a) => !same(a))].slice(0, MAX_RECENT);
}

async function token(ctx: Ctx): Promise<string> {
  return (await ctx.ext.secrets.get(SECRET_KEY)) || process.env[PROMETHEUS_TOKEN_ENV] || '';
}

/**
 * The token for the server a rules file's `data:` names: only for a server the user chose, one they analysed a
 * query of in this workspace or ANOMALY_HUNTER_PROMETHEUS_URL's (a cloned repository's rules file must not have
 * the token sent to a server of its choosing); empty otherwise.
 */
export async function tokenForRulesServer(ctx: Ctx, url: URL): Promise<{ token: string; withheld: boolean }> {
  const chosen = ctx.ext.workspaceState.get<RecentQuery[]>(RECENT_KEY, []).some((q) => {
    const c = checkServerUrl(q.server, EDITOR_TOKEN_HELP);
    return c.ok && c.url.origin === url.origin;
  });
  const set = await token(ctx);
  if (chosen) return { token: set, withheld: false };
  const sent = tokenForRulesSource(url, { ...process.env, [PROMETHEUS_TOKEN_ENV]: set });
  return { token: sent, withheld: set.trim() !== '' && sent === '' };
}


/** `anomalyHunter.setPrometheusToken`: a password box; an empty value removes the token. */
export async function setPrometheusToken(ctx: Ctx): Promise<void> {
  const raw = await vscode.window.showInputBox({ title: 'Anomaly Hunter: Prometheus Bearer Token', prompt: 'Stored in VS Code\'s secret storage, never in settings. Empty removes it.', password: true, ignoreFocusOut: true });
  if (raw === undefined) return;
  if (raw.trim()) await ctx.ext.secrets.store(SECRET_KEY, raw.trim());
  else await ctx.ext.secrets.delete(SECRET_KEY);
  ctx.log.info(raw.trim() ? 'Prometheus token set' : 'Prometheus token removed');
}

/** Asks for a new query: server, [NAME=]PROMQL, range start, step. Undefined when cancelled. */
async function askQuery(last: RecentQuery | undefined): Promise<RecentQuery | undefined> {
  const server = await vscode.window.showInputBox({
    title: 'Analyze Prometheus Query (1/3): server', value: last?.server ?? 'http://localhost:9090', ignoreFocusOut: true,
    prompt: 'A Prometheus-compatible server: Prometheus, VictoriaMetrics, Thanos, Mimir',
    validateInput: (v) => { const c = checkServerUrl(v, EDITOR_TOKEN_HELP); return c.ok ? null : c.reason; },
  });
  if (server === undefined) return undefined;
  const query = await vscode.window.showInputBox({
    title: 'Analyze Prometheus Query (2/3): query', value: last?.query ?? '', ignoreFocusOut: true,
    prompt: '[NAME=]PROMQL, e.g. load=node_load1; a query with several series gives one metric per series',
    validateInput: (v) => { const p = parseQueryArg(v); return p.ok ? null : p.message; },
  });
  if (query === undefined) return undefined;
  const range = await vscode.window.showInputBox({
    title: 'Analyze Prometheus Query (3/3): range and step', value: last ? `${last.start}${last.step ? ` ${last.step}` : ''}` : '-7d', ignoreFocusOut: true,
    prompt: 'START [STEP]: -7d, -24h 1m, or an RFC 3339 time; the step defaults to 1m (coarser to stay under 11,000 points)',
    validateInput: (v) => { const [start, step] = v.trim().split(/\s+/); const r = resolveRange({ start, step }, Date.now()); return r.ok ? null : r.message; },
  });
  if (range === undefined) return undefined;
  const [start, step] = range.trim().split(/\s+/);
  return { server: server.trim(), query: query.trim(), start, ...(step ? { step } : {}) };
}

/** `anomalyHunter.analyzePrometheus`: see the file comment. */
export async function analyzePrometheus(ctx: Ctx): Promise<void> {
  const recent = ctx.ext.workspaceState.get<RecentQuery[]>(RECENT_KEY, []);
  let chosen: RecentQuery | undefined;
  if (recent.length) {
    const pick = await vscode.window.showQuickPick([
      { label: '$(add) New query…', q: undefined as RecentQuery | undefined },
      ...recent.map((q) => ({ label: q.query, description: `${q.server} · from ${q.start}${q.step ? ` · step ${q.step}` : ''}`, q })),
    ], { title: 'Analyze Prometheus Query', placeHolder: 'A recent query (fetched anew), or a new one', ignoreFocusOut: true });
    if (!pick) return;
    chosen = pick.q ?? await askQuery(recent[0]);
  } else {
    chosen = await askQuery(undefined);
  }
  if (!chosen) return;
  const q = chosen;
  const check = checkServerUrl(q.server, EDITOR_TOKEN_HELP);
  const parsed = parseQueryArg(q.query);
  const range = resolveRange({ start: q.start, step: q.step }, Date.now());
  if (!check.ok || !parsed.ok || !range.ok) {
    void vscode.window.showErrorMessage(`Anomaly Hunter: ${!check.ok ? check.reason : !parsed.ok ? parsed.message : !range.ok ? range.message : ''}`);
    return;
  }
  await ctx.ext.workspaceState.update(RECENT_KEY, withRecent(recent, q));
  const server = serverLabel(check.url);
  const fetcher = createHttpFetcher({ url: check.url, token: await token(ctx), tokenHelp: EDITOR_TOKEN_HELP });
  const dir = snapshotDir(ctx);
  const name = parsed.query.name.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 40) || 'query';
  const file = vscode.Uri.joinPath(dir, `${name}-${hash64(`${server}\n${q.query}\n${q.start}\n${q.step ?? ''}`).slice(0, 8)}.csv`);
  const ok = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Anomaly Hunter: fetching ${parsed.query.name} from ${server}`, cancellable: false }, async (progress) => {
    let last = 0;
    try {
      const got = await fetchFrame([parsed.query], range.value, fetcher, (done, total) => {
        progress.report({ increment: ((done - last) / total) * 100, message: `${done} of ${total} requests` });
        last = done;
      });
      for (const n of got.notes) ctx.log.warn(`${server}: ${n}`);
      await mkdir(dir.fsPath, { recursive: true });
      await writeFileAtomic(file.fsPath, frameCsvChunks(got.frame));
      // What Start Streaming needs to keep the snapshot growing (no token: that stays in secret storage).
      const meta: SnapshotMeta = { server: check.url.href, query: parsed.query, stepMs: range.value.stepMs, endMs: range.value.endMs, columns: got.frame.metrics };
      await writeFileAtomic(`${file.fsPath}.json`, [JSON.stringify(meta)]);
      ctx.log.info(`prometheus ${server}: ${parsed.query.name}: ${got.frame.rows} rows × ${got.frame.metrics.length} series in ${got.requests} requests → ${file.fsPath}`);
      return true;
    } catch (e) {
      const message = e instanceof SourceError ? `${server}: ${e.message}` : `${server}: ${(e as Error).message}`;
      ctx.log.error(message);
      void vscode.window.showErrorMessage(`Anomaly Hunter: ${message}`);
      return false;
    }
  });
  if (!ok) return;
  setFileLabel(file, snapshotLabel(parsed.query.name, check.url.href));
  // A new fetch replaces what an earlier one of the same query showed.
  if (ctx.sessions.get(file)) ctx.sessions.close(file);
  await ctx.showDashboard(file);
}

/** Where the snapshots of fetched queries live: the extension's own storage, never the workspace. */
export function snapshotDir(ctx: Ctx): vscode.Uri {
  return vscode.Uri.joinPath(ctx.ext.storageUri ?? ctx.ext.globalStorageUri, 'prometheus');
}

/**
 * Names a restored dashboard's file by its query when it is one of this workspace's snapshots, so it is titled as it
 * was when the query was fetched.
 */
export async function labelSnapshot(ctx: Ctx, uri: vscode.Uri): Promise<void> {
  const meta = await snapshotMeta(ctx, uri);
  if (meta && typeof meta.server === 'string' && typeof meta.query?.name === 'string') setFileLabel(uri, snapshotLabel(meta.query.name, meta.server));
}

/**
 * The meta file beside a snapshot this extension wrote; undefined for any other file. Only the extension's own
 * storage is read: a '.csv.json' that a workspace carries beside a CSV must never make the extension send the token
 * to a server of the workspace's choosing.
 */
async function snapshotMeta(ctx: Ctx, uri: vscode.Uri): Promise<Partial<SnapshotMeta> | undefined> {
  if (uri.scheme !== 'file' || dirname(uri.fsPath) !== snapshotDir(ctx).fsPath) return undefined;
  return readFile(`${uri.fsPath}.json`, 'utf8').then((t) => JSON.parse(t) as Partial<SnapshotMeta>, () => undefined);
}

/** Beside each snapshot: its query and where its grid ended, so streaming can fetch what came after. */
interface SnapshotMeta { server: string; query: NamedQuery; stepMs: number; endMs: number; columns: string[] }

/**
 * Start Streaming on a Prometheus snapshot (issue 16): every step, the points after the snapshot's end are fetched
 * and appended to it as CSV rows, which the stream that follows the file scores and draws live. Undefined for any
 * other file. A failed poll is logged and retried at the next step.
 */
export async function pollSnapshot(ctx: Ctx, uri: vscode.Uri): Promise<vscode.Disposable | undefined> {
  // Only a snapshot this extension wrote is polled (with the token): snapshotMeta reads the extension's storage only.
  const read = await snapshotMeta(ctx, uri);
  if (!read || typeof read.stepMs !== 'number' || !Array.isArray(read.columns)) return undefined;
  const meta = read as SnapshotMeta;
  const check = checkServerUrl(meta.server);
  if (!check.ok) return undefined;
  const server = serverLabel(check.url);
  const controller = new AbortController();
  const fetcher = createHttpFetcher({ url: check.url, token: await token(ctx), tokenHelp: EDITOR_TOKEN_HELP, signal: controller.signal });
  let next = meta.endMs + meta.stepMs;
  let busy = false;
  // Failures said once per outage, its end said, the lookback's copies over it left out (as stream --prometheus).
  const outage = new PollOutage(server);
  const poll = async (): Promise<void> => {
    const end = Math.floor(Date.now() / meta.stepMs) * meta.stepMs;
    if (busy || end < next) return;
    busy = true;
    try {
      const got = await fetchFrame([meta.query], { startMs: next, endMs: end, stepMs: meta.stepMs }, fetcher);
      if (controller.signal.aborted) return;
      const back = outage.answered(Date.now());
      if (back) ctx.log.info(back);
      const { frame, dropped } = outage.clean(got.frame, next, end, meta.stepMs);
      if (dropped) ctx.log.info(outage.droppedNote(dropped));
      // The end is recorded first: a crash between the two writes loses a step of points, never doubles them.
      await writeFileAtomic(`${uri.fsPath}.json`, [JSON.stringify({ ...meta, endMs: end })]);
      await appendFile(uri.fsPath, [...csvRows(frame, meta.columns)].join(''));
      next = end + meta.stepMs;
    } catch (e) {
      // No new point yet is not a failure: the next poll asks again.
      if (controller.signal.aborted) return;
      if (e instanceof SourceError && /returned no data/.test(e.message)) {
        const back = outage.answered(Date.now());
        if (back) ctx.log.info(back);
      } else {
        if (outage.failed((e as Error).message, Date.now())) ctx.log.warn(`${server}: ${(e as Error).message} (trying again at the next step)`);
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => { void poll(); }, Math.max(1000, meta.stepMs));
  ctx.log.info(`streaming ${server}: polling ${meta.query.name} every ${meta.stepMs / 1000} s`);
  return { dispose: () => { clearInterval(timer); controller.abort(); } };
}
