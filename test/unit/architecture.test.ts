import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCycles, importsOf, layerViolations, tsFilesUnder } from './importGraph.ts';

const root = join(__dirname, '../..');
const files = tsFilesUnder(root, ['src', 'webview']);
const edges = importsOf(root, files);

test('src/ and webview/ have no import cycle', () => {
  assert.deepEqual(findCycles(edges), []);
});

test('every import in src/ and webview/ keeps the layer rules', () => {
  assert.deepEqual(layerViolations(edges), []);
});

test('every file in src/ and webview/ is under 500 lines', () => {
  const long = files.map((f) => [f, readFileSync(join(root, f), 'utf8').split('\n').length - 1] as const).filter(([, n]) => n >= 500);
  assert.deepEqual(long, []);
});

test('findings become incidents in one place: only src/core/incidents/merge.ts calls buildIncidents, only a stream groups them itself', () => {
  // The editor, webhooks, email, send and the default view all merge through mergeFindings (the lone-finding rule);
  // the stream's tracker merges row by row with STREAM_MIN_FINDINGS, and a live window lists its incidents.
  const own = new Set(['src/core/incidents/incidents.ts', 'src/core/incidents/merge.ts']);
  const text = (f: string): string => readFileSync(join(root, f), 'utf8');
  assert.deepEqual(files.filter((f) => !own.has(f) && /\bbuildIncidents\s*\(/.test(text(f))), []);
  assert.deepEqual(files.filter((f) => f !== 'src/core/incidents/incidents.ts' && /\bnew IncidentGroup\b/.test(text(f))), ['src/core/streaming/incidentTracker.ts']);
});

test('the dashboard page keeps the DOM in its views: its state, update and derivations run in plain Node', () => {
  // main.ts wires the page; overlay.ts draws on a canvas it is given; views/ draw. The rest is tested in Node.
  // The History & Analytics page (webview/analytics/) is wired and drawn by its own main.ts.
  const pages = new Set(['webview/main.ts', 'webview/overlay.ts', 'webview/analytics/main.ts']);
  const domFree = files.filter((f) => f.startsWith('webview/') && !f.startsWith('webview/views/') && !pages.has(f));
  assert.ok(domFree.includes('webview/update.ts') && domFree.includes('webview/state.ts'));
  const dom = /\b(document\.|window\.|requestAnimationFrame\(|HTML\w*Element\b|getComputedStyle\()/;
  assert.deepEqual(domFree.filter((f) => dom.test(readFileSync(join(root, f), 'utf8'))), []);
});

test('the import graph is read: the extension reaches core through src/node', () => {
  const has = (from: string, to: string): boolean => edges.some((e) => e.from === from && e.to === to);
  assert.ok(has('src/extension/analysisWorker.ts', 'src/node/loadCsv.ts'));
  assert.ok(has('src/node/loadCsv.ts', 'src/core/csv/parse.ts'));
  assert.ok(edges.some((e) => e.from === 'src/extension/main.ts' && e.specifier === 'vscode' && e.to === null));
});

test('findCycles names the shortest cycle of each tangle, from its first file, and ignores acyclic imports', () => {
  const e = (from: string, to: string | null) => ({ from, to });
  assert.deepEqual(findCycles([e('b.ts', 'a.ts'), e('a.ts', 'b.ts'), e('a.ts', 'c.ts'), e('c.ts', null)]), ['a.ts → b.ts → a.ts']);
  assert.deepEqual(findCycles([
    e('x/frame.ts', 'x/stats.ts'), e('x/stats.ts', 'x/model.ts'), e('x/model.ts', 'x/frame.ts'), e('x/model.ts', 'x/stats.ts'),
    e('self.ts', 'self.ts'), e('d.ts', 'x/frame.ts'),
  ]), ['self.ts → self.ts', 'x/frame.ts → x/stats.ts → x/model.ts → x/frame.ts']);
  assert.deepEqual(findCycles([e('a.ts', 'b.ts'), e('b.ts', 'c.ts'), e('a.ts', 'c.ts')]), []);
  assert.deepEqual(findCycles([e('a.ts', 'b.ts'), e('b.ts', 'a.ts'), e('b.ts', 'c.ts'), e('c.ts', 'b.ts')]), ['a.ts → b.ts → a.ts (one tangle with c.ts)']);
});

test('layerViolations names imports across the rooms, of vscode outside the extension and of Node built-ins in pure rooms', () => {
  const e = (from: string, specifier: string, to: string | null) => ({ from, specifier, to });
  assert.deepEqual(layerViolations([
    e('src/extension/a.ts', '../cli/loadCsv.ts', 'src/cli/loadCsv.ts'),
    e('src/core/a.ts', '../node/x.ts', 'src/node/x.ts'),
    e('src/core/a.ts', 'node:fs', null),
    e('src/core/a.ts', 'fs/promises', null),
    e('webview/a.ts', '../src/extension/b.ts', 'src/extension/b.ts'),
    e('src/node/a.ts', 'vscode', null),
    e('src/cli/a.ts', '../../test/x.ts', 'test/x.ts'),
    // Allowed:
    e('src/node/a.ts', 'node:fs', null),
    e('src/extension/a.ts', 'vscode', null),
    e('webview/a.ts', '../src/protocol.ts', 'src/protocol.ts'),
    e('webview/a.ts', '@vscode-elements/elements/dist/x.js', null),
    e('src/cli/a.ts', '../node/loadCsv.ts', 'src/node/loadCsv.ts'),
    e('test/unit/a.ts', '../../src/cli/main.ts', 'src/cli/main.ts'),
  ]), [
    'src/extension/a.ts imports ../cli/loadCsv.ts (extension may import only extension, node, protocol, core)',
    'src/core/a.ts imports ../node/x.ts (core may import only core)',
    'src/core/a.ts imports node:fs (core must not use Node built-ins)',
    'src/core/a.ts imports fs/promises (core must not use Node built-ins)',
    'webview/a.ts imports ../src/extension/b.ts (webview may import only webview, protocol, core)',
    'src/node/a.ts imports vscode (only src/extension may)',
    'src/cli/a.ts imports ../../test/x.ts (outside src/ and webview/)',
  ]);
});
