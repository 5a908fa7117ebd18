import { randomUUID } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import * as avro from 'avsc';
import type { FlinkPlan, MicrobatchPlan } from '@matih/contracts';
import { SqlGatewayClient, type GatewaySession } from '@matih/flink';
import { loadDefinition } from '@matih/pipeline-spec';
import { compilePlan, localStackCatalogs, resolveSourceSchemas } from '@matih/planner';
import { clickAvroSchema, startRegistryStandIn, type RegistryStandIn } from '../testing/registry-stand-in';
import { createTopic, endpoints, kafka } from '../testing/fixtures';
import { createDecoder } from './decoders';
import { SchemaRegistryClient } from './registry';
import { frame } from './wire-format';

/**
 * One avro definition, both engines: Flink reads the topic with the compiled `avro-confluent` source
 * table (typed columns from the registered schema, `value` as JSON_OBJECT over them); the micro-batch
 * engine's decoder turns the same records into `value` JSON text, and the compiled DuckDB stages run
 * over it. Their rows must be identical. Real Kafka and Flink; the schema registry is the in-process
 * Confluent-API stand-in (no real registry installs from the package registries reachable here).
 */
const SCHEMA = clickAvroSchema([
  { name: 'user_id', type: 'string' },
  { name: 'n', type: 'long' },
  { name: 'small', type: 'int' },
  { name: 'tag', type: ['null', 'string'], default: null },
  { name: 'score', type: 'double' },
  { name: 'ok', type: 'boolean' },
  { name: 'ts', type: 'long' },
]);
const RECORDS = [
  { user_id: 'u1', n: 12, small: -3, tag: 'promo', score: 2.5, ok: true, ts: 1714521600123 },
  { user_id: '  Zürich ', n: -7, small: 0, tag: null, score: -0.25, ok: false, ts: 1714608000000 },
  { user_id: '', n: 4_000_000_000, small: 2147483647, tag: 'a"b\\c', score: 0.1, ok: true, ts: 1714694400999 },
  { user_id: 'u4', n: 0, small: 1, tag: '', score: 3, ok: false, ts: 1714780799999 },
];

const TRANSFORM = `SELECT
      JSON_VALUE(value, '$.user_id') AS user_id,
      CAST(JSON_VALUE(value, '$.n') AS BIGINT) AS n,
      JSON_VALUE(value, '$.n') AS n_text,
      JSON_VALUE(value, '$.small' RETURNING INT) AS small,
      COALESCE(JSON_VALUE(value, '$.tag'), 'none') AS tag,
      JSON_VALUE(value, '$.score' RETURNING DOUBLE) AS score,
      JSON_VALUE(value, '$.ok' RETURNING BOOLEAN) AS ok,
      JSON_VALUE(value, '$.ok') AS ok_text,
      JSON_VALUE(value, '$.missing') AS missing,
      click_ts,
      \`key\`,
      \`offset\`
    FROM {{ input }}`;

function normalize(type: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'timestamptz' || type === 'timestamp') {
    const text = String(value).replace(' ', 'T').replace(/\+00(:00)?$/, 'Z');
    return new Date(/Z$|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`).toISOString();
  }
  if (type === 'double' || type === 'float') return String(Number(value));
  if (type === 'int' || type === 'long') return String(BigInt(value as string | number));
  return String(value);
}

describe('avro through the schema registry wire format: Flink and the micro-batch engine give identical rows', () => {
  const topic = `executor-avro-parity-${randomUUID().slice(0, 8)}`;
  const gateway = new SqlGatewayClient(endpoints().flink.gatewayUrl);
  const type = avro.Type.forSchema(SCHEMA as avro.Schema);
  const values: Buffer[] = [];
  let registry: RegistryStandIn;
  let session: GatewaySession;
  let duck: DuckDBConnection;

  beforeAll(async () => {
    registry = await startRegistryStandIn();
    const id = registry.register(`${topic}-value`, JSON.stringify(SCHEMA));
    await createTopic(topic, 1);
    const producer = kafka().producer();
    await producer.connect();
    for (const record of RECORDS) values.push(frame(id, type.toBuffer(record)));
    // and a tombstone last: Flink's avro-confluent format gives no row for it, nor does the micro-batch plan
    await producer.send({ topic, messages: [...values.map((value, i) => ({ key: `k${i}`, value, timestamp: String(RECORDS[i]?.ts) })), { key: 'tombstone', value: null }], acks: -1 });
    await producer.disconnect();
    session = await gateway.openSession({ 'table.local-time-zone': 'UTC', 'parallelism.default': '1', 'execution.runtime-mode': 'streaming' }, 'executor-avro-parity');
    duck = await (await DuckDBInstance.create(':memory:')).connect();
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    duck?.closeSync();
    await registry?.close();
    const admin = kafka().admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('JSON_VALUE over the avro value, typed and as text, and the event time computed from it', async () => {
    const yaml = `
metadata: { name: avro-parity, version: "1.0.0", owner: tests }
sources:
  src:
    type: kafka
    connection: "${endpoints().kafka.brokers.join(',')}"
    topic: ${topic}
    consumer_group: avro-parity
    format: avro
    schema_registry: ${registry.url}
    start_offset: earliest
    event_time: { column: click_ts, expression: "TO_TIMESTAMP_LTZ(CAST(JSON_VALUE(value, '$.ts') AS BIGINT), 3)" }
transformations:
  - name: t
    type: sql_transform
    input: src
    sql: |
${TRANSFORM.split('\n').map((l) => `      ${l.trim()}`).join('\n')}
sinks:
  out: { type: iceberg, table: matih.avro_parity.out }
orchestration: { engine: flink, parallelism: 1 }
`;
    const loaded = loadDefinition(yaml, { file: 'avro-parity.yaml', env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
    const resolved = await resolveSourceSchemas(loaded.definition, { env: {} });
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.diagnostics));
    expect(resolved.schemas['src']).toMatchObject({ subject: `${topic}-value`, id: 1, version: 1, schemaType: 'AVRO' });
    const catalogs = localStackCatalogs(endpoints().stateDir);
    const flink = compilePlan(loaded.definition, { target: 'flink', deploymentId: randomUUID(), catalogs, sourceSchemas: resolved.schemas });
    const micro = compilePlan(loaded.definition, { target: 'microbatch', deploymentId: randomUUID(), catalogs });
    if (!flink.ok || !micro.ok) throw new Error(JSON.stringify([flink, micro]));
    const flinkPlan = flink.plan as FlinkPlan;
    const microPlan = micro.plan as MicrobatchPlan;
    const columns = flinkPlan.sinks[0]?.columns ?? [];
    expect(microPlan.sinks[0]?.columns).toEqual(columns);

    // Flink: the plan's avro-confluent source table, read to the end of the topic, and the job's query
    const sourceDdl = flinkPlan.setup.find((s) => s.startsWith('CREATE TEMPORARY TABLE')) as string;
    expect(sourceDdl).toContain("'value.format' = 'avro-confluent'");
    await session.execute(sourceDdl.replace(`'connector' = 'kafka',`, `'connector' = 'kafka',\n  'scan.bounded.mode' = 'latest-offset',`));
    const query = flinkPlan.job.slice(flinkPlan.job.indexOf('\n') + 1);
    const flinkRows = (await session.execute(query, { timeoutMs: 120_000 })).rows;

    // micro-batch: the executor's decoder gives the `value` text, the plan's stages run over it in DuckDB
    const decoder = createDecoder('avro', new SchemaRegistryClient({ url: registry.url }));
    await decoder.prepare(values);
    await duck.run(`CREATE TABLE src (key VARCHAR, value VARCHAR, event_timestamp TIMESTAMPTZ, topic VARCHAR, "partition" INTEGER, "offset" BIGINT, headers MAP(VARCHAR, BLOB))`);
    const lit = (v: string | null) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);
    for (const [offset, value] of values.entries()) {
      const decoded = decoder.decode(value);
      if (!decoded.ok) throw new Error(decoded.reason);
      await duck.run(`INSERT INTO src VALUES ('k${offset}', ${lit(decoded.text === null ? null : decoded.text.toString())}, timezone('UTC', epoch_ms(${RECORDS[offset]?.ts})), '${topic}', 0, ${offset}, MAP {})`);
    }
    // the tombstone, as the executor hands it to the plan: a NULL value
    expect(decoder.decode(null)).toEqual({ ok: true, text: null });
    await duck.run(`INSERT INTO src VALUES ('tombstone', NULL, now(), '${topic}', 0, ${values.length}, MAP {})`);
    for (const stage of microPlan.stages) await duck.run(`CREATE OR REPLACE TEMP VIEW "${stage.name}" AS ${stage.sql.replace(/"src"/g, 'src')}`);
    const sink = microPlan.sinks[0] as MicrobatchPlan['sinks'][number];
    const duckRows = (await duck.runAndReadAll(`SELECT ${columns.map((c) => `"${c.name}"`).join(', ')} FROM "${sink.input}"`)).getRowObjectsJson();

    const canon = (rows: readonly Record<string, unknown>[]) => rows.map((row) => JSON.stringify(columns.map((c) => normalize(c.type, row[c.name])))).sort();
    expect(flinkRows).toHaveLength(RECORDS.length);
    expect(duckRows).toHaveLength(RECORDS.length);
    expect(canon(duckRows as readonly Record<string, unknown>[])).toEqual(canon(flinkRows));
    // and the values are the records', not NULLs on both sides
    expect(flinkRows.map((r) => r['user_id']).sort()).toEqual(RECORDS.map((r) => r.user_id).sort());
    expect(flinkRows.map((r) => String(r['n'])).sort()).toEqual(RECORDS.map((r) => String(r.n)).sort());
  }, 180_000);
});
