// What the toolbar's controls say they change (their tooltips): a slider's effect is not visible on every view
// (test/unit/pageView.test.ts checks the claims: the contamination and interval leave the incidents as they are).
import type { RuleSlider } from '../src/protocol.ts';

/** The Contamination slider: the Isolation Forest's share of flagged rows, listed by "All flagged rows" only. */
export const CONTAMINATION_TIP = 'Isolation Forest: the share of rows it flags (left end: calibrated on this data). '
  + 'Changes the "All flagged rows" view and the Isolation Forest\'s chart markers there; the incidents do not move with it (they come from the forest\'s calibrated scores).';

/** The Interval slider: the forecaster's band, and the rows outside it in "All flagged rows". */
export const INTERVAL_TIP = 'Forecaster: the width of the forecast band drawn on the charts; rows outside it are flagged in the "All flagged rows" view. '
  + 'The incidents do not move with it (they come from the forecaster\'s calibrated residuals).';

/** A rule's slider: its threshold, which moves its findings and the incidents they are part of. */
export function ruleTip(r: Pick<RuleSlider, 'name' | 'metric' | 'op' | 'threshold'>): string {
  return `Rule ${r.name}: flags rows where ${r.metric} ${r.op} this threshold (the rules file says ${r.threshold}). `
    + 'Changes its findings in every view, and the incidents they make. "Save to rules file" keeps it.';
}

/** The export checkbox: what Export CSV / JSON write. */
export const EXPORT_ONLY_TIP = 'Export CSV / Export JSON write only the rows a detector flagged (unchecked: every row of the file, with its findings).';
