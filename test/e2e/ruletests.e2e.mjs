// Rule tests in the Test Explorer of a real VS Code: a promtool-format test file next to the sample rules is
// listed with one item per alert_rule_test case; Run All Tests runs them with our engine; the failing case shows
// its expected/got diff at its eval_time line. Then Export as Prometheus Rules… writes a rule file.
// Screenshots go to .vscode-test/runs/ruletests/shots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { notification, openFile, openWorkbench, prepareRun, runCommand } from './harness.mjs';
import { sampleWorkspace } from './workspace.mjs';

const TESTS = `rule_files: [rules.yaml]
tests:
  - interval: 1m
    input_series:
      - series: 'cpu{host="db1"}'
        values: '50 95x12'
    alert_rule_test:
      - eval_time: 4m
        alertname: cpu-saturated
      - eval_time: 7m
        alertname: cpu-saturated
        exp_alerts:
          - exp_labels: {host: db1, severity: critical, team: infra, component: compute}
            exp_annotations:
              summary: 'CPU at 95% (> 90%) for 5 minutes at 1970-01-01 00:07:00 +0000 UTC'
              runbook_url: https://runbooks.example.invalid/cpu-saturated
      - eval_time: 9m
        alertname: cpu-saturated
        exp_alerts:
          - exp_labels: {host: db2, severity: critical, team: infra, component: compute}
`;
const FAILING_LINE = TESTS.split('\n').findIndex((l) => l.includes('eval_time: 9m')) + 1;

let dirs, page, close;

before(async () => {
  const ws = sampleWorkspace();
  fs.writeFileSync(path.join(ws, 'rules', 'cpu.test.yaml'), TESTS);
  dirs = prepareRun('ruletests', { workspace: ws, settings: { 'workbench.colorTheme': 'Default Dark Modern', 'testing.automaticallyOpenPeekView': 'failureInVisibleDocument' } });
  ({ page, close } = await openWorkbench(dirs, 'rules'));
});

after(async () => {
  await close?.();
});

const treeRow = (text) => page.locator('.test-explorer-tree .monaco-list-row', { hasText: text }).first();

test('a rule test file appears in the Test Explorer with one item per alert_rule_test case', async () => {
  await page.locator('.activitybar .action-item a[aria-label="Testing"]').click();
  await treeRow('rules/cpu.test.yaml').waitFor({ timeout: 60_000 });
  await treeRow('rules/cpu.test.yaml').click();
  await page.keyboard.press('ArrowRight');
  for (const t of ['cpu-saturated at 4m', 'cpu-saturated at 7m', 'cpu-saturated at 9m']) await treeRow(t).waitFor({ timeout: 20_000 });
  await page.screenshot({ path: path.join(dirs.shots, '01-explorer.png') });
});

test('Run All Tests: two cases pass, the wrong one fails with its expected/got diff at its eval_time line', async () => {
  await openFile(page, 'cpu.test.yaml');
  // The Run Tests action of the Testing view's title bar.
  await page.locator('.part.sidebar .title-actions .action-label[aria-label^="Run Tests"]').first().click();
  const failed = treeRow('cpu-saturated at 9m').locator('.codicon-testing-failed-icon');
  await failed.waitFor({ timeout: 60_000 });
  for (const t of ['cpu-saturated at 4m', 'cpu-saturated at 7m']) {
    await treeRow(t).locator('.codicon-testing-passed-icon').waitFor({ timeout: 20_000 });
  }
  // The peek view opens on the failure in the visible test file: the message and the diff of expected and got.
  const peek = page.locator('.monaco-editor .peekview-widget').first();
  await peek.waitFor({ timeout: 30_000 });
  await page.waitForTimeout(1000);
  const text = await peek.innerText();
  console.log(text.split('\n').slice(0, 14).map((l) => `  peek: ${l}`).join('\n'));
  assert.match(text, /host="db2"/);
  assert.match(text, /host="db1"/);
  await page.screenshot({ path: path.join(dirs.shots, '02-failure.png') });
  // The peek sits under the failing case's eval_time line.
  const lineNumbers = await page.locator('.monaco-editor .margin-view-overlays .line-numbers').allInnerTexts();
  assert.ok(lineNumbers.includes(String(FAILING_LINE)), `line ${FAILING_LINE} is shown`);
  const peekTop = (await peek.boundingBox()).y;
  const lineBox = await page.locator('.monaco-editor .margin-view-overlays .line-numbers', { hasText: new RegExp(`^${FAILING_LINE}$`) }).first().boundingBox();
  assert.ok(peekTop > lineBox.y && peekTop - lineBox.y < 60, `the peek (y ${peekTop}) is right below line ${FAILING_LINE} (y ${lineBox.y})`);
  await page.keyboard.press('Escape');
});

test('Export as Prometheus Rules… writes a rule file beside the rules file', async () => {
  await openFile(page, 'rules.yaml');
  await runCommand(page, 'Export as Prometheus Rules');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  // The simple file dialog fills in the proposed name a moment after it opens.
  const t0 = Date.now();
  while (!/rules\.prometheus\.yml$/.test(await input.inputValue()) && Date.now() - t0 < 10_000) await page.waitForTimeout(100);
  assert.match(await input.inputValue(), /rules\.prometheus\.yml$/);
  await page.keyboard.press('Enter');
  await notification(page, 'exported').waitFor({ timeout: 20_000 });
  const out = path.join(dirs.ws, 'rules', 'rules.prometheus.yml');
  const text = fs.readFileSync(out, 'utf8');
  assert.match(text, /- alert: cpu-saturated\n {8}expr: "cpu > 90"/);
  await page.screenshot({ path: path.join(dirs.shots, '03-export.png') });
});
