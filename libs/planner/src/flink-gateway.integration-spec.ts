import { randomUUID } from 'node:crypto';
import { SqlGatewayClient, type GatewaySession } from '@matih/flink';
import { JdbcCatalog } from '@matih/iceberg';
import type { PipelineDefinition } from '@matih/pipeline-spec';
import { stackEndpoints } from '@matih/stack';
import type { FlinkPlan } from '@matih/contracts';
import { compilePlan } from './compile';
import { localStackCatalogs, LOCAL_CATALOG_PASSWORD_ENV } from './catalogs';
import { icebergTableSpec } from './iceberg-types';
import { resolveSecretPlaceholders } from './secrets';
import { GOLDEN_DEPLOYMENT_ID, goldenDefinitions } from './testing/golden';

const endpoints = stackEndpoints();
const env = { [LOCAL_CATALOG_PASSWORD_ENV]: endpoints.postgres.password, KAFKA_PASSWORD: endpoints.kafka.scram.password, SCHEMA_REGISTRY_PASSWORD: 'unused-by-explain' };

/** the golden definition with its sinks moved to a namespace of this test run (the stack is shared) */
function isolated(definition: PipelineDefinition, namespace: string): PipelineDefinition {
  const sinks = Object.fromEntries(Object.entries(definition.sinks).map(([name, sink]) => [name, { ...sink, table: { ...sink.table, namespace: [namespace] } }]));
  return { ...definition, sinks };
}

/**
 * Every golden Flink script is accepted by the real SQL Gateway: its session properties, setup
 * statements (catalog, database, sink table, Kafka source, views) run, and Flink plans the job
 * (EXPLAIN), against the stack's Iceberg catalog. Sink tables whose partition spec Flink DDL cannot
 * express are created first through @matih/iceberg, as the plan's runner does.
 */
describe('golden Flink scripts on the real SQL Gateway', () => {
  const gateway = new SqlGatewayClient(endpoints.flink.gatewayUrl);
  const namespace = `planner_it_${randomUUID().slice(0, 8)}`;
  const created: { catalog: string; name: string }[] = [];
  const catalogs = new Map<string, JdbcCatalog>();

  const catalog = async (name: string): Promise<JdbcCatalog> => {
    const existing = catalogs.get(name);
    if (existing) return existing;
    const c = new JdbcCatalog({ name, warehouse: endpoints.iceberg.warehouse, pool: { connectionString: endpoints.postgres.url, max: 2 } });
    await c.initialize();
    catalogs.set(name, c);
    return c;
  };

  afterAll(async () => {
    for (const t of created) await (await catalog(t.catalog)).dropTable({ namespace: [namespace], name: t.name }).catch(() => undefined);
    for (const c of catalogs.values()) await c.close();
  });

  it.each(goldenDefinitions().map((g) => [g.name, g.definition, g.sourceSchemas] as const))('%s', async (_name, definition, sourceSchemas) => {
    const result = compilePlan(isolated(definition, namespace), { target: 'flink', deploymentId: GOLDEN_DEPLOYMENT_ID, catalogs: localStackCatalogs(endpoints.stateDir), sourceSchemas });
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    const plan = result.plan as FlinkPlan;
    for (const sink of plan.sinks) {
      const hidden = sink.partitionBy.some((p) => p.transform !== 'identity' || p.name !== p.sourceColumn);
      const c = await catalog(sink.table.catalog);
      if (hidden) {
        await c.createNamespace([namespace]).catch(() => undefined); // exists after the first table
        await c.createTable({ namespace: [namespace], name: sink.table.name }, icebergTableSpec(sink) as never);
      }
      created.push({ catalog: sink.table.catalog, name: sink.table.name });
    }
    let session: GatewaySession | undefined;
    try {
      session = await gateway.openSession(plan.sessionProperties, `planner-it-${_name}`);
      for (const statement of plan.setup) {
        await session.execute(resolveSecretPlaceholders(statement, env)).catch((error: Error) => {
          throw new Error(`${error.message}\n-- in: ${statement.slice(0, 120)}`);
        });
      }
      const explained = await session.execute(`EXPLAIN ${plan.job.replace(/^EXECUTE /, '')}`);
      const text = JSON.stringify(explained.rows);
      expect(text).toContain('== Optimized Execution Plan ==');
      for (const sink of plan.sinks) expect(text).toContain(`${sink.table.catalog}.${namespace}.${sink.table.name}`);
      // the table Flink sees has the plan's columns, in order
      for (const sink of plan.sinks) {
        const described = await session.execute(`DESCRIBE \`${sink.table.catalog}\`.\`${namespace}\`.\`${sink.table.name}\``);
        expect(described.rows.map((r) => r['name'])).toEqual(sink.columns.map((c) => c.name));
      }
    } finally {
      await session?.close();
    }
  });
});
