import { contentHash, loadDefinition, type PipelineDefinition } from '@matih/pipeline-spec';
import { compilePlan, type CompileTarget } from './compile';
import { compileRequest } from './request';
import { icebergTableSpec } from './iceberg-types';
import { resolveSecretPlaceholders } from './secrets';
import { formatPlanDiagnostic } from './diagnostics';
import { goldenCatalogs, goldenDefinitions } from './testing/golden';

function one<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('missing');
  return value;
}

function definition(yaml: string): PipelineDefinition {
  const loaded = loadDefinition(yaml, { file: 't.yaml', env: { PW: 'x', SR_PW: 'y' } });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.definition;
}

const pipeline = (parts: { source?: string; sql?: string; sink?: string; orchestration?: string }) =>
  definition(`
metadata: { name: p, version: "1.0.0", owner: o }
sources:
  src: { type: kafka, connection: "127.0.0.1:19092", topic: t, consumer_group: g, format: json${parts.source ?? ''} }
transformations:
  - { name: t1, type: sql_transform, input: src, sql: ${JSON.stringify(parts.sql ?? "SELECT JSON_VALUE(value, '$.a') AS a, event_timestamp FROM {{ input }}")} }
sinks:
  out: { type: iceberg, table: ${parts.sink ?? 'analytics.ns.tbl'} }
orchestration: ${parts.orchestration ?? '{ engine: flink }'}
`);

function errors(def: PipelineDefinition, target: CompileTarget = 'flink'): string[] {
  const result = compilePlan(def, { target, deploymentId: 'd', catalogs: goldenCatalogs() });
  if (result.ok) throw new Error('expected compile errors');
  return result.diagnostics.map(formatPlanDiagnostic);
}

describe('compile errors name the column, construct or setting and what to change', () => {
  it('a column whose type cannot be inferred', () => {
    expect(errors(pipeline({ sql: 'SELECT my_udf(value) AS x FROM {{ input }}' }))).toEqual([
      'transformations[0].sql: cannot infer the type of column `x` written to sink `out`: line 1, col 8: the result type of MY_UDF() is not known to the compiler (CAST it to the type the table should have: CAST(… AS STRING) AS x)',
    ]);
  });

  it('a column Iceberg cannot hold, and a NULL literal', () => {
    expect(errors(pipeline({ sql: 'SELECT headers, NULL AS n FROM {{ input }}' }))).toEqual([
      'transformations[0].sql: column `headers` of `t1` is MAP<STRING, BYTES>, which an Iceberg column cannot hold (sink `out`) (select only columns of primitive types, or CAST it)',
      'transformations[0].sql: column `n` of `t1` is NULL, which an Iceberg column cannot hold (sink `out`) (CAST(NULL AS STRING) AS n)',
    ]);
  });

  it('an unconfigured catalog, with the configured ones', () => {
    expect(errors(pipeline({ sink: 'lake.ns.tbl' }))).toEqual(['sinks.out.table: the Iceberg catalog `lake` is not configured for the compiler (configured catalogs: analytics, matih)']);
  });

  it('a multi-level namespace on Flink (the micro-batch target accepts it)', () => {
    const def = pipeline({ sink: 'analytics.a.b.tbl' });
    expect(errors(def)[0]).toMatch(/one namespace level/);
    expect(compilePlan(def, { target: 'microbatch', deploymentId: 'd', catalogs: goldenCatalogs() }).ok).toBe(true);
    expect(compilePlan(def, { target: 'microbatch', deploymentId: 'd', catalogs: {} })).toMatchObject({ ok: false, diagnostics: [{ path: 'sinks.out.table' }] });
  });

  it('avro on the Flink target without the registered schema, and protobuf on the Flink target', () => {
    const def = pipeline({ source: ', schema_registry: "http://127.0.0.1:18085"' });
    const avro = { ...def, sources: { src: { ...one(def.sources.src), format: 'avro' as const } } };
    expect(errors(avro)).toEqual([
      'sources.src.format: the Flink target types an avro source\'s columns from the value schema registered under t-value, which was not looked up (compile through `matih compile` or the compiler service, which look it up in the schema registry)',
    ]);
    const proto = { ...def, sources: { src: { ...one(def.sources.src), format: 'protobuf' as const } } };
    expect(errors(proto)[0]).toMatch(/^sources\.src\.format: the Flink target cannot read protobuf records: Flink's protobuf format needs Java classes generated .* \(use orchestration\.engine: airflow/);
    // the micro-batch engine reads both
    expect(compilePlan(proto, { target: 'microbatch', deploymentId: 'd', catalogs: goldenCatalogs() }).ok).toBe(true);
  });

  it('avro fields the Flink target cannot map to a column, each named', () => {
    const def = pipeline({ source: ', schema_registry: "http://127.0.0.1:18085"' });
    const avro = { ...def, sources: { src: { ...one(def.sources.src), format: 'avro' as const } } };
    const fields = [
      { name: 'a', type: 'string' },
      { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED'] } },
      { name: 'raw', type: 'bytes' },
      { name: 'day', type: { type: 'int', logicalType: 'date' } },
      { name: 'either', type: ['int', 'string'] },
      { name: 'offset', type: 'long' },
    ];
    const schema = { subject: 't-value', id: 9, version: 4, schemaType: 'AVRO' as const, schema: JSON.stringify({ type: 'record', name: 'R', fields }) };
    const result = compilePlan(avro, { target: 'flink', deploymentId: 'd', catalogs: goldenCatalogs(), sourceSchemas: { src: schema } });
    if (result.ok) throw new Error('expected compile errors');
    expect(result.diagnostics.map(formatPlanDiagnostic)).toEqual([
      expect.stringMatching(/^sources\.src\.format: field `color` of the schema registry's subject t-value \(version 4, id 9\) is enum, which the Flink target does not map/),
      expect.stringMatching(/field `raw` .* is bytes,/),
      expect.stringMatching(/field `day` .* is int \(logicalType date\),/),
      expect.stringMatching(/field `either` .* is union \[int, string\],/),
      expect.stringMatching(/field `offset` .* has the name of a Kafka source column/),
    ]);
    const proto = { ...schema, schemaType: 'PROTOBUF' as const };
    expect(compilePlan(avro, { target: 'flink', deploymentId: 'd', catalogs: goldenCatalogs(), sourceSchemas: { src: proto } })).toMatchObject({
      ok: false,
      diagnostics: [{ path: 'sources.src.format', message: "the schema registry's subject t-value (version 4, id 9) holds a PROTOBUF schema, not an Avro one" }],
    });
  });

  it('a partition transform that does not fit the column type', () => {
    const def = pipeline({});
    const bad = { ...def, sinks: { out: { ...one(def.sinks.out), partition_by: [{ transform: 'day' as const, source_column: 'a', width: null, name: 'a_day' }] } } };
    expect(errors(bad)).toEqual(['sinks.out.partition_by: the day transform cannot partition `a`, a string column']);
  });

  it('the micro-batch target names the construct it cannot run batch by batch', () => {
    expect(errors(pipeline({ sql: 'SELECT key AS event_timestamp, COUNT(*) AS n FROM {{ input }} GROUP BY key' }), 'microbatch')[0]).toMatch(
      /^transformations\[0\]\.sql: line 1, col 63: GROUP BY cannot be computed batch by batch by the micro-batch engine/,
    );
  });
});

describe('plans', () => {
  it('SASL secrets are placeholders listed in plan.secrets, resolved only where the job runs', () => {
    const def = pipeline({});
    const secure = { ...def, sources: { src: { ...one(def.sources.src), connection: { ...one(def.sources.src).connection, security_protocol: 'SASL_SSL' as const, sasl: { mechanism: 'PLAIN' as const, username: 'u', password: { env: 'KAFKA_PW' } } } } } };
    const result = compilePlan(secure, { target: 'flink', deploymentId: 'd', catalogs: goldenCatalogs() });
    if (!result.ok || result.plan.engine !== 'flink') throw new Error('compile');
    const text = JSON.stringify(result.plan);
    expect(text).toContain('password=\\"${env:KAFKA_PW}\\"');
    expect(result.plan.secrets).toEqual(['KAFKA_PW', 'MATIH_ICEBERG_JDBC_PASSWORD']);
    const resolved = resolveSecretPlaceholders(result.plan.setup.join('\n'), { KAFKA_PW: "it's", MATIH_ICEBERG_JDBC_PASSWORD: 'pg' });
    expect(resolved).toContain(`password="it''s";`);
    expect(() => resolveSecretPlaceholders('${env:A}', {})).toThrow('the plan needs the environment variable A');
  });

  it('SASL_SSL with a CA file: the micro-batch plan carries the TLS settings, Flink gets a PEM trust store', () => {
    const def = pipeline({});
    const connection = {
      ...one(def.sources.src).connection,
      security_protocol: 'SASL_SSL' as const,
      sasl: { mechanism: 'SCRAM-SHA-512' as const, username: 'u', password: { env: 'KAFKA_PW' } },
      ssl: { ca_location: '/etc/kafka/ca.crt', certificate_location: null, key_location: null, key_password: null, verify_hostname: false },
    };
    const secure = { ...def, sources: { src: { ...one(def.sources.src), connection } } };
    const microbatch = compilePlan(secure, { target: 'microbatch', deploymentId: 'd', catalogs: goldenCatalogs() });
    if (!microbatch.ok || microbatch.plan.engine !== 'microbatch') throw new Error('compile');
    expect(microbatch.plan.sources[0]?.connection).toEqual({
      bootstrapServers: connection.bootstrap_servers,
      securityProtocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: { env: 'KAFKA_PW' } },
      ssl: { caLocation: '/etc/kafka/ca.crt', certificateLocation: null, keyLocation: null, keyPassword: null, verifyHostname: false },
    });
    const flink = compilePlan(secure, { target: 'flink', deploymentId: 'd', catalogs: goldenCatalogs() });
    if (!flink.ok || flink.plan.engine !== 'flink') throw new Error('compile');
    const ddl = flink.plan.setup.join('\n');
    expect(ddl).toContain("'properties.security.protocol' = 'SASL_SSL'");
    expect(ddl).toContain("'properties.ssl.truststore.type' = 'PEM'");
    expect(ddl).toContain("'properties.ssl.truststore.location' = '/etc/kafka/ca.crt'");
    expect(ddl).toContain("'properties.ssl.endpoint.identification.algorithm' = ''");
  });

  it('avro on Flink: typed columns, the value JSON over them, the registry with basic auth; the password a placeholder', () => {
    const def = pipeline({ source: ', schema_registry: { url: "http://127.0.0.1:18085", username: sr, password: "${SR_PW}" }' });
    const avro = { ...def, sources: { src: { ...one(def.sources.src), format: 'avro' as const } } };
    const schema = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }, { name: 'n', type: ['null', 'long'] }, { name: 'u', type: { type: 'string', logicalType: 'uuid' } }] });
    const result = compilePlan(avro, { target: 'flink', deploymentId: 'd', catalogs: goldenCatalogs(), sourceSchemas: { src: { subject: 't-value', id: 1, version: 1, schemaType: 'AVRO', schema } } });
    if (!result.ok || result.plan.engine !== 'flink') throw new Error(JSON.stringify(result));
    const ddl = one(result.plan.setup.find((s) => s.startsWith('CREATE TEMPORARY TABLE')));
    expect(ddl).toContain('`a` STRING,\n  `n` BIGINT,\n  `u` STRING,\n  `event_timestamp`');
    expect(ddl).not.toContain('`value` STRING');
    expect(ddl).toContain("`value` AS JSON_OBJECT(KEY 'a' VALUE `a`, KEY 'n' VALUE `n`, KEY 'u' VALUE `u` NULL ON NULL)");
    expect(ddl).toContain("'value.format' = 'avro-confluent'");
    expect(ddl).toContain("'value.avro-confluent.url' = 'http://127.0.0.1:18085'");
    expect(ddl).toContain("'value.avro-confluent.basic-auth.user-info' = 'sr:${env:SR_PW}'");
    expect(result.plan.secrets).toEqual(['MATIH_ICEBERG_JDBC_PASSWORD', 'SR_PW']);
  });

  it('the seed: day(event time) partition spec for libs/iceberg, and no CREATE TABLE Flink could not express', () => {
    const seed = one(goldenDefinitions().find((g) => g.name === 'seed')).definition;
    const result = compilePlan(seed, { target: 'flink', deploymentId: 'd', catalogs: goldenCatalogs() });
    if (!result.ok || result.plan.engine !== 'flink') throw new Error('compile');
    expect(result.plan.setup.some((s) => s.startsWith('CREATE TABLE'))).toBe(false);
    expect(icebergTableSpec(one(result.plan.sinks[0]))).toEqual({
      fields: [
        { id: 1, name: 'user_id', required: false, type: 'string' },
        { id: 2, name: 'event_type', required: false, type: 'string' },
        { id: 3, name: 'page_url', required: false, type: 'string' },
        { id: 4, name: 'event_timestamp', required: false, type: 'timestamptz' },
      ],
      partitionBy: [{ sourceId: 4, transform: 'day', name: 'date' }],
    });
  });

  it('compileRequest checks the hash before compiling', () => {
    const seed = one(goldenDefinitions().find((g) => g.name === 'seed')).definition as unknown as Record<string, unknown>;
    const options = { target: 'microbatch' as const, deploymentId: 'd', catalogs: goldenCatalogs() };
    expect(compileRequest({ definition: seed, hash: contentHash(seed) }, options).ok).toBe(true);
    const bad = compileRequest({ definition: seed, hash: '0'.repeat(64) }, options);
    expect(bad.ok).toBe(false);
    const junk = { metadata: 1 };
    expect(compileRequest({ definition: junk, hash: contentHash(junk) }, options)).toMatchObject({ ok: false, diagnostics: [{ message: 'not a normalized pipeline definition: missing metadata, sources, transformations, sinks, orchestration' }] });
  });
});
