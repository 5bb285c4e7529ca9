// The webviews' security settings: their CSP, their page shell and what a restored panel may reopen. No vscode import
// (unit-tested).
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { isDataPath } from './csvFile.ts';

/** `path` when it is an absolute path of an existing regular .csv or .tsv file, or of one gzip-compressed (.csv.gz, .tsv.gz), else undefined. */
export async function restorablePath(path: unknown): Promise<string | undefined> {
  if (typeof path !== 'string' || !isAbsolute(path) || !isDataPath(path) || path.includes('\0')) return undefined;
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The webviews' Content-Security-Policy: nothing by default; scripts and styles only with the page's nonce (they are
 * written into the page, nothing is fetched); images only as data: URIs; no <base> (relative URLs cannot be
 * redirected) and no form posts.
 */
export function dashboardCsp(nonce: string): string {
  return [
    "default-src 'none'",
    'img-src data:',
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The element id Plotly's bundled map library checks before injecting its stylesheet (kept empty). */
const PLOTLY_MAP_STYLE_ID = 'ce8d464691048653ffe3a57c6c18ab566e8366f186677868cf724621a857b4fe';

/**
 * A page of ours that draws with Plotly: its stylesheets and scripts as text (read with webviewAsset), written
 * into the page with the nonce, scripts in load order. Inline, not fetched: a webview fetches each resource through
 * VS Code (through its service worker and the remote extension host in code-server and remote windows), 150–450 ms
 * per file measured in bench:first-chart, and the first chart waited for the last of them.
 */
export interface PlotlyPage {
  nonce: string;
  title: string;
  testid: string;
  styles: string[];
  scripts: string[];
  /**
   * Keep the messages that arrive before the page's scripts run (`window.__earlyMessages`, drained by the page's
   * script): VS Code hands a loading page the messages held for it once its document is written, which can be
   * before the page's scripts have run.
   */
  keepEarlyMessages?: boolean;
}

/**
 * The texts of the files of dist/webview (the built page scripts, Plotly, the stylesheets), each read on the first
 * page that uses it (synchronously, a few ms) and then kept: they do not change while the extension runs, and
 * another panel or a restored one reads nothing. One per activation (Ctx).
 */
export class WebviewAssets {
  private readonly texts = new Map<string, string>();

  constructor(private readonly extensionPath: string) {}

  /** The text of dist/webview/`name`. */
  text(name: string): string {
    let text = this.texts.get(name);
    if (text === undefined) this.texts.set(name, (text = readFileSync(join(this.extensionPath, 'dist', 'webview', name), 'utf8')));
    return text;
  }
}

/**
 * `text` for a <script> or <style> element: its raw text ends at the first `</script` or `</style`, and `<!--` or
 * `<script` in a script change how the HTML parser reads the rest. None occurs in our bundles; one that did
 * would break the page, so it is refused with the reason instead.
 */
function rawText(text: string, tag: 'script' | 'style'): string {
  const bad = tag === 'script' ? /<\/script|<!--|<script/i : /<\/style/i;
  const m = bad.exec(text);
  if (m) throw new Error(`a webview ${tag} contains "${m[0]}" at ${m.index}: it cannot be written inline`);
  return text;
}

/** Writes a panel's page; when building it throws, the panel is closed (no empty panel left behind) and the error goes to the command that opened it. */
export function setPageOrDispose(panel: { webview: { html: string }; dispose(): void }, page: () => string): void {
  try {
    panel.webview.html = page();
  } catch (e) {
    panel.dispose();
    throw e;
  }
}

/** The inline script of keepEarlyMessages (nonce'd; the page's script removes the listener and drains the list). */
const EARLY_MESSAGES = "window.__earlyMessages=[];window.__earlyListener=function(e){window.__earlyMessages.push(e.data)};window.addEventListener('message',window.__earlyListener);";

/** The HTML of a Plotly page under dashboardCsp: everything written inline with the nonce, an #app that shows "Loading…". */
export function plotlyPageHtml(p: PlotlyPage): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${dashboardCsp(p.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${p.keepEarlyMessages ? `<script nonce="${p.nonce}">${EARLY_MESSAGES}</script>\n` : ''}${p.styles.map((css) => `<style nonce="${p.nonce}">${rawText(css, 'style')}</style>`).join('\n')}
<!-- Plotly adds its rules to these sheets through the CSSOM (allowed by the CSP) instead of creating its own
     <style> elements (blocked). The second id is Plotly's map-library sheet, unused here, kept empty. -->
<style id="plotly.js-style-global" nonce="${p.nonce}"></style>
<style id="${PLOTLY_MAP_STYLE_ID}" nonce="${p.nonce}"></style>
<title>${p.title}</title>
</head>
<body>
<div id="app" data-testid="${p.testid}"><p class="placeholder">Loading…</p></div>
${p.scripts.map((js) => `<script nonce="${p.nonce}">${rawText(js, 'script')}</script>`).join('\n')}
</body>
</html>`;
}
