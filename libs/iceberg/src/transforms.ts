import { murmur3Bytes, murmur3Long, murmur3String } from './murmur3';
import { PrimitiveType, Transform, primitiveInfo } from './types';
import { IcebergValue, decimalToBytes, uuidToBytes } from './values';

export type ParsedTransform =
  | { kind: 'identity' | 'year' | 'month' | 'day' | 'hour' | 'void' }
  | { kind: 'bucket'; n: number }
  | { kind: 'truncate'; width: number };

export function parseTransform(t: Transform | string): ParsedTransform {
  const b = /^bucket\[(\d+)\]$/.exec(t);
  if (b) return { kind: 'bucket', n: Number(b[1]) };
  const tr = /^truncate\[(\d+)\]$/.exec(t);
  if (tr) return { kind: 'truncate', width: Number(tr[1]) };
  if (['identity', 'year', 'month', 'day', 'hour', 'void'].includes(t)) {
    return { kind: t as 'identity' | 'year' | 'month' | 'day' | 'hour' | 'void' };
  }
  throw new Error(`unsupported partition transform "${t}"`);
}

const TEMPORAL = new Set(['date', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']);
const TIMESTAMPS = new Set(['timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']);

/** Checks that a transform may be applied to a source type, and gives the partition value's type. */
export function transformResultType(t: Transform | string, source: PrimitiveType): PrimitiveType {
  const p = parseTransform(t);
  const kind = primitiveInfo(source).kind;
  switch (p.kind) {
    case 'identity':
    case 'void':
      return source;
    case 'year':
    case 'month':
      if (!TEMPORAL.has(kind)) break;
      return 'int';
    case 'day':
      if (!TEMPORAL.has(kind)) break;
      return 'date';
    case 'hour':
      if (!TIMESTAMPS.has(kind)) break;
      return 'int';
    case 'bucket':
      if (kind === 'float' || kind === 'double' || kind === 'boolean') break;
      return 'int';
    case 'truncate':
      if (!['int', 'long', 'decimal', 'string', 'binary'].includes(kind)) break;
      return source;
  }
  throw new Error(`transform ${t} cannot be applied to a column of type ${source}`);
}

/** The default partition field name, as Java's PartitionSpec.Builder and pyiceberg name them. */
export function defaultPartitionFieldName(t: Transform | string, sourceName: string): string {
  const p = parseTransform(t);
  switch (p.kind) {
    case 'identity':
      return sourceName;
    case 'bucket':
      return `${sourceName}_bucket`;
    case 'truncate':
      return `${sourceName}_trunc`;
    case 'void':
      return `${sourceName}_null`;
    default:
      return `${sourceName}_${p.kind}`;
  }
}

/** The spec's 32-bit hash of a value (Appendix B), before `& Integer.MAX_VALUE) % N`. */
export function hashValue(type: PrimitiveType, value: IcebergValue): number {
  const info = primitiveInfo(type);
  switch (info.kind) {
    case 'int':
    case 'long':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return murmur3Long(value as number | bigint);
    case 'decimal':
      return murmur3Bytes(decimalToBytes(BigInt(value as bigint)));
    case 'string':
      return murmur3String(value as string);
    case 'uuid':
      return murmur3Bytes(uuidToBytes(value as string));
    case 'binary':
    case 'fixed':
      return murmur3Bytes(value as Uint8Array);
    default:
      throw new Error(`values of type ${type} cannot be hashed for bucketing`);
  }
}

export function bucket(type: PrimitiveType, value: IcebergValue, n: number): number {
  return (hashValue(type, value) & 0x7fffffff) % n;
}

const US_PER_DAY = 86_400_000_000n;
const US_PER_HOUR = 3_600_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function toMicros(kind: string, v: IcebergValue): bigint {
  const x = BigInt(v as number | bigint);
  return kind.endsWith('_ns') ? floorDiv(x, 1000n) : x;
}

function daysOf(kind: string, v: IcebergValue): number {
  return kind === 'date' ? Number(v) : Number(floorDiv(toMicros(kind, v), US_PER_DAY));
}

function yearMonth(days: number): { y: number; m: number } {
  const d = new Date(days * 86_400_000);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() };
}

/** Applies a transform to one source value (null stays null, except void which is always null). */
export function applyTransform(t: Transform | string, type: PrimitiveType, value: IcebergValue | null): IcebergValue | null {
  const p = parseTransform(t);
  if (value === null || p.kind === 'void') return null;
  const kind = primitiveInfo(type).kind;
  switch (p.kind) {
    case 'identity':
      return value;
    case 'year':
      return yearMonth(daysOf(kind, value)).y - 1970;
    case 'month': {
      const { y, m } = yearMonth(daysOf(kind, value));
      return (y - 1970) * 12 + m;
    }
    case 'day':
      return daysOf(kind, value);
    case 'hour':
      return Number(floorDiv(toMicros(kind, value), US_PER_HOUR));
    case 'bucket':
      return bucket(type, value, p.n);
    case 'truncate':
      return truncateValue(kind, value, p.width);
  }
}

function truncateValue(kind: string, value: IcebergValue, w: number): IcebergValue {
  switch (kind) {
    case 'int': {
      const v = value as number;
      return v - (((v % w) + w) % w);
    }
    case 'long':
    case 'decimal': {
      const v = BigInt(value as bigint);
      const W = BigInt(w);
      return v - (((v % W) + W) % W);
    }
    case 'string':
      return Array.from(value as string)
        .slice(0, w)
        .join('');
    case 'binary':
      return (value as Uint8Array).subarray(0, w);
    default:
      throw new Error(`truncate cannot be applied to ${kind}`);
  }
}

/** Human-readable partition value for a data file path (`ts_day=2024-01-01`), like Java's toHumanString. */
export function humanPartitionValue(t: Transform | string, resultType: PrimitiveType, value: IcebergValue | null): string {
  if (value === null) return 'null';
  const p = parseTransform(t);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  if (p.kind === 'year') return String(1970 + Number(value));
  if (p.kind === 'month') {
    const v = Number(value);
    const y = 1970 + Math.floor(v / 12);
    return `${y}-${pad(((v % 12) + 12) % 12 + 1)}`;
  }
  if (p.kind === 'hour') {
    const d = new Date(Number(value) * 3_600_000);
    return `${d.toISOString().slice(0, 10)}-${pad(d.getUTCHours())}`;
  }
  if (resultType === 'date') return new Date(Number(value) * 86_400_000).toISOString().slice(0, 10);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64url');
  return encodeURIComponent(String(value));
}
