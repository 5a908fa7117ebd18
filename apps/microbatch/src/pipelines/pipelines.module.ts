import { Module } from '@nestjs/common';
import { PipelinesService } from './pipelines.service';

@Module({ providers: [PipelinesService] })
export class PipelinesModule {}
