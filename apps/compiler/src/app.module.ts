import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceHostModule } from '@matih/service-host';
import { version } from '../package.json';
import type { CompilerConfig } from './config';

/** turns a pipeline definition into a Flink SQL script or a micro-batch plan */
@Module({})
export class AppModule {
  static forRoot(config: CompilerConfig): DynamicModule {
    return { module: AppModule, imports: [ServiceHostModule.forRoot({ service: 'compiler', release: version, config })] };
  }
}
