import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ServiceHostModule } from '@matih/service-host';
import { version } from '../package.json';
import { MONITOR_CONFIG, type MonitorConfig } from './config';
import { HealthModule } from './health/health.module';
import { ServicesModule } from './services/services.module';

/** consumer lag, checkpoints, heartbeats → health of each deployment */
@Global()
@Module({})
export class AppModule {
  static forRoot(config: MonitorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceHostModule.forRoot({ service: 'monitor', release: version, config }), ServicesModule, HealthModule],
      providers: [{ provide: MONITOR_CONFIG, useValue: config }],
      exports: [MONITOR_CONFIG],
    };
  }
}
