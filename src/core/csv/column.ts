/** A growing column of numbers: the reader's timestamps, values and series ids as they are read. */
export class Column {
  // Small at first: a file with 100,000 columns and 3 rows must not cost 100,000 × 8 KB.
  data = new Float64Array(16);
  length = 0;
  add(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): Float64Array {
    return this.data.slice(0, this.length);
  }
}
