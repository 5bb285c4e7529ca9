// A text file's bytes as text, for the files whose places we report (rules files, Prometheus rule files): UTF-8
// only, its byte-order mark dropped (as VS Code and TextDecoder drop it, so that line 1's columns agree in the CLI
// and the editor), and a byte that is not UTF-8 refused at its place instead of read as U+FFFD.
import { textPositionAt } from './textPosition.ts';

/** The text of UTF-8 bytes (BOM dropped), or where the first byte that is not UTF-8 is (1-based; columns in UTF-16 units, as our other columns). */
export type DecodedText = { text: string } | { error: string; line: number; column: number };

/** The offset of the first byte of `bytes` that does not start or continue a well-formed UTF-8 sequence, or -1. */
export function invalidUtf8At(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const b = bytes[i];
    if (b < 0x80) { i++; continue; }
    // The count of continuation bytes and the range of the first one (no overlong forms, no surrogates, at most U+10FFFF).
    let more: number, lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) more = 1;
    else if (b >= 0xe0 && b <= 0xef) { more = 2; if (b === 0xe0) lo = 0xa0; else if (b === 0xed) hi = 0x9f; }
    else if (b >= 0xf0 && b <= 0xf4) { more = 3; if (b === 0xf0) lo = 0x90; else if (b === 0xf4) hi = 0x8f; }
    else return i;
    for (let k = 1; k <= more; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += more + 1;
  }
  return -1;
}

/** UTF-8 bytes as text without its BOM; a byte that is not UTF-8 is an error at its line and column (the message does not name them). */
export function decodeUtf8(bytes: Uint8Array): DecodedText {
  const bad = invalidUtf8At(bytes);
  if (bad < 0) return { text: new TextDecoder('utf-8').decode(bytes) };
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
  const { line, column } = textPositionAt(before, before.length);
  const hex = bytes[bad].toString(16).toUpperCase().padStart(2, '0');
  return { error: `not valid UTF-8 (byte 0x${hex}): save the file as UTF-8`, line, column };
}
