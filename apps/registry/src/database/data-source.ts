import { DataSource } from 'typeorm';
import { EventStore1764061200000 } from './migrations/1764061200000-event-store';
import { PipelinesDeploymentsTokens1764061300000 } from './migrations/1764061300000-pipelines-deployments-tokens';

export const MIGRATIONS = [EventStore1764061200000, PipelinesDeploymentsTokens1764061300000];

export function createDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'registry_migrations',
    migrationsTransactionMode: 'each',
    extra: { max: 10 },
  });
}

/** Lock id for running migrations: one registry instance migrates, the others wait for it. */
const MIGRATION_LOCK = 7_214_001;

/** Run pending migrations under an advisory lock, so that several instances may start at once. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS registry`);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
