import { loadDefinition } from '@matih/pipeline-spec';
import type { IcebergCatalogConfig } from './catalogs';
import { compilePlan } from './compile';

const lake: IcebergCatalogConfig = {
  type: 'rest',
  uri: 'http://127.0.0.1:19181',
  warehouse: 's3://warehouse/rest',
  token: null,
  s3: { endpoint: 'http://127.0.0.1:19900', region: 'us-east-1', pathStyle: true, accessKeyId: { env: 'LAKE_S3_KEY' }, secretAccessKey: { env: 'LAKE_S3_SECRET' } },
  properties: {},
};

function definition(engine: string) {
  const loaded = loadDefinition(
    `
metadata: { name: p, version: "1.0.0", owner: o }
sources:
  src: { type: kafka, connection: "127.0.0.1:19092", topic: t, consumer_group: g, format: json }
transformations:
  - { name: t1, type: sql_transform, input: src, sql: "SELECT JSON_VALUE(value, '$.a') AS a, event_timestamp FROM {{ input }}" }
sinks:
  out: { type: iceberg, table: lake.ns.tbl }
orchestration: { engine: ${engine} }
`,
    { file: 't.yaml', env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.definition;
}

describe('a sink in a REST catalog with its files on S3', () => {
  it('puts the REST catalog into the micro-batch plan and lists the S3 key variables as its secrets', () => {
    const result = compilePlan(definition('airflow'), { target: 'microbatch', deploymentId: 'd', catalogs: { lake } });
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    expect(result.plan.sinks[0]!.catalog).toEqual({ name: 'lake', ...lake });
    expect(result.plan.secrets).toEqual(expect.arrayContaining(['LAKE_S3_KEY', 'LAKE_S3_SECRET']));
  });

  it('registers it in Flink as a REST catalog with S3FileIO, the keys as secret placeholders', () => {
    const result = compilePlan(definition('flink'), { target: 'flink', deploymentId: 'd', catalogs: { lake } });
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    const ddl = result.plan.engine === 'flink' ? result.plan.setup.find((s) => s.startsWith('CREATE CATALOG'))! : '';
    expect(ddl).toContain(`'catalog-type' = 'rest'`);
    expect(ddl).toContain(`'uri' = 'http://127.0.0.1:19181'`);
    expect(ddl).toContain(`'io-impl' = 'org.apache.iceberg.aws.s3.S3FileIO'`);
    expect(ddl).toContain(`'s3.path-style-access' = 'true'`);
    expect(ddl).not.toContain('jdbc');
    expect(result.plan.secrets).toEqual(expect.arrayContaining(['LAKE_S3_KEY', 'LAKE_S3_SECRET']));
  });
});
