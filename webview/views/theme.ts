// The colours of the current VS Code theme, read once per theme (reading styles forces a style recalculation);
// a theme change (light/dark, or one dark theme for another: same class, other colours) is reported.

export interface ThemeColors {
  fg: string; muted: string; grid: string; line: string; band: string; bg: string; font: string;
  hoverBg: string; hoverBorder: string; hoverFg: string;
  hc: boolean; light: boolean;
}

/** A CSS variable of the theme's (`--vscode-…`), or `fallback` when the theme does not set it. */
export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function readTheme(): ThemeColors {
  const fg = cssVar('--vscode-editor-foreground', '#333');
  const cls = document.body.classList;
  const light = cls.contains('vscode-light') || cls.contains('vscode-high-contrast-light');
  const grid = cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#8884'));
  const bg = cssVar('--vscode-editor-background', '#fff');
  return {
    fg,
    muted: cssVar('--vscode-descriptionForeground', '#777'),
    grid,
    line: light ? '#5b6b7d' : '#9aa7b4',
    band: cssVar('--vscode-charts-purple', '#b180d7'),
    bg,
    font: cssVar('--vscode-font-family', 'sans-serif'),
    hoverBg: cssVar('--vscode-editorHoverWidget-background', bg),
    hoverBorder: cssVar('--vscode-editorHoverWidget-border', grid),
    hoverFg: cssVar('--vscode-editorHoverWidget-foreground', fg),
    hc: cls.contains('vscode-high-contrast') || cls.contains('vscode-high-contrast-light'),
    light,
  };
}

export interface Theme {
  colors(): ThemeColors;
  /** Goes up whenever VS Code changes the theme. */
  version(): number;
}

/** Watches the body's class and theme attributes and the root's variables; `onChange` runs after each change. */
export function watchTheme(onChange: () => void): Theme {
  let cache: ThemeColors | null = null;
  let version = 0;
  const observer = new MutationObserver(() => {
    cache = null;
    version++;
    onChange();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id', 'data-vscode-theme-name', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return { colors: () => (cache ??= readTheme()), version: () => version };
}

/** A #rrggbb colour with an alpha, as rgba(); other colour forms are returned as they are. */
export function hexAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${alpha})`;
}
