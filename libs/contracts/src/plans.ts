import { z } from 'zod';

/**
 * Execution plans: what the compiler produces from a normalized pipeline definition and the
 * engines run. Both engines write the same Iceberg tables, so a sink carries its full schema.
 */

/** A secret, by the environment variable that holds it where the job runs. */
export const secretRefSchema = z.strictObject({ env: z.string().min(1) });

export const icebergColumnSchema = z.strictObject({
  name: z.string().min(1),
  /** an Iceberg primitive type: boolean, int, long, float, double, decimal(p,s), date, time, timestamp, timestamptz, string, uuid, binary */
  type: z.string().min(1),
  required: z.boolean(),
});

export const partitionFieldSchema = z.strictObject({
  transform: z.enum(['identity', 'year', 'month', 'day', 'hour', 'bucket', 'truncate']),
  sourceColumn: z.string().min(1),
  width: z.number().int().positive().nullable(),
  name: z.string().min(1),
});

export const tableIdentSchema = z.strictObject({
  catalog: z.string().min(1),
  namespace: z.array(z.string().min(1)).min(1),
  name: z.string().min(1),
});

/**
 * How to reach the Iceberg catalog a sink's table lives in (the compiler's catalog map entry for
 * `table.catalog`): Iceberg's JDBC catalog on PostgreSQL, or an Iceberg REST catalog with the
 * tables on S3-compatible object storage. Both engines open it from here.
 */
export const jdbcSinkCatalogSchema = z.strictObject({
  /** the catalog's name: `catalog_name` in the JDBC catalog tables, and `table.catalog` */
  name: z.string().min(1),
  type: z.literal('jdbc'),
  /** JDBC URL of the catalog database */
  uri: z.string().regex(/^jdbc:postgresql:\/\/[^/\s]+\/[^?\s]+(\?\S*)?$/, 'a jdbc:postgresql://host[:port]/database URL'),
  /** where table data and metadata live: file:///…, s3://… */
  warehouse: z.string().min(1),
  user: z.string().min(1),
  /** the catalog database password, by environment variable: never written into a plan */
  password: secretRefSchema.nullable(),
  /** extra catalog options, passed as written (no secrets here) */
  properties: z.record(z.string(), z.string()),
});

/** Where an S3-compatible object store is; the keys by environment variable (absent: the AWS SDK's default chain). */
export const s3SettingsSchema = z.strictObject({
  /** e.g. http://127.0.0.1:19900; null: AWS's regional endpoint */
  endpoint: z.string().regex(/^https?:\/\//, 'an http(s):// URL').nullable(),
  region: z.string().min(1),
  /** bucket in the path rather than the host name (S3-compatible servers want it) */
  pathStyle: z.boolean(),
  accessKeyId: secretRefSchema.nullable(),
  secretAccessKey: secretRefSchema.nullable(),
});

export const restSinkCatalogSchema = z.strictObject({
  /** the catalog's name: `table.catalog` */
  name: z.string().min(1),
  type: z.literal('rest'),
  /** base URI of the REST catalog (the `/v1/…` routes are under it) */
  uri: z.string().regex(/^https?:\/\/\S+$/, 'an http(s):// URL'),
  /** the warehouse the catalog serves, as its `/v1/config?warehouse=` expects (e.g. s3://bucket/path) */
  warehouse: z.string().min(1),
  /** a bearer token for the catalog, by environment variable */
  token: secretRefSchema.nullable(),
  /** where the table files go */
  s3: s3SettingsSchema,
  /** extra catalog options, passed as written (no secrets here) */
  properties: z.record(z.string(), z.string()),
});

export const sinkCatalogSchema = z.discriminatedUnion('type', [jdbcSinkCatalogSchema, restSinkCatalogSchema]);

export const sinkPlanSchema = z.strictObject({
  name: z.string().min(1),
  table: tableIdentSchema,
  catalog: sinkCatalogSchema,
  mode: z.literal('append'),
  columns: z.array(icebergColumnSchema).min(1),
  partitionBy: z.array(partitionFieldSchema),
});

export const kafkaConnectionSchema = z.strictObject({
  bootstrapServers: z.array(z.string().min(1)).min(1),
  securityProtocol: z.enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']),
  sasl: z.strictObject({ mechanism: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']), username: z.string(), password: secretRefSchema }).nullable(),
  ssl: z
    .strictObject({
      caLocation: z.string().nullable(),
      certificateLocation: z.string().nullable(),
      keyLocation: z.string().nullable(),
      keyPassword: secretRefSchema.nullable(),
      verifyHostname: z.boolean(),
    })
    .nullable(),
});

export const startOffsetSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.enum(['earliest', 'latest', 'group_offsets']) }),
  z.strictObject({ mode: z.literal('timestamp'), epochMillis: z.number().int() }),
]);

export const flinkPlanSchema = z.strictObject({
  engine: z.literal('flink'),
  /** the job's name in Flink: carries the deployment id, so a running job can be found again */
  jobName: z.string().min(1),
  /** Flink configuration for the SQL Gateway session (checkpointing, parallelism, restart strategy …) */
  sessionProperties: z.record(z.string(), z.string()),
  /** statements that prepare the session, in order: catalogs, tables, views */
  setup: z.array(z.string().min(1)),
  /** the one statement that starts the job (INSERT INTO … or EXECUTE STATEMENT SET …) */
  job: z.string().min(1),
  sinks: z.array(sinkPlanSchema).min(1),
  /** environment variables the job needs at run time (secrets), by name */
  secrets: z.array(z.string()),
});

export const microbatchSourcePlanSchema = z.strictObject({
  name: z.string().min(1),
  topic: z.string().min(1),
  consumerGroup: z.string().min(1),
  format: z.enum(['json', 'avro', 'protobuf']),
  connection: kafkaConnectionSchema,
  schemaRegistry: z.strictObject({ url: z.string().min(1), username: z.string().nullable(), password: secretRefSchema.nullable() }).nullable(),
  startOffset: startOffsetSchema,
  deadLetterTopic: z.string().min(1),
});

export const microbatchPlanSchema = z.strictObject({
  engine: z.literal('microbatch'),
  sources: z.array(microbatchSourcePlanSchema).length(1, 'a micro-batch pipeline reads one source'),
  /** DuckDB SELECTs in dependency order; each reads its input by name and is visible to later stages by its own */
  stages: z.array(z.strictObject({ name: z.string().min(1), input: z.string().min(1), sql: z.string().min(1) })),
  /** each sink reads one stage (or the source) by name */
  sinks: z.array(sinkPlanSchema.extend({ input: z.string().min(1) })).min(1),
  delivery: z.enum(['exactly_once', 'at_least_once']),
  maxRecords: z.number().int().positive(),
  pollTimeoutMs: z.number().int().positive(),
  idleTimeoutMs: z.number().int().positive(),
  /** the share of records that may go to the dead-letter topic before the deployment fails (0..1) */
  errorBudget: z.number().min(0).max(1),
  secrets: z.array(z.string()),
});

export const planSchema = z.discriminatedUnion('engine', [flinkPlanSchema, microbatchPlanSchema]);

export type FlinkPlan = z.infer<typeof flinkPlanSchema>;
export type MicrobatchPlan = z.infer<typeof microbatchPlanSchema>;
export type ExecutionPlan = z.infer<typeof planSchema>;
export type SinkPlan = z.infer<typeof sinkPlanSchema>;
export type SinkCatalog = z.infer<typeof sinkCatalogSchema>;
export type JdbcSinkCatalog = z.infer<typeof jdbcSinkCatalogSchema>;
export type RestSinkCatalog = z.infer<typeof restSinkCatalogSchema>;
export type IcebergColumn = z.infer<typeof icebergColumnSchema>;
export type KafkaConnectionPlan = z.infer<typeof kafkaConnectionSchema>;
