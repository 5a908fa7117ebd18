import { randomUUID } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Kafka, logLevel } from 'kafkajs';
import type { FlinkPlan, MicrobatchPlan } from '@matih/contracts';
import { SqlGatewayClient, type GatewaySession } from '@matih/flink';
import { loadDefinition } from '@matih/pipeline-spec';
import { stackEndpoints } from '@matih/stack';
import { compilePlan } from './compile';
import { localStackCatalogs } from './catalogs';

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

function definitionFor(sql: string) {
  const yaml = `
metadata: { name: differential, version: "1.0.0", owner: tests }
sources:
  src: { type: kafka, connection: "${endpoints.kafka.brokers.join(',')}", topic: ${topic}, consumer_group: differential, format: json, start_offset: earliest }
transformations:
  - name: t
    type: sql_transform
    input: src
    sql: |
${sql.split('\n').map((l) => `      ${l.trim()}`).join('\n')}
sinks:
  out: { type: iceberg, table: matih.differential.out }
orchestration: { engine: flink, parallelism: 1 }
`;
  const loaded = loadDefinition(yaml, { file: 'differential.yaml', env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.definition;
}

/** One value as text, by its Iceberg type, so both engines' client representations compare. */
function normalize(type: string, value: unknown): string | null {
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
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: RECORDS.map((r) => ({ key: r.key, value: r.value, timestamp: String(r.timestamp) })) });
    await producer.disconnect();
    session = await gateway.openSession({ 'table.local-time-zone': 'UTC', 'parallelism.default': '1', 'execution.runtime-mode': 'streaming' }, 'planner-differential');
    duck = await (await DuckDBInstance.create(':memory:')).connect();
    // the batch relation the micro-batch executor gives a plan: the Flink source table's columns
    await duck.run(`CREATE TABLE src (key VARCHAR, value VARCHAR, event_timestamp TIMESTAMPTZ, topic VARCHAR, "partition" INTEGER, "offset" BIGINT, headers MAP(VARCHAR, BLOB))`);
    const lit = (v: string | null) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);
    for (const [offset, r] of RECORDS.entries()) {
      await duck.run(`INSERT INTO src VALUES (${lit(r.key)}, ${lit(r.value)}, timezone('UTC', epoch_ms(${r.timestamp})), '${topic}', 0, ${offset}, MAP {})`);
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
    const definition = definitionFor(sql);
    const catalogs = localStackCatalogs(endpoints.stateDir);
    const flink = compilePlan(definition, { target: 'flink', deploymentId: randomUUID(), catalogs });
    const micro = compilePlan(definition, { target: 'microbatch', deploymentId: randomUUID(), catalogs });
    if (!flink.ok || !micro.ok) throw new Error(JSON.stringify([flink, micro]));
    const flinkPlan = flink.plan as FlinkPlan;
    const microPlan = micro.plan as MicrobatchPlan;
    const columns = flinkPlan.sinks[0]?.columns ?? [];
    expect(microPlan.sinks[0]?.columns).toEqual(columns);

    // Flink: the plan's own source table, read to the end of the topic, and the job's query
    const sourceDdl = flinkPlan.setup.find((s) => s.startsWith('CREATE TEMPORARY TABLE')) as string;
    await session.execute(`DROP TEMPORARY TABLE IF EXISTS \`src\``);
    await session.execute(sourceDdl.replace(`'connector' = 'kafka',`, `'connector' = 'kafka',\n  'scan.bounded.mode' = 'latest-offset',`));
    const query = flinkPlan.job.slice(flinkPlan.job.indexOf('\n') + 1);
    const flinkRows = (await session.execute(query, { timeoutMs: 120_000 })).rows;

    // DuckDB: the plan's stages over the batch relation
    for (const stage of microPlan.stages) await duck.run(`CREATE OR REPLACE TEMP VIEW "${stage.name}" AS ${stage.sql.replace(/"src"/g, 'src')}`);
    const sink = microPlan.sinks[0] as MicrobatchPlan['sinks'][number];
    const duckRows = (await duck.runAndReadAll(`SELECT ${columns.map((c) => `"${c.name}"`).join(', ')} FROM "${sink.input}"`)).getRowObjectsJson();

    const canon = (rows: readonly Record<string, unknown>[]) =>
      rows.map((row) => JSON.stringify(columns.map((c) => normalize(c.type, row[c.name])))).sort();
    expect(canon(duckRows as readonly Record<string, unknown>[])).toEqual(canon(flinkRows));
    expect(flinkRows.length).toBeGreaterThan(0);
  });
});
