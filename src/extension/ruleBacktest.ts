// "Write a test from this data" (issue 17): the CodeLens action that turns a rule's firing on its CSV into a rule
// unit test file beside the rules file (src/core/promrules/backtest.ts writes it), which the Test Explorer runs.
import * as vscode from 'vscode';
import { access } from 'node:fs/promises';
import type { Frame } from '../core/csv/frame.ts';
import { backtest } from '../core/promrules/backtest.ts';
import { writeFileAtomic } from '../node/writeFileAtomic.ts';

/** The command of the CodeLens: arguments (rules file URI, rule name); the data comes from the rules editor. */
export const WRITE_RULE_TEST_COMMAND = 'anomalyHunter.writeRuleTest';

/** Writes `<rules>.<rule>.test.yaml` beside the rules file (asking before replacing one) and opens it. */
export async function writeRuleTest(rulesUri: vscode.Uri, rule: string, frame: Frame, dataName: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(rulesUri);
  if (doc.isDirty) {
    void vscode.window.showWarningMessage('Anomaly Hunter: save the rules file first: the test runs the rules file as saved.');
    return;
  }
  const rulesName = rulesUri.path.replace(/^.*\//, '');
  const b = backtest(doc.getText(), rulesName, rule, frame, dataName);
  if (!b.ok) {
    void vscode.window.showErrorMessage(`Anomaly Hunter: no test written: ${b.reason}.`);
    return;
  }
  const safe = rule.replace(/[^A-Za-z0-9_.-]+/g, '_');
  const target = vscode.Uri.joinPath(rulesUri, '..', `${rulesName.replace(/\.(ya?ml)$/i, '')}.${safe}.test.yaml`);
  if (await access(target.fsPath).then(() => true, () => false)) {
    const replace = 'Replace';
    const pick = await vscode.window.showWarningMessage(`${target.path.replace(/^.*\//, '')} exists already.`, { modal: true, detail: 'Replace it with a test written from the data now?' }, replace);
    if (pick !== replace) return;
  }
  await writeFileAtomic(target.fsPath, [b.text], [rulesUri.fsPath]);
  await vscode.window.showTextDocument(target, { preview: false });
  void vscode.window.showInformationMessage(`Anomaly Hunter: wrote a test of '${rule}' from ${b.rows.toLocaleString('en')} rows of ${dataName}; run it from the Testing view.`);
}
