import { PrimitiveType, primitiveInfo } from './types';

/**
 * A value of an Iceberg primitive type, in the one JS representation this library uses:
 * boolean → boolean; int, date (days since epoch) → number; long, time (µs since midnight),
 * timestamp/timestamptz (µs since epoch), timestamp_ns (ns) → bigint; float/double → number;
 * decimal → bigint unscaled value; string → string; uuid → canonical string; binary/fixed → Uint8Array.
 */
export type IcebergValue = boolean | number | bigint | string | Uint8Array;

/** The spec's "binary single-value serialization" (Appendix D), used for bounds and partition summaries. */
export function toBytes(type: PrimitiveType, value: IcebergValue): Buffer {
  const info = primitiveInfo(type);
  switch (info.kind) {
    case 'boolean':
      return Buffer.from([value ? 1 : 0]);
    case 'int':
    case 'date': {
      const b = Buffer.alloc(4);
      b.writeInt32LE(Number(value));
      return b;
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(value as number | bigint));
      return b;
    }
    case 'float': {
      const b = Buffer.alloc(4);
      b.writeFloatLE(Number(value));
      return b;
    }
    case 'double': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(Number(value));
      return b;
    }
    case 'string':
      return Buffer.from(String(value), 'utf8');
    case 'uuid':
      return uuidToBytes(String(value));
    case 'binary':
    case 'fixed':
      return Buffer.from(value as Uint8Array);
    case 'decimal':
      return decimalToBytes(BigInt(value as bigint));
  }
}

export function fromBytes(type: PrimitiveType, bytes: Uint8Array): IcebergValue {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const info = primitiveInfo(type);
  switch (info.kind) {
    case 'boolean':
      return b[0] !== 0;
    case 'int':
    case 'date':
      return b.readInt32LE(0);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      // Iceberg allows a 4-byte int bound for a column promoted from int to long
      return b.length === 4 ? BigInt(b.readInt32LE(0)) : b.readBigInt64LE(0);
    case 'float':
      return b.readFloatLE(0);
    case 'double':
      return b.length === 4 ? b.readFloatLE(0) : b.readDoubleLE(0);
    case 'string':
      return b.toString('utf8');
    case 'uuid':
      return bytesToUuid(b);
    case 'binary':
    case 'fixed':
      return new Uint8Array(b);
    case 'decimal':
      return bytesToDecimal(b);
  }
}

/** Two's-complement big-endian, minimum number of bytes. */
export function decimalToBytes(unscaled: bigint): Buffer {
  const out: number[] = [];
  let v = unscaled;
  for (;;) {
    const byte = Number(BigInt.asUintN(8, v));
    out.unshift(byte);
    v >>= 8n;
    const signBit = (byte & 0x80) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) break;
  }
  return Buffer.from(out);
}

export function bytesToDecimal(b: Uint8Array): bigint {
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return b.length > 0 && (b[0]! & 0x80) !== 0 ? v - (1n << BigInt(8 * b.length)) : v;
}

export function uuidToBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

export function bytesToUuid(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Parses a decimal literal ("-14.20") into its unscaled value at the given scale. */
export function parseDecimal(text: string, scale: number): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) throw new Error(`not a decimal: ${text}`);
  const frac = (m[3] ?? '').padEnd(scale, '0');
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) throw new Error(`decimal ${text} has more than ${scale} fraction digits`);
  const v = BigInt((m[2] || '0') + frac.slice(0, scale));
  return m[1] === '-' ? -v : v;
}

export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const s = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${s}` : s;
}

/** Iceberg's default metrics mode is truncate(16): a lower bound may be cut to a prefix. */
export function truncateLowerString(v: string, width: number): string {
  const cps = Array.from(v);
  return cps.length <= width ? v : cps.slice(0, width).join('');
}

/**
 * An upper bound cut to `width` code points must stay ≥ every value: the last code point that can be
 * incremented is incremented. Returns undefined when no such bound exists (the caller omits it).
 */
export function truncateUpperString(v: string, width: number): string | undefined {
  const cps = Array.from(v);
  if (cps.length <= width) return v;
  const prefix = cps.slice(0, width);
  for (let i = prefix.length - 1; i >= 0; i--) {
    let cp = prefix[i]!.codePointAt(0)! + 1;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xe000; // skip surrogates
    if (cp <= 0x10ffff) return prefix.slice(0, i).join('') + String.fromCodePoint(cp);
  }
  return undefined;
}

export function truncateLowerBinary(v: Uint8Array, width: number): Uint8Array {
  return v.length <= width ? v : v.subarray(0, width);
}

export function truncateUpperBinary(v: Uint8Array, width: number): Uint8Array | undefined {
  if (v.length <= width) return v;
  const out = Uint8Array.from(v.subarray(0, width));
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]! += 1;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}
