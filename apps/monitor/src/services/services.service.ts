import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ControlPlane } from '@matih/control-plane';
import { SERVICE_INFO, type ServiceInfo } from '@matih/service-host';
import type { PayloadOf } from '@matih/contracts';
import { MONITOR_CONFIG, type MonitorConfig } from '../config';

export interface ServiceInstance {
  readonly service: string;
  readonly instanceId: string;
  readonly release: string;
  readonly startedAt: string;
  readonly lastSeen: string;
  readonly alive: boolean;
}

/**
 * Which service instances are alive: pings every service over the control plane and keeps the
 * answers. An instance that missed three pings in a row is reported as not alive.
 */
@Injectable()
export class ServiceDirectory implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly instances = new Map<string, { pong: PayloadOf<'service.pong'>; lastSeen: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly controlPlane: ControlPlane,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    @Inject(MONITOR_CONFIG) private readonly config: MonitorConfig,
  ) {
    controlPlane.on('service.pong', async ({ payload }) => {
      this.instances.set(payload.instanceId, { pong: payload, lastSeen: Date.now() });
    });
  }

  onApplicationBootstrap(): void {
    const ping = () =>
      void this.controlPlane.publish('service.ping', '*', { target: '*', from: this.info.service }).catch(() => undefined);
    ping();
    this.timer = setInterval(ping, this.config.MONITOR_PING_INTERVAL_MS);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  list(now = Date.now()): ServiceInstance[] {
    const staleAfter = 3 * this.config.MONITOR_PING_INTERVAL_MS;
    return [...this.instances.values()]
      .map(({ pong, lastSeen }) => ({ ...pong, lastSeen: new Date(lastSeen).toISOString(), alive: now - lastSeen <= staleAfter }))
      .sort((a, b) => a.service.localeCompare(b.service) || a.instanceId.localeCompare(b.instanceId));
  }
}
