import { Controller, Get, Inject, Module } from '@nestjs/common';
import { Public, SERVICE_INFO, type ServiceInfo } from '@matih/service-host';
import { openApiDocument } from './openapi';

@Controller()
class OpenApiController {
  private readonly document: ReturnType<typeof openApiDocument>;

  constructor(@Inject(SERVICE_INFO) info: ServiceInfo) {
    this.document = openApiDocument(info.release);
  }

  @Get('openapi.json')
  @Public()
  get() {
    return this.document;
  }
}

@Module({ controllers: [OpenApiController] })
export class OpenApiModule {}
