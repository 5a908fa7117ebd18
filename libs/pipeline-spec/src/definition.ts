/**
 * The normalized pipeline definition: every default filled in, every shorthand resolved, durations
 * in milliseconds, secrets kept as references. This is what the registry stores (by its content
 * hash) and what compilers and executors read.
 */
export interface PipelineDefinition {
  metadata: {
    name: string;
    version: string;
    owner: string;
    description: string | null;
    labels: Record<string, string>;
  };
  sources: Record<string, KafkaSource>;
  /** in dependency order: every transformation comes after its input (ties broken by name) */
  transformations: SqlTransformation[];
  sinks: Record<string, IcebergSink>;
  orchestration: Orchestration;
}

/** A secret, by the environment variable that holds it at run time. */
export interface SecretRef {
  env: string;
}

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface KafkaConnection {
  bootstrap_servers: string[];
  security_protocol: SecurityProtocol;
  sasl: { mechanism: SaslMechanism; username: string; password: SecretRef } | null;
  ssl: {
    ca_location: string | null;
    certificate_location: string | null;
    key_location: string | null;
    key_password: SecretRef | null;
    verify_hostname: boolean;
  } | null;
}

export type StartOffset =
  | { mode: 'earliest' | 'latest' }
  /** the consumer group's committed offsets; partitions without one start at the earliest offset */
  | { mode: 'group_offsets' }
  | { mode: 'timestamp'; /** ISO-8601, UTC */ timestamp: string; epoch_millis: number };

export interface KafkaSource {
  type: 'kafka';
  connection: KafkaConnection;
  topic: string;
  consumer_group: string;
  format: 'json' | 'avro' | 'protobuf';
  schema_registry: { url: string; username: string | null; password: SecretRef | null } | null;
  start_offset: StartOffset;
  /** micro-batch size for this source */
  max_records: number;
  checkpoint_interval_ms: number;
  event_time: {
    column: string;
    /** Flink SQL computing `column` from the source columns; null when `column` is a source column */
    expression: string | null;
    watermark_delay_ms: number;
  };
  dead_letter_topic: string;
}

export interface SqlTransformation {
  name: string;
  type: 'sql_transform';
  input: string;
  /** the SQL as written, with `{{ input }}` kept; surrounding blank space trimmed */
  sql: string;
  /** output column names, or null when the query uses `*` */
  output_columns: string[] | null;
}

export type PartitionTransform = 'identity' | 'year' | 'month' | 'day' | 'hour' | 'bucket' | 'truncate';

export interface PartitionField {
  transform: PartitionTransform;
  source_column: string;
  /** bucket count for `bucket`, width for `truncate`; null otherwise */
  width: number | null;
  /** Iceberg's default partition field name: `col`, `col_day`, `col_bucket`, `col_trunc`, … */
  name: string;
}

export interface IcebergSink {
  type: 'iceberg';
  /** the transformation or source whose rows are written */
  input: string;
  table: { catalog: string; namespace: string[]; name: string };
  mode: 'append';
  partition_by: PartitionField[];
}

export interface Orchestration {
  engine: 'flink' | 'airflow';
  delivery: 'exactly_once' | 'at_least_once';
  /** the job's checkpoint interval: the smallest asked by orchestration or any source */
  checkpoint_interval_ms: number;
  parallelism: number;
  max_records: number;
  idle_timeout_ms: number;
  poll_timeout_ms: number;
  error_budget: number;
}

/** Columns every Kafka source table exposes (see README). */
export const SOURCE_COLUMNS = ['key', 'value', 'event_timestamp', 'topic', 'partition', 'offset', 'headers'] as const;
