// The webviews' security settings: their CSP, their page shell and what a restored panel may reopen. No vscode import
// (unit-tested).
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { isCsvPath } from './csvFile.ts';

/** `path` when it is an absolute path of an existing regular .csv or .tsv file, else undefined. */
export async function restorablePath(path: unknown): Promise<string | undefined> {
  if (typeof path !== 'string' || !isAbsolute(path) || !isCsvPath(path) || path.includes('\0')) return undefined;
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The dashboard's Content-Security-Policy: nothing by default; scripts only with the page's nonce; styles,
 * fonts and images from the extension; no <base> (relative URLs cannot be redirected) and no form posts.
 */
export function dashboardCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The element id Plotly's bundled map library checks before injecting its stylesheet (kept empty). */
const PLOTLY_MAP_STYLE_ID = 'ce8d464691048653ffe3a57c6c18ab566e8366f186677868cf724621a857b4fe';

/** A page of ours that draws with Plotly: its stylesheets and scripts (webview URIs, scripts in load order). */
export interface PlotlyPage {
  cspSource: string;
  nonce: string;
  title: string;
  testid: string;
  styles: string[];
  scripts: string[];
  /**
   * Keep the messages that arrive before the page's scripts run (`window.__earlyMessages`, drained by the page's
   * script): VS Code hands a loading page the messages held for it once its document is written, which can be
   * before an external script has been fetched.
   */
  keepEarlyMessages?: boolean;
}

/** The inline script of keepEarlyMessages (nonce'd; the page's script removes the listener and drains the list). */
const EARLY_MESSAGES = "window.__earlyMessages=[];window.__earlyListener=function(e){window.__earlyMessages.push(e.data)};window.addEventListener('message',window.__earlyListener);";

/** The HTML of a Plotly page under dashboardCsp: everything loaded with the nonce, an #app that shows "Loading…". */
export function plotlyPageHtml(p: PlotlyPage): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${dashboardCsp(p.cspSource, p.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${p.keepEarlyMessages ? `<script nonce="${p.nonce}">${EARLY_MESSAGES}</script>\n` : ''}${p.styles.map((href) => `<link rel="stylesheet" href="${href}" nonce="${p.nonce}">`).join('\n')}
<!-- Plotly adds its rules to these sheets through the CSSOM (allowed by the CSP) instead of creating its own
     <style> elements (blocked). The second id is Plotly's map-library sheet, unused here, kept empty. -->
<style id="plotly.js-style-global" nonce="${p.nonce}"></style>
<style id="${PLOTLY_MAP_STYLE_ID}" nonce="${p.nonce}"></style>
<title>${p.title}</title>
</head>
<body>
<div id="app" data-testid="${p.testid}"><p class="placeholder">Loading…</p></div>
${p.scripts.map((src) => `<script nonce="${p.nonce}" src="${src}"></script>`).join('\n')}
</body>
</html>`;
}
