// The first five minutes, in a real VS Code: the .vsix's manifest (icon, Marketplace fields, walkthrough media),
// then the Get Started walkthrough walked step by step from a folder without any data, as a new user has it —
// each step's checkmark must come on from its completion event — and commands that take the CSV in view (Analyze
// CSV File… from the focused dashboard opens no dialog). Screenshots of the walkthrough in dark and light
// themes go to .vscode-test/runs/walkthrough/shots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CACHE, REPO, VSIX, findFiles, goToLine, moveSlider, notification, openFile, openWorkbench, prepareRun, runCommand, waitForWorkbench } from './harness.mjs';
import { pngSize, readZip } from './vsix.mjs';

const PKG = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const WALKTHROUGH = PKG.contributes.walkthroughs[0];
const STEPS = WALKTHROUGH.steps.map((s) => s.id);
let dirs, page, close, hook, base;
const received = [];

/** A folder as a new user has it: no CSV, no rules. */
function emptyWorkspace() {
  const dir = path.join(CACHE, 'workspace-walkthrough');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'Metrics to look at.\n');
  return dir;
}

before(async () => {
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { received.push({ url: req.url, body }); res.writeHead(200).end('ok'); });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  dirs = prepareRun('walkthrough', { workspace: emptyWorkspace(), settings: {
    'workbench.colorTheme': 'Default Dark Modern',
    'editor.minimap.enabled': false,
    // The typo typed in rules.yaml must stay as typed.
    'editor.autoClosingQuotes': 'never',
  } });
  let cs;
  ({ page, close, cs } = await openWorkbench(dirs, 'notes.txt'));
  base = cs.base;
});

after(async () => {
  await close?.();
  hook?.close();
});

const stepButton = (id) => page.locator(`button.getting-started-step[data-step-id$="#${id}"]`);
/** The step's checkmark, once its completion event fired (attached: the walkthrough may be behind another tab). */
const stepDone = (id, timeout = 15_000) => page.locator(`[data-done-step-id$="#${id}"].complete`).waitFor({ state: 'attached', timeout });
/** The dashboard's document (the walkthrough's images are webviews too: only the extension's is taken). */
const dashboard = () => page.frameLocator('iframe.webview.ready[src*="extensionId=anomaly-hunter.data-anomaly-hunter"]').frameLocator('iframe#active-frame');

/** Selects a step of the walkthrough (its tab first: other editors may have covered it) and clicks one of its buttons. */
async function clickStepButton(id, label) {
  await page.locator('.tabs-container .tab', { hasText: 'Walkthrough:' }).first().click();
  await stepButton(id).click();
  // The step's image loads in a webview that takes the focus when ready: a click before that would run the
  // command with the walkthrough's group active, and its editor would cover the walkthrough instead of opening beside.
  await page.waitForTimeout(1500);
  await page.locator(`[x-step-description-for$="#${id}"] .monaco-button`, { hasText: label }).first().click();
}

/** Runs a command that opens a quick pick of its own (F1 as in runCommand), then picks `item` in it. */
async function commandPick(title, item) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill('>' + title);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first().click();
  await page.waitForFunction(() => !(document.querySelector('.quick-input-widget .quick-input-box input')?.value ?? '').startsWith('>'));
  await input.fill(item);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: item }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

async function shot(name) {
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(dirs.shots, name) });
}

/** The lines the extension logged (its log file in the user data folder). */
function extensionLog() {
  return findFiles(path.join(dirs.ud, 'logs'), /Anomaly Hunter\.log$/).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

async function until(cond, what, timeout = 30_000) {
  const t0 = Date.now();
  for (;;) {
    if (await cond()) return;
    if (Date.now() - t0 > timeout) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('the .vsix carries the icon, the Marketplace fields and the walkthrough\'s media, and no bulky sample data', () => {
  const zip = readZip(VSIX);
  const pkg = JSON.parse(zip.get('extension/package.json').toString('utf8'));
  assert.equal(pkg.icon, 'media/icon.png');
  assert.deepEqual(pngSize(zip.get(`extension/${pkg.icon}`)), { width: 128, height: 128 });
  assert.match(pkg.galleryBanner.color, /^#[0-9a-f]{6}$/i);
  assert.ok(['dark', 'light'].includes(pkg.galleryBanner.theme));
  assert.ok(pkg.categories.includes('Data Science') && pkg.keywords.length >= 5, JSON.stringify([pkg.categories, pkg.keywords]));
  const manifest = zip.get('extension.vsixmanifest').toString('utf8');
  assert.match(manifest, /<Asset Type="Microsoft\.VisualStudio\.Services\.Icons\.Default" Path="extension\/media\/icon\.png"/);
  assert.match(manifest, new RegExp(`Branding\\.Color" Value="${pkg.galleryBanner.color}"`));
  const [walkthrough] = pkg.contributes.walkthroughs;
  assert.ok(walkthrough.steps.length >= 4 && walkthrough.steps.length <= 6);
  for (const step of walkthrough.steps) {
    assert.ok(step.completionEvents?.length, `${step.id} has a completion event`);
    const file = step.media.svg ?? step.media.markdown ?? step.media.image;
    assert.ok(zip.has(`extension/${file}`), `${step.id}: ${file} is in the package`);
  }
  // Open Sample Data copies rules/rules.yaml from the package and writes the CSV itself.
  assert.ok(zip.has('extension/rules/rules.yaml'));
  assert.ok(![...zip.keys()].some((k) => k.endsWith('.csv')), 'no CSV in the package');
  const size = fs.statSync(VSIX).size;
  console.log(`package: ${zip.size} files, ${(size / 1024 / 1024).toFixed(2)} MB`);
  assert.ok(size < 3 * 1024 * 1024, `${size} bytes`);
});

test('the walkthrough opens with its steps, none done yet', async () => {
  await commandPick('Welcome: Open Walkthrough...', WALKTHROUGH.title);
  await stepButton(STEPS[0]).waitFor({ timeout: 15_000 });
  const titles = await page.locator('button.getting-started-step h3.step-title').allInnerTexts();
  assert.deepEqual(titles, WALKTHROUGH.steps.map((s) => s.title));
  assert.equal(await page.locator('[data-done-step-id].complete').count(), 0);
  await stepButton(STEPS[0]).click();
  await shot('01-walkthrough-dark.png');
});

test('step 1: Open Sample Data asks, writes the sample into the folder, and its findings show inline', async () => {
  await clickStepButton('openSample', 'Open Sample Data');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 15_000 });
  const question = await dialog.innerText();
  console.log(`dialog: ${question.replace(/\s+/g, ' ')}`);
  assert.match(question, /sample-data\/stream\.csv and rules\/rules\.yaml/);
  assert.ok(!fs.existsSync(path.join(dirs.ws, 'sample-data')), 'nothing written before the answer');
  await dialog.locator('.monaco-button', { hasText: 'Create Files' }).click();
  await page.locator('.tabs-container .tab', { hasText: 'stream.csv' }).first().waitFor({ timeout: 15_000 });
  // The CSV is the repo's sample, byte for byte; the rules are the bundled ones.
  assert.ok(fs.readFileSync(path.join(dirs.ws, 'sample-data/stream.csv')).equals(fs.readFileSync(path.join(REPO, 'sample-data/stream.csv'))));
  assert.equal(fs.readFileSync(path.join(dirs.ws, 'rules/rules.yaml'), 'utf8'), fs.readFileSync(path.join(REPO, 'rules/rules.yaml'), 'utf8'));
  // The walkthrough stays in view: the CSV opened beside it.
  assert.equal(await page.locator('.editor-group-container').count(), 2);
  // Once analysed, the cursor goes to the first finding: its gutter mark is in view.
  await page.locator('.monaco-editor .cgmr').first().waitFor({ timeout: 60_000 });
  await stepDone('openSample');
  await shot('02-step1-findings.png');
});

test('step 2: Open Dashboard shows the sample\'s dashboard', async () => {
  await clickStepButton('dashboard', 'Open Dashboard');
  await dashboard().locator('[data-testid="chart-cpu"].rendered').waitFor({ timeout: 60_000 });
  // Beside the walkthrough, which stays in view.
  const walkthroughGroup = page.locator('.editor-group-container', { has: page.locator('.tab', { hasText: 'Walkthrough:' }) });
  await page.locator('.editor-group-container', { hasNot: page.locator('.tab', { hasText: 'Walkthrough:' }) }).locator('.tab', { hasText: 'Anomalies: stream.csv' }).waitFor();
  assert.equal(await walkthroughGroup.locator('.tab', { hasText: 'Anomalies' }).count(), 0);
  await stepDone('dashboard');
  await shot('03-step2-dashboard.png');
});

test('step 3: a threshold slider saved to rules.yaml', async () => {
  await page.locator('.tabs-container .tab', { hasText: 'Anomalies: stream.csv' }).first().click();
  const view = dashboard();
  await view.locator('.busy[hidden]').waitFor({ state: 'attached', timeout: 120_000 });
  await moveSlider(view, 'slider-cpu-saturated', 80);
  await view.locator('[data-testid="save-thresholds"]').click();
  const rules = path.join(dirs.ws, 'rules/rules.yaml');
  await until(() => /threshold: 80\b/.test(fs.readFileSync(rules, 'utf8')), 'the threshold in rules.yaml');
  await stepDone('tuneThreshold');
  await shot('04-step3-threshold.png');
});

test('step 4: a typo in rules.yaml fixed with its quick fix', async () => {
  await clickStepButton('quickFix', 'Open rules.yaml');
  await page.locator('.tabs-container .tab.active', { hasText: 'rules.yaml' }).first().waitFor({ timeout: 15_000 });
  const lines = fs.readFileSync(path.join(dirs.ws, 'rules/rules.yaml'), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.trimStart().startsWith('threshold:')) + 1;
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await goToLine(page, line);
  await page.keyboard.press('Home');
  await page.keyboard.press('Control+Shift+ArrowRight');
  await page.keyboard.type('thresold');
  await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Home');
  await page.keyboard.press('Control+.');
  const fix = page.locator('.action-widget .monaco-list-row', { hasText: "Change to 'threshold'" }).first();
  await fix.waitFor({ timeout: 10_000 });
  await shot('05-step4-quick-fix.png');
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'detached', timeout: 10_000 });
  await stepDone('quickFix');
  await page.keyboard.press('Control+S');
});

test('step 5: a webhook URL in secret storage, and the findings sent to it', async () => {
  const url = `http://127.0.0.1:${hook.address().port}/hook`;
  await clickStepButton('webhook', 'Set Webhook URL');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  assert.equal(await input.getAttribute('type'), 'password');
  await input.fill(url);
  await page.keyboard.press('Enter');
  await notification(page, 'webhook URL saved').waitFor({ timeout: 15_000 });
  await clickStepButton('webhook', 'Send Incidents');
  await until(() => received.length > 0, 'a request at the webhook');
  assert.equal(received[0].url, '/hook');
  await stepDone('webhook');
  // The URL is in no file the extension wrote (settings, logs).
  assert.ok(!findFiles(dirs.ud, /\.(json|log)$/).some((f) => fs.readFileSync(f, 'utf8').includes(url)), 'the URL is not in settings or logs');
  await page.locator('.tabs-container .tab', { hasText: 'Walkthrough:' }).first().click();
  await stepButton('webhook').click();
  await shot('06-all-done-dark.png');
  assert.equal(await page.locator('[data-done-step-id].complete').count(), STEPS.length);
});

test('the walkthrough reads well in the light theme', async () => {
  await commandPick('Preferences: Color Theme', 'Light Modern');
  await page.locator('.monaco-workbench.vs').waitFor({ timeout: 30_000 });
  // The walkthrough alone in the window (as after installing), then beside the other editors.
  await page.locator('.tabs-container .tab', { hasText: 'Walkthrough:' }).first().click();
  await runCommand(page, 'Toggle Maximize Editor Group');
  for (const [i, id] of STEPS.entries()) {
    await stepButton(id).click();
    await shot(`${String(7 + i).padStart(2, '0')}-light-${id}.png`);
  }
  await runCommand(page, 'Toggle Maximize Editor Group');
  await shot('12-light-beside.png');
  await commandPick('Preferences: Color Theme', 'Dark Modern');
  await page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 30_000 });
});

test('Analyze CSV File… from the focused dashboard analyses the dashboard\'s file, without a dialog', async () => {
  fs.writeFileSync(path.join(dirs.ws, 'other.csv'), 'timestamp,cpu\n' + Array.from({ length: 200 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1) + i * 60000).toISOString()},${i === 120 ? 99 : 20 + (i % 7)}`).join('\n') + '\n');
  // The walkthrough page (re-rendered after the theme tests) takes the focus back, which closes Quick Open at
  // once: it is closed first, as a user done with it would.
  const walkthrough = page.locator('.tabs-container .tab', { hasText: 'Walkthrough:' });
  if (await walkthrough.count()) {
    await walkthrough.first().click();
    await runCommand(page, 'View: Close Editor');
    await walkthrough.first().waitFor({ state: 'detached', timeout: 10_000 });
  }
  // The last CSV editor shows other.csv; then the dashboard (on stream.csv) gets the focus.
  await openFile(page, 'other.csv');
  const tab = page.locator('.tabs-container .tab', { hasText: 'Anomalies: stream.csv' }).first();
  await tab.click();
  await page.waitForTimeout(500);
  const count = (re) => (extensionLog().match(re) ?? []).length;
  const analyses = /stream\.csv: .*\(load \+ analysis/g;
  const [requested, done] = [count(/analyze \S*stream\.csv/g), count(analyses)];
  await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  await until(() => count(/analyze \S*stream\.csv/g) > requested, 'the log line of the analysis of stream.csv');
  assert.equal(await page.locator('.quick-input-widget:visible').count(), 0, 'no file dialog');
  assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no dialog');
  await page.locator('.tabs-container .tab', { hasText: 'Anomalies: stream.csv' }).first().waitFor();
  assert.ok(!/analyze \S*other\.csv/.test(extensionLog()));
  // The file has not changed since it was read: its analysis is shown as it is, not made again.
  await page.waitForTimeout(1000);
  assert.equal(count(analyses), done, 'an unchanged file is not analysed again');
  // Changed on disk since (its modification time): the same command reads it anew.
  const stream = path.join(dirs.ws, 'sample-data/stream.csv');
  fs.utimesSync(stream, new Date(), new Date(Date.now() + 5000));
  await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  await until(() => count(analyses) > done, 'the end of the analysis');
  await page.waitForTimeout(500);

  // From other.csv's editor, the same command takes other.csv.
  await page.locator('.tabs-container .tab', { hasText: 'other.csv' }).first().click();
  await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  await page.locator('.tabs-container .tab', { hasText: 'Anomalies: other.csv' }).first().waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('.quick-input-widget:visible').count(), 0, 'no file dialog');
});

test('with no folder open, Open Sample Data asks for one, writes the sample there and opens it with the CSV', async () => {
  const fresh = path.join(dirs.runDir, 'fresh');
  fs.mkdirSync(fresh, { recursive: true });
  const activations = () => (extensionLog().match(/Anomaly Hunter \S+ activated/g) ?? []).length;
  const before = activations();
  await page.goto(`${base}/?ew=true`);
  await waitForWorkbench(page);
  // The command palette lists the commands known when it opens: wait for the new window's extension host.
  await until(() => activations() > before, 'the extension\'s activation in the empty window', 60_000);
  await runCommand(page, 'Anomaly Hunter: Open Sample Data');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 15_000 });
  assert.match(await dialog.innerText(), /needs a folder/);
  await dialog.locator('.monaco-button', { hasText: 'Choose Folder' }).click();
  // VS Code for the web's folder picker: a path in Quick Input.
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  // The picker lists the typed folder asynchronously and ignores the button while it is busy (seen on a slow
  // machine: the click was lost and the window never reloaded): type, wait until it is idle, click, and click
  // again if the picker is still there.
  const progress = page.locator('.quick-input-widget .quick-input-progress .progress-bit');
  const opened = () => /folder=/.test(page.url());
  for (let attempt = 0; attempt < 4 && !opened(); attempt++) {
    // A reload in progress detaches the picker: then there is nothing left to click.
    if (!(await input.isVisible().catch(() => false))) break;
    if ((await input.inputValue({ timeout: 2_000 }).catch(() => '')) !== fresh + '/') await input.fill(fresh + '/', { timeout: 5_000 }).catch(() => {});
    await progress.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
    await page.waitForTimeout(500 * (attempt + 1));
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'Put the Sample Here' }).click({ timeout: 5_000 }).catch(() => {});
    await until(opened, 'the folder to open', 8_000).catch(() => {});
  }
  // The window opens the folder (a reload) and shows the CSV.
  await page.waitForURL(/folder=/, { timeout: 60_000 });
  await waitForWorkbench(page, 'sample-data');
  await page.locator('.tabs-container .tab', { hasText: 'stream.csv' }).first().waitFor({ timeout: 30_000 });
  assert.ok(fs.readFileSync(path.join(fresh, 'sample-data/stream.csv')).equals(fs.readFileSync(path.join(REPO, 'sample-data/stream.csv'))));
  assert.ok(fs.existsSync(path.join(fresh, 'rules/rules.yaml')));
  await shot('16-sample-in-new-folder.png');
});
