/* The differential harness: one definition compiled for both engines, run on real Flink (through the SQL
 * Gateway) and on DuckDB over the batch relation the micro-batch executor gives a plan, rows compared as text. */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FlinkPlan, MicrobatchPlan } from '@matih/contracts';
import type { GatewaySession } from '@matih/flink';
import { loadDefinition, type PipelineDefinition } from '@matih/pipeline-spec';
import { randomUUID } from 'node:crypto';
import type { SourceSchemas } from '../avro-columns';
import { localStackCatalogs } from '../catalogs';
import { compilePlan } from '../compile';

/** A definition `name` of one Kafka source `src` (`source`: its YAML flow mapping), one sql_transform `t` running `sql` over it, one Iceberg sink. */
export function transformDefinition(name: string, source: string, sql: string): PipelineDefinition {
  const yaml = `
metadata: { name: ${name}, version: "1.0.0", owner: tests }
sources:
  src: ${source}
transformations:
  - name: t
    type: sql_transform
    input: src
    sql: |
${sql.split('\n').map((l) => `      ${l.trim()}`).join('\n')}
sinks:
  out: { type: iceberg, table: matih.${name.replace(/-/g, '_')}.out }
orchestration: { engine: flink, parallelism: 1 }
`;
  const loaded = loadDefinition(yaml, { file: `${name}.yaml`, env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.definition;
}

/** The definition's plans for both engines, against the stack's catalogs in `stateDir`; checks they agree on the sink's columns. */
export function compileBoth(definition: PipelineDefinition, stateDir: string, sourceSchemas?: SourceSchemas) {
  const catalogs = localStackCatalogs(stateDir);
  const flink = compilePlan(definition, { target: 'flink', deploymentId: randomUUID(), catalogs, sourceSchemas });
  const micro = compilePlan(definition, { target: 'microbatch', deploymentId: randomUUID(), catalogs });
  if (!flink.ok || !micro.ok) throw new Error(JSON.stringify([flink, micro]));
  const flinkPlan = flink.plan as FlinkPlan;
  const microPlan = micro.plan as MicrobatchPlan;
  const columns = flinkPlan.sinks[0]?.columns ?? [];
  expect(microPlan.sinks[0]?.columns).toEqual(columns);
  return { flinkPlan, microPlan, columns };
}

/** The Flink plan's own source table, read to the end of the topic, and the rows of the job's query. */
export async function flinkRows(session: GatewaySession, plan: FlinkPlan): Promise<Record<string, unknown>[]> {
  const sourceDdl = plan.setup.find((s) => s.startsWith('CREATE TEMPORARY TABLE')) as string;
  await session.execute(sourceDdl.replace(`'connector' = 'kafka',`, `'connector' = 'kafka',\n  'scan.bounded.mode' = 'latest-offset',`));
  const query = plan.job.slice(plan.job.indexOf('\n') + 1);
  return [...(await session.execute(query, { timeoutMs: 120_000 })).rows];
}

/** The batch relation `src` the micro-batch executor gives a plan: the Flink source table's columns. */
export const BATCH_RELATION_DDL = `CREATE TABLE src (key VARCHAR, value VARCHAR, event_timestamp TIMESTAMPTZ, topic VARCHAR, "partition" INTEGER, "offset" BIGINT, headers MAP(VARCHAR, BLOB))`;

/** A DuckDB SQL string literal, or NULL. */
export const sqlLiteral = (v: string | null): string => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);

/** The micro-batch plan's stages as views over `src`, and the rows of its sink's input. */
export async function duckRows(duck: DuckDBConnection, plan: MicrobatchPlan, columns: readonly { name: string }[]): Promise<Record<string, unknown>[]> {
  for (const stage of plan.stages) await duck.run(`CREATE OR REPLACE TEMP VIEW "${stage.name}" AS ${stage.sql.replace(/"src"/g, 'src')}`);
  const sink = plan.sinks[0] as MicrobatchPlan['sinks'][number];
  return (await duck.runAndReadAll(`SELECT ${columns.map((c) => `"${c.name}"`).join(', ')} FROM "${sink.input}"`)).getRowObjectsJson() as Record<string, unknown>[];
}

/** One value as text, by its Iceberg type, so both engines' client representations compare. */
export function normalize(type: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'timestamptz' || type === 'timestamp') {
    const text = String(value).replace(' ', 'T').replace(/\+00(:00)?$/, 'Z');
    return new Date(/Z$|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`).toISOString();
  }
  if (type.startsWith('decimal')) return Number(value).toFixed(Number(/,(\d+)\)/.exec(type)?.[1] ?? 0));
  if (type === 'double' || type === 'float') return String(Number(value));
  if (type === 'int' || type === 'long') return String(BigInt(value as string | number));
  return String(value);
}

/** Rows as sorted text, column by column, to compare both engines' results regardless of order and client types. */
export function canonicalRows(columns: readonly { name: string; type: string }[], rows: readonly Record<string, unknown>[]): string[] {
  return rows.map((row) => JSON.stringify(columns.map((c) => normalize(c.type, row[c.name])))).sort();
}
