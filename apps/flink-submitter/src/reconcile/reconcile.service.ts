import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ControlPlane } from '@matih/control-plane';
import { ROOT_LOGGER } from '@matih/service-host';
import type { Logger } from 'pino';
import { FLINK_SUBMITTER_CONFIG, type FlinkSubmitterConfig } from '../config';
import { FLINK_EVENT_TYPES } from '../deployments/deployment-state';
import { DeploymentsRepository } from '../deployments/deployments.repository';
import { FlinkClusterRepository } from '../flink-cluster/flink-cluster.repository';
import { reconcileAction } from './reconcile-action';

/** Flink's JobID: 16 bytes in hex. */
const FLINK_JOB_ID = /^[0-9a-f]{32}$/;

/**
 * Keeps what the submitter reported in line with what Flink runs: at start-up it rebuilds its state
 * from its own events, then (at once and periodically) reports jobs that started running and jobs
 * that died. Submissions check Flink for a live job of the same name first, so a restarted
 * submitter never starts a second copy.
 */
@Injectable()
export class ReconcileService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly ignored = new Set<string>();

  constructor(
    private readonly controlPlane: ControlPlane,
    private readonly cluster: FlinkClusterRepository,
    private readonly deployments: DeploymentsRepository,
    @Inject(FLINK_SUBMITTER_CONFIG) private readonly config: FlinkSubmitterConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.startUp();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async startUp(): Promise<void> {
    try {
      this.deployments.rebuildFrom(await this.controlPlane.history(FLINK_EVENT_TYPES));
    } catch (error) {
      this.logger.warn({ err: error }, 'could not rebuild the state from the Flink events topic: continuing with what Flink reports');
    } finally {
      this.deployments.rebuilt();
    }
    await this.tick();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.reconcileOnce();
    } catch (error) {
      this.logger.warn({ err: error }, 'reconciliation with Flink failed; retrying at the next interval');
    }
    if (!this.stopped) this.timer = setTimeout(() => (this.running = this.tick()), this.config.MATIH_FLINK_RECONCILE_INTERVAL_MS);
  }

  /** One pass over the deployments the submitter believes have a live job. */
  async reconcileOnce(): Promise<void> {
    if (!this.controlPlane.isConnected) return;
    for (const candidate of this.deployments.all()) {
      if (candidate.status !== 'submitted' && candidate.status !== 'running') continue;
      if (candidate.jobId !== null && !FLINK_JOB_ID.test(candidate.jobId)) {
        // not an id a Flink cluster hands out: an event some other producer wrote, not ours to judge
        if (!this.ignored.has(candidate.jobId)) this.logger.warn({ deploymentId: candidate.deploymentId, jobId: candidate.jobId }, 'not a Flink job id: not reconciled');
        this.ignored.add(candidate.jobId);
        continue;
      }
      try {
        await this.reconcile(candidate.deploymentId);
      } catch (error) {
        // one deployment's trouble must not keep the others from being checked
        this.logger.warn({ err: error, deploymentId: candidate.deploymentId }, 'could not reconcile the deployment; retrying at the next interval');
      }
    }
  }

  private async reconcile(deploymentId: string): Promise<void> {
    await this.deployments.withLock(deploymentId, async () => {
      const tracked = this.deployments.get(deploymentId);
      if (!tracked?.jobId) return;
      const job = await this.cluster.findJob(tracked.jobId);
      const action = reconcileAction(tracked, job);
      const ref = { deploymentId: tracked.deploymentId, pipeline: tracked.pipeline, version: tracked.version };
      const logger = this.logger.child({ ...ref, jobId: tracked.jobId });
      if (action.kind === 'running') {
        this.deployments.save({ ...tracked, status: 'running' });
        await this.controlPlane.publish('job.running', tracked.deploymentId, { ...ref, jobId: action.jobId });
        logger.info('job runs');
      } else if (action.kind === 'failed') {
        const cause = action.job?.state === 'FAILED' ? await this.cluster.failureReason(action.job) : action.reason;
        this.deployments.save({ ...tracked, status: 'failed' });
        await this.controlPlane.publish('job.failed', tracked.deploymentId, { ...ref, jobId: action.jobId, reason: cause });
        logger.warn({ reason: cause }, 'job died: reported');
      }
    });
  }
}
