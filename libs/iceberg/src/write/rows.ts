import { DuckDBBlobValue, DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { NestedField, PrimitiveType, isPrimitive, primitiveInfo } from '../types';
import { duckType, q } from './duckdb-types';

/**
 * Loads JS rows into a DuckDB temp table through the appender, and returns SQL that reads them in the
 * table's types. Accepted values per Iceberg type:
 * - int/long/float/double: number or bigint; boolean: boolean; string: string
 * - date: Date, 'YYYY-MM-DD' or days since epoch (number)
 * - timestamp/timestamptz: Date, ISO-8601 string, or µs since epoch (bigint)
 * - time: 'HH:MM:SS[.ffffff]' or µs since midnight (bigint)
 * - decimal: string or number; uuid: string; binary/fixed: Uint8Array
 * null/undefined → null. Nested types are not accepted here (pass a DuckDB relation instead).
 */
export async function rowsToDuckDB(c: DuckDBConnection, fields: NestedField[], rows: Record<string, unknown>[]): Promise<{ sql: string; drop: () => Promise<void> }> {
  const name = `__iceberg_rows_${randomUUID().replace(/-/g, '')}`;
  const staging = fields.map((f) => {
    if (!isPrimitive(f.type)) throw new Error(`column ${f.name}: nested values must be passed as a DuckDB relation`);
    return { f, kind: primitiveInfo(f.type).kind, type: f.type };
  });
  const stagingType = (kind: string, t: PrimitiveType): string => {
    switch (kind) {
      case 'date':
        return 'INTEGER';
      case 'time':
      case 'timestamp':
      case 'timestamptz':
        return 'BIGINT';
      case 'decimal':
      case 'uuid':
        return 'VARCHAR';
      default:
        return duckType(t);
    }
  };
  await c.run(`CREATE TEMP TABLE ${name} (${staging.map((s) => `${q(s.f.name)} ${stagingType(s.kind, s.type)}`).join(', ')})`);
  const appender = await c.createAppender(name, 'main', 'temp');
  for (const row of rows) {
    for (const s of staging) {
      const v = row[s.f.name];
      if (v === null || v === undefined) {
        appender.appendNull();
        continue;
      }
      switch (s.kind) {
        case 'boolean':
          appender.appendBoolean(Boolean(v));
          break;
        case 'int':
        case 'date':
          appender.appendInteger(s.kind === 'date' ? toDays(v) : Number(v));
          break;
        case 'long':
          appender.appendBigInt(BigInt(v as number | bigint));
          break;
        case 'time':
          appender.appendBigInt(toTimeMicros(v));
          break;
        case 'timestamp':
        case 'timestamptz':
          appender.appendBigInt(toMicros(v));
          break;
        case 'float':
          appender.appendFloat(Number(v));
          break;
        case 'double':
          appender.appendDouble(Number(v));
          break;
        case 'string':
        case 'decimal':
        case 'uuid':
          appender.appendVarchar(String(v));
          break;
        case 'binary':
        case 'fixed':
          appender.appendBlob(v instanceof DuckDBBlobValue ? v.bytes : (v as Uint8Array));
          break;
        default:
          throw new Error(`column ${s.f.name}: type ${s.type} is not supported`);
      }
    }
    appender.endRow();
  }
  appender.closeSync();
  const conv = staging.map(({ f, kind }) => {
    const col = q(f.name);
    switch (kind) {
      case 'date':
        return `(DATE '1970-01-01' + ${col}) AS ${col}`;
      case 'time':
        return `(TIME '00:00:00' + to_microseconds(${col})) AS ${col}`;
      case 'timestamp':
        return `make_timestamp(${col}) AS ${col}`;
      case 'timestamptz':
        return `timezone('UTC', make_timestamp(${col})) AS ${col}`;
      default:
        return col;
    }
  });
  return { sql: `SELECT ${conv.join(', ')} FROM temp.main.${name}`, drop: () => c.run(`DROP TABLE IF EXISTS temp.main.${name}`).then(() => undefined) };
}

function toDays(v: unknown): number {
  if (typeof v === 'number') return v;
  const ms = v instanceof Date ? v.getTime() : Date.parse(`${String(v).slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${String(v)}`);
  return Math.floor(ms / 86_400_000);
}

function toMicros(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') throw new Error('timestamps as numbers are ambiguous: pass a Date, an ISO string or µs as bigint');
  if (v instanceof Date) return BigInt(v.getTime()) * 1000n;
  const s = String(v);
  const m = /^(.*?)(?:\.(\d{1,6})\d*)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s.replace(' ', 'T'));
  const base = Date.parse(`${m?.[1] ?? s}${m?.[3] ?? 'Z'}`);
  if (Number.isNaN(base)) throw new Error(`not a timestamp: ${s}`);
  return BigInt(base) * 1000n + BigInt((m?.[2] ?? '').padEnd(6, '0') || '0');
}

function toTimeMicros(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(String(v));
  if (!m) throw new Error(`not a time: ${String(v)}`);
  return ((BigInt(m[1]!) * 60n + BigInt(m[2]!)) * 60n + BigInt(m[3]!)) * 1_000_000n + BigInt((m[4] ?? '').padEnd(6, '0'));
}
