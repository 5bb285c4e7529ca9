/**
 * The small dense linear algebra the forecaster needs: symmetric positive-definite solves on p×p
 * systems (p ≤ ~70) stored row-major in one Float64Array, and the standard normal quantile.
 */

/**
 * Solves A·x = b for a symmetric positive-definite A (row-major n×n, only the lower triangle is read)
 * by Cholesky. `work` (n×n) is overwritten with the factor. A pivot that rounding drives to ≤ 0 is
 * replaced by a tiny positive one, so a nearly singular system still gives a finite (minimum-norm-like) answer.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number, work: Float64Array, x: Float64Array): void {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]));
  const tiny = (maxDiag || 1) * 1e-14;
  // Rows two at a time (rows i and i + 1 read the same earlier rows j); each entry subtracts its terms in order k = 0, 1, ….
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const ri = i * n;
    const ri1 = ri + n;
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      let t = a[ri1 + j];
      for (let k = 0; k < j; k++) {
        const l = work[rj + k];
        s -= work[ri + k] * l;
        t -= work[ri1 + k] * l;
      }
      const pivot = work[rj + j];
      work[ri + j] = s / pivot;
      work[ri1 + j] = t / pivot;
    }
    let s = a[ri + i];
    let t = a[ri1 + i];
    for (let k = 0; k < i; k++) {
      const l = work[ri + k];
      s -= l * l;
      t -= work[ri1 + k] * l;
    }
    const pivot = Math.sqrt(s > tiny ? s : tiny);
    work[ri + i] = pivot;
    work[ri1 + i] = t / pivot;
    const u = dotRest(a[ri1 + i + 1], work, ri1, ri1, i + 1);
    work[ri1 + i + 1] = Math.sqrt(u > tiny ? u : tiny);
  }
  if (i < n) {
    const ri = i * n;
    for (let j = 0; j < i; j++) work[ri + j] = dotRest(a[ri + j], work, ri, j * n, j) / work[j * n + j];
    const s = dotRest(a[ri + i], work, ri, ri, i);
    work[ri + i] = Math.sqrt(s > tiny ? s : tiny);
  }
  // Forward then back substitution: L·z = b, Lᵀ·x = z.
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= work[ri + k] * x[k];
    x[i] = s / work[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= work[k * n + i] * x[k];
    x[i] = s / work[i * n + i];
  }
}

/**
 * s − Σ_{k<len} w[u + k]·w[v + k], subtracted one term at a time in order (unrolled by four: the same operations,
 * fewer loop steps).
 */
function dotRest(s: number, w: Float64Array, u: number, v: number, len: number): number {
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s -= w[u + k] * w[v + k];
    s -= w[u + k + 1] * w[v + k + 1];
    s -= w[u + k + 2] * w[v + k + 2];
    s -= w[u + k + 3] * w[v + k + 3];
  }
  for (; k < len; k++) s -= w[u + k] * w[v + k];
  return s;
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9);
 * ±Infinity at 0 and 1, NaN outside [0, 1].
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - pLow) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
