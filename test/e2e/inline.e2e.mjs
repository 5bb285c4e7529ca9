// Findings inline in the CSV editor, in a real VS Code: opening the sample analyses it in the background,
// the Problems panel lists its anomalous stretches, the status bar counts them, Next/Previous Anomaly step
// through the rows, and turning analyzeOnOpen off removes everything. Screenshots in dark and light themes
// go to .vscode-test/runs/inline/shots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO, findFiles, openFile, openWorkbench, prepareRun, runCommand } from './harness.mjs';
import { sampleWorkspace } from './workspace.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let dirs, page, close, settings;
/** What the CLI finds with the same defaults (seed 0, rules from rules/rules.yaml): the reference. */
let expected;
const labels = JSON.parse(fs.readFileSync(path.join(REPO, 'sample-data/stream.labels.json'), 'utf8'));

/** Changes user settings the way a user does, in the settings.json editor (a write behind VS Code's back is not seen). */
async function userSettings(patch) {
  Object.assign(settings, patch);
  await runCommand(page, 'Preferences: Open User Settings (JSON)');
  const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
  await page.locator('.tabs-container .tab.active', { hasText: 'settings.json' }).waitFor({ timeout: 15_000 });
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(JSON.stringify(settings));
  // Whatever the editor auto-closed after the text goes.
  await page.keyboard.press('Control+Shift+End');
  await page.keyboard.press('Delete');
  await page.keyboard.press('Control+S');
  await page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: 15_000 });
  await page.keyboard.press('Control+W');
}

async function focusCsv() {
  await page.locator('.tabs-container .tab', { hasText: 'stream.csv' }).filter({ hasNotText: 'Anomalies' }).first().click();
}

const statusItem = () => page.locator('.part.statusbar .statusbar-item', { hasText: /anomal/ }).first();
const cursorLine = async () => Number(/Ln (\d+)/.exec(await page.locator('.part.statusbar .statusbar-item', { hasText: /^Ln \d+/ }).first().innerText())?.[1]);

before(async () => {
  dirs = prepareRun('inline', { workspace: sampleWorkspace(), settings: {
    'workbench.colorTheme': 'Default Dark Modern',
    // userSettings() types JSON into the settings editor: nothing may be auto-closed or re-indented.
    'editor.autoClosingBrackets': 'never', 'editor.autoClosingQuotes': 'never', 'editor.autoIndent': 'none',
    // VS Code for the web saves after a delay by default: an edit must stay unsaved for the edit test.
    'files.autoSave': 'off',
  } });
  settings = JSON.parse(fs.readFileSync(path.join(dirs.ud, 'User/settings.json'), 'utf8'));
  // The editor analyses with the rules file that names the CSV, its detectors: block included, as the CLI does.
  const r = spawnSync(process.execPath, [path.join(REPO, 'dist/cli.js'), 'analyze', path.join(dirs.ws, 'sample-data/stream.csv'),
    '--rules', path.join(dirs.ws, 'rules/rules.yaml'), '--format', 'json', '--only-anomalies'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  expected = JSON.parse(r.stdout).anomalies;
  ({ page, close } = await openWorkbench(dirs, 'sample-data'));
});

after(async () => {
  await close?.();
});

test('opening stream.csv decorates its anomalous rows and counts them in the status bar', async () => {
  const t0 = Date.now();
  await openFile(page, 'stream.csv');
  // The first anomalous row is line 83: go there and wait for its gutter mark.
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget .quick-input-box input').fill(':83');
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .cgmr').first().waitFor({ timeout: 60_000 });
  const firstMs = Date.now() - t0;
  await statusItem().filter({ hasText: /^\S*\s*[\d,]+ anomalies$/ }).waitFor({ timeout: 60_000 });
  const allMs = Date.now() - t0;
  const text = (await statusItem().innerText()).trim();
  assert.equal(Number(/([\d,]+) anomalies/.exec(text)[1].replace(/,/g, '')), expected.length, `status bar: ${text}`);
  // The extension host's own measurement, from the open event to the decorations.
  await sleep(500);
  const logs = findFiles(path.join(dirs.ud, 'logs'), /Anomaly Hunter\.log$/);
  const measured = logs.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n')).filter((l) => /findings shown/.test(l));
  console.log(`stream.csv: gutter marks on screen ${firstMs} ms after Quick Open, complete count ${allMs} ms; extension host: ${measured.map((l) => l.replace(/^.*\] /, '')).join(' | ')}`);
  assert.ok(measured.length > 0, 'the extension logs its open-to-decorations time');
});

/** Every row of the Problems panel (it is a virtual list: scroll through it). */
async function problemRows() {
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const list = page.locator('.markers-panel .monaco-list');
  await list.locator('.monaco-list-row').first().waitFor({ timeout: 30_000 });
  const fileRow = list.locator('.monaco-list-row').first();
  await fileRow.click();
  if (await fileRow.getAttribute('aria-expanded') === 'false') await page.keyboard.press('ArrowRight');
  const seen = new Map();
  let still = 0;
  for (let i = 0; i < 400 && still < 3; i++) {
    const before = seen.size;
    for (const row of await list.locator('.monaco-list-row').all()) {
      const label = await row.getAttribute('aria-label');
      const index = await row.getAttribute('data-index');
      if (label) seen.set(index, label);
    }
    still = seen.size === before ? still + 1 : 0;
    await list.hover();
    await page.mouse.wheel(0, 400);
    await sleep(50);
  }
  return [...seen.values()];
}

test('the Problems panel lists stretches at the lines of the injected anomalies', async () => {
  const rows = await problemRows();
  const entries = rows.map((label) => ({ label, line: Number(/line (\d+)/i.exec(label)?.[1]) })).filter((e) => e.line > 0);
  console.log(`Problems: ${rows.length} rows, e.g. ${rows.slice(0, 3).join(' || ')}`);
  assert.ok(entries.length > 50, `${entries.length} entries with a line`);
  const anomalousLines = new Set(expected.map((a) => a.row + 2));
  // Every entry starts on a row the detectors flagged (the "N more" note sits on the header line).
  for (const e of entries) if (e.line !== 1) assert.ok(anomalousLines.has(e.line), `entry on line ${e.line} is not an anomalous row: ${e.label}`);
  for (const l of labels.anomalies) {
    const hits = entries.filter((e) => e.line >= l.startRow + 2 && e.line <= l.endRow + 2);
    assert.ok(hits.length > 0, `no Problems entry for the ${l.kind} at rows ${l.startRow}–${l.endRow} (lines ${l.startRow + 2}–${l.endRow + 2})`);
  }
  assert.ok(entries.some((e) => /Anomaly Hunter/.test(e.label)), 'source is Anomaly Hunter');
});

test('Next Anomaly and Previous Anomaly move the cursor between anomalous rows, wrapping around', async () => {
  const lines = [...new Set(expected.map((a) => a.row + 2))].sort((a, b) => a - b);
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Alt+F8');
  await page.waitForFunction(() => true);
  await sleep(300);
  assert.equal(await cursorLine(), lines[0], 'Alt+F8 from the top goes to the first anomalous row');
  await runCommand(page, 'Anomaly Hunter: Next Anomaly');
  await sleep(300);
  assert.equal(await cursorLine(), lines[1], 'the command goes to the next one');
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Shift+Alt+F8');
  await sleep(300);
  assert.equal(await cursorLine(), lines[lines.length - 1], 'Previous from the top wraps to the last anomalous row');
});

async function showSpike(name) {
  // The CPU spike (rows 3730–3735 → lines 3732–3737), with the hover open on the row where the rule starts firing.
  await focusCsv();
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget .quick-input-box input').fill(':3737');
  await page.keyboard.press('Enter');
  await sleep(400);
  await page.screenshot({ path: path.join(dirs.shots, `${name}.png`) });
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  const hover = page.locator('.monaco-hover:visible', { hasText: 'Open in dashboard' }).first();
  await hover.waitFor({ timeout: 15_000 });
  const text = await hover.innerText();
  await sleep(600); // the hover fades in
  await page.screenshot({ path: path.join(dirs.shots, `${name}-hover.png`) });
  return text;
}

test('the hover explains every finding on a row; screenshots in the dark theme', async () => {
  const text = await showSpike('01-inline-dark');
  assert.match(text, /critical/);
  assert.match(text, /Isolation Forest/);
  assert.match(text, /Forecast/);
  assert.match(text, /cpu-saturated/);
  assert.match(text, /cpu > 90/);
  assert.match(text, /isolated by/);
  assert.match(text, /band/);
  await page.keyboard.press('Escape');
});

test('the same editor in the light theme', async () => {
  await userSettings({ 'workbench.colorTheme': 'Default Light Modern' });
  await page.locator('.monaco-workbench.vs').waitFor({ timeout: 20_000 });
  await sleep(500);
  await showSpike('02-inline-light');
  await page.keyboard.press('Escape');
});

test('"Open in dashboard" in the hover shows that row in the dashboard', async () => {
  await showSpike('03-hover-before-dashboard');
  await page.locator('.monaco-hover:visible a', { hasText: 'Open in dashboard' }).first().click();
  await page.locator('.tabs-container .tab', { hasText: 'Anomalies: stream.csv' }).first().waitFor({ timeout: 30_000 });
});

test('an unsaved edit hides the findings (they no longer line up); undoing it shows them again', async () => {
  await focusCsv();
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget .quick-input-box input').fill(':83');
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .cgmr').first().waitFor({ timeout: 30_000 });
  await page.locator('.monaco-editor .view-line', { hasText: '2024-03-04T01:21:00Z' }).first().click();
  await page.keyboard.press('End');
  await page.keyboard.type('9');
  const paused = page.locator('.part.statusbar .statusbar-item', { hasText: 'Findings paused' }).first();
  await paused.waitFor({ timeout: 20_000 });
  await page.locator('.monaco-editor .cgmr').first().waitFor({ state: 'detached', timeout: 20_000 });
  await page.keyboard.press('Control+Z');
  await page.locator('.monaco-editor .cgmr').first().waitFor({ timeout: 20_000 });
  await statusItem().filter({ hasText: /[\d,]+ anomalies$/ }).waitFor({ timeout: 20_000 });
  assert.equal(await paused.count(), 0);
});

test('turning analyzeOnOpen off removes the decorations, the Problems entries and the count', async () => {
  // Out of the dashboard's webview first: it keeps F1 to itself.
  await focusCsv();
  await page.locator('.monaco-editor .view-lines').first().click();
  await userSettings({ 'anomalyHunter.analyzeOnOpen': false });
  await focusCsv();
  await page.locator('.monaco-editor .cgmr').first().waitFor({ state: 'detached', timeout: 20_000 });
  await statusItem().waitFor({ state: 'detached', timeout: 20_000 }).catch(async () => assert.fail(`status bar still shows ${await statusItem().innerText()}`));
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'stream.csv' }).first().waitFor({ state: 'detached', timeout: 20_000 });
  await page.screenshot({ path: path.join(dirs.shots, '04-analyze-on-open-off.png') });
});
