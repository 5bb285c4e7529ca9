import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { frameOf } from '../../src/core/csv/frame.ts';
import { promRulesForCsv } from '../../src/core/promrules/csvRules.ts';
import { applyEdits, thresholdEdits } from '../../src/core/rules/language.ts';
import { lineStarts } from '../../src/core/textPosition.ts';
import { slidersOf } from '../../src/extension/sessionSettings.ts';

// Comments, quotes, a block scalar, the number on the left, a duplicated alert name, an anchor shared by two rules,
// and rules that are more than a comparison: every byte but the thresholds must survive a save.
const FILE = `# node alerts
groups:
  - name: node   # team sre
    rules:
      - alert: HighCpu
        expr: cpu > 90   # page
        for: 5m
        labels: {severity: critical}
      - alert: HighCpu
        expr: "(cpu{host=\\"a\\"} >= (75.5))"
      - alert: LowMem
        expr: |
          # free memory, bytes
          3e9 > mem
      - alert: Rate
        expr: rate(cpu[5m]) > 2
      - record: cpu:avg
        expr: avg(cpu)
      - alert: Shared
        expr: &same mem < 10
      - alert: SharedToo
        expr: *same
`;

test('"Save to rules file" on a Prometheus rule file rewrites only the numbers of the exprs the sliders came from, byte for byte elsewhere', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-promsave-'));
  try {
    const path = join(dir, 'node.rules.yml');
    writeFileSync(path, FILE);
    const text = readFileSync(path, 'utf8');
    const frame = frameOf({ cpu: [10, 50, 99], 'cpu{host="a"}': [1, 2, 3], mem: [2e9, 4e9, 5e9] }, [0, 60_000, 120_000]);
    const { file } = promRulesForCsv(text, lineStarts(text));
    // A slider for each simple comparison written in place; none for the anchored expr another rule reads too.
    const sliders = slidersOf(file, frame);
    assert.deepEqual(sliders.map((s) => [s.name, s.threshold]), [['HighCpu', 90], ['HighCpu (line 9)', 75.5], ['LowMem', 3e9]]);
    assert.deepEqual(file.rules.map((r) => r.name), ['HighCpu', 'HighCpu (line 9)', 'LowMem', 'Shared', 'SharedToo']);

    const edits = thresholdEdits(text, { HighCpu: 85, 'HighCpu (line 9)': 70, LowMem: 2500000000, Shared: 5, Rate: 1 });
    assert.equal(edits.length, 3);
    writeFileSync(path, applyEdits(text, edits));
    const saved = readFileSync(path, 'utf8');
    assert.equal(saved, FILE.replace('cpu > 90 ', 'cpu > 85 ').replace('(75.5)', '(70)').replace('3e9 > mem', '2500000000 > mem'));
    // Read again, the rules have the thresholds saved.
    const again = promRulesForCsv(saved, lineStarts(saved)).file.rules;
    assert.deepEqual(again.map((r) => [r.name, r.op, r.threshold]), [['HighCpu', '>', 85], ['HighCpu (line 9)', '>=', 70], ['LowMem', '<', 2.5e9], ['Shared', '<', 10], ['SharedToo', '<', 10]]);
    // Nothing asked: nothing to write.
    assert.deepEqual(thresholdEdits(saved, {}), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
