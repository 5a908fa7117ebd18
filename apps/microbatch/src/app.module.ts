import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ServiceHostModule } from '@matih/service-host';
import { version } from '../package.json';
import { MICROBATCH_CONFIG, type MicrobatchConfig } from './config';
import { PipelinesModule } from './pipelines/pipelines.module';

/** runs micro-batch pipelines: Kafka → transform → Iceberg */
@Global()
@Module({})
export class AppModule {
  static forRoot(config: MicrobatchConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceHostModule.forRoot({ service: 'microbatch', release: version, config }), PipelinesModule],
      providers: [{ provide: MICROBATCH_CONFIG, useValue: config }],
      exports: [MICROBATCH_CONFIG],
    };
  }
}
