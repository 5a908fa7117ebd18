import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceHostModule } from '@matih/service-host';
import { version } from '../package.json';
import type { RegistryConfig } from './config';

/** pipeline definitions, deployments and their audit log; the REST API */
@Module({})
export class AppModule {
  static forRoot(config: RegistryConfig): DynamicModule {
    return { module: AppModule, imports: [ServiceHostModule.forRoot({ service: 'registry', release: version, config })] };
  }
}
