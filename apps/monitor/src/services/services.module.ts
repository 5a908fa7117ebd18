import { Module } from '@nestjs/common';
import { ServicesController } from './services.controller';
import { ServiceDirectory } from './services.service';

@Module({ controllers: [ServicesController], providers: [ServiceDirectory] })
export class ServicesModule {}
