/**
 * The Page-Hinkley test for a change in the mean of a sequence, two-sided (E. S. Page, "Continuous
 * inspection schemes", Biometrika 41(1/2), 1954; in the form used for concept drift by Gama, Žliobaitė,
 * Bifet, Pechenizkiy & Bouchachia, "A survey on concept drift adaptation", ACM Computing Surveys 46(4),
 * 2014, §3.2.1). For an upward change: m_t = Σ (x_i − δ), M_t = min m_i, alarm when m_t − M_t > λ (and the
 * mirror image for a downward change). δ is the size of a change that is tolerated, λ the evidence needed.
 *
 * Fed with a model's standardised residuals (mean 0, spread 1 while the model fits), it says when the data
 * no longer follow the model, and where the change began: the row after the one at which the cumulative
 * sum was last at its minimum. Inputs are clipped to ±`clip` so that one spike, however large, is not
 * enough evidence of a lasting change. O(1) memory and time per value.
 */

/** Options of `PageHinkley`; defaults are in units of the residual's standard deviation. */
export interface PageHinkleyOptions {
  /** Tolerated change of the mean (δ). @default 1 */
  delta?: number;
  /** Evidence that raises the alarm (λ). @default 50 */
  lambda?: number;
  /** Each input is clipped to ±clip. @default 5 */
  clip?: number;
}

/** The two-sided Page-Hinkley detector; `push` returns true on the value that raises the alarm. */
export class PageHinkley {
  private readonly delta: number;
  private readonly lambda: number;
  private readonly clip: number;
  private up = 0;
  private upMin = 0;
  private upMinAt = 0;
  private down = 0;
  private downMin = 0;
  private downMinAt = 0;
  private n = 0;
  /** Once alarmed: how many values (since the last reset) came before the one where the change is estimated to begin. */
  changeAt = -1;

  constructor(options: PageHinkleyOptions = {}) {
    this.delta = options.delta ?? 1;
    this.lambda = options.lambda ?? 50;
    this.clip = options.clip ?? 5;
  }

  /** Values pushed since the last reset. */
  get count(): number {
    return this.n;
  }

  /** Adds a value (NaN counts as a position but adds no evidence); true when this value raises the alarm (then `changeAt` is set). */
  push(value: number): boolean {
    this.n++;
    if (!Number.isNaN(value)) {
      const x = Math.max(-this.clip, Math.min(this.clip, value));
      this.up += x - this.delta;
      this.down += -x - this.delta;
    }
    // The latest minimum: the change begins after the last value that did not raise the sum.
    if (this.up <= this.upMin) { this.upMin = this.up; this.upMinAt = this.n; }
    if (this.down <= this.downMin) { this.downMin = this.down; this.downMinAt = this.n; }
    if (Number.isNaN(value)) return false;
    if (this.up - this.upMin > this.lambda) { this.changeAt = this.upMinAt; return true; }
    if (this.down - this.downMin > this.lambda) { this.changeAt = this.downMinAt; return true; }
    return false;
  }

  /** Starts again (after the model was refitted). */
  reset(): void {
    this.up = this.upMin = this.down = this.downMin = 0;
    this.upMinAt = this.downMinAt = 0;
    this.n = 0;
    this.changeAt = -1;
  }
}
