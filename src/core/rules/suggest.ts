/** Optimal-string-alignment edit distance (Levenshtein plus adjacent swaps); 0 for equal strings. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[b.length];
}

/**
 * The candidate closest to `word` when it is close enough to be a likely typo (case differences are
 * free, then at most a third of the word's length in edits, at least 1, at most 3); undefined otherwise.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    // Ties go to the candidate of the same length: '=>' means '>=' rather than '>'.
    const d = (c.toLowerCase() === lower ? 0.5 : editDistance(lower, c.toLowerCase())) + Math.abs(c.length - word.length) * 0.01;
    if (d < bestD) { bestD = d; best = c; }
  }
  return bestD <= limit + 0.5 ? best : undefined;
}
