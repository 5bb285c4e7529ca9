// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'http', 'https', 'crypto', 'url', 'util', 'stream', 'worker_threads', 'events', 'readline', 'zlib', 'net'];

const noVscode = { name: 'vscode', message: 'Only src/extension may import vscode.' };
const noNode = nodeBuiltins.map((name) => ({ name, message: 'This layer must not use Node built-ins.' }));
const notNodeBuiltins = { group: ['node:*'], message: 'This layer must not use Node built-ins.' };
/** Any relative import of src/<room>/…, from any depth. */
const notRoom = (room, message) => ({ group: [`**/src/${room}/**`, `../${room}/**`, `../../${room}/**`, `../../../${room}/**`], message });
/** One layer's no-restricted-imports. */
const layer = (files, paths, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { paths, patterns }] } });

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // e2e tests: functions passed to page.evaluate run in the browser.
    files: ['test/e2e/**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(['document', 'window', 'requestAnimationFrame', 'Event', 'getComputedStyle'].map((g) => [g, 'readonly'])),
    },
  },
  {
    // Plain Node scripts (build, e2e harness).
    files: ['**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(['process', 'console', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'fetch', 'URL', 'Buffer', 'performance'].map((g) => [g, 'readonly'])),
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // The layers (README "Layout"): each block lists what its room must not import. One block per file set, since a
  // later block's no-restricted-imports replaces an earlier one's for the files both match.
  layer(['src/core/**/*.ts', 'src/protocol.ts'], [noVscode, ...noNode],
    [notNodeBuiltins, notRoom('node', 'src/core and the protocol are pure: Node adapters belong in src/node, which imports core, not the other way'),
      notRoom('cli', 'src/core and the protocol must not import the CLI'), notRoom('extension', 'src/core and the protocol must not import the extension')]),
  layer(['webview/**/*.ts'], [noVscode, ...noNode],
    [notNodeBuiltins, { regex: String.raw`^\.\./src/(?!protocol\.ts$|core/)`, message: 'The webview imports only src/protocol.ts and src/core.' }]),
  layer(['src/node/**/*.ts'], [noVscode],
    [notRoom('cli', 'src/node is shared by the extension and the CLI: it must not import the CLI'), notRoom('extension', 'src/node must not import the extension')]),
  layer(['src/extension/**/*.ts'], [],
    [notRoom('cli', 'src/extension must not import src/cli: code both need belongs in src/node')]),
  layer(['src/cli/**/*.ts'], [noVscode], [notRoom('extension', 'src/cli must not import the extension')]),
  layer(['test/unit/**/*.ts', 'bench/**/*.ts'], [noVscode], []),
);
