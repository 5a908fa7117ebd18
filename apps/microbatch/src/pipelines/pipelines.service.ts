import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { PayloadOf } from '@matih/contracts';
import { ControlPlane } from '@matih/control-plane';
import { MicrobatchExecutor } from '@matih/executor';
import { ROOT_LOGGER, SERVICE_INFO, type ServiceInfo } from '@matih/service-host';
import type { Logger } from 'pino';
import { MICROBATCH_CONFIG, type MicrobatchConfig } from '../config';

type Deployment = Pick<PayloadOf<'microbatch.assign'>, 'deploymentId' | 'pipeline' | 'version'>;

interface Running {
  deployment: Deployment;
  executor: MicrobatchExecutor;
  heartbeat: NodeJS.Timeout;
}

/**
 * The pipelines this instance runs: `microbatch.assign` starts an executor that joins the source's
 * consumer group (instances given the same deployment share its partitions), `microbatch.release`
 * drains it. Progress (`batch.committed`), `executor.heartbeat`, `executor.started|stopped|failed`
 * go to the micro-batch events topic. SIGTERM drains every executor before the service stops.
 */
@Injectable()
export class PipelinesService implements OnApplicationShutdown {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly controlPlane: ControlPlane,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(MICROBATCH_CONFIG) private readonly config: MicrobatchConfig,
  ) {
    controlPlane.on('microbatch.assign', async ({ payload }) => this.assign(payload));
    controlPlane.on('microbatch.release', async ({ payload }) => this.release(payload.deploymentId, payload.reason));
  }

  /** Deployments running here, for health and tests. */
  deployments(): string[] {
    return [...this.running.keys()];
  }

  async assign(payload: PayloadOf<'microbatch.assign'>): Promise<void> {
    const { deploymentId, pipeline, version, plan } = payload;
    if (this.running.has(deploymentId)) return; // redelivered: already running
    const deployment: Deployment = { deploymentId, pipeline, version };
    const executor = new MicrobatchExecutor({
      plan,
      pipeline,
      deploymentId,
      instanceId: this.info.instanceId,
      catalogs: { jdbcUrl: this.config.MATIH_ICEBERG_JDBC_URL, warehouse: this.config.MATIH_ICEBERG_WAREHOUSE },
      logger: this.logger,
      onBatch: (r) =>
        void this.controlPlane
          .publish('batch.committed', deploymentId, {
            ...deployment,
            instanceId: this.info.instanceId,
            records: r.records,
            rows: r.rows,
            deadLetters: r.deadLetters,
            snapshotId: r.snapshotIds[0] ?? null,
            offsets: r.offsets,
            durationMs: r.durationMs,
          })
          .catch((e: unknown) => this.logger.warn({ err: e }, 'batch.committed not published')),
    });
    const heartbeat = setInterval(
      () =>
        void this.controlPlane
          .publish('executor.heartbeat', deploymentId, { ...deployment, instanceId: this.info.instanceId, partitions: executor.partitions(), recordsSinceLast: executor.takeRecordsSinceLast() })
          .catch(() => undefined),
      this.config.MATIH_HEARTBEAT_INTERVAL_MS,
    );
    this.running.set(deploymentId, { deployment, executor, heartbeat });
    executor.done.then(
      () => this.finished(deploymentId, null),
      (e: unknown) => this.finished(deploymentId, e),
    );
    try {
      await executor.start();
    } catch (e) {
      await executor.stop('failed').catch(() => undefined);
      this.finished(deploymentId, e);
      return;
    }
    await this.controlPlane.publish('executor.started', deploymentId, { ...deployment, instanceId: this.info.instanceId });
  }

  async release(deploymentId: string, reason: string): Promise<void> {
    const run = this.running.get(deploymentId);
    if (!run) return;
    this.logger.info({ deploymentId, reason }, 'releasing deployment: draining');
    await run.executor.stop('requested').catch(() => undefined);
  }

  private finished(deploymentId: string, error: unknown): void {
    const run = this.running.get(deploymentId);
    if (!run) return;
    clearInterval(run.heartbeat);
    this.running.delete(deploymentId);
    const base = { ...run.deployment, instanceId: this.info.instanceId };
    const published = error
      ? this.controlPlane.publish('executor.failed', deploymentId, { ...base, reason: (error as Error).message || String(error) })
      : this.controlPlane.publish('executor.stopped', deploymentId, base);
    published.catch((e: unknown) => this.logger.warn({ err: e }, 'executor outcome not published'));
  }

  /** SIGTERM: every executor commits the batch in hand and leaves its group. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.executor.stop('requested').then(() => undefined, () => undefined)));
  }
}
