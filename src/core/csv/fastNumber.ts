const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Reads a plain decimal number (`-12.5`, `3`, `0.001`) from s[start, end) without making a substring.
 * Exact: the digits are gathered as an integer below 2^53 and divided once by an exact power of ten ≤ 10^22,
 * which IEEE 754 rounds correctly. Anything else (exponents, spaces, missing markers, very long digit runs)
 * gives NaN, meaning "use the general parser".
 */
export function fastNumber(s: string, start: number, end: number): number {
  let i = start;
  if (i >= end) return NaN;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === 45) { neg = true; i++; } else if (c === 43) i++;
  let mant = 0, digits = 0, frac = 0, dot = false;
  for (; i < end; i++) {
    c = s.charCodeAt(i) - 48;
    if (c >= 0 && c <= 9) {
      mant = mant * 10 + c;
      digits++;
      if (dot) frac++;
    } else if (c === -2 && !dot) {
      dot = true;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15 || frac > 22) return NaN;
  const v = frac ? mant / POW10[frac] : mant;
  return neg ? -v : v;
}

/**
 * Reads a plain decimal number starting at s[start] and stopping at the delimiter code `delim` or at `end`,
 * in one pass; writes the stop position to stopAt[0]. NaN when the field is anything else (the caller re-reads it).
 */
export function scanNumber(s: string, start: number, end: number, delim: number, stopAt: Int32Array): number {
  let i = start;
  let c = i < end ? s.charCodeAt(i) : delim;
  let neg = false;
  if (c === 45) { neg = true; c = s.charCodeAt(++i); } else if (c === 43) c = s.charCodeAt(++i);
  let mant = 0, digits = 0, frac = 0, dot = false, bad = false;
  while (i < end && c !== delim) {
    const dgt = c - 48;
    if (dgt >= 0 && dgt <= 9) {
      mant = mant * 10 + dgt;
      digits++;
      if (dot) frac++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      bad = true;
    }
    c = s.charCodeAt(++i);
  }
  stopAt[0] = i;
  if (bad || digits === 0 || digits > 15 || frac > 22) return NaN;
  const v = frac ? mant / POW10[frac] : mant;
  return neg ? -v : v;
}
