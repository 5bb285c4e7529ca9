/**
 * Real Prometheus, VictoriaMetrics and Alertmanager processes for tests (Debian packages prometheus,
 * victoria-metrics, prometheus-alertmanager): each on a free 127.0.0.1 port with a temporary data folder,
 * stopped and removed by `stop()`. A missing binary skips the test locally and fails it on CI (CI=true).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = { prometheus: '/usr/bin/prometheus', promtool: '/usr/bin/promtool', alertmanager: '/usr/bin/prometheus-alertmanager', victoria: '/usr/bin/victoria-metrics' } as const;

/** `skip` for node:test: a reason when a binary is missing outside CI; on CI never (the test then fails). */
export function skipUnless(...names: (keyof typeof BIN)[]): string | false {
  const missing = names.filter((n) => !existsSync(BIN[n]));
  if (!missing.length || process.env.CI === 'true') return false;
  return `not installed: ${missing.map((n) => BIN[n]).join(', ')} (apt packages prometheus, victoria-metrics, prometheus-alertmanager)`;
}

/** A free TCP port on 127.0.0.1 (the servers here cannot report a port 0 they were given). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A started server: its origin, a stop that ends the process and removes its folder, and an outage's down and up. */
export interface RunningServer {
  origin: string;
  dir: string;
  stop(): Promise<void>;
  /** Ends the process and keeps its folder (an outage); `up` starts it again on the same port and folder. */
  down(): Promise<void>;
  up(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it was ready:\n${log()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server was not ready at ${url} within ${timeoutMs / 1000} s:\n${log()}`);
}

async function start(bin: string, args: (port: number) => string[], ready: string, dir: string): Promise<RunningServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    let log = '';
    const spawnIt = (): ChildProcess => {
      const c = spawn(bin, args(port), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout!.on('data', (b: Buffer) => { log = (log + b.toString()).slice(-4000); });
      c.stderr!.on('data', (b: Buffer) => { log = (log + b.toString()).slice(-4000); });
      return c;
    };
    let child = spawnIt();
    const origin = `http://127.0.0.1:${port}`;
    const down = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    };
    const stop = async (): Promise<void> => {
      await down();
      rmSync(dir, { recursive: true, force: true });
    };
    const up = async (): Promise<void> => {
      await down();
      child = spawnIt();
      await waitReady(`${origin}${ready}`, child, () => log);
    };
    try {
      await waitReady(`${origin}${ready}`, child, () => log);
      return { origin, dir, stop, down, up };
    } catch (e) {
      // Another process may have taken the port between freePort and the bind: one more try on a new port.
      if (child.exitCode === null) { child.kill('SIGKILL'); await new Promise((r) => child.once('exit', r)); }
      if (attempt >= 1 || !/address already in use/.test(log)) { rmSync(dir, { recursive: true, force: true }); throw e; }
    }
  }
}

/** One sample: labels (with __name__), epoch ms, value. */
export interface Sample { name: string; labels?: Record<string, string>; ms: number; value: number }

function labelPart(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}` : '';
}

/**
 * OpenMetrics text of samples (openmetrics.io): each metric family together as a gauge, samples in time order
 * per series, timestamps in seconds, ending with `# EOF`.
 */
export function openMetrics(samples: readonly Sample[]): string {
  const byName = new Map<string, Sample[]>();
  for (const s of samples) (byName.get(s.name) ?? byName.set(s.name, []).get(s.name)!).push(s);
  const lines: string[] = [];
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} gauge`);
    const sorted = [...list].sort((a, b) => labelPart(a.labels).localeCompare(labelPart(b.labels)) || a.ms - b.ms);
    for (const s of sorted) lines.push(`${name}${labelPart(s.labels)} ${String(s.value)} ${(s.ms / 1000).toFixed(3)}`);
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}

/** Prometheus with the samples backfilled by promtool (tsdb create-blocks-from openmetrics), retention 100y. */
export async function startPrometheus(samples: readonly Sample[], opts: { scrapeSelfEverySeconds?: number } = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ah-prometheus-'));
  const data = join(dir, 'data');
  if (samples.length) {
    writeFileSync(join(dir, 'data.om'), openMetrics(samples));
    const made = spawnSync(BIN.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', join(dir, 'data.om'), data], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`promtool failed (${made.status}): ${made.stderr}`);
  }
  return start(BIN.prometheus, (port) => [
    `--config.file=${config(dir, port, opts.scrapeSelfEverySeconds)}`, `--storage.tsdb.path=${data}`, '--storage.tsdb.retention.time=100y',
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], '/-/ready', dir);
}

/** A Prometheus config: no scrapes, or Prometheus scraping itself every `every` seconds (live data). */
function config(dir: string, port: number, every?: number): string {
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, every
    ? `global:\n  scrape_interval: ${every}s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`
    : 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  return file;
}

/** VictoriaMetrics with the samples imported through /api/v1/import/prometheus, flushed so queries see them. */
export async function startVictoriaMetrics(samples: readonly Sample[]): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ah-victoria-'));
  const server = await start(BIN.victoria, (port) => [
    `-storageDataPath=${join(dir, 'data')}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-loggerLevel=ERROR',
  ], '/health', dir);
  // The Prometheus text exposition format: timestamps in milliseconds.
  const text = samples.map((s) => `${s.name}${labelPart(s.labels)} ${String(s.value)} ${s.ms}`).join('\n') + '\n';
  const res = await fetch(`${server.origin}/api/v1/import/prometheus`, { method: 'POST', body: text });
  if (res.status !== 204 && res.status !== 200) throw new Error(`import failed: HTTP ${res.status} ${await res.text()}`);
  const flush = await fetch(`${server.origin}/internal/force_flush`);
  if (!flush.ok) throw new Error(`force_flush failed: HTTP ${flush.status}`);
  return server;
}

/** Alertmanager with a route to a receiver that notifies nobody, clustering off; `resolveTimeout` its global resolve_timeout (e.g. '2s'). */
export async function startAlertmanager(opts: { resolveTimeout?: string } = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ah-alertmanager-'));
  const global = opts.resolveTimeout ? `global:\n  resolve_timeout: ${opts.resolveTimeout}\n` : '';
  writeFileSync(join(dir, 'alertmanager.yml'), `${global}route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n`);
  return start(BIN.alertmanager, (port) => [
    `--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn',
  ], '/-/ready', dir);
}
