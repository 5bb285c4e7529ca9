// Findings inline in the CSV editor, in a real VS Code: opening the sample analyses it in the background,
// the Problems panel lists its incidents (one entry each, below a rules file's errors), the status bar counts
// them, Next/Previous Anomaly step through their rows, and turning analyzeOnOpen off removes everything. Screenshots in dark and light themes
// go to .vscode-test/runs/inline/shots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO, closeTab, findFiles, goToLine, openFile, openWorkbench, prepareRun, runCommand, until, webview } from './harness.mjs';
import { sampleWorkspace } from './workspace.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let dirs, page, close, settings;
/** What the CLI's default view holds with the same defaults (seed 0, rules from rules/rules.yaml): the reference. */
let expected, incidents;
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

const statusItem = () => page.locator('.part.statusbar .statusbar-item', { hasText: /incident/ }).first();
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
  ({ anomalies: expected, incidents } = JSON.parse(r.stdout));
  ({ page, close } = await openWorkbench(dirs, 'sample-data'));
});

after(async () => {
  await close?.();
});

test('opening stream.csv decorates the rows of its incidents and counts the incidents in the status bar', async () => {
  const t0 = Date.now();
  await openFile(page, 'stream.csv');
  // The first row of the first incident: go there and wait for its gutter mark.
  await goToLine(page, expected[0].row + 2);
  await page.locator('.monaco-editor .cgmr').first().waitFor({ timeout: 60_000 });
  const firstMs = Date.now() - t0;
  await statusItem().filter({ hasText: /^\S*\s*[\d,]+ incidents?$/ }).waitFor({ timeout: 60_000 });
  const allMs = Date.now() - t0;
  const text = (await statusItem().innerText()).trim();
  assert.equal(Number(/([\d,]+) incidents?/.exec(text)[1].replace(/,/g, '')), incidents.length, `status bar: ${text}`);
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

test('the Problems panel holds one Information entry per incident, from its first line', async () => {
  const rows = await problemRows();
  const entries = rows.map((label) => ({ label, line: Number(/line (\d+)/i.exec(label)?.[1]) })).filter((e) => e.line > 0 && !/Read with a warning/.test(e.label));
  console.log(`Problems: ${rows.length} rows, e.g. ${rows.slice(0, 3).join(' || ')}`);
  // One entry per incident of the default view (a handful on the sample), not one per flagged row or stretch.
  assert.ok(incidents.length >= 1 && incidents.length <= 20, `${incidents.length} incidents`);
  assert.deepEqual(entries.map((e) => e.line).sort((x, y) => x - y), incidents.map((i) => i.startRow + 2).sort((x, y) => x - y));
  for (const e of entries) assert.match(e.label, /Info/i, `an information entry: ${e.label}`);
  assert.ok(entries.every((e) => /Anomaly Hunter/.test(e.label)), 'source is Anomaly Hunter');
  // Which labelled events the default view reports is a detection-quality measure (npm run bench:incidents); logged.
  const covered = labels.anomalies.filter((l) => incidents.some((i) => i.startRow <= l.endRow && i.endRow >= l.startRow));
  console.log(`labelled events with an incident: ${covered.map((l) => l.kind).join(', ')} (${covered.length} of ${labels.anomalies.length})`);
});

test('a typo in a rules file next to the analysed CSV stays on top of Problems and in the status bar\'s error count', async (t) => {
  t.after(async () => {
    await closeTab(page, 'typo.rules.yaml');
    fs.rmSync(path.join(dirs.ws, 'rules/typo.rules.yaml'), { force: true });
    await focusCsv();
  });
  fs.writeFileSync(path.join(dirs.ws, 'rules/typo.rules.yaml'), 'version: 1\nrules:\n  - name: cpu-hot\n    metric: cpu\n    op: ">"\n    treshold: 90\n    severity: major\n');
  // Quick Open's file index can lag behind a file written a moment ago on a busy machine: one more try.
  await openFile(page, 'typo.rules.yaml', 20_000).catch(async () => {
    await page.keyboard.press('Escape');
    await page.waitForTimeout(3000);
    await openFile(page, 'typo.rules.yaml');
  });
  const rows = page.locator('.markers-panel .monaco-list-row');
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  await rows.filter({ hasText: 'treshold' }).first().waitFor({ timeout: 30_000 });
  // Problems lists the file with errors first, its errors first: the incidents (information) come after.
  const top = [];
  for (const row of await rows.all()) top.push(await row.getAttribute('aria-label'));
  console.log(`Problems, top: ${top.slice(0, 4).join(' || ')}`);
  assert.match(top[0] ?? '', /typo\.rules\.yaml/);
  const errors = top.slice(1).findIndex((l) => !/^Error/.test(l ?? ''));
  assert.ok(errors >= 1, 'the rules file\'s errors come right after its name');
  assert.ok(top.slice(1, 1 + errors).some((l) => /treshold/.test(l)), 'the typo is among them');
  // The status bar counts those errors and no warning: the incidents are information, not problems to fix.
  const status = await page.locator('#status\\.problems').getAttribute('aria-label');
  console.log(`status bar problems: ${status}`);
  // "Errors: 2, Infos: 5": a kind with no entry is left out.
  const num = (kind) => Number(new RegExp(`${kind}s?:\\s*(\\d+)`, 'i').exec(status ?? '')?.[1] ?? 0);
  assert.deepEqual([num('Error'), num('Warning'), num('Info')], [errors, 0, incidents.length]);
  await page.screenshot({ path: path.join(dirs.shots, '00-problems-rules-typo.png') });
});

test('Next Anomaly and Previous Anomaly move the cursor between anomalous rows, wrapping around', async () => {
  const lines = [...new Set(expected.map((a) => a.row + 2))].sort((a, b) => a - b);
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Alt+F8');
  // Alt+F8 from the top goes to the first anomalous row.
  await until(async () => (await cursorLine()) === lines[0], `Alt+F8 from the top to line ${lines[0]}`, 5000);
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
  await goToLine(page, 3737);
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
  // The findings of the default view on that row (row 3735), each with its detector, as the CLI lists them.
  const here = expected.filter((a) => a.row === 3735);
  assert.ok(here.length >= 2, `${here.length} findings on row 3735`);
  const names = { iforest: 'Isolation Forest', forecast: 'Forecast', rule: 'Rule', stream: 'Streaming' };
  for (const a of here) assert.match(text, new RegExp(names[a.detector]), `the hover names ${a.detector}`);
  assert.match(text, /critical/);
  assert.match(text, /cpu-saturated/);
  assert.match(text, /cpu > 90/);
  if (here.some((a) => a.detector === 'forecast')) assert.match(text, /band/);
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
  // The incident of that row is selected in the table.
  const selected = webview(page).locator('tr.incident.selected');
  await selected.waitFor({ timeout: 30_000 });
  assert.match(await selected.textContent(), /cpu/);
});

test('an unsaved edit hides the findings (they no longer line up); undoing it shows them again', async () => {
  await focusCsv();
  await goToLine(page, expected[0].row + 2);
  await page.locator('.monaco-editor .cgmr').first().waitFor({ timeout: 30_000 });
  await page.locator('.monaco-editor .view-line', { hasText: expected[0].timestamp.replace('.000Z', 'Z') }).first().click();
  await page.keyboard.press('End');
  await page.keyboard.type('9');
  const paused = page.locator('.part.statusbar .statusbar-item', { hasText: 'Findings paused' }).first();
  await paused.waitFor({ timeout: 20_000 });
  await page.locator('.monaco-editor .cgmr').first().waitFor({ state: 'detached', timeout: 20_000 });
  await page.keyboard.press('Control+Z');
  await page.locator('.monaco-editor .cgmr').first().waitFor({ timeout: 20_000 });
  await statusItem().filter({ hasText: /[\d,]+ incidents?$/ }).waitFor({ timeout: 20_000 });
  assert.equal(await paused.count(), 0);
});

test('how a CSV was read (a duplicate time) is in Problems too, at its line, as information', async (t) => {
  const file = path.join(dirs.ws, 'sample-data/dup.csv');
  const t0 = Date.parse('2024-03-04T00:00:00Z');
  const lines = ['time,cpu'];
  for (let i = 0; i < 600; i++) {
    const ts = new Date(t0 + i * 60_000).toISOString().replace('.000', '');
    lines.push(`${ts},${40 + (i % 7)}`);
    if (i === 200) lines.push(`${ts},41`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  t.after(async () => {
    await closeTab(page, 'dup.csv');
    fs.rmSync(file, { force: true });
    await focusCsv();
  });
  await openFile(page, 'dup.csv', 20_000).catch(async () => {
    await page.keyboard.press('Escape');
    await page.waitForTimeout(3000);
    await openFile(page, 'dup.csv');
  });
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  // The CLI says it as `dup.csv:203: warning: 1 duplicate timestamp: all rows kept` (line 203: the repeated time).
  const entry = page.locator('.markers-panel .monaco-list-row', { hasText: /duplicate timestamp/ }).first();
  await entry.waitFor({ timeout: 30_000 });
  const label = await entry.getAttribute('aria-label');
  console.log(`read warning in Problems: ${label}`);
  assert.match(label, /Info/i);
  assert.match(label, /line 203\b/i);
  assert.match(label, /Anomaly Hunter/);
  await page.screenshot({ path: path.join(dirs.shots, '03b-read-warning.png') });
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
