import { Global, Module } from '@nestjs/common';
import { FlinkClusterRepository } from './flink-cluster.repository';

/** The Flink session cluster: SQL Gateway and JobManager REST. */
@Global()
@Module({ providers: [FlinkClusterRepository], exports: [FlinkClusterRepository] })
export class FlinkClusterModule {}
