import { randomUUID } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Kafka, logLevel } from 'kafkajs';
import { SqlGatewayClient, type GatewaySession } from '@matih/flink';
import { stackEndpoints } from '@matih/stack';
import { BATCH_RELATION_DDL, canonicalRows, compileBoth, duckRows, flinkRows, sqlLiteral, transformDefinition } from './testing/differential';

const endpoints = stackEndpoints();
const topic = `planner-differential-${randomUUID().slice(0, 8)}`;

/** The input: JSON of every shape JSON_VALUE meets, malformed JSON, a tombstone, keys, timestamps. */
const RECORDS: { key: string | null; value: string | null; timestamp: number }[] = [
  { key: 'k1', value: '{"id":"a1","n":"12","amt":"12.50","flag":true,"name":"  Alice ","ts":1714521600123,"nested":{"x":1},"arr":[1,2],"city":"Paris","q":5,"r":1.5,"b":true}', timestamp: 1714521600123 },
  { key: null, value: '{"id":"b2","n":7,"amt":3.5,"flag":false,"name":"bob","ts":1714608000000,"city":null,"q":-2,"r":2.25,"b":false}', timestamp: 1714608000000 },
  { key: 'k3', value: '{"id":"c3","n":"x","amt":"n/a","name":"CHARLIE banana","ts":"1714694400999"}', timestamp: 1714694400999 },
  { key: 'k4', value: 'not json at all', timestamp: 1714780799999 },
  { key: 'k5', value: '{"id":null,"n":-3,"amt":-0.25,"flag":"TRUE","name":"dave_d","city":"Zürich","q":null,"r":-0.25}', timestamp: 1714780800000 },
  { key: 'k6', value: null, timestamp: 1714867200500 },
  { key: 'k7', value: '{"id":"g7","n":2147483648,"name":"","arr":[],"nested":{}}', timestamp: 1714953600001 },
];

/**
 * Transforms over that input; each runs on Flink and, translated, on DuckDB. JSON_VALUE … RETURNING
 * reads fields that hold JSON numbers/booleans: Flink 2.0 fails the job (ClassCastException) when
 * RETURNING INT meets a JSON string such as "12", and RETURNING DOUBLE an integer such as 2 — use
 * TRY_CAST(JSON_VALUE(…) AS INT | DOUBLE) for fields of mixed JSON types.
 */
const CORPUS: Record<string, string> = {
  json_value: `SELECT
      JSON_VALUE(value, '$.id') AS id,
      JSON_VALUE(value, '$.n') AS n_text,
      JSON_VALUE(value, '$.q' RETURNING INT) AS q,
      JSON_VALUE(value, '$.flag') AS flag_text,
      JSON_VALUE(value, '$.b' RETURNING BOOLEAN) AS b,
      JSON_VALUE(value, '$.r' RETURNING DOUBLE) AS r,
      JSON_VALUE(value, '$.r') AS r_text,
      JSON_VALUE(value, '$.nested') AS nested,
      JSON_VALUE(value, '$.arr') AS arr,
      JSON_VALUE(value, '$.missing') AS missing,
      JSON_VALUE(value, '$.city') AS city,
      \`offset\`
    FROM {{ input }}`,
  strings: `SELECT
      UPPER(JSON_VALUE(value, '$.name')) AS up,
      LOWER(JSON_VALUE(value, '$.name')) AS lo,
      TRIM(JSON_VALUE(value, '$.name')) AS tr,
      CHAR_LENGTH(JSON_VALUE(value, '$.name')) AS len,
      CONCAT(JSON_VALUE(value, '$.id'), '-', \`key\`) AS joined,
      JSON_VALUE(value, '$.id') || '/' || topic AS piped,
      SUBSTRING(JSON_VALUE(value, '$.name') FROM 2 FOR 3) AS sub,
      REPLACE(JSON_VALUE(value, '$.name'), 'a', 'A') AS rep,
      POSITION('a' IN JSON_VALUE(value, '$.name')) AS pos,
      COALESCE(JSON_VALUE(value, '$.city'), 'none') AS city,
      \`key\`, \`partition\`, \`offset\`
    FROM {{ input }}`,
  casts_case_where: `SELECT
      JSON_VALUE(value, '$.id') AS id,
      TRY_CAST(JSON_VALUE(value, '$.n') AS INT) AS n,
      TRY_CAST(JSON_VALUE(value, '$.amt') AS DECIMAL(10, 2)) AS amt,
      CASE WHEN TRY_CAST(JSON_VALUE(value, '$.n') AS INT) > 10 THEN 'big'
           WHEN TRY_CAST(JSON_VALUE(value, '$.n') AS INT) IS NULL THEN 'none'
           ELSE 'small' END AS size,
      CAST(\`offset\` AS STRING) AS off_text,
      \`offset\` * 2 + 1 AS arith,
      \`offset\` / 2 AS half
    FROM {{ input }}
    WHERE JSON_VALUE(value, '$.name') IS NOT NULL AND \`offset\` >= 0 AND JSON_VALUE(value, '$.name') <> 'bob'`,
  time: `SELECT
      event_timestamp,
      CAST(event_timestamp AS DATE) AS d,
      DATE_FORMAT(event_timestamp, 'yyyy-MM-dd HH:mm:ss') AS f,
      EXTRACT(HOUR FROM event_timestamp) AS h,
      YEAR(event_timestamp) AS y,
      TO_TIMESTAMP_LTZ(TRY_CAST(JSON_VALUE(value, '$.ts') AS BIGINT), 3) AS ts
    FROM {{ input }}
    WHERE value IS NOT NULL`,
};

describe('differential: the same transforms on real Flink and on the DuckDB plan give identical rows', () => {
  const kafka = new Kafka({ clientId: 'planner-differential', brokers: endpoints.kafka.brokers, logLevel: logLevel.NOTHING });
  const gateway = new SqlGatewayClient(endpoints.flink.gatewayUrl);
  let session: GatewaySession;
  let duck: DuckDBConnection;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, messages: RECORDS.map((r) => ({ key: r.key, value: r.value, timestamp: String(r.timestamp) })) });
    await producer.disconnect();
    session = await gateway.openSession({ 'table.local-time-zone': 'UTC', 'parallelism.default': '1', 'execution.runtime-mode': 'streaming' }, 'planner-differential');
    duck = await (await DuckDBInstance.create(':memory:')).connect();
    await duck.run(BATCH_RELATION_DDL);
    for (const [offset, r] of RECORDS.entries()) {
      await duck.run(`INSERT INTO src VALUES (${sqlLiteral(r.key)}, ${sqlLiteral(r.value)}, timezone('UTC', epoch_ms(${r.timestamp})), '${topic}', 0, ${offset}, MAP {})`);
    }
  });

  afterAll(async () => {
    await session?.close();
    duck?.closeSync();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it.each(Object.entries(CORPUS))('%s', async (_name, sql) => {
    const source = `{ type: kafka, connection: "${endpoints.kafka.brokers.join(',')}", topic: ${topic}, consumer_group: differential, format: json, start_offset: earliest }`;
    const { flinkPlan, microPlan, columns } = compileBoth(transformDefinition('differential', source, sql), endpoints.stateDir);

    // Flink: the plan's own source table, read to the end of the topic, and the job's query
    await session.execute(`DROP TEMPORARY TABLE IF EXISTS \`src\``);
    const fromFlink = await flinkRows(session, flinkPlan);
    // DuckDB: the plan's stages over the batch relation
    const fromDuck = await duckRows(duck, microPlan, columns);

    expect(canonicalRows(columns, fromDuck)).toEqual(canonicalRows(columns, fromFlink));
    expect(fromFlink.length).toBeGreaterThan(0);
  });
});
