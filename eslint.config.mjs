// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'http', 'https', 'crypto', 'url', 'util', 'stream', 'worker_threads', 'events', 'readline', 'zlib', 'net'];

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
  {
    // The core is shared by the extension, the CLI, the webview and the tests: no editor, no Node.
    files: ['src/core/**/*.ts', 'src/protocol.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' },
          ...nodeBuiltins.map((name) => ({ name, message: 'src/core, the protocol and the webview must not use Node built-ins.' }))],
        patterns: [{ group: ['node:*'], message: 'src/core, the protocol and the webview must not use Node built-ins.' }],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'test/unit/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }] }],
    },
  },
);
