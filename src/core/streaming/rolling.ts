/**
 * Fixed-capacity rolling structures for the streaming detector: every one allocates its arrays once,
 * so memory does not grow with the length of the stream.
 */
import { SortedValues, quantileSorted } from '../stats.ts';

/** A ring of the last `capacity` numbers; `at(k)` is the value pushed k steps ago (0 = newest). */
export class Ring {
  readonly capacity: number;
  private readonly buf: Float64Array;
  private head = -1;
  private count = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.buf = new Float64Array(this.capacity);
  }

  /** Appends a value, overwriting the oldest one when full. */
  push(x: number): void {
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.buf[this.head] = x;
    if (this.count < this.capacity) this.count++;
  }

  /** How many values are held (≤ capacity). */
  get length(): number {
    return this.count;
  }

  /** The value pushed k steps ago (0 = newest); NaN when k is out of range. */
  at(k: number): number {
    if (k < 0 || k >= this.count) return NaN;
    const i = this.head - k;
    return this.buf[i < 0 ? i + this.capacity : i];
  }

  /** The raw storage and the index of the newest element, for tight loops that unroll `at`. */
  raw(): { buf: Float64Array; head: number } {
    return { buf: this.buf, head: this.head };
  }

  /** Length of the backing store in elements (constant: the memory bound). */
  get footprint(): number {
    return this.buf.length;
  }
}

/**
 * Mean and standard deviation of the last `capacity` values, O(1) per update. The running sums are
 * recomputed from the ring every `capacity` pushes so that floating-point drift cannot accumulate
 * over an endless stream.
 */
export class RollingMoments {
  private readonly ring: Ring;
  private sum = 0;
  private sumSq = 0;
  private sinceRefresh = 0;

  constructor(capacity: number) {
    this.ring = new Ring(capacity);
  }

  /** Adds a value (NaN is ignored). */
  push(x: number): void {
    if (Number.isNaN(x)) return;
    if (this.ring.length === this.ring.capacity) {
      const old = this.ring.at(this.ring.capacity - 1);
      this.sum -= old;
      this.sumSq -= old * old;
    }
    this.ring.push(x);
    this.sum += x;
    this.sumSq += x * x;
    if (++this.sinceRefresh >= this.ring.capacity) this.refresh();
  }

  private refresh(): void {
    let s = 0, s2 = 0;
    for (let k = 0; k < this.ring.length; k++) {
      const v = this.ring.at(k);
      s += v;
      s2 += v * v;
    }
    this.sum = s;
    this.sumSq = s2;
    this.sinceRefresh = 0;
  }

  /** Number of values in the window. */
  get count(): number {
    return this.ring.length;
  }

  /** Mean of the window; NaN when empty. */
  get mean(): number {
    return this.ring.length ? this.sum / this.ring.length : NaN;
  }

  /** Population standard deviation of the window; NaN when empty. */
  get std(): number {
    const n = this.ring.length;
    if (!n) return NaN;
    const m = this.sum / n;
    return Math.sqrt(Math.max(0, this.sumSq / n - m * m));
  }

  /** Elements allocated (constant). */
  get footprint(): number {
    return this.ring.footprint;
  }
}

/**
 * Maximum of the last `capacity` values (monotonic deque, amortised O(1)): a value older than the
 * window leaves the deque, a value below a newer one can never be the maximum again.
 */
export class RollingMax {
  private readonly vals: Float64Array;
  private readonly ages: Float64Array;
  private first = 0;
  private size = 0;
  private t = 0;
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.vals = new Float64Array(this.capacity + 1);
    this.ages = new Float64Array(this.capacity + 1);
  }

  /** Maximum of the values pushed in the last `capacity` steps; -Infinity when none. */
  get max(): number {
    return this.size ? this.vals[this.first] : -Infinity;
  }

  /** Appends a value (NaN counts as -Infinity: it never becomes the maximum). */
  push(x: number): void {
    const v = Number.isNaN(x) ? -Infinity : x;
    const cap = this.vals.length;
    while (this.size && this.ages[this.first] <= this.t - this.capacity) {
      this.first = (this.first + 1) % cap;
      this.size--;
    }
    while (this.size) {
      const last = (this.first + this.size - 1) % cap;
      if (this.vals[last] > v) break;
      this.size--;
    }
    const at = (this.first + this.size) % cap;
    this.vals[at] = v;
    this.ages[at] = this.t;
    this.size++;
    this.t++;
  }

  /** Elements allocated (constant). */
  get footprint(): number {
    return this.vals.length;
  }
}

/**
 * The last `capacity` values kept in sorted order as well as in arrival order, so that any quantile of the
 * window is one array read; O(capacity) per push (a binary search and one block move), no allocation.
 */
export class SortedWindow {
  private readonly ring: Ring;
  private readonly win: SortedValues;

  constructor(capacity: number) {
    this.ring = new Ring(capacity);
    this.win = new SortedValues(this.ring.capacity);
  }

  /** Appends a finite value (others are ignored), dropping the oldest when full; returns the value dropped, or NaN. */
  push(x: number): number {
    if (!Number.isFinite(x)) return NaN;
    let dropped = NaN;
    if (this.win.count === this.ring.capacity) {
      dropped = this.ring.at(this.ring.capacity - 1);
      this.win.remove(dropped);
    }
    this.ring.push(x);
    this.win.insert(x);
    return dropped;
  }

  /** Values held (≤ capacity). */
  get count(): number {
    return this.win.count;
  }

  /** The q-quantile (0 ≤ q ≤ 1, linear between order statistics); NaN when empty. */
  quantile(q: number): number {
    const n = this.win.count;
    return n ? quantileSorted(this.win.values, Math.min(1, Math.max(0, q)), n) : NaN;
  }

  /** Mean of the values left when `cut` values are dropped at each end (the plain mean when 2·cut ≥ count); NaN when empty. */
  trimmedMean(cut: number): number {
    const n = this.win.count;
    if (!n) return NaN;
    const c = 2 * cut < n ? cut : 0;
    let s = 0;
    for (let i = c; i < n - c; i++) s += this.win.values[i];
    return s / (n - 2 * c);
  }

  /** Elements allocated (constant). */
  get footprint(): number {
    return this.ring.footprint + this.win.values.length;
  }
}
