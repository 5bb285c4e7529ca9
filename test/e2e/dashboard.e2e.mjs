// The dashboard in a real VS Code: Analyze CSV File… on the sample from the command palette, then what a user
// does with it — markers, table, toggles, sliders, export, webhook, hostile headers, reload, themes, a 1M-row
// file, a gzip-compressed CSV. Screenshots go to .vscode-test/runs/dashboard/shots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import zlib from 'node:zlib';
import http from 'node:http';
import path from 'node:path';
import { REPO, firstChartTimes, moveSlider as moveSliderIn, notification, openFile, openWorkbench, prepareRun, runCommand, setTheme, until, waitForWorkbench, webview } from './harness.mjs';
import { sampleWorkspace } from './workspace.mjs';

const METRICS = ['cpu', 'memory', 'disk_io', 'net_in', 'net_out'];
let dirs, page, close, view, hook;
const received = [];
const consoleLines = [];
const dialogs = [];
const timings = {};

before(async () => {
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { received.push({ url: req.url, headers: req.headers, body }); res.writeHead(200).end('ok'); });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  const ws = sampleWorkspace();
  // A CSV whose header is HTML: it must show as text.
  fs.writeFileSync(path.join(ws, 'sample-data/hostile.csv'), 'timestamp,<img src=x onerror=alert(1)>,"<b>bold</b>"\n'
    + Array.from({ length: 300 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1) + i * 60000).toISOString()},${(i % 17) + (i === 150 ? 90 : 0)},${i % 5}`).join('\n') + '\n');
  // A CSV written at UTC+02:00 (a spike at 02:30 on its clock): its times are shown as the file writes them.
  fs.writeFileSync(path.join(ws, 'sample-data/offset.csv'), 'time,cpu\n'
    + Array.from({ length: 300 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1) + i * 60000).toISOString().slice(0, 19)}+02:00,${(i % 17) + (i === 150 ? 90 : 0)}`).join('\n') + '\n');
  // A long CSV (a row per time and series), with HTML in a label value.
  fs.writeFileSync(path.join(ws, 'sample-data/long.csv'), 'time,host,metric,value\n' + Array.from({ length: 400 }, (_, i) => ['a', '<i>b</i>'].flatMap((h) => ['cpu', 'mem']
    .map((m) => `${new Date(Date.UTC(2024, 0, 1) + i * 60000).toISOString()},${h},${m},${(m === 'cpu' ? 40 : 60) + (i % 7) + (i === 250 && h === 'a' && m === 'cpu' ? 50 : 0) + (i === 300 && h !== 'a' && m === 'mem' ? 50 : 0)}`))).flat().join('\n') + '\n');
  // A long CSV of 15 hosts: more metrics than are charted at first; a spike on h9.
  fs.writeFileSync(path.join(ws, 'sample-data/hosts.csv'), 'time,host,cpu\n' + Array.from({ length: 300 }, (_, i) => Array.from({ length: 15 }, (_, h) =>
    `${new Date(Date.UTC(2024, 0, 1) + i * 60000).toISOString()},h${h},${40 + h + ((i * 7 + h) % 5) + (i === 200 && h === 9 ? 60 : 0)}`)).flat().join('\n') + '\n');
  // A gzip-compressed export (two days of minutes, CRLF, a cpu spike and a memory dip) and a truncated copy of it.
  let seed = 11;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const gz = zlib.gzipSync('timestamp,cpu,memory\r\n' + Array.from({ length: 2880 }, (_, i) => `${new Date(Date.UTC(2024, 2, 1) + i * 60000).toISOString()},`
    + `${(30 + 10 * Math.sin((2 * Math.PI * i) / 1440) + 3 * noise() + (i === 2000 ? 60 : 0)).toFixed(2)},${(60 + 2 * noise() - (i >= 1000 && i < 1010 ? 30 : 0)).toFixed(2)}\r\n`).join(''));
  fs.writeFileSync(path.join(ws, 'sample-data/metrics.csv.gz'), gz);
  fs.writeFileSync(path.join(ws, 'sample-data/damaged.csv.gz'), gz.subarray(0, gz.length >> 1));
  dirs = prepareRun('dashboard', { workspace: ws, settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
  ({ page, close } = await openWorkbench(dirs, 'sample-data', {
    env: { ANOMALY_HUNTER_WEBHOOK_URL: `http://127.0.0.1:${hook.address().port}/hook` },
    onPage: (p) => {
      p.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
      p.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    },
  }));
  view = webview(page);
});

after(async () => {
  console.log(`timings: ${JSON.stringify(timings)}`);
  await close?.();
  hook?.close();
});

async function analyzed(minRows = 1) {
  await view.locator('.busy[hidden]').waitFor({ state: 'attached', timeout: 120_000 });
  await view.locator('[data-testid="anomaly-row"]').nth(minRows - 1).waitFor({ timeout: 60_000 });
}
const count = async () => Number((await view.locator('[data-testid="anomaly-count"]').textContent()).replaceAll(',', ''));

test('Analyze CSV File… opens the dashboard with one rendered chart per metric', async () => {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'sample-data' }).first().click();
  await openFile(page, 'stream.csv');
  const t0 = Date.now();
  const chosen = await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  const first = await firstChartTimes(view, t0, chosen, METRICS[0]);
  timings.sampleFirstChartMs = first.withPalette;
  timings.sampleFirstChartFromCommandMs = first.fromCommand;
  timings.sampleFirstChartPhases = first.phases;
  console.log(`first chart for the sample on screen ${first.withPalette} ms after the palette opened, ${first.fromCommand} ms after the command; ms after the command: ${JSON.stringify(first.phases)}`);
  for (const metric of METRICS) {
    const chart = view.locator(`[data-testid="chart-${metric}"].rendered`);
    await chart.waitFor({ timeout: 60_000 });
    const points = Number(await chart.getAttribute('data-points'));
    assert.ok(points > 1000, `${metric}: ${points} points drawn`);
    const d = await chart.locator('.scatterlayer .trace path.js-line').first().getAttribute('d');
    assert.ok(d && d.length > 1000, `${metric}: line path has data`);
  }
  await analyzed();
  timings.sampleAnalysedMs = Date.now() - t0;
});

/** Chooses what the table lists and waits for the host's model of that view. */
async function showView(value) {
  await view.locator('[data-testid="view-select"]').selectOption(value);
  await view.locator(`#app[data-view="${value}"]`).waitFor({ state: 'attached', timeout: 30_000 });
}

test('the table lists the incidents of the default view; the charts mark their rows and shade their spans', async () => {
  assert.equal(await view.locator('[data-testid="view-select"]').inputValue(), 'major');
  assert.equal(await view.locator('.table-bar h2').textContent(), 'Incidents');
  const n = await count();
  const incidents = view.locator('[data-testid="anomaly-row"][data-kind="incident"]');
  // The sample holds five labelled events: a handful of incidents, not hundreds of rows.
  assert.ok(n >= 3 && n <= 20, `${n} incidents`);
  assert.equal(await incidents.count(), n, 'one table row per incident');
  for (const sev of await incidents.locator('td.sev').allTextContents()) assert.ok(['critical', 'major'].includes(sev), `severity ${sev}`);
  // Each row says when, how long, how bad, where, who agrees and why.
  const cells = await incidents.first().locator('td').allTextContents();
  assert.match(cells[0], /\d{2}:\d{2}/);
  assert.match(cells[1], /^\d+[mhd]/);
  assert.ok(Number(cells[3]) >= 50, `score ${cells[3]}`);
  assert.ok(cells[6].length > 20, `summary: ${cells[6]}`);
  // Markers: the rows of these incidents only, drawn on the charts of the metrics they touch.
  let markers = 0;
  let marked = null;
  for (const metric of METRICS) {
    const k = Number(await view.locator(`[data-testid="chart-${metric}"]`).getAttribute('data-markers'));
    markers += k;
    if (k > 0 && !marked) marked = metric;
  }
  assert.ok(markers > 0 && marked, `${markers} markers`);
  const chart = view.locator(`[data-testid="chart-${marked}"]`);
  const paint = (selector) => chart.locator(selector).evaluate((c) => {
    const { data, width, height } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const dpr = c.width / c.getBoundingClientRect().width;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 4 + 3] === 255) return { x: x / dpr + 2, y: y / dpr + 2, painted: true };
    }
    return { painted: false, any: data.some((v, i) => i % 4 === 3 && v > 0) };
  });
  const spot = await paint('canvas.chart-marks');
  assert.ok(spot.painted, 'markers are painted on the canvas');
  assert.ok((await paint('canvas.chart-band')).any, 'incident spans are shaded under the line');
  const box = await chart.locator('canvas.chart-marks').boundingBox();
  await page.mouse.move(box.x + spot.x, box.y + spot.y);
  const tip = chart.locator('.chart-tip');
  await tip.waitFor({ state: 'visible', timeout: 5000 });
  assert.match(await tip.textContent(), /score \d/);
  await page.mouse.move(0, 0);
  // An incident opens to its rows (which do not count as incidents) and closes again.
  await incidents.first().click();
  assert.equal(await incidents.first().getAttribute('aria-expanded'), 'true');
  const rows = view.locator('[data-testid="anomaly-row"][data-kind="finding"]');
  await rows.first().waitFor({ timeout: 5000 });
  assert.ok(await rows.count() >= 1);
  assert.equal(await count(), n);
  await page.screenshot({ path: path.join(dirs.shots, '01-dashboard-dark.png') });
  await incidents.first().click();
  await rows.first().waitFor({ state: 'detached', timeout: 5000 });
});

test('"All flagged rows" lists every row a detector flagged, as many as there are', async () => {
  const incidents = await count();
  await showView('all');
  assert.equal(await view.locator('.table-bar h2').textContent(), 'Findings');
  const chart = view.locator('[data-testid="chart-cpu"]');
  const markers = Number(await chart.getAttribute('data-markers'));
  assert.ok(markers > 5, `cpu chart has ${markers} anomaly markers`);
  const rows = await view.locator('[data-testid="anomaly-row"]').count();
  const n = await count();
  assert.ok(n > 100 && n > incidents, `${n} rows`);
  assert.ok(rows > 10 && rows < 100, `the table draws the rows in view and a margin (${rows} of ${n})`);
  // Scrolling to the end brings the last listed row in; back at the top, the first.
  const wrap = view.locator('.table-wrap');
  await wrap.evaluate((w) => { w.scrollTop = w.scrollHeight; });
  await view.locator(`[data-testid="anomaly-row"][aria-rowindex="${n + 1}"]`).waitFor({ timeout: 5000 });
  await wrap.evaluate((w) => { w.scrollTop = 0; });
  await view.locator('[data-testid="anomaly-row"][aria-rowindex="2"]').waitFor({ timeout: 5000 });
  // The sorted table starts with the highest score.
  const firstScore = Number(await view.locator('[data-testid="anomaly-row"] td.num').first().textContent());
  assert.ok(firstScore >= 75, `top score ${firstScore}`);
  // In a narrower pane (a dashboard beside its CSV) a row keeps its detector, which its message does not name; the
  // score folds (the severity says its band). Incidents fold the detector too: their summary says who agrees.
  const table = view.locator('table.anomalies');
  const visibility = (n) => view.locator(`table.anomalies th:nth-child(${n})`).evaluate((th) => getComputedStyle(th).visibility);
  await page.screenshot({ path: path.join(dirs.shots, '01a-rows.png') });
  await page.setViewportSize({ width: 1100, height: 950 });
  try {
    // The pane narrows a few frames after the window (at most 2 s).
    const width = await table.evaluate((t) => new Promise((done) => {
      let frames = 120;
      const check = () => { const w = t.ownerDocument.documentElement.clientWidth; if (w <= 900 || --frames === 0) done(w); else requestAnimationFrame(check); };
      check();
    }));
    assert.ok(width > 640 && width <= 900, `pane ${width} px`);
    // Columns: start/time, duration, severity, score (4), metrics, detectors (6), summary/message, reveal.
    assert.deepEqual([await visibility(4), await visibility(6)], ['hidden', 'visible'], 'rows: score folded, detector shown');
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(dirs.shots, '01b-rows-narrow-charts.png') });
    // The overlay follows the charts to their new width: markers, band and spans are still drawn (a resize once left
    // Plotly's element 0 px tall and the overlay with it).
    const overlay = await view.locator('[data-testid="chart-cpu"]').evaluate((root) => ({ markers: Number(root.dataset.markers), height: root.querySelector('.chart-marks').height, plot: root.querySelector('.chart-plot').clientHeight }));
    assert.ok(overlay.markers > 5 && overlay.height > 100 && overlay.plot > 100, JSON.stringify(overlay));
    await table.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(dirs.shots, '01c-rows-narrow-table.png') });
    await showView('major');
    assert.deepEqual([await visibility(4), await visibility(6)], ['hidden', 'hidden'], 'incidents: detector and score folded');
  } finally {
    await page.setViewportSize({ width: 1500, height: 950 });
  }
  await showView('all');
});

test('clicking a table row selects the point; Reveal in CSV opens the file at that line', async () => {
  const row = view.locator('[data-testid="anomaly-row"]').first();
  await row.click();
  await view.locator('[data-testid="anomaly-row"].selected').first().waitFor();
  // The keyboard walks the whole (virtualised) table: arrows move the focus, End reaches the last row.
  const focused = () => view.locator('[data-testid="anomaly-row"]:focus').getAttribute('aria-rowindex');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), '3');
  await page.keyboard.press('End');
  assert.equal(await focused(), String((await count()) + 1));
  await page.keyboard.press('Home');
  assert.equal(await focused(), '2');
  await row.locator('button.link').click();
  await page.locator('.monaco-editor .cursors-layer .cursor').first().waitFor({ timeout: 15_000 });
  const status = await page.locator('#status\\.editor\\.selection').textContent();
  assert.match(status ?? '', /Ln \d+/);
  await page.locator('.tabs-container .tab', { hasText: 'Anomalies' }).first().click();
});

test('a model toggle re-runs only that detector and changes the count', async () => {
  const before = await count();
  await view.locator('[data-testid="toggle-iforest"]').click();
  await expectCountChange(before);
  await view.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 30_000 });
  const detectors = await view.locator('[data-testid="anomaly-row"] td:nth-child(6)').allTextContents();
  assert.ok(!detectors.includes('iforest'), 'no iforest row left');
  // Counted before the click: the page may compute the toggle at once (it holds the forest's outputs).
  const off = await count();
  await view.locator('[data-testid="toggle-iforest"]').click();
  await expectCountChange(off);
  await view.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 30_000 });
});

async function expectCountChange(from, timeout = 10_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeout) {
    const n = await count();
    if (n !== from) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`the anomaly count stayed at ${from}`);
}

/** Moves a slider inside the webview; the ms until the count and the charts were redrawn, as the page measured them. */
const moveSlider = (testid, value) => moveSliderIn(view, testid, value);

test('moving a slider recomputes and redraws (time measured)', async () => {
  // A first move warms the caches (the forest is kept, the threshold moves); the timed moves follow.
  await moveSlider('slider-contamination', 0.02);
  timings.contaminationSlider = await moveSlider('slider-contamination', 0.01);
  assert.ok(timings.contaminationSlider.countMs > 0, 'the count changed');
  timings.ruleSlider = await moveSlider('slider-cpu-high', 45);
  assert.ok(timings.ruleSlider.countMs > 0, 'the count changed');
  assert.equal(await view.locator('[data-testid="slider-cpu-high"] + output').textContent(), '45.0');
  await moveSlider('slider-interval', 0.9);
  timings.intervalSlider = await moveSlider('slider-interval', 0.95);
  assert.ok(timings.intervalSlider.countMs > 0, 'the count changed');
  // The page computed these itself; the host's analysis of the same settings arrives after and agrees.
  const shown = await count();
  const rowsText = () => view.locator('[data-testid="anomaly-row"]').allTextContents();
  const firstRows = await rowsText();
  await view.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 30_000 });
  assert.equal(await count(), shown, 'the host\'s findings equal the page\'s');
  assert.deepEqual(await rowsText(), firstRows);
  // Back to the default interval for the tests that follow.
  await moveSlider('slider-interval', 0.8);
  await view.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 30_000 });
});

test('in the default view a rule threshold moves the incidents: the page computes them as the host does', async () => {
  await showView('minor');
  await view.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 30_000 });
  // cpu-high (a minor rule) at 45 fires through the busy hours, merging them into long incidents; at 58 it
  // fires on the peaks only: other incidents.
  const before = await count();
  const beforeRows = await view.locator('[data-testid="anomaly-row"]').allTextContents();
  timings.ruleSliderIncidents = await moveSlider('slider-cpu-high', 58);
  assert.ok(timings.ruleSliderIncidents.countMs > 0, `the incidents changed at once (${before} → ${await count()})`);
  const shown = await count();
  const rowsText = () => view.locator('[data-testid="anomaly-row"]').allTextContents();
  const pageRows = await rowsText();
  await view.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 30_000 });
  assert.equal(await count(), shown, 'the host\'s incidents equal the page\'s');
  assert.deepEqual(await rowsText(), pageRows);
  await moveSlider('slider-cpu-high', 45);
  await view.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 30_000 });
  assert.equal(await count(), before);
  assert.deepEqual(await rowsText(), beforeRows, 'back to the same incidents');
});

async function saveAs(target) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  // VS Code's own save dialog (VS Code for the web): wait for its proposed path, then replace it.
  await page.waitForFunction(() => /\.(csv|json)$/.test(document.querySelector('.quick-input-widget .quick-input-box input')?.value ?? ''), null, { timeout: 15_000 });
  await input.fill(target);
  // The dialog may still be listing the folder: Enter is accepted once the typed path is settled.
  for (let i = 0; i < 5; i++) {
    await page.waitForTimeout(400);
    if (!(await page.locator('.quick-input-widget').isVisible())) return;
    if ((await input.inputValue()) !== target) await input.fill(target);
    await page.keyboard.press('Enter');
  }
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

test('export CSV (anomalies only) and JSON (all rows) through the save dialog', async () => {
  const csvPath = path.join(dirs.ws, 'out-anomalies.csv');
  await view.locator('[data-testid="only-anomalies"]').click();
  await view.locator('[data-testid="export-csv"]').click();
  await saveAs(csvPath);
  await view.locator('[data-testid="notice"]', { hasText: 'Exported' }).waitFor({ timeout: 30_000 });
  const csv = fs.readFileSync(csvPath, 'utf8').split('\r\n');
  assert.equal(csv[0].split(',')[0], 'timestamp');
  assert.ok(csv[0].includes('max_severity'));
  assert.ok(csv.length > 3 && csv.length < 20160, `${csv.length} lines: only anomalous rows`);

  const jsonPath = path.join(dirs.ws, 'out-all.json');
  await view.locator('[data-testid="only-anomalies"]').click();
  await view.locator('[data-testid="export-json"]').click();
  await saveAs(jsonPath);
  await view.locator('[data-testid="notice"]', { hasText: 'out-all.json' }).waitFor({ timeout: 30_000 });
  const doc = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  assert.equal(doc.meta.tool, 'anomaly-hunter');
  assert.equal(doc.rows, 20160);
  assert.equal(doc.meta.input.sha256.length, 64);
  assert.equal(doc.scores.iforest.length, 20160);
  assert.ok(doc.anomalies.length > 0);
});

test('Send to webhook posts the incidents to the configured receiver and says so', async () => {
  await view.locator('[data-testid="send-webhook"]').click();
  const notice = view.locator('[data-testid="notice"]', { hasText: 'Webhook sent ✓' });
  await notice.waitFor({ timeout: 30_000 });
  assert.ok(received.length > 0);
  assert.equal(received[0].url, '/hook');
  assert.ok(received[0].headers['idempotency-key']);
  // rules/rules.yaml asks for the zapier format at major and above: one flat object per incident, never per row.
  const sent = received.map((r) => JSON.parse(r.body));
  assert.ok(sent.every((x) => x.source === 'anomaly-hunter' && ['critical', 'major'].includes(x.severity) && x.summary.length > 10), JSON.stringify(sent[0]));
  assert.equal(new Set(sent.map((x) => x.id)).size, sent.length, 'one message per incident');
  const n = Number(/\((\d+) incidents?\)/.exec(await notice.textContent())?.[1]);
  assert.equal(n, sent.length);
  assert.ok(n <= 20, `${n} incidents sent`);
});

test('a window reload restores the dashboard on the same file, with its sliders and its view', async () => {
  // The slider test left cpu-high at 45 and contamination at 1 %; the incidents test left the minor view.
  assert.equal(await view.locator('[data-testid="view-select"]').inputValue(), 'minor');
  assert.equal(await view.locator('[data-testid="slider-cpu-high"] + output').textContent(), '45.0');
  await runCommand(page, 'Developer: Reload Window');
  await waitForWorkbench(page, 'sample-data');
  await view.locator('[data-testid="chart-cpu"].rendered').waitFor({ timeout: 90_000 });
  assert.equal(await view.locator('.header h1').textContent(), 'stream.csv');
  await view.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 60_000 });
  assert.equal(await view.locator('[data-testid="slider-cpu-high"] + output').textContent(), '45.0');
  assert.equal(await view.locator('[data-testid="slider-contamination"] + output').textContent(), '1.0%');
  await view.locator('#app[data-view="minor"]').waitFor({ state: 'attached', timeout: 30_000 });
  assert.equal(await view.locator('[data-testid="view-select"]').inputValue(), 'minor');
  // Back to the defaults for the screenshots (cpu-high's is the rules file's 60: at 45 every daily peak is an incident).
  await showView('major');
  await moveSliderIn(view, 'slider-contamination', 0, { untilCount: false });
  assert.equal(await view.locator('[data-testid="slider-contamination"] + output').textContent(), 'calibrated');
  await moveSliderIn(view, 'slider-cpu-high', 60, { untilCount: false });
  assert.equal(await view.locator('[data-testid="slider-cpu-high"] + output').textContent(), '60.0');
  await view.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 30_000 });
});

test('light theme is readable', async () => {
  await setTheme(page, 'Light Modern');
  await page.locator('.monaco-workbench.vs').waitFor({ timeout: 30_000 });
  await analyzed();
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(dirs.shots, '02-dashboard-light.png') });
  await view.locator('.table-section').scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(dirs.shots, '02-dashboard-light-table.png') });
  await setTheme(page, 'Dark Modern');
  await page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 30_000 });
});


test('a CSV with HTML in its headers shows them as text', async () => {
  await openFile(page, 'hostile.csv');
  await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  const chart = view.locator('[data-testid="chart-<img src=x onerror=alert(1)>"].rendered');
  await chart.waitFor({ timeout: 60_000 });
  assert.equal(await chart.locator('.gtitle').textContent(), '<img src=x onerror=alert(1)>');
  assert.equal(await view.locator('[data-testid="chart-<b>bold</b>"] .gtitle').textContent(), '<b>bold</b>');
  assert.equal(await view.locator('img').count(), 0);
  assert.deepEqual(dialogs, []);
  await page.screenshot({ path: path.join(dirs.shots, '03-hostile-headers.png') });
});

test('a CSV written at a UTC offset shows its times as the file writes them', async () => {
  await openFile(page, 'offset.csv');
  await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  await view.locator('[data-testid="chart-cpu"].rendered').waitFor({ timeout: 60_000 });
  await analyzed();
  const times = await view.locator('[data-testid="anomaly-row"][data-kind="incident"] td:nth-child(1)').allTextContents();
  assert.ok(times.some((t) => t.includes('2024-01-01 02:30')), JSON.stringify(times));
  // The chart's x axis: the file's clock (its first tick at midnight, not 22:00 the day before).
  const ticks = await view.locator('[data-testid="chart-cpu"] .xtick text').allTextContents();
  assert.ok(ticks.length > 0 && !ticks.some((t) => /22:00|23:00/.test(t)), JSON.stringify(ticks));
  await page.screenshot({ path: path.join(dirs.shots, '03a-offset-csv.png') });
});

test('a long CSV (time, host, metric, value) gets a chart per series, its label values shown as text', async () => {
  await openFile(page, 'long.csv');
  await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  const chart = view.locator(`[data-testid='chart-cpu{host="a"}'].rendered`);
  await chart.waitFor({ timeout: 60_000 });
  assert.equal(await chart.locator('.gtitle').textContent(), 'cpu{host="a"}');
  const titles = await view.locator('.chart .gtitle').allTextContents();
  assert.deepEqual(titles.sort(), ['cpu{host="<i>b</i>"}', 'cpu{host="a"}', 'mem{host="<i>b</i>"}', 'mem{host="a"}']);
  assert.equal(await view.locator('.chart i').count(), 0);
  // The spike of host a's cpu is an incident of that series.
  await analyzed();
  const metrics = await view.locator('[data-testid="anomaly-row"][data-kind="incident"] td:nth-child(5)').allTextContents();
  assert.ok(metrics.some((m) => m.includes('cpu{host="a"}')), JSON.stringify(metrics));
  await page.screenshot({ path: path.join(dirs.shots, '03b-long-csv.png') });
  // Reveal in CSV on host <i>b</i>'s mem incident opens that series' own line (a time's 4th), not the time's first.
  const incident = view.locator('[data-testid="anomaly-row"][data-kind="incident"]', { hasText: 'mem{host="<i>b</i>"}' }).first();
  await incident.locator('button.link').click();
  await page.locator('.monaco-editor .cursors-layer .cursor').first().waitFor({ timeout: 15_000 });
  // The status bar may still show the last editor's position for a moment: read it until it is this file's.
  let line = NaN;
  for (let k = 0; k < 50 && (line - 2) % 4 !== 3; k++) {
    if (k) await new Promise((r) => setTimeout(r, 100));
    line = Number(/Ln (\d+)/.exec((await page.locator('#status\\.editor\\.selection').textContent()) ?? '')?.[1]);
  }
  assert.equal((line - 2) % 4, 3, `line ${line}`);
  await page.locator('.tabs-container .tab', { hasText: 'Anomalies' }).first().click();
});

test('a file of many metrics charts those with findings first; the others on request', async () => {
  await openFile(page, 'hosts.csv');
  await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  await view.locator(`[data-testid='chart-cpu{host="h9"}'].rendered`).waitFor({ timeout: 60_000 });
  await analyzed();
  const charts = () => view.locator('.chart').count();
  const more = view.locator('[data-testid="charts-more"]');
  assert.equal(await charts(), 12);
  assert.match(await more.textContent(), /^12 of 15 metrics charted, those with the strongest findings among them\. Chart all 15$/);
  await page.screenshot({ path: path.join(dirs.shots, '03c-many-metrics.png') });
  await more.locator('button').click();
  await until(async () => (await charts()) === 15, 'all 15 charts');
  assert.match(await more.textContent(), /^All 15 metrics charted\. Chart 12$/);
  // From the keyboard: the button keeps the focus when the charts change under it.
  await more.locator('button').focus();
  await page.keyboard.press('Enter');
  await until(async () => (await charts()) === 12, 'back to 12');
  assert.equal(await view.locator('[data-testid="charts-more-button"]:focus').count(), 1);
  assert.ok(await view.locator(`[data-testid='chart-cpu{host="h9"}']`).count() === 1, 'the spike\'s chart stays');
});

test('a 1,000,000-row CSV shows its first chart quickly', async () => {
  const big = path.join(dirs.ws, 'sample-data/big.csv');
  const out = fs.openSync(big, 'w');
  // Three metrics: 3,000,000 values, within what the editor analyses (ANALYSIS_WORKER_LIMITS.maxValues).
  fs.writeSync(out, 'timestamp,cpu,memory,disk_io\n');
  const t0ms = Date.UTC(2023, 0, 1);
  let chunk = '';
  for (let i = 0; i < 1_000_000; i++) {
    const d = Math.sin((2 * Math.PI * i) / 1440);
    chunk += `${new Date(t0ms + i * 60000).toISOString()},${(40 + 20 * d + (i % 7)).toFixed(2)},${(55 + 5 * d).toFixed(2)},${(30 + (i % 13)).toFixed(2)}\n`;
    if (chunk.length > 1 << 20) { fs.writeSync(out, chunk); chunk = ''; }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
  // A 50 MB file: VS Code may not show it as text; the command still applies to the active tab's file.
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'big.csv' }).first().click({ timeout: 30_000 });
  await page.locator('.tabs-container .tab', { hasText: 'big.csv' }).first().waitFor({ timeout: 30_000 });
  const t0 = Date.now();
  await runCommand(page, 'Anomaly Hunter: Analyze CSV File…');
  await view.locator('[data-testid="chart-cpu"].rendered').waitFor({ timeout: 120_000 });
  timings.bigFirstChartMs = Date.now() - t0;
  await page.screenshot({ path: path.join(dirs.shots, '04-big-file.png') });
  assert.ok(timings.bigFirstChartMs < 30_000, `first chart after ${timings.bigFirstChartMs} ms`);
  // Every detector finishes: the page settles with the complete analysis and no error.
  await view.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 300_000 });
  timings.bigCompleteMs = Date.now() - t0;
  assert.equal(await view.locator('[data-testid="notice"].error').count(), 0, 'no error notice');
  assert.match(await view.locator('.footer').textContent(), /Computed in/);
  timings.bigAnomalies = await count();
  await page.screenshot({ path: path.join(dirs.shots, '05-big-file-complete.png') });
});

/** The explorer's row of a file of sample-data/ (the folder opened first when it is closed). */
async function explorerRow(name) {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  if (!(await row.isVisible().catch(() => false))) await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'sample-data' }).first().click();
  await row.waitFor({ timeout: 15_000 });
  return row;
}

/** Right-click in the explorer, then a command of its context menu. */
async function explorerMenu(name, command) {
  await (await explorerRow(name)).click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-item', { hasText: command }).first();
  await item.waitFor({ timeout: 10_000 });
  await item.click();
  // A click while the menu is still settling can leave it open with the item highlighted: then Enter chooses it.
  if (!(await item.waitFor({ state: 'hidden', timeout: 2000 }).then(() => true, () => false))) {
    await item.hover();
    await page.keyboard.press('Enter');
    await item.waitFor({ state: 'hidden', timeout: 5000 });
  }
}

/** The CLI's default view of sample-data/metrics.csv.gz (no rules file names it): the reference for the editor. */
function gzIncidents() {
  const r = spawnSync(process.execPath, [path.join(REPO, 'dist/cli.js'), 'analyze', path.join(dirs.ws, 'sample-data/metrics.csv.gz'), '--format', 'json', '--only-anomalies'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).incidents;
}

const cursorLine = async () => Number(/Ln (\d+)/.exec((await page.locator('#status\\.editor\\.selection').textContent()) ?? '')?.[1]);
const gzTextTab = () => page.locator('.tabs-container .tab', { hasText: 'metrics.csv.gz' }).filter({ hasNotText: 'Anomalies' }).first();

test('a .csv.gz analyses from the explorer\'s context menu: its charts and the incidents the CLI finds in it', async () => {
  const incidents = gzIncidents();
  assert.ok(incidents.length >= 2 && incidents.length <= 10, `${incidents.length} incidents`);
  await explorerMenu('metrics.csv.gz', 'Analyze CSV File…');
  // The dashboard may show another file (with a cpu chart too) until this one's first model arrives.
  await view.locator('.header', { hasText: '2,880 rows' }).waitFor({ timeout: 60_000 })
    .catch(async (e) => { await page.screenshot({ path: path.join(dirs.shots, '06x-failed.png') }); throw e; });
  assert.equal(await view.locator('.header h1').textContent(), 'metrics.csv.gz');
  for (const metric of ['cpu', 'memory']) await view.locator(`[data-testid="chart-${metric}"].rendered`).waitFor({ timeout: 30_000 });
  assert.equal(await view.locator('[data-testid="view-select"]').inputValue(), 'major');
  await until(async () => (await view.locator('#app[data-settled="true"]').count()) === 1 && (await count()) === incidents.length, `${incidents.length} incidents`, 60_000);
  await analyzed();
  await page.screenshot({ path: path.join(dirs.shots, '06-gz-dashboard.png') });
});

test('Reveal in CSV on a .csv.gz opens its decompressed text, read-only, at the incident, with the findings and Problems entries there', async () => {
  const lines = new Set(gzIncidents().map((i) => i.startRow + 2));
  const incident = view.locator('[data-testid="anomaly-row"][data-kind="incident"]').first();
  await incident.locator('button.link').click();
  await gzTextTab().waitFor({ timeout: 15_000 });
  await page.locator('.monaco-editor .cursors-layer .cursor').first().waitFor({ timeout: 15_000 });
  let line = NaN;
  for (let k = 0; k < 50 && !lines.has(line); k++) {
    if (k) await new Promise((r) => setTimeout(r, 100));
    line = await cursorLine();
  }
  assert.ok(lines.has(line), `line ${line} starts an incident (${[...lines]})`);
  // Text, not the binary-file page: the rows around the cursor, with the findings' gutter marks.
  const editor = page.locator('.editor-instance .monaco-editor').filter({ has: page.locator('.view-line', { hasText: '2024-03-0' }) }).first();
  await editor.waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('.editor-instance', { hasText: 'binary' }).count(), 0);
  await editor.locator('.cgmr').first().waitFor({ timeout: 60_000 });
  // Read-only: a key typed into it changes nothing (the tab never turns dirty) and VS Code says why.
  await editor.locator('.view-lines').click();
  await page.keyboard.type('x');
  await page.locator('.monaco-editor-overlaymessage', { hasText: /read-only/i }).first().waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('.tabs-container .tab.dirty', { hasText: 'metrics.csv.gz' }).count(), 0);
  await page.screenshot({ path: path.join(dirs.shots, '07-gz-revealed.png') });
  // The Problems entries of the .gz's incidents (one per incident) point into this text: choosing one goes to its line here.
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const filter = page.locator('.viewpane-filter input').first();
  // Only this file's entries (the CSVs opened before have theirs): a glob filters by the resource.
  await filter.fill('**/metrics.csv.gz');
  const files = page.locator('.markers-panel .monaco-list-row[aria-level="1"]');
  const file = files.filter({ hasText: 'metrics.csv.gz' }).first();
  await until(async () => (await files.count()) === 1 && (await file.count()) === 1, 'the Problems of metrics.csv.gz alone', 30_000);
  if (await file.getAttribute('aria-expanded') === 'false') await file.click();
  const entries = page.locator('.markers-panel .monaco-list-row[aria-level="2"]');
  await entries.first().waitFor({ timeout: 15_000 });
  // How the file was read (its warnings) has entries of its own: not incidents.
  const labels = (await entries.evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''))).filter((l) => !/Read with a warning/.test(l));
  const entryLines = labels.map((l) => Number(/line (\d+)/i.exec(l)?.[1])).sort((a, b) => a - b);
  assert.deepEqual(entryLines, [...lines].sort((a, b) => a - b), labels.join(' || '));
  await page.screenshot({ path: path.join(dirs.shots, '08-gz-problems.png') });
  // An entry selects its incident's lines (the cursor at the end of the selection): the last one's incident is 5 rows.
  const chosen = Number(/line (\d+)/i.exec(labels.at(-1))[1]);
  // Clicked, then Enter: a click that only focused the list (the panel still opening) still opens the entry.
  await entries.last().click();
  await page.keyboard.press('Enter');
  const selection = page.locator('#status\\.editor\\.selection');
  await until(async () => /selected/.test(await selection.textContent()) && (await cursorLine()) >= chosen && (await cursorLine()) <= chosen + 10, `the incident from line ${chosen} selected`, 15_000)
    .catch(async (e) => { await page.screenshot({ path: path.join(dirs.shots, '08x-failed.png') }); throw new Error(`${e.message}; status bar: ${await selection.textContent()}; labels: ${labels.join(' || ')}`); });
  await page.locator('.tabs-container .tab.active', { hasText: 'metrics.csv.gz' }).filter({ hasNotText: 'Anomalies' }).waitFor({ timeout: 5000 });
  await filter.fill('');
  await gzTextTab().waitFor();
  // The .gz rewritten on disk (a row appended): its open text follows the file, as a plain CSV's editor does.
  const gzPath = path.join(dirs.ws, 'sample-data/metrics.csv.gz');
  fs.writeFileSync(gzPath, zlib.gzipSync(Buffer.concat([zlib.gunzipSync(fs.readFileSync(gzPath)), Buffer.from('2024-03-03T00:00:00.000Z,42.125,61.50\r\n')])));
  await gzTextTab().click();
  await editor.locator('.view-lines').click();
  // The new text may arrive after a first Ctrl+End (the watcher's event is asynchronous): the end is gone to again
  // until the appended row is shown there.
  const appended = editor.locator('.view-line', { hasText: '42.125' });
  // The watcher's event can be lost on a busy machine: a text shown again (another tab, then back) is checked
  // against its file too, which is what this goes back to after 10 s without it.
  const t0 = Date.now();
  let back = false;
  await until(async () => {
    if (!back && Date.now() - t0 > 10_000) {
      back = true;
      await page.locator('.tabs-container .tab', { hasText: 'Anomalies' }).first().click();
      await gzTextTab().click();
      await editor.locator('.view-lines').click();
    }
    await page.keyboard.press('Control+End');
    return appended.isVisible();
  }, 'the row appended to the .gz shown in its open text', 30_000);
  await page.locator('.tabs-container .tab', { hasText: 'Anomalies' }).first().click();
});

test('Start Streaming on a .csv.gz says it cannot be followed and offers to analyse it; a damaged .csv.gz says what is wrong', async () => {
  const stream = page.locator('.notifications-toasts .notification-list-item', { hasText: 'gzip-compressed' }).first();
  await runCommand(page, 'Anomaly Hunter: Start Streaming');
  await stream.waitFor({ timeout: 15_000 });
  await page.waitForTimeout(600);
  assert.match(await stream.locator('.notification-list-item-message').textContent(), /^Anomaly Hunter: metrics\.csv\.gz is gzip-compressed, so it cannot be followed as it grows: .*gunzip -k metrics\.csv\.gz\)\.$/);
  assert.equal(await stream.locator('.monaco-button', { hasText: 'Analyze Instead' }).count(), 1);
  assert.equal(await page.locator('.statusbar-item', { hasText: 'live:' }).count(), 0, 'nothing is streamed');
  await page.screenshot({ path: path.join(dirs.shots, '09-gz-streaming.png') });
  await stream.locator('.monaco-button', { hasText: 'Analyze Instead' }).click();
  await stream.waitFor({ state: 'detached', timeout: 10_000 });
  await explorerMenu('damaged.csv.gz', 'Analyze CSV File…');
  const toast = notification(page, 'a damaged gzip file');
  await toast.waitFor({ timeout: 30_000 });
  assert.equal(await toast.textContent(), 'Anomaly Hunter: damaged.csv.gz: a damaged gzip file (unexpected end of file): nothing read from it');
  const notice = view.locator('[data-testid="notice"].error');
  await notice.waitFor({ timeout: 15_000 });
  assert.match(await notice.textContent(), /damaged\.csv\.gz: a damaged gzip file \(unexpected end of file\)/);
  assert.doesNotMatch(await notice.textContent(), /\bat \S+ \(|\.js:\d+/, 'no stack trace');
  // The panel stays on the file it showed.
  assert.equal(await view.locator('.header h1').textContent(), 'metrics.csv.gz');
  await page.waitForTimeout(600);
  await page.screenshot({ path: path.join(dirs.shots, '10-gz-damaged.png') });
});

test('a window reload restores the dashboard on the .csv.gz it showed', async () => {
  await runCommand(page, 'Developer: Reload Window');
  await waitForWorkbench(page, 'sample-data');
  await view.locator('[data-testid="chart-cpu"].rendered').waitFor({ timeout: 90_000 });
  assert.equal(await view.locator('.header h1').textContent(), 'metrics.csv.gz');
  await view.locator('#app[data-settled="true"]').waitFor({ state: 'attached', timeout: 60_000 });
  assert.equal(await count(), gzIncidents().length);
  await page.screenshot({ path: path.join(dirs.shots, '11-gz-restored.png') });
});

test('the webview raised no Content Security Policy violation', () => {
  const csp = consoleLines.filter((l) => /Content Security Policy|Refused to (load|execute|apply)/i.test(l));
  assert.deepEqual(csp, []);
});
