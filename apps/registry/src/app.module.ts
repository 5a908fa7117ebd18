import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ServiceHostModule } from '@matih/service-host';
import { version } from '../package.json';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { REGISTRY_CONFIG, type RegistryConfig } from './config';
import { DatabaseModule } from './database/database.module';
import { DeploymentsModule } from './deployments/deployments.module';
import { EventsModule } from './events/events.module';
import { OpenApiModule } from './http/openapi.module';
import { ProblemFilter } from './http/problem.filter';
import { OutboxModule } from './outbox/outbox.module';
import { PipelinesModule } from './pipelines/pipelines.module';

/** pipeline definitions, deployments and their audit log; the REST API */
@Global()
@Module({})
export class AppModule {
  static forRoot(config: RegistryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceHostModule.forRoot({ service: 'registry', release: version, config }),
        DatabaseModule,
        EventsModule,
        OutboxModule,
        AuthModule,
        PipelinesModule,
        DeploymentsModule,
        AuditModule,
        OpenApiModule,
      ],
      providers: [{ provide: REGISTRY_CONFIG, useValue: config }, { provide: APP_FILTER, useClass: ProblemFilter }],
      exports: [REGISTRY_CONFIG],
    };
  }
}
