// The import graph of the repository's TypeScript, for the architecture test: which file imports which, the
// cycles in it, and the imports that cross the rooms' boundaries (README "Layout").
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import: the importing file and the specifier as written, and the repository path it names (relative imports only). */
export interface ImportEdge {
  from: string;
  specifier: string;
  to: string | null;
}

/** Every `.ts` file under `dirs` (repository-relative, `/`-separated), sorted. */
export function tsFilesUnder(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out.sort();
}

/** The imports of each file (`import`, `import type`, `export … from`, `import()`), as the TypeScript scanner reads them. */
export function importsOf(root: string, files: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const from of files) {
    const info = ts.preProcessFile(readFileSync(join(root, from), 'utf8'), true, true);
    for (const { fileName: specifier } of info.importedFiles) {
      const to = specifier.startsWith('.') ? relative(root, resolve(root, dirname(from), specifier)).split(sep).join('/') : null;
      edges.push({ from, specifier, to });
    }
  }
  return edges;
}

/**
 * The import cycles, one per strongly connected component (Tarjan), each written `a.ts → b.ts → a.ts` starting
 * at its alphabetically first file, followed by the component's other files. A file importing itself is a cycle too.
 */
export function findCycles(edges: readonly Pick<ImportEdge, 'from' | 'to'>[]): string[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (to === null) continue;
    if (!next.has(from)) next.set(from, []);
    if (!next.has(to)) next.set(to, []);
    if (!next.get(from)!.includes(to)) next.get(from)!.push(to);
  }
  for (const list of next.values()) list.sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); c.push(w); } while (w !== v);
      if (c.length > 1 || next.get(v)!.includes(v)) components.push(c);
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) connect(v);
  // Name one concrete cycle in each component: the shortest path back to its first file (breadth-first).
  return components.map((c) => {
    const members = new Set(c);
    const start = [...c].sort()[0];
    const parent = new Map<string, string>();
    const queue = [start];
    let end: string | null = null;
    while (queue.length && end === null) {
      const v = queue.shift()!;
      for (const w of next.get(v)!) {
        if (!members.has(w)) continue;
        if (w === start) { end = v; break; }
        if (!parent.has(w)) { parent.set(w, v); queue.push(w); }
      }
    }
    const path = [start];
    for (let v = end!; v !== start; v = parent.get(v)!) path.splice(1, 0, v);
    const rest = c.filter((f) => !path.includes(f)).sort();
    return [...path, start].join(' → ') + (rest.length ? ` (one tangle with ${rest.join(', ')})` : '');
  }).sort();
}

/** The rooms of the code base (README "Layout"). */
export type Room = 'core' | 'protocol' | 'node' | 'cli' | 'extension' | 'webview';

/** The room a repository path is in, or null outside them (tests, benchmarks). */
export function roomOf(path: string): Room | null {
  if (path === 'src/protocol.ts') return 'protocol';
  const m = /^src\/(core|node|cli|extension)\//.exec(path);
  if (m) return m[1] as Room;
  return path.startsWith('webview/') ? 'webview' : null;
}

/** Which rooms each room may import. Nothing imports the CLI; only the extension imports `vscode`. */
export const MAY_IMPORT: Record<Room, readonly Room[]> = {
  core: ['core'],
  protocol: ['protocol', 'core'],
  webview: ['webview', 'protocol', 'core'],
  node: ['node', 'protocol', 'core'],
  extension: ['extension', 'node', 'protocol', 'core'],
  cli: ['cli', 'node', 'protocol', 'core'],
};

/** Data shipped with the code (the rules schema, the sample generator) that any room may read. */
const SHIPPED_DATA = /^(rules|sample-data)\//;
const NODE_FREE: readonly Room[] = ['core', 'protocol', 'webview'];
const builtins = new Set(builtinModules);

/** The imports that break the layer rules, each as `file imports specifier (reason)`. */
export function layerViolations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  for (const { from, specifier, to } of edges) {
    const room = roomOf(from);
    if (!room) continue;
    if (to !== null) {
      const target = roomOf(to);
      if (target === null) {
        if (!SHIPPED_DATA.test(to)) out.push(`${from} imports ${specifier} (outside src/ and webview/)`);
      }
      else if (!MAY_IMPORT[room].includes(target)) out.push(`${from} imports ${specifier} (${room} may import only ${MAY_IMPORT[room].join(', ')})`);
    } else if (specifier === 'vscode' && room !== 'extension') {
      out.push(`${from} imports vscode (only src/extension may)`);
    } else if ((specifier.startsWith('node:') || builtins.has(specifier.split('/')[0])) && NODE_FREE.includes(room)) {
      out.push(`${from} imports ${specifier} (${room} must not use Node built-ins)`);
    }
  }
  return out;
}
