import { Module } from '@nestjs/common';
import { PipelinesController } from './pipelines.controller';
import { PipelinesRepository } from './pipelines.repository';
import { PipelinesService } from './pipelines.service';

@Module({ controllers: [PipelinesController], providers: [PipelinesRepository, PipelinesService], exports: [PipelinesRepository, PipelinesService] })
export class PipelinesModule {}
