import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceHostModule } from '@matih/service-host';
import { version } from '../package.json';
import type { MicrobatchConfig } from './config';

/** runs micro-batch pipelines: Kafka → transform → Iceberg */
@Module({})
export class AppModule {
  static forRoot(config: MicrobatchConfig): DynamicModule {
    return { module: AppModule, imports: [ServiceHostModule.forRoot({ service: 'microbatch', release: version, config })] };
  }
}
