import { DuckDBBlobValue, DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileIO } from '../io/file-io';
import { DataFile, partitionType } from '../manifest';
import { parseTransform } from '../transforms';
import { NestedField, PartitionSpec, PrimitiveType, Schema, SortOrder, isPrimitive, primitiveInfo } from '../types';
import { IcebergValue, parseDecimal, toBytes, truncateLowerBinary, truncateLowerString, truncateUpperBinary, truncateUpperString } from '../values';
import { duckType, fieldIdsClause, internalSql, lit, q } from './duckdb-types';
import { registerTransformFunctions } from './udfs';
import { queryRows } from '../duckdb';

/** Rows to append: plain JS objects keyed by column name (see `rowsToDuckDB` for accepted values). */
export interface RowsInput {
  rows: Record<string, unknown>[];
}

/** A DuckDB relation to append: a SELECT statement or a table/view name, on the caller's connection. */
export interface RelationInput {
  connection: DuckDBConnection;
  sql: string;
  /** its column names, when the caller knows them (saves describing the relation) */
  columns?: readonly string[];
  /** it only reads tables (cheap to read twice): the writer reads it twice rather than staging a copy */
  materialized?: boolean;
}

export type AppendInput = RowsInput | RelationInput;

export interface WriteDataFilesArgs {
  connection: DuckDBConnection;
  /** Anything that can stand in `FROM (…)`. */
  relationSql: string;
  /** the relation's column names, if known */
  relationColumns?: readonly string[];
  /** the relation only reads tables: stage it as a view (read twice) rather than a copy */
  relationMaterialized?: boolean;
  schema: Schema;
  spec: PartitionSpec;
  sortOrder?: SortOrder;
  /** `<table location>/data` */
  dataLocation: string;
  io: FileIO;
  /** Bounds of string/binary columns are truncated to this many characters/bytes (Iceberg default 16). */
  truncateBoundsTo?: number;
  compression?: string;
}

/** Data files uploaded at the same time to a remote store. */
const UPLOAD_CONCURRENCY = 8;

const BUCKET_LONG_KINDS = new Set(['int', 'long', 'date', 'time', 'timestamp', 'timestamptz']);

function asLongSql(kind: string, col: string): string {
  switch (kind) {
    case 'date':
      return `CAST(${col} - DATE '1970-01-01' AS BIGINT)`;
    case 'time':
      return `date_diff('microsecond', TIME '00:00:00', ${col})`;
    case 'timestamp':
    case 'timestamptz':
      return `epoch_us(${col})`;
    default:
      return `CAST(${col} AS BIGINT)`;
  }
}

function asTimestampSql(kind: string, col: string): string {
  if (kind === 'date') return `CAST(${col} AS TIMESTAMP)`;
  if (kind === 'timestamptz') return `timezone('UTC', ${col})`;
  return col;
}

/** SQL computing a partition field in this library's value representation (identity: the column itself). */
export function partitionSql(transform: string, source: PrimitiveType, col: string): string {
  const p = parseTransform(transform);
  const info = primitiveInfo(source);
  const kind = info.kind;
  switch (p.kind) {
    case 'identity':
      return col;
    case 'void':
      return 'NULL';
    case 'year':
    case 'month':
      return `CAST(date_diff('${p.kind}', TIMESTAMP '1970-01-01 00:00:00', ${asTimestampSql(kind, col)}) AS INTEGER)`;
    case 'day':
    case 'hour':
      if (kind === 'date') {
        if (p.kind === 'day') return `CAST(${col} - DATE '1970-01-01' AS INTEGER)`;
        break;
      }
      // whole units since the epoch, floored (before 1970 too): a third of the cost of calendar arithmetic
      return `CAST(fdiv(epoch_us(${col}), ${p.kind === 'day' ? '86400000000' : '3600000000'}) AS INTEGER)`;
    case 'bucket':
      if (BUCKET_LONG_KINDS.has(kind)) return `__iceberg_bucket_long(${asLongSql(kind, col)}, ${p.n})`;
      if (kind === 'string') return `__iceberg_bucket_string(${col}, ${p.n})`;
      if (kind === 'uuid') return `__iceberg_bucket_uuid(CAST(${col} AS VARCHAR), ${p.n})`;
      if (kind === 'binary' || kind === 'fixed') return `__iceberg_bucket_binary(${col}, ${p.n})`;
      if (info.kind === 'decimal') return `__iceberg_bucket_decimal(CAST(${col} AS VARCHAR), ${info.scale}, ${p.n})`;
      break;
    case 'truncate':
      if (kind === 'int') return `(${col} - (((${col} % ${p.width}) + ${p.width}) % ${p.width}))`;
      if (kind === 'long') return `(${col} - (((${col} % ${p.width}::BIGINT) + ${p.width}::BIGINT) % ${p.width}::BIGINT))`;
      if (kind === 'string') return `substring(${col}, 1, ${p.width})`;
      if (kind === 'binary') return `__iceberg_truncate_binary(${col}, ${p.width})`;
      if (info.kind === 'decimal') return `__iceberg_truncate_decimal(CAST(${col} AS VARCHAR), ${info.scale}, ${p.width})`;
      break;
  }
  throw new Error(`transform ${transform} cannot be applied to ${source}`);
}

/** Converts a value DuckDB returned for an `internalSql` expression into an IcebergValue. */
export function fromDuck(type: PrimitiveType, v: unknown): IcebergValue | null {
  if (v === null || v === undefined) return null;
  const info = primitiveInfo(type);
  switch (info.kind) {
    case 'int':
    case 'date':
    case 'float':
    case 'double':
      return Number(v);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return BigInt(v as bigint);
    case 'decimal':
      return parseDecimal(String(v), info.scale);
    case 'uuid':
    case 'string':
      return String(v);
    case 'binary':
    case 'fixed':
      return v instanceof DuckDBBlobValue ? v.bytes : (v as Uint8Array);
    case 'boolean':
      return Boolean(v);
    default:
      return v as IcebergValue;
  }
}

interface FileStats {
  filename: string;
  count: bigint;
  size: bigint;
  group: string;
  columns: Map<string, Map<string, string>>;
}

function readStatsRows(rows: unknown[][]): FileStats[] {
  return rows.map((r) => {
    const [filename, count, size, , colStats, partKeys] = r as [string, bigint, bigint, bigint, unknown, unknown];
    const columns = new Map<string, Map<string, string>>();
    for (const { key, value } of (colStats as { entries: { key: string; value: { entries: { key: string; value: string }[] } }[] }).entries) {
      columns.set(key, new Map(value.entries.map((e) => [e.key, e.value])));
    }
    const pk = (partKeys as { entries: { key: string; value: string }[] } | null)?.entries ?? [];
    return { filename, count: BigInt(count), size: BigInt(size), group: pk.find((e) => e.key === '__g')?.value ?? '0', columns };
  });
}

/**
 * Writes the relation as Parquet data files (one or more per partition) with DuckDB, Iceberg field ids
 * in the Parquet schema, and returns their manifest entries with metrics.
 *
 * Counts and sizes come from DuckDB's per-file write statistics (RETURN_STATS); bounds and NaN counts
 * come from one typed aggregate per partition, so no value is parsed back from text.
 */
export async function writeDataFiles(args: WriteDataFilesArgs): Promise<DataFile[]> {
  const { connection: c, schema, spec, io } = args;
  const relation = /^\s*(select|with|from|values|\()/i.test(args.relationSql) ? args.relationSql : `SELECT * FROM ${args.relationSql}`;
  registerTransformFunctions(c);
  const width = args.truncateBoundsTo ?? 16;
  const writeId = randomUUID();
  const stage = `__iceberg_stage_${writeId.replace(/-/g, '')}`;
  const stageKind = args.relationMaterialized ? 'VIEW' : 'TABLE';
  const fields = schema.fields;
  const ptype = partitionType(spec, schema);
  const byId = new Map(fields.map((f) => [f.id, f]));

  // 1. Stage the batch, cast to the table's types, with partition values and a partition group id.
  const inputCols = new Set(
    args.relationColumns ?? (await queryRows(c, `DESCRIBE SELECT * FROM (${relation}) AS __in`)).map((r) => String(r[0])),
  );
  const missingRequired = fields.filter((f) => f.required && !inputCols.has(f.name));
  if (missingRequired.length) throw new Error(`input lacks required column(s): ${missingRequired.map((f) => f.name).join(', ')}`);
  const colSql = fields.map((f) => (inputCols.has(f.name) ? `CAST(__in.${q(f.name)} AS ${duckType(f.type)})` : `CAST(NULL AS ${duckType(f.type)})`) + ` AS ${q(f.name)}`);
  const partSql = spec.fields.map((pf, i) => {
    const src = byId.get(pf['source-id'])!;
    return `${partitionSql(pf.transform, src.type as PrimitiveType, q(src.name))} AS __p${i}`;
  });
  const groupSql = spec.fields.length ? `hash(${spec.fields.map((_, i) => `__p${i}`).join(', ')})` : '0::UBIGINT';
  // per partition: its values, and each column's bounds and NaN count, typed
  const prims = fields.filter((f): f is NestedField & { type: PrimitiveType } => isPrimitive(f.type));
  const aggs: string[] = ['__g'];
  ptype.forEach((p, i) => {
    const pf = spec.fields[i]!;
    const src = byId.get(pf['source-id'])!;
    aggs.push(`any_value(${pf.transform === 'identity' ? internalSql(src.type as PrimitiveType, `__p${i}`) : `__p${i}`})`);
  });
  for (const f of prims) {
    const kind = primitiveInfo(f.type).kind;
    const col = q(f.name);
    if (kind === 'float' || kind === 'double') {
      aggs.push(`min(${col}) FILTER (WHERE NOT isnan(${col}))`, `max(${col}) FILTER (WHERE NOT isnan(${col}))`, `count(*) FILTER (WHERE isnan(${col}))`);
    } else if (kind === 'uuid') {
      aggs.push('NULL', 'NULL', 'NULL'); // Java orders UUIDs as signed longs: no bound is safer than a wrong one
    } else {
      aggs.push(internalSql(f.type, `min(${col})`), internalSql(f.type, `max(${col})`), 'NULL');
    }
  }
  const localDir = io.localPath(args.dataLocation);
  const stagingDir = localDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'iceberg-')));
  const written: string[] = [];
  try {
    // 2. Stage and aggregate in one round trip.
    const groupRows = await queryRows(
      c,
      `CREATE TEMP ${stageKind} ${stage} AS
       SELECT *, ${groupSql} AS __g FROM (
         SELECT *${partSql.length ? ', ' + partSql.join(', ') : ''} FROM (SELECT ${colSql.join(', ')} FROM (${relation}) AS __in)
       );
       SELECT ${aggs.join(', ')} FROM ${stage} GROUP BY __g`,
    );
    const groups = new Map<string, unknown[]>(groupRows.map((r) => [String(r[0]), r]));
    await fs.mkdir(stagingDir, { recursive: true });
    // 3. Write the files.
    const cols = fields.map((f) => q(f.name)).join(', ');
    const order = (args.sortOrder?.fields ?? [])
      .filter((s) => s.transform === 'identity' && byId.has(s['source-id']))
      .map((s) => `${q(byId.get(s['source-id'])!.name)} ${s.direction.toUpperCase()} ${s['null-order'] === 'nulls-first' ? 'NULLS FIRST' : 'NULLS LAST'}`);
    const orderBy = order.length ? ` ORDER BY ${order.join(', ')}` : '';
    const options = [`FORMAT parquet`, `FIELD_IDS ${fieldIdsClause(fields)}`, `COMPRESSION ${args.compression ?? 'zstd'}`, `RETURN_STATS true`];
    let target: string;
    let select: string;
    const batchDir = path.join(stagingDir, writeId.slice(0, 8));
    // one partition (the usual batch): the file DuckDB's PARTITION_BY would write, without its split
    const only = spec.fields.length && groups.size === 1 ? [...groups.keys()][0]! : undefined;
    if (only !== undefined) {
      const dir = path.join(batchDir, `__g=${only}`);
      await fs.mkdir(dir, { recursive: true });
      target = path.join(dir, `${writeId}-0.parquet`);
      select = `SELECT ${cols} FROM ${stage}${orderBy}`;
    } else if (spec.fields.length) {
      target = batchDir;
      select = `SELECT ${cols}, __g FROM ${stage}${orderBy}`;
      options.push(`PARTITION_BY (__g)`, `FILENAME_PATTERN '${writeId}-{i}'`);
    } else {
      target = path.join(stagingDir, `${writeId}.parquet`);
      select = `SELECT ${cols} FROM ${stage}${orderBy}`;
    }
    const files = readStatsRows(await queryRows(c, `COPY (${select}) TO ${lit(target)} (${options.join(', ')})`)).map((f) => (only === undefined ? f : { ...f, group: only }));
    written.push(...files.map((f) => f.filename));
    const filesPerGroup = new Map<string, number>();
    for (const f of files) filesPerGroup.set(f.group, (filesPerGroup.get(f.group) ?? 0) + 1);

    // 4. Manifest entries.
    const result: DataFile[] = [];
    for (const f of files) {
      const g = groups.get(f.group);
      if (!g) throw new Error(`DuckDB wrote ${f.filename} for a partition it did not stage`);
      const partition = ptype.map((p, i) => fromDuck(p.type, g[1 + i]));
      const columnSizes = new Map<number, bigint>();
      const valueCounts = new Map<number, bigint>();
      const nullCounts = new Map<number, bigint>();
      const nanCounts = new Map<number, bigint>();
      const lower = new Map<number, Buffer>();
      const upper = new Map<number, Buffer>();
      const single = filesPerGroup.get(f.group) === 1;
      let k = 1 + ptype.length;
      for (const fld of prims) {
        const st = f.columns.get(q(fld.name));
        const nulls = st?.get('null_count');
        if (st?.get('num_values') !== undefined) valueCounts.set(fld.id, BigInt(st.get('num_values')!));
        if (nulls !== undefined) nullCounts.set(fld.id, BigInt(nulls));
        if (st?.get('column_size_bytes') !== undefined) columnSizes.set(fld.id, BigInt(st.get('column_size_bytes')!));
        if (fld.required && nulls !== undefined && BigInt(nulls) > 0n) throw new Error(`required column ${fld.name} has ${nulls} null value(s)`);
        const [lo, hi, nan] = [g[k], g[k + 1], g[k + 2]];
        k += 3;
        const kind = primitiveInfo(fld.type).kind;
        if ((kind === 'float' || kind === 'double') && single && nan !== null) nanCounts.set(fld.id, BigInt(nan as bigint));
        const lv = fromDuck(fld.type, lo);
        const hv = fromDuck(fld.type, hi);
        if (lv !== null) {
          const t = kind === 'string' ? truncateLowerString(lv as string, width) : kind === 'binary' ? truncateLowerBinary(lv as Uint8Array, width) : lv;
          lower.set(fld.id, toBytes(fld.type, t));
        }
        if (hv !== null) {
          const t = kind === 'string' ? truncateUpperString(hv as string, width) : kind === 'binary' ? truncateUpperBinary(hv as Uint8Array, width) : hv;
          if (t !== undefined) upper.set(fld.id, toBytes(fld.type, t));
        }
      }
      result.push({
        content: 0,
        filePath: '', // set below, once the file is where the table keeps it
        fileFormat: 'PARQUET',
        partition,
        recordCount: f.count,
        fileSizeInBytes: f.size,
        columnSizes,
        valueCounts,
        nullValueCounts: nullCounts,
        nanValueCounts: nanCounts,
        lowerBounds: lower,
        upperBounds: upper,
        sortOrderId: args.sortOrder?.['order-id'],
        ...{ localFile: f.filename },
      } as DataFile);
    }
    // 5. Place the files: in the table's folder already, or uploaded to the object store (a few at a time).
    const uploads: Array<{ local: string; df: DataFile }> = [];
    for (const df of result) {
      const local = (df as DataFile & { localFile: string }).localFile;
      delete (df as Partial<DataFile & { localFile: string }>).localFile;
      const rel = path.relative(stagingDir, local).split(path.sep).join('/');
      df.filePath = `${args.dataLocation}/${rel}`;
      if (!localDir) uploads.push({ local, df });
    }
    const uploaded: string[] = [];
    const worker = async (): Promise<void> => {
      for (let next = uploads.shift(); next; next = uploads.shift()) {
        await io.upload(next.local, next.df.filePath);
        uploaded.push(next.df.filePath);
      }
    };
    const settled = await Promise.allSettled(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, uploads.length) }, worker));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // the files that did reach the store belong to no commit
      await Promise.all(uploaded.map((p) => io.delete(p).catch(() => undefined)));
      throw failed.reason;
    }
    return result;
  } catch (e) {
    await Promise.all(written.map((f) => fs.rm(f, { force: true })));
    throw e;
  } finally {
    if (!localDir) await fs.rm(stagingDir, { recursive: true, force: true });
    await c.run(`DROP ${stageKind} IF EXISTS ${stage}`);
  }
}

let sharedInstance: Promise<DuckDBInstance> | undefined;

/** A process-wide DuckDB for the rows path (in memory, all cores). */
export async function defaultConnection(): Promise<DuckDBConnection> {
  sharedInstance ??= DuckDBInstance.create(':memory:');
  return (await sharedInstance).connect();
}
