import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileStates, overOpenLimit } from '../../src/core/fileStates.ts';

const MB = 1024 * 1024;
const K = 'file:///w/a.csv';

/** A FileStates of string sessions and the keys of its change notifications, in order. */
function make(): { fs: FileStates<string>; events: string[] } {
  const events: string[] = [];
  return { fs: new FileStates<string>((k) => events.push(k)), events };
}

test('a file goes loading → ready; every change is notified once, a repeated one not at all', () => {
  const { fs, events } = make();
  assert.equal(fs.state(K), undefined);
  assert.equal(fs.admit(K, 10 * MB, 50), true);
  assert.equal(fs.state(K), undefined, 'admitting does not change the state');
  fs.loading(K);
  fs.loading(K);
  assert.deepEqual(fs.state(K), { kind: 'loading' });
  fs.ready(K, 'session-1', true);
  assert.deepEqual(fs.state(K), { kind: 'ready', session: 'session-1' });
  assert.equal(fs.session(K), 'session-1');
  fs.ready(K, 'session-1');
  assert.equal(events.length, 2);
  fs.ready(K, 'session-2', true);
  assert.equal(fs.session(K), 'session-2');
  assert.equal(events.length, 3);
});

test('size limit: over it the file is tooLarge {bytes} until forced; 0 is no limit; a read file is not checked again', () => {
  const { fs } = make();
  assert.equal(fs.admit(K, 50 * MB + 1, 50), false);
  assert.deepEqual(fs.state(K), { kind: 'tooLarge', bytes: 50 * MB + 1 });
  assert.equal(fs.admit(K, 50 * MB, 50), true, 'exactly at the limit is within it');
  assert.equal(fs.admit(K, 10 << 30, 0), true, 'limit 0: no limit');
  assert.equal(fs.admit(K, 80 * MB, 50), false);
  assert.deepEqual(fs.state(K), { kind: 'tooLarge', bytes: 80 * MB });
  assert.equal(fs.admit(K, 80 * MB, 50, true), true, 'forced ("Analyze anyway")');
  fs.loading(K);
  assert.equal(fs.admit(K, 80 * MB, 50), true, 'a file being read is not stopped');
  fs.ready(K, 's', true);
  assert.equal(fs.admit(K, 80 * MB, 50), true, 'a read file (a save reads it again) is not checked again');
  assert.equal(overOpenLimit(50 * MB + 1, 50), true);
  assert.equal(overOpenLimit(50 * MB + 1, 0), false);
});

test('failure then retry: failed {message} stays until the file is read again', () => {
  const { fs, events } = make();
  fs.loading(K);
  fs.failed(K, 'a.csv:3:5: bad number');
  assert.deepEqual(fs.state(K), { kind: 'failed', message: 'a.csv:3:5: bad number' });
  assert.equal(fs.session(K), undefined);
  assert.equal(fs.admit(K, 1, 50), true);
  fs.loading(K);
  fs.ready(K, 's', true);
  assert.deepEqual(fs.state(K), { kind: 'ready', session: 's' });
  assert.equal(events.length, 4);
});

test('holders: the last one to let go is told so (the worker ends then), and the file is forgotten', () => {
  const { fs } = make();
  fs.hold(K, 'editor');
  fs.hold(K, 'dashboard');
  fs.hold(K, 'dashboard');
  fs.loading(K);
  fs.ready(K, 's', true);
  assert.deepEqual([...fs.holders(K)].sort(), ['dashboard', 'editor']);
  assert.equal(fs.release(K, 'rules'), false, 'not a holder: nothing happens');
  assert.equal(fs.release(K, 'editor'), false, 'the dashboard still holds it');
  assert.equal(fs.session(K), 's');
  assert.equal(fs.holds(K, 'editor'), false);
  assert.equal(fs.release(K, 'editor'), false, 'released twice: nothing happens');
  assert.equal(fs.release(K, 'dashboard'), true, 'the last holder');
  assert.equal(fs.state(K), undefined);
  assert.deepEqual(fs.keys(), []);
});

test('clear drops the analysis but keeps the holders (a file read again)', () => {
  const { fs } = make();
  fs.hold(K, 'editor');
  fs.ready(K, 's', true);
  fs.clear(K);
  assert.equal(fs.state(K), undefined);
  assert.equal(fs.holds(K, 'editor'), true);
  fs.release(K, 'editor');
  fs.ready(K, 's', true);
  fs.clear(K);
  assert.deepEqual(fs.keys(), [], 'nothing left: forgotten');
});

test('stale: an edit makes it stale, undoing back to the saved text makes it current again', () => {
  const { fs, events } = make();
  fs.edited(K, true, true);
  assert.equal(fs.isStale(K), false, 'a file not known is not tracked');
  fs.hold(K, 'editor');
  fs.ready(K, 's', true);
  const before = events.length;
  fs.edited(K, true, true);
  assert.equal(fs.isStale(K), true);
  fs.edited(K, true, true);
  assert.equal(events.length, before + 1, 'only the change to stale is notified');
  fs.edited(K, false, true);
  assert.equal(fs.isStale(K), true, 'a content change back to clean text is still an edit event');
  fs.edited(K, false, false);
  assert.equal(fs.isStale(K), false, 'undone: clean again, the findings line up');
  assert.equal(events.length, before + 2);
  fs.ready(K, 's');
  assert.equal(fs.isStale(K), false);
});

test('stale: saving keeps it stale until the saved text is read again; a new reading of a still-dirty text stays stale', () => {
  const { fs } = make();
  fs.hold(K, 'editor');
  fs.ready(K, 's1', true);
  fs.edited(K, true, true);
  fs.willSave(K);
  fs.edited(K, false, false);
  assert.equal(fs.isStale(K), true, 'saved but not read again');
  fs.ready(K, 's1');
  assert.equal(fs.isStale(K), true, 'a re-analysis of the old reading does not make it current');
  fs.ready(K, 's2', true, false);
  assert.equal(fs.isStale(K), false, 'the saved text is read');
  fs.edited(K, true, true);
  fs.ready(K, 's3', true, true);
  assert.equal(fs.isStale(K), true, 'read again while the editor has unsaved edits');
  fs.edited(K, false, false);
  assert.equal(fs.isStale(K), false);
});

test('willSave on a clean file does not hold it stale', () => {
  const { fs } = make();
  fs.hold(K, 'editor');
  fs.willSave(K);
  fs.edited(K, true, true);
  fs.edited(K, false, false);
  assert.equal(fs.isStale(K), false);
});
