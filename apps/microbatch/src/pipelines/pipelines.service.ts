import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { PayloadOf } from '@matih/contracts';
import { ControlPlane } from '@matih/control-plane';
import { MicrobatchExecutor } from '@matih/executor';
import { ROOT_LOGGER, SERVICE_INFO, type ServiceInfo } from '@matih/service-host';
import type { Logger } from 'pino';
import { MICROBATCH_CONFIG, type MicrobatchConfig } from '../config';
import { foldAssignments, type Assignment } from './assignments';

type Deployment = Pick<PayloadOf<'microbatch.assign'>, 'deploymentId' | 'pipeline' | 'version'>;

interface Running {
  deployment: Deployment;
  executor: MicrobatchExecutor;
  heartbeat: NodeJS.Timeout;
  /** why it failed to start, when it did */
  error?: unknown;
}

/**
 * The pipelines this instance runs. `microbatch.assign` and `microbatch.release` reach every
 * instance (a broadcast subscription): each one starts an executor that joins the source's consumer
 * group, so the instances share the deployment's partitions; a release drains them all. At start-up
 * the instance runs what is assigned now, folded from the commands sent before it started.
 * Progress (`batch.committed`), `executor.heartbeat`, `executor.started|stopped|failed` (per
 * instance) go to the micro-batch events topic. SIGTERM drains every executor — the batch in hand is
 * committed and `executor.stopped` published — before the control plane disconnects.
 */
@Injectable()
export class PipelinesService implements BeforeApplicationShutdown {
  private readonly running = new Map<string, Running>();
  /** outcome events not yet acknowledged by Kafka */
  private readonly reporting = new Set<Promise<void>>();

  constructor(
    private readonly controlPlane: ControlPlane,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(MICROBATCH_CONFIG) private readonly config: MicrobatchConfig,
  ) {
    controlPlane.on('microbatch.assign', async ({ payload }) => this.assign(payload), { broadcast: true });
    controlPlane.on('microbatch.release', async ({ payload }) => this.release(payload.deploymentId, payload.reason), { broadcast: true });
    controlPlane.onBroadcastHistory(async (history) => this.resume(foldAssignments(history)));
  }

  /** Deployments running here, for health and tests. */
  deployments(): string[] {
    return [...this.running.keys()];
  }

  /** Start-up: run what was assigned before this instance started and not released since. */
  private async resume(assigned: ReadonlyMap<string, Assignment>): Promise<void> {
    this.logger.info({ deployments: [...assigned.keys()] }, 'resuming the assigned deployments');
    await Promise.all([...assigned.values()].map((a) => this.assign(a)));
  }

  async assign(payload: Assignment): Promise<void> {
    const { deploymentId, pipeline, version, plan } = payload;
    if (this.running.has(deploymentId)) return; // redelivered: already running
    const deployment: Deployment = { deploymentId, pipeline, version };
    const executor = new MicrobatchExecutor({
      plan,
      pipeline,
      deploymentId,
      instanceId: this.info.instanceId,
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
    const run: Running = { deployment, executor, heartbeat };
    this.running.set(deploymentId, run);
    executor.done.then(
      () => this.finished(deploymentId, null),
      (e: unknown) => this.finished(deploymentId, e),
    );
    try {
      await executor.start();
    } catch (e) {
      this.logger.error({ err: e, deploymentId }, 'executor did not start');
      run.error = e;
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
    await this.reported();
  }

  private finished(deploymentId: string, error: unknown): void {
    const run = this.running.get(deploymentId);
    if (!run) return;
    clearInterval(run.heartbeat);
    this.running.delete(deploymentId);
    const failure = error ?? run.error;
    const base = { ...run.deployment, instanceId: this.info.instanceId };
    const published = failure
      ? this.controlPlane.publish('executor.failed', deploymentId, { ...base, reason: (failure as Error).message || String(failure) })
      : this.controlPlane.publish('executor.stopped', deploymentId, base);
    const report = published.then(
      () => undefined,
      (e: unknown) => this.logger.warn({ err: e }, 'executor outcome not published'),
    );
    this.reporting.add(report);
    void report.finally(() => this.reporting.delete(report));
  }

  /** Until every outcome event so far is sent. */
  private async reported(): Promise<void> {
    await Promise.all([...this.reporting]);
  }

  /**
   * SIGTERM: every executor commits the batch in hand and leaves its group (the other instances take
   * its partitions), and its `executor.stopped` is sent — before `onApplicationShutdown` closes the
   * control plane.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.executor.stop('requested').then(() => undefined, () => undefined)));
    await new Promise<void>((resolve) => setImmediate(resolve)); // let `done` report each outcome
    await this.reported();
  }
}
