import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ServiceHostModule } from '@matih/service-host';
import { version } from '../package.json';
import { CompileModule } from './compile/compile.module';
import { COMPILER_CONFIG, type CompilerConfig } from './config';

/** turns a pipeline definition into a Flink SQL script or a micro-batch plan */
@Global()
@Module({})
export class AppModule {
  static forRoot(config: CompilerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceHostModule.forRoot({ service: 'compiler', release: version, config }), CompileModule],
      providers: [{ provide: COMPILER_CONFIG, useValue: config }],
      exports: [COMPILER_CONFIG],
    };
  }
}
