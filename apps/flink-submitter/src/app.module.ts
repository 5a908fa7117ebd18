import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ServiceHostModule } from '@matih/service-host';
import { version } from '../package.json';
import { FLINK_SUBMITTER_CONFIG, type FlinkSubmitterConfig } from './config';
import { DeploymentsModule } from './deployments/deployments.module';
import { FlinkClusterModule } from './flink-cluster/flink-cluster.module';
import { ReconcileModule } from './reconcile/reconcile.module';
import { SinkTablesModule } from './sink-tables/sink-tables.module';
import { SubmissionModule } from './submission/submission.module';

/** runs compiled jobs on Flink through the SQL Gateway */
@Global()
@Module({})
export class AppModule {
  static forRoot(config: FlinkSubmitterConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceHostModule.forRoot({ service: 'flink-submitter', release: version, config }),
        FlinkClusterModule,
        SinkTablesModule,
        DeploymentsModule,
        SubmissionModule,
        ReconcileModule,
      ],
      providers: [{ provide: FLINK_SUBMITTER_CONFIG, useValue: config }],
      exports: [FLINK_SUBMITTER_CONFIG],
    };
  }
}
