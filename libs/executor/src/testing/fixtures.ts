/* Test helpers for the executor's integration tests and the benchmark: hand-written plans exactly per
   the `MicrobatchPlan` contract, a clickstream producer, topic readers, the stack's catalog settings. */
import { microbatchPlanSchema, type MicrobatchPlan } from '@matih/contracts';
import { LOCAL_CATALOG_PASSWORD_ENV, localStackCatalogs } from '@matih/planner';
import { stackEndpoints } from '@matih/stack';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';

export const endpoints = () => stackEndpoints();

/** The environment an executor of these plans needs: the stack catalog's password (plans name it, never hold it). */
export function catalogEnv(): Record<string, string> {
  return { [LOCAL_CATALOG_PASSWORD_ENV]: endpoints().postgres.password };
}
// executors that read `process.env` (the default) find the catalog password there
process.env[LOCAL_CATALOG_PASSWORD_ENV] ??= endpoints().postgres.password;

/** The sink catalog of the plans: the stack's catalog, as the compiler's local catalog map describes it. */
export function stackSinkCatalog(): MicrobatchPlan['sinks'][number]['catalog'] {
  const name = endpoints().iceberg.catalogName;
  const config = localStackCatalogs(endpoints().stateDir)[name];
  if (!config) throw new Error(`the local stack has no catalog ${name}`);
  return { name, ...config };
}

/** The environment variables the REST sink catalog's S3 keys are read from (plans name them, never hold them). */
export const REST_S3_KEY_ENV = { accessKeyId: 'IT_S3_ACCESS_KEY_ID', secretAccessKey: 'IT_S3_SECRET_ACCESS_KEY' } as const;

/** The stack's REST catalog (tables on its object store) as a plan's sink catalog. */
export function stackRestSinkCatalog(name = 'lake'): MicrobatchPlan['sinks'][number]['catalog'] {
  const e = endpoints();
  return {
    name,
    type: 'rest',
    uri: e.restCatalog.uri,
    warehouse: e.restCatalog.warehouse,
    token: null,
    s3: {
      endpoint: e.objectStore.endpoint,
      region: e.objectStore.region,
      pathStyle: true,
      accessKeyId: { env: REST_S3_KEY_ENV.accessKeyId },
      secretAccessKey: { env: REST_S3_KEY_ENV.secretAccessKey },
    },
    properties: {},
  };
}

/** The environment an executor of a plan with the REST sink catalog needs: the S3 keys. */
export function restCatalogEnv(): Record<string, string> {
  return { [REST_S3_KEY_ENV.accessKeyId]: endpoints().objectStore.accessKeyId, [REST_S3_KEY_ENV.secretAccessKey]: endpoints().objectStore.secretAccessKey };
}

export const uniq = (prefix: string): string => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;

export interface ClickstreamPlanOptions {
  topic: string;
  table: string;
  group?: string;
  delivery?: MicrobatchPlan['delivery'];
  maxRecords?: number;
  pollTimeoutMs?: number;
  idleTimeoutMs?: number;
  errorBudget?: number;
  connection?: MicrobatchPlan['sources'][number]['connection'];
  format?: MicrobatchPlan['sources'][number]['format'];
  schemaRegistry?: MicrobatchPlan['sources'][number]['schemaRegistry'];
  startOffset?: MicrobatchPlan['sources'][number]['startOffset'];
  /** the sink's catalog (default: the stack's JDBC catalog `matih`) */
  catalog?: MicrobatchPlan['sinks'][number]['catalog'];
}

/** The seed's clickstream pipeline as the compiler would plan it for the micro-batch engine. */
export function clickstreamPlan(o: ClickstreamPlanOptions): MicrobatchPlan {
  return microbatchPlanSchema.parse({
    engine: 'microbatch',
    sources: [
      {
        name: 'clickstream',
        topic: o.topic,
        consumerGroup: o.group ?? `${o.topic}-group`,
        format: o.format ?? 'json',
        connection: o.connection ?? { bootstrapServers: endpoints().kafka.brokers, securityProtocol: 'PLAINTEXT', sasl: null, ssl: null },
        schemaRegistry: o.schemaRegistry ?? null,
        startOffset: o.startOffset ?? { mode: 'earliest' },
        deadLetterTopic: `${o.topic}.dlq`,
      },
    ],
    stages: [
      {
        name: 'parse_events',
        input: 'clickstream',
        sql: `SELECT json_extract_string(value, '$.user_id') AS user_id,
                     json_extract_string(value, '$.event_type') AS event_type,
                     json_extract_string(value, '$.page_url') AS page_url,
                     CAST(json_extract(value, '$.seq') AS BIGINT) AS seq,
                     event_timestamp, partition AS kafka_partition, "offset" AS kafka_offset
              FROM clickstream`,
      },
    ],
    sinks: [
      {
        name: 'analytics_lake',
        input: 'parse_events',
        table: { catalog: o.catalog?.name ?? endpoints().iceberg.catalogName, namespace: ['executor_it'], name: o.table },
        catalog: o.catalog ?? stackSinkCatalog(),
        mode: 'append',
        columns: [
          { name: 'user_id', type: 'string', required: true },
          { name: 'event_type', type: 'string', required: false },
          { name: 'page_url', type: 'string', required: false },
          { name: 'seq', type: 'long', required: true },
          { name: 'event_timestamp', type: 'timestamptz', required: false },
          { name: 'kafka_partition', type: 'int', required: false },
          { name: 'kafka_offset', type: 'long', required: false },
        ],
        partitionBy: [{ transform: 'day', sourceColumn: 'event_timestamp', width: null, name: 'date' }],
      },
    ],
    delivery: o.delivery ?? 'exactly_once',
    maxRecords: o.maxRecords ?? 10_000,
    pollTimeoutMs: o.pollTimeoutMs ?? 30_000,
    idleTimeoutMs: o.idleTimeoutMs ?? 5_000,
    errorBudget: o.errorBudget ?? 0.5,
    secrets: [],
  });
}

export function kafka(): Kafka {
  return new Kafka({ clientId: 'executor-it', brokers: endpoints().kafka.brokers, logLevel: logLevel.NOTHING });
}

export async function createTopic(topic: string, partitions: number): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  } finally {
    await admin.disconnect();
  }
}

/** A ~250-byte clickstream event. */
export function clickEvent(seq: number): string {
  return JSON.stringify({
    seq,
    user_id: `user-${seq % 5000}`,
    event_type: ['page_view', 'click', 'add_to_cart', 'purchase'][seq % 4],
    page_url: `https://shop.example.com/products/${seq % 997}/details?ref=home&campaign=summer`,
    session_id: `s-${(seq * 7919) % 100000}`,
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/126.0',
    ts: 1717200000000 + seq,
  });
}

/** Kinds of malformed records: not JSON, a transform failure (seq not a number), a schema failure (no user_id). */
export function malformedEvent(seq: number): string {
  switch (seq % 3) {
    case 0:
      return `{"seq": ${seq}, "user_id": "broken`;
    case 1:
      return JSON.stringify({ seq: `not-a-number-${seq}`, user_id: 'u' });
    default:
      return JSON.stringify({ seq, event_type: 'click' });
  }
}

/**
 * Produces `n` events keyed round-robin over partitions; every `malformedEvery`-th is malformed.
 * Returns the seqs of the valid and of the malformed events.
 */
export async function produceClickstream(topic: string, n: number, opts: { malformedEvery?: number; from?: number; batch?: number } = {}): Promise<{ valid: number[]; malformed: number[] }> {
  const producer = kafka().producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  const valid: number[] = [];
  const malformed: number[] = [];
  const from = opts.from ?? 0;
  const size = opts.batch ?? 5000;
  try {
    for (let s = from; s < from + n; s += size) {
      const messages = [];
      for (let seq = s; seq < Math.min(from + n, s + size); seq++) {
        const bad = opts.malformedEvery !== undefined && seq % opts.malformedEvery === opts.malformedEvery - 1;
        (bad ? malformed : valid).push(seq);
        messages.push({ key: `k${seq}`, value: bad ? malformedEvent(seq) : clickEvent(seq) });
      }
      await producer.send({ topic, messages, acks: -1 });
    }
  } finally {
    await producer.disconnect();
  }
  return { valid, malformed };
}

export interface ConsumedRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: IHeaders | undefined;
}

/** Every record of a topic, read from the beginning until each partition's high watermark. */
export async function readTopic(topic: string): Promise<ConsumedRecord[]> {
  const k = kafka();
  const admin = k.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const want = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const total = offsets.reduce((a, o) => a + Number(BigInt(o.high) - BigInt(o.low)), 0);
  const out: ConsumedRecord[] = [];
  if (total === 0) return out;
  const consumer = k.consumer({ groupId: uniq('reader') });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`read ${out.length} of ${total} records of ${topic}`)), 60_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        out.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers: message.headers });
        const done = [...want].every(([p, high]) => out.filter((r) => r.partition === p).length >= Number(high) || high === 0n);
        if (out.length >= total || done) {
          clearTimeout(timeout);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return out;
}

/** A field of an avro record schema: a name, its avro type, and the default of an optional one. */
export interface AvroField {
  name: string;
  type: string | string[];
  default?: null;
}

/** The avro value schema the registry tests register: a `shop.v1.Click` record of `fields`. */
export function clickAvroSchema(fields: AvroField[]): { type: 'record'; name: 'Click'; namespace: 'shop.v1'; fields: AvroField[] } {
  return { type: 'record', name: 'Click', namespace: 'shop.v1', fields };
}
