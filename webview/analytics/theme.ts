// The VS Code theme as the analytics charts need it: colours read from the theme's CSS variables, read again
// (and the charts redrawn) whenever VS Code changes the theme.

export interface Theme {
  fg: string;
  muted: string;
  grid: string;
  bg: string;
  font: string;
  hoverBg: string;
  hoverBorder: string;
  hoverFg: string;
  /** Series colours for metrics and rules (the theme's chart colours). */
  palette: string[];
  light: boolean;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export function readTheme(): Theme {
  const light = document.body.classList.contains('vscode-light') || document.body.classList.contains('vscode-high-contrast-light');
  const bg = cssVar('--vscode-editor-background', light ? '#fff' : '#1e1e1e');
  const fg = cssVar('--vscode-editor-foreground', light ? '#333' : '#ccc');
  return {
    fg, bg, light,
    muted: cssVar('--vscode-descriptionForeground', '#777'),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#8884')),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    hoverBg: cssVar('--vscode-editorHoverWidget-background', bg),
    hoverBorder: cssVar('--vscode-editorHoverWidget-border', '#8886'),
    hoverFg: cssVar('--vscode-editorHoverWidget-foreground', fg),
    palette: [
      cssVar('--vscode-charts-blue', '#3794ff'), cssVar('--vscode-charts-green', '#89d185'), cssVar('--vscode-charts-purple', '#b180d7'),
      cssVar('--vscode-charts-orange', '#d18616'), cssVar('--vscode-charts-yellow', '#cca700'), cssVar('--vscode-charts-red', '#f14c4c'),
      light ? '#00838f' : '#4dd0e1', light ? '#6d4c41' : '#bcaaa4',
    ],
  };
}

/** Calls `onChange` when VS Code switches the theme (the body's class or theme attributes change). */
export function onThemeChange(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id', 'data-vscode-theme-name', 'data-vscode-theme-kind'] });
}
