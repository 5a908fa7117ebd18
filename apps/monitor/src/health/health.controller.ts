import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { HealthService, type DeploymentHealth } from './health.service';

@Controller('deployments')
export class DeploymentHealthController {
  constructor(private readonly health: HealthService) {}

  /** Every deployment the monitor knows, with its health, lag, checkpoints, executors and tables. */
  @Get()
  list(): { items: DeploymentHealth[] } {
    return { items: this.health.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): DeploymentHealth {
    const found = this.health.get(id);
    if (!found) throw new NotFoundException(`the monitor knows no deployment ${id}`);
    return found;
  }
}
