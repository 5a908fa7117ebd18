// `nx run registry:migrate` — apply the registry's pending migrations and exit.
import { loadConfig } from '@matih/service-host';
import { configSchema } from '../config';
import { createDataSource, migrate } from './data-source';

async function main(): Promise<void> {
  const config = loadConfig('registry', configSchema);
  const dataSource = await createDataSource(config.REGISTRY_DATABASE_URL).initialize();
  try {
    const applied = await migrate(dataSource);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`registry migrations failed: ${(error as Error).message}\n`);
  process.exit(1);
});
