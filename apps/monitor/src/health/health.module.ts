import { Module } from '@nestjs/common';
import { FlinkJobsRepository } from '../checkpoints/flink-jobs.repository';
import { DeploymentTracker } from '../deployments/deployment-tracker';
import { KafkaOffsetsRepository } from '../lag/kafka-offsets.repository';
import { MonitorMetrics } from '../metrics/monitor.metrics';
import { IcebergTablesRepository } from '../tables/iceberg-tables.repository';
import { DeploymentHealthController } from './health.controller';
import { HealthService } from './health.service';

/** Deployments: what they read and run, their lag, checkpoints, heartbeats, tables → health. */
@Module({
  controllers: [DeploymentHealthController],
  providers: [DeploymentTracker, KafkaOffsetsRepository, FlinkJobsRepository, IcebergTablesRepository, MonitorMetrics, HealthService],
  exports: [HealthService],
})
export class HealthModule {}
