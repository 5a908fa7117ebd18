import { Module } from '@nestjs/common';
import { PipelinesModule } from '../pipelines/pipelines.module';
import { DeploymentHealthHandler } from './deployment-health.handler';
import { DeploymentReportsHandler } from './deployment-reports.handler';
import { DeploymentsController } from './deployments.controller';
import { DeploymentsRepository } from './deployments.repository';
import { DeploymentsService } from './deployments.service';

@Module({
  imports: [PipelinesModule],
  controllers: [DeploymentsController],
  providers: [DeploymentsRepository, DeploymentsService, DeploymentReportsHandler, DeploymentHealthHandler],
  exports: [DeploymentsService],
})
export class DeploymentsModule {}
