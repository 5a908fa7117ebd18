/** Murmur3 32-bit x86 (seed 0), as the Iceberg spec requires for the bucket transform. */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Hash of a byte sequence, as a signed 32-bit integer (Java's `int`). */
export function murmur3Bytes(bytes: Uint8Array): number {
  let h = 0;
  const n = bytes.length;
  const blocks = n & ~3;
  for (let i = 0; i < blocks; i += 4) {
    const k = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) | 0;
    h = mixH(h, k);
  }
  const tail = n & 3;
  if (tail) {
    let k = 0;
    if (tail === 3) k ^= bytes[blocks + 2]! << 16;
    if (tail >= 2) k ^= bytes[blocks + 1]! << 8;
    k ^= bytes[blocks]!;
    h ^= mixK(k);
  }
  return fmix(h, n);
}

/** Hash of a 64-bit integer: its 8 little-endian bytes (ints, dates, times and timestamps hash this way). */
export function murmur3Long(value: bigint | number): number {
  const v = BigInt.asUintN(64, BigInt(value));
  const lo = Number(v & 0xffffffffn) | 0;
  const hi = Number(v >> 32n) | 0;
  return fmix(mixH(mixH(0, lo), hi), 8);
}

export function murmur3String(value: string): number {
  return murmur3Bytes(Buffer.from(value, 'utf8'));
}
