// The page's rooms, top to bottom: header (with the busy badge), notice, toolbar (controls), charts, table, footer; and
// the theme watch that redraws the charts in the new colours.
import type { Message, State } from '../state.ts';
import type { ChartsView } from './charts.ts';
import { createCharts } from './charts.ts';
import type { ControlsView } from './controls.ts';
import { createControls } from './controls.ts';
import type { HeaderView } from './header.ts';
import { createHeader } from './header.ts';
import type { TableView } from './table.ts';
import { createTable } from './table.ts';
import { watchTheme } from './theme.ts';

export interface Layout {
  header: HeaderView;
  controls: ControlsView;
  charts: ChartsView;
  table: TableView;
}

export function buildLayout(app: HTMLElement, dispatch: (m: Message) => void, getState: () => State): Layout {
  let charts: ChartsView | null = null;
  const theme = watchTheme(() => charts?.redrawAll());
  const header = createHeader();
  const controls = createControls(dispatch, getState);
  charts = createCharts(dispatch, getState, theme);
  const table = createTable(dispatch, getState);
  app.textContent = '';
  app.append(header.header, header.notice, controls.toolbar, charts.section, table.section, header.footer);
  return { header, controls, charts, table };
}
