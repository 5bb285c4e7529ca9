/**
 * Discords of a whole series: how far each subsequence is from the closest other subsequence of the file, before or
 * after it (the two-sided matrix profile of Yeh et al., "Matrix Profile I", ICDM 2016; a subsequence far from every
 * other one is a discord, Keogh, Lin & Fu, ICDM 2005). The streaming detector searches only the past, one row at a
 * time (../streaming/streamDetector.ts); a batch analysis sees the whole file, so a subsequence that happens once is
 * strange even when it comes first.
 *
 * Distances are Euclidean on the values themselves, not z-normalised: a level the metric never holds for that long
 * is a discord as much as a shape it never takes (z-normalised distances measured worse on the NAB folders: docs/measurements.md). The series is first cut into bins (the mean of `bin` rows), at most MAX_LENGTH per subsequence and
 * MAX_POINTS per file, so the cost is bounded whatever the length of the file. Each subsequence's nearest neighbour is
 * searched in the order of the subsequences' means (nearestByMeans: exact, by a lower bound on the distance); where
 * the means do not separate the subsequences, every pair is compared along the diagonals of the distance matrix
 * (allPairs: each dot product updated from its neighbour, STOMP's recurrence, Zhu et al., "Matrix Profile II", ICDM
 * 2016), O(points²).
 */

/** Most bins in one subsequence (the NAB folders' 5-minute steps make a half hour 6; longer spans are cut to 12). */
const MAX_LENGTH = 12;
/** Fewest bins in one subsequence: with fewer, the subsequence is a value, not a shape. */
const MIN_LENGTH = 4;
/**
 * Most bins per series: the cost is bounded by comparing every pair of 16,000 subsequences (0.6–1 s per metric on noise,
 * where the means do not separate them; 0.02–0.2 s on metrics whose half hours resemble a few others).
 */
const MAX_POINTS = 16_000;
/** The diagonal's dot product is computed afresh every this many steps (the recurrence's round-off does not build up). */
const REFRESH = 64;

/** How a series of `rows` rows is searched for discords of `spanRows` rows: bins of `bin` rows, `length` bins per subsequence. */
export interface DiscordPlan {
  bin: number;
  length: number;
}

/**
 * The plan for subsequences of `spanRows` rows in a series of `rows` rows: bins of at least `minBin` rows (the caller's
 * shortest bin: finer than the steps the statistic was chosen on only costs), at most MAX_POINTS of them, at least
 * MIN_LENGTH and at most MAX_LENGTH to a subsequence; null where that cannot be (for a half hour in 5-minute bins:
 * steps over 8m34s, and files over MAX_POINTS × the largest bin that still leaves 4 to a half hour — 16,000 rows
 * at 5-minute steps, 128,000 at 1-minute steps). Letting the subsequence grow instead on long files (4 coarser bins)
 * was measured and not kept: NAB F1 0.659 against 0.665 (docs/measurements.md).
 */
export function discordPlan(rows: number, spanRows: number, minBin = 1): DiscordPlan | null {
  const bin = Math.max(1, minBin, Math.ceil(spanRows / MAX_LENGTH), Math.ceil(rows / MAX_POINTS));
  const length = Math.round(spanRows / bin);
  return length >= MIN_LENGTH && Math.floor(rows / bin) >= 3 * length ? { bin, length } : null;
}

/** Per row, the discord distance of the subsequence centred on it and the row at the centre of its nearest neighbour. */
export interface Discords {
  /** RMS difference (in the metric's units) to the nearest subsequence not overlapping it; NaN where none is centred. */
  distance: Float64Array;
  /** The row at the same place in that nearest subsequence; -1 where none. */
  nearest: Int32Array;
  /** The row's bin mean less that of its counterpart in the nearest subsequence (NaN where none): where the subsequence differs. */
  difference: Float64Array;
  /** The row's own value less its counterpart row's (NaN where either is missing, or none): where, within its bin, it differs. */
  rowDifference: Float64Array;
  /** The RMS of those row differences over the two subsequences' rows (NaN where none): their typical difference row by row. */
  rowDistance: Float64Array;
}

/** The discords of y (NaN: missing, read as the last value before it) under `plan`. */
export function discords(y: Float64Array, plan: DiscordPlan): Discords {
  const rows = y.length;
  const { bin, length: L } = plan;
  const { x, made } = binMeans(y, bin);
  const n = x.length;
  // Subsequences holding a bin with no value of its own (a gap, filled in) are not reported: a gap is no discord.
  const madeUp = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) madeUp[k + 1] = madeUp[k] + made[k];
  const m = n - L + 1;
  // Filled by either search (allPairs starts afresh when the search by means gives up).
  const best = new Float64Array(m);
  const nn = new Int32Array(m);
  if (!nearestByMeans(x, L, m, best, nn)) allPairs(x, L, m, best, nn);
  const distance = new Float64Array(rows).fill(NaN);
  const nearest = new Int32Array(rows).fill(-1);
  const difference = new Float64Array(rows).fill(NaN);
  const rowDifference = new Float64Array(rows).fill(NaN);
  const rowDistance = new Float64Array(rows).fill(NaN);
  const half = L >> 1;
  let typicalOf = -1, typical = NaN;
  for (let r = 0; r < rows; r++) {
    const k = Math.floor(r / bin);
    const start = k - half;
    if (start < 0 || start >= m || nn[start] < 0 || madeUp[start + L] > madeUp[start]) continue;
    const shift = (nn[start] - start) * bin;
    distance[r] = Math.sqrt(Math.max(0, best[start]) / L);
    nearest[r] = r + shift;
    difference[r] = x[k] - x[k + nn[start] - start];
    rowDifference[r] = y[r] - y[r + shift];
    // The rows of a bin share their subsequence: its pair's row-by-row RMS is summed once.
    if (typicalOf !== start) { typicalOf = start; typical = rowRms(y, start * bin, (start + L) * bin, shift); }
    rowDistance[r] = typical;
  }
  return { distance, nearest, difference, rowDifference, rowDistance };
}

/** The RMS of y[t] − y[t + shift] over rows [from, to) where both are values (NaN where none are). */
function rowRms(y: Float64Array, from: number, to: number, shift: number): number {
  let s = 0, c = 0;
  for (let t = from; t < to; t++) {
    const d = y[t] - y[t + shift];
    if (d - d === 0) { s += d * d; c++; }
  }
  return c ? Math.sqrt(s / c) : NaN;
}

/**
 * Each subsequence's nearest other subsequence at least L bins away, searched in the order of their means: the squared
 * distance of two subsequences is at least L × the square of their means' difference (Cauchy–Schwarz), so the search
 * outward from a subsequence's mean stops once that bound passes the best distance found. Exact, and on metric data
 * (most stretches have close matches) a few dozen candidates each instead of all m. False, with `best` and `nn` to be
 * discarded, when the work would pass what allPairs does (means that do not separate the subsequences: noise, counts).
 */
export function nearestByMeans(x: Float64Array, L: number, m: number, best: Float64Array, nn: Int32Array): boolean {
  // The means of each subsequence and of its two halves: the halves give a tighter bound, h1·Δa² + h2·Δb² ≤ d², checked
  // before a distance is summed (which stops once it passes the best).
  const h1 = L >> 1, h2 = L - h1;
  const mean = new Float64Array(m), ma = new Float64Array(m), mb = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let a = 0, b = 0;
    for (let k = 0; k < h1; k++) a += x[i + k];
    for (let k = h1; k < L; k++) b += x[i + k];
    mean[i] = (a + b) / L;
    ma[i] = a / h1;
    mb[i] = b / h2;
  }
  const order = new Int32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  order.sort((a, b) => mean[a] - mean[b] || a - b);
  const rank = new Int32Array(m);
  for (let r = 0; r < m; r++) rank[order[r]] = r;
  // A candidate costs about four of allPairs' pairs (measured on noise): past m²/8 candidates, or when the first
  // subsequences say the whole would take that many, allPairs is cheaper.
  const budget = (m * m) / 8;
  const probe = Math.min(m, Math.max(256, Math.ceil(m / 50)));
  let used = 0;
  for (let i = 0; i < m; i++) {
    if (i === probe && used * (m / probe) > budget) return false;
    const mi = mean[i];
    let d2best = Infinity, j2best = -1, offBest = Infinity;
    let lo = rank[i] - 1, hi = rank[i] + 1;
    while (lo >= 0 || hi < m) {
      const gLo = lo >= 0 ? mi - mean[order[lo]] : Infinity;
      const gHi = hi < m ? mean[order[hi]] - mi : Infinity;
      const g = gLo <= gHi ? gLo : gHi;
      // Past here no candidate can be closer, nor as close (ties are decided below, as allPairs decides them). The
      // bounds are compared with a little slack: computed from rounded means, a bound that equals a candidate's
      // distance can round above an equal best and skip a tie.
      const reach = d2best * (1 + 1e-9);
      if (L * g * g > reach) break;
      const j = gLo <= gHi ? order[lo--] : order[hi++];
      const off = j > i ? j - i : i - j;
      if (off < L) continue;
      if (++used > budget) return false;
      const da = ma[i] - ma[j], db = mb[i] - mb[j];
      if (h1 * da * da + h2 * db * db > reach) continue;
      let d2 = 0;
      for (let k = 0; k < L && d2 <= d2best; k++) { const d = x[i + k] - x[j + k]; d2 += d * d; }
      // Ties: the nearer in time, then the earlier (allPairs meets pairs by growing offset, the earlier first).
      if (d2 < d2best || (d2 === d2best && (off < offBest || (off === offBest && j < j2best)))) { d2best = d2; j2best = j; offBest = off; }
    }
    best[i] = d2best;
    nn[i] = j2best;
  }
  return true;
}

/** Every pair at least L bins apart (no overlap: a subsequence's neighbours that share most of it are trivial matches), along the diagonals of the distance matrix. */
export function allPairs(x: Float64Array, L: number, m: number, best: Float64Array, nn: Int32Array): void {
  best.fill(Infinity);
  nn.fill(-1);
  const sq = new Float64Array(m);
  let s = 0;
  for (let k = 0; k < L; k++) s += x[k] * x[k];
  sq[0] = s;
  for (let i = 1; i < m; i++) { s += x[i + L - 1] * x[i + L - 1] - x[i - 1] * x[i - 1]; sq[i] = s; }
  const dot = (i: number, j: number) => {
    let d = 0;
    for (let k = 0; k < L; k++) d += x[i + k] * x[j + k];
    return d;
  };
  for (let o = L; o < m; o++) {
    for (let i0 = 0; i0 + o < m; i0 += REFRESH) {
      const end = Math.min(m - o, i0 + REFRESH);
      let qt = dot(i0, i0 + o);
      for (let i = i0, j = i0 + o; ; ) {
        const d2 = sq[i] + sq[j] - 2 * qt;
        if (d2 < best[i]) { best[i] = d2; nn[i] = j; }
        if (d2 < best[j]) { best[j] = d2; nn[j] = i; }
        if (++i === end) break;
        j++;
        qt += x[i + L - 1] * x[j + L - 1] - x[i - 1] * x[j - 1];
      }
    }
  }
}

/**
 * The means of consecutive `bin` rows (NaN skipped; a bin with no value takes the one before it, the first value when
 * none, and is marked in `made`), centred on their mean.
 */
function binMeans(y: Float64Array, bin: number): { x: Float64Array; made: Uint8Array } {
  const n = Math.floor(y.length / bin);
  const x = new Float64Array(n).fill(NaN);
  const made = new Uint8Array(n);
  let total = 0, count = 0;
  for (let k = 0; k < n; k++) {
    let s = 0, c = 0;
    for (let r = k * bin; r < (k + 1) * bin; r++) if (y[r] === y[r] && Math.abs(y[r]) !== Infinity) { s += y[r]; c++; }
    if (c) { x[k] = s / c; total += s / c; count++; }
    else made[k] = 1;
  }
  const mean = count ? total / count : 0;
  let last = NaN;
  for (let k = 0; k < n; k++) if (x[k] === x[k]) { last = x[k]; break; }
  for (let k = 0; k < n; k++) {
    if (x[k] === x[k]) last = x[k];
    else x[k] = last === last ? last : mean;
    x[k] -= mean;
  }
  return { x, made };
}
