// Start / Stop Streaming in a real VS Code: a CSV in the workspace is followed while the test appends rows to
// it (as a metrics exporter would); the dashboard's row count and anomalies grow live, the status bar shows the
// live count, Stop Streaming ends it. Screenshots go to .vscode-test/runs/streaming/shots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CACHE, findFiles, openFile, openWorkbench, prepareRun, runCommand, until, webview } from './harness.mjs';

const STEP = 5 * 60_000;
const T0 = Date.UTC(2024, 2, 4);
let dirs, page, close, csv;

/** Rows i in [from, to) of a daily cycle; `cpu` overrides by row. */
function rows(from, to, cpu = {}) {
  let s = '';
  for (let i = from; i < to; i++) {
    const wobble = ((i * 7919) % 101) / 101 - 0.5;
    const c = cpu[i] ?? 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * wobble;
    s += `${new Date(T0 + i * STEP).toISOString()},${c.toFixed(2)},${(40 + 3 * wobble).toFixed(2)}\n`;
  }
  return s;
}

function workspace() {
  const dir = path.join(CACHE, 'workspace-streaming');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'live'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'live', 'metrics.csv'), 'timestamp,cpu,memory\n' + rows(0, 864));
  fs.writeFileSync(path.join(dir, 'live', 'rules.yaml'), [
    'version: 1', 'data: metrics.csv', 'rules:', '  - name: cpu-hot', '    metric: cpu', '    op: ">"', '    threshold: 95', '    severity: major', '',
  ].join('\n'));
  return dir;
}

const header = () => webview(page).locator('header .muted').first();
const rowCount = async () => Number((await header().textContent()).match(/^([\d,]+) rows/)[1].replace(/,/g, ''));
const anomalyCount = async () => Number((await webview(page).locator('[data-testid="anomaly-count"]').textContent()).replaceAll(',', ''));
const liveStatus = () => page.locator('.part.statusbar .statusbar-item', { hasText: 'live:' }).first();


before(async () => {
  dirs = prepareRun('streaming', { workspace: workspace(), settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
  csv = path.join(dirs.ws, 'live', 'metrics.csv');
  ({ page, close } = await openWorkbench(dirs, 'live'));
});

after(async () => {
  await close?.();
});

test('Start Streaming on a CSV shows its rows live in the dashboard, and the live count in the status bar', async () => {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'live' }).first().click();
  await openFile(page, 'metrics.csv');
  await runCommand(page, 'Anomaly Hunter: Start Streaming');
  await webview(page).locator('[data-testid="chart-cpu"].rendered').waitFor({ timeout: 60_000 });
  await until(async () => (await rowCount()) === 864 && /live/.test(await header().textContent()), 'the 864 rows, live');
  await liveStatus().waitFor({ timeout: 10_000 });
  assert.match(await liveStatus().textContent(), /live: \d+ incidents?/);
});

test('rows appended to the file appear live, with their anomalies (detector and rule), then Stop Streaming ends it', async () => {
  const before = await anomalyCount();
  const t0 = Date.now();
  fs.appendFileSync(csv, rows(864, 900));
  await until(async () => (await rowCount()) === 900, 'the first 36 appended rows');
  const firstLag = Date.now() - t0;
  // A spike the stream detector has never seen, then cpu above the rule's 95 for 5 rows.
  fs.appendFileSync(csv, rows(900, 930, { 905: 400, 920: 97, 921: 98, 922: 99, 923: 98, 924: 97 }));
  await until(async () => (await rowCount()) === 930, 'the next 30 appended rows');
  // The default view lists incidents: the rule's 5 firings (a major rule) are one, at least.
  await until(async () => (await anomalyCount()) >= before + 1, 'an incident for the spike and the rule firings');
  const table = webview(page).locator('[data-testid="anomaly-table"]');
  const incident = table.locator('[data-testid="anomaly-row"][data-kind="incident"]', { hasText: 'rules' });
  // The stream's spike may be listed before the rule's firings are (each comes with the batch that completes it).
  await until(async () => (await incident.count()) >= 1, 'the rule firings as an incident in the table');
  // The rule's firings end on row 924, 5 rows before the last: the stream's tracker has not resolved them (10 rows
  // after), so the table lists that incident as ongoing, and the spike's (resolved) as it ended.
  const ongoing = table.locator('[data-testid="anomaly-row"][data-kind="incident"]', { hasText: 'ongoing' });
  await until(async () => (await ongoing.count()) === 1, 'the open incident listed as ongoing');
  assert.match(await ongoing.textContent(), /25m, ongoing/);
  await page.screenshot({ path: path.join(dirs.shots, '00-streaming-incidents.png') });
  // Every flagged row: the stream's and the rule's.
  await webview(page).locator('[data-testid="view-select"]').selectOption('all');
  await until(async () => (await table.locator('[data-testid="anomaly-row"][data-kind="incident"]').count()) === 0 || (await anomalyCount()) >= 6, 'the rows view');
  // The table draws the rows in view: filter by detector to see each kind.
  const filter = webview(page).locator('[data-testid="filter-detector"]');
  await filter.selectOption('stream');
  assert.ok(await table.locator('[data-testid="anomaly-row"]', { hasText: 'stream' }).count() >= 1, 'a stream anomaly row');
  await filter.selectOption('rule');
  assert.ok(await table.locator('[data-testid="anomaly-row"]', { hasText: 'rule: cpu-hot' }).count() >= 5, 'the rule fired on its 5 rows');
  await filter.selectOption('all');
  await until(async () => Number((await liveStatus().textContent()).match(/live: (\d+)/)[1]) >= 1, 'the status bar count');
  console.log(`appended rows drawn ${firstLag} ms after the append; status bar: ${await liveStatus().textContent()}`);
  await page.screenshot({ path: path.join(dirs.shots, '01-streaming-live.png') });

  await runCommand(page, 'Anomaly Hunter: Stop Streaming');
  await liveStatus().waitFor({ state: 'hidden', timeout: 10_000 });
  await until(async () => !/live/.test(await header().textContent()), 'the dashboard no longer live');
  // Rows appended after the stop are not read.
  fs.appendFileSync(csv, rows(930, 940));
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await rowCount(), 930);
  await page.screenshot({ path: path.join(dirs.shots, '02-streaming-stopped.png') });
});

test('a long CSV (a row per time and host) streams as a chart per series, its appended times joined live', async () => {
  const longRows = (from, to) => {
    let s = '';
    for (let i = from; i < to; i++) {
      const t = new Date(T0 + i * STEP).toISOString();
      for (const h of ['a', 'b']) s += `${t},${h},${(50 + (h === 'b' ? 10 : 0) + 5 * Math.sin(i / 20)).toFixed(2)}\n`;
    }
    return s;
  };
  const file = path.join(dirs.ws, 'live', 'long.csv');
  fs.writeFileSync(file, 'time,host,cpu\n' + longRows(0, 300));
  await openFile(page, 'long.csv');
  await runCommand(page, 'Anomaly Hunter: Start Streaming');
  const view = webview(page);
  await view.locator('[data-testid=\'chart-cpu{host="b"}\'].rendered').waitFor({ timeout: 60_000 });
  await until(async () => (await rowCount()) === 300 && /live/.test(await header().textContent()), 'the 300 times, live');
  assert.deepEqual((await view.locator('.chart .gtitle').allTextContents()).sort(), ['cpu{host="a"}', 'cpu{host="b"}']);
  fs.appendFileSync(file, longRows(300, 320));
  await until(async () => (await rowCount()) === 320, 'the 20 appended times');
  await page.screenshot({ path: path.join(dirs.shots, '03-streaming-long.png') });
  // Deleted, the file is said gone (once) in the log; written again, it is said back and its rows are read, none twice.
  const log = () => findFiles(path.join(dirs.ud, 'logs'), /Anomaly Hunter\.log$/).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  fs.rmSync(file);
  await until(async () => /long\.csv: the file was deleted or moved; waiting for it to come back/.test(log()), 'the delete in the log');
  await new Promise((r) => setTimeout(r, 1000));
  fs.writeFileSync(file, 'time,host,cpu\n' + longRows(320, 330));
  await until(async () => /long\.csv: the file is back; reading it again from the top/.test(log()), 'the file back in the log', 60_000);
  await until(async () => (await rowCount()) === 330, 'the 10 times of the file written again');
  assert.equal(log().match(/long\.csv: the file was deleted or moved/g).length, 1, 'said once');
  await runCommand(page, 'Anomaly Hunter: Stop Streaming');
  await liveStatus().waitFor({ state: 'hidden', timeout: 10_000 });
});
