import { Module } from '@nestjs/common';
import { CompileService } from './compile.service';

/** compile commands in, compiled plans or failures out */
@Module({ providers: [CompileService] })
export class CompileModule {}
