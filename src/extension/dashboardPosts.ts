// Pure (no vscode import): what the dashboard's host posts to its page, and when. The one rule for what the page
// holds: what this page was posted of the file since it loaded (a new page holds nothing). Unit-tested in Node.

/** What the page holds, each part named by what it was made from (null: nothing). */
export interface PageHolds {
  /** The file's data (localData): its content stamp. */
  data: string | null;
  /** The detectors' fits (the arrays of an outputs message): their key. */
  fits: string | null;
  /** The charts' data (a model's series): what they depend on. */
  series: string | null;
}

export const HOLDS_NOTHING: PageHolds = { data: null, fits: null, series: null };

/** The analysis to post, as far as the plan needs it. */
export interface Shown {
  /** The page has loaded (its `ready` came): the data (~1 MB for the sample) may go; before, the first model goes alone. */
  loaded: boolean;
  /** Small enough for the page to hold (LOCAL_DATA_MAX_VALUES) and not a live window. */
  small: boolean;
  /** No detector running, no failure: the analysis's outputs are final. */
  complete: boolean;
  /** The data's content stamp (file, content hash, rows). */
  data: string;
  /** The fits' key, or null when there are none. */
  fits: string | null;
  /** Whether the fits include the forecasts' (the page then draws the band for any interval). */
  forecastFits: boolean;
  /** What the charts' data depends on besides the band's interval (file, content, forecast toggle, live). */
  series: string;
  interval: number;
}

export type Post = 'data' | 'outputs' | 'model';

export interface Plan {
  /** What to post, in order. */
  posts: Post[];
  /** The outputs carry only the fits' key (the page holds the arrays). */
  fitsHeld: boolean;
  /** The model carries no findings: the page computes them from the data and outputs posted before it. */
  byPage: boolean;
  /** The model carries its series (else the page's stay). */
  withSeries: boolean;
  /** What the page holds after these posts. */
  holds: PageHolds;
}

/**
 * What to post for an analysis (`model` false: only what the page is missing, for a page that has its model).
 * The data and outputs go before the model, which then carries no findings — but for a page still loading or an
 * analysis not complete: then the model goes first, with the host's findings (the first chart need not wait for
 * the data), and the page replaces them with its own once the outputs come.
 */
export function plan(holds: PageHolds, s: Shown, model = true): Plan {
  const byPage = s.small && s.loaded && s.complete;
  const sendData = s.small && s.loaded && holds.data !== s.data;
  const fitsHeld = !sendData && holds.fits !== null && holds.fits === s.fits;
  // The band follows the interval on the page when it holds the forecasts' fits: the interval then changes nothing sent.
  const series = JSON.stringify([s.series, byPage && s.forecastFits ? 'page' : s.interval]);
  const withSeries = series !== holds.series;
  const posts: Post[] = [];
  if (byPage) {
    if (sendData) posts.push('data');
    posts.push('outputs');
  } else if (sendData) posts.push('data');
  if (model) {
    if (byPage) posts.push('model');
    else posts.unshift('model');
  }
  return {
    posts, fitsHeld, byPage, withSeries,
    holds: {
      data: sendData ? s.data : holds.data,
      fits: byPage ? s.fits : sendData ? null : holds.fits,
      series: model ? series : holds.series,
    },
  };
}
