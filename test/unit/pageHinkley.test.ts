import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PageHinkley } from '../../src/core/streaming/pageHinkley.ts';
import { createRng } from '../../src/core/random.ts';

test('Page-Hinkley: no alarm on 20,000 standard normal values', () => {
  const rng = createRng(1);
  const ph = new PageHinkley();
  for (let i = 0; i < 20_000; i++) assert.equal(ph.push(rng.normal()), false, `alarm at ${i}`);
});

test('Page-Hinkley: a +3 sd shift raises the alarm within 40 values and locates its start; a −3 sd one too', () => {
  for (const sign of [1, -1]) {
    const rng = createRng(2);
    const ph = new PageHinkley();
    let alarm = -1;
    for (let i = 0; i < 2000 && alarm < 0; i++) if (ph.push(rng.normal() + (i >= 1000 ? 3 * sign : 0))) alarm = i;
    assert.ok(alarm >= 1000 && alarm < 1040, `alarm at ${alarm}`);
    assert.ok(Math.abs(ph.changeAt - 1000) <= 5, `change located at ${ph.changeAt}`);
  }
});

test('Page-Hinkley: one huge spike is clipped and is no drift; reset starts again; NaN counts a position only', () => {
  const ph = new PageHinkley({ delta: 1, lambda: 50, clip: 5 });
  for (let i = 0; i < 100; i++) ph.push(0);
  assert.equal(ph.push(1e9), false);
  ph.reset();
  assert.equal(ph.count, 0);
  assert.equal(ph.push(NaN), false);
  assert.equal(ph.count, 1);
  let alarm = -1;
  for (let i = 0; i < 100 && alarm < 0; i++) if (ph.push(10)) alarm = i;
  // Clipped to 5, each value adds 4: 50 is passed at the 13th.
  assert.equal(alarm, 12);
  assert.equal(ph.changeAt, 1, 'the change began after the NaN');
});
