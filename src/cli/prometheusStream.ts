/**
 * `stream --prometheus …` (SPEC §8): the range is fetched once, then every step the new grid points are fetched
 * and fed, as CSV text, into the same StreamPipeline a followed CSV goes through, so the scoring, the rules, the
 * output formats and the webhook are the same. The columns are those of the first fetch; a series that appears
 * later is noted and left out. A failed poll is a warning (once per outage), the next step tries again, and the
 * first answer after it is said, with the lookback's copies over the outage left out (outage.ts).
 */
import { csvHeader, csvRows } from '../core/prometheus/csvText.ts';
import type { RangeSpec } from '../core/prometheus/source.ts';
import { fetchFrame, SourceError } from '../core/prometheus/source.ts';
import { PollOutage } from '../core/prometheus/outage.ts';
import { createHttpFetcher, serverLabel } from '../node/prometheusHttp.ts';
import { InputError } from '../node/errors.ts';
import type { PrometheusArgs } from './prometheusSource.ts';

/** What the poller feeds and tells. */
export interface PrometheusStreamHooks {
  /** CSV text for the pipeline (the header first). */
  onText(text: string): void;
  /** The first range has been fed: rows after this are live. */
  onCaughtUp(): void;
  onNotice(text: string): void;
  signal?: AbortSignal;
  /** Keep polling every step (false when --end was given: the range is fixed). */
  follow: boolean;
  /** The clock (tests). @default Date.now */
  now?: () => number;
  /** Waits between polls (tests make it shorter). @default the step */
  pollMs?: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) { resolve(); return; }
    const done = (): void => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Fetches the range, then (with `follow`) polls every step until the signal. The first fetch's failure is an InputError. */
export async function streamPrometheus(args: PrometheusArgs, hooks: PrometheusStreamHooks): Promise<void> {
  const server = serverLabel(args.url);
  const fetcher = createHttpFetcher({ url: args.url, token: args.token, signal: hooks.signal });
  const now = hooks.now ?? Date.now;
  let first;
  try {
    first = await fetchFrame(args.queries, args.range, fetcher);
  } catch (e) {
    if (e instanceof SourceError) throw new InputError(e.message, server);
    throw e;
  }
  for (const n of first.notes) hooks.onNotice(`${server}: warning: ${n}`);
  const columns = first.frame.metrics;
  hooks.onText(csvHeader(columns) + [...csvRows(first.frame, columns)].join(''));
  hooks.onCaughtUp();
  const step = args.range.stepMs;
  let next = args.range.endMs + step;
  const outage = new PollOutage(server);
  outage.fed(first.frame, args.range.endMs);
  const unknown = new Set<string>();
  while (hooks.follow && !hooks.signal?.aborted) {
    await sleep(hooks.pollMs ?? step, hooks.signal);
    if (hooks.signal?.aborted) break;
    const end = Math.floor(now() / step) * step;
    if (end < next) continue;
    const range: RangeSpec = { startMs: next, endMs: end, stepMs: step };
    try {
      const got = await fetchFrame(args.queries, range, fetcher);
      const back = outage.answered(now());
      if (back) hooks.onNotice(back);
      const { frame, dropped } = outage.clean(got.frame, next, end, step);
      if (dropped) hooks.onNotice(outage.droppedNote(dropped));
      for (const m of frame.metrics) {
        if (!columns.includes(m) && !unknown.has(m)) {
          unknown.add(m);
          hooks.onNotice(`${server}: note: new series ${m} is not scored (the columns are those of the first fetch; restart the stream to include it)`);
        }
      }
      hooks.onText([...csvRows(frame, columns)].join(''));
      next = end + step;
    } catch (e) {
      if (hooks.signal?.aborted) break;
      if (!(e instanceof SourceError)) throw e;
      // Nothing new in the range is not a failure: the next poll asks again from the same point.
      if (/returned no data/.test(e.message)) {
        const back = outage.answered(now());
        if (back) hooks.onNotice(back);
        if (end - next > 10 * step) { next = end + step; outage.fed(null, end); }
        continue;
      }
      if (outage.failed(e.message, now())) hooks.onNotice(`${server}: warning: ${e.message} (trying again at the next step)`);
    }
  }
}
