import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ControlPlane } from '@matih/control-plane';
import { SERVICE_INFO, type ServiceInfo } from './tokens';

/**
 * Starts consuming once every feature module has registered its handlers, answers `service.ping`
 * so the monitor knows who is alive, and disconnects cleanly on shutdown.
 */
@Injectable()
export class ControlPlaneLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly controlPlane: ControlPlane,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
  ) {
    controlPlane.on('service.ping', async (ping) => {
      if (ping.payload.target !== '*' && ping.payload.target !== info.service) return;
      await controlPlane.publish(
        'service.pong',
        info.service,
        { service: info.service, instanceId: info.instanceId, startedAt: info.startedAt, release: info.release },
        { causedBy: ping },
      );
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.controlPlane.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.controlPlane.stop();
  }
}
