// History & Analytics in a real VS Code: two analyses a day apart of a growing file show up as one history with
// the new incidents added, and the analytics view draws them. "A day apart" is data time: the file's second
// version appends a day of rows (every 10 minutes) with new incidents, and the history counts incidents by the
// day they started in the data. Screenshots (dark and light) go to .vscode-test/runs/history/shots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openFile, openWorkbench, prepareRun, runCommand, setTheme } from './harness.mjs';
import { sampleWorkspace } from './workspace.mjs';

const STEP_MS = 10 * 60_000;
const ROWS_A_DAY = 144;
const T0 = Date.UTC(2026, 0, 5);
let dirs, page, close, csv;
const consoleLines = [];

/** A seeded generator (the same rows every run). */
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}

/** One day of cpu and memory every 10 minutes: a daily cycle, noise, and the day's planted incidents. */
function day(d, events) {
  const r = rng(100 + d);
  const lines = [];
  for (let k = 0; k < ROWS_A_DAY; k++) {
    const t = T0 + (d * ROWS_A_DAY + k) * STEP_MS;
    const phase = (2 * Math.PI * k) / ROWS_A_DAY;
    let cpu = 40 + 10 * Math.sin(phase) + (r() - 0.5) * 4;
    let mem = 55 + 3 * Math.cos(phase) + (r() - 0.5) * 2;
    for (const e of events) {
      if (k >= e.at && k < e.at + e.rows) {
        if (e.metric === 'cpu') cpu = 97 + r();
        else mem += 30;
      }
    }
    lines.push(`${new Date(t).toISOString()},${cpu.toFixed(2)},${mem.toFixed(2)}`);
  }
  return lines.join('\n') + '\n';
}

/** The analytics view's document (the visible webview: the dashboard's stays in the page, hidden). */
const visible = () => page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');

before(async () => {
  const ws = sampleWorkspace();
  fs.mkdirSync(path.join(ws, 'growing'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'growing/metrics.csv'), 'timestamp,cpu,memory\n' + day(0, [{ metric: 'cpu', at: 50, rows: 4 }, { metric: 'memory', at: 110, rows: 6 }]));
  fs.writeFileSync(path.join(ws, 'growing/metrics.rules.yaml'), 'version: 1\ndata: metrics.csv\nrules:\n  - name: cpu-hot\n    metric: cpu\n    op: ">"\n    threshold: 90\n    for: 20m\n    severity: critical\n');
  dirs = prepareRun('history', { workspace: ws, settings: { 'workbench.colorTheme': 'Default Dark Modern', 'anomalyHunter.analyzeOnOpen': false } });
  csv = path.join(dirs.ws, 'growing/metrics.csv'); // the copy the editor opens
  ({ page, close } = await openWorkbench(dirs, 'growing', { onPage: (p) => p.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`)) }));
});

after(async () => {
  await close?.();
});

/** The severity chart's bars: { day: total } from the traces Plotly drew. */
async function perDay() {
  const chart = visible().locator('[data-testid="history-chart-severity"].rendered');
  await chart.waitFor({ timeout: 30_000 });
  const traces = await chart.evaluate((el) => el.data.map((t) => ({ name: t.name, x: [...t.x], y: [...t.y] })));
  const out = {};
  for (const t of traces) t.x.forEach((x, i) => { out[x] = (out[x] ?? 0) + t.y[i]; });
  return { totals: out, names: traces.map((t) => t.name) };
}

/** Analyze CSV File… on the growing file and waits for its dashboard's complete analysis of `rows` rows: its incident count. */
async function analyse(rows) {
  await openFile(page, 'metrics.csv');
  await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  const dash = visible();
  await dash.locator('[data-testid="dashboard"] .header', { hasText: `${rows} rows` }).waitFor({ timeout: 120_000 });
  await dash.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 120_000 });
  await dash.locator('[data-testid="anomaly-row"]').first().waitFor({ timeout: 60_000 });
  return Number((await dash.locator('[data-testid="anomaly-count"]').textContent()).replaceAll(',', ''));
}

async function showHistory() {
  await runCommand(page, 'Anomaly Hunter: Show History & Analytics');
  await page.locator('.tabs-container .tab', { hasText: 'History & Analytics' }).first().waitFor({ timeout: 30_000 });
  await visible().locator('[data-testid="history-panel"] .header').waitFor({ timeout: 30_000 });
}

/** The history's incident count, once the view says it has `atLeast`. */
async function historyIncidents(atLeast) {
  await visible().locator('#app[data-incidents]').waitFor({ state: 'attached', timeout: 30_000 });
  const app = visible().locator('#app');
  const deadline = Date.now() + 30_000;
  let n = Number(await app.getAttribute('data-incidents'));
  while (n < atLeast && Date.now() < deadline) {
    await page.waitForTimeout(250);
    n = Number(await app.getAttribute('data-incidents'));
  }
  return n;
}

test('before any analysis the view says there is no history yet, and how to get one', async () => {
  await showHistory();
  const empty = visible().locator('[data-testid="history-empty"]');
  await empty.waitFor({ timeout: 30_000 });
  assert.match(await empty.textContent(), /No history yet.*Analyze CSV File/s);
  await page.screenshot({ path: path.join(dirs.shots, '01-history-empty-dark.png') });
  await runCommand(page, 'View: Close Editor');
  await page.locator('.tabs-container .tab', { hasText: 'History & Analytics' }).waitFor({ state: 'detached', timeout: 10_000 });
});

test('two analyses a day apart of a growing file show up as one history with the new incidents added; the view draws them', async () => {
  const first = await analyse(ROWS_A_DAY);
  assert.ok(first >= 1, `the first day has incidents (${first})`);
  await showHistory();
  const n1 = await historyIncidents(first);
  assert.equal(n1, first, 'every incident of the default view is recorded');
  const day1 = await perDay();
  assert.deepEqual(day1.totals, { '2026-01-05': first });
  assert.deepEqual(day1.names, ['warning', 'minor', 'major', 'critical']);
  assert.match(await visible().locator('[data-testid="history-summary"]').textContent(), /from 1 recorded run$/);

  // A day later (in the data): the file grows by a day with a memory step and another cpu spike.
  fs.appendFileSync(csv, day(1, [{ metric: 'memory', at: 30, rows: 6 }, { metric: 'cpu', at: 100, rows: 4 }]));
  const second = await analyse(2 * ROWS_A_DAY);
  await showHistory();
  const n2 = await historyIncidents(first + 1);
  const day2 = await perDay();
  assert.equal(day2.totals['2026-01-05'], first, 'the first day\'s incidents are updated, not added again');
  assert.ok(day2.totals['2026-01-06'] >= 1, `the new day's incidents are added: ${JSON.stringify(day2.totals)}`);
  assert.equal(n2, first + day2.totals['2026-01-06']);
  assert.equal(n2, second, 'the history holds what the dashboard lists now');
  assert.match(await visible().locator('[data-testid="history-summary"]').textContent(), /from 2 recorded runs$/);

  // The rule and metric charts, the noisiest tables, durations and the recent incidents.
  await visible().locator('[data-testid="history-chart-metric"].rendered').waitFor();
  await visible().locator('[data-testid="history-chart-rule"].rendered').waitFor();
  const rules = await visible().locator('[data-testid="history-noisy-rules-row"]').allTextContents();
  assert.ok(rules.some((r) => r.startsWith('cpu-hot')), rules.join('|'));
  const metrics = await visible().locator('[data-testid="history-noisy-metrics-row"]').allTextContents();
  assert.ok(metrics.some((r) => r.startsWith('cpu')) && metrics.some((r) => r.startsWith('memory')), metrics.join('|'));
  assert.match(await visible().locator('[data-testid="history-duration-max"]').textContent(), /^\d+[hm]/);
  // Each incident lasts what its summary says ("for 40m": first to last row plus one step, as the dashboard's Duration).
  for (const row of await visible().locator('[data-testid="history-incident-row"]').all()) {
    const cells = await row.locator('td').allTextContents();
    const said = / for (\w+)[,;]/.exec(cells[cells.length - 1])?.[1];
    assert.ok(said, cells.join(' | '));
    assert.equal(cells[1], said, cells.join(' | '));
  }
  assert.equal(await visible().locator('[data-testid="history-incident-row"]').count(), n2);
  assert.match(await visible().locator('[data-testid="history-incident-row"]').first().textContent(), /^2026-01-06/);
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(dirs.shots, '02-history-dark.png') });
  await visible().locator('[data-testid="history-incidents"]').scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(dirs.shots, '03-history-dark-incidents.png') });
});

test('the light theme redraws the charts in its colours', async () => {
  const before = await visible().locator('[data-testid="history-chart-severity"] .main-svg').first().evaluate((s) => getComputedStyle(s.querySelector('.xtick text') ?? s).fill);
  await setTheme(page, 'Light Modern');
  await page.locator('.monaco-workbench.vs').waitFor({ timeout: 30_000 });
  await page.waitForTimeout(800);
  const after = await visible().locator('[data-testid="history-chart-severity"] .main-svg').first().evaluate((s) => getComputedStyle(s.querySelector('.xtick text') ?? s).fill);
  assert.notEqual(after, before, 'tick labels follow the theme');
  await visible().locator('#app').evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(dirs.shots, '04-history-light.png') });
  await visible().locator('[data-testid="history-incidents"]').scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(dirs.shots, '05-history-light-incidents.png') });
  await setTheme(page, 'Dark Modern');
  await page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 30_000 });
});

test('clicking a recent incident opens its file\'s dashboard with the incident selected; the dashboard\'s title button comes back', async () => {
  const row = visible().locator('[data-testid="history-incident-row"]').first();
  const start = (await row.locator('td').first().textContent()).trim();
  await row.click();
  await page.locator('.tabs-container .tab.active', { hasText: 'Anomalies: metrics.csv' }).waitFor({ timeout: 30_000 });
  const dash = visible();
  const selected = dash.locator('tr.incident.selected');
  await selected.waitFor({ timeout: 30_000 });
  assert.match(await selected.textContent(), new RegExp(start.slice(0, 16).replace(/[-:]/g, '.')));
  await page.screenshot({ path: path.join(dirs.shots, '06-incident-opened.png') });
  // Back from the dashboard: its editor title has the History & Analytics button.
  await page.locator('.editor-actions .action-label[aria-label*="Show History & Analytics"]').first().click({ timeout: 15_000 });
  await page.locator('.tabs-container .tab.active', { hasText: 'History & Analytics' }).waitFor({ timeout: 30_000 });
  await visible().locator('[data-testid="history-incident-row"]').first().waitFor({ timeout: 30_000 });
  assert.deepEqual(consoleLines.filter((l) => /Content Security Policy|Refused to/.test(l)), []);
});

