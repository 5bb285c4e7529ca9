import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOLDS_NOTHING, plan } from '../../src/extension/dashboardPosts.ts';
import type { PageHolds, Shown } from '../../src/extension/dashboardPosts.ts';

const shown = (over: Partial<Shown> = {}): Shown => ({
  loaded: true, small: true, complete: true, data: 'd1', fits: 'f1', forecastFits: true, series: 's1', interval: 0.8, ...over,
});

/** Plans posts one after another, as the controller does, returning each plan's posts and what the page then holds. */
function sequence(...steps: [Shown, boolean?][]): { posts: string[][]; holds: PageHolds } {
  let holds = HOLDS_NOTHING;
  const posts: string[][] = [];
  for (const [s, model] of steps) {
    const p = plan(holds, s, model);
    posts.push(p.posts.map((x) => (x === 'outputs' && p.fitsHeld ? 'outputs(key)' : x === 'model' && p.byPage ? 'model(byPage)' : x)));
    holds = p.holds;
  }
  return { posts, holds };
}

test('a loaded page is sent the data, then the outputs, then a model without findings; later analyses send outputs with the fits\' key only', () => {
  const r = sequence([shown()], [shown()], [shown({ fits: 'f2' })]);
  assert.deepEqual(r.posts, [['data', 'outputs', 'model(byPage)'], ['outputs(key)', 'model(byPage)'], ['outputs', 'model(byPage)']]);
  assert.deepEqual(r.holds, { data: 'd1', fits: 'f2', series: JSON.stringify(['s1', 'page']) });
});

test('a page still loading gets the model alone, with the host\'s findings; its ready brings the data and outputs', () => {
  const r = sequence([shown({ loaded: false })], [shown(), false]);
  assert.deepEqual(r.posts, [['model'], ['data', 'outputs']]);
  assert.equal(r.holds.fits, 'f1');
});

test('an analysis not complete goes first with the host\'s findings; the data follows; the complete one is computed by the page', () => {
  const r = sequence([shown({ complete: false, fits: null })], [shown()]);
  assert.deepEqual(r.posts, [['model', 'data'], ['outputs', 'model(byPage)']]);
});

test('a large file or a live window: the host computes every model and nothing else is sent', () => {
  for (const s of [shown({ small: false }), shown({ small: false, complete: false })]) {
    const p = plan(HOLDS_NOTHING, s);
    assert.deepEqual([p.posts, p.byPage, p.holds.data, p.holds.fits], [['model'], false, null, null]);
  }
});

test('new content sends the data again and the fits with it, even under the same key', () => {
  const r = sequence([shown()], [shown({ data: 'd2' })]);
  assert.deepEqual(r.posts[1], ['data', 'outputs', 'model(byPage)']);
  const p = plan(r.holds, shown({ data: 'd3', complete: false }));
  assert.deepEqual([p.posts, p.holds.fits], [['model', 'data'], null]);
});

test('the series go again when what they depend on changes, and with the interval only when the page cannot draw the band', () => {
  const h = plan(HOLDS_NOTHING, shown()).holds;
  assert.equal(plan(h, shown({ interval: 0.9 })).withSeries, false, 'the page draws the band from the fits');
  assert.equal(plan(h, shown({ series: 's2' })).withSeries, true);
  const big = plan(HOLDS_NOTHING, shown({ small: false })).holds;
  assert.equal(plan(big, shown({ small: false })).withSeries, false);
  assert.equal(plan(big, shown({ small: false, interval: 0.9 })).withSeries, true);
  assert.equal(plan(h, shown(), false).holds.series, h.series, 'no model, no series');
});
