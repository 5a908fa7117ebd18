import type { ExecutionPlan, FlinkPlan, MicrobatchPlan, SinkCatalog, SinkPlan } from '@matih/contracts';
import type { IcebergSink, KafkaConnection, KafkaSource, PartitionField, PipelineDefinition } from '@matih/pipeline-spec';
import {
  expressionToFlink,
  flinkString,
  formatFlinkType,
  quoteDuckDbIdentifier,
  quoteFlinkIdentifier,
  scalarToDuckDb,
  transformToDuckDb,
  transformToFlink,
  type SqlType,
} from '@matih/sql';
import { avroValueColumns, avroValueJson, type SourceSchemas } from './avro-columns';
import type { CatalogMap } from './catalogs';
import { PlanError, type PlanDiagnostic } from './diagnostics';
import { flinkTypeOfIceberg, icebergTypeOf } from './iceberg-types';
import { analyze, isUnknown, type Analysis, type AnalyzedSource, type Relation } from './relations';
import { secretNames, secretPlaceholder } from './secrets';

export type CompileTarget = 'flink' | 'microbatch';

export interface CompileOptions {
  target: CompileTarget;
  /** the deployment the plan is for: the Flink job's name carries it */
  deploymentId: string;
  /** the Iceberg catalogs sinks may name (`catalog` in `catalog.namespace.table`) */
  catalogs: CatalogMap;
  /**
   * The registered value schema of each Avro source, by source name: the Flink target types the
   * source table's columns from it. Looked up before compiling (`resolveSourceSchemas`), so that
   * compiling stays a pure function.
   */
  sourceSchemas?: SourceSchemas;
}

export type CompileResult = { ok: true; plan: ExecutionPlan } | { ok: false; diagnostics: PlanDiagnostic[] };

/** The engine the definition asks for: `airflow` (the reference page's micro-batch mode) is the micro-batch target. */
export function targetOf(definition: PipelineDefinition): CompileTarget {
  return definition.orchestration.engine === 'flink' ? 'flink' : 'microbatch';
}

/**
 * Compiles a normalized definition into an execution plan for one engine. Never throws for a bad
 * definition: every problem comes back as a diagnostic with its path.
 */
export function compilePlan(definition: PipelineDefinition, options: CompileOptions): CompileResult {
  try {
    const analysis = analyze(definition);
    const sinks = sinkPlans(definition, analysis, options.catalogs);
    const plan = options.target === 'flink' ? flinkPlan(definition, analysis, sinks, options) : microbatchPlan(definition, analysis, sinks);
    return { ok: true, plan };
  } catch (error) {
    if (error instanceof PlanError) return { ok: false, diagnostics: error.diagnostics };
    throw error;
  }
}

// ── sinks: the Iceberg schema both engines write ─────────────────────────────────────────────

const TRANSFORM_SOURCE_TYPES: Record<PartitionField['transform'], (t: string) => boolean> = {
  identity: (t) => !['float', 'double'].includes(t),
  year: (t) => ['date', 'timestamp', 'timestamptz'].includes(t),
  month: (t) => ['date', 'timestamp', 'timestamptz'].includes(t),
  day: (t) => ['date', 'timestamp', 'timestamptz'].includes(t),
  hour: (t) => ['timestamp', 'timestamptz'].includes(t),
  bucket: (t) => ['int', 'long', 'string', 'binary', 'date', 'time', 'timestamp', 'timestamptz', 'uuid'].includes(t) || t.startsWith('decimal'),
  truncate: (t) => ['int', 'long', 'string', 'binary'].includes(t) || t.startsWith('decimal'),
};

type NamedSink = SinkPlan & { input: string };

function sinkPlans(definition: PipelineDefinition, analysis: Analysis, catalogs: CatalogMap): NamedSink[] {
  const diagnostics: PlanDiagnostic[] = [];
  const plans: NamedSink[] = [];
  for (const [name, sink] of Object.entries(definition.sinks).sort(([a], [b]) => a.localeCompare(b))) {
    const path = `sinks.${name}`;
    const catalog = catalogs[sink.table.catalog];
    if (!catalog) {
      const known = Object.keys(catalogs).sort();
      diagnostics.push({
        path: `${path}.table`,
        message: `the Iceberg catalog \`${sink.table.catalog}\` is not configured for the compiler`,
        hint: known.length ? `configured catalogs: ${known.join(', ')}` : 'configure MATIH_ICEBERG_CATALOGS',
      });
    }
    const relation = analysis.relations.get(sink.input);
    if (!relation) {
      diagnostics.push({ path: `${path}.input`, message: `\`${sink.input}\` is not a source or transformation` });
      continue;
    }
    const columns: SinkPlan['columns'] = [];
    for (const column of relation.columns) {
      const untyped = relation.untyped.get(column.name);
      if (isUnknown(column.type) && untyped) {
        diagnostics.push({
          path: untyped.path,
          message: `cannot infer the type of column \`${column.name}\` written to sink \`${name}\`: ${untyped.reason}`,
          hint: `CAST it to the type the table should have: CAST(… AS STRING) AS ${column.name}`,
        });
        continue;
      }
      const iceberg = icebergTypeOf(column.type);
      if (iceberg === null) {
        diagnostics.push({
          path: relation.kind === 'source' ? `${path}.input` : `transformations[${definition.transformations.findIndex((t) => t.name === relation.name)}].sql`,
          message: `column \`${column.name}\` of \`${relation.name}\` is ${formatFlinkType(column.type)}, which an Iceberg column cannot hold (sink \`${name}\`)`,
          hint: column.type.kind === 'NULL' ? `CAST(NULL AS STRING) AS ${column.name}` : 'select only columns of primitive types, or CAST it',
        });
        continue;
      }
      columns.push({ name: column.name, type: iceberg, required: false });
    }
    for (const field of sink.partition_by) {
      const column = columns.find((c) => c.name === field.source_column);
      if (column && !TRANSFORM_SOURCE_TYPES[field.transform](column.type)) {
        diagnostics.push({ path: `${path}.partition_by`, message: `the ${field.transform} transform cannot partition \`${field.source_column}\`, a ${column.type} column` });
      } else if (!column && !relation.untyped.has(field.source_column)) {
        diagnostics.push({ path: `${path}.partition_by`, message: `partition column \`${field.source_column}\` is not written to the table` });
      }
    }
    if (!catalog) continue;
    plans.push({
      name,
      input: sink.input,
      table: { catalog: sink.table.catalog, namespace: [...sink.table.namespace], name: sink.table.name },
      catalog: { name: sink.table.catalog, ...structuredClone(catalog) },
      mode: sink.mode,
      columns,
      partitionBy: sink.partition_by.map((p) => ({ transform: p.transform, sourceColumn: p.source_column, width: p.width, name: p.name })),
    });
  }
  if (diagnostics.length > 0) throw new PlanError(diagnostics);
  return plans;
}

// ── Flink ────────────────────────────────────────────────────────────────────────────────────

const q = quoteFlinkIdentifier;
const s = flinkString;

function withOptions(options: Record<string, string>): string {
  return Object.entries(options)
    .map(([k, v]) => `  ${s(k)} = ${s(v)}`)
    .join(',\n');
}

function tableName(sink: IcebergSink | SinkPlan['table'] | { catalog: string; namespace: string[]; name: string }): string {
  const t = 'table' in sink ? sink.table : sink;
  return [t.catalog, ...t.namespace, t.name].map(q).join('.');
}

/** seconds with up to three decimals, as a Flink interval literal */
function interval(ms: number): string {
  return ms % 1000 === 0 ? `INTERVAL '${ms / 1000}' SECOND` : `INTERVAL '${(ms / 1000).toFixed(3)}' SECOND(3)`;
}

const LOGIN_MODULES: Record<string, string> = {
  PLAIN: 'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule',
};

/** Kafka client properties for the connection's security settings; secrets as `${env:…}` placeholders. */
function securityProperties(connection: KafkaConnection, path: string): Record<string, string> {
  const props: Record<string, string> = {};
  if (connection.security_protocol === 'PLAINTEXT') return props;
  props['properties.security.protocol'] = connection.security_protocol;
  if (connection.sasl) {
    if (/["\\]/.test(connection.sasl.username)) throw new PlanError([{ path: `${path}.sasl.username`, message: 'the SASL username may not contain " or \\' }]);
    props['properties.sasl.mechanism'] = connection.sasl.mechanism;
    props['properties.sasl.jaas.config'] = `${LOGIN_MODULES[connection.sasl.mechanism]} required username="${connection.sasl.username}" password="${secretPlaceholder(connection.sasl.password.env)}";`;
  }
  if (connection.ssl) {
    const ssl = connection.ssl;
    if (ssl.ca_location) {
      props['properties.ssl.truststore.type'] = 'PEM';
      props['properties.ssl.truststore.location'] = ssl.ca_location;
    }
    if (ssl.certificate_location && ssl.key_location && ssl.certificate_location !== ssl.key_location) {
      throw new PlanError([
        {
          path: `${path}.ssl`,
          message: "Kafka's Java client reads a PEM key store from one file",
          hint: 'put the private key and its certificate chain in the key_location file and set certificate_location to the same file (or leave it out)',
        },
      ]);
    }
    const keystore = ssl.key_location ?? ssl.certificate_location;
    if (keystore) {
      props['properties.ssl.keystore.type'] = 'PEM';
      props['properties.ssl.keystore.location'] = keystore;
    }
    if (ssl.key_password) props['properties.ssl.key.password'] = secretPlaceholder(ssl.key_password.env);
    if (!ssl.verify_hostname) props['properties.ssl.endpoint.identification.algorithm'] = '';
  }
  return props;
}

function startupOptions(source: KafkaSource): Record<string, string> {
  switch (source.start_offset.mode) {
    case 'earliest':
      return { 'scan.startup.mode': 'earliest-offset' };
    case 'latest':
      return { 'scan.startup.mode': 'latest-offset' };
    case 'group_offsets':
      // partitions without a committed offset start at the beginning: no data is skipped on a first deployment
      return { 'scan.startup.mode': 'group-offsets', 'properties.auto.offset.reset': 'earliest' };
    case 'timestamp':
      return { 'scan.startup.mode': 'timestamp', 'scan.startup.timestamp-millis': String(source.start_offset.epoch_millis) };
  }
}

/** The Kafka source table: the raw key and value, Kafka metadata, the event time and its watermark. */
export function kafkaSourceDdl(analyzed: AnalyzedSource, sourceSchemas: SourceSchemas = {}): string {
  const { name, source, computed } = analyzed;
  const path = `sources.${name}`;
  if (source.format === 'protobuf') {
    throw new PlanError([
      {
        path: `${path}.format`,
        message: "the Flink target cannot read protobuf records: Flink's protobuf format needs Java classes generated from the .proto and does not read the schema registry's wire format",
        hint: 'use orchestration.engine: airflow (the micro-batch engine decodes protobuf through the schema registry), or produce avro',
      },
    ]);
  }
  const avro = source.format === 'avro' ? avroSource(analyzed, sourceSchemas) : null;
  const eventTime = q(source.event_time.column);
  const delay = source.event_time.watermark_delay_ms;
  const lines = [
    `${q('key')} STRING`,
    ...(avro ? avro.columns.map((c) => `${q(c.name)} ${c.flinkType}`) : [`${q('value')} STRING`]),
    `${q('event_timestamp')} TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL`,
    `${q('topic')} STRING METADATA FROM 'topic' VIRTUAL`,
    `${q('partition')} INT METADATA FROM 'partition' VIRTUAL`,
    `${q('offset')} BIGINT METADATA FROM 'offset' VIRTUAL`,
    `${q('headers')} MAP<STRING, BYTES> METADATA FROM 'headers' VIRTUAL`,
  ];
  if (avro) lines.push(`${q('value')} AS ${avro.valueJson}`);
  if (computed) {
    const expression = expressionToFlink(computed.sql, computed.expression);
    // a computed column cannot read another computed column: the JSON `value` is written out in it
    lines.push(`${q(computed.column)} AS ${avro ? expression.split(q('value')).join(avro.valueJson) : expression}`);
  }
  lines.push(`WATERMARK FOR ${eventTime} AS ${delay === 0 ? eventTime : `${eventTime} - ${interval(delay)}`}`);
  const options: Record<string, string> = {
    connector: 'kafka',
    topic: source.topic,
    'properties.bootstrap.servers': source.connection.bootstrap_servers.join(','),
    'properties.group.id': source.consumer_group,
    ...startupOptions(source),
    ...securityProperties(source.connection, `${path}.connection`),
    'key.format': 'raw',
    'key.fields': 'key',
    // json: the record value as text: JSON_VALUE(`value`, …) reads it, malformed JSON gives NULLs rather than a failed job
    ...(avro ? avro.options : { 'value.format': 'raw' }),
    'value.fields-include': 'EXCEPT_KEY',
  };
  return `CREATE TEMPORARY TABLE ${q(name)} (\n  ${lines.join(',\n  ')}\n) WITH (\n${withOptions(options)}\n)`;
}

/** An Avro source on Flink: typed columns from the registered schema, the `value` JSON over them, the registry options. */
function avroSource(analyzed: AnalyzedSource, sourceSchemas: SourceSchemas): { columns: ReturnType<typeof avroValueColumns>; valueJson: string; options: Record<string, string> } {
  const path = `sources.${analyzed.name}`;
  const registry = analyzed.source.schema_registry;
  if (!registry) throw new PlanError([{ path: `${path}.schema_registry`, message: 'an avro source needs a schema_registry' }]);
  const registered = sourceSchemas[analyzed.name];
  if (!registered) {
    throw new PlanError([
      {
        path: `${path}.format`,
        message: `the Flink target types an avro source's columns from the value schema registered under ${analyzed.source.topic}-value, which was not looked up`,
        hint: 'compile through `matih compile` or the compiler service, which look it up in the schema registry',
      },
    ]);
  }
  const columns = avroValueColumns(registered, `${path}.format`);
  const options: Record<string, string> = { 'value.format': 'avro-confluent', 'value.avro-confluent.url': registry.url };
  if (registry.username !== null) {
    if (registry.username.includes(':')) throw new PlanError([{ path: `${path}.schema_registry.username`, message: 'the schema registry username may not contain ":" (basic auth user-info is user:password)' }]);
    options['value.avro-confluent.basic-auth.credentials-source'] = 'USER_INFO';
    options['value.avro-confluent.basic-auth.user-info'] = `${registry.username}:${registry.password ? secretPlaceholder(registry.password.env) : ''}`;
  }
  return { columns, valueJson: avroValueJson(columns), options };
}

/** The environment variables a sink catalog's secrets are read from. */
function catalogSecretEnvs(catalog: SinkCatalog): (string | undefined)[] {
  return catalog.type === 'rest' ? [catalog.token?.env, catalog.s3.accessKeyId?.env, catalog.s3.secretAccessKey?.env] : [catalog.password?.env];
}

function catalogDdl(catalog: SinkCatalog): string {
  if (catalog.type === 'rest') {
    const rest: Record<string, string> = {
      type: 'iceberg',
      'catalog-type': 'rest',
      uri: catalog.uri,
      warehouse: catalog.warehouse,
      ...(catalog.token ? { token: secretPlaceholder(catalog.token.env) } : {}),
      'io-impl': 'org.apache.iceberg.aws.s3.S3FileIO',
      ...(catalog.s3.endpoint ? { 's3.endpoint': catalog.s3.endpoint } : {}),
      's3.path-style-access': String(catalog.s3.pathStyle),
      'client.region': catalog.s3.region,
      ...(catalog.s3.accessKeyId ? { 's3.access-key-id': secretPlaceholder(catalog.s3.accessKeyId.env) } : {}),
      ...(catalog.s3.secretAccessKey ? { 's3.secret-access-key': secretPlaceholder(catalog.s3.secretAccessKey.env) } : {}),
      ...catalog.properties,
    };
    return `CREATE CATALOG IF NOT EXISTS ${q(catalog.name)} WITH (\n${withOptions(rest)}\n)`;
  }
  const options: Record<string, string> = {
    type: 'iceberg',
    'catalog-impl': 'org.apache.iceberg.jdbc.JdbcCatalog',
    uri: catalog.uri,
    'jdbc.user': catalog.user,
    ...(catalog.password ? { 'jdbc.password': secretPlaceholder(catalog.password.env) } : {}),
    'jdbc.schema-version': 'V1',
    warehouse: catalog.warehouse,
    ...catalog.properties,
  };
  return `CREATE CATALOG IF NOT EXISTS ${q(catalog.name)} WITH (\n${withOptions(options)}\n)`;
}

/** `CREATE TABLE IF NOT EXISTS` in the Iceberg catalog, when Flink DDL can express the partition spec (identity only). */
function sinkTableDdl(sink: SinkPlan): string | null {
  if (sink.partitionBy.some((p) => p.transform !== 'identity' || p.name !== p.sourceColumn)) return null;
  const columns = sink.columns.map((c) => `${q(c.name)} ${flinkTypeOfIceberg(c.type)}`);
  const partitioned = sink.partitionBy.length ? `\nPARTITIONED BY (${sink.partitionBy.map((p) => q(p.sourceColumn)).join(', ')})` : '';
  return `CREATE TABLE IF NOT EXISTS ${tableName(sink.table)} (\n  ${columns.join(',\n  ')}\n)${partitioned}\nWITH (\n${withOptions({ 'format-version': '2' })}\n)`;
}

export function flinkJobName(definition: PipelineDefinition, deploymentId: string): string {
  return `matih/${definition.metadata.name}/${deploymentId}`;
}

function flinkPlan(definition: PipelineDefinition, analysis: Analysis, sinks: NamedSink[], options: CompileOptions): FlinkPlan {
  const diagnostics: PlanDiagnostic[] = [];
  const collect = <T>(run: () => T): T | undefined => {
    try {
      return run();
    } catch (error) {
      if (error instanceof PlanError) diagnostics.push(...error.diagnostics);
      else throw error;
      return undefined;
    }
  };
  const setup: string[] = [];
  const catalogNames = [...new Set(sinks.map((sink) => sink.table.catalog))].sort();
  for (const name of catalogNames) setup.push(catalogDdl((sinks.find((x) => x.table.catalog === name) as NamedSink).catalog));
  const databases = new Set<string>();
  for (const sink of sinks) {
    if (sink.table.namespace.length !== 1) {
      diagnostics.push({
        path: `sinks.${sink.name}.table`,
        message: `Flink's Iceberg catalog has one namespace level (a database); \`${[sink.table.catalog, ...sink.table.namespace, sink.table.name].join('.')}\` has ${sink.table.namespace.length}`,
        hint: 'write catalog.namespace.table, or use the micro-batch engine',
      });
      continue;
    }
    const database = [sink.table.catalog, sink.table.namespace[0] as string].map(q).join('.');
    if (!databases.has(database)) setup.push(`CREATE DATABASE IF NOT EXISTS ${database}`);
    databases.add(database);
    const ddl = sinkTableDdl(sink);
    if (ddl) setup.push(ddl);
  }
  for (const source of analysis.sources) {
    const ddl = collect(() => kafkaSourceDdl(source, options.sourceSchemas));
    if (ddl) setup.push(ddl);
  }
  if (diagnostics.length > 0) throw new PlanError(diagnostics);

  // Transformations are the INSERT's WITH queries, not temporary views: Flink 2.0's SQL Gateway fails
  // to plan a view over a table with a computed column ("Trying to access closed classloader").
  const byName = new Map(analysis.transformations.map((t) => [t.transformation.name, t]));
  const inserts = sinks.map((sink) => {
    const chain: typeof analysis.transformations = [];
    for (let name = sink.input; byName.has(name); ) {
      const t = byName.get(name) as (typeof analysis.transformations)[number];
      chain.unshift(t);
      name = t.input.name;
    }
    const ctes = chain.map(({ transformation, statement, input }) => `${q(transformation.name)} AS (\n${transformToFlink(transformation.sql, statement, q(input.name))}\n)`);
    const columns = sink.columns.map((c) => q(c.name)).join(', ');
    const withClause = ctes.length ? `WITH ${ctes.join(', ')}\n` : '';
    return `INSERT INTO ${tableName(sink.table)} (${columns})\n${withClause}SELECT ${columns}\nFROM ${q(sink.input)}`;
  });
  const job = inserts.length === 1 ? (inserts[0] as string) : `EXECUTE STATEMENT SET\nBEGIN\n${inserts.map((i) => `${i};`).join('\n')}\nEND`;
  const jobName = flinkJobName(definition, options.deploymentId);
  const { orchestration } = definition;
  const sessionProperties: Record<string, string> = {
    'execution.runtime-mode': 'streaming',
    'execution.checkpointing.interval': `${orchestration.checkpoint_interval_ms}ms`,
    'execution.checkpointing.mode': orchestration.delivery === 'exactly_once' ? 'EXACTLY_ONCE' : 'AT_LEAST_ONCE',
    'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
    'parallelism.default': String(orchestration.parallelism),
    'pipeline.name': jobName,
    // the zone TIMESTAMP_LTZ values are shown and cast in; the micro-batch engine computes in UTC too
    'table.local-time-zone': 'UTC',
  };
  const secrets = [...new Set([...setup, job].flatMap(secretNames))].sort();
  return { engine: 'flink', jobName, sessionProperties, setup, job, sinks: sinks.map(({ input: _input, ...sink }) => sink), secrets };
}

// ── micro-batch ──────────────────────────────────────────────────────────────────────────────

/** The stage that adds a source's computed event-time column, when it has one. */
export const eventTimeStageName = (source: string): string => `${source}__with_event_time`;
/** The stage that drops an avro source's tombstones. */
export const avroRecordsStageName = (source: string): string => `${source}__records`;

function microbatchPlan(definition: PipelineDefinition, analysis: Analysis, sinks: NamedSink[]): MicrobatchPlan {
  const diagnostics: PlanDiagnostic[] = [];
  if (analysis.sources.length !== 1) {
    throw new PlanError([{ path: 'sources', message: `a micro-batch pipeline reads one source; this one has ${analysis.sources.length}`, hint: 'split it into one pipeline per source, or use orchestration.engine: flink' }]);
  }
  const analyzed = analysis.sources[0] as AnalyzedSource;
  const stages: MicrobatchPlan['stages'] = [];
  /** the relation each definition name is read through */
  const readAs = new Map<string, string>([[analyzed.name, analyzed.name]]);
  if (analyzed.source.format === 'avro') {
    // Flink's avro-confluent format emits no row for a tombstone (a record without a value): neither does this plan
    const name = avroRecordsStageName(analyzed.name);
    stages.push({ name, input: analyzed.name, sql: `SELECT *\nFROM ${quoteDuckDbIdentifier(analyzed.name)}\nWHERE "value" IS NOT NULL` });
    readAs.set(analyzed.name, name);
  }
  if (analyzed.computed) {
    const source = analysis.relations.get(analyzed.name) as Relation;
    const translated = scalarToDuckDb(analyzed.computed.expression, source.columns.filter((c) => c.name !== analyzed.computed?.column));
    if (!translated.ok) {
      diagnostics.push(...translated.diagnostics.map((d) => ({ path: `sources.${analyzed.name}.event_time.expression`, message: d.message, ...(d.hint ? { hint: d.hint } : {}) })));
    } else {
      const name = eventTimeStageName(analyzed.name);
      const input = readAs.get(analyzed.name) as string;
      stages.push({ name, input, sql: `SELECT *, ${castTo(translated.sql, analyzed.computed.type)} AS ${quoteDuckDbIdentifier(analyzed.computed.column)}\nFROM ${quoteDuckDbIdentifier(input)}` });
      readAs.set(analyzed.name, name);
    }
  }
  for (const { index, transformation, statement, input } of analysis.transformations) {
    const relation = readAs.get(input.name) ?? input.name;
    const translated = transformToDuckDb(statement, quoteDuckDbIdentifier(relation), input.columns);
    if (!translated.ok) {
      diagnostics.push(
        ...translated.diagnostics.map((d) => ({
          path: `transformations[${index}].sql`,
          message: `line ${d.position.line}, col ${d.position.col}: ${d.message}`,
          ...(d.hint ? { hint: d.hint } : {}),
        })),
      );
      continue;
    }
    stages.push({ name: transformation.name, input: relation, sql: translated.sql });
    readAs.set(transformation.name, transformation.name);
  }
  if (diagnostics.length > 0) throw new PlanError(diagnostics);
  const { source } = analyzed;
  const connection = source.connection;
  const { orchestration } = definition;
  const secrets = [
    connection.sasl?.password.env,
    connection.ssl?.key_password?.env,
    source.schema_registry?.password?.env,
    ...sinks.flatMap((sink) => catalogSecretEnvs(sink.catalog)),
  ].filter((x): x is string => typeof x === 'string');
  return {
    engine: 'microbatch',
    sources: [
      {
        name: analyzed.name,
        topic: source.topic,
        consumerGroup: source.consumer_group,
        format: source.format,
        connection: {
          bootstrapServers: [...connection.bootstrap_servers],
          securityProtocol: connection.security_protocol,
          sasl: connection.sasl ? { mechanism: connection.sasl.mechanism, username: connection.sasl.username, password: { env: connection.sasl.password.env } } : null,
          ssl: connection.ssl
            ? {
                caLocation: connection.ssl.ca_location,
                certificateLocation: connection.ssl.certificate_location,
                keyLocation: connection.ssl.key_location,
                keyPassword: connection.ssl.key_password ? { env: connection.ssl.key_password.env } : null,
                verifyHostname: connection.ssl.verify_hostname,
              }
            : null,
        },
        schemaRegistry: source.schema_registry
          ? { url: source.schema_registry.url, username: source.schema_registry.username, password: source.schema_registry.password ? { env: source.schema_registry.password.env } : null }
          : null,
        startOffset: source.start_offset.mode === 'timestamp' ? { mode: 'timestamp', epochMillis: source.start_offset.epoch_millis } : { mode: source.start_offset.mode },
        deadLetterTopic: source.dead_letter_topic,
      },
    ],
    stages,
    sinks: sinks.map((sink) => ({ ...sink, input: readAs.get(sink.input) ?? sink.input })),
    delivery: orchestration.delivery,
    maxRecords: source.max_records,
    pollTimeoutMs: orchestration.poll_timeout_ms,
    idleTimeoutMs: orchestration.idle_timeout_ms,
    errorBudget: orchestration.error_budget,
    secrets: [...new Set(secrets)].sort(),
  };
}

function castTo(sql: string, type: SqlType): string {
  return type.kind === 'TIMESTAMP_LTZ' ? `CAST(${sql} AS TIMESTAMPTZ)` : type.kind === 'TIMESTAMP' ? `CAST(${sql} AS TIMESTAMP)` : sql;
}
