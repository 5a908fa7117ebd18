import { BOOLEAN, DOUBLE, DuckDBConnection, DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBType } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { isUtf8 } from 'node:buffer';
import type { IcebergColumn, MicrobatchPlan } from '@matih/contracts';
import { queryRows, type RelationInput } from '@matih/iceberg';
import { ExecutorError, ExecutorErrorCode } from './errors';

/** A record as the executor holds it between Kafka and DuckDB. */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  /** epoch milliseconds, as kafkajs gives it */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: import('kafkajs').IHeaders | undefined;
}

/** A decoded record waiting for DuckDB: its index in the batch and its `value` text (a string, or its UTF-8 bytes). */
export interface StagedRecord {
  index: number;
  text: string | Buffer | null;
}

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Iceberg primitive type → the DuckDB type a value must cast to. */
export function duckTypeOf(type: string): string {
  const t = type.trim().toLowerCase();
  const dec = /^decimal\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return `DECIMAL(${dec[1]},${dec[2]})`;
  const map: Record<string, string> = {
    boolean: 'BOOLEAN', int: 'INTEGER', long: 'BIGINT', float: 'FLOAT', double: 'DOUBLE', date: 'DATE', time: 'TIME',
    timestamp: 'TIMESTAMP', timestamptz: 'TIMESTAMPTZ', string: 'VARCHAR', uuid: 'UUID', binary: 'BLOB',
  };
  const d = map[t];
  if (!d) throw new ExecutorError(ExecutorErrorCode.InvalidPlan, `sink column type ${type} is not supported by the micro-batch executor`);
  return d;
}

// __row, value, key, __ts (epoch ms), partition, offset, __headers, __bad: offsets and times travel as doubles
// (exact below 2^53) so that they are written into the vectors without a BigInt per record
const SOURCE_TYPES: DuckDBType[] = [INTEGER, VARCHAR, VARCHAR, DOUBLE, INTEGER, DOUBLE, VARCHAR, BOOLEAN];
const CHUNK = 2048;
const MAX_ROW = 2147483647;
const SOURCE_TABLE = `CREATE OR REPLACE TEMP TABLE __src (__row INTEGER, value VARCHAR, key VARCHAR, __ts DOUBLE, partition INTEGER, "offset" DOUBLE, __headers VARCHAR, __bad BOOLEAN DEFAULT false)`;
const FULL_RANGE = `SET VARIABLE __lo = 0; SET VARIABLE __hi = ${MAX_ROW};`;

/** The outcome of running the stages over a batch. */
export interface LaneResult {
  /** records that failed to transform or do not fit a sink's schema */
  failed: { index: number; stage: 'decode' | 'transform' | 'schema'; reason: string }[];
  /** rows per sink that will be written */
  rows: number[];
}

/**
 * One DuckDB connection that runs a plan's stages over a batch. The batch is loaded column-wise
 * (one appender, 2048-row data chunks) into a temp table (a source has one topic: a constant); the source is a view over it and each stage
 * a view over its input, so a stage sees exactly the records selected for the current run. Temp
 * objects are per connection: two lanes work on two batches at once.
 */
export class Lane {
  private inputColumns = new Map<string, Set<string>>();
  /** per sink: the checks of the columns a value of its input may not fit (required, or of another type than the table's) */
  private checks = new Map<string, ReturnType<typeof unfitSql>[]>();
  private bad = false;
  private narrowed = false;
  /** the stages see every record of the batch (no bisection range set) */
  private full = true;
  /** the source columns beyond value, time, partition and offset that the stages read */
  private read = { key: true, headers: true };
  /** a data chunk's fixed-width columns, filled here and copied into DuckDB's vectors */
  private readonly buffers = { rows: new Int32Array(CHUNK), parts: new Int32Array(CHUNK), ts: new Float64Array(CHUNK), offs: new Float64Array(CHUNK), bad: new Uint8Array(CHUNK) };

  constructor(
    readonly connection: DuckDBConnection,
    private readonly plan: MicrobatchPlan,
  ) {}

  async init(): Promise<void> {
    const c = this.connection;
    await c.run(SOURCE_TABLE);
    await c.run(`CREATE OR REPLACE TEMP TABLE __from (partition INTEGER, "offset" BIGINT)`);
    await c.run(FULL_RANGE);
    await c.run(this.sourceView(false));
    for (const stage of this.plan.stages) {
      try {
        await c.run(`CREATE OR REPLACE TEMP VIEW ${q(stage.name)} AS ${stage.sql.replace(/;\s*$/, '')}`);
      } catch (e) {
        throw new ExecutorError(ExecutorErrorCode.InvalidPlan, `stage ${stage.name} is not valid DuckDB SQL: ${(e as Error).message}`, { cause: e });
      }
    }
    this.read = await this.sourceColumnsRead();
    for (const sink of this.plan.sinks) {
      const described = new Map((await queryRows(c, `DESCRIBE SELECT * FROM ${q(sink.input)}`)).map((r) => [String(r[0]), String(r[1])]));
      this.inputColumns.set(sink.name, new Set(described.keys()));
      const missing = sink.columns.filter((col) => col.required && !described.has(col.name));
      if (missing.length) {
        throw new ExecutorError(ExecutorErrorCode.InvalidPlan, `sink ${sink.name}: its input ${sink.input} has no column ${missing.map((m) => m.name).join(', ')} that the table requires`);
      }
      // an optional column whose input already has the table's type always fits: no check per batch
      const present = sink.columns.filter((col) => described.has(col.name));
      const tableTypes = present.length ? (await queryRows(c, `SELECT ${present.map((col) => `typeof(CAST(NULL AS ${duckTypeOf(col.type)}))`).join(', ')}`))[0]!.map(String) : [];
      this.checks.set(sink.name, present.filter((col, i) => col.required || described.get(col.name) !== tableTypes[i]).map((col) => unfitSql(col)));
    }
  }

  /**
   * The source as the stages see it: the records selected for the current run (all of them, or a
   * bisection's range), and once narrowed (`startAt`) only those at or after the table's offsets.
   */
  private sourceView(narrowed: boolean): string {
    const source = this.plan.sources[0]!;
    return `CREATE OR REPLACE TEMP VIEW ${q(source.name)} AS
       SELECT value, key, make_timestamptz(CAST(__ts AS BIGINT) * 1000) AS event_timestamp, '${source.topic.replace(/'/g, "''")}' AS topic, partition,
              CAST("offset" AS BIGINT) AS "offset",
              CAST(CAST(__headers AS JSON) AS MAP(VARCHAR, VARCHAR)) AS headers
       FROM __src s
       WHERE NOT __bad AND __row BETWEEN getvariable('__lo') AND getvariable('__hi')${
         narrowed ? `\n         AND "offset" >= COALESCE((SELECT f."offset" FROM __from f WHERE f.partition = s.partition), 0)` : ''
       }`;
  }

  /**
   * The columns of the source table the sinks' inputs read, from DuckDB's plan of each (its scan's
   * projections and the filters pushed into it; statistics off, so that no filter is folded away): a
   * record's key and headers are loaded only if a stage reads them. Every column when a plan does not say.
   */
  private async sourceColumnsRead(): Promise<{ key: boolean; headers: boolean }> {
    const c = this.connection;
    const all = { key: true, headers: true };
    await c.run(`SET disabled_optimizers = 'statistics_propagation'`);
    try {
      const read = new Set<string>();
      for (const sink of this.plan.sinks) {
        const explained = (await queryRows(c, `EXPLAIN (FORMAT json) SELECT * FROM ${q(sink.input)}`))[0]?.[1];
        const scans: string[][] = [];
        const walk = (node: { extra_info?: { Table?: string; Projections?: string[] | string; Filters?: string[] | string }; children?: unknown[] }): void => {
          const info = node.extra_info;
          // a column only filtered on is pushed into the scan's filters, not its projections
          if (info?.Table?.endsWith('.__src')) scans.push([...([] as string[]).concat(info.Projections ?? []), ...([] as string[]).concat(info.Filters ?? []).flatMap((f) => f.match(/\w+/g) ?? [])]);
          for (const child of node.children ?? []) walk(child as typeof node);
        };
        for (const node of JSON.parse(String(explained)) as unknown[]) walk(node as Parameters<typeof walk>[0]);
        if (!scans.length) return all;
        for (const p of scans.flat()) read.add(p);
      }
      return { key: read.has('key'), headers: read.has('__headers') };
    } catch {
      return all;
    } finally {
      await c.run(`RESET disabled_optimizers`);
    }
  }

  /**
   * Loads the decoded records of a batch (replacing the previous batch). Values are written straight
   * into DuckDB's vectors (numbers into their memory, text from its UTF-8 bytes): no per-record
   * objects or string copies on the way.
   */
  async load(records: readonly SourceRecord[], staged: readonly StagedRecord[]): Promise<void> {
    const c = this.connection;
    // a new table, not the old one emptied: appending into a table with deleted rows costs three times as much
    await c.run(`${SOURCE_TABLE}; ${this.narrowed ? `DELETE FROM __from; ${this.sourceView(false)}; ` : ''}${this.full ? '' : FULL_RANGE}`);
    this.narrowed = false;
    this.full = true;
    this.bad = false;
    const appender = await c.createAppender('__src');
    try {
      for (let s = 0; s < staged.length; s += CHUNK) {
        const n = Math.min(CHUNK, staged.length - s);
        const chunk = DuckDBDataChunk.create(SOURCE_TYPES, n);
        const vector = (i: number) => duckdb.data_chunk_get_vector(chunk.chunk, i);
        const b = this.buffers;
        const texts = new TextColumn(vector(1), n);
        const keys = new TextColumn(vector(2), n);
        const headers = new TextColumn(vector(6), n);
        for (let i = 0; i < n; i++) {
          const st = staged[s + i]!;
          const r = records[st.index]!;
          b.rows[i] = st.index;
          texts.set(i, st.text);
          keys.set(i, r.key === null || !this.read.key ? null : isUtf8(r.key) ? r.key : r.key.toString('utf8'));
          b.ts[i] = exactNumber(r.timestamp, 'timestamp');
          b.parts[i] = r.partition;
          b.offs[i] = exactNumber(r.offset, 'offset');
          headers.set(i, this.read.headers ? headersJson(r.headers) : null);
        }
        copyInto(vector(0), b.rows, n);
        copyInto(vector(3), b.ts, n);
        copyInto(vector(4), b.parts, n);
        copyInto(vector(5), b.offs, n);
        copyInto(vector(7), b.bad, n); // __bad: false
        for (const column of [texts, keys, headers]) column.flush();
        appender.appendDataChunk(chunk);
      }
    } finally {
      appender.closeSync();
    }
  }

  /**
   * Runs the stages and checks every sink's rows against its table schema. With `checkJson` (format
   * json), values that are not JSON are marked first, in the same round trip. Records that make a
   * stage fail, or yield a row that does not fit, are isolated by bisection (only when something
   * failed: the clean path is one run) and marked bad.
   */
  async run(checkJson: boolean): Promise<LaneResult> {
    const failed: LaneResult['failed'] = [];
    const all = await this.probe(checkJson);
    if (checkJson && (!all.ok || all.invalidJson > 0)) {
      const invalid = await queryRows(this.connection, `SELECT __row FROM __src WHERE __bad ORDER BY __row`);
      for (const r of invalid) failed.push({ index: Number(r[0]), stage: 'decode', reason: 'value is not valid JSON' });
      if (invalid.length) this.bad = true;
    }
    if (all.ok) return { failed, rows: all.rows };
    const indexes = (await queryRows(this.connection, `SELECT __row FROM __src WHERE NOT __bad ORDER BY __row`)).map((r) => Number(r[0]));
    const bisect = async (from: number, to: number, known?: Probe): Promise<void> => {
      if (from > to) return;
      await this.select(indexes[from]!, indexes[to]!);
      const p = known ?? (await this.probe());
      if (p.ok) return;
      if (from === to) {
        failed.push({ index: indexes[from]!, stage: p.stage, reason: p.reason });
        return;
      }
      const mid = (from + to) >> 1;
      await bisect(from, mid);
      await bisect(mid + 1, to);
    };
    await bisect(0, indexes.length - 1, all);
    if (failed.length) {
      await this.connection.run(`UPDATE __src SET __bad = true WHERE __row IN (${failed.map((f) => f.index).join(',')})`);
      this.bad = true;
    }
    await this.select(0, MAX_ROW);
    const rest = await this.probe();
    if (!rest.ok) {
      throw new ExecutorError(ExecutorErrorCode.BatchFailed, `the batch fails as a whole although each record passes alone (${rest.stage}): ${rest.reason}`);
    }
    return { failed, rows: rest.rows };
  }

  /** Restricts a sink's write to the records at or after the table's offsets (recovery after a partial multi-sink commit). */
  async startAt(from: Map<number, string> | null): Promise<void> {
    const narrow = !!from && from.size > 0;
    if (!this.narrowed && !narrow) return;
    await this.connection.run('DELETE FROM __from');
    if (narrow) await this.connection.run(`INSERT INTO __from VALUES ${[...from!].map(([p, o]) => `(${p}, ${BigInt(o)})`).join(', ')}`);
    // the offsets filter costs a join on every run: the view has it only while narrowed
    if (narrow !== this.narrowed) await this.connection.run(this.sourceView(narrow));
    this.narrowed = narrow;
  }

  /** The relation a sink appends: its input's rows, cast to the table's column types. */
  sinkRelation(sinkIndex: number): string {
    const sink = this.plan.sinks[sinkIndex]!;
    const cols = this.inputColumns.get(sink.name)!;
    const select = sink.columns.map((col) => (cols.has(col.name) ? `CAST(${q(col.name)} AS ${duckTypeOf(col.type)}) AS ${q(col.name)}` : `CAST(NULL AS ${duckTypeOf(col.type)}) AS ${q(col.name)}`));
    // after startAt() narrowed the records (recovery of a partial multi-sink commit) the stages run again
    return `SELECT ${select.join(', ')} FROM ${this.narrowed ? q(sink.input) : `__out${sinkIndex}`}`;
  }

  /** What a sink's table appends: its relation, read from the materialized stage output unless narrowed (then the stages run again). */
  sinkInput(sinkIndex: number): RelationInput {
    const columns = this.plan.sinks[sinkIndex]!.columns.map((c) => c.name);
    return { connection: this.connection, sql: this.sinkRelation(sinkIndex), columns, materialized: !this.narrowed };
  }

  private async select(lo: number, hi: number): Promise<void> {
    await this.connection.run(`SET VARIABLE __lo = ${lo}; SET VARIABLE __hi = ${hi}`);
    this.full = lo === 0 && hi === MAX_ROW;
  }

  /** Runs the stages over the selected records (`markJson`: marks values that are not JSON first, and counts them). */
  private async probe(markJson = false): Promise<Probe> {
    const rows: number[] = [];
    let invalidJson = 0;
    for (let i = 0; i < this.plan.sinks.length; i++) {
      const sink = this.plan.sinks[i]!;
      const checks = this.checks.get(sink.name)!;
      const mark = markJson && i === 0;
      let r: unknown[];
      try {
        // one round trip: the stages run once per batch, their output materialized, checked, then written from
        r = (
          await queryRows(
            this.connection,
            `${mark ? 'UPDATE __src SET __bad = true WHERE value IS NOT NULL AND NOT json_valid(value); ' : ''}
             CREATE OR REPLACE TEMP TABLE __out${i} AS SELECT * FROM ${q(sink.input)};
             SELECT count(*)${checks.map((c) => `, max(${c.sql})`).join('')}${mark ? ', (SELECT count(*) FROM __src WHERE __bad)' : ''} FROM __out${i}`,
          )
        )[0]!;
      } catch (e) {
        return { ok: false, stage: 'transform', reason: `${sink.input}: ${(e as Error).message.split('\n')[0]}` };
      }
      for (let k = 0; k < checks.length; k++) {
        const v = r[1 + k];
        if (v !== null && v !== undefined && Number(v) > 0) return { ok: false, stage: 'schema', reason: checks[k]!.reason(Number(v)) };
      }
      rows.push(Number(r[0]));
      if (mark) invalidJson = Number(r[1 + checks.length]);
    }
    return { ok: true, rows, invalidJson };
  }
}

type Probe = { ok: true; rows: number[]; invalidJson: number } | { ok: false; stage: 'transform' | 'schema'; reason: string };

/** An expression that is 1 when the column's value does not fit the table (2: a required column is null). */
function unfitSql(col: IcebergColumn): { sql: string; reason: (code: number) => string } {
  const c = q(col.name);
  const t = duckTypeOf(col.type);
  const sql = `CASE WHEN ${c} IS NULL THEN ${col.required ? 2 : 0} WHEN TRY_CAST(${c} AS ${t}) IS NULL THEN 1 ELSE 0 END`;
  return {
    sql,
    reason: (code) => (code === 2 ? `column ${col.name} is required by the table but the record gives no value` : `column ${col.name}: the value does not fit the table's type ${col.type}`),
  };
}

function headersJson(headers: SourceRecord['headers']): string | null {
  if (!headers) return null;
  const keys = Object.keys(headers);
  if (!keys.length) return null;
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = headers[k];
    const one = Array.isArray(v) ? v[v.length - 1] : v;
    if (one !== undefined) out[k] = Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
  }
  return JSON.stringify(out);
}


function copyInto(vector: duckdb.Vector, values: Int32Array | Float64Array | Uint8Array, n: number): void {
  duckdb.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset, n * values.BYTES_PER_ELEMENT);
}

function exactNumber(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new ExecutorError(ExecutorErrorCode.BatchFailed, `Kafka gave the ${what} ${text}, beyond what the executor handles exactly (2^53)`);
  return n;
}

/** A VARCHAR vector filled from strings or UTF-8 bytes; a null clears the row's validity bit. */
class TextColumn {
  private validity: Uint8Array | undefined;
  constructor(
    private readonly vector: duckdb.Vector,
    private readonly n: number,
  ) {}

  set(i: number, value: string | Buffer | null): void {
    if (value === null) {
      this.validity ??= new Uint8Array(Math.ceil(this.n / 64) * 8).fill(0xff);
      this.validity[i >> 3]! &= ~(1 << (i & 7));
    } else if (typeof value === 'string') duckdb.vector_assign_string_element(this.vector, i, value);
    else duckdb.vector_assign_string_element_len(this.vector, i, value);
  }

  flush(): void {
    if (!this.validity) return;
    duckdb.vector_ensure_validity_writable(this.vector);
    duckdb.copy_data_to_vector_validity(this.vector, 0, this.validity.buffer as ArrayBuffer, 0, this.validity.byteLength);
  }
}
