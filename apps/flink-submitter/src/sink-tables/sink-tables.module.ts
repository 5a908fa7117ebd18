import { Global, Module } from '@nestjs/common';
import { SinkTablesRepository } from './sink-tables.repository';

/** The Iceberg sink tables of the jobs: created before a job runs when missing. */
@Global()
@Module({ providers: [SinkTablesRepository], exports: [SinkTablesRepository] })
export class SinkTablesModule {}
