import { Global, Module } from '@nestjs/common';
import { DeploymentsRepository } from './deployments.repository';

/** What the submitter knows of each deployment's job (shared by submission and reconciliation). */
@Global()
@Module({ providers: [DeploymentsRepository], exports: [DeploymentsRepository] })
export class DeploymentsModule {}
