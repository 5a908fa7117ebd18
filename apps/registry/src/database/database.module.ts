import { Global, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config';
import { createDataSource, migrate } from './data-source';

@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The registry's PostgreSQL: connected, and migrated to the latest schema, before anything uses it. */
@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [REGISTRY_CONFIG],
      useFactory: async (config: RegistryConfig) => {
        const dataSource = await createDataSource(config.REGISTRY_DATABASE_URL).initialize();
        await migrate(dataSource);
        return dataSource;
      },
    },
    DatabaseLifecycle,
  ],
  exports: [DataSource],
})
export class DatabaseModule {}

