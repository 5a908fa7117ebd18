import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceHostModule } from '@matih/service-host';
import { version } from '../package.json';
import type { FlinkSubmitterConfig } from './config';

/** runs compiled jobs on Flink through the SQL Gateway */
@Module({})
export class AppModule {
  static forRoot(config: FlinkSubmitterConfig): DynamicModule {
    return { module: AppModule, imports: [ServiceHostModule.forRoot({ service: 'flink-submitter', release: version, config })] };
  }
}
