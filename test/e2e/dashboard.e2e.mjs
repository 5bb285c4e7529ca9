// The dashboard in a real VS Code: Analyze CSV File… from the command palette on the sample, then checks
// inside the webview. Screenshots go to .vscode-test/runs/dashboard/shots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, openFile, prepareRun, runCommand, startCodeServer, stopCodeServer, waitForWorkbench, webview } from './harness.mjs';
import { sampleWorkspace } from './workspace.mjs';

const METRICS = ['cpu', 'memory', 'disk_io', 'net_in', 'net_out'];
let dirs, cs, browser, page;
const consoleLines = [];

before(async () => {
  dirs = prepareRun('dashboard', { workspace: sampleWorkspace(), settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
  cs = await startCodeServer(dirs);
  browser = await launchBrowser(dirs);
  page = browser.pages()[0] ?? await browser.newPage();
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  await page.goto(cs.url);
  await waitForWorkbench(page, 'sample-data');
});

after(async () => {
  await browser?.close();
  await stopCodeServer(cs);
});

test('Analyze CSV File… opens the dashboard with one rendered chart per metric', async () => {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'sample-data' }).first().click();
  await openFile(page, 'stream.csv');
  const t0 = Date.now();
  await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  const view = webview(page);
  for (const metric of METRICS) {
    const chart = view.locator(`[data-testid="chart-${metric}"].rendered`);
    await chart.waitFor({ timeout: 60_000 });
    const points = Number(await chart.getAttribute('data-points'));
    assert.ok(points > 1000, `${metric}: ${points} points drawn`);
    // Plotly drew a line with real geometry for this metric.
    const d = await chart.locator('.scatterlayer .trace path.js-line').first().getAttribute('d');
    assert.ok(d && d.length > 1000, `${metric}: line path has data`);
  }
  console.log(`first render of all charts: ${Date.now() - t0} ms after the command`);
  await page.screenshot({ path: path.join(dirs.shots, '01-dashboard-dark.png') });
});

test('the webview raised no Content Security Policy violation', () => {
  const csp = consoleLines.filter((l) => /Content Security Policy|Refused to (load|execute|apply)/i.test(l));
  assert.deepEqual(csp, []);
});
