import { BIGINT, BOOLEAN, DuckDBConnection, DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBType } from '@duckdb/node-api';
import type { IcebergColumn, MicrobatchPlan } from '@matih/contracts';
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

/** A decoded record waiting for DuckDB: its index in the batch and its `value` text. */
export interface StagedRecord {
  index: number;
  text: string | null;
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

const SOURCE_TYPES: DuckDBType[] = [INTEGER, VARCHAR, VARCHAR, BIGINT, VARCHAR, INTEGER, BIGINT, VARCHAR, BOOLEAN];
const CHUNK = 2048;

/** The outcome of running the stages over a batch. */
export interface LaneResult {
  /** records that failed to transform or do not fit a sink's schema */
  failed: { index: number; stage: 'transform' | 'schema'; reason: string }[];
  /** rows per sink that will be written */
  rows: number[];
}

/**
 * One DuckDB connection that runs a plan's stages over a batch. The batch is loaded column-wise
 * (one appender, 2048-row data chunks) into a temp table; the source is a view over it and each stage
 * a view over its input, so a stage sees exactly the records selected for the current run. Temp
 * objects are per connection: two lanes work on two batches at once.
 */
export class Lane {
  private inputColumns = new Map<string, Set<string>>();
  private bad = false;
  private narrowed = false;

  constructor(
    readonly connection: DuckDBConnection,
    private readonly plan: MicrobatchPlan,
  ) {}

  async init(): Promise<void> {
    const c = this.connection;
    const source = this.plan.sources[0]!;
    await c.run(`CREATE OR REPLACE TEMP TABLE __src (__row INTEGER, value VARCHAR, key VARCHAR, __ts BIGINT, topic VARCHAR, partition INTEGER, "offset" BIGINT, __headers VARCHAR, __bad BOOLEAN DEFAULT false)`);
    await c.run(`CREATE OR REPLACE TEMP TABLE __from (partition INTEGER, "offset" BIGINT)`);
    await c.run(`SET VARIABLE __lo = 0`);
    await c.run(`SET VARIABLE __hi = 2147483647`);
    await c.run(
      `CREATE OR REPLACE TEMP VIEW ${q(source.name)} AS
       SELECT value, key, make_timestamptz(__ts * 1000) AS event_timestamp, topic, partition, "offset",
              CAST(CAST(__headers AS JSON) AS MAP(VARCHAR, VARCHAR)) AS headers
       FROM __src s
       WHERE NOT __bad AND __row BETWEEN getvariable('__lo') AND getvariable('__hi')
         AND "offset" >= COALESCE((SELECT f."offset" FROM __from f WHERE f.partition = s.partition), 0)`,
    );
    for (const stage of this.plan.stages) {
      try {
        await c.run(`CREATE OR REPLACE TEMP VIEW ${q(stage.name)} AS ${stage.sql.replace(/;\s*$/, '')}`);
      } catch (e) {
        throw new ExecutorError(ExecutorErrorCode.InvalidPlan, `stage ${stage.name} is not valid DuckDB SQL: ${(e as Error).message}`, { cause: e });
      }
    }
    for (const sink of this.plan.sinks) {
      const cols = (await c.runAndReadAll(`DESCRIBE SELECT * FROM ${q(sink.input)}`)).getRows().map((r) => String(r[0]));
      this.inputColumns.set(sink.name, new Set(cols));
      const missing = sink.columns.filter((col) => col.required && !cols.includes(col.name));
      if (missing.length) {
        throw new ExecutorError(ExecutorErrorCode.InvalidPlan, `sink ${sink.name}: its input ${sink.input} has no column ${missing.map((m) => m.name).join(', ')} that the table requires`);
      }
    }
  }

  /** Loads the decoded records of a batch (replacing the previous batch). */
  async load(records: readonly SourceRecord[], staged: readonly StagedRecord[]): Promise<void> {
    const c = this.connection;
    await c.run('DELETE FROM __src');
    await c.run('DELETE FROM __from');
    await this.select(0, 2147483647);
    this.bad = false;
    const appender = await c.createAppender('__src');
    try {
      for (let s = 0; s < staged.length; s += CHUNK) {
        const n = Math.min(CHUNK, staged.length - s);
        const cols: unknown[][] = [[], [], [], [], [], [], [], [], new Array<boolean>(n).fill(false)];
        for (let i = 0; i < n; i++) {
          const st = staged[s + i]!;
          const r = records[st.index]!;
          cols[0]!.push(st.index);
          cols[1]!.push(st.text);
          cols[2]!.push(r.key === null ? null : r.key.toString('utf8'));
          cols[3]!.push(BigInt(r.timestamp));
          cols[4]!.push(r.topic);
          cols[5]!.push(r.partition);
          cols[6]!.push(BigInt(r.offset));
          cols[7]!.push(headersJson(r.headers));
        }
        const chunk = DuckDBDataChunk.create(SOURCE_TYPES, n);
        chunk.setColumns(cols as never);
        appender.appendDataChunk(chunk);
      }
    } finally {
      appender.closeSync();
    }
  }

  /** For format json: marks the records whose value is not JSON and returns them. */
  async rejectInvalidJson(): Promise<{ index: number; reason: string }[]> {
    const rows = (await this.connection.runAndReadAll(`SELECT __row FROM __src WHERE value IS NOT NULL AND NOT json_valid(value)`)).getRows();
    if (!rows.length) return [];
    await this.connection.run(`UPDATE __src SET __bad = true WHERE value IS NOT NULL AND NOT json_valid(value)`);
    this.bad = true;
    return rows.map((r) => ({ index: Number(r[0]), reason: 'value is not valid JSON' }));
  }

  /**
   * Runs the stages and checks every sink's rows against its table schema. Records that make a
   * stage fail, or yield a row that does not fit, are isolated by bisection (only when something
   * failed: the clean path is one run) and marked bad.
   */
  async run(): Promise<LaneResult> {
    const failed: LaneResult['failed'] = [];
    const all = await this.probe();
    if (all.ok) return { failed, rows: all.rows };
    const indexes = (await this.connection.runAndReadAll(`SELECT __row FROM __src WHERE NOT __bad ORDER BY __row`)).getRows().map((r) => Number(r[0]));
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
    await this.select(0, 2147483647);
    const rest = await this.probe();
    if (!rest.ok) {
      throw new ExecutorError(ExecutorErrorCode.BatchFailed, `the batch fails as a whole although each record passes alone (${rest.stage}): ${rest.reason}`);
    }
    return { failed, rows: rest.rows };
  }

  /** Restricts a sink's write to the records at or after the table's offsets (recovery after a partial multi-sink commit). */
  async startAt(from: Map<number, string> | null): Promise<void> {
    await this.connection.run('DELETE FROM __from');
    this.narrowed = !!from && from.size > 0;
    if (from && from.size) {
      await this.connection.run(`INSERT INTO __from VALUES ${[...from].map(([p, o]) => `(${p}, ${BigInt(o)})`).join(', ')}`);
    }
  }

  /** The relation a sink appends: its input's rows, cast to the table's column types. */
  sinkRelation(sinkIndex: number): string {
    const sink = this.plan.sinks[sinkIndex]!;
    const cols = this.inputColumns.get(sink.name)!;
    const select = sink.columns.map((col) => (cols.has(col.name) ? `CAST(${q(col.name)} AS ${duckTypeOf(col.type)}) AS ${q(col.name)}` : `CAST(NULL AS ${duckTypeOf(col.type)}) AS ${q(col.name)}`));
    // after startAt() narrowed the records (recovery of a partial multi-sink commit) the stages run again
    return `SELECT ${select.join(', ')} FROM ${this.narrowed ? q(sink.input) : `__out${sinkIndex}`}`;
  }

  private async select(lo: number, hi: number): Promise<void> {
    await this.connection.run(`SET VARIABLE __lo = ${lo}`);
    await this.connection.run(`SET VARIABLE __hi = ${hi}`);
  }

  private async probe(): Promise<Probe> {
    const rows: number[] = [];
    for (let i = 0; i < this.plan.sinks.length; i++) {
      const sink = this.plan.sinks[i]!;
      const cols = this.inputColumns.get(sink.name)!;
      const checks = sink.columns.filter((col) => cols.has(col.name)).map((col) => unfitSql(col));
      const sql = `SELECT count(*)${checks.map((c) => `, max(${c.sql})`).join('')} FROM __out${i}`;
      let r: unknown[];
      try {
        // the stages run once per batch: their output is materialized, checked, then written from
        await this.connection.run(`CREATE OR REPLACE TEMP TABLE __out${i} AS SELECT * FROM ${q(sink.input)}`);
        r = (await this.connection.runAndReadAll(sql)).getRows()[0]!;
      } catch (e) {
        return { ok: false, stage: 'transform', reason: `${sink.input}: ${(e as Error).message.split('\n')[0]}` };
      }
      for (let k = 0; k < checks.length; k++) {
        const v = r[1 + k];
        if (v !== null && v !== undefined && Number(v) > 0) return { ok: false, stage: 'schema', reason: checks[k]!.reason(Number(v)) };
      }
      rows.push(Number(r[0]));
    }
    return { ok: true, rows };
  }
}

type Probe = { ok: true; rows: number[] } | { ok: false; stage: 'transform' | 'schema'; reason: string };

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

