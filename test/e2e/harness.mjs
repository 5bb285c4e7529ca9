// Starts a real VS Code (code-server, VS Code 1.100.3 for the web; the extension host runs in Node on this
// machine) and Debian's Chromium driven by playwright-core. Only 127.0.0.1 is used.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE = process.env.E2E_CACHE || path.join(REPO, '.vscode-test');
export const CODE_SERVER = process.env.CODE_SERVER || path.join(CACHE, 'code-server/node_modules/.bin/code-server');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const VSIX = path.join(REPO, 'dist/data-anomaly-hunter.vsix');
export const EXTENSION_ID = 'anomaly-hunter.data-anomaly-hunter';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function isolatedEnv(runDir) {
  const home = path.join(runDir, 'home');
  // VS Code puts its IPC sockets in TMPDIR: keep the path short (unix socket paths are limited to 107 bytes).
  const tmp = fs.mkdtempSync('/tmp/ah-');
  fs.mkdirSync(home, { recursive: true });
  return {
    ...process.env,
    HOME: home,
    TMPDIR: tmp,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    EXTENSIONS_GALLERY: '{}',
    http_proxy: '', https_proxy: '', HTTP_PROXY: '', HTTPS_PROXY: '',
  };
}

/**
 * A fresh run folder: user data with quiet settings, the extension installed from the .vsix, and a copy of
 * the workspace folder. `settings` are merged into the user settings (e.g. a colour theme).
 */
export function prepareRun(name, { workspace, settings = {} } = {}) {
  const runDir = path.join(CACHE, 'runs', name);
  fs.rmSync(runDir, { recursive: true, force: true });
  const dirs = { runDir, ud: path.join(runDir, 'ud'), ext: path.join(runDir, 'ext'), ws: path.join(runDir, 'ws'), shots: path.join(runDir, 'shots') };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  const env = isolatedEnv(runDir);
  dirs.env = env;
  fs.cpSync(workspace, dirs.ws, { recursive: true });
  fs.mkdirSync(path.join(dirs.ud, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.ud, 'User/settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'git.enabled': false,
    'security.workspace.trust.enabled': false,
    'chat.disableAIFeatures': true,
    ...settings,
  }, null, 2));
  const r = spawnSync(CODE_SERVER, ['--user-data-dir', dirs.ud, '--extensions-dir', dirs.ext, '--install-extension', VSIX], { env, encoding: 'utf8', timeout: 90_000 });
  if (r.status !== 0 || !/successfully installed/i.test(r.stdout)) throw new Error(`installing the .vsix failed:\n${r.stdout}\n${r.stderr}`);
  return dirs;
}

/** Starts code-server in its own process group and waits for /healthz. */
export async function startCodeServer(dirs, extraEnv = {}) {
  const port = await freePort();
  const log = fs.openSync(path.join(dirs.runDir, 'code-server.log'), 'w');
  const child = spawn(CODE_SERVER, [
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', dirs.ud, '--extensions-dir', dirs.ext, dirs.ws,
  ], { env: { ...dirs.env, ...extraEnv }, stdio: ['ignore', log, log], detached: true });
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited early (see ${dirs.runDir}/code-server.log)`);
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (Date.now() - t0 > 60_000) throw new Error('code-server did not answer within 60 s');
    await sleep(150);
  }
  return { child, port, base, url: `${base}/?folder=${encodeURIComponent(dirs.ws)}` };
}

export async function stopCodeServer(cs) {
  if (!cs || cs.child.exitCode !== null) return;
  const exited = new Promise((r) => cs.child.once('exit', r));
  try { process.kill(-cs.child.pid, 'SIGTERM'); } catch { /* gone */ }
  const t = setTimeout(() => { try { process.kill(-cs.child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
  await exited;
  clearTimeout(t);
  try { process.kill(-cs.child.pid, 'SIGKILL'); } catch { /* gone */ }
}

export async function launchBrowser(dirs, { colorScheme = 'dark' } = {}) {
  const profile = path.join(dirs.runDir, 'chromium');
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    colorScheme,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    viewport: { width: 1500, height: 950 },
    env: { ...process.env, HOME: path.join(dirs.runDir, 'home-browser'), XDG_CONFIG_HOME: path.join(dirs.runDir, 'home-browser/.config'), XDG_CACHE_HOME: path.join(dirs.runDir, 'home-browser/.cache') },
  });
}

// ---------- UI helpers (selectors of VS Code 1.100) ----------

export async function waitForWorkbench(page, file, timeout = 90_000) {
  await page.locator('.monaco-workbench').waitFor({ timeout });
  await page.locator('.part.statusbar').waitFor({ timeout });
  if (file) await page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first().waitFor({ timeout });
}

/** F1, type the title, click the matching row. */
export async function runCommand(page, title, timeout = 30_000) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first();
  // F1 is lost while focus is inside a webview's iframes: then the title bar's command center (a click, no
  // keyboard focus needed) opens Quick Open, and the '>' typed below turns it into the command list. A palette that
  // a page re-rendering behind it closed again (a webview or the walkthrough taking the focus back) is opened again.
  const attempts = [
    () => page.keyboard.press('F1'),
    () => page.locator('.command-center .search-label, .command-center-center').first().click(),
    () => page.keyboard.press('Control+Shift+P'),
    () => page.locator('.command-center .search-label, .command-center-center').first().click(),
  ];
  for (const [k, attempt] of attempts.entries()) {
    await attempt().catch(() => undefined);
    const listed = await input.waitFor({ state: 'visible', timeout: 3000 })
      .then(() => input.fill('>' + title, { timeout: 3000 }))
      .then(() => row.waitFor({ timeout: k === attempts.length - 1 ? timeout : 5000 }))
      .then(() => true, () => false);
    if (listed) break;
    if (k === attempts.length - 1) {
      await page.screenshot({ path: path.join(CACHE, 'runs', `command-palette-failure-${Date.now()}.png`) }).catch(() => undefined);
      throw new Error(`the command palette did not list "${title}"`);
    }
    await page.keyboard.press('Escape');
    await page.locator('.part.sidebar .composite.title').first().click().catch(() => undefined);
  }
  await row.click();
  // When the command was chosen (epoch ms): the start of what the user waits for.
  const chosen = Date.now();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout });
  return chosen;
}

export async function openFile(page, name, timeout = 30_000) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // Ctrl+P is lost while focus is inside a webview's iframes (a dashboard, a walkthrough step): then the other ways
  // into Quick Open, as runCommand; typed without '>', the command palette's box searches files.
  const attempts = [
    () => page.keyboard.press('Control+P'),
    () => page.locator('.command-center .search-label, .command-center-center').first().click({ timeout: 3000 }),
    () => page.keyboard.press('F1'),
    () => page.keyboard.press('Control+Shift+P'),
    () => page.locator('.command-center .search-label, .command-center-center').first().click({ timeout: 3000 }),
  ];
  for (const attempt of attempts) {
    await attempt().catch(() => undefined);
    if (await input.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) break;
    await page.keyboard.press('Escape');
    await page.locator('.part.sidebar .composite.title, .part.statusbar').first().click().catch(() => undefined);
  }
  if (!(await input.isVisible())) {
    // What was on the screen: a failure here is about the page, not the file.
    await page.screenshot({ path: path.join(CACHE, 'runs', `quick-open-failure-${Date.now()}.png`) }).catch(() => undefined);
    // Every way into Quick Open was swallowed (a webview kept the keyboard in a CI run): a file the explorer lists
    // opens from there, as a person would open it.
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    if (await row.isVisible().catch(() => false)) {
      await row.click();
      await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout });
      return;
    }
  }
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(name);
  const listed = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: name }).first();
  // A file written a moment ago can be missing from Quick Open's first search (its file index lags the disk): the
  // search is typed again, as a person would, until the file is listed or the time is up.
  const until = Date.now() + timeout;
  while (!(await listed.waitFor({ timeout: Math.min(8000, Math.max(1, until - Date.now())) }).then(() => true, () => false))) {
    if (Date.now() >= until) throw new Error(`Quick Open did not list "${name}"`);
    await input.fill('');
    await input.fill(name);
  }
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout });
  // Quick Open is gone before the next key goes anywhere (F1 pressed while it closes can be lost).
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout });
}

export function notification(page, text) {
  return page.locator('.notifications-toasts .notification-list-item-message', { hasText: text }).first();
}

/**
 * Moves a dashboard slider inside the page and resolves with the page's own timings of that move: countMs
 * until the anomaly count changed on screen, redrawMs until #app's data-redraw-ms stamp (set after the frame
 * that shows the redrawn table and charts). With `untilCount` (the default) it waits for both (-1 for both
 * after 15 s); without, for the stamp only (countMs null when the count did not change; nulls after 15 s).
 */
export function moveSlider(view, testid, value, { untilCount = true } = {}) {
  return view.locator(`[data-testid="${testid}"]`).evaluate((input, [v, needCount]) => new Promise((resolve) => {
    const app = document.getElementById('app');
    const count = document.querySelector('[data-testid="anomaly-count"]');
    const before = count.textContent;
    delete app.dataset.redrawMs;
    const t0 = performance.now();
    let counted = 0;
    const tick = () => {
      if (!counted && count.textContent !== before) counted = performance.now() - t0;
      const drawn = app.dataset.redrawMs !== undefined;
      if (drawn && (counted || !needCount)) resolve({ countMs: counted ? Math.round(counted) : null, redrawMs: Math.round(performance.now() - t0) });
      else if (performance.now() - t0 > 15000) resolve(needCount ? { countMs: -1, redrawMs: -1 } : { countMs: null, redrawMs: null });
      else requestAnimationFrame(tick);
    };
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    requestAnimationFrame(tick);
  }), [value, untilCount]);
}

/** Closes the editor tab whose label holds `name`, when one is open (a test's teardown), and waits until it is gone. */
export async function closeTab(page, name, timeout = 10_000) {
  const tab = page.locator('.tabs-container .tab', { hasText: name }).first();
  if (!(await tab.count())) return;
  await tab.click();
  await page.keyboard.press('Control+W');
  await tab.waitFor({ state: 'detached', timeout });
}

/** The dashboard's document: two iframes deep in VS Code for the web. */
export function webview(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

export function findFiles(dir, re, acc = []) {
  if (!fs.existsSync(dir)) return acc;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findFiles(p, re, acc); else if (re.test(p)) acc.push(p);
  }
  return acc;
}

/**
 * Starts code-server on a prepared run, opens it in Chromium (`onPage` sees the page before it loads, to
 * listen to its console) and waits until the explorer lists `file`. `close()` ends both.
 */
export async function openWorkbench(dirs, file, { env = {}, onPage } = {}) {
  const cs = await startCodeServer(dirs, env);
  const browser = await launchBrowser(dirs);
  const page = browser.pages()[0] ?? await browser.newPage();
  onPage?.(page);
  await page.goto(cs.url);
  await waitForWorkbench(page, file);
  return { cs, browser, page, close: async () => { await browser.close(); await stopCodeServer(cs); } };
}

/** Waits until `cond()` resolves truthy (a throw counts as not yet), polling every 200 ms; fails after `timeout`. */
export async function until(cond, what, timeout = 30_000) {
  const t0 = Date.now();
  for (;;) {
    if (await cond().catch(() => false)) return;
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Switches the colour theme through "Preferences: Color Theme" (`name` as the picker lists it). */
export async function setTheme(page, name) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>Preferences: Color Theme');
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Preferences: Color Theme' }).first().click();
  await page.waitForFunction(() => !(document.querySelector('.quick-input-widget .quick-input-box input')?.value ?? '').startsWith('>'));
  await input.fill(name);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/**
 * Moves the cursor of the focused editor to `line` (Go to Line), until the status bar says it is there: a Quick Open
 * that closed at once (a page re-rendering behind it took the focus back) is opened again.
 */
export async function goToLine(page, line, timeout = 30_000) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const status = page.locator('.part.statusbar .statusbar-item', { hasText: /^Ln \d+/ }).first();
  const at = async () => Number(/Ln (\d+)/.exec(await status.innerText({ timeout: 2000 }).catch(() => ''))?.[1]);
  const deadline = Date.now() + timeout;
  for (;;) {
    await page.keyboard.press('Control+G');
    const typed = await input.waitFor({ state: 'visible', timeout: 3000 })
      .then(() => input.fill(`:${line}`, { timeout: 3000 }))
      .then(() => page.keyboard.press('Enter'))
      .then(() => page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 3000 }))
      .then(() => true, () => false);
    // The status bar follows the cursor within a frame or two.
    for (let i = 0; typed && i < 10; i++) {
      if (await at() === line) return;
      await page.waitForTimeout(100);
    }
    if (Date.now() > deadline) throw new Error(`Go to Line ${line}: the cursor is on line ${await at()}`);
    await page.keyboard.press('Escape');
  }
}

/**
 * When the dashboard's first chart was on screen, from the page's own clock (the frame after Plotly drew it;
 * Playwright's polling, whose retries back off to 500 ms, would add its own delay), in ms after `t0` (epoch ms:
 * the palette opening) and after `chosen` (the command chosen), with where the wait went after the command: the
 * page's start, its script, its first model (after Plotly's script has run), its first plot and the frame that shows it.
 */
export async function firstChartTimes(view, t0, chosen, metric = 'cpu') {
  await view.locator(`[data-testid="chart-${metric}"].rendered`).waitFor({ timeout: 60_000 });
  await view.locator('.charts[data-first-paint-ms]').waitFor({ state: 'attached', timeout: 10_000 });
  const clock = await view.locator('#app').evaluate((app) => {
    const charts = document.querySelector('.charts');
    return {
      origin: performance.timeOrigin, script: Number(app.dataset.scriptMs), model: Number(app.dataset.firstModelMs),
      plot: Number(charts?.dataset.firstPlotMs), paint: Number(charts?.dataset.firstPaintMs),
    };
  });
  const at = (ms) => Math.round(clock.origin + ms - chosen);
  return {
    withPalette: Math.round(clock.origin + clock.paint - t0),
    fromCommand: at(clock.paint),
    phases: { pageStart: at(0), script: at(clock.script), firstModel: at(clock.model), firstPlot: at(clock.plot), painted: at(clock.paint) },
  };
}
