import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nearestMark, placeMarks, toPx, toPy, usable } from '../../webview/geometry.ts';
import type { Geometry } from '../../webview/geometry.ts';

// A plot area 400 × 100 px at (50, 20) showing x in [1000, 2000] and y in [0, 10].
const g: Geometry = { l: 50, t: 20, w: 400, h: 100, x0: 1000, x1: 2000, y0: 0, y1: 10 };

test('data coordinates map onto the plot area (y grows upwards)', () => {
  assert.equal(toPx(g, 1000), 50);
  assert.equal(toPx(g, 2000), 450);
  assert.equal(toPx(g, 1500), 250);
  assert.equal(toPy(g, 0), 120);
  assert.equal(toPy(g, 10), 20);
  assert.equal(toPy(g, 2.5), 95);
});

test('a geometry with an empty or non-finite range cannot place points', () => {
  assert.equal(usable(g), true);
  assert.equal(usable({ ...g, x1: g.x0 }), false);
  assert.equal(usable({ ...g, y0: NaN }), false);
  assert.equal(usable({ ...g, w: 0 }), false);
  assert.equal(usable(null), false);
});

test('marks outside the view or without a value are not placed; the others keep their order', () => {
  const items = [
    { x: 900, y: 5 }, // left of the view (zoomed in)
    { x: 1200, y: 5 },
    { x: 1300, y: null }, // missing value
    { x: 1800, y: 11 }, // above the y range
    { x: 1900, y: 1 },
  ];
  const marks = placeMarks(g, items, (i) => ({ x: i.x, y: i.y, r: 4, color: 'red' }));
  assert.deepEqual(marks.map((m) => m.item.x), [1200, 1900]);
  assert.equal(marks[0].px, 130);
  assert.equal(marks[0].py, 70);
});

test('the mark under the pointer is the nearest within its radius and slack; the top one among equals', () => {
  const marks = placeMarks(g, [{ x: 1200, y: 5, id: 'a' }, { x: 1210, y: 5, id: 'b' }, { x: 1200, y: 5, id: 'c' }], (i) => ({ x: i.x, y: i.y, r: 4, color: 'red' }));
  // a and c are at (130, 70), b at (134, 70).
  assert.equal(nearestMark(marks, 130, 70)?.item.id, 'c', 'drawn last, on top');
  assert.equal(nearestMark(marks, 135, 70)?.item.id, 'b');
  assert.equal(nearestMark(marks, 130, 77)?.item.id, 'c', 'within radius 4 + slack 3');
  assert.equal(nearestMark(marks, 130, 78), null, 'just outside');
  assert.equal(nearestMark([], 0, 0), null);
});
