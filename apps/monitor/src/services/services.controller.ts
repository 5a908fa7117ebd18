import { Controller, Get } from '@nestjs/common';
import { ServiceDirectory, type ServiceInstance } from './services.service';

@Controller('services')
export class ServicesController {
  constructor(private readonly directory: ServiceDirectory) {}

  /** Every service instance that answered the monitor's pings, and whether it still does. */
  @Get()
  list(): { items: ServiceInstance[] } {
    return { items: this.directory.list() };
  }
}
