// Streaming with the fitted baseline and retraining (anomalyHunter.streaming.baseline, .retrainEvery) in a real
// VS Code: the live dashboard's status line says which baseline model scores the rows and when and why it was
// last retrained, and a finding says which model version flagged it. Screenshots: .vscode-test/runs/retrain/shots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CACHE, openFile, openWorkbench, prepareRun, runCommand, until, webview } from './harness.mjs';

const STEP = 5 * 60_000;
const T0 = Date.UTC(2024, 2, 4);
/** The level moves up by 40 for good from this row (day 2, 15:00 UTC). */
const SHIFT = 2 * 288 + 180;
let dirs, page, close, csv;

function rows(from, to) {
  let s = '';
  for (let i = from; i < to; i++) {
    const wobble = ((i * 7919) % 101) / 101 - 0.5;
    const c = 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * wobble + (i >= SHIFT ? 40 : 0);
    s += `${new Date(T0 + i * STEP).toISOString()},${c.toFixed(2)}\n`;
  }
  return s;
}

function workspace() {
  const dir = path.join(CACHE, 'workspace-retrain');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'live'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'live', 'load.csv'), 'timestamp,load\n' + rows(0, 2 * 288 + 120));
  return dir;
}

const footer = () => webview(page).locator('footer');
const header = () => webview(page).locator('header .muted').first();
const rowCount = async () => Number((await header().textContent()).match(/^([\d,]+) rows/)[1].replace(/,/g, ''));


before(async () => {
  dirs = prepareRun('retrain', {
    workspace: workspace(),
    settings: { 'workbench.colorTheme': 'Default Light Modern', 'anomalyHunter.streaming.baseline': true, 'anomalyHunter.streaming.retrainEvery': '1d' },
  });
  csv = path.join(dirs.ws, 'live', 'load.csv');
  ({ page, close } = await openWorkbench(dirs, 'live'));
});

after(async () => {
  await close?.();
});

test('the live view says which baseline model scores the rows; a permanent shift is flagged by model v1, then retrained on (drift)', async () => {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'live' }).first().click();
  await openFile(page, 'load.csv');
  await runCommand(page, 'Anomaly Hunter: Start Streaming');
  await webview(page).locator('[data-testid="chart-load"].rendered').waitFor({ timeout: 60_000 });
  await until(async () => (await rowCount()) === 2 * 288 + 120, 'the rows of the file');
  // The first fit comes after two days of data: on the rows up to 23:55 UTC of the second day.
  await until(async () => /Live: .* · baseline model v1 · trained 23:55 UTC$/.test(await footer().textContent()), 'the first fit in the status line');

  // The level moves for good: flagged by the model of the time, then a drift refit takes it in.
  fs.appendFileSync(csv, rows(2 * 288 + 120, 3 * 288));
  await until(async () => (await rowCount()) === 3 * 288, 'the appended rows');
  await until(async () => /baseline model v2 · retrained \d\d:\d\d UTC \(drift\)$/.test(await footer().textContent()), 'a drift refit in the status line');
  const table = webview(page).locator('[data-testid="anomaly-table"]');
  await webview(page).locator('[data-testid="view-select"]').selectOption('all');
  await until(async () => (await table.locator('[data-testid="anomaly-row"]', { hasText: 'above baseline model' }).count()) >= 1, 'a baseline finding in the table');
  const text = await table.locator('[data-testid="anomaly-row"]', { hasText: 'above baseline model' }).first().textContent();
  assert.match(text, /above baseline model v1 at 15:00 UTC/, 'flagged by the model fitted before the shift');
  console.log(`status line: ${await footer().textContent()}; a finding: ${text}`);
  await page.screenshot({ path: path.join(dirs.shots, '01-retrain-live.png') });
  await runCommand(page, 'Anomaly Hunter: Stop Streaming');
});
