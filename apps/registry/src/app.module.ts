import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ServiceHostModule } from '@matih/service-host';
import { version } from '../package.json';
import { REGISTRY_CONFIG, type RegistryConfig } from './config';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { OutboxModule } from './outbox/outbox.module';

/** pipeline definitions, deployments and their audit log; the REST API */
@Global()
@Module({})
export class AppModule {
  static forRoot(config: RegistryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceHostModule.forRoot({ service: 'registry', release: version, config }), DatabaseModule, EventsModule, OutboxModule],
      providers: [{ provide: REGISTRY_CONFIG, useValue: config }],
      exports: [REGISTRY_CONFIG],
    };
  }
}
