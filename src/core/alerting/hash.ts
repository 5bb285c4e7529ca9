/**
 * A 64-bit non-cryptographic hash of a string as 16 hex digits: two 32-bit FNV-1a lanes with
 * different offset bases, each finished by MurmurHash3's fmix32 avalanche. Used for alert
 * fingerprints and idempotency keys, where a receiver only needs "same input, same key" and a
 * collision rate far below one in a billion for a few thousand keys; not for anything adversarial.
 */
export function hash64(text: string): string {
  // FNV-1a 32-bit offset basis (2166136261) and a second basis derived from it, so the lanes differ.
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return hex8(fmix32(a ^ text.length)) + hex8(fmix32(b ^ Math.imul(text.length, 0x9e3779b1)));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
