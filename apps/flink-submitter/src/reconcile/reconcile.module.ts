import { Module } from '@nestjs/common';
import { ReconcileService } from './reconcile.service';

/** Start-up and periodic reconciliation of reported job states with the Flink cluster. */
@Module({ providers: [ReconcileService] })
export class ReconcileModule {}
