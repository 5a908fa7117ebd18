import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefinition, type LoadResult, type PipelineDefinition } from './index';

const SEED = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'clickstream.yaml'), 'utf8');
const ENV = { KAFKA_CONNECTION: 'broker-1:9092,broker-2:9092', SCHEMA_REGISTRY_URL: 'http://registry:8081' };

function valid(result: LoadResult): { definition: PipelineDefinition; hash: string } {
  if (!result.ok) throw new Error(`expected a valid definition, got:\n${JSON.stringify(result.diagnostics, null, 2)}`);
  return result;
}

describe('the reference page example (examples/clickstream.yaml, verbatim)', () => {
  it('is the seed text', () => {
    // the reference page the product grew from, kept in the repository
    const page = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'reference', 'stream-ingestion-page.txt'), 'utf8');
    const start = page.indexOf('metadata:');
    const end = page.indexOf('  parallelism: 4', start) + '  parallelism: 4\n'.length;
    expect(SEED).toBe(page.slice(start, end));
  });

  it('normalizes to a fully defaulted definition', () => {
    const { definition, hash } = valid(loadDefinition(SEED, { file: 'clickstream.yaml', env: ENV }));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(definition.metadata).toEqual({ name: 'realtime-clickstream', version: '1.0.0', owner: 'analytics-team', description: null, labels: {} });
    expect(definition.sources['clickstream']).toEqual({
      type: 'kafka',
      connection: { bootstrap_servers: ['broker-1:9092', 'broker-2:9092'], security_protocol: 'PLAINTEXT', sasl: null, ssl: null },
      topic: 'matih.web.clickstream',
      consumer_group: 'pipeline-clickstream-v1',
      format: 'json',
      schema_registry: { url: 'http://registry:8081', username: null, password: null },
      start_offset: { mode: 'latest' },
      max_records: 10000,
      checkpoint_interval_ms: 60000,
      event_time: { column: 'event_timestamp', expression: null, watermark_delay_ms: 10000 },
      dead_letter_topic: 'matih.web.clickstream.dlq',
    });
    expect(definition.transformations).toEqual([
      {
        name: 'parse_events',
        type: 'sql_transform',
        input: 'clickstream',
        sql: "SELECT\n  JSON_VALUE(value, '$.user_id') AS user_id,\n  JSON_VALUE(value, '$.event_type') AS event_type,\n  JSON_VALUE(value, '$.page_url') AS page_url,\n  event_timestamp\nFROM {{ input }}",
        output_columns: ['user_id', 'event_type', 'page_url', 'event_timestamp'],
      },
    ]);
    // `partition_by: [date]` with no `date` column: the day of the event-time column
    expect(definition.sinks['analytics_lake']).toEqual({
      type: 'iceberg',
      input: 'parse_events',
      table: { catalog: 'analytics', namespace: ['web'], name: 'clickstream_events' },
      mode: 'append',
      partition_by: [{ transform: 'day', source_column: 'event_timestamp', width: null, name: 'date' }],
    });
    expect(definition.orchestration).toEqual({
      engine: 'flink',
      delivery: 'exactly_once',
      checkpoint_interval_ms: 60000,
      parallelism: 4,
      max_records: 10000,
      idle_timeout_ms: 300000,
      poll_timeout_ms: 30000,
      error_budget: 0,
    });
  });

  it('names the missing environment variables at their place', () => {
    const result = loadDefinition(SEED, { file: 'clickstream.yaml', env: {} });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => [d.line, d.col, d.path, d.message])).toEqual([
      [9, 17, 'sources.clickstream.connection', 'environment variable `KAFKA_CONNECTION` is not set'],
      [13, 22, 'sources.clickstream.schema_registry', 'environment variable `SCHEMA_REGISTRY_URL` is not set'],
    ]);
  });
});

describe('content hash', () => {
  const hashOf = (text: string): string => valid(loadDefinition(text, { env: ENV })).hash;
  const base = hashOf(SEED);

  it('ignores key order, YAML style, comments and defaults written out', () => {
    const reordered = `
# same pipeline, other layout
orchestration: { parallelism: 4, checkpoint_interval: 1m, engine: flink, max_records: 10000, idle_timeout: 5m, delivery: exactly_once }
sinks:
  analytics_lake: { partition_by: ["date"], mode: append, table: "analytics.web.clickstream_events", type: iceberg, input: parse_events }
transformations:
  - sql: "SELECT\\n  JSON_VALUE(value, '$.user_id') AS user_id,\\n  JSON_VALUE(value, '$.event_type') AS event_type,\\n  JSON_VALUE(value, '$.page_url') AS page_url,\\n  event_timestamp\\nFROM {{ input }}\\n\\n"
    input: clickstream
    type: sql_transform
    name: parse_events
sources:
  clickstream:
    start_offset: 'latest'
    schema_registry: http://registry:8081
    format: json
    consumer_group: pipeline-clickstream-v1
    topic: matih.web.clickstream
    connection: { bootstrap_servers: [broker-1:9092, broker-2:9092] }
    type: kafka
metadata: { owner: analytics-team, version: '1.0.0', name: realtime-clickstream }
`;
    expect(hashOf(reordered)).toBe(base);
  });

  it('changes when the content changes', () => {
    expect(hashOf(SEED.replace('parallelism: 4', 'parallelism: 5'))).not.toBe(base);
    expect(hashOf(SEED.replace("'$.page_url') AS page_url", "'$.url') AS page_url"))).not.toBe(base);
    expect(hashOf(SEED.replace('start_offset: latest', 'start_offset: earliest'))).not.toBe(base);
  });

  it('depends on the resolved environment, but not on secret values', () => {
    expect(valid(loadDefinition(SEED, { env: { ...ENV, KAFKA_CONNECTION: 'other:9092' } })).hash).not.toBe(base);
    const secured = (password: string) =>
      SEED.replace('connection: ${KAFKA_CONNECTION}', 'connection: { bootstrap_servers: "k:9093", sasl: { mechanism: PLAIN, username: u, password: "${KAFKA_PASSWORD}" } }') +
      `# ${password.length}\n`;
    const a = valid(loadDefinition(secured('x'), { env: { ...ENV, KAFKA_PASSWORD: 'first-password' } }));
    const b = valid(loadDefinition(secured('x'), { env: { ...ENV, KAFKA_PASSWORD: 'rotated-password' } }));
    expect(a.hash).toBe(b.hash);
    expect(a.definition.sources['clickstream']?.connection.sasl).toEqual({ mechanism: 'PLAIN', username: 'u', password: { env: 'KAFKA_PASSWORD' } });
    expect(a.definition.sources['clickstream']?.connection.security_protocol).toBe('SASL_SSL');
    expect(JSON.stringify(a.definition)).not.toContain('first-password');
  });
});

describe('the corpus pipeline multi-stage.yaml', () => {
  const text = readFileSync(join(__dirname, '__fixtures__', 'valid', 'multi-stage.yaml'), 'utf8');
  const { definition } = valid(loadDefinition(text, { env: { KAFKA_PASSWORD: 'p1', REGISTRY_PASSWORD: 'p2' } }));

  it('orders transformations by dependency and derives their columns', () => {
    expect(definition.transformations.map((t) => [t.name, t.input, t.output_columns])).toEqual([
      ['parsed', 'orders', ['order_id', 'customer_id', 'amount', 'status', 'has_coupon', 'order_ts']],
      ['paid_orders', 'parsed', ['order_id', 'customer_id', 'amount', 'order_ts']],
      ['refunds', 'parsed', ['order_id', 'amount', 'order_ts']],
    ]);
    expect(definition.transformations[0]?.sql.endsWith('FROM {{ input }};')).toBe(true);
  });

  it('resolves the source: timestamp offset, secrets as references, event time, overrides', () => {
    const source = definition.sources['orders'];
    expect(source?.start_offset).toEqual({ mode: 'timestamp', timestamp: '2024-04-30T22:00:00.000Z', epoch_millis: Date.parse('2024-04-30T22:00:00Z') });
    expect(source?.connection).toEqual({
      bootstrap_servers: ['kafka-1:9093', 'kafka-2:9093'],
      security_protocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'pipeline-orders', password: { env: 'KAFKA_PASSWORD' } },
      ssl: { ca_location: '/etc/ssl/kafka-ca.pem', certificate_location: null, key_location: null, key_password: null, verify_hostname: true },
    });
    expect(source?.schema_registry).toEqual({ url: 'https://registry.internal:8081', username: 'pipeline', password: { env: 'REGISTRY_PASSWORD' } });
    expect(source?.event_time).toEqual({
      column: 'order_ts',
      expression: "TO_TIMESTAMP_LTZ(CAST(JSON_VALUE(`value`, '$.ts' RETURNING BIGINT) AS BIGINT), 3)",
      watermark_delay_ms: 90_000,
    });
    expect([source?.max_records, source?.checkpoint_interval_ms, source?.dead_letter_topic]).toEqual([5000, 30_000, 'shop.orders.rejected']);
    expect(JSON.stringify(definition)).not.toMatch(/"p1"|"p2"/);
  });

  it('resolves sinks, partition transforms and orchestration', () => {
    expect(definition.sinks['paid']?.table).toEqual({ catalog: 'lake', namespace: ['commerce', 'sales'], name: 'paid_orders' });
    expect(definition.sinks['paid']?.partition_by).toEqual([
      { transform: 'day', source_column: 'order_ts', width: null, name: 'order_ts_day' },
      { transform: 'bucket', source_column: 'customer_id', width: 16, name: 'customer_id_bucket' },
    ]);
    expect(definition.sinks['refunded']?.partition_by).toEqual([
      { transform: 'month', source_column: 'order_ts', width: null, name: 'order_ts_month' },
      { transform: 'truncate', source_column: 'order_id', width: 4, name: 'order_id_trunc' },
    ]);
    // the job checkpoints at the smallest interval asked (the source's 30s, not orchestration's 2m)
    expect(definition.orchestration).toEqual({
      engine: 'airflow',
      delivery: 'at_least_once',
      checkpoint_interval_ms: 30_000,
      parallelism: 4,
      max_records: 20000,
      idle_timeout_ms: 600_000,
      poll_timeout_ms: 30_000,
      error_budget: 0.01,
    });
  });
});

describe('interpolation', () => {
  const minimal = (connection: string, extra = '') => `
metadata: { name: p, version: "1.0.0", owner: o }
sources:
  s: { type: kafka, connection: "${connection}", topic: t, consumer_group: g, format: json${extra} }
sinks:
  out: { type: iceberg, table: c.n.t }
`;
  it('uses defaults when a variable is unset or empty, and `$${` for a literal', () => {
    const a = valid(loadDefinition(minimal('${BROKERS:-localhost:9092}'), { env: {} }));
    expect(a.definition.sources['s']?.connection.bootstrap_servers).toEqual(['localhost:9092']);
    const b = valid(loadDefinition(minimal('${BROKERS:-localhost:9092}'), { env: { BROKERS: '' } }));
    expect(b.definition.sources['s']?.connection.bootstrap_servers).toEqual(['localhost:9092']);
    const c = valid(loadDefinition(minimal('${HOST}:${PORT}'), { env: { HOST: 'kafka', PORT: '9092' } }));
    expect(c.definition.sources['s']?.connection.bootstrap_servers).toEqual(['kafka:9092']);
    const d = valid(loadDefinition(minimal('k:9092', ', consumer_group: "$${literal}"').replace('consumer_group: g, ', ''), { env: {} }));
    expect(d.definition.sources['s']?.consumer_group).toBe('${literal}');
  });

  it('reports every missing variable by name, all at once', () => {
    const result = loadDefinition(minimal('${A}:${B}'), { env: {} });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.message)).toEqual(['environment variable `A` is not set', 'environment variable `B` is not set']);
  });

  it('does not echo an interpolated value in a message', () => {
    const result = loadDefinition(minimal('${BROKERS}'), { env: { BROKERS: 'sasl://admin:hunter2@kafka' } });
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]?.message).toBe('the value from the environment is not a list of Kafka bootstrap servers');
    expect(JSON.stringify(result.diagnostics)).not.toContain('hunter2');
  });
});

describe('never throws', () => {
  it.each([[''], ['~'], ['42'], ['"just a string"'], ['[]'], ['{}'], ['metadata: ['], ['\u0000\u0001binary'], ['a: *nope']])('%j gives diagnostics', (text) => {
    const result = loadDefinition(text, { file: 'x.yaml' });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.length).toBeGreaterThan(0);
    for (const d of result.diagnostics) expect(d).toMatchObject({ file: 'x.yaml', severity: 'error' });
  });
});
