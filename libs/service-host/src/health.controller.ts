import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ControlPlane } from '@matih/control-plane';
import { Public } from './public';
import { SERVICE_INFO, type ServiceInfo } from './tokens';

@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly controlPlane: ControlPlane,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
  ) {}

  /** 200 when the service can do its work, 503 with the failing parts otherwise. */
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('control-plane');
        return this.controlPlane.isConnected ? indicator.up() : indicator.down({ reason: 'not connected to the control-plane Kafka' });
      },
      async () => this.indicators.check('service').up({ name: this.info.service, instanceId: this.info.instanceId, release: this.info.release }),
    ]);
  }
}
