/**
 * The project's one seeded pseudo-random generator: xoshiro128** (Blackman & Vigna, 2018),
 * seeded through splitmix32 so that nearby seeds give unrelated streams.
 * Same seed, same sequence, on every platform (32-bit integer arithmetic only).
 */
export interface Rng {
  /** Uniform float in [0, 1), 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n). n must be a positive integer below 2^32. */
  int(n: number): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Standard normal deviate (Box–Muller). */
  normal(): number;
  /** Laplace(0, b) deviate. */
  laplace(b: number): number;
  /** Poisson deviate with mean lambda (Knuth for small lambda, normal approximation above 50). */
  poisson(lambda: number): number;
  /** A new independent generator derived from this one (for per-tree or per-worker streams). */
  fork(): Rng;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Creates a generator from an integer seed (any JS number; the low 32 bits and the high bits are mixed). */
export function createRng(seed: number): Rng {
  const hi = Math.floor(seed / 4294967296) >>> 0;
  const sm = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d));
  let a = sm(), b = sm(), c = sm(), d = sm();
  if ((a | b | c | d) === 0) a = 1;
  let spare: number | null = null;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    int: (n) => Math.floor((nextU32() / 4294967296) * n),
    uniform: (lo, hi2) => lo + (hi2 - lo) * (nextU32() / 4294967296),
    normal: () => {
      if (spare !== null) { const s = spare; spare = null; return s; }
      let u = 0;
      while (u === 0) u = nextU32() / 4294967296;
      const v = nextU32() / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    laplace: (scale) => {
      const u = nextU32() / 4294967296 - 0.5;
      return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
    },
    poisson: (lambda) => {
      if (lambda <= 0) return 0;
      if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
      const l = Math.exp(-lambda);
      let k = 0, p = 1;
      do { k++; p *= nextU32() / 4294967296; } while (p > l);
      return k - 1;
    },
    fork: () => createRng(nextU32() * 4294967296 + nextU32()),
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
