import type { IcebergSink, KafkaConnection, KafkaSource, PipelineDefinition, SecretRef, SqlTransformation, StartOffset } from './definition';
import { parseDuration } from './durations';
import { parseBootstrap, parseStartTimestamp, type PipelineInput } from './schema';
import type { Resolved } from './semantic';

const ms = (text: string): number => parseDuration(text) as number;
const secret = (ref: string | undefined): SecretRef | null => (ref === undefined ? null : { env: /^\$\{([A-Za-z0-9_]+)\}$/.exec(ref)?.[1] ?? ref });

type InputSource = PipelineInput['sources'][string];

function connection(input: InputSource['connection']): KafkaConnection {
  if (typeof input === 'string') return { bootstrap_servers: parseBootstrap(input) as string[], security_protocol: 'PLAINTEXT', sasl: null, ssl: null };
  const sasl = input.sasl === undefined ? null : { mechanism: input.sasl.mechanism, username: input.sasl.username, password: secret(input.sasl.password) as SecretRef };
  const ssl =
    input.ssl === undefined
      ? null
      : {
          ca_location: input.ssl.ca_location ?? null,
          certificate_location: input.ssl.certificate_location ?? null,
          key_location: input.ssl.key_location ?? null,
          key_password: secret(input.ssl.key_password),
          verify_hostname: input.ssl.verify_hostname,
        };
  const security_protocol = input.security_protocol ?? (sasl !== null ? 'SASL_SSL' : ssl !== null ? 'SSL' : 'PLAINTEXT');
  return { bootstrap_servers: parseBootstrap(input.bootstrap_servers) as string[], security_protocol, sasl, ssl };
}

function startOffset(text: string | undefined): StartOffset {
  if (text === undefined || text === 'group_offsets') return { mode: 'group_offsets' };
  if (text === 'earliest' || text === 'latest') return { mode: text };
  const epoch = parseStartTimestamp(text) as number;
  return { mode: 'timestamp', timestamp: new Date(epoch).toISOString(), epoch_millis: epoch };
}

/** Turns a valid input (schema and semantic checks passed) into the canonical definition. */
export function normalize(input: PipelineInput, resolved: Resolved): PipelineDefinition {
  const o = input.orchestration;
  const sources: Record<string, KafkaSource> = {};
  for (const [name, s] of Object.entries(input.sources)) {
    const registry = s.schema_registry;
    sources[name] = {
      type: 'kafka',
      connection: connection(s.connection),
      topic: s.topic,
      consumer_group: s.consumer_group,
      format: s.format,
      schema_registry:
        registry === undefined
          ? null
          : typeof registry === 'string'
            ? { url: registry, username: null, password: null }
            : { url: registry.url, username: registry.username ?? null, password: secret(registry.password) },
      start_offset: startOffset(s.start_offset),
      max_records: s.max_records ?? o.max_records,
      checkpoint_interval_ms: ms(s.checkpoint_interval ?? o.checkpoint_interval),
      event_time: {
        column: s.event_time?.column ?? 'event_timestamp',
        expression: s.event_time?.expression?.trim() ?? null,
        watermark_delay_ms: ms(s.event_time?.watermark_delay ?? '10s'),
      },
      dead_letter_topic: s.dead_letter_topic ?? `${s.topic}.dlq`,
    };
  }
  const transformations: SqlTransformation[] = resolved.order.map((index) => {
    const t = input.transformations[index] as PipelineInput['transformations'][number];
    return { name: t.name, type: 'sql_transform', input: t.input, sql: t.sql.trim(), output_columns: resolved.columns.get(t.name) ?? null };
  });
  const sinks: Record<string, IcebergSink> = {};
  for (const [name, s] of Object.entries(input.sinks)) {
    const parts = s.table.split('.');
    sinks[name] = {
      type: 'iceberg',
      input: resolved.sinkInputs.get(name) as string,
      table: { catalog: parts[0] as string, namespace: parts.slice(1, -1), name: parts[parts.length - 1] as string },
      mode: s.mode,
      partition_by: resolved.partitions.get(name) ?? [],
    };
  }
  const checkpoint = Math.min(ms(o.checkpoint_interval), ...Object.values(sources).map((s) => s.checkpoint_interval_ms));
  return {
    metadata: {
      name: input.metadata.name,
      version: input.metadata.version,
      owner: input.metadata.owner,
      description: input.metadata.description ?? null,
      labels: input.metadata.labels ?? {},
    },
    sources,
    transformations,
    sinks,
    orchestration: {
      engine: o.engine,
      delivery: o.delivery,
      checkpoint_interval_ms: checkpoint,
      parallelism: o.parallelism,
      max_records: o.max_records,
      idle_timeout_ms: ms(o.idle_timeout),
      poll_timeout_ms: ms(o.poll_timeout),
      error_budget: o.error_budget,
    },
  };
}
