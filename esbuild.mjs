// Builds the outputs: the extension host bundle (cjs, node, `vscode` external), the CLI (cjs, node,
// shebang) and the webviews (iife, browser): the dashboard and the History & Analytics view. `--watch` rebuilds on change, `--production` minifies.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the `file:line:col: error: text` form the tsc/esbuild problem matchers read. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => { if (watch) console.log('[watch] build started'); });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [problemMatcher],
  legalComments: 'none',
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

/**
 * Packages built into files of their own next to the bundles (`libs`: package → file), which a bundle requires when
 * it first uses them: nodemailer (a third of the CLI bundle: loaded only to send mail, src/node/smtp.ts) for the
 * extension and the CLI; the CLI's readers of rules files (ajv, js-yaml) and of the history database (sql.js), nearly
 * half of the rest, for the CLI (`analyze` of a CSV neither parses nor compiles them). A path inside one of them would
 * build a second copy into the bundle: the build refuses it.
 */
const apart = (libs) => {
  const names = Object.keys(libs).map((n) => n.replace('.', '\\.')).join('|');
  return {
    name: 'apart',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^(${names})$`) }, (a) => ({ path: libs[a.path], external: true }));
      build.onResolve({ filter: new RegExp(`^(${names})/`) }, (a) => ({ errors: [{ text: `${a.path}: import the package itself (esbuild.mjs builds it apart)` }] }));
    },
  };
};
const withApart = (b, libs) => ({ ...b, plugins: [...b.plugins, apart(libs)] });
const NODEMAILER = { nodemailer: './nodemailer.js' };
/** One library as a CommonJS file of its own: `code` re-exports what the sources import from it. */
const libApart = ({ code, outfile }) => ({ ...node, stdin: { contents: code, resolveDir: '.', loader: 'js' }, outfile });

const builds = [
  withApart({ ...node, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] }, NODEMAILER),
  withApart({ ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
    { ...NODEMAILER, ajv: './ajv.js', 'js-yaml': './js-yaml.js', 'sql.js': './sqljs.js' }),
  libApart({ code: "export { default } from 'ajv';", outfile: 'dist/ajv.js' }),
  libApart({ code: "export * from 'js-yaml';", outfile: 'dist/js-yaml.js' }),
  libApart({ code: "export { default } from 'sql.js';", outfile: 'dist/sqljs.js' }),
  // An ES module re-export, so that the bundle marks its named export for Node's import() of a CommonJS file.
  libApart({ code: "export { createTransport } from 'nodemailer';", outfile: 'dist/nodemailer.js' }),
  { ...node, entryPoints: ['src/extension/analysisWorker.ts'], outfile: 'dist/analysisWorker.js' },
  { ...node, entryPoints: ['src/extension/streamWorker.ts'], outfile: 'dist/streamWorker.js' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webview/main.ts'], outfile: 'dist/webview/main.js' },
  // The History & Analytics view (its own page, its own entry).
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webview/analytics/main.ts'], outfile: 'dist/webview/analytics.js' },
];

if (production) rmSync('dist', { recursive: true, force: true });
mkdirSync('dist/webview', { recursive: true });
// Plotly ships minified; it is loaded as its own script (with the page's nonce) rather than re-bundled.
copyFileSync('node_modules/plotly.js-basic-dist-min/plotly-basic.min.js', 'dist/webview/plotly.min.js');
copyFileSync('webview/dashboard.css', 'dist/webview/dashboard.css');
copyFileSync('webview/analytics/analytics.css', 'dist/webview/analytics.css');
// The history database's SQLite, compiled to WebAssembly: loaded from next to the bundles (src/node/historyDb.ts).
copyFileSync('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');

const present = (await Promise.all(builds.map(async (b) => {
  if (b.stdin) return b;
  try { await import('node:fs').then((fs) => fs.accessSync(b.entryPoints[0])); return b; } catch { return null; }
}))).filter(Boolean);

if (watch) {
  const contexts = await Promise.all(present.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(present.map((b) => esbuild.build(b)));
}
