// Analyze Prometheus Query… in a real VS Code against a real Prometheus (Debian's prometheus and promtool,
// backfilled with known data, on a free loopback port with a temporary folder): the same dashboard opens with the
// query's chart and the spike in the data as an incident; a rules file whose data: names the server shows each
// rule's firings on the fetched range. Screenshots go to .vscode-test/runs/prometheus/shots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CACHE, findFiles, freePort, goToLine, openFile, openWorkbench, prepareRun, runCommand, until, webview } from './harness.mjs';

const MIN = 60_000;
const ROWS = 2000;
// Data ending four hours ago (older than Prometheus's head block), on whole minutes.
const T0 = Math.floor((Date.now() - 4 * 3600_000) / MIN) * MIN - (ROWS - 1) * MIN;
let dirs, page, close, prom, promDir;

/** Starts Prometheus on `port` over promDir's data (again after an outage), resolves when it is ready. */
async function runPrometheus(port) {
  const child = spawn('prometheus', [`--config.file=${path.join(promDir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(promDir, 'data')}`,
    '--storage.tsdb.retention.time=100y', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${origin}/-/ready`).then((r) => r.ok, () => false)) return { origin, port, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('prometheus did not become ready');
}

async function startPrometheus() {
  promDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ah-e2e-prom-'));
  const lines = ['# TYPE host_cpu gauge'];
  for (let i = 0; i < ROWS; i++) {
    const v = 40 + 10 * Math.sin((2 * Math.PI * i) / 1440) + ((i * 7919) % 101) / 50 + (i >= 1500 && i < 1510 ? 45 : 0);
    lines.push(`host_cpu ${v.toFixed(3)} ${((T0 + i * MIN) / 1000).toFixed(3)}`);
  }
  fs.writeFileSync(path.join(promDir, 'data.om'), lines.join('\n') + '\n# EOF\n');
  const port = await freePort();
  // Prometheus also scrapes itself every second: live data for Start Streaming.
  fs.writeFileSync(path.join(promDir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`);
  const made = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', path.join(promDir, 'data.om'), path.join(promDir, 'data')], { encoding: 'utf8' });
  assert.equal(made.status, 0, `promtool: ${made.stderr}`);
  return runPrometheus(port);
}

/** Types into the quick input once its title shows `step` (each input box replaces the previous one). */
async function answer(step, text) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: step }).waitFor({ timeout: 30_000 });
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(text);
  await page.keyboard.press('Enter');
}

before(async () => {
  prom = await startPrometheus();
  const ws = path.join(CACHE, 'workspace-prometheus');
  fs.rmSync(ws, { recursive: true, force: true });
  fs.mkdirSync(ws, { recursive: true });
  fs.writeFileSync(path.join(ws, 'README.md'), 'A workspace for the Prometheus test.\n');
  // A rules file whose data: is the Prometheus source (SPEC §8): checked and counted on the fetched range.
  fs.writeFileSync(path.join(ws, 'rules.yaml'), [
    'version: 1', 'data:', `  prometheus: ${prom.origin}`, '  queries: {cpu: host_cpu}', '  range: 2d', '  step: 1m', 'rules:',
    '  - name: cpu-hot', '    metric: cpu', '    op: ">"', '    threshold: 80', '    severity: major',
    '  - name: cpu-frozen', '    metric: cpu', '    op: "<"', '    threshold: 0', '    severity: minor', '',
  ].join('\n'));
  dirs = prepareRun('prometheus', { workspace: ws, settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
  ({ page, close } = await openWorkbench(dirs, 'README.md'));
});

after(async () => {
  await close?.();
  if (prom) { prom.child.kill('SIGTERM'); await new Promise((r) => prom.child.once('exit', r)); }
  if (promDir) fs.rmSync(promDir, { recursive: true, force: true });
});

test('Analyze Prometheus Query… opens the dashboard on the query with its chart and the spike as an incident', async () => {
  // As runCommand, without waiting for the quick input to close: the command opens its first input box at once.
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill('>Anomaly Hunter: Analyze Prometheus Query…');
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Analyze Prometheus Query' }).first().click();
  await answer('(1/3)', prom.origin);
  await answer('(2/3)', 'cpu=host_cpu');
  await answer('(3/3)', '-2d 1m');
  const view = webview(page);
  const chart = view.locator('[data-testid="chart-cpu"].rendered');
  await chart.waitFor({ timeout: 120_000 });
  assert.equal(Number(await chart.getAttribute('data-points')), ROWS, 'every minute of data, without the 5 minutes where Prometheus\'s lookback repeats the last sample');
  await view.locator('.busy[hidden]').waitFor({ state: 'attached', timeout: 120_000 });
  const incidents = view.locator('[data-testid="anomaly-row"][data-kind="incident"]');
  await incidents.first().waitFor({ timeout: 60_000 });
  await page.screenshot({ path: path.join(dirs.shots, 'prometheus-dashboard.png') });
  // Called by its query and server, not by the snapshot's hashed file name.
  const host = new URL(prom.origin).host;
  assert.equal((await view.locator('header h1').textContent()).trim(), `cpu from ${host}`);
  await page.locator('.tab', { hasText: `Anomalies: cpu from ${host}` }).first().waitFor({ timeout: 10_000 });
  // An incident id is its start time and leading metric: one starts within minutes of the spike.
  const ids = await incidents.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-incident')));
  const spike = T0 + 1500 * MIN;
  assert.ok(ids.some((id) => id.endsWith('/cpu') && Math.abs(Date.parse(id.split('/')[0]) - spike) <= 15 * MIN), `no incident at ${new Date(spike).toISOString()}: ${ids.join(', ')}`);
});

test('Start Streaming on a Prometheus query polls every step and the live dashboard grows', async () => {
  // Until the self-scrape has a minute of samples.
  for (let i = 0; i < 300; i++) {
    const r = await (await fetch(`${prom.origin}/api/v1/query?query=count_over_time(up{job="self"}[1m])`)).json();
    if (Number(r.data.result[0]?.value[1] ?? 0) >= 20) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  // From the dashboard the test before opened, with the focus in it: the palette closing gives the focus back to the
  // webview, which must not close the command's quick pick (CI saw it closed, its rows hidden).
  await webview(page).locator('header h1').click();
  const recentRow = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'cpu=host_cpu' }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('>Anomaly Hunter: Analyze Prometheus Query…');
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Analyze Prometheus Query' }).first().click();
    // The first test's query is offered as a recent one; a new query is asked for.
    if (await recentRow.waitFor({ timeout: 15_000 }).then(() => true, () => false)) break;
    await page.screenshot({ path: path.join(dirs.shots, `prometheus-recent-pick-closed-${attempt}.png`) });
    console.log(`# attempt ${attempt}: the recent-query pick was not shown (closed before it was answered)`);
    if (attempt === 2) throw new Error('the recent-query pick was not shown twice');
    await page.keyboard.press('Escape');
  }
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'New query' }).first().click();
  await answer('(1/3)', prom.origin);
  await answer('(2/3)', 'up=up{job="self"}');
  await answer('(3/3)', '-1m 1s');
  const view = webview(page);
  await view.locator('[data-testid="chart-up"].rendered').waitFor({ timeout: 120_000 });
  const rows = async () => Number((await view.locator('header .muted').first().textContent()).match(/^([\d,]+) rows/)[1].replace(/,/g, ''));
  const before = await rows();
  // A 1 s scrape on a busy 2-core machine misses some seconds: a minute holds well under 60 samples then.
  assert.ok(before >= 10 && before <= 62, `${before} rows in the first minute`);
  await runCommand(page, 'Anomaly Hunter: Start Streaming');
  const t0 = Date.now();
  let now = before;
  while (Date.now() - t0 < 60_000) {
    now = await rows().catch(() => now);
    if (now >= before + 5) break;
    await new Promise((res) => setTimeout(res, 500));
  }
  await page.screenshot({ path: path.join(dirs.shots, 'prometheus-streaming.png') });
  assert.ok(now >= before + 5, `the live dashboard grew from ${before} to ${now} rows`);
  await page.locator('.tab', { hasText: `Anomalies: up from ${new URL(prom.origin).host} (live)` }).first().waitFor({ timeout: 10_000 });
  // An outage: Prometheus stopped for 8 s and started again. The log says the failure once and the return once, and
  // the points its lookback repeats over the gap are left out.
  const log = () => findFiles(path.join(dirs.ud, 'logs'), /Anomaly Hunter\.log$/).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  prom.child.kill('SIGTERM');
  await new Promise((r) => prom.child.once('exit', r));
  await until(async () => /cannot reach the server/.test(log()), 'the outage in the log');
  await new Promise((r) => setTimeout(r, 8000));
  prom = await runPrometheus(prom.port);
  await until(async () => /reachable again after \d+s without an answer/.test(log()), 'the return in the log', 60_000);
  await until(async () => /note: \d+ points? over the outage left out/.test(log()), 'the copies left out, in the log');
  const text = log();
  assert.equal(text.match(/cannot reach the server/g).length, 1, text);
  assert.equal(text.match(/reachable again/g).length, 1, text);
  console.log(text.split('\n').filter((l) => /reachable|over the outage|cannot reach/.test(l)).join('\n'));
  await runCommand(page, 'Anomaly Hunter: Stop Streaming');
});


test('a rules file whose data: names the Prometheus source: each rule\'s CodeLens counts its firings on the fetched range, a typo is an error at once, Open dashboard opens on it', async () => {
  const lens = (text) => page.locator('.monaco-editor .codelens-decoration', { hasText: text });
  const t0 = Date.now();
  await openFile(page, 'rules.yaml');
  await lens(/fires once in the last 2d from 127\.0\.0\.1:\d+ · last at .* · 10 rows/).first().waitFor({ timeout: 60_000 });
  console.log(`rules lens ${Date.now() - t0} ms after opening (the range fetched from Prometheus)`);
  await lens(/never fires in the last 2d from 127\.0\.0\.1/).first().waitFor({ timeout: 10_000 });
  await lens(/^2,000 rows × 1 series, fetched at /).first().waitFor({ timeout: 10_000 });
  await lens('Refresh Prometheus data').first().waitFor({ timeout: 10_000 });
  const titles = await page.locator('.monaco-editor .codelens-decoration').allInnerTexts();
  console.log(titles.map((t) => `  lens: ${t}`).join('\n'));
  await page.screenshot({ path: path.join(dirs.shots, 'prometheus-rules-codelens.png') });
  // A metric that is not a query's name: an error with the closest name (against the fetched series, as before any fetch against the queries' names).
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  await page.locator('.markers-panel').waitFor();
  await page.locator('.monaco-editor .view-lines').first().click();
  await goToLine(page, 9);
  await page.keyboard.press('End');
  await page.keyboard.type('x');
  const typo = page.locator('.markers-panel .monaco-list-row', { hasText: /metric 'cpux' is not a numeric column of http:\/\/127\.0\.0\.1:\d+ \(last 2d\) \(did you mean 'cpu'\?\)/ }).first();
  await typo.waitFor({ timeout: 10_000 }).catch(async (e) => { await page.screenshot({ path: path.join(dirs.shots, 'prometheus-rules-typo-failed.png') }); throw e; });
  await page.screenshot({ path: path.join(dirs.shots, 'prometheus-rules-typo.png') });
  await page.keyboard.press('Backspace');
  await typo.waitFor({ state: 'detached', timeout: 10_000 });
  // The lens opens the dashboard on the fetched range.
  await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Open dashboard' }).first().click();
  const chart = webview(page).locator('[data-testid="chart-cpu"].rendered');
  await chart.waitFor({ timeout: 120_000 });
  assert.ok(Number(await chart.getAttribute('data-points')) >= ROWS, 'the fetched range');
  // Titled by its queries and server, as a query's dashboard is, not by the snapshot's file name.
  const rulesHost = new URL(prom.origin).host;
  assert.equal((await webview(page).locator('header h1').textContent()).trim(), `cpu from ${rulesHost}`);
  await page.locator('.tab', { hasText: `Anomalies: cpu from ${rulesHost}` }).first().waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('.tab', { hasText: /-prometheus-[0-9a-f]{8}\.csv/ }).count(), 0, 'no tab named by the snapshot file');
  await page.screenshot({ path: path.join(dirs.shots, 'prometheus-rules-dashboard.png') });
});
