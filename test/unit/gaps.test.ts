import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { GAP_STEPS, GapWatch, STEP_SAMPLE, breakAtGaps, gapNote, isGap, regularStep, timeGaps } from '../../src/core/csv/gaps.ts';
import type { TimeGap } from '../../src/core/csv/gaps.ts';
import { parseCsv } from '../../src/core/csv/parse.ts';
import { runStream } from '../../src/cli/commands/stream.ts';
import { main } from '../../src/cli/main.ts';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 4, 0, 0);

/** 1-minute times from T0, `n` of them, with the rows of the [from, to) index ranges of `cut` left out. */
function minutes(n: number, cut: [number, number][] = []): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!cut.some(([a, b]) => i >= a && i < b)) out.push(T0 + i * MIN);
  return out;
}

function csvOf(ts: number[]): string {
  return 'timestamp,cpu\n' + ts.map((t, i) => `${new Date(t).toISOString()},${(50 + (i % 7)).toFixed(1)}`).join('\n') + '\n';
}

test('regularStep: the median interval when most intervals are near it; 0 for irregular times or too few', () => {
  assert.equal(regularStep(Array(20).fill(MIN)), MIN);
  // Jitter of a few percent is still one step.
  assert.equal(regularStep(Array.from({ length: 20 }, (_, i) => 15_000 + (i % 3) * 500)), 15_500);
  // Events: intervals spread over two orders of magnitude have no dominant step.
  assert.equal(regularStep(Array.from({ length: 40 }, (_, i) => 1000 * (1 + ((i * 37) % 100)))), 0);
  assert.equal(regularStep([MIN, MIN, MIN]), 0);
});

test('isGap: ten usual steps or more; none without a step', () => {
  assert.equal(isGap(GAP_STEPS * MIN, MIN), true);
  assert.equal(isGap(GAP_STEPS * MIN - 1, MIN), false);
  assert.equal(isGap(1e12, 0), false);
});

test('timeGaps: 300 one-minute rows left out are one gap, between the rows either side; a few missed rows are none', () => {
  const ts = minutes(2000, [[1001, 1301], [1500, 1505]]);
  const gaps = timeGaps(ts);
  assert.deepEqual(gaps, [{ fromMs: T0 + 1000 * MIN, toMs: T0 + 1301 * MIN, line: 1002, stepMs: MIN }]);
  assert.equal(gapNote(gaps[0]), 'no rows for 5h (300 missing 1m steps) between 2024-03-04 16:40 and 21:41');
});

test('timeGaps: gaps among the first rows (held until the step is known) are told in order; irregular times get none', () => {
  const ts = minutes(200, [[5, 20], [30, 45], [150, 170]]);
  assert.ok(ts.length > STEP_SAMPLE + 10);
  assert.deepEqual(timeGaps(ts).map((g) => [g.fromMs, g.toMs]), [[T0 + 4 * MIN, T0 + 20 * MIN], [T0 + 29 * MIN, T0 + 45 * MIN], [T0 + 149 * MIN, T0 + 170 * MIN]]);
  // Few rows: decided at the end on what there is.
  assert.deepEqual(timeGaps(minutes(20, [[10, 19]])).map((g) => g.line), [11]);
  // Irregular: events seconds to minutes apart, then a pause of hours, are no regular file.
  let t = T0;
  const events = Array.from({ length: 300 }, (_, i) => (t += 1000 * (1 + ((i * 37) % 300)) + (i === 150 ? 6 * 3_600_000 : 0)));
  assert.deepEqual(timeGaps(events), []);
});

test('GapWatch passes over repeated and earlier times, and measures from the newest', () => {
  const said: TimeGap[] = [];
  const w = new GapWatch((g) => said.push(g));
  let line = 1;
  for (const t of minutes(100)) { w.add(t, ++line); w.add(t, ++line); w.add(t - 30 * MIN, ++line); w.add(NaN, ++line); }
  w.add(T0 + 99 * MIN + 12 * MIN, 999);
  w.end();
  assert.deepEqual(said, [{ fromMs: T0 + 99 * MIN, toMs: T0 + 111 * MIN, line: 999, stepMs: MIN }]);
});

test('gapNote: the day of the second time only when it differs; seconds when the times have them', () => {
  const day = 86_400_000;
  assert.equal(gapNote({ fromMs: T0 + day - 3 * 3_600_000, toMs: T0 + day + 3 * 3_600_000 + 15_000, line: 9, stepMs: 15_000 }), 'no rows for 6h (1,440 missing 15s steps) between 2024-03-04 21:00 and 2024-03-05 03:00:15');
});

test('breakAtGaps: a point of no value between chart points that span a gap, for every series alike; none without gaps', () => {
  // Downsampled points: 0, 4, 8 | gap 8 → 20 | 20, 24.
  const x = [0, 4, 8, 20, 24];
  const y = [1, 2, 3, 4, 5];
  const yhat = [1, 1, 1, 1, null];
  assert.deepEqual(breakAtGaps(x, [y, yhat], [[8, 20]]), { x: [0, 4, 8, 14, 20, 24], ys: [[1, 2, 3, null, 4, 5], [1, 1, 1, null, 1, null]] });
  // A gap inside the stretch between two kept points (rows between them dropped by the downsampling) breaks it too.
  assert.deepEqual(breakAtGaps([0, 10, 30], [[1, 2, 3]], [[12, 25]]).ys, [[1, 2, null, 3]]);
  // A zoomed window that starts after the gap, or no gaps: the inputs as they are.
  const same = breakAtGaps(x, [y], [[-10, -5]]);
  assert.equal(same.x, x);
  assert.equal(breakAtGaps(x, [y], []).ys[0], y);
});

test('analyze warns of each gap at the line where rows resume: the first three, then a count', () => {
  const one = parseCsv(csvOf(minutes(2000, [[1001, 1301]])));
  assert.deepEqual(one.issues.filter((i) => i.code === 'time-gap'), [{ severity: 'warning', code: 'time-gap', message: 'no rows for 5h (300 missing 1m steps) between 2024-03-04 16:40 and 21:41', line: 1003, column: undefined }]);
  const five = parseCsv(csvOf(minutes(1000, [[100, 120], [200, 220], [300, 320], [400, 420], [500, 520]])));
  assert.deepEqual(five.issues.filter((i) => i.code === 'time-gap').map((i) => [i.line, i.message.slice(0, 20)]), [
    [102, 'no rows for 20m (20 '], [182, 'no rows for 20m (20 '], [262, 'no rows for 20m (20 '], [102, '2 more like this (ti'],
  ]);
  // No gap, no warning; and the rows read are the same (a gap changes no value: detection sees the same data).
  assert.equal(parseCsv(csvOf(minutes(1000))).issues.length, 0);
  assert.equal(one.frame!.rows, 1700);
});

test('stream says the same gap warning as analyze, at the same line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-gaps-'));
  try {
    writeFileSync(join(dir, 'g.csv'), csvOf(minutes(600, [[301, 451]])));
    let out = '', err = '';
    const ctx = { argv: ['g.csv', '--format', 'nab'], stdout: (s: string) => { out += s; }, stderr: (s: string) => { err += s; }, env: {}, cwd: dir };
    assert.equal(await runStream(ctx), 0, err);
    const want = 'g.csv:303: warning: no rows for 2h30m (150 missing 1m steps) between 2024-03-04 05:00 and 07:31';
    assert.deepEqual(err.split('\n').filter((l) => /no rows/.test(l)), [want]);
    assert.equal(out.trim().split('\n').length, 451);
    let aerr = '';
    const code = await main(['analyze', join(dir, 'g.csv')], { stdout: () => {}, stderr: (s: string) => { aerr += s; }, env: {}, cwd: dir });
    assert.equal(code, 0, aerr);
    assert.deepEqual(aerr.split('\n').filter((l) => /no rows/.test(l)), [join(dir, want)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('intervals alternating 30 s and 90 s (half near each) give no usual step: no gap is said in a step the file does not have', () => {
  const ts: number[] = [0];
  for (let i = 1; i <= STEP_SAMPLE; i++) ts.push(ts[i - 1] + (i % 2 ? 30_000 : 90_000));
  for (let i = 0; i < 200; i++) ts.push(ts[ts.length - 1] + 60_000);
  ts.push(ts[ts.length - 1] + 3_600_000);
  assert.deepEqual(timeGaps(Float64Array.from(ts)), []);
});
