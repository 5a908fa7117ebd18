import { randomUUID } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import * as avro from 'avsc';
import { SqlGatewayClient, type GatewaySession } from '@matih/flink';
import { resolveSourceSchemas } from '@matih/planner';
import { canonicalRows, compileBoth, flinkRows, transformDefinition } from '@matih/planner/testing';
import { registerSchema } from '@matih/stack';
import { Lane, type SourceRecord } from '../lane';
import { clickAvroSchema, createTopic, endpoints, kafka } from '../testing/fixtures';
import { createDecoder } from './decoders';
import { SchemaRegistryClient } from './registry';
import { frame } from './wire-format';

/**
 * One avro definition, both engines: Flink reads the topic with the compiled `avro-confluent` source
 * table (typed columns from the registered schema, `value` as JSON_OBJECT over them); the micro-batch
 * engine's decoder turns the same records into `value` JSON text, and the executor's lane runs the
 * compiled DuckDB stages over the batch. Their rows must be identical. Real Kafka, Flink and schema
 * registry (the stack's Apicurio Registry: the compiler's lookup and our decoder use its Confluent
 * API, as does Flink's format through Confluent's own client).
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

describe('avro through the schema registry wire format: Flink and the micro-batch engine give identical rows', () => {
  const topic = `executor-avro-parity-${randomUUID().slice(0, 8)}`;
  const gateway = new SqlGatewayClient(endpoints().flink.gatewayUrl);
  const type = avro.Type.forSchema(SCHEMA as avro.Schema);
  const values: Buffer[] = [];
  const registryUrl = endpoints().schemaRegistry.url;
  let schemaId: number;
  let session: GatewaySession;
  let duck: DuckDBConnection;

  beforeAll(async () => {
    schemaId = await registerSchema(`${topic}-value`, JSON.stringify(SCHEMA));
    await createTopic(topic, 1);
    const producer = kafka().producer({ idempotent: true });
    await producer.connect();
    for (const record of RECORDS) values.push(frame(schemaId, type.toBuffer(record)));
    // and a tombstone last: Flink's avro-confluent format gives no row for it, nor does the micro-batch plan
    await producer.send({ topic, messages: [...values.map((value, i) => ({ key: `k${i}`, value, timestamp: String(RECORDS[i]?.ts) })), { key: 'tombstone', value: null }], acks: -1 });
    await producer.disconnect();
    session = await gateway.openSession({ 'table.local-time-zone': 'UTC', 'parallelism.default': '1', 'execution.runtime-mode': 'streaming' }, 'executor-avro-parity');
    duck = await (await DuckDBInstance.create(':memory:')).connect();
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    duck?.closeSync();
    const admin = kafka().admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('JSON_VALUE over the avro value, typed and as text, and the event time computed from it', async () => {
    const source = `{ type: kafka, connection: "${endpoints().kafka.brokers.join(',')}", topic: ${topic}, consumer_group: avro-parity, format: avro, schema_registry: "${registryUrl}", start_offset: earliest, event_time: { column: click_ts, expression: "TO_TIMESTAMP_LTZ(CAST(JSON_VALUE(value, '$.ts') AS BIGINT), 3)" } }`;
    const definition = transformDefinition('avro-parity', source, TRANSFORM);
    const resolved = await resolveSourceSchemas(definition, { env: {} });
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.diagnostics));
    expect(resolved.schemas['src']).toMatchObject({ subject: `${topic}-value`, id: schemaId, version: 1, schemaType: 'AVRO' });
    const { flinkPlan, microPlan, columns } = compileBoth(definition, endpoints().stateDir, resolved.schemas);
    expect(flinkPlan.setup.find((s) => s.startsWith('CREATE TEMPORARY TABLE'))).toContain("'value.format' = 'avro-confluent'");

    // Flink: the plan's avro-confluent source table, read to the end of the topic, and the job's query
    const fromFlink = await flinkRows(session, flinkPlan);

    // micro-batch: what the executor does with a batch — its decoder, then its lane (load, the plan's stages, the sink's casts)
    const decoder = createDecoder('avro', new SchemaRegistryClient({ url: registryUrl }));
    const records: SourceRecord[] = [...values, null].map((value, offset) => ({
      topic,
      partition: 0,
      offset: String(offset),
      timestamp: String(RECORDS[offset]?.ts ?? Date.now()),
      key: Buffer.from(value === null ? 'tombstone' : `k${offset}`),
      value,
      headers: {},
    }));
    await decoder.prepare(records.map((r) => r.value));
    const staged = records.map((r, index) => {
      const decoded = decoder.decode(r.value);
      if (!decoded.ok) throw new Error(decoded.reason);
      return { index, text: decoded.text };
    });
    const lane = new Lane(duck, microPlan);
    await lane.init();
    await lane.load(records, staged);
    expect((await lane.run(false)).failed).toEqual([]);
    const fromDuck = (await duck.runAndReadAll(lane.sinkRelation(0))).getRowObjectsJson() as Record<string, unknown>[];

    expect(fromFlink).toHaveLength(RECORDS.length);
    expect(fromDuck).toHaveLength(RECORDS.length);
    expect(canonicalRows(columns, fromDuck)).toEqual(canonicalRows(columns, fromFlink));
    // and the values are the records', not NULLs on both sides
    expect(fromFlink.map((r) => r['user_id']).sort()).toEqual(RECORDS.map((r) => r.user_id).sort());
    expect(fromFlink.map((r) => String(r['n'])).sort()).toEqual(RECORDS.map((r) => String(r.n)).sort());
  }, 180_000);
});
