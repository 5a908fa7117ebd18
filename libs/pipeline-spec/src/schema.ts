import { z } from 'zod';
import { parseDuration } from './durations';

/**
 * The pipeline definition as written (YAML, after `${VAR}` interpolation). One source of truth for
 * validation and for the exported JSON Schema; README.md documents every field.
 */

const check = <T extends z.ZodType>(schema: T, test: (value: z.output<T>) => boolean, message: string, hint?: string): T =>
  schema.refine(test, hint === undefined ? { message } : { message, params: { hint } }) as unknown as T;

export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const nameHint = 'letters, digits and `_`, starting with a letter or `_` (it is used as a SQL name)';

/** a duration with bounds, written `500ms`, `10s`, `5m`, `1h`, `1d` or `1m30s` */
function durationString(description: string, minMs: number, maxMs: number) {
  return z
    .string()
    .refine((v) => parseDuration(v) !== undefined, { message: 'is not a duration', params: { hint: 'write a number and a unit: `500ms`, `10s`, `5m`, `1h`, `1d`, or `1m30s`' } })
    .refine((v) => {
      const ms = parseDuration(v);
      return ms === undefined || (ms >= minMs && ms <= maxMs);
    }, { message: `must be between ${fmt(minMs)} and ${fmt(maxMs)}` })
    .describe(description);
}
export const duration = (description: string, minMs: number, maxMs: number) => durationString(description, minMs, maxMs).optional();
export const durationWithDefault = (description: string, minMs: number, maxMs: number, fallback: string) => durationString(description, minMs, maxMs).default(fallback);
function fmt(ms: number): string {
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const int = (description: string, min: number, max: number) =>
  z.number().int({ message: 'must be a whole number' }).min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }).describe(description);

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export const MetadataSchema = z
  .strictObject({
    name: check(z.string().describe('Pipeline name: lower-case letters, digits, `-` and `_`, at most 63 characters.'), (v) => /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/.test(v), 'is not a valid pipeline name', 'lower-case letters, digits, `-` and `_`, starting and ending with a letter or digit, at most 63 characters'),
    version: check(z.string().describe('Semantic version of the definition, e.g. "1.0.0" (quote it in YAML).'), (v) => SEMVER.test(v), 'is not a semantic version', 'write MAJOR.MINOR.PATCH, e.g. "1.0.0"'),
    owner: z.string().min(1, { message: 'must not be empty' }).describe('Team or person that owns the pipeline.'),
    description: z.string().optional().describe('Free text.'),
    labels: z.record(z.string(), z.string()).optional().describe('Free key/value labels.'),
  })
  .describe('Who and what this pipeline is.');

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

const BOOTSTRAP_SERVER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})$/;
/** `host:port,host:port` → the servers, or undefined when malformed */
export function parseBootstrap(value: string | readonly string[]): string[] | undefined {
  const list = (typeof value === 'string' ? value.split(',') : [...value]).map((s) => s.trim());
  if (list.length === 0 || list.some((s) => !BOOTSTRAP_SERVER.test(s) || Number(s.slice(s.lastIndexOf(':') + 1)) > 65535 || Number(s.slice(s.lastIndexOf(':') + 1)) === 0)) return undefined;
  return list;
}
const bootstrap = (description: string) =>
  check(z.string().describe(description), (v) => parseBootstrap(v) !== undefined, 'is not a list of Kafka bootstrap servers', 'write `host:port` or `host1:port,host2:port`');

const SECRET_DESCRIPTION = 'A secret: write `${VAR}`; the variable is checked at validation and resolved only at run time.';

export const KafkaConnectionObjectSchema = z
  .strictObject({
    bootstrap_servers: z
      .union([bootstrap('Comma-separated `host:port` list.'), z.array(bootstrap('`host:port`')).min(1, { message: 'must list at least one server' })])
      .describe('Kafka bootstrap servers: `host:port,host:port` or a list.'),
    security_protocol: z.enum(SECURITY_PROTOCOLS).optional().describe('Default: SASL_SSL when `sasl` is set (SASL_PLAINTEXT is allowed explicitly), SSL when only `ssl` is set, else PLAINTEXT.'),
    sasl: z
      .strictObject({
        mechanism: z.enum(SASL_MECHANISMS).describe('SASL mechanism.'),
        username: z.string().min(1, { message: 'must not be empty' }).describe('SASL user name.'),
        password: z.string().describe(SECRET_DESCRIPTION),
      })
      .optional()
      .describe('SASL authentication.'),
    ssl: z
      .strictObject({
        ca_location: z.string().min(1).optional().describe('Path of the CA certificate (PEM) on the machine running the job.'),
        certificate_location: z.string().min(1).optional().describe('Path of the client certificate (PEM), for mutual TLS.'),
        key_location: z.string().min(1).optional().describe('Path of the client private key (PEM), for mutual TLS.'),
        key_password: z.string().optional().describe(SECRET_DESCRIPTION),
        verify_hostname: z.boolean().default(true).describe('Check the broker certificate against its host name.'),
      })
      .optional()
      .describe('TLS settings.'),
  })
  .describe('A Kafka connection with security settings.');

export const FORMATS = ['json', 'avro', 'protobuf'] as const;
export const START_OFFSET_MODES = ['earliest', 'latest', 'group_offsets'] as const;
export const TIMESTAMP_PREFIX = 'timestamp:';

/** `timestamp:2024-05-01T00:00:00Z` or `timestamp:1714521600000` → epoch milliseconds */
export function parseStartTimestamp(value: string): number | undefined {
  if (!value.startsWith(TIMESTAMP_PREFIX)) return undefined;
  const when = value.slice(TIMESTAMP_PREFIX.length).trim();
  if (/^\d{1,16}$/.test(when)) return Number(when);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(when)) return undefined;
  const ms = Date.parse(when);
  return Number.isNaN(ms) || ms < 0 ? undefined : ms;
}

const startOffset = check(
  z.string().describe('Where a new consumer group starts reading: `earliest`, `latest`, `group_offsets` (committed offsets, else earliest) or `timestamp:<ISO-8601 with zone | epoch millis>`. Default: group_offsets.'),
  (v) => (START_OFFSET_MODES as readonly string[]).includes(v) || parseStartTimestamp(v) !== undefined,
  'is not a start offset',
  'use `earliest`, `latest`, `group_offsets`, or `timestamp:2024-05-01T00:00:00Z` / `timestamp:1714521600000`',
);

const KAFKA_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

export const SchemaRegistryObjectSchema = z
  .strictObject({
    url: z.string().describe('Schema Registry URL.'),
    username: z.string().min(1).optional().describe('Basic-auth user.'),
    password: z.string().optional().describe(SECRET_DESCRIPTION),
  })
  .describe('Schema Registry with credentials.');

export const EventTimeSchema = z
  .strictObject({
    column: check(z.string().describe('Event-time column of the source table. Default: `event_timestamp` (the Kafka record timestamp).'), (v) => NAME_PATTERN.test(v), 'is not a valid column name', nameHint).optional(),
    expression: z.string().min(1).optional().describe('Flink SQL expression computing `column` from the source columns (key, value, event_timestamp, …); required when `column` is not a source column.'),
    watermark_delay: durationWithDefault('How late events may arrive: the watermark trails the largest event time by this much. Default 10s.', 0, 86_400_000, '10s'),
  })
  .describe('Event time and watermark of the source.');

export const KafkaSourceSchema = z
  .strictObject({
    type: z.literal('kafka').describe('Source type; only `kafka`.'),
    connection: z
      .union([bootstrap('Bootstrap servers `host:port,host:port` (no security).'), KafkaConnectionObjectSchema])
      .describe('Kafka connection: a `host:port,host:port` string, or an object with bootstrap_servers, security_protocol, sasl, ssl.'),
    topic: check(z.string().describe('Kafka topic.'), (v) => KAFKA_TOPIC.test(v) && v !== '.' && v !== '..', 'is not a valid Kafka topic name', 'letters, digits, `.`, `_` and `-`, at most 249 characters'),
    consumer_group: z.string().min(1, { message: 'must not be empty' }).max(255, { message: 'must be at most 255 characters' }).describe('Kafka consumer group id.'),
    format: z.enum(FORMATS).describe('Record value format.'),
    schema_registry: z.union([z.string().describe('Schema Registry URL.'), SchemaRegistryObjectSchema]).optional().describe('Schema Registry, required for avro and protobuf.'),
    start_offset: startOffset.optional(),
    max_records: int('Max records per micro-batch for this source. Default: orchestration.max_records.', 1, 1_000_000).optional(),
    checkpoint_interval: duration('Checkpoint interval for this source. A Flink job checkpoints as a whole, at the smallest interval asked. Default: orchestration.checkpoint_interval.', 1000, 86_400_000),
    event_time: EventTimeSchema.optional(),
    dead_letter_topic: check(z.string().describe('Topic that receives records that fail to decode or transform (micro-batch). Default: `<topic>.dlq`.'), (v) => KAFKA_TOPIC.test(v), 'is not a valid Kafka topic name').optional(),
  })
  .describe('A Kafka source.');

export const SqlTransformSchema = z
  .strictObject({
    name: check(z.string().describe('Transformation name, unique among sources and transformations.'), (v) => NAME_PATTERN.test(v), 'is not a valid name', nameHint),
    type: z.literal('sql_transform').describe('Transformation type; only `sql_transform`.'),
    input: z.string().min(1, { message: 'must not be empty' }).describe('Name of the source or transformation this one reads.'),
    sql: z.string().min(1, { message: 'must not be empty' }).describe('One Flink SQL SELECT statement reading `{{ input }}`.'),
  })
  .describe('A SQL transformation.');

export const SINK_MODES = ['append'] as const;
export const PARTITION_TRANSFORMS = ['identity', 'year', 'month', 'day', 'hour', 'bucket', 'truncate'] as const;

export const IcebergSinkSchema = z
  .strictObject({
    type: z.literal('iceberg').describe('Sink type; only `iceberg`.'),
    table: check(
      z.string().describe('Iceberg table `catalog.namespace.table` (the namespace may have several levels).'),
      (v) => v.split('.').length >= 3 && v.split('.').every((p) => NAME_PATTERN.test(p)),
      'is not a table identifier `catalog.namespace.table`',
      'e.g. `analytics.web.clickstream_events`: catalog `analytics`, namespace `web`, table `clickstream_events`',
    ),
    mode: z.enum(SINK_MODES).default('append').describe('Write mode; only `append`.'),
    partition_by: z
      .array(z.string().describe('`col`, `identity(col)`, `year(col)`, `month(col)`, `day(col)`, `hour(col)`, `bucket(N, col)`, `truncate(W, col)`, or `date`.'))
      .max(16, { message: 'must have at most 16 fields' })
      .default([])
      .describe('Iceberg partition spec. `date` without a `date` column means day(<event-time column>).'),
    input: z.string().min(1).optional().describe('Transformation (or source) whose rows are written. Required when more than one transformation is terminal.'),
  })
  .describe('An Iceberg sink.');

export const ENGINES = ['flink', 'airflow'] as const;
export const DELIVERY = ['exactly_once', 'at_least_once'] as const;

export const OrchestrationSchema = z
  .strictObject({
    engine: z.enum(ENGINES).default('flink').describe('`flink` (continuous) or `airflow` (micro-batch). Default flink.'),
    delivery: z.enum(DELIVERY).default('exactly_once').describe('Delivery guarantee. Default exactly_once.'),
    checkpoint_interval: durationWithDefault('State checkpoint frequency. Default 60s.', 1000, 86_400_000, '60s'),
    parallelism: int('Number of Flink task slots. Default 4.', 1, 1024).default(4),
    max_records: int('Records per micro-batch. Default 10000.', 1, 1_000_000).default(10_000),
    idle_timeout: durationWithDefault('Micro-batch: shut down after this long without records. Default 300s.', 1000, 86_400_000, '300s'),
    poll_timeout: durationWithDefault('Micro-batch: how long one poll waits for records. Default 30s.', 100, 3_600_000, '30s'),
    error_budget: z.number().min(0, { message: 'must be at least 0' }).max(1, { message: 'must be at most 1' }).default(0).describe('Micro-batch: the fraction of a batch that may go to the dead-letter topic before the batch fails. Default 0.'),
  })
  .describe('How the pipeline runs.');

export const PipelineInputSchema = z
  .strictObject({
    metadata: MetadataSchema,
    sources: z
      .record(z.string(), KafkaSourceSchema)
      .refine((v) => Object.keys(v).length > 0, { message: 'must define at least one source' })
      .describe('Sources by name.'),
    transformations: z.array(SqlTransformSchema).max(100, { message: 'must have at most 100 entries' }).default([]).describe('SQL transformations.'),
    sinks: z
      .record(z.string(), IcebergSinkSchema)
      .refine((v) => Object.keys(v).length > 0, { message: 'must define at least one sink' })
      .describe('Sinks by name.'),
    orchestration: OrchestrationSchema.default({
      engine: 'flink',
      delivery: 'exactly_once',
      checkpoint_interval: '60s',
      parallelism: 4,
      max_records: 10_000,
      idle_timeout: '300s',
      poll_timeout: '30s',
      error_budget: 0,
    }),
  })
  .describe('A MATIH pipeline definition: Kafka sources → SQL transformations → Iceberg sinks.');

export type PipelineInput = z.output<typeof PipelineInputSchema>;
