/**
 * Upper tail of the standard normal, Q(z) = P(Z > z), accurate far into the tail (we need
 * 1e-10 and below, where 1 − Φ(z) computed by subtraction would round to 0).
 * erfc by the Chebyshev-fitted formula of Numerical Recipes (Press et al., 2nd ed., §6.2, `erfcc`),
 * fractional error below 1.2e-7 everywhere.
 */
export function gaussianTail(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Complementary error function erfc(x) (relative error < 1.2e-7); NaN gives NaN. */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const ans = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? ans : 2 - ans;
}

/**
 * Surprise of a standard-normal deviate: −log10 Q(z), finite for any z (no underflow: the logarithm of the
 * erfc formula is taken term by term). 0 for z ≤ −∞-ish, NaN gives 0.
 */
export function gaussianSurprise(z: number): number {
  if (Number.isNaN(z)) return 0;
  if (z < 0) return -Math.log10(gaussianTail(z));
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const lnErfc = Math.log(t) - x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277))))))));
  return -(lnErfc + Math.log(0.5)) / Math.LN10;
}

/**
 * Numenta's log scale of an anomaly likelihood (Ahmad et al. 2017, NAB `computeLogLikelihood`):
 * maps the tail probability q = 1 − likelihood to [0, 1], 1 at q ≤ 1e-10. NaN gives 0.
 */
export function logTailScore(q: number): number {
  if (!(q >= 0)) return 0;
  const s = Math.log(q + 1e-10) / Math.log(1e-10);
  return s <= 0 ? 0 : s >= 1 ? 1 : s;
}
